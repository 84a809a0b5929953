package dev.jfutures.testkit;

import static dev.jfutures.testkit.ExecutorTestBase.SHORT_TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jfutures.TaskFailedException;
import dev.jfutures.TaskFuture;
import dev.jfutures.TaskPromise;
import dev.jfutures.TaskStatus;
import dev.jfutures.WaitTimeoutException;
import dev.jfutures.testkit.FutureTests.Side;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Port of CPython's {@code test_future.py} FutureTests (T1-T16 of {@code cpython-spec.md}): the
 * future's own state machine, on bare futures from {@link TaskPromise} and {@link CannedFutures},
 * plus the future semantics that jfutures pins beyond CPython. No executor is involved, so these
 * run once and not per executor kind; {@link FutureTests} has those that need futures of an
 * executor.
 *
 * <p>CPython's names map as: {@code set_result}/{@code set_exception} are on {@link TaskPromise};
 * {@code InvalidStateError} is {@link IllegalStateException}; {@code CancelledError} is {@link
 * CancellationException}; {@code TimeoutError} is {@link WaitTimeoutException}; {@code result()}
 * wraps a task failure in {@link TaskFailedException} whose cause is the original, and {@code
 * exception()} returns the original. CPython's two cancelled states are one here: CANCELLED is a
 * future cancelled by its holder, CANCELLED_AND_NOTIFIED one whose runner has since seen the
 * cancel ({@link TaskPromise#setRunning()} returned false).
 *
 * <p>Not ported: {@code test_class_str} (Python class names) and {@code test_get_snapshot} (a
 * private CPython method); neither is in T1-T16.
 */
class PromiseFutureTest {

    // ------------------------------------------------------------------------------ T1-T4

    /** Port of test_future.py FutureTests.test_done_callback_with_result: a callback added to a pending future sees the result set later. */
    @Test
    void test_done_callback_with_result() {
        TaskPromise<Integer> p = new TaskPromise<>();
        AtomicInteger calls = new AtomicInteger();
        AtomicReference<Object> callbackResult = new AtomicReference<>();
        p.future().addDoneCallback(f -> {
            calls.incrementAndGet();
            callbackResult.set(f.result());
        });
        assertThat(calls).as("callback ran before the future was done").hasValue(0);

        p.setResult(5);

        assertThat(callbackResult.get()).isEqualTo(5);
        assertThat(calls).hasValue(1);
    }

    /** Port of test_future.py FutureTests.test_done_callback_with_exception: a callback added to a pending future sees the exception set later. */
    @Test
    void test_done_callback_with_exception() {
        TaskPromise<Integer> p = new TaskPromise<>();
        AtomicReference<Throwable> callbackException = new AtomicReference<>();
        p.future().addDoneCallback(f -> callbackException.set(f.exception()));
        Exception e = new Exception("test");

        p.setException(e);

        assertThat(callbackException.get()).isSameAs(e).hasMessage("test");
    }

    /** Port of test_future.py FutureTests.test_done_callback_with_cancel: a callback runs inside cancel() and sees the future cancelled. */
    @Test
    void test_done_callback_with_cancel() {
        TaskPromise<Integer> p = new TaskPromise<>();
        AtomicReference<Boolean> wasCancelled = new AtomicReference<>();
        p.future().addDoneCallback(f -> wasCancelled.set(f.isCancelled()));

        assertThat(p.future().cancel(false)).isTrue();

        assertThat(wasCancelled.get()).as("callback ran inside cancel() and saw it cancelled").isTrue();
    }

    /** Port of test_future.py FutureTests.test_done_callback_raises: a throwing callback is logged and the callbacks after it still run. */
    @Test
    void test_done_callback_raises() {
        try (LogCapture log = LogCapture.start()) {
            AtomicBoolean raisingWasCalled = new AtomicBoolean();
            AtomicBoolean fnWasCalled = new AtomicBoolean();
            TaskPromise<Integer> p = new TaskPromise<>();
            p.future().addDoneCallback(f -> {
                raisingWasCalled.set(true);
                throw new RuntimeException("doh!");
            });
            p.future().addDoneCallback(f -> fnWasCalled.set(true));

            assertThatCode(() -> p.setResult(5)).doesNotThrowAnyException();

            assertThat(raisingWasCalled).isTrue();
            assertThat(fnWasCalled).isTrue();
            assertThat(log.text()).contains("RuntimeException: doh!");
        }
    }

    // ------------------------------------------------------------------------------ T5, T6

    /** Port of test_future.py FutureTests.test_done_callback_already_successful: a callback added to a succeeded future runs before addDoneCallback returns and sees the result. */
    @Test
    void test_done_callback_already_successful() {
        TaskPromise<Integer> p = new TaskPromise<>();
        p.setResult(5);
        AtomicReference<Object> callbackResult = new AtomicReference<>();

        p.future().addDoneCallback(f -> callbackResult.set(f.result()));

        assertThat(callbackResult.get()).isEqualTo(5);
    }

    /** Port of test_future.py FutureTests.test_done_callback_already_failed: a callback added to a failed future runs before addDoneCallback returns and sees the exception. */
    @Test
    void test_done_callback_already_failed() {
        TaskPromise<Integer> p = new TaskPromise<>();
        Exception e = new Exception("test");
        p.setException(e);
        AtomicReference<Throwable> callbackException = new AtomicReference<>();

        p.future().addDoneCallback(f -> callbackException.set(f.exception()));

        assertThat(callbackException.get()).isSameAs(e).hasMessage("test");
    }

    /** Port of test_future.py FutureTests.test_done_callback_already_cancelled: a callback added to a cancelled future runs before addDoneCallback returns and sees it cancelled. */
    @Test
    void test_done_callback_already_cancelled() {
        TaskPromise<Integer> p = new TaskPromise<>();
        assertThat(p.future().cancel(false)).isTrue();
        AtomicReference<Boolean> wasCancelled = new AtomicReference<>();

        p.future().addDoneCallback(f -> wasCancelled.set(f.isCancelled()));

        assertThat(wasCancelled.get()).isTrue();
    }

    /** Port of test_future.py FutureTests.test_done_callback_raises_already_succeeded: a throwing callback added to a done future is logged, and addDoneCallback does not throw. */
    @Test
    void test_done_callback_raises_already_succeeded() {
        try (LogCapture log = LogCapture.start()) {
            TaskPromise<Integer> p = new TaskPromise<>();
            p.setResult(5);

            assertThatCode(() -> p.future().addDoneCallback(f -> {
                throw new RuntimeException("doh!");
            })).doesNotThrowAnyException();

            assertThat(log.text()).contains("exception calling callback for").contains("doh!");
        }
    }

    // ------------------------------------------------------------------------------ T7

    /** Port of test_future.py FutureTests.test_repr: toString shows an identity and the state, plus the result's class or the exception. */
    @Test
    void test_repr() {
        assertThat(CannedFutures.pending().toString()).matches(repr("pending"));
        assertThat(CannedFutures.running().toString()).matches(repr("running"));
        assertThat(CannedFutures.cancelled().toString()).matches(repr("cancelled"));
        assertThat(cancelledAndNotified().toString()).matches(repr("cancelled"));
        assertThat(CannedFutures.exception().toString()).matches(repr("failed: java.io.IOException"));
        assertThat(CannedFutures.successful().toString()).matches(repr("succeeded: java.lang.Integer"));
    }

    // ------------------------------------------------------------------------------ T8, T9

    /** Port of test_future.py FutureTests.test_cancel: cancel() succeeds on pending and cancelled futures, fails on running and finished ones, and changes only a pending one. */
    @Test
    void test_cancel() {
        TaskFuture<Object> f1 = CannedFutures.pending();
        TaskFuture<Object> f2 = CannedFutures.running();
        TaskFuture<Object> f3 = CannedFutures.cancelled();
        TaskFuture<Object> f4 = cancelledAndNotified();
        TaskFuture<Object> f5 = CannedFutures.exception();
        TaskFuture<Object> f6 = CannedFutures.successful();

        assertThat(f1.cancel(false)).isTrue();
        assertThat(f1.status()).isEqualTo(TaskStatus.CANCELLED);

        assertThat(f2.cancel(false)).isFalse();
        assertThat(f2.status()).isEqualTo(TaskStatus.RUNNING);

        assertThat(f3.cancel(false)).isTrue();
        assertThat(f3.status()).isEqualTo(TaskStatus.CANCELLED);

        assertThat(f4.cancel(false)).isTrue();
        assertThat(f4.status()).isEqualTo(TaskStatus.CANCELLED);

        assertThat(f5.cancel(false)).isFalse();
        assertThat(f5.status()).isEqualTo(TaskStatus.FAILED);

        assertThat(f6.cancel(false)).isFalse();
        assertThat(f6.status()).isEqualTo(TaskStatus.SUCCEEDED);
    }

    /** Port of test_future.py FutureTests.test_cancelled: isCancelled() is true only for the cancelled states. */
    @Test
    void test_cancelled() {
        assertThat(CannedFutures.pending().isCancelled()).isFalse();
        assertThat(CannedFutures.running().isCancelled()).isFalse();
        assertThat(CannedFutures.cancelled().isCancelled()).isTrue();
        assertThat(cancelledAndNotified().isCancelled()).isTrue();
        assertThat(CannedFutures.exception().isCancelled()).isFalse();
        assertThat(CannedFutures.successful().isCancelled()).isFalse();
    }

    /** Port of test_future.py FutureTests.test_done: isDone() is true for the cancelled and the finished states. */
    @Test
    void test_done() {
        assertThat(CannedFutures.pending().isDone()).isFalse();
        assertThat(CannedFutures.running().isDone()).isFalse();
        assertThat(CannedFutures.cancelled().isDone()).isTrue();
        assertThat(cancelledAndNotified().isDone()).isTrue();
        assertThat(CannedFutures.exception().isDone()).isTrue();
        assertThat(CannedFutures.successful().isDone()).isTrue();
    }

    /** Port of test_future.py FutureTests.test_running: isRunning() is true only for the running state. */
    @Test
    void test_running() {
        assertThat(CannedFutures.pending().isRunning()).isFalse();
        assertThat(CannedFutures.running().isRunning()).isTrue();
        assertThat(CannedFutures.cancelled().isRunning()).isFalse();
        assertThat(cancelledAndNotified().isRunning()).isFalse();
        assertThat(CannedFutures.exception().isRunning()).isFalse();
        assertThat(CannedFutures.successful().isRunning()).isFalse();
    }

    // ------------------------------------------------------------------------------ T10-T14

    /** Port of test_future.py FutureTests.test_result_with_timeout: result(0) times out on unfinished futures, raises CancellationException on cancelled ones, the task's failure on failed ones, and returns the result on successful ones. */
    @Test
    void test_result_with_timeout() {
        assertThatThrownBy(() -> CannedFutures.pending().result(Duration.ZERO)).isInstanceOf(WaitTimeoutException.class);
        assertThatThrownBy(() -> CannedFutures.running().result(Duration.ZERO)).isInstanceOf(WaitTimeoutException.class);
        assertThatThrownBy(() -> CannedFutures.cancelled().result(Duration.ZERO)).isInstanceOf(CancellationException.class);
        assertThatThrownBy(() -> cancelledAndNotified().result(Duration.ZERO)).isInstanceOf(CancellationException.class);
        assertThatThrownBy(() -> CannedFutures.exception().result(Duration.ZERO))
                .isInstanceOf(TaskFailedException.class)
                .hasCauseExactlyInstanceOf(IOException.class);
        assertThat(CannedFutures.successful().result(Duration.ZERO)).isEqualTo(42);
    }

    /** Port of test_future.py FutureTests.test_result_with_success: a result set by another thread wakes a thread blocked in result(timeout). */
    @Test
    void test_result_with_success() throws Exception {
        TaskPromise<Integer> p = new TaskPromise<>();

        Integer result = Side.whileBlocked(() -> p.setResult(42), () -> p.future().result(Duration.ofSeconds(5)));

        assertThat(result).isEqualTo(42);
    }

    /** Port of test_future.py FutureTests.test_result_with_cancel: a cancel from another thread wakes a thread blocked in result(timeout) with CancellationException. */
    @Test
    void test_result_with_cancel() throws Exception {
        TaskPromise<Integer> p = new TaskPromise<>();
        AtomicBoolean cancelled = new AtomicBoolean();

        assertThatThrownBy(() -> Side.whileBlocked(
                () -> cancelled.set(p.future().cancel(false)), () -> p.future().result(SHORT_TIMEOUT)))
                .isInstanceOf(CancellationException.class);

        assertThat(cancelled).as("cancel() returned true").isTrue();
    }

    /** Port of test_future.py FutureTests.test_exception_with_timeout: exception(0) times out on unfinished futures, raises CancellationException on cancelled ones, returns the exception of failed ones and null for successful ones. */
    @Test
    void test_exception_with_timeout() {
        assertThatThrownBy(() -> CannedFutures.pending().exception(Duration.ZERO)).isInstanceOf(WaitTimeoutException.class);
        assertThatThrownBy(() -> CannedFutures.running().exception(Duration.ZERO)).isInstanceOf(WaitTimeoutException.class);
        assertThatThrownBy(() -> CannedFutures.cancelled().exception(Duration.ZERO)).isInstanceOf(CancellationException.class);
        assertThatThrownBy(() -> cancelledAndNotified().exception(Duration.ZERO)).isInstanceOf(CancellationException.class);
        assertThat(CannedFutures.exception().exception(Duration.ZERO)).isInstanceOf(IOException.class);
        assertThat(CannedFutures.successful().exception(Duration.ZERO)).isNull();
    }

    /** Port of test_future.py FutureTests.test_exception_with_success: an exception set by another thread wakes a thread blocked in exception(timeout), which returns it. */
    @Test
    void test_exception_with_success() throws Exception {
        TaskPromise<Integer> p = new TaskPromise<>();
        IOException e = new IOException();

        Throwable got = Side.whileBlocked(() -> p.setException(e), () -> p.future().exception(SHORT_TIMEOUT));

        assertThat(got).isSameAs(e);
    }

    // ------------------------------------------------------------------------------ T15, T16

    /** Port of test_future.py FutureTests.test_multiple_set_result: a second setResult throws IllegalStateException naming the future, and the first result stands. */
    @Test
    void test_multiple_set_result() {
        TaskPromise<Integer> p = new TaskPromise<>();
        p.setResult(1);

        assertThatThrownBy(() -> p.setResult(2))
                .isInstanceOf(IllegalStateException.class)
                .message().matches(".*" + repr("succeeded: java.lang.Integer").pattern() + ".*");

        assertThat(p.future().isDone()).isTrue();
        assertThat(p.future().result()).isEqualTo(1);
    }

    /** Port of test_future.py FutureTests.test_multiple_set_exception: a second setException throws IllegalStateException naming the future, and the first exception stands. */
    @Test
    void test_multiple_set_exception() {
        TaskPromise<Integer> p = new TaskPromise<>();
        IllegalArgumentException e = new IllegalArgumentException();
        p.setException(e);

        assertThatThrownBy(() -> p.setException(new Exception()))
                .isInstanceOf(IllegalStateException.class)
                .message().matches(".*" + repr("failed: java.lang.IllegalArgumentException").pattern() + ".*");

        assertThat(p.future().exception()).isSameAs(e);
    }

    // ------------------------------------------------------------------------------ beyond CPython

    /** exception() with no timeout blocks until the future is done, then returns its exception. */
    @Test
    void exceptionBlocksUntilDone() throws Exception {
        TaskPromise<Integer> p = new TaskPromise<>();
        AtomicReference<Throwable> got = new AtomicReference<>();
        AtomicBoolean returned = new AtomicBoolean();
        IOException e = new IOException("late");
        Side waiter = Side.start(() -> {
            got.set(p.future().exception());
            returned.set(true);
        });
        boolean parked;
        boolean early;
        try {
            parked = Side.awaitBlocked(waiter.thread(), SHORT_TIMEOUT);
            early = returned.get();
            p.setException(e);
        } catch (Throwable t) {
            waiter.abort();
            throw t;
        }
        waiter.joinWoken("exception() did not return once the future was done");
        assertThat(parked).as("exception() parked the thread").isTrue();
        assertThat(early).as("exception() returned before the future was done").isFalse();
        assertThat(returned).isTrue();
        assertThat(got.get()).isSameAs(e);
    }

    /** Callbacks run in the order added, exactly once each, on the thread that completes the future; a later completion attempt or cancel runs none again. */
    @Test
    void callbacksRunInOrderAddedExactlyOnceOnTheCompletingThread() throws Exception {
        TaskPromise<Integer> p = new TaskPromise<>();
        List<Integer> order = new CopyOnWriteArrayList<>();
        List<Thread> threads = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 5; i++) {
            int n = i;
            p.future().addDoneCallback(f -> {
                order.add(n);
                threads.add(Thread.currentThread());
            });
        }
        AtomicReference<Thread> completer = new AtomicReference<>();
        Side.start(() -> {
            completer.set(Thread.currentThread());
            p.setResult(7);
        }).join();

        assertThat(order).containsExactly(0, 1, 2, 3, 4);
        assertThat(threads).hasSize(5).allMatch(t -> t == completer.get(), "is the completing thread");
        assertThat(p.trySetResult(8)).isFalse();
        assertThat(p.future().cancel(true)).isFalse();
        assertThat(order).as("no callback ran twice").containsExactly(0, 1, 2, 3, 4);
    }

    /** A callback added to a done future (succeeded, failed or cancelled) runs at once in the caller's thread, before addDoneCallback returns. */
    @Test
    void callbackAddedToDoneFutureRunsInCallerBeforeReturn() {
        List<TaskFuture<Object>> done = List.of(CannedFutures.successful(), CannedFutures.exception(), CannedFutures.cancelled());
        for (TaskFuture<Object> f : done) {
            AtomicReference<Thread> ranOn = new AtomicReference<>();
            AtomicInteger calls = new AtomicInteger();
            f.addDoneCallback(x -> {
                calls.incrementAndGet();
                ranOn.set(Thread.currentThread());
            });
            assertThat(calls).as("callback on %s ran before addDoneCallback returned", f).hasValue(1);
            assertThat(ranOn.get()).as("callback on %s ran in the caller", f).isSameAs(Thread.currentThread());
        }
    }

    /** toCompletableFuture completes with the result, whether the future was already done or completes later. */
    @Test
    void toCompletableFutureCompletesWithTheResult() throws Exception {
        CompletableFuture<Object> early = CannedFutures.successful().toCompletableFuture();
        assertThat(early.getNow(null)).isEqualTo(42);

        TaskPromise<String> p = new TaskPromise<>();
        CompletableFuture<String> late = p.future().toCompletableFuture();
        assertThat(late.isDone()).isFalse();
        p.setResult("x");
        assertThat(late.get(0, TimeUnit.SECONDS)).isEqualTo("x");
    }

    /** toCompletableFuture completes exceptionally with the task's original exception, not wrapped. */
    @Test
    void toCompletableFutureFailsWithTheOriginalException() {
        TaskPromise<String> p = new TaskPromise<>();
        CompletableFuture<String> cf = p.future().toCompletableFuture();
        IOException e = new IOException("original");
        p.setException(e);

        assertThat(cf.isCompletedExceptionally()).isTrue();
        assertThat(cf.isCancelled()).isFalse();
        assertThat(cf.handle((v, t) -> t).join()).isSameAs(e);
        assertThatThrownBy(() -> cf.get()).isInstanceOf(ExecutionException.class).cause().isSameAs(e);
    }

    /** toCompletableFuture is cancelled when the future is cancelled. */
    @Test
    void toCompletableFutureIsCancelledWithTheFuture() {
        TaskPromise<String> p = new TaskPromise<>();
        CompletableFuture<String> cf = p.future().toCompletableFuture();
        assertThat(p.future().cancel(false)).isTrue();

        assertThat(cf.isCancelled()).isTrue();
        assertThat(CannedFutures.cancelled().toCompletableFuture().isCancelled()).isTrue();
    }

    /** Cancelling the CompletableFuture from toCompletableFuture cancels the TaskFuture. */
    @Test
    void cancellingTheCompletableFutureCancelsTheTaskFuture() {
        TaskPromise<String> p = new TaskPromise<>();
        CompletableFuture<String> cf = p.future().toCompletableFuture();

        assertThat(cf.cancel(false)).isTrue();

        assertThat(p.future().isCancelled()).isTrue();
        assertThat(p.future().status()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(p.trySetResult("too late")).isFalse();
    }

    /** result(Duration) and exception(Duration) that run out throw WaitTimeoutException, and the future stays pending and can still complete. */
    @Test
    void resultTimeoutThrowsWaitTimeoutAndLeavesTheFuturePending() {
        TaskPromise<String> p = new TaskPromise<>();
        TaskFuture<String> f = p.future();

        assertThatThrownBy(() -> f.result(Duration.ofMillis(20))).isExactlyInstanceOf(WaitTimeoutException.class);
        assertThatThrownBy(() -> f.exception(Duration.ofMillis(20))).isExactlyInstanceOf(WaitTimeoutException.class);
        assertThat(f.status()).isEqualTo(TaskStatus.PENDING);
        assertThat(f.isDone()).isFalse();

        p.setResult("later");
        assertThat(f.result(Duration.ZERO)).isEqualTo("later");
    }

    /** A callback that throws on its executor is logged as a plain callback's failure is. */
    @Test
    void callbackThrowingOnItsExecutorIsLogged() {
        try (LogCapture log = LogCapture.start()) {
            TaskFuture<Object> done = CannedFutures.successful();
            done.addDoneCallback(f -> {
                throw new RuntimeException("doh on the executor!");
            }, Runnable::run);
            assertThat(log.text()).contains("exception calling callback for").contains("doh on the executor!");
        }
    }

    /**
     * A negative timeout is zero everywhere (CPython's {@code result(timeout=-1)} polls): {@code
     * result}, {@code exception} and {@code get} poll once, report a done future's outcome, and
     * time out on an unfinished one; the timeout message says zero, not the negative value.
     */
    @Test
    void negativeTimeoutPollsOnceLikeZero() {
        Duration negative = Duration.ofSeconds(-5);
        assertThatThrownBy(() -> CannedFutures.pending().result(negative))
                .isExactlyInstanceOf(WaitTimeoutException.class).hasMessageContaining("within PT0S");
        assertThatThrownBy(() -> CannedFutures.running().exception(negative))
                .isExactlyInstanceOf(WaitTimeoutException.class).hasMessageContaining("within PT0S");
        assertThatThrownBy(() -> CannedFutures.pending().get(-5, TimeUnit.SECONDS)).isInstanceOf(TimeoutException.class);
        assertThat(CannedFutures.successful().result(negative)).isEqualTo(42);
        assertThat(CannedFutures.successful().exception(negative)).isNull();
        assertThat(CannedFutures.exception().exception(negative)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> CannedFutures.exception().result(negative)).isInstanceOf(TaskFailedException.class);
        assertThatThrownBy(() -> CannedFutures.cancelled().result(negative)).isInstanceOf(CancellationException.class);
        assertThatThrownBy(() -> CannedFutures.cancelled().exception(negative)).isInstanceOf(CancellationException.class);
        assertThatCode(() -> assertThat(CannedFutures.successful().get(-1, TimeUnit.NANOSECONDS)).isEqualTo(42))
                .doesNotThrowAnyException();
    }

    // ------------------------------------------------------------------------------ helpers

    /** CPython's CANCELLED_AND_NOTIFIED_FUTURE: cancelled, and its runner has since seen the cancel. */
    private static TaskFuture<Object> cancelledAndNotified() {
        TaskPromise<Object> p = new TaskPromise<>();
        assertThat(p.cancel()).isTrue();
        assertThat(p.setRunning()).as("setRunning on a cancelled future").isFalse();
        return p.future();
    }

    /** The toString pattern for a future in {@code state} (CPython's {@code <Future at 0x... state=...>}). */
    private static Pattern repr(String state) {
        return Pattern.compile("TaskFuture@[0-9a-f]+\\[" + Pattern.quote(state) + "\\]");
    }

}
