package dev.jfutures.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.jfutures.TaskFuture;
import dev.jfutures.ThreadPool;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The child program of CPython's subprocess tests ({@code assert_python_ok('-c', ...)} in
 * test_shutdown.py): a JVM that builds a {@link ThreadPool}, plays one exit scenario, and lets the
 * JVM end, so that a test can check what JVM exit does to the pool's work.
 *
 * <p>Usage: {@code ExitProbe <platform|virtual> <scenario>}, the scenarios being the constants of
 * this class. {@link #run(List, Duration)} launches it (or any other main class on this JVM's
 * class path) and checks that the process is gone afterwards.
 *
 * <p>The task that stands for CPython's {@code sleep_and_print(t, "apple")} first waits for the
 * main thread to end (so that {@code main} has certainly returned and the JVM is exiting), then
 * sleeps a little and prints {@code apple}: if JVM exit did not wait for the task, it would never
 * print.
 */
public final class ExitProbe {

    /**
     * T52 {@code test_interpreter_shutdown}: submit {@code sleep_and_print(.., "apple")} to a
     * 5-worker pool and return from {@code main} without shutting the pool down.
     */
    public static final String INTERPRETER_SHUTDOWN = "interpreter-shutdown";

    /**
     * T53 {@code test_submit_after_interpreter_shutdown}: a shutdown hook submits to a 5-worker pool
     * that never ran a task, once the JVM exits; on {@link RejectedExecutionException} it prints
     * {@code runtime-error} and rethrows (so the exception reaches stderr); if the submit is
     * accepted it prints {@code accepted}.
     */
    public static final String SUBMIT_AFTER_INTERPRETER_SHUTDOWN = "submit-after-interpreter-shutdown";

    /**
     * T53 for a pool that has already run a task (CPython's process-pool variant, {@code
     * t.submit(id, 42).result()} first), so that its threads exist when the JVM exits.
     */
    public static final String SUBMIT_AFTER_INTERPRETER_SHUTDOWN_STARTED = "submit-after-interpreter-shutdown-started";

    /**
     * T56 {@code test_hang_gh83386}: submit {@code sleep_and_print} to a 3-worker pool, then {@code
     * shutdown(false, false)} and return from {@code main}.
     */
    public static final String HANG_GH83386 = "hang-gh83386";

    /**
     * T50 {@code test_cancel_futures_wait_false}: submit {@code sleep_and_print} to a pool with the
     * default workers, then {@code shutdown(false, true)} and return from {@code main}.
     */
    public static final String CANCEL_FUTURES_WAIT_FALSE = "cancel-futures-wait-false";

    /** How long the probe's task sleeps after the main thread ended, before it prints. */
    private static final long PRINT_DELAY_MILLIS = 300;

    private ExitProbe() {
    }

    /**
     * Plays one scenario.
     *
     * @param args {@code platform|virtual} and the scenario
     * @throws Exception on a bad argument
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: ExitProbe <platform|virtual> <scenario>");
        }
        String kind = args[0];
        String scenario = args[1];
        Thread main = Thread.currentThread();
        switch (scenario) {
            case INTERPRETER_SHUTDOWN: {
                ThreadPool t = builder(kind).workers(5).build();
                t.submit(() -> sleepAndPrint(main, PRINT_DELAY_MILLIS, "apple"));
                break;
            }
            case SUBMIT_AFTER_INTERPRETER_SHUTDOWN:
            case SUBMIT_AFTER_INTERPRETER_SHUTDOWN_STARTED: {
                ThreadPool t = builder(kind).workers(5).build();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    TaskFuture<Integer> late;
                    try {
                        late = t.submit(() -> 7);
                    } catch (RejectedExecutionException e) {
                        System.out.println("runtime-error");
                        System.out.flush();
                        throw e;
                    }
                    // Accepted: then it must run, not be dropped at exit.
                    System.out.println("accepted " + late.result());
                    System.out.flush();
                }, "run_last"));
                if (scenario.equals(SUBMIT_AFTER_INTERPRETER_SHUTDOWN_STARTED)) {
                    t.submit(() -> 42).result();
                }
                break;
            }
            case HANG_GH83386: {
                ThreadPool t = builder(kind).workers(3).build();
                t.submit(() -> sleepAndPrint(main, PRINT_DELAY_MILLIS, "apple"));
                t.shutdown(false, false);
                break;
            }
            case CANCEL_FUTURES_WAIT_FALSE: {
                ThreadPool t = builder(kind).build();
                t.submit(() -> sleepAndPrint(main, 100, "apple"));
                t.shutdown(false, true);
                break;
            }
            default:
                throw new IllegalArgumentException("unknown scenario " + scenario);
        }
    }

    private static ThreadPool.Builder builder(String kind) {
        switch (kind) {
            case "platform":
                return ThreadPool.builder();
            case "virtual":
                return ThreadPool.builder().virtualThreads();
            default:
                throw new IllegalArgumentException("unknown pool kind " + kind);
        }
    }

    /** CPython's {@code sleep_and_print}, after the main thread has ended. */
    private static Object sleepAndPrint(Thread main, long millis, String msg) throws InterruptedException {
        main.join(TimeUnit.SECONDS.toMillis(30));
        Thread.sleep(millis);
        System.out.println(msg);
        System.out.flush();
        return null;
    }

