package dev.jfutures.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jfutures.DoneAndNotDone;
import dev.jfutures.Futures;
import dev.jfutures.ReturnWhen;
import dev.jfutures.TaskExecutor;
import dev.jfutures.TaskFuture;
import dev.jfutures.TaskPromise;
import dev.jfutures.testkit.FutureTests.Side;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Port of CPython's {@code test_wait.py} (T17-T25 of {@code cpython-spec.md}): {@link
 * Futures#wait} over futures of {@link #executor} (5 workers) and canned futures, plus the
 * {@code wait} semantics that jfutures pins beyond CPython.
 *
 * <p>Tasks that CPython blocks on an {@code Event} (or a {@code sleep}) wait on a {@link Gate}
 * here, opened at the end of the test. CPython's CANCELLED_FUTURE and
 * CANCELLED_AND_NOTIFIED_FUTURE are both {@link CannedFutures#cancelled()}: a cancelled future is
 * done for {@code wait} at once (CPython defect D1), so the tests that hold a CANCELLED_FUTURE
 * expect it in {@code done}.
 *
 * <p>The {@code wait} semantics that need no executor (a cancel waking a waiter on a bare future,
 * the refusal of a {@code FutureTask}, an empty collection) are not in this suite: they run once,
 * in the testkit's own {@code PromiseWaitTest}.
 */
public abstract class WaitTests extends ExecutorTestBase {

    /**
     * For the test class of one executor kind, which passes that kind.
     *
     * @param kind the executor kind under test
     * @since 0.1
     */
    protected WaitTests(ExecutorKind kind) {
        super(kind);
    }

    /** Port of test_wait.py WaitTests.test_20369: a future passed twice counts once, and an ALL_COMPLETED wait on it returns when it completes. */
    @Test
    void test_20369() throws Exception {
        Gate g = newGate();
        TaskFuture<Integer> future = executor.submit(() -> Tasks.awaitThen(g, 2));
        DoneAndNotDone<TaskFuture<Integer>> r;
        try {
            r = Side.whileBlocked(g::open, () -> boundedWait(List.of(future, future), ReturnWhen.ALL_COMPLETED));
        } finally {
            g.open();
        }
        assertThat(r.done()).containsExactly(future);
        assertThat(r.notDone()).isEmpty();
        assertThat(future.result()).isEqualTo(2);
    }

    /**
     * Port of test_wait.py WaitTests.test_first_completed: FIRST_COMPLETED returns as soon as one
     * future is done, leaving the running one in notDone. Differs from CPython (defect D1,
     * cpython#87893): the CANCELLED_FUTURE is done, so the wait returns with it in {@code done}
     * at once (the quick {@code mul} may or may not have finished by then); CPython leaves it in
     * {@code not_done} and returns when {@code mul} finishes.
     */
    @Test
    void test_first_completed() {
        Gate g = newGate();
        try {
            TaskFuture<Object> cancelled = CannedFutures.cancelled();
            TaskFuture<Integer> future1 = executor.submit(() -> Tasks.mul(21, 2));
            TaskFuture<Integer> future2 = executor.submit(() -> Tasks.awaitThen(g, 0));
            List<TaskFuture<?>> fs = List.of(cancelled, future1, future2);

            DoneAndNotDone<TaskFuture<?>> r = Futures.wait(fs, ReturnWhen.FIRST_COMPLETED);

            assertThat(r.done()).contains(cancelled).doesNotContain(future2);
            assertThat(r.notDone()).contains(future2).doesNotContain(cancelled);
            assertThat(union(r)).containsExactlyInAnyOrderElementsOf(fs);

            assertThat(future1.result(SHORT_TIMEOUT)).isEqualTo(42);
            r = Futures.wait(fs, ReturnWhen.FIRST_COMPLETED);
            assertThat(r.done()).containsExactlyInAnyOrder(cancelled, future1);
            assertThat(r.notDone()).containsExactly(future2);
        } finally {
            g.open();
        }
    }

    /** Port of test_wait.py WaitTests.test_first_completed_some_already_completed: FIRST_COMPLETED returns at once when some futures are already done, with exactly those in done. */
    @Test
    void test_first_completed_some_already_completed() {
        Gate g = newGate();
        try {
            TaskFuture<Object> cancelledAndNotified = CannedFutures.cancelled();
            TaskFuture<Object> successful = CannedFutures.successful();
            TaskFuture<Integer> future1 = executor.submit(() -> Tasks.awaitThen(g, 0));

            DoneAndNotDone<TaskFuture<?>> r = Futures.wait(
                    List.of(cancelledAndNotified, successful, future1), ReturnWhen.FIRST_COMPLETED);

            assertThat(r.done()).containsExactlyInAnyOrder(cancelledAndNotified, successful);
            assertThat(r.notDone()).containsExactly(future1);
        } finally {
            g.open();
        }
    }

    /** Port of test_wait.py WaitTests.test_first_exception: FIRST_EXCEPTION returns when a future fails, with the finished ones in done and the still-running one in notDone. */
    @Test
    void test_first_exception() throws Exception {
        Gate g1 = newGate();
        Gate g2 = newGate();
        try {
            TaskFuture<Integer> future1 = executor.submit(() -> Tasks.mul(2, 21));
            TaskFuture<Object> future2 = executor.submit(() -> awaitAndRaise(g1));
            TaskFuture<Integer> future3 = executor.submit(() -> Tasks.awaitThen(g2, 0));
            DoneAndNotDone<TaskFuture<?>> r;
            // Ensure that future1 is completed before future2 finishes.
            Side side = Side.start(() -> {
                future1.result(SHORT_TIMEOUT);
                g1.open();
            });
            try {
                r = Futures.wait(List.of(future1, future2, future3), ReturnWhen.FIRST_EXCEPTION);
            } finally {
                g1.open();
                side.join();
            }

            assertThat(r.done()).containsExactlyInAnyOrder(future1, future2);
            assertThat(r.notDone()).containsExactly(future3);
            assertThat(future2.exception()).hasMessage("this is an exception");
        } finally {
            g1.open();
            g2.open();
        }
    }

    /**
     * Port of test_wait.py WaitTests.test_first_exception_some_already_complete: FIRST_EXCEPTION
     * returns when a submitted task fails; futures already done are in done, the running one in
     * notDone. Differs from CPython (defect D1, cpython#87893): the CANCELLED_FUTURE is in {@code
     * done}, not {@code not_done}.
     */
    @Test
    void test_first_exception_some_already_complete() {
        Gate g = newGate();
        try {
            TaskFuture<Object> successful = CannedFutures.successful();
            TaskFuture<Object> cancelled = CannedFutures.cancelled();
            TaskFuture<Object> cancelledAndNotified = CannedFutures.cancelled();
            TaskFuture<int[]> future1 = executor.submit(() -> divmod(21, 0));
            TaskFuture<Integer> future2 = executor.submit(() -> Tasks.awaitThen(g, 0));

            DoneAndNotDone<TaskFuture<?>> r = Futures.wait(
                    List.of(successful, cancelled, cancelledAndNotified, future1, future2),
                    ReturnWhen.FIRST_EXCEPTION);

            assertThat(r.done()).containsExactlyInAnyOrder(successful, cancelled, cancelledAndNotified, future1);
            assertThat(r.notDone()).containsExactly(future2);
            assertThat(future1.exception()).isInstanceOf(ArithmeticException.class);
        } finally {
            g.open();
        }
    }

    /** Port of test_wait.py WaitTests.test_first_exception_one_already_failed: FIRST_EXCEPTION returns at once when a future has already failed. */
    @Test
    void test_first_exception_one_already_failed() {
        Gate g = newGate();
        try {
            TaskFuture<Object> exception = CannedFutures.exception();
            TaskFuture<Integer> future1 = executor.submit(() -> Tasks.awaitThen(g, 0));

            DoneAndNotDone<TaskFuture<?>> r = Futures.wait(List.of(exception, future1), ReturnWhen.FIRST_EXCEPTION);

            assertThat(r.done()).containsExactly(exception);
            assertThat(r.notDone()).containsExactly(future1);
        } finally {
            g.open();
        }
    }

    /** Port of test_wait.py WaitTests.test_all_completed: ALL_COMPLETED waits for every future, failures included, and leaves notDone empty. */
    @Test
    void test_all_completed() {
        TaskFuture<Object> successful = CannedFutures.successful();
        TaskFuture<Object> cancelledAndNotified = CannedFutures.cancelled();
        TaskFuture<Object> exception = CannedFutures.exception();
        TaskFuture<int[]> future1 = executor.submit(() -> divmod(2, 0));
        TaskFuture<Integer> future2 = executor.submit(() -> Tasks.mul(2, 21));

        DoneAndNotDone<TaskFuture<?>> r = Futures.wait(
                List.of(successful, cancelledAndNotified, exception, future1, future2), ReturnWhen.ALL_COMPLETED);

        assertThat(r.done()).containsExactlyInAnyOrder(successful, cancelledAndNotified, exception, future1, future2);
        assertThat(r.notDone()).isEmpty();
        assertThat(future1.exception()).isInstanceOf(ArithmeticException.class);
        assertThat(future2.result()).isEqualTo(42);
    }

    /**
     * A negative timeout is zero (CPython's {@code wait(fs, timeout=-1)} polls): {@code wait}
     * returns at once with the done futures in {@code done} and the pending one in {@code
     * notDone}, for every {@link ReturnWhen}. It is never refused with {@link
     * IllegalArgumentException}.
     */
    @Test
    void negativeTimeoutPollsOnce() {
        Gate g = newGate();
        try {
            TaskFuture<Object> exception = CannedFutures.exception();
            TaskFuture<Object> successful = CannedFutures.successful();
            TaskFuture<Integer> future = executor.submit(() -> Tasks.awaitThen(g, 0));
            List<TaskFuture<?>> fs = List.of(exception, successful, future);

            DoneAndNotDone<TaskFuture<?>> r = Futures.wait(fs, Duration.ofSeconds(-1));
            assertThat(r.done()).containsExactlyInAnyOrder(exception, successful);
            assertThat(r.notDone()).containsExactly(future);
            for (ReturnWhen when : ReturnWhen.values()) {
                r = Futures.wait(fs, Duration.ofNanos(-1), when);
                assertThat(r.done()).as("%s", when).containsExactlyInAnyOrder(exception, successful);
                assertThat(r.notDone()).as("%s", when).containsExactly(future);
            }
        } finally {
            g.open();
        }
    }

    /** Port of test_wait.py WaitTests.test_timeout: a wait that times out returns normally, with the done futures in done and the running one in notDone. */
    @Test
    void test_timeout() {
        Gate g = newGate();
        try {
            TaskFuture<Object> cancelledAndNotified = CannedFutures.cancelled();
            TaskFuture<Object> exception = CannedFutures.exception();
            TaskFuture<Object> successful = CannedFutures.successful();
            TaskFuture<Integer> future = executor.submit(() -> Tasks.awaitThen(g, 0));

            DoneAndNotDone<TaskFuture<?>> r = Futures.wait(
                    List.of(cancelledAndNotified, exception, successful, future),
                    Duration.ofMillis(50), ReturnWhen.ALL_COMPLETED);

            assertThat(r.done()).containsExactlyInAnyOrder(cancelledAndNotified, exception, successful);
            assertThat(r.notDone()).containsExactly(future);
        } finally {
            g.open();
        }
    }

    /**
     * Port of test_wait.py ThreadPoolWaitTests.test_pending_calls_race: 100 futures blocked on one
     * gate complete at once and an ALL_COMPLETED wait still returns (its pending count is
     * race-free; issue #14406). Repeated, opening the gate before the wait and while it is parked.
     */
    @Test
    void test_pending_calls_race() throws Exception {
        for (int round = 0; round < 6; round++) {
            Gate g = newGate();
            List<TaskFuture<Integer>> fs = new ArrayList<>();
            DoneAndNotDone<TaskFuture<Integer>> r;
            try {
                for (int i = 0; i < 100; i++) {
                    int n = i;
                    fs.add(executor.submit(() -> Tasks.awaitThen(g, n)));
                }
                if (round % 2 == 0) {
                    g.open();
                    r = boundedWait(fs, ReturnWhen.ALL_COMPLETED);
                } else {
                    r = Side.whileBlocked(g::open, () -> boundedWait(fs, ReturnWhen.ALL_COMPLETED));
                }
            } finally {
                g.open();
            }
            assertThat(r.notDone()).as("round %d", round).isEmpty();
            assertThat(r.done()).as("round %d", round).hasSize(100);
        }
    }

    // ------------------------------------------------------------------------------ beyond CPython

    /**
     * {@code shutdown(cancelFutures = true)} wakes a thread blocked in {@code wait} without a
     * timeout on a queued future, which is in {@code done}, cancelled (CPython defect D1: its wait
     * hangs, the cancelled queued future never notified).
     */
    @Test
    void shutdownCancellingFuturesWakesThreadBlockedInWait() throws Exception {
        Gate g = newGate();
        TaskExecutor ex = extraExecutor(ExecutorSpec.workers(1));
        AtomicReference<DoneAndNotDone<TaskFuture<Integer>>> result = new AtomicReference<>();
        TaskFuture<Integer> queued;
        boolean parked;
        try {
            TaskFuture<Integer> running = ex.submit(() -> Tasks.awaitThen(g, 1));
            queued = ex.submit(() -> Tasks.mul(2, 3));
            assertThat(running.isDone()).isFalse();
            Side waiter = Side.start(() -> result.set(Futures.wait(List.of(queued))));
            try {
                parked = Side.awaitBlocked(waiter.thread(), SHORT_TIMEOUT);
                ex.shutdown(false, true);
            } catch (Throwable e) {
                waiter.abort();
                throw e;
            }
            waiter.joinWoken("shutdown(cancelFutures) did not wake the thread blocked in Futures.wait (no timeout)");
        } finally {
            g.open();
        }
        assertThat(parked).as("wait() parked its thread before the shutdown").isTrue();
        assertThat(result.get().done()).containsExactly(queued);
        assertThat(queued.isCancelled()).isTrue();
        assertThatThrownBy(queued::result).isInstanceOf(CancellationException.class);
    }

    /**
     * FIRST_EXCEPTION does not count a cancellation as a failure: with a cancelled future and a
     * running one it waits out its timeout, and it returns once a future really fails.
     */
    @Test
    void firstExceptionDoesNotCountCancellationAsFailure() throws Exception {
        Gate g = newGate();
        try {
            TaskFuture<Object> cancelled = CannedFutures.cancelled();
            TaskFuture<Integer> running = executor.submit(() -> Tasks.awaitThen(g, 0));
            Duration timeout = Duration.ofMillis(100);
            long start = System.nanoTime();

            DoneAndNotDone<TaskFuture<?>> r = Futures.wait(List.of(cancelled, running), timeout, ReturnWhen.FIRST_EXCEPTION);

            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .as("FIRST_EXCEPTION waited out its timeout rather than return at the cancelled future")
                    .isGreaterThanOrEqualTo(timeout);
            assertThat(r.done()).containsExactly(cancelled);
            assertThat(r.notDone()).containsExactly(running);

            TaskPromise<Object> p = new TaskPromise<>();
            TaskFuture<Object> failing = p.future();
            r = Side.whileBlocked(() -> p.setException(new IllegalStateException("fail")),
                    () -> boundedWait(List.of(cancelled, failing, running), ReturnWhen.FIRST_EXCEPTION));
            assertThat(r.done()).containsExactlyInAnyOrder(cancelled, failing);
            assertThat(r.notDone()).containsExactly(running);
        } finally {
            g.open();
        }
    }

    /** wait accepts CompletableFutures mixed with TaskFutures, sees each kind complete (result, failure, cancellation), and returns on a CompletableFuture's failure under FIRST_EXCEPTION. */
    @Test
    void waitAcceptsCompletableFuturesMixedWithTaskFutures() throws Exception {
        Gate g = newGate();
        try {
            TaskFuture<Integer> task = executor.submit(() -> Tasks.mul(6, 7));
            CompletableFuture<Integer> completed = CompletableFuture.completedFuture(1);
            CompletableFuture<Integer> failed = new CompletableFuture<>();
            failed.completeExceptionally(new IllegalStateException("cf failed"));
            CompletableFuture<Integer> cancelled = new CompletableFuture<>();
            cancelled.cancel(false);
            CompletableFuture<Integer> later = new CompletableFuture<>();
            List<Future<Integer>> fs = List.of(task, completed, failed, cancelled, later);

            DoneAndNotDone<Future<Integer>> r = Side.whileBlocked(
                    () -> later.complete(3), () -> boundedWait(fs, ReturnWhen.ALL_COMPLETED));
            assertThat(r.done()).containsExactlyInAnyOrderElementsOf(fs);
            assertThat(r.notDone()).isEmpty();

            TaskFuture<Integer> running = executor.submit(() -> Tasks.awaitThen(g, 0));
            CompletableFuture<Integer> failsLater = new CompletableFuture<>();
            List<Future<Integer>> fs2 = List.of(running, failsLater);
            r = Side.whileBlocked(() -> failsLater.completeExceptionally(new IllegalStateException("cf failed")),
                    () -> boundedWait(fs2, ReturnWhen.FIRST_EXCEPTION));
            assertThat(r.done()).containsExactly(failsLater);
            assertThat(r.notDone()).containsExactly(running);
        } finally {
            g.open();
        }
    }

    // ------------------------------------------------------------------------------ helpers

    /** CPython's {@code divmod}, as a task: throws ArithmeticException when {@code b} is 0. */
    private static int[] divmod(int a, int b) {
        return new int[] {Math.floorDiv(a, b), Math.floorMod(a, b)};
    }

    /** CPython's {@code wait_and_raise}: waits on the gate, then raises. */
    private static Object awaitAndRaise(Gate g) throws Exception {
        g.await();
        throw new Exception("this is an exception");
    }

    /**
     * {@code Futures.wait} with {@link #SHORT_TIMEOUT} as a guard against a hang: fails if the
     * wait returned at that timeout rather than because {@code returnWhen} held (with a timeout,
     * the partition alone cannot tell the two apart).
     */
    private static <F extends Future<?>> DoneAndNotDone<F> boundedWait(List<F> fs, ReturnWhen returnWhen) {
        long start = System.nanoTime();
        DoneAndNotDone<F> r = Futures.wait(fs, SHORT_TIMEOUT, returnWhen);
        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .as("Futures.wait(%s) returned because its condition held, not at its timeout", returnWhen)
                .isLessThan(SHORT_TIMEOUT);
        return r;
    }

    private static <F> List<F> union(DoneAndNotDone<F> r) {
        List<F> all = new ArrayList<>(r.done());
        all.addAll(r.notDone());
        return all;
    }

}
