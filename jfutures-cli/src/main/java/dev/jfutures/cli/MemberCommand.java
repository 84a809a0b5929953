package dev.jfutures.cli;

import dev.jfutures.cluster.Member;
import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jfutures member}: a worker member of a jfutures cluster ({@link Member}), for
 * {@code --executor cluster --join} and for {@code ClusterPool.builder().members(...)}. With
 * {@code --classpath}, the member runs in a child JVM whose class path holds the tasks' classes
 * as well as jfutures'; without, in this JVM.
 */
@Command(name = "member",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        exitCodeOnInvalidInput = ExitCodes.USAGE,
        exitCodeOnExecutionException = 70,
        description = {
            "Run a worker member of a jfutures cluster (Hazelcast) until it is stopped: it runs the tasks of"
                + " ClusterPools whose key is the one in JFUTURES_CLUSTER_KEY (hex, at least 32 digits; the same"
                + " on every member and in the application).",
            "There is no TLS and no authentication between Hazelcast Community members: run a cluster on a private"
                + " network only (see docs/cluster.md)."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:the member was shut down",
            "1:the member could not start (the message says why)",
            "2:usage error (a bad option, or no JFUTURES_CLUSTER_KEY)",
            "70:an internal error (a bug: please report it)"})
public final class MemberCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--cluster", paramLabel = "NAME", required = true, description = "The cluster's name.")
    String cluster;

    @Option(names = "--join", paramLabel = "HOST:PORT[,...]",
            description = "Members to join (default: none, this member starts the cluster).")
    String join;

    @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "This host's address on the cluster's network (default: ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--port", paramLabel = "N", defaultValue = "5701",
            description = "The first port to try; 0 for a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--threads", paramLabel = "N", description = "Tasks at once (default: the processors).")
    Integer threads;

    @Option(names = "--label", paramLabel = "LABEL", description = "A label of this member (repeatable).")
    List<String> labels = new ArrayList<>();

    @Option(names = "--failure-detection", paramLabel = "SECONDS", defaultValue = "10",
            description = "How long a silent member is given before it counts as dead (default: ${DEFAULT-VALUE}).")
    long detect;

    @Option(names = "--classpath", paramLabel = "CP",
            description = "The classes of the tasks (jars and directories, separated as in java -cp).")
    String classpath;

    /** The environment, a seam for tests. */
    java.util.function.Function<String, String> env = System::getenv;

    /** The member's arguments, as {@link Member#main} takes them. */
    List<String> memberArgs() {
        List<String> a = new ArrayList<>(List.of("--cluster", cluster, "--bind", bind, "--port", String.valueOf(port),
                "--failure-detection", String.valueOf(detect)));
        if (join != null) {
            a.add("--join");
            a.add(join);
        }
        if (threads != null) {
            a.add("--threads");
            a.add(String.valueOf(threads));
        }
        for (String l : labels) {
            a.add("--label");
            a.add(l);
        }
        return a;
    }

    @Override
    public Integer call() throws Exception {
        CommandLine cmd = spec.commandLine();
        if (threads != null && threads < 1) {
            throw new CommandLine.ParameterException(cmd, "--threads must be a positive number, was " + threads);
        }
        if (port < 0 || port > 65535) {
            throw new CommandLine.ParameterException(cmd, "--port must be 0 to 65535, was " + port);
        }
        String key = env.apply("JFUTURES_CLUSTER_KEY");
        if (key == null || key.isBlank()) {
            throw new CommandLine.ParameterException(cmd, "set JFUTURES_CLUSTER_KEY to the cluster's key (hex, at least"
                    + " 32 digits; for a new one: openssl rand -hex 32)");
        }
        if (!key.trim().matches("(?i)[0-9a-f]{32,}") || key.trim().length() % 2 != 0) {
            throw new CommandLine.ParameterException(cmd, "JFUTURES_CLUSTER_KEY must be an even number of hex digits,"
                    + " at least 32");
        }
        if (classpath == null) {
            Member.main(memberArgs().toArray(new String[0]));
            return ExitCodes.OK;   // not reached: the member runs until the JVM ends
        }
        List<String> child = new ArrayList<>();
        child.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        child.add("-cp");
        child.add(ownClasspath() + File.pathSeparator + classpath);
        child.add(Member.class.getName());
        child.addAll(memberArgs());
        Process p = new ProcessBuilder(child).inheritIO().start();
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroy));
        return p.waitFor() == 0 ? ExitCodes.OK : ExitCodes.FAILED;
    }

    /** Where this command's classes (jfutures and Hazelcast) come from. */
    private static String ownClasspath() throws URISyntaxException {
        String cp = System.getProperty("java.class.path");
        String self = Path.of(MemberCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        return cp == null || cp.isEmpty() ? self : cp;
    }
}