    // ------------------------------------------------------------------------------- launching

    /**
     * What a probe process did.
     *
     * @param exitCode its exit code
     * @param stdout its standard output
     * @param stderr its standard error
     */
    public record Outcome(int exitCode, String stdout, String stderr) {
    }

    /**
     * The command line for this probe: main class, kind and scenario.
     *
     * @param kind {@code platform} or {@code virtual}
     * @param scenario one of the scenario constants
     * @return the main class and its arguments, for {@link #run(List, Duration)}
     */
    public static List<String> command(String kind, String scenario) {
        return List.of(ExitProbe.class.getName(), kind, scenario);
    }

    /**
     * Runs {@code java -cp <this JVM's classes> <mainClassAndArgs>} with this JVM's {@code java},
     * waits at most {@code timeout} for it, and checks that the process is gone afterwards; a
     * process that does not end in time is killed and the test fails.
     *
     * @param mainClassAndArgs the main class and its arguments
     * @param timeout the longest the process may run
     * @return its exit code and output
     * @throws IOException if it cannot be started or its output read
     * @throws InterruptedException if interrupted while waiting
     */
    public static Outcome run(List<String> mainClassAndArgs, Duration timeout)
            throws IOException, InterruptedException {
        String javaBin = ProcessHandle.current().info().command()
                .orElse(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBin);
        cmd.add("-cp");
        cmd.add(childClassPath());
        cmd.addAll(mainClassAndArgs);
        Path out = Files.createTempFile("exitprobe-", ".out");
        Path err = Files.createTempFile("exitprobe-", ".err");
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectInput(ProcessBuilder.Redirect.from(nullFile()))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        // These make the launcher print "Picked up ..." on stderr, which the tests require empty.
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().remove("_JAVA_OPTIONS");
        pb.environment().remove("JDK_JAVA_OPTIONS");
        Process p = pb.start();
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(30, TimeUnit.SECONDS);
                assertThat(p.isAlive()).as("probe %s killed after its timeout", cmd).isFalse();
                fail("probe %s did not exit within %s (a hang at JVM exit); stdout: %s; stderr: %s",
                        mainClassAndArgs, timeout, read(out), read(err));
            }
            assertThat(p.isAlive()).as("probe process gone").isFalse();
            assertThat(p.toHandle().isAlive()).as("probe process handle gone").isFalse();
            return new Outcome(p.exitValue(), read(out), read(err));
        } finally {
            if (p.isAlive()) {
                p.destroyForcibly();
                p.waitFor(30, TimeUnit.SECONDS);
            }
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /**
     * This JVM's class path, then the entries of its module path: a child on it runs the classes
     * this JVM runs, those of the module path in the unnamed module. Surefire runs the tests of a
     * module that has a {@code module-info} with the module and its dependencies on the module
     * path, listed one by one (not as directories of modules), and the tests on the class path.
     */
    private static String childClassPath() {
        String classPath = System.getProperty("java.class.path", "");
        String modulePath = System.getProperty("jdk.module.path", "");
        return modulePath.isEmpty() ? classPath
                : classPath.isEmpty() ? modulePath : classPath + java.io.File.pathSeparator + modulePath;
    }

    private static java.io.File nullFile() {
        return new java.io.File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }

    private static String read(Path p) throws IOException {
        return new String(Files.readAllBytes(p), StandardCharsets.UTF_8);
    }
}
