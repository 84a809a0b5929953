package dev.jfutures.cli;

import dev.jfutures.TaskExecutor;
import dev.jfutures.ThreadPool;
import dev.jfutures.process.ProcessPool;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code --executor} and {@code --workers}, as find, compress and decompress share them: which of the
 * library's executors runs the tasks, and how many at once.
 */
final class ExecutorOptions {

    /** The executors {@code --executor} offers. */
    enum Kind { thread, virtual, process }

    /** {@code --executor}. */
    Kind kind;

    /** {@code --workers}, or null. */
    Integer workers;

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
                        + " virtual needs Java 21; process runs them in worker JVMs.")
                .setter(Models.into((Kind v) -> kind = v)).build());
        spec.addOption(OptionSpec.builder("--workers").paramLabel("N").type(Integer.class)
                .description("Most tasks at once (default: " + threadDefaultText + " threads; unbounded virtual"
                        + " threads; one worker JVM per processor).")
                .setter(Models.into((Integer v) -> workers = v)).build());
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
        switch (kind) {
            case virtual: {
                ThreadPool.Builder b = ThreadPool.builder().virtualThreads().threadNamePrefix(name).daemon(true);
                return (workers != null ? b.workers(workers) : b).build();
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
