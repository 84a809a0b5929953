package dev.jfutures.testkit;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.jfutures.ExecutorDeadlockException;
import dev.jfutures.TaskFuture;
import dev.jfutures.TaskStatus;
import dev.jfutures.ThreadPool;
import dev.jfutures.WaitTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A worker of a {@link ThreadPool} that waits, without a timeout, on a future of its own pool that
 * can never start (every worker is already waiting on the pool's own futures) gets {@link
 * ExecutorDeadlockException}, naming the pool and what to change, instead of hanging; and nothing
 * else is refused: timed waits, waits on other pools, waits from outside the pool, and a wait
 * that another worker can still satisfy.
 *
 * <p>Only thread pools can deadlock this way, so this suite runs on them alone, and its tasks may
 * capture the pool they submit to (they are never serialized). They never capture the test
 * instance. Every future a test creates is cancelled after it, so that a test that fails (because
 * a wait was not refused and hangs) still lets its pools terminate.
 */
public abstract class ThreadPoolDeadlockTests extends ExecutorTestBase {

    /**
     * For the test class of one executor kind, which passes that kind.
     *
     * @param kind the executor kind under test
     * @since 0.1
     */
    protected ThreadPoolDeadlockTests(ExecutorKind kind) {
        super(kind);
    }

    /** A timeout that a test expects to run out. */
    protected static final Duration EXPIRING_TIMEOUT = Duration.ofMillis(50);

    /** Futures made inside tasks, cancelled after each test so that no hung wait outlives it. */
    private final List<TaskFuture<?>> spawned = new CopyOnWriteArrayList<>();

    /** Cancels every future made inside the test's tasks; harmless on those already done. */
    @AfterEach
    void cancelSpawnedFutures() {
        for (TaskFuture<?> f : spawned) {
            f.cancel(false);
        }
    }

    // ------------------------------------------------------------------------------ refused

    /** On a 1-worker pool, a task calling result() on a future of the pool queued behind it gets ExecutorDeadlockException. */
    @Test
    void resultOnQueuedFutureOfOwnOneWorkerPoolIsRefused() {
        ThreadPool pool = pool(1);
        List<TaskFuture<?>> inner = spawned;

        TaskFuture<Integer> outer = pool.submit(() -> {
            TaskFuture<Integer> f = pool.submit(() -> 42);
            inner.add(f);
            return f.result();
        });

        checkRefusedWait(outer.exception(SHORT_TIMEOUT), pool);
    }

    /** On a 1-worker pool, a task calling exception() on a future of the pool queued behind it gets ExecutorDeadlockException. */
    @Test
    void exceptionOnQueuedFutureOfOwnOneWorkerPoolIsRefused() {
        ThreadPool pool = pool(1);
        List<TaskFuture<?>> inner = spawned;

        TaskFuture<Throwable> outer = pool.submit(() -> {
            TaskFuture<Integer> f = pool.submit(() -> 42);
            inner.add(f);
            return f.exception();
        });

        checkRefusedWait(outer.exception(SHORT_TIMEOUT), pool);
    }

    /** On a 1-worker pool, a task calling get() on a future of the pool queued behind it gets ExecutorDeadlockException. */
    @Test
    void getOnQueuedFutureOfOwnOneWorkerPoolIsRefused() {
        ThreadPool pool = pool(1);
        List<TaskFuture<?>> inner = spawned;

        TaskFuture<Integer> outer = pool.submit(() -> {
            TaskFuture<Integer> f = pool.submit(() -> 42);
            inner.add(f);
            return f.get();
        });

        checkRefusedWait(outer.exception(SHORT_TIMEOUT), pool);
    }

    /** After a refused wait the pool stays usable: the future waited on still runs, and new tasks run. */
    @Test
    void refusedWaitLeavesPoolUsable() {
        ThreadPool pool = pool(1);
        List<TaskFuture<?>> inner = spawned;
        TaskFuture<Integer> outer = pool.submit(() -> {
            TaskFuture<Integer> f = pool.submit(() -> 42);
            inner.add(f);
            return f.result();
        });
        assertThat(outer.exception(SHORT_TIMEOUT)).isInstanceOf(ExecutorDeadlockException.class);

        assertThat(inner).hasSize(1);
        assertThat(inner.get(0).result(SHORT_TIMEOUT)).isEqualTo(42);
        assertThat(pool.isShutdown()).isFalse();
        assertThat(pool.submit(() -> Tasks.mul(6, 7)).result(SHORT_TIMEOUT)).isEqualTo(42);
    }

