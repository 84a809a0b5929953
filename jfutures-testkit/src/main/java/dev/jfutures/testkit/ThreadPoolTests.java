package dev.jfutures.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.jfutures.MapOptions;
import dev.jfutures.MapResults;
import dev.jfutures.TaskExecutor;
import dev.jfutures.TaskFuture;
import dev.jfutures.ThreadPool;
import dev.jfutures.WaitTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * CPython's {@code test_thread_pool.py} {@code ThreadPoolExecutorTest} and the thread-pool half of
 * {@code test_shutdown.py} ({@code ThreadPoolShutdownTest}), T44-T50 of the spec, plus executor.py's
 * {@code test_max_workers_negative} (T40), which is about the pool's constructor. Specific to
 * {@link ThreadPool}: the kind under test must make {@link ThreadPool}s, and the pools a test
 * builds itself use the same threads as those, platform or virtual. Each method is named as the
 * CPython test it ports.
 *
 * <p>CPython's tests look at {@code executor._threads}; these use {@link ThreadPool#poolSize()}, or
 * tasks that record the thread they run on (a static registry keyed by a string the task
 * captures), so that the test can join them.
 */
public abstract class ThreadPoolTests extends ExecutorTestBase {

    /**
     * For the test class of one executor kind, which passes that kind.
     *
     * @param kind the executor kind under test
     * @since 0.1
     */
    protected ThreadPoolTests(ExecutorKind kind) {
        super(kind);
    }

    /** Threads that ran tasks, per key; see {@link #recordThread}. */
    private static final Map<String, Set<Thread>> THREADS = new ConcurrentHashMap<>();

    private final List<ThreadPool> pools = new ArrayList<>();
    private final List<String> keys = new ArrayList<>();

    /**
     * Whether the pools under test use virtual threads: those of the kind's executors.
     *
     * @return true for virtual threads, false for platform threads
     * @since 0.1
     */
    protected final boolean virtualThreads() {
        return ((ThreadPool) executor).isVirtual();
    }

    /**
     * A builder for the kind under test: {@code ThreadPool.builder()}, with {@code
     * virtualThreads()} if {@link #virtualThreads()}.
     *
     * @return a new builder
     */
    protected ThreadPool.Builder newBuilder() {
        ThreadPool.Builder b = ThreadPool.builder();
        return virtualThreads() ? b.virtualThreads() : b;
    }

    /**
     * Builds a pool with builder options the {@link ExecutorSpec} has no room for (default workers,
     * a name prefix); like {@link #extraExecutor}, it is shut down and checked for leaks after the
     * test.
     *
     * @param b the builder
     * @return the pool
     */
    protected ThreadPool extraPool(ThreadPool.Builder b) {
        ThreadPool p = b.build();
        pools.add(p);
        return p;
    }

    /** Shuts down the pools of {@link #extraPool} and checks them for leaks. */
    @AfterEach
    void tearDownPools() throws InterruptedException {
        for (ThreadPool p : pools) {
            p.shutdown(false, false);
        }
        for (ThreadPool p : pools) {
            assertThat(p.awaitTermination(LONG_TIMEOUT.toSeconds(), TimeUnit.SECONDS))
                    .as("pool terminated within %s (else a deadlock): %s", LONG_TIMEOUT, p).isTrue();
            assertNoLeaks(p);
        }
        pools.clear();
        for (String k : keys) {
            THREADS.remove(k);
        }
        keys.clear();
    }

    // ------------------------------------------------------------------------------- T40, T44-T47

    /**
     * Port of executor.py ExecutorTest.test_max_workers_negative: {@code workers(0)} and {@code
     * workers(-1)} are refused with an {@link IllegalArgumentException} saying "workers must be at
     * least 1" (CPython's {@code ValueError("max_workers must be greater than 0")}).
     */
    @Test
    void test_max_workers_negative() {
        for (int number : new int[] {0, -1}) {
            assertThatIllegalArgumentException().as("workers(%d)", number)
                    .isThrownBy(() -> newBuilder().workers(number))
                    .withMessageContaining("workers must be at least 1");
        }
    }

