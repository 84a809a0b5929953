package dev.jfutures.cli;

import dev.jfutures.TaskExecutor;
import dev.jfutures.ThreadPool;
import dev.jfutures.TraceRecorder;
import dev.jfutures.cluster.ClusterPool;
import dev.jfutures.process.ProcessPool;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code --executor} and {@code --workers}, as find, compress and decompress share them: which of the
 * library's executors runs the tasks, and how many at once; and {@code --trace}, the timeline of
 * what they ran.
 */
final class ExecutorOptions {

    /** The executors {@code --executor} offers. */
    enum Kind { thread, virtual, process, cluster }

    /** {@code --executor}. */
    Kind kind;

    /** {@code --workers}, or null. */
    Integer workers;

    /** {@code --join}: members of a running cluster, or null for a local one. */
    String join;

    /** {@code --cluster-name}, for {@code --join}. */
    String clusterName = "jfutures";

    /** {@code --bind}: this host's address on the cluster's network, for {@code --join}. */
    String bind = "127.0.0.1";

    /** {@code --trace}: where to write the run's timeline, or null. */
    String trace;

    /** The recorder {@link #create} added to its executor for {@code --trace}; null without. */
    private TraceRecorder recorder;

    /** Where {@code --join} reads the cluster key from: the environment, a seam for tests. */
    java.util.function.Function<String, String> env = System::getenv;

    /** The key {@link #validate} read for {@code --join}. */
    private byte[] clusterKey;

    /** The thread executor's {@code --workers} default, as the help states it. */
    private final String threadDefaultText;
    /** Its value; null for the ThreadPool's own default, {@code min(32, processors + 4)}. */
    private final Integer threadDefault;

    /** The options with the ThreadPool's default number of threads. */
    ExecutorOptions() {
        this("min(32, processors + 4)", null);
    }

    /**
     * The options with another default number of threads for the thread executor.
     *
     * @param threadDefaultText the default as {@code --help} states it
     * @param threadDefault the default
     */
    ExecutorOptions(String threadDefaultText, Integer threadDefault) {
        this.threadDefaultText = threadDefaultText;
        this.threadDefault = threadDefault;
    }

    /**
     * Adds {@code --executor} and {@code --workers} to a command's model (built in code: see {@link
     * Models}), bound to this object's fields.
     *
     * @param spec the command's model
     */
    void addOptions(CommandSpec spec) {
        spec.addOption(OptionSpec.builder("--executor").paramLabel("KIND").type(Kind.class).defaultValue("thread")
                .description("Where the tasks run: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})."
                        + " virtual needs Java 21; process runs them in worker JVMs; cluster on the members"
                        + " of a Hazelcast cluster (a local one of one worker JVM, or --join).")
                .setter(Models.into((Kind v) -> kind = v)).build());
        spec.addOption(OptionSpec.builder("--workers").paramLabel("N").type(Integer.class)
                .description("Most tasks at once (default: " + threadDefaultText + " threads; unbounded virtual"
                        + " threads; one worker JVM per processor).")
                .setter(Models.into((Integer v) -> workers = v)).build());
        spec.addOption(OptionSpec.builder("--join").paramLabel("HOST:PORT[,...]").type(String.class)
                .description("With --executor cluster: join the running cluster of `jfutures member`s at these"
                        + " addresses, with the key in JFUTURES_CLUSTER_KEY (default: a local cluster).")
                .setter(Models.into((String v) -> join = v)).build());
        spec.addOption(OptionSpec.builder("--cluster-name").paramLabel("NAME").type(String.class)
                .defaultValue("jfutures").description("With --join: the cluster's name (default: ${DEFAULT-VALUE}).")
                .setter(Models.into((String v) -> clusterName = v)).build());
        spec.addOption(OptionSpec.builder("--bind").paramLabel("ADDRESS").type(String.class)
                .defaultValue("127.0.0.1")
                .description("With --join: this host's address on the cluster's network (default: ${DEFAULT-VALUE}).")
                .setter(Models.into((String v) -> bind = v)).build());
        spec.addOption(OptionSpec.builder("--trace").paramLabel("FILE").type(String.class)
                .description("Write a timeline of the run to FILE: Chrome trace-event JSON, one track per worker"
                        + " and one slice per task (open it in https://ui.perfetto.dev or chrome://tracing, or"
                        + " draw it with `jfutures timeline FILE`).")
                .setter(Models.into((String v) -> trace = v)).build());
    }

