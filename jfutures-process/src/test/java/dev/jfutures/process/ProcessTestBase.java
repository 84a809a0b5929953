package dev.jfutures.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.jfutures.testkit.ExecutorTestBase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;

/**
 * The base of the ProcessPool-specific suites: {@link ExecutorTestBase} (whose {@link #executor}
 * is a {@link ProcessPool} with {@link #workerCount()} lazily started workers) plus pools built
 * from a {@link ProcessPool.Builder} with {@link #pool}. After each test every pool is shut down
 * with a bounded wait (a pool that does not terminate within {@link #TERMINATION_TIMEOUT} is a
 * deadlock: its threads are dumped, its workers killed, and the test fails), and then no worker
 * JVM and no thread of any of those pools may be left.
 */
abstract class ProcessTestBase extends ExecutorTestBase {

    /** The most a pool may take to terminate after {@code shutdown} once its tasks are done. */
    static final Duration TERMINATION_TIMEOUT = Duration.ofSeconds(60);
    /** CPython's deadlock bound for one {@code result()}, shortened: beyond it a wait is a hang. */
    static final Duration HANG = Duration.ofSeconds(60);

    private final List<ProcessPool> pools = new ArrayList<>();

    /** With {@link ProcessPoolKind}: {@link #executor} and the extra executors are ProcessPools. */
    ProcessTestBase() {
        super(ProcessPoolKind.INSTANCE);
    }

    /**
     * Builds a pool that is shut down and checked for leaks after the test.
     *
     * @param builder the configured builder
     * @return the pool
     */
    ProcessPool pool(ProcessPool.Builder builder) {
        ProcessPool p = builder.build();
        pools.add(p);
        return p;
    }

    /**
     * Gives up on a pool found deadlocked: kills its workers (and any worker JVM of this JVM left),
     * and stops tracking it, so that the teardown does not wait for it again.
     *
     * @param p the pool
     */
    void abandon(ProcessPool p) {
        p.killWorkers();
        try {
            p.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (ProcessHandle h : Pools.workerProcesses()) {
            h.destroyForcibly();
            awaitExit(h.pid(), Duration.ofSeconds(10));
        }
        pools.remove(p);
    }

    /** The {@link #executor} as the ProcessPool it is. */
    ProcessPool executorPool() {
        return (ProcessPool) executor;
    }

    /**
     * Shuts down every pool of the test (and {@link #executor}), fails on one that does not
     * terminate, then checks that no worker JVM and no pool thread is left.
     *
     * @throws InterruptedException if interrupted
     */
    @AfterEach
    void tearDownPools() throws InterruptedException {
        List<ProcessPool> all = new ArrayList<>(pools);
        if (executor instanceof ProcessPool) {
            all.add((ProcessPool) executor);
        }
        for (ProcessPool p : all) {
            p.shutdown(false, false);
        }
        List<String> hung = new ArrayList<>();
        for (ProcessPool p : all) {
            if (!p.awaitTermination(TERMINATION_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                hung.add(p + "\n" + threadDump(poolName(p)));
                p.killWorkers();
                p.awaitTermination(TERMINATION_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
        pools.clear();
        if (!hung.isEmpty()) {
            fail("pool(s) did not terminate within %s after shutdown (a deadlock):%n%s", TERMINATION_TIMEOUT,
                    String.join("\n", hung));
        }
        for (ProcessPool p : all) {
            Pools.assertNoWorkersLeft(p);
            assertPoolThreadsEnd(p);
        }
    }

    /** The pool's name, the prefix of its threads' names. */
    static String poolName(ProcessPool p) {
        String s = p.toString();
        int bracket = s.indexOf('[');
        return bracket < 0 ? s : s.substring(0, bracket);
    }

    /** Every thread of a terminated pool ends (each gets up to 10 s). */
    static void assertPoolThreadsEnd(ProcessPool p) throws InterruptedException {
        String prefix = poolName(p) + "-";
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        for (Thread t : poolThreads(prefix)) {
            t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        }
        List<Thread> left = poolThreads(prefix);
        assertThat(left).as("threads of %s still alive after it terminated:%n%s", p, threadDump(poolName(p)))
                .isEmpty();
    }

    private static List<Thread> poolThreads(String prefix) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith(prefix))
                .collect(Collectors.toList());
    }

    /** The stacks of the threads whose name starts with {@code prefix}, for a failure message. */
    static String threadDump(String prefix) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
            if (!e.getKey().getName().startsWith(prefix)) {
                continue;
            }
            sb.append('"').append(e.getKey().getName()).append("\" ").append(e.getKey().getState()).append('\n');
            for (StackTraceElement s : e.getValue()) {
                sb.append("    at ").append(s).append('\n');
            }
        }
        return sb.toString();
    }

    /**
     * Waits until a condition holds, polling it every 10 ms, at most {@code timeout}: for states
     * that have no event to wait on (the pool's list of workers). Fails with {@code what}.
     */
    static void awaitCondition(Duration timeout, String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("not within %s: %s", timeout, what);
            }
            LockSupport.parkNanos(10_000_000L);
        }
    }

    /**
     * Waits for a process to end, at most {@code timeout}; true if it ended (or was gone already).
     * A zombie counts as ended: it has exited and only waits to be reaped by its parent, which for
     * an orphan is this machine's init (ProcessHandle still calls that alive).
     */
    static boolean awaitExit(long pid, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!exited(pid)) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            LockSupport.parkNanos(10_000_000L);
        }
        return true;
    }

    /** Whether a process with this pid is alive now (a zombie is not). */
    static boolean isAlive(long pid) {
        return !exited(pid);
    }

    private static boolean exited(long pid) {
        if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            return true;
        }
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + pid + "/stat"));
            int close = stat.lastIndexOf(')');
            char state = close >= 0 && close + 2 < stat.length() ? stat.charAt(close + 2) : '?';
            return state == 'Z' || state == 'X';
        } catch (java.io.IOException gone) {
            return true;
        }
    }

    /** Sends SIGKILL to a process of this user. */
    static void kill9(long pid) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
}