    /**
     * Port of test_thread_pool.py ThreadPoolExecutorTest.test_default_workers: a platform pool's
     * default is {@code min(32, availableProcessors() + 4)}. Skipped for virtual threads, whose
     * default is unbounded.
     */
    @Test
    void test_default_workers() {
        assumeFalse(virtualThreads(), "virtual-thread pools have no bounded default");
        ThreadPool executor = extraPool(newBuilder());
        int expected = Math.min(32, Runtime.getRuntime().availableProcessors() + 4);
        assertThat(executor.workers()).isEqualTo(expected);
    }

    /**
     * Port of test_thread_pool.py ThreadPoolExecutorTest.test_saturation: a 4-worker pool given
     * {@code 15 * 4} tasks that all block has exactly 4 threads.
     */
    @Test
    void test_saturation() {
        ThreadPool executor = extraPool(newBuilder().workers(4));
        Gate sem = newGate();
        try {
            for (int i = 0; i < 15 * executor.workers(); i++) {
                executor.submit(() -> Tasks.awaitThen(sem, null));
            }
            assertThat(executor.poolSize()).isEqualTo(executor.workers()).isEqualTo(4);
        } finally {
            sem.open();
        }
        assertTimeoutPreemptively(SHORT_TIMEOUT, () -> executor.shutdown(true, false));
    }

    /**
     * Port of test_thread_pool.py ThreadPoolExecutorTest.test_idle_thread_reuse: three
     * sequential {@code submit(..).result()} calls on a default pool use one thread: threads are
     * created lazily and an idle one is reused.
     */
    @Test
    void test_idle_thread_reuse() {
        ThreadPool executor = extraPool(newBuilder());
        assertThat(executor.submit(() -> Tasks.mul(21, 2)).result()).isEqualTo(42);
        assertThat(executor.submit(() -> Tasks.mul(6, 7)).result()).isEqualTo(42);
        assertThat(executor.submit(() -> Tasks.mul(3, 14)).result()).isEqualTo(42);
        assertThat(executor.poolSize()).isEqualTo(1);
        assertTimeoutPreemptively(SHORT_TIMEOUT, () -> executor.shutdown(true, false));
    }

    /**
     * Port of test_thread_pool.py ThreadPoolExecutorTest.test_executor_map_current_future_cancel:
     * (gh-95166) on a 1-worker pool busy with "first", {@code map(log_n_wait, ["second",
     * "third"])} with {@code timeout(Duration.ZERO)} throws {@link WaitTimeoutException} at the
     * first {@code next()}; the element that timed out ("second") and the one behind it ("third")
     * are both cancelled and never run: the log holds only "first".
     */
    @Test
    void test_executor_map_current_future_cancel() {
        Gate stopEvent = newGate();
        SharedLog log = newLog();
        TaskExecutor pool = extraExecutor(ExecutorSpec.workers(1));
        // submit work to saturate the pool
        TaskFuture<Object> fut = pool.submit(() -> Tasks.logNWait(log, stopEvent, "first"));
        try (MapResults<Object> gen = pool.map(ident -> Tasks.logNWait(log, stopEvent, ident),
                List.of("second", "third"), MapOptions.defaults().timeout(Duration.ZERO))) {
            assertThatThrownBy(gen::next).isInstanceOf(WaitTimeoutException.class);
        } finally {
            stopEvent.open();
        }
        fut.result();
        assertTimeoutPreemptively(SHORT_TIMEOUT, () -> pool.shutdown(true, false));
        // ident='second' is cancelled as a result of the timeout
        // ident='third' is cancelled because it remained in the collection of futures
        assertThat(log.entries()).containsExactly("ident='first' started", "ident='first' stopped");
    }

    // ------------------------------------------------------------------------------- T48