    /**
     * Refuses a {@code --workers} below 1.
     *
     * @param cmd the command, for the usage message
     * @throws CommandLine.ParameterException if {@code --workers} is below 1
     */
    void validate(CommandLine cmd) {
        if (workers != null && workers < 1) {
            throw new CommandLine.ParameterException(cmd, "--workers must be a positive number, was " + workers);
        }
        if (trace != null) {
            Path file;
            try {
                file = Path.of(trace);
            } catch (InvalidPathException e) {
                throw new CommandLine.ParameterException(cmd, "--trace '" + trace + "' is not a valid path");
            }
            Path dir = file.toAbsolutePath().getParent();
            if (trace.isEmpty() || Files.isDirectory(file)) {
                throw new CommandLine.ParameterException(cmd, "--trace " + trace + " is a directory: give a file name");
            }
            if (dir != null && !Files.isDirectory(dir)) {
                throw new CommandLine.ParameterException(cmd, "--trace " + trace + ": the directory " + dir
                        + " does not exist; create it, or give a file in one that does");
            }
        }
        if (join != null && kind != Kind.cluster) {
            throw new CommandLine.ParameterException(cmd, "--join needs --executor cluster");
        }
        if (join != null) {
            String key = env.apply("JFUTURES_CLUSTER_KEY");
            if (key == null || key.isBlank()) {
                throw new CommandLine.ParameterException(cmd, "--join needs the cluster's key in the environment"
                        + " variable JFUTURES_CLUSTER_KEY (hex), the one its members were started with");
            }
            try {
                clusterKey = java.util.HexFormat.of().parseHex(key.trim());
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(cmd, "JFUTURES_CLUSTER_KEY must be hex digits: " + e.getMessage());
            }
            if (clusterKey.length < 16) {
                throw new CommandLine.ParameterException(cmd, "JFUTURES_CLUSTER_KEY must hold at least 16 bytes (32 hex"
                        + " digits), not " + clusterKey.length);
            }
        }
    }

    /**
     * Why the chosen executor cannot run on this JVM, or null if it can.
     *
     * @return a message naming Java 21 and this JVM, for {@code --executor virtual} before Java 21
     */
    String unavailable() {
        if (kind == Kind.virtual && Runtime.version().feature() < 21) {
            return "--executor virtual needs Java 21 or later, and this JVM is Java " + Runtime.version() + " ("
                    + System.getProperty("java.home") + "); run on JDK 21+, or use --executor thread";
        }
        return null;
    }

    /**
     * Whether the tasks run in other JVMs (process or cluster): they must then be serializable,
     * and carry their data with them.
     *
     * @return true for process and cluster
     */
    boolean remote() {
        return kind == Kind.process || kind == Kind.cluster;
    }

    /**
     * How many tasks run at once, as far as splitting work into chunks is concerned.
     *
     * @return {@code --workers}, else the number of processors
     */
    int parallelism() {
        return workers != null ? workers : Runtime.getRuntime().availableProcessors();
    }

    /**
     * A new executor of the chosen kind. Threads are daemons: a command that returns early (an
     * error) never waits for the JVM's exit on work it no longer wants.
     *
     * @param name the thread name prefix
     * @param processOptions applied to the process pool's builder before it is built (a test seam;
     *     null for none)
     * @return the executor; the caller closes it
     * @throws UnsupportedOperationException if virtual threads are asked for before Java 21
     */
    TaskExecutor create(String name, Consumer<ProcessPool.Builder> processOptions) {
        TaskExecutor pool = build(name, processOptions);
        if (trace != null) {
            if (recorder == null) {
                recorder = TraceRecorder.to(Path.of(trace));
            }
            pool.addListener(recorder);   // before any task: it hears them all
        }
        return pool;
    }

    /**
     * Writes {@code --trace}'s file, once the executors {@link #create} made are closed (their
     * close waits until the recorder heard their last events). Does nothing without
     * {@code --trace}, or if no executor was made.
     *
     * @param command the command's name, for the error line
     * @param err where a failure to write it is reported
     * @param code the command's exit code so far
     * @return {@code code}, or 1 if it was 0 and the trace could not be written
     */
    int finishTrace(String command, PrintWriter err, int code) {
        TraceRecorder r = recorder;
        recorder = null;
        if (r == null) {
            return code;
        }
        try {
            r.close();
            return code;
        } catch (UncheckedIOException e) {
            err.println("jfutures " + command + ": " + e.getMessage());
            err.flush();
            return code == ExitCodes.OK ? ExitCodes.FAILED : code;
        }
    }

    private TaskExecutor build(String name, Consumer<ProcessPool.Builder> processOptions) {
        switch (kind) {
            case virtual: {
                ThreadPool.Builder b = ThreadPool.builder().virtualThreads().threadNamePrefix(name).daemon(true);
                return (workers != null ? b.workers(workers) : b).build();
            }
            case cluster: {
                ClusterPool.Builder b = ClusterPool.builder().daemon(true).name(name);
                if (join != null) {
                    b.members(join.split(",")).clusterName(clusterName).bind(bind).key(clusterKey);
                } else {
                    b.localMembers(1).threadsPerMember(parallelism());
                }
                return b.build();
            }
            case process: {
                ProcessPool.Builder b = ProcessPool.builder().daemon(true);
                if (workers != null) {
                    b.workers(workers);
                }
                if (processOptions != null) {
                    processOptions.accept(b);
                }
                return b.build();
            }
            case thread:
            default: {
                ThreadPool.Builder b = ThreadPool.builder().threadNamePrefix(name).daemon(true);
                Integer n = workers != null ? workers : threadDefault;
                return (n != null ? b.workers(n) : b).build();
            }
        }
    }
}
