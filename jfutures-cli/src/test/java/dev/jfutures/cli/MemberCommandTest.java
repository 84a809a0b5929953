package dev.jfutures.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jfutures.cluster.ClusterPool;
import java.io.File;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jfutures member}, and {@code --executor cluster --join} against it: the walk-through of
 * docs/cluster.md, as processes (a member, then a find that joins it), on 127.0.0.1.
 */
class MemberCommandTest {

    @TempDir
    Path dir;

    @Test
    void usageErrorsNameWhatToChange() {
        Cli.Result none = Cli.run("member");
        assertThat(none.code()).isEqualTo(2);
        assertThat(none.err()).contains("Missing required option: '--cluster=NAME'").hasLineCount(2);
        Cli.Result threads = Cli.run("member", "--cluster", "c", "--threads", "0");
        assertThat(threads.code()).isEqualTo(2);
        assertThat(threads.err()).contains("--threads must be a positive number, was 0");
        Cli.Result help = Cli.run("member", "--help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("--cluster", "--join", "--bind", "--port", "--threads", "--label",
                "--classpath", "JFUTURES_CLUSTER_KEY", "no TLS");
    }

    @Test
    void aMemberWithoutAKeyIsAUsageErrorNamingTheVariable() throws Exception {
        Process p = jfutures(List.of("member", "--cluster", "c"), null);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String err = Files.readString(dir.resolve("member.err"));
        assertThat(p.exitValue()).as(err).isEqualTo(2);
        assertThat(err).contains("set JFUTURES_CLUSTER_KEY");
    }

    @Test
    void aMemberRunsThePoolsTasksAndFindJoinsIt() throws Exception {
        byte[] raw = new byte[32];
        new java.security.SecureRandom().nextBytes(raw);
        String key = HexFormat.of().formatHex(raw);
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            port = s.getLocalPort();
        }
        String cluster = "member-test-" + ProcessHandle.current().pid();
        Process member = jfutures(List.of("member", "--cluster", cluster, "--bind", "127.0.0.1", "--port",
                String.valueOf(port), "--threads", "2", "--failure-detection", "4"), key);
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            Path ready = dir.resolve("member.out");
            while (!Files.exists(ready) || !Files.readString(ready).contains(": ready")) {
                assertThat(member.isAlive()).as("the member runs: %s", Files.exists(dir.resolve("member.err"))
                        ? Files.readString(dir.resolve("member.err")) : "").isTrue();
                assertThat(System.nanoTime()).as("the member says it is ready").isLessThan(deadline);
                Thread.sleep(20);   // its stdout is a file; nothing to wait on but its content
            }
            // A ClusterPool of this JVM joins it and runs a task there.
            try (ClusterPool pool = ClusterPool.builder().members("127.0.0.1:" + port).clusterName(cluster)
                    .key(HexFormat.of().parseHex(key)).name("member-test").build()) {
                assertThat(pool.submit(() -> ProcessHandle.current().pid()).result(java.time.Duration.ofSeconds(120)))
                        .isEqualTo(member.pid());
            }
            // And the find command joins it too, finding what the thread executor finds.
            Path tree = Files.createDirectories(dir.resolve("tree/a/b"));
            Files.writeString(tree.resolve("hello.txt"), "x");
            Files.writeString(dir.resolve("tree/a/hello.md"), "x");
            Process find = jfutures(List.of("find", dir.resolve("tree").toString(), "hello", "--executor", "cluster",
                    "--join", "127.0.0.1:" + port, "--cluster-name", cluster), key);
            assertThat(find.waitFor(180, TimeUnit.SECONDS)).isTrue();
            String out = new String(find.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(find.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(find.exitValue()).as(err).isZero();
            assertThat(out.lines().sorted().toList()).containsExactly(dir.resolve("tree/a/b/hello.txt").toString(),
                    dir.resolve("tree/a/hello.md").toString());
        } finally {
            member.destroyForcibly();
            member.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** Runs the jfutures command in a JVM of its own, with JFUTURES_CLUSTER_KEY set to key (or unset). */
    private Process jfutures(List<String> args, String key) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-cp");
        String cp = System.getProperty("java.class.path");
        String mp = System.getProperty("jdk.module.path");
        cmd.add(mp == null || mp.isEmpty() ? cp : cp + File.pathSeparator + mp);
        cmd.add(Main.class.getName());
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.PIPE);
        pb.environment().remove("JFUTURES_CLUSTER_KEY");
        if (key != null) {
            pb.environment().put("JFUTURES_CLUSTER_KEY", key);
        }
        if (args.get(0).equals("member")) {
            pb.redirectOutput(dir.resolve("member.out").toFile()).redirectError(dir.resolve("member.err").toFile());
        }
        return pb.start();
    }
}
