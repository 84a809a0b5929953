package dev.jfutures.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jfutures.cli.image.BitImage;
import dev.jfutures.cli.rle.Rle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A {@code jfutures decompress} stopped by a signal while it writes leaves no temporary file
 * ({@code .NAME.RANDOM.tmp}) in its output directory, whichever executor writes the files: the
 * JVM that writes a file (the command's own, or a worker JVM of the process executor) deletes its
 * temporary files on the way out. Two ways of stopping it: SIGTERM to the command's JVM (a {@code
 * kill}, a service manager), and SIGINT to its whole process group, as Ctrl-C in a terminal sends
 * it (worker JVMs are in that group too).
 *
 * <p>The command runs in a JVM of its own ({@code Main}, this test's class path), started with
 * {@code setsid} so that it leads a process group of its own; the inputs are 16 large {@code .rle}
 * files (8000x8000), so that each output takes a while to write. The signal is sent as soon as a
 * temporary file appears in the output directory; then the test waits until the command and every
 * process of its group have exited, and lists the directory.
 */
class SignalCleanupTest {

    private static final int FILES = 16;
    private static final int SIDE = 8000;
    /** The most the test waits for the command to start writing, and for its processes to end. */
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @TempDir
    static Path inputs;

    @TempDir
    Path tmp;

    /** Writes the {@code .rle} inputs: one image of runs of 8 to 256 pixels, in {@link #FILES} files. */
    @BeforeAll
    static void writeInputs() throws IOException {
        int stride = (SIDE + 7) / 8;
        byte[] bits = new byte[stride * SIDE];
        Random random = new Random(20260514L);
        byte colour = 0;
        for (int i = 0; i < bits.length; ) {
            int end = Math.min(bits.length, i + 1 + random.nextInt(32));
            for (; i < end; i++) {
                bits[i] = colour;
            }
            colour = (byte) ~colour;
        }
        byte[] rle = Rle.encode(new BitImage(SIDE, SIDE, bits));
        for (int i = 0; i < FILES; i++) {
            Files.write(inputs.resolve(String.format("image-%02d.rle", i)), rle);
        }
    }

    /** SIGTERM to the command while it writes leaves no temporary file in its output directory. */
    @ParameterizedTest(name = "--executor {0}")
    @ValueSource(strings = {"thread", "process", "virtual"})
    void sigtermWhileWritingLeavesNoTemporaryFile(String executor) throws Exception {
        assertNoTemporaryFileAfter(executor, "TERM", false);
    }

    /** SIGINT to the command's process group (Ctrl-C) while it writes leaves no temporary file in its output. */
    @ParameterizedTest(name = "--executor {0}")
    @ValueSource(strings = {"thread", "process", "virtual"})
    void sigintToTheProcessGroupWhileWritingLeavesNoTemporaryFile(String executor) throws Exception {
        assertNoTemporaryFileAfter(executor, "INT", true);
    }

    private void assertNoTemporaryFileAfter(String executor, String signal, boolean toGroup) throws Exception {
        assumeTrue(!executor.equals("virtual") || Runtime.version().feature() >= 21,
                "--executor virtual needs Java 21; this JVM is " + Runtime.version());
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setsid")) || Files.isExecutable(Path.of("/bin/setsid")),
                "setsid (util-linux) is needed to give the command a process group of its own");
        Path out = tmp.resolve("out");
        List<String> command = new ArrayList<>(List.of("setsid",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "decompress", inputs.toString(), "-o", out.toString(), "--executor", executor, "--workers", "2",
                "--no-progress"));
        Process p = new ProcessBuilder(command)
                .redirectOutput(tmp.resolve("stdout").toFile())
                .redirectError(tmp.resolve("stderr").toFile())
                .start();
        long pid = p.pid();
        try {
            // setsid execs in place (its parent, this JVM, leads no group), so the command leads its group
            // once setsid has made it.
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (processGroup(pid) != pid) {
                if (System.nanoTime() - deadline > 0) {
                    fail("the command (pid %d) does not lead a process group of its own: group %d", pid,
                            processGroup(pid));
                }
                LockSupport.parkNanos(1_000_000L);
            }
            while (temporaryFiles(out).isEmpty()) {
                if (!p.isAlive()) {
                    fail("the command (--executor %s) ended with code %d before a temporary file was seen in %s;"
                            + " stderr: %s", executor, p.exitValue(), out, Files.readString(tmp.resolve("stderr")));
                }
                if (System.nanoTime() - deadline > 0) {
                    fail("no temporary file in %s within %s (--executor %s)", out, DEADLINE, executor);
                }
                LockSupport.parkNanos(2_000_000L);
            }
            List<String> seen = temporaryFiles(out);

            int rc = new ProcessBuilder("kill", "-" + signal, "--", toGroup ? "-" + pid : Long.toString(pid))
                    .inheritIO().start().waitFor();
            assertThat(rc).as("kill -%s %s", signal, toGroup ? "-" + pid : pid).isZero();

            assertThat(p.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS)).as("the command exited after SIG%s", signal)
                    .isTrue();
            awaitGroupGone(pid);
            assertThat(temporaryFiles(out))
                    .as("temporary files left in %s after SIG%s to %s (--executor %s; %s were being written when"
                            + " it was sent)", out, signal, toGroup ? "the process group" : "the command", executor,
                            seen)
                    .isEmpty();
        } finally {
            if (p.isAlive() || !groupMembers(pid).isEmpty()) {
                new ProcessBuilder("kill", "-KILL", "--", "-" + pid).inheritIO().start().waitFor();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** The {@code .NAME.RANDOM.tmp} files in a directory (none if it does not exist yet). */
    private static List<String> temporaryFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(f -> f.getFileName().toString()).filter(n -> n.startsWith(".") && n.endsWith(".tmp"))
                    .sorted().collect(Collectors.toList());
        } catch (java.nio.file.NoSuchFileException gone) {
            return List.of();
        }
    }

    /** Waits until no live process (zombies do not count) is left in process group {@code pgid}. */
    private static void awaitGroupGone(long pgid) {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        List<Long> left;
        while (!(left = groupMembers(pgid)).isEmpty()) {
            if (System.nanoTime() - deadline > 0) {
                fail("processes %s of the command's group %d still alive %s after the signal", left, pgid, DEADLINE);
            }
            LockSupport.parkNanos(10_000_000L);
        }
    }

    /** The live processes (not zombies) of process group {@code pgid}, from {@code /proc}. */
    private static List<Long> groupMembers(long pgid) {
        List<Long> members = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path proc : (Iterable<Path>) procs::iterator) {
                String name = proc.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                String[] stat = stat(Long.parseLong(name));
                if (stat != null && !stat[0].equals("Z") && !stat[0].equals("X") && Long.parseLong(stat[2]) == pgid) {
                    members.add(Long.parseLong(name));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return members;
    }

    /** The process group of a live process. */
    private static long processGroup(long pid) {
        String[] stat = stat(pid);
        assertThat(stat).as("/proc/%d/stat", pid).isNotNull();
        return Long.parseLong(stat[2]);
    }

    /** The fields of {@code /proc/PID/stat} after the command name: state, ppid, pgrp, ...; null if gone. */
    private static String[] stat(long pid) {
        try {
            String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return s.substring(s.lastIndexOf(')') + 2).split(" ");
        } catch (IOException | RuntimeException gone) {
            return null;
        }
    }
}