    /**
     * Port of test_shutdown.py ThreadPoolShutdownTest.test_threads_terminate: 3 blocked tasks on
     * the 5-worker executor make 3 threads; once released and the pool shut down, every one of
     * those threads ends (joins). The test waits until all 3 tasks run (a gate each), so the 3
     * threads it joins are the ones that held them.
     */
    @Test
    void test_threads_terminate() throws InterruptedException {
        ThreadPool pool = (ThreadPool) executor;
        String key = newKey();
        Gate sem = newGate();
        try {
            List<Gate> started = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Gate s = newGate();
                started.add(s);
                executor.submit(() -> recordThreadThenAwait(key, s, sem));
            }
            assertThat(pool.poolSize()).isEqualTo(3);
            for (Gate s : started) {
                assertThat(s.await(SHORT_TIMEOUT)).as("task started").isTrue();
            }
            assertThat(threads(key)).as("the threads running the 3 blocked tasks").hasSize(3);
        } finally {
            sem.open();
        }
        assertTimeoutPreemptively(SHORT_TIMEOUT, () -> executor.shutdown(true, false));
        assertThat(threads(key)).hasSize(3);
        assertAllJoin(key);
    }

    /**
     * Port of test_shutdown.py ThreadPoolShutdownTest.test_context_manager_shutdown: inside
     * try-with-resources (CPython's {@code with}), {@code map(abs, range(-5, 5))} gives {@code [5,
     * 4, 3, 2, 1, 0, 1, 2, 3, 4]}; leaving the block shuts the pool down and waits, so its threads
     * have ended.
     */
    @Test
    void test_context_manager_shutdown() throws InterruptedException {
        String key = newKey();
        ThreadPool executor;
        try (ThreadPool e = extraPool(newBuilder().workers(5))) {
            executor = e;
            assertThat(ExecutorTests.drain(e.map(v -> recordThread(key, Math.abs(v)), ExecutorTests.range(-5, 5))))
                    .containsExactly(5, 4, 3, 2, 1, 0, 1, 2, 3, 4);
        }
        assertThat(executor.isTerminated()).isTrue();
        assertThat(threads(key)).isNotEmpty();
        assertAllJoin(key);
    }

    /**
     * Port of test_shutdown.py ThreadPoolShutdownTest.test_del_shutdown: the work of a map
     * whose pool nobody shuts down still completes. Differs from CPython:
     * Java runs no code when an executor becomes unreachable (no {@code __del__} or weakref
     * callback), and a pool's threads keep it reachable anyway, so there is no GC-driven shutdown;
     * dropping a pool without {@code shutdown} leaves its idle threads parked (they are daemon
     * threads, and the JVM exit hook shuts the pool down). The port keeps what carries over: the
     * work of a map whose pool nobody shuts down is all computed and correct, and the pool's
     * threads end once it is shut down (here explicitly, Java's stand-in for the {@code del}).
     */
    @Test
    void test_del_shutdown() throws InterruptedException {
        String key = newKey();
        ThreadPool executor = extraPool(newBuilder().workers(5));
        MapResults<Integer> res = executor.map(v -> recordThread(key, Math.abs(v)), ExecutorTests.range(-5, 5));
        // Make sure the results were all computed, with no shutdown.
        List<Integer> results = ExecutorTests.drain(res);
        assertThat(executor.isShutdown()).isFalse();
        for (int i = 0; i < 10; i++) {
            assertThat(results.get(i)).isEqualTo(Math.abs(i - 5));
        }
        executor.shutdown(false, false);
        assertThat(executor.awaitTermination(SHORT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertAllJoin(key);
    }

    /**
     * Port of test_shutdown.py ThreadPoolShutdownTest.test_shutdown_no_wait: after {@code
     * map(abs, range(-5, 5))} and {@code shutdown(wait=false)}, the threads still finish the
     * queued work and then end, and the results, read afterwards, are all correct.
     */
    @Test
    void test_shutdown_no_wait() throws InterruptedException {
        String key = newKey();
        ThreadPool executor = extraPool(newBuilder().workers(5));
        MapResults<Integer> res = executor.map(v -> recordThread(key, Math.abs(v)), ExecutorTests.range(-5, 5));
        executor.shutdown(false, false);
        assertThat(executor.awaitTermination(SHORT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(threads(key)).isNotEmpty();
        assertAllJoin(key);
        // Make sure the results were all computed before the executor got shut down.
        List<Integer> results = ExecutorTests.drain(res);
        assertThat(results).hasSize(10);
        for (int i = 0; i < 10; i++) {
            assertThat(results.get(i)).isEqualTo(Math.abs(i - 5));
        }
    }

    // ------------------------------------------------------------------------------- T49

    /**
     * Port of test_shutdown.py ThreadPoolShutdownTest.test_thread_names_assigned: with {@code
     * threadNamePrefix("SpecialPool")} and 5 workers, every thread is named {@code
     * SpecialPool_0}..{@code SpecialPool_4}.
     */
    @Test
    void test_thread_names_assigned() throws InterruptedException {
        String key = newKey();
        ThreadPool executor = extraPool(newBuilder().workers(5).threadNamePrefix("SpecialPool"));
        ExecutorTests.drain(executor.map(v -> recordThread(key, Math.abs(v)), ExecutorTests.range(-5, 5)));
        executor.shutdown(false, false);
        assertThat(threads(key)).isNotEmpty()
                .allSatisfy(t -> assertThat(t.getName()).matches("^SpecialPool_[0-4]$"));
        assertAllJoin(key);
    }

    /**
     * Port of test_shutdown.py ThreadPoolShutdownTest.test_thread_names_default: without a prefix
     * the threads are named {@code ThreadPool-<n>_<i>} (CPython: {@code
     * ThreadPoolExecutor-<n>_<i>}), unique per pool.
     */
    @Test
    void test_thread_names_default() throws InterruptedException {
        String key = newKey();
        ThreadPool executor = extraPool(newBuilder().workers(5));
        ExecutorTests.drain(executor.map(v -> recordThread(key, Math.abs(v)), ExecutorTests.range(-5, 5)));
        executor.shutdown(false, false);
        assertThat(threads(key)).isNotEmpty()
                .allSatisfy(t -> assertThat(t.getName()).matches("^ThreadPool-\\d+_[0-4]$"));
        assertAllJoin(key);
    }

    // ------------------------------------------------------------------------------- T50

    /**
     * Port of test_shutdown.py ThreadPoolShutdownTest.test_cancel_futures_wait_false:
     * (subprocess) a JVM whose {@code main} submits {@code sleep_and_print(.1, "apple")} to a default pool and
     * calls {@code shutdown(false, true)}: it exits cleanly with empty stderr and exit code 0, and
     * stdout is {@code apple} or empty, depending on whether the task started before the cancel
     * (gh-116682).
     */
    @Test
    void test_cancel_futures_wait_false() throws Exception {
        ExitProbe.Outcome o = ExitProbe.run(
                ExitProbe.command(virtualThreads() ? "virtual" : "platform", ExitProbe.CANCEL_FUTURES_WAIT_FALSE),
                SHORT_TIMEOUT);
        assertThat(o.stderr()).as("stderr").isEmpty();
        assertThat(o.stdout().strip()).as("stdout").isIn("apple", "");
        assertThat(o.exitCode()).as("exit code").isZero();
    }

    // ------------------------------------------------------------------------------- helpers

    /**
     * Records the current thread under {@code key}, then returns {@code value}: a task's way of
     * telling the test which thread ran it.
     *
     * @param key the registry key, from the test
     * @param value the task's result
     * @param <T> the result type
     * @return value
     */
    static <T> T recordThread(String key, T value) {
        THREADS.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(Thread.currentThread());
        return value;
    }

    /**
     * Records the current thread under {@code key}, opens {@code started}, then waits for {@code
     * release}: a task that holds its thread until the test lets go.
     *
     * @param key the registry key
     * @param started opened once the task runs
     * @param release the gate to wait for
     * @return null
     * @throws InterruptedException if interrupted
     */
    static Object recordThreadThenAwait(String key, Gate started, Gate release) throws InterruptedException {
        recordThread(key, null);
        started.open();
        release.await();
        return null;
    }

    private String newKey() {
        String k = UUID.randomUUID().toString();
        keys.add(k);
        return k;
    }

    private static Set<Thread> threads(String key) {
        return THREADS.getOrDefault(key, Set.of());
    }

    /** CPython's {@code for t in threads: t.join()}, bounded; every thread must have ended. */
    private static void assertAllJoin(String key) throws InterruptedException {
        for (Thread t : threads(key)) {
            t.join(SHORT_TIMEOUT.toMillis());
            assertThat(t.isAlive()).as("thread %s ended", t).isFalse();
        }
    }
}
