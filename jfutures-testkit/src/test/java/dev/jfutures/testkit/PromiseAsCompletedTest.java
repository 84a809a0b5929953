package dev.jfutures.testkit;

import static dev.jfutures.testkit.ExecutorTestBase.SHORT_TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jfutures.CompletionOrder;
import dev.jfutures.Futures;
import dev.jfutures.TaskFuture;
import dev.jfutures.TaskPromise;
import dev.jfutures.WaitTimeoutException;
import dev.jfutures.testkit.FutureTests.Side;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Port of the tests of CPython's {@code test_as_completed.py} (T26-T30 of {@code
 * cpython-spec.md}) that need no executor, plus the {@code asCompleted} semantics that jfutures
 * pins beyond CPython and that need none: {@link Futures#asCompleted} over bare futures from
 * {@link TaskPromise} and {@link CannedFutures}, and over other kinds of {@link Future}. They run
 * once and not per executor kind; {@link AsCompletedTests} has those on futures of an executor.
 *
 * <p>CPython's CANCELLED_AND_NOTIFIED_FUTURE is {@link CannedFutures#cancelled()}: any cancelled
 * future is done here (CPython defect D1).
 */
class PromiseAsCompletedTest {

    /**
     * Port of test_as_completed.py AsCompletedTests.test_free_reference_yielded_future: the
     * iteration keeps no reference to a future it has yielded, with a timeout of 0 (which then
     * throws) and without a timeout, each yielded future completing the next (issue #14406).
     * Garbage collection is best effort, as CPython's {@code gc_collect}: the test is skipped if
     * {@code System.gc()} frees nothing on this JVM.
     */
    @Test
    void test_free_reference_yielded_future() {
        assumeTrue(gcClearsWeakReferences(), "System.gc() does not clear weak references on this JVM");
        List<TaskPromise<String>> promises = new ArrayList<>();
        List<TaskFuture<?>> futuresList = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            TaskPromise<String> p = new TaskPromise<>();
            promises.add(p);
            futuresList.add(p.future());
        }
        futuresList.add(CannedFutures.cancelled());
        futuresList.add(CannedFutures.successful());

        CompletionOrder<TaskFuture<?>> order = Futures.asCompleted(futuresList, Duration.ZERO);
        int yielded = 0;
        Throwable thrown = null;
        try {
            while (order.hasNext()) {
                TaskFuture<?> future = order.next();
                yielded++;
                futuresList.remove(future);
                WeakReference<TaskFuture<?>> wr = new WeakReference<>(future);
                future = null;
                assertThat(collected(wr)).as("yielded future %d freed", yielded).isTrue();
            }
        } catch (WaitTimeoutException e) {
            thrown = e;
        }
        assertThat(thrown).as("timeout 0 with pending futures").isNotNull().hasMessage("8 (of 10) futures unfinished");
        assertThat(yielded).isEqualTo(2);

        promises.get(0).setResult("test");
        yielded = 0;
        order = Futures.asCompleted(futuresList);
        while (order.hasNext()) {
            TaskFuture<?> future = order.next();
            yielded++;
            int i = futuresList.indexOf(future);
            futuresList.remove(i);
            promises.remove(i);
            WeakReference<TaskFuture<?>> wr = new WeakReference<>(future);
            future = null;
            assertThat(collected(wr)).as("yielded future %d freed", yielded).isTrue();
            if (!promises.isEmpty()) {
                promises.get(0).setResult("test");
            }
        }
        assertThat(yielded).isEqualTo(8);
        assertThat(futuresList).isEmpty();
    }

    /**
     * Port of test_as_completed.py AsCompletedTests.test_correct_timeout_exception_msg: the
     * timeout's message is exactly "2 (of 4) futures unfinished". Differs from CPython (defect D1,
     * cpython#87893) in that any cancelled future counts as done here, not only a
     * CANCELLED_AND_NOTIFIED one; with this list (CANCELLED_AND_NOTIFIED, PENDING, RUNNING,
     * SUCCESSFUL) the count is the same: the pending and the running future are unfinished.
     */
    @Test
    void test_correct_timeout_exception_msg() {
        List<TaskFuture<Object>> futuresList = List.of(
                CannedFutures.cancelled(), CannedFutures.pending(), CannedFutures.running(), CannedFutures.successful());

        assertThatThrownBy(() -> {
            for (TaskFuture<Object> f : Futures.asCompleted(futuresList, Duration.ZERO)) {
                assertThat(f.isDone()).isTrue();
            }
        }).isExactlyInstanceOf(WaitTimeoutException.class).hasMessage("2 (of 4) futures unfinished");
    }

    /**
     * A negative timeout is zero (CPython's {@code as_completed(fs, timeout=-1)} polls): the
     * futures already done are yielded, then the iteration throws {@link WaitTimeoutException}
     * counting the unfinished ones; with every future done it simply ends. It is never refused
     * with {@link IllegalArgumentException}.
     */
    @Test
    void negativeTimeoutYieldsTheDoneFuturesThenTimesOut() {
        TaskFuture<Object> successful = CannedFutures.successful();
        TaskFuture<Object> exception = CannedFutures.exception();
        List<TaskFuture<Object>> fs = List.of(successful, exception, CannedFutures.pending());
        List<TaskFuture<Object>> yielded = new ArrayList<>();

        Throwable thrown = catchThrowable(() -> {
            for (TaskFuture<Object> f : Futures.asCompleted(fs, Duration.ofSeconds(-1))) {
                yielded.add(f);
            }
        });

        assertThat(thrown).isExactlyInstanceOf(WaitTimeoutException.class).hasMessage("1 (of 3) futures unfinished");
        assertThat(yielded).containsExactlyInAnyOrder(successful, exception);
        List<TaskFuture<Object>> allDone = new ArrayList<>();
        Futures.asCompleted(List.of(successful, exception), Duration.ofMillis(-1)).forEachRemaining(allDone::add);
        assertThat(allDone).containsExactlyInAnyOrder(successful, exception);
    }

    // ------------------------------------------------------------------------------ beyond CPython

    /** Already-done futures are yielded first, then the others in the order they complete. */
    @Test
    void yieldsAlreadyDoneFirstThenInCompletionOrder() {
        TaskFuture<Object> done = CannedFutures.successful();
        TaskPromise<Integer> p1 = new TaskPromise<>();
        TaskPromise<Integer> p2 = new TaskPromise<>();
        TaskPromise<Integer> p3 = new TaskPromise<>();
        List<TaskFuture<?>> fs = List.of(p1.future(), p2.future(), p3.future(), done);

        CompletionOrder<TaskFuture<?>> order = Futures.asCompleted(fs);
        p3.setResult(3);
        p1.setResult(1);

        assertThat(order.next()).isSameAs(done);
        assertThat(order.next()).isSameAs(p3.future());
        assertThat(order.next()).isSameAs(p1.future());
        p2.future().cancel(false);
        assertThat(order.next()).isSameAs(p2.future());
        assertThat(order.hasNext()).isFalse();
    }

    /**
     * A cancel wakes a thread blocked in {@code asCompleted} without a timeout, which yields the
     * cancelled future (CPython defect D1: cpython #87893, #109934, #92001; it never yields a
     * future cancelled outside an executor).
     */
    @Test
    void cancelWakesThreadBlockedInAsCompleted() throws Exception {
        TaskPromise<Integer> p = new TaskPromise<>();
        TaskFuture<Integer> pending = p.future();
        AtomicReference<TaskFuture<Integer>> yielded = new AtomicReference<>();
        AtomicReference<Boolean> more = new AtomicReference<>();
        Side consumer = Side.start(() -> {
            CompletionOrder<TaskFuture<Integer>> order = Futures.asCompleted(List.of(pending));
            yielded.set(order.next());
            more.set(order.hasNext());
        });
        boolean parked;
        boolean cancelled;
        try {
            parked = Side.awaitBlocked(consumer.thread(), SHORT_TIMEOUT);
            cancelled = pending.cancel(false);
        } catch (Throwable e) {
            consumer.abort();
            throw e;
        }
        consumer.joinWoken("a cancel did not wake the thread blocked in asCompleted (no timeout)");
        assertThat(parked).as("asCompleted parked its thread before the cancel").isTrue();
        assertThat(cancelled).isTrue();
        assertThat(yielded.get()).isSameAs(pending);
        assertThat(more.get()).isFalse();
    }

    /** asCompleted refuses a future whose completion it cannot observe (a FutureTask) with IllegalArgumentException naming its class. */
    @Test
    void asCompletedRefusesFutureTaskNamingItsClass() {
        FutureTask<Integer> task = new FutureTask<>(() -> 1);
        List<Future<Integer>> fs = List.of(CompletableFuture.completedFuture(1), task);

        assertThatThrownBy(() -> Futures.asCompleted(fs))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(FutureTask.class.getName());
        assertThatThrownBy(() -> Futures.asCompleted(fs, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(FutureTask.class.getName());
    }

    /** asCompleted on an empty collection yields nothing, with or without a timeout, and does not throw. */
    @Test
    void asCompletedOnEmptyCollectionYieldsNothing() {
        CompletionOrder<TaskFuture<Object>> order = Futures.asCompleted(List.of());
        assertThat(order.hasNext()).isFalse();
        assertThatThrownBy(order::next).isInstanceOf(NoSuchElementException.class);
        Iterable<TaskFuture<Object>> timed = Futures.asCompleted(List.of(), Duration.ZERO);
        assertThat(timed).isEmpty();
    }

    /** close() detaches the iteration and ends it: afterwards hasNext() is false, even once the remaining futures complete, and next() throws NoSuchElementException. */
    @Test
    void closeDetachesAndEndsTheIteration() {
        TaskPromise<Integer> p1 = new TaskPromise<>();
        TaskPromise<Integer> p2 = new TaskPromise<>();
        TaskFuture<Object> done = CannedFutures.successful();
        CompletionOrder<TaskFuture<?>> order = Futures.asCompleted(List.of(done, p1.future(), p2.future()));
        assertThat(order.next()).isSameAs(done);
        assertThat(order.hasNext()).isTrue();

        order.close();

        assertThat(order.hasNext()).isFalse();
        p1.setResult(1);
        p2.future().cancel(false);
        assertThat(order.hasNext()).isFalse();
        assertThatThrownBy(order::next).isInstanceOf(NoSuchElementException.class);
        order.close();
        assertThat(order.hasNext()).isFalse();
    }

    // ------------------------------------------------------------------------------ helpers

    /** Best-effort collection, as CPython's {@code support.gc_collect()}: true once {@code ref} is cleared. */
    private static boolean collected(WeakReference<?> ref) {
        for (int i = 0; i < 20 && ref.get() != null; i++) {
            System.gc();
        }
        return ref.get() == null;
    }

    /** Whether System.gc() clears a weakly reachable object here (it does not with -XX:+DisableExplicitGC). */
    private static boolean gcClearsWeakReferences() {
        WeakReference<Object> probe = new WeakReference<>(new Object());
        return collected(probe);
    }
}