    /** On a 2-worker pool whose two workers both wait on queued futures of the pool, the second to wait gets ExecutorDeadlockException and the first is then served. */
    @Test
    void secondOfTwoWorkersWaitingOnQueuedFuturesIsRefused() {
        ThreadPool pool = pool(2);
        List<TaskFuture<?>> inner = spawned;
        CyclicBarrier bothRunning = new CyclicBarrier(2);
        AtomicReference<Thread> firstWaiter = new AtomicReference<>();

        TaskFuture<Integer> first = pool.submit(() -> {
            bothRunning.await(SHORT_TIMEOUT.toMillis(), MILLISECONDS);
            TaskFuture<Integer> f = pool.submit(() -> 1);
            inner.add(f);
            firstWaiter.set(Thread.currentThread());
            return f.result();
        });
        TaskFuture<Integer> second = pool.submit(() -> {
            bothRunning.await(SHORT_TIMEOUT.toMillis(), MILLISECONDS);
            // Wait until the first worker is parked in its result(), so this one is the second.
            awaitCondition("the first worker to park in result()", () -> {
                Thread t = firstWaiter.get();
                return t != null && t.getState() == Thread.State.WAITING;
            });
            TaskFuture<Integer> f = pool.submit(() -> 2);
            inner.add(f);
            return f.result();
        });

        checkRefusedWait(second.exception(SHORT_TIMEOUT), pool);
        assertThat(first.result(SHORT_TIMEOUT)).isEqualTo(1);
    }

    /** shutdown(wait=true) called from a task of the same pool throws ExecutorDeadlockException, and the pool still terminates. */
    @Test
    void waitingShutdownFromOwnTaskIsRefusedAndPoolTerminates() throws InterruptedException {
        ThreadPool pool = pool(1);

        TaskFuture<String> f = pool.submit(() -> {
            pool.shutdown(true, false);
            return "shutdown returned";
        });

        Throwable e = f.exception(SHORT_TIMEOUT);
        assertThat(e).isInstanceOf(ExecutorDeadlockException.class);
        assertThat(e.getMessage()).contains(poolName(pool)).contains("shutdown(false");
        assertThat(pool.isShutdown()).isTrue();
        assertThat(pool.awaitTermination(SHORT_TIMEOUT.toMillis(), MILLISECONDS)).isTrue();
    }

    /** close() called from a task of the same pool throws ExecutorDeadlockException, and the pool still terminates. */
    @Test
    void closeFromOwnTaskIsRefusedAndPoolTerminates() throws InterruptedException {
        ThreadPool pool = pool(1);

        TaskFuture<String> f = pool.submit(() -> {
            pool.close();
            return "close returned";
        });

        Throwable e = f.exception(SHORT_TIMEOUT);
        assertThat(e).isInstanceOf(ExecutorDeadlockException.class);
        assertThat(e.getMessage()).contains(poolName(pool));
        assertThat(pool.isShutdown()).isTrue();
        assertThat(pool.awaitTermination(SHORT_TIMEOUT.toMillis(), MILLISECONDS)).isTrue();
    }

    // ------------------------------------------------------------------------------ not refused

    /** shutdown(wait=false) called from a task of the same pool is allowed; the task returns and the pool terminates. */
    @Test
    void nonWaitingShutdownFromOwnTaskIsAllowed() throws InterruptedException {
        ThreadPool pool = pool(1);

        TaskFuture<String> f = pool.submit(() -> {
            pool.shutdown(false, false);
            return "shutdown returned";
        });

        assertThat(f.result(SHORT_TIMEOUT)).isEqualTo("shutdown returned");
        assertThat(pool.awaitTermination(SHORT_TIMEOUT.toMillis(), MILLISECONDS)).isTrue();
    }

    /** On a 1-worker pool, a timed result() on a queued future of the same pool is not refused: it times out with WaitTimeoutException. */
    @Test
    void timedResultOnQueuedFutureOfOwnPoolTimesOut() {
        ThreadPool pool = pool(1);
        List<TaskFuture<?>> inner = spawned;

        TaskFuture<String> outer = pool.submit(() -> {
            TaskFuture<Integer> f = pool.submit(() -> 42);
            inner.add(f);
            try {
                f.result(EXPIRING_TIMEOUT);
                return "result returned";
            } catch (WaitTimeoutException expected) {
                return "timed out";
            }
        });

        assertThat(outer.result(SHORT_TIMEOUT)).isEqualTo("timed out");
        assertThat(inner.get(0).result(SHORT_TIMEOUT)).isEqualTo(42);
    }

    /** On a 1-worker pool, a timed get() on a queued future of the same pool is not refused: it times out with TimeoutException. */
    @Test
    void timedGetOnQueuedFutureOfOwnPoolTimesOut() {
        ThreadPool pool = pool(1);
        List<TaskFuture<?>> inner = spawned;

        TaskFuture<String> outer = pool.submit(() -> {
            TaskFuture<Integer> f = pool.submit(() -> 42);
            inner.add(f);
            try {
                f.get(EXPIRING_TIMEOUT.toMillis(), MILLISECONDS);
                return "get returned";
            } catch (TimeoutException expected) {
                return "timed out";
            }
        });

        assertThat(outer.result(SHORT_TIMEOUT)).isEqualTo("timed out");
        assertThat(inner.get(0).result(SHORT_TIMEOUT)).isEqualTo(42);
    }

