package dev.jfutures.cluster;

import dev.jfutures.TaskFuture;
import dev.jfutures.testkit.ExitProbe;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * {@link ExitProbe}'s scenarios with a local {@link ClusterPool} of one worker JVM of 2 threads: the child JVM of the
 * subprocess tests of {@code ShutdownTests} on cluster pools ({@link ClusterPoolKind#exitProbe}),
 * launched by {@link ExitProbe#run}. Usage: {@code ClusterExitProbe <scenario>}, the scenario being
 * one of {@link ExitProbe}'s constants.
 *
 * <p>The task that stands for CPython's {@code sleep_and_print(t, "apple")} runs in a worker member JVM,
 * so it cannot join this JVM's main thread as {@link ExitProbe}'s does: {@code main} creates a
 * marker file before it submits and deletes it as the last thing it does, and the task waits until
 * the marker is gone (so {@code main} is returning and this JVM is exiting), sleeps a little, and
 * prints {@code apple} on the worker's stdout, which the pool forwards to this JVM's stdout. If JVM
 * exit did not wait for the task, it would never print.
 *
 * <p>Every task is a serializable lambda that calls a static method of this class and captures only
 * a {@code String} and a {@code long}.
 */
public final class ClusterExitProbe {

    /** How long the probe's task sleeps after {@code main} ended, before it prints (as ExitProbe's). */
    private static final long PRINT_DELAY_MILLIS = 300;

    /** How long the task waits at most for {@code main} to end (as ExitProbe's {@code main.join}). */
    private static final long MAIN_END_WAIT_MILLIS = TimeUnit.SECONDS.toMillis(30);

    private ClusterExitProbe() {
    }

    /**
     * The command line for this probe, for {@link ExitProbe#run}.
     *
     * @param scenario one of {@link ExitProbe}'s scenario constants
     * @return the main class and its argument
     */
    static List<String> command(String scenario) {
        return List.of(ClusterExitProbe.class.getName(), scenario);
    }

    /**
     * Plays one scenario.
     *
     * @param args the scenario
     * @throws Exception on a bad argument
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: ClusterExitProbe <scenario>");
        }
        String scenario = args[0];
        Path mainRunning = Files.createTempFile("clusterexitprobe-", ".main");
        String marker = mainRunning.toString();
        try {
            switch (scenario) {
                case ExitProbe.INTERPRETER_SHUTDOWN: {
                    ClusterPool t = ClusterPool.builder().localMembers(1).threadsPerMember(2).build();
                    t.submit(() -> sleepAndPrint(marker, PRINT_DELAY_MILLIS, "apple"));
                    break;
                }
                case ExitProbe.SUBMIT_AFTER_INTERPRETER_SHUTDOWN:
                case ExitProbe.SUBMIT_AFTER_INTERPRETER_SHUTDOWN_STARTED: {
                    ClusterPool t = ClusterPool.builder().localMembers(1).threadsPerMember(2).build();
                    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                        TaskFuture<Integer> late;
                        try {
                            late = t.submit(() -> seven());
                        } catch (RejectedExecutionException e) {
                            System.out.println("runtime-error");
                            System.out.flush();
                            throw e;
                        }
                        // Accepted: then it must run, not be dropped at exit.
                        System.out.println("accepted " + late.result());
                        System.out.flush();
                    }, "run_last"));
                    if (scenario.equals(ExitProbe.SUBMIT_AFTER_INTERPRETER_SHUTDOWN_STARTED)) {
                        t.submit(() -> fortyTwo()).result();
                    }
                    break;
                }
                case ExitProbe.HANG_GH83386: {
                    ClusterPool t = ClusterPool.builder().localMembers(1).threadsPerMember(2).build();
                    t.submit(() -> sleepAndPrint(marker, PRINT_DELAY_MILLIS, "apple"));
                    t.shutdown(false, false);
                    break;
                }
                case ExitProbe.CANCEL_FUTURES_WAIT_FALSE: {
                    ClusterPool t = ClusterPool.builder().localMembers(1).threadsPerMember(2).build();
                    t.submit(() -> sleepAndPrint(marker, 100, "apple"));
                    t.shutdown(false, true);
                    break;
                }
                default:
                    throw new IllegalArgumentException("unknown scenario " + scenario);
            }
        } finally {
            Files.deleteIfExists(mainRunning);
        }
    }

    /** CPython's {@code sleep_and_print}, in a worker JVM, after the probe's {@code main} ended. */
    static Object sleepAndPrint(String mainMarker, long millis, String msg) throws InterruptedException, IOException {
        Path marker = Path.of(mainMarker);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MAIN_END_WAIT_MILLIS);
        while (Files.exists(marker) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        Thread.sleep(millis);
        System.out.println(msg);
        System.out.flush();
        return null;
    }

    /** CPython's {@code t.submit(id, 42)}. */
    static Integer fortyTwo() {
        return 42;
    }

    /** The late submit's task. */
    static Integer seven() {
        return 7;
    }
}
