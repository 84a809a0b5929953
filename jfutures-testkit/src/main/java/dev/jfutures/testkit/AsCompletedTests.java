package dev.jfutures.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.jfutures.Futures;
import dev.jfutures.TaskFuture;
import dev.jfutures.WaitTimeoutException;
import dev.jfutures.testkit.FutureTests.Side;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Port of CPython's {@code test_as_completed.py} (T26-T30 of {@code cpython-spec.md}): {@link
 * Futures#asCompleted} over futures of {@link #executor} and canned futures, plus the {@code
 * asCompleted} semantics that jfutures pins beyond CPython on futures of an executor.
 *
 * <p>Tasks that CPython makes slow with {@code time.sleep} wait on a {@link Gate} here, opened at
 * the end of the test (or, where the test needs them to finish, by a side thread once the test
 * thread is parked in the iteration). CPython's CANCELLED_AND_NOTIFIED_FUTURE is {@link
 * CannedFutures#cancelled()}: any cancelled future is done here (CPython defect D1).
 *
 * <p>The tests that need no executor (only canned futures, bare futures of a {@code
 * TaskPromise} or other kinds of {@link Future}) are not in this suite: they run once, in the
 * testkit's own {@code PromiseAsCompletedTest}.
 */
public abstract class AsCompletedTests extends ExecutorTestBase {

    /**
     * For the test class of one executor kind, which passes that kind.
     *
     * @param kind the executor kind under test
     * @since 0.1
     */
    protected AsCompletedTests(ExecutorKind kind) {
        super(kind);
    }

    /** Port of test_as_completed.py AsCompletedTests.test_no_timeout: without a timeout, every future is yielded once, those already done and those completing later. */
    @Test
    void test_no_timeout() {
        TaskFuture<Integer> future1 = executor.submit(() -> Tasks.mul(2, 21));
        TaskFuture<Integer> future2 = executor.submit(() -> Tasks.mul(7, 6));
        List<TaskFuture<?>> fs = List.of(
                CannedFutures.cancelled(), CannedFutures.exception(), CannedFutures.successful(), future1, future2);

        List<TaskFuture<?>> completed = new ArrayList<>();
        for (TaskFuture<?> f : Futures.asCompleted(fs)) {
            assertThat(f.isDone()).as("yielded %s is done", f).isTrue();
            completed.add(f);
        }

        assertThat(completed).containsExactlyInAnyOrderElementsOf(fs);
    }

    /** Port of test_as_completed.py AsCompletedTests.test_future_times_out: with a timeout of 0 or 100 ms, the already-done futures are yielded, then the iteration throws WaitTimeoutException without yielding the running one. */
    @Test
    void test_future_times_out() {
        Gate g = newGate();
        try {
            for (Duration timeout : List.of(Duration.ZERO, Duration.ofMillis(100))) {
                List<TaskFuture<?>> alreadyCompleted = List.of(
                        CannedFutures.cancelled(), CannedFutures.exception(), CannedFutures.successful());
                TaskFuture<Integer> future = executor.submit(() -> Tasks.awaitThen(g, 0));
                List<TaskFuture<?>> fs = new ArrayList<>(alreadyCompleted);
                fs.add(future);

                List<TaskFuture<?>> completedFutures = new ArrayList<>();
                Throwable thrown = catchThrowable(() -> {
                    for (TaskFuture<?> f : Futures.asCompleted(fs, timeout)) {
                        completedFutures.add(f);
                    }
                });

                assertThat(thrown).as("timeout %s", timeout).isInstanceOf(WaitTimeoutException.class);
                assertThat(completedFutures).as("timeout %s", timeout).containsExactlyInAnyOrderElementsOf(alreadyCompleted);
            }
        } finally {
            g.open();
        }
    }

    /** Port of test_as_completed.py AsCompletedTests.test_duplicate_futures: a future given three times is yielded once. */
    @Test
    void test_duplicate_futures() throws Exception {
        Gate g = newGate();
        TaskFuture<Integer> future1 = executor.submit(() -> Tasks.awaitThen(g, 1));
        List<TaskFuture<Integer>> completed = new ArrayList<>();
        try {
            Side.whileBlocked(g::open, () -> {
                for (TaskFuture<Integer> f : Futures.asCompleted(Collections.nCopies(3, future1))) {
                    completed.add(f);
                }
                return null;
            });
        } finally {
            g.open();
        }
        assertThat(completed).containsExactly(future1);
    }

    // ------------------------------------------------------------------------------ beyond CPython

    /** asCompleted accepts CompletableFutures mixed with TaskFutures and yields each kind as it completes. */
    @Test
    void asCompletedAcceptsCompletableFuturesMixedWithTaskFutures() throws Exception {
        TaskFuture<Integer> task = executor.submit(() -> Tasks.mul(6, 7));
        CompletableFuture<Integer> completed = CompletableFuture.completedFuture(1);
        CompletableFuture<Integer> failed = new CompletableFuture<>();
        failed.completeExceptionally(new IllegalStateException("cf failed"));
        CompletableFuture<Integer> later = new CompletableFuture<>();
        List<Future<Integer>> fs = List.of(task, completed, failed, later);

        List<Future<Integer>> yielded = new ArrayList<>();
        Side.whileBlocked(() -> later.complete(3), () -> {
            for (Future<Integer> f : Futures.asCompleted(fs, SHORT_TIMEOUT)) {
                yielded.add(f);
            }
            return null;
        });

        assertThat(yielded).containsExactlyInAnyOrderElementsOf(fs);
        assertThat(yielded.indexOf(later)).as("the one completed while the iteration waited comes after the done ones")
                .isGreaterThan(yielded.indexOf(completed))
                .isGreaterThan(yielded.indexOf(failed));
    }
}