    /** A task waiting on a queued future of ANOTHER pool is not refused: it waits, and gets the result. */
    @Test
    void waitOnFutureOfAnotherPoolIsNotRefused() throws InterruptedException {
        ThreadPool a = pool(1);
        ThreadPool b = pool(1);
        List<TaskFuture<?>> inner = spawned;
        Gate started = newGate();
        Gate release = newGate();
        AtomicReference<Thread> waiter = new AtomicReference<>();
        try {
            b.submit(() -> Tasks.signalThenAwait(started, release, "b busy"));
            assertThat(started.await(SHORT_TIMEOUT)).isTrue();

            TaskFuture<Integer> outer = a.submit(() -> {
                TaskFuture<Integer> f = b.submit(() -> 5);
                inner.add(f);
                waiter.set(Thread.currentThread());
                return f.result();
            });
            awaitCondition("a's worker to park on b's queued future", () -> {
                Thread t = waiter.get();
                return (t != null && t.getState() == Thread.State.WAITING) || outer.isDone();
            });

            assertThat(outer.status()).as("a's task after it waited on b's queued future").isEqualTo(TaskStatus.RUNNING);
            release.open();
            assertThat(outer.result(SHORT_TIMEOUT)).isEqualTo(5);
        } finally {
            release.open();
        }
    }

    /** On a 2-worker pool, one worker waiting on a queued future of the pool is not refused: the other worker runs it. */
    @Test
    void oneOfTwoWorkersWaitingOnQueuedFutureIsNotRefused() {
        ThreadPool pool = pool(2);
        List<TaskFuture<?>> inner = spawned;

        TaskFuture<Integer> outer = pool.submit(() -> {
            TaskFuture<Integer> f = pool.submit(() -> 42);
            inner.add(f);
            return f.result();
        });

        assertThat(outer.result(SHORT_TIMEOUT)).isEqualTo(42);
    }

    /** A thread outside the pool waiting on a queued future of a busy 1-worker pool is not refused: it waits, and gets the result. */
    @Test
    void waitFromOutsideThePoolIsNotRefused() throws InterruptedException {
        ThreadPool pool = pool(1);
        Gate started = newGate();
        Gate release = newGate();
        try {
            pool.submit(() -> Tasks.signalThenAwait(started, release, "busy"));
            assertThat(started.await(SHORT_TIMEOUT)).isTrue();
            TaskFuture<Integer> queued = pool.submit(() -> 9);
            AtomicReference<Object> got = new AtomicReference<>();
            // Untimed, as only untimed waits are checked for deadlock.
            Thread outsider = new Thread(() -> {
                try {
                    got.set(queued.result());
                } catch (Throwable e) {
                    got.set(e);
                }
            }, "outsider");
            outsider.setDaemon(true);
            outsider.start();
            try {
                awaitCondition("the outside thread to park on the queued future",
                        () -> outsider.getState() == Thread.State.WAITING || !outsider.isAlive());
                assertThat(outsider.isAlive()).as("outside wait ended early with %s", got.get()).isTrue();
                release.open();
            } finally {
                release.open();
                outsider.join(SHORT_TIMEOUT.toMillis());
            }
            assertThat(outsider.isAlive()).as("outside thread still waiting").isFalse();
            assertThat(got.get()).isEqualTo(9);
        } finally {
            release.open();
        }
    }

    // ------------------------------------------------------------------------------ oracles

    /** A pool of the kind under test, shut down after the test. */
    private ThreadPool pool(int workers) {
        return (ThreadPool) extraExecutor(ExecutorSpec.workers(workers));
    }

    /** The pool's name, as it appears in its thread names and messages. */
    private static String poolName(ThreadPool pool) {
        String s = pool.toString();
        return s.substring("ThreadPool[".length(), s.indexOf(','));
    }

    /** A refused wait: ExecutorDeadlockException naming the pool and the setting to change. */
    private static void checkRefusedWait(Throwable e, ThreadPool pool) {
        assertThat(e).as("what the waiting task failed with").isInstanceOf(ExecutorDeadlockException.class);
        assertThat(e.getMessage()).as("message").contains(poolName(pool)).contains("raise workers");
    }

    /** Polls until {@code condition} holds; fails after {@link #SHORT_TIMEOUT}. */
    private static void awaitCondition(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + SHORT_TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0L) {
                fail("no %s within %s", what, SHORT_TIMEOUT);
            }
            Thread.yield();
        }
    }
}
