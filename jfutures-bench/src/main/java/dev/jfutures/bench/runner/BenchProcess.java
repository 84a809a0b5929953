package dev.jfutures.bench.runner;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntPredicate;

/**
 * Whole processes, timed as a user would time them: from {@code start()} to the exit, with their
 * output read to the end (and dropped, unless captured), so that JVM or interpreter start-up and
 * printing count for every subject alike.
 */
final class BenchProcess {

    private BenchProcess() {
    }

    /** The bench itself cannot go on: a subject failed, hung or could not start. */
    static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;

        Failure(String message) {
            super(message);
        }
    }

    /** Something run before a subject's run, outside its timing (removing its last output). */
    @FunctionalInterface
    interface Preparation {
        void prepare() throws IOException;
    }

    /**
     * One side of a comparison: a name, a command line, what to do before each run, and which
     * exit codes are normal for it.
     */
    record Subject(String name, List<String> command, Preparation before, IntPredicate normalExit) {
        Subject(String name, List<String> command, Preparation before) {
            this(name, command, before, code -> code == 0);
        }
    }

    /** One finished run: exit code, wall time, bytes printed, and stdout if captured. */
    record Run(int exit, double millis, long bytes, byte[] out) {
        /** The captured stdout as lines (UTF-8), without empty ones. */
        List<String> lines() {
            List<String> l = new ArrayList<>();
            for (String s : new String(out, StandardCharsets.UTF_8).split("\n")) {
                if (!s.isEmpty()) {
                    l.add(s);
                }
            }
            return l;
        }
    }

    /** Medians of interleaved runs, each subject's samples in ms. */
    record Timing(List<Double> a, List<Double> b) {
        double medianA() {
            return median(a);
        }

        double medianB() {
            return median(b);
        }
    }

    /**
     * Runs {@code command} once. Its stderr goes to {@code errFile} (read back when it fails);
     * stdout is read to the end and dropped, or kept when {@code capture}.
     *
     * @throws Failure if it cannot start or runs longer than {@code timeoutSeconds} (it is then killed
     *     with all its descendants)
     */
    static Run run(List<String> command, boolean capture, Path errFile, long timeoutSeconds)
            throws Failure, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(errFile.toFile());
        // The ./jfutures launcher runs the jar as it is: the jar that runs the bench is the one
        // measured, and no run pays for (or races with) a rebuild when a source changes meanwhile.
        pb.environment().put("JFUTURES_NO_BUILD", "1");
        long t0 = System.nanoTime();
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new Failure("cannot start " + String.join(" ", command) + ": " + e.getMessage());
        }
        AtomicBoolean killed = new AtomicBoolean();
        Thread watchdog = new Thread(() -> {
            try {
                if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    killed.set(true);
                    killTree(p);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "bench-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        Thread cleanup = killOnExit(p);
        long bytes = 0;
        ByteArrayOutputStream kept = capture ? new ByteArrayOutputStream() : null;
        try (InputStream in = p.getInputStream()) {
            p.getOutputStream().close();
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) >= 0; ) {
                bytes += n;
                if (kept != null) {
                    kept.write(buf, 0, n);
                }
            }
        } catch (IOException e) {
            killTree(p);
            throw new Failure("reading the output of " + String.join(" ", command) + ": " + e.getMessage());
        } finally {
            forget(cleanup);
        }
        int exit = p.waitFor();
        double millis = (System.nanoTime() - t0) / 1e6;
        watchdog.interrupt();
        if (killed.get()) {
            throw new Failure(String.join(" ", command) + " ran longer than " + timeoutSeconds + " s and was killed"
                    + stderrTail(errFile));
        }
        return new Run(exit, millis, bytes, kept == null ? new byte[0] : kept.toByteArray());
    }

    /** Runs a subject once: its preparation, then the command; a failure if its exit code is not normal. */
    static Run run(Subject s, boolean capture, Path errFile, long timeoutSeconds)
            throws Failure, InterruptedException {
        try {
            s.before().prepare();
        } catch (IOException e) {
            throw new Failure("preparing a run of " + s.name() + ": " + e);
        }
        Run r = run(s.command(), capture, errFile, timeoutSeconds);
        if (!s.normalExit().test(r.exit())) {
            throw new Failure(s.name() + " exited with code " + r.exit() + ": " + String.join(" ", s.command())
                    + stderrTail(errFile));
        }
        return r;
    }

    /**
     * {@code runs} timed runs of each subject, interleaved (a b, b a, a b, ...) so that drift and
     * the machine's other load hit both alike.
     */
    static Timing interleave(Subject a, Subject b, int runs, Path errFile, long timeoutSeconds)
            throws Failure, InterruptedException {
        List<Double> ta = new ArrayList<>();
        List<Double> tb = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            boolean aFirst = i % 2 == 0;
            for (Subject s : aFirst ? List.of(a, b) : List.of(b, a)) {
                Run r = run(s, false, errFile, timeoutSeconds);
                (s == a ? ta : tb).add(r.millis());
            }
        }
        return new Timing(ta, tb);
    }

    static double median(List<Double> samples) {
        if (samples.isEmpty()) {
            return Double.NaN;
        }
        double[] v = samples.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int m = v.length / 2;
        return v.length % 2 == 1 ? v[m] : (v[m - 1] + v[m]) / 2;
    }

    /** The last lines of a process's stderr, for a failure message; empty when it printed nothing. */
    static String stderrTail(Path errFile) {
        try {
            List<String> lines = Files.readAllLines(errFile, StandardCharsets.UTF_8);
            if (lines.isEmpty()) {
                return "";
            }
            List<String> tail = lines.subList(Math.max(0, lines.size() - 20), lines.size());
            return "; its stderr ends:\n    " + String.join("\n    ", tail);
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * Kills {@code p} and its descendants if this JVM exits first (Ctrl-C, say), so that no
     * benchmark goes on running alone; undo with {@link #forget}.
     */
    static Thread killOnExit(Process p) {
        Thread hook = new Thread(() -> killTree(p), "bench-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        return hook;
    }

    static void forget(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException exiting) {
            // the hook runs, or has run
        }
    }

    static void killTree(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
    }

    /** Whether two files hold the same bytes. */
    static boolean sameBytes(Path a, Path b) throws IOException {
        return Files.size(a) == Files.size(b) && Arrays.equals(Files.readAllBytes(a), Files.readAllBytes(b));
    }
}
