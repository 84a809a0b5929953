package dev.jfutures.testkit;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.jfutures.Task;
import dev.jfutures.TaskExecutor;
import dev.jfutures.TaskFuture;
import dev.jfutures.TaskStatus;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

/**
 * The {@link ExecutorService} and {@link Future} contracts that every {@link TaskExecutor} inherits
 * from {@code java.util.concurrent}, in the style of the JSR-166 TCK ({@code
 * AbstractExecutorServiceTest}, {@code ThreadPoolExecutorTest}, {@code FutureTaskTest}): one
 * property per test, stated in its Javadoc.
 *
 * <p>Tasks are serializable lambdas over {@link Tasks}, {@link Gate}s and {@link SharedLog}s, so
 * that the suite runs unchanged on executors whose tasks run in other processes. Threads the test
 * starts itself (a blocked {@code get}, a {@code close}) run in this JVM; each is joined, and its
 * failure fails the test.
 */
public abstract class ExecutorServiceContractTests extends ExecutorTestBase {

    /**
     * For the test class of one executor kind, which passes that kind.
     *
     * @param kind the executor kind under test
     * @since 0.1
     */
    protected ExecutorServiceContractTests(ExecutorKind kind) {
        super(kind);
    }

    /** A timeout that a test expects to run out: long enough to be a real wait, short for the suite. */
    protected static final Duration EXPIRING_TIMEOUT = Duration.ofMillis(50);

    // ------------------------------------------------------------------------------ submit

    /** submit(Runnable) runs the action, and get() on its future returns null. */
    @Test
    void submitRunnableGetReturnsNull() throws Exception {
        SharedLog log = newLog();

        Future<?> f = executor.submit((Runnable & Serializable) () -> log.append("ran"));

        assertThat(f.get()).isNull();
        assertThat(log.entries()).containsExactly("ran");
        checkCompletedNormally(f, null);
    }

    /** submit(Runnable, result) runs the action, and get() on its future returns the given result. */
    @Test
    void submitRunnableWithResultReturnsResult() throws Exception {
        SharedLog log = newLog();

        Future<String> f = executor.submit((Runnable & Serializable) () -> log.append("ran"), "given");

        assertThat(f.get()).isEqualTo("given");
        assertThat(log.entries()).containsExactly("ran");
        checkCompletedNormally(f, "given");
    }

    /** submit(Callable) returns a future whose get() is the callable's result. */
    @Test
    void submitCallableReturnsResult() throws Exception {
        Future<String> f = executor.submit((Callable<String> & Serializable) () -> "called");

        assertThat(f.get()).isEqualTo("called");
        checkCompletedNormally(f, "called");
    }

    /** get() of submit(Callable) throws ExecutionException whose cause is what the callable threw. */
    @Test
    void submitCallableThatThrowsGetThrowsExecutionException() {
        Future<Object> f = executor.submit((Callable<Object> & Serializable) () -> {
            throw new ArithmeticException("callable failed");
        });

        assertThatThrownBy(f::get).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(ArithmeticException.class).hasMessage("callable failed");
        assertThat(f.isDone()).isTrue();
        assertThat(f.isCancelled()).isFalse();
    }

    // ------------------------------------------------------------------------------ execute

    /** execute(Runnable) runs the action. */
    @Test
    void executeRunsRunnable() throws InterruptedException {
        Gate ran = newGate();

        executor.execute((Runnable & Serializable) () -> ran.open());

        assertThat(ran.await(SHORT_TIMEOUT)).as("the runnable given to execute() ran").isTrue();
    }

    /** A Runnable given to execute() that throws is logged at WARNING with its exception, since no future reports it. */
    @Test
    void executeThrowingRunnableIsLoggedAtWarning() {
        try (LogCapture log = LogCapture.start()) {
            executor.execute((Runnable & Serializable) () -> {
                throw new IllegalStateException("execute-boom");
            });

            awaitCondition("the failure of execute()'s runnable to be logged",
                    () -> findThrown(log, "execute-boom") != null);
            LogRecord r = findThrown(log, "execute-boom");
            assertThat(r.getLevel()).as("level of %s", log.text()).isEqualTo(Level.WARNING);
            assertThat(r.getThrown()).isInstanceOf(IllegalStateException.class);
        }
    }

    // ------------------------------------------------------------------------------ invokeAll

    /** invokeAll returns only when every task is done. */
    @Test
    void invokeAllReturnsWhenAllTasksAreDone() throws InterruptedException {
        // All but the last task wait for the last one, so none is done until all have run.
        int n = workerCount();
        Gate last = newGate();
        List<Callable<Integer>> tasks = new ArrayList<>();
        for (int i = 0; i < n - 1; i++) {
            int value = i;
            tasks.add(task(() -> Tasks.awaitThen(last, value)));
        }
        tasks.add(task(() -> {
            last.open();
            return n - 1;
        }));
        try {
            List<Future<Integer>> fs = executor.invokeAll(tasks);

            assertThat(fs).hasSize(n).allMatch(Future::isDone, "is done");
        } finally {
            last.open();
        }
    }

    /** invokeAll returns the futures in the order of the tasks, each with its own task's result. */
    @Test
    void invokeAllResultsAreInTaskOrder() throws Exception {
        int n = 3 * workerCount();
        List<Callable<Integer>> tasks = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int x = i;
            tasks.add(task(() -> Tasks.mul(x, x)));
        }

        List<Future<Integer>> fs = executor.invokeAll(tasks);

        assertThat(fs).hasSize(n);
        for (int i = 0; i < n; i++) {
            checkCompletedNormally(fs.get(i), i * i);
        }
    }

    /** invokeAll of an empty collection returns an empty list. */
    @Test
    void invokeAllEmptyReturnsEmptyList() throws InterruptedException {
        assertThat(executor.invokeAll(List.<Callable<Object>>of())).isEmpty();
    }

    /** invokeAll of a collection with a null element throws NullPointerException. */
    @Test
    void invokeAllNullElementThrowsNullPointerException() {
        List<Callable<String>> tasks = new ArrayList<>();
        tasks.add(task(() -> "fine"));
        tasks.add(null);

        assertThatThrownBy(() -> executor.invokeAll(tasks)).isInstanceOf(NullPointerException.class);
    }

    /** The future of a task that failed in invokeAll throws ExecutionException with the task's exception as cause. */
    @Test
    void invokeAllFailedTaskFutureThrowsExecutionException() throws Exception {
        List<Callable<String>> tasks = List.of(task(() -> "fine"), task(() -> {
            throw new ArithmeticException("invokeAll failed");
        }));

        List<Future<String>> fs = executor.invokeAll(tasks);

        assertThat(fs).hasSize(2);
        checkCompletedNormally(fs.get(0), "fine");
        assertThatThrownBy(() -> fs.get(1).get()).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(ArithmeticException.class).hasMessage("invokeAll failed");
    }

    /** Timed invokeAll cancels the tasks not done when the timeout runs out, and keeps the results of the others. */
    @Test
    void timedInvokeAllCancelsUnfinishedTasks() throws Exception {
        Gate never = newGate();
        try {
            // As the TCK's testTimedInvokeAll6: retry with a longer timeout if even the quick task
            // did not finish in time on a slow machine.
            for (long timeoutMillis = EXPIRING_TIMEOUT.toMillis(); ; timeoutMillis *= 4) {
                List<Callable<String>> tasks = List.of(
                        task(() -> "quick"),
                        task(() -> Tasks.awaitThen(never, "gated")));

                List<Future<String>> fs = executor.invokeAll(tasks, timeoutMillis, MILLISECONDS);

                assertThat(fs).hasSize(2).allMatch(Future::isDone, "is done");
                checkCancelled(fs.get(1));
                if (!fs.get(0).isCancelled()) {
                    checkCompletedNormally(fs.get(0), "quick");
                    break;
                }
                if (timeoutMillis > SHORT_TIMEOUT.toMillis()) {
                    fail("a task that returns at once did not finish within %d ms", timeoutMillis);
                }
            }
        } finally {
            never.open();
        }
    }

    // ------------------------------------------------------------------------------ invokeAny

    /** invokeAny returns the result of a task that succeeded, even when others fail. */
    @Test
    void invokeAnyReturnsASuccessfulResult() throws Exception {
        List<Callable<String>> tasks = List.of(
                task(() -> {
                    throw new ArithmeticException("first failed");
                }),
                task(() -> "success"),
                task(() -> {
                    throw new ArithmeticException("last failed");
                }));

        assertThat(executor.invokeAny(tasks)).isEqualTo("success");
    }

    /** invokeAny throws ExecutionException, with a task's exception as cause, when every task fails. */
    @Test
    void invokeAnyAllFailThrowsExecutionException() {
        List<Callable<String>> tasks = List.of(
                task(() -> {
                    throw new ArithmeticException("failed");
                }),
                task(() -> {
                    throw new ArithmeticException("failed");
                }));

        assertThatThrownBy(() -> executor.invokeAny(tasks)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(ArithmeticException.class).hasMessage("failed");
    }

    /** invokeAny of an empty collection throws IllegalArgumentException. */
    @Test
    void invokeAnyEmptyThrowsIllegalArgumentException() {
        assertThatThrownBy(() -> executor.invokeAny(List.<Callable<Object>>of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** Timed invokeAny throws TimeoutException when no task finishes within the timeout. */
    @Test
    void timedInvokeAnyThrowsTimeoutException() {
        Gate never = newGate();
        try {
            List<Callable<String>> tasks = List.of(
                    task(() -> Tasks.awaitThen(never, "a")),
                    task(() -> Tasks.awaitThen(never, "b")));
            long start = System.nanoTime();

            assertThatThrownBy(() -> executor.invokeAny(tasks, EXPIRING_TIMEOUT.toMillis(), MILLISECONDS))
                    .isInstanceOf(TimeoutException.class);
            assertThat(millisSince(start)).isGreaterThanOrEqualTo(EXPIRING_TIMEOUT.toMillis());
        } finally {
            never.open();
        }
    }

    // ------------------------------------------------------------------------------ shutdown

    /** shutdown() makes isShutdown() true. */
    @Test
    void shutdownMakesIsShutdownTrue() {
        assertThat(executor.isShutdown()).isFalse();

        executor.shutdown();

        assertThat(executor.isShutdown()).isTrue();
    }

    /** Tasks queued before shutdown() still run. */
    @Test
    void shutdownLetsQueuedTasksRun() throws Exception {
        TaskExecutor single = extraExecutor(ExecutorSpec.workers(1));
        Gate started = newGate();
        Gate release = newGate();
        SharedLog log = newLog();
        try {
            TaskFuture<String> running = single.submit(() -> Tasks.signalThenAwait(started, release, "first"));
            assertThat(started.await(SHORT_TIMEOUT)).isTrue();
            TaskFuture<String> queued = single.submit(() -> Tasks.logThen(log, "queued ran", "second"));

            single.shutdown();
            release.open();

            assertThat(single.awaitTermination(SHORT_TIMEOUT.toMillis(), MILLISECONDS)).isTrue();
            checkCompletedNormally(running, "first");
            checkCompletedNormally(queued, "second");
            assertThat(log.entries()).containsExactly("queued ran");
        } finally {
            release.open();
        }
    }

    /** awaitTermination returns true once shutdown() was called and every task has finished. */
    @Test
    void awaitTerminationReturnsTrueAfterTasksFinish() throws Exception {
        SharedLog log = newLog();
        List<Future<Integer>> fs = new ArrayList<>();
        for (int i = 0; i < 3 * workerCount(); i++) {
            int x = i;
            fs.add(executor.submit(() -> Tasks.logThen(log, "task " + x, x)));
        }

        executor.shutdown();

        assertThat(executor.awaitTermination(SHORT_TIMEOUT.toMillis(), MILLISECONDS)).isTrue();
        assertThat(executor.isTerminated()).isTrue();
        assertThat(fs).allMatch(Future::isDone, "is done");
        assertThat(log.entries()).hasSize(fs.size());
    }

    /** awaitTermination returns false when its timeout runs out while a task still runs. */
    @Test
    void awaitTerminationReturnsFalseOnTimeoutWhileTaskRuns() throws Exception {
        Gate started = newGate();
        Gate release = newGate();
        try {
            TaskFuture<String> f = executor.submit(() -> Tasks.signalThenAwait(started, release, "done"));
            assertThat(started.await(SHORT_TIMEOUT)).isTrue();
            executor.shutdown();
            long start = System.nanoTime();

            assertThat(executor.awaitTermination(EXPIRING_TIMEOUT.toMillis(), MILLISECONDS)).isFalse();

            assertThat(millisSince(start)).isGreaterThanOrEqualTo(EXPIRING_TIMEOUT.toMillis());
            assertThat(executor.isTerminated()).isFalse();
            release.open();
            assertThat(executor.awaitTermination(SHORT_TIMEOUT.toMillis(), MILLISECONDS)).isTrue();
            checkCompletedNormally(f, "done");
        } finally {
            release.open();
        }
    }

    /** isTerminated() is false before shutdown and while a task runs after it, and true once that task is done. */
    @Test
    void isTerminatedOnlyAfterShutdownAndTasksDone() throws Exception {
        Gate started = newGate();
        Gate release = newGate();
        try {
            executor.submit(() -> Tasks.signalThenAwait(started, release, "done"));
            assertThat(started.await(SHORT_TIMEOUT)).isTrue();
            assertThat(executor.isTerminated()).as("before shutdown").isFalse();

            executor.shutdown();
            assertThat(executor.isTerminated()).as("after shutdown, a task running").isFalse();

            release.open();
            assertThat(executor.awaitTermination(SHORT_TIMEOUT.toMillis(), MILLISECONDS)).isTrue();
            assertThat(executor.isTerminated()).as("after the task finished").isTrue();
        } finally {
            release.open();
        }
    }

    /** shutdownNow() returns the tasks that never started. */
    @Test
    void shutdownNowReturnsNeverStartedTasks() throws Exception {
        TaskExecutor single = extraExecutor(ExecutorSpec.workers(1));
        Gate started = newGate();
        Gate release = newGate();
        try {
            single.submit(() -> Tasks.signalThenAwait(started, release, "running"));
            assertThat(started.await(SHORT_TIMEOUT)).isTrue();
            for (int i = 0; i < 3; i++) {
                single.submit(() -> "queued");
            }

            List<Runnable> neverStarted = single.shutdownNow();

            assertThat(neverStarted).hasSize(3);
        } finally {
            release.open();
        }
    }

    /** shutdownNow() cancels the futures of the tasks that never started. */
    @Test
    void shutdownNowCancelsNeverStartedFutures() throws Exception {
        TaskExecutor single = extraExecutor(ExecutorSpec.workers(1));
        Gate started = newGate();
        Gate release = newGate();
        SharedLog log = newLog();
        try {
            single.submit(() -> Tasks.signalThenAwait(started, release, "running"));
            assertThat(started.await(SHORT_TIMEOUT)).isTrue();
            List<TaskFuture<String>> queued = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                queued.add(single.submit(() -> Tasks.logThen(log, "queued ran", "queued")));
            }

            single.shutdownNow();

            for (TaskFuture<String> f : queued) {
                checkCancelled(f);
            }
            release.open();
            assertThat(single.awaitTermination(SHORT_TIMEOUT.toMillis(), MILLISECONDS)).isTrue();
            assertThat(log.entries()).as("cancelled tasks that ran anyway").isEmpty();
        } finally {
            release.open();
        }
    }

    /** shutdownNow() interrupts running tasks: a task blocked on a gate sees InterruptedException. */
    @Test
    void shutdownNowInterruptsRunningTasks() throws Exception {
        Gate started = newGate();
        Gate release = newGate();
        Gate interrupted = newGate();
        try {
            executor.submit(() -> Tasks.signalThenAwaitReportingInterrupt(started, release, interrupted));
            assertThat(started.await(SHORT_TIMEOUT)).isTrue();

            executor.shutdownNow();

            assertThat(interrupted.await(SHORT_TIMEOUT)).as("the running task saw an interrupt").isTrue();
            assertThat(executor.awaitTermination(SHORT_TIMEOUT.toMillis(), MILLISECONDS)).isTrue();
        } finally {
            release.open();
        }
    }

    // ------------------------------------------------------------------------------ Future.get

    /** Timed get() throws TimeoutException when the task is not done in time, and the task goes on. */
    @Test
    void timedGetThrowsTimeoutException() throws Exception {
        Gate started = newGate();
        Gate release = newGate();
        try {
            TaskFuture<String> f = executor.submit(() -> Tasks.signalThenAwait(started, release, "late"));
            long start = System.nanoTime();

            assertThatThrownBy(() -> f.get(EXPIRING_TIMEOUT.toMillis(), MILLISECONDS))
                    .isInstanceOf(TimeoutException.class);

            assertThat(millisSince(start)).isGreaterThanOrEqualTo(EXPIRING_TIMEOUT.toMillis());
            assertThat(f.isDone()).isFalse();
            release.open();
            assertThat(f.get(SHORT_TIMEOUT.toMillis(), MILLISECONDS)).isEqualTo("late");
        } finally {
            release.open();
        }
    }

    /** get() of a cancelled future throws CancellationException. */
    @Test
    void getOfCancelledFutureThrowsCancellationException() throws Exception {
        TaskExecutor single = extraExecutor(ExecutorSpec.workers(1));
        Gate started = newGate();
        Gate release = newGate();
        try {
            single.submit(() -> Tasks.signalThenAwait(started, release, "running"));
            assertThat(started.await(SHORT_TIMEOUT)).isTrue();
            TaskFuture<String> queued = single.submit(() -> "queued");

            assertThat(queued.cancel(false)).isTrue();

            assertThatThrownBy(queued::get).isInstanceOf(CancellationException.class);
            assertThatThrownBy(() -> queued.get(SHORT_TIMEOUT.toMillis(), MILLISECONDS))
                    .isInstanceOf(CancellationException.class);
        } finally {
            release.open();
        }
    }

    /** A thread blocked in get() that is interrupted gets InterruptedException. */
    @Test
    void interruptedGetThrowsInterruptedException() throws Exception {
        Gate started = newGate();
        Gate release = newGate();
        try {
            TaskFuture<String> f = executor.submit(() -> Tasks.signalThenAwait(started, release, "done"));
            TestThread getter = TestThread.start("blocked-get", () ->
                    assertThatThrownBy(f::get).isInstanceOf(InterruptedException.class));
            awaitBlocked(getter.thread);

            getter.thread.interrupt();

            getter.join();
        } finally {
            release.open();
        }
    }

    /** Interrupting a thread blocked in get() leaves the task running to its normal end. */
    @Test
    void interruptedGetLeavesTaskRunning() throws Exception {
        Gate started = newGate();
        Gate release = newGate();
        try {
            TaskFuture<String> f = executor.submit(() -> Tasks.signalThenAwait(started, release, "done"));
            assertThat(started.await(SHORT_TIMEOUT)).isTrue();
            TestThread getter = TestThread.start("blocked-get", () ->
                    assertThatThrownBy(f::get).isInstanceOf(InterruptedException.class));
            awaitBlocked(getter.thread);
            getter.thread.interrupt();
            getter.join();

            assertThat(f.status()).isEqualTo(TaskStatus.RUNNING);
            release.open();
            assertThat(f.result(SHORT_TIMEOUT)).isEqualTo("done");
            checkCompletedNormally(f, "done");
        } finally {
            release.open();
        }
    }

    // ------------------------------------------------------------------------------ cancel

    /** cancel(false) of a task that has not started returns true, and the task never runs. */
    @Test
    void cancelFalseOfPendingTaskSucceeds() throws Exception {
        TaskExecutor single = extraExecutor(ExecutorSpec.workers(1));
        Gate started = newGate();
        Gate release = newGate();
        SharedLog log = newLog();
        try {
            single.submit(() -> Tasks.signalThenAwait(started, release, "running"));
            assertThat(started.await(SHORT_TIMEOUT)).isTrue();
            TaskFuture<String> queued = single.submit(() -> Tasks.logThen(log, "queued ran", "queued"));

            assertThat(queued.cancel(false)).isTrue();

            checkCancelled(queued);
            release.open();
            single.shutdown();
            assertThat(single.awaitTermination(SHORT_TIMEOUT.toMillis(), MILLISECONDS)).isTrue();
            assertThat(log.entries()).as("a cancelled task ran anyway").isEmpty();
        } finally {
            release.open();
        }
    }

    /** cancel(false) of a running task returns false, and the task completes normally. */
    @Test
    void cancelFalseOfRunningTaskReturnsFalse() throws Exception {
        Gate started = newGate();
        Gate release = newGate();
        try {
            TaskFuture<String> f = executor.submit(() -> Tasks.signalThenAwait(started, release, "done"));
            assertThat(started.await(SHORT_TIMEOUT)).isTrue();

            assertThat(f.cancel(false)).isFalse();

            assertThat(f.status()).isEqualTo(TaskStatus.RUNNING);
            assertThat(f.isCancelled()).isFalse();
            release.open();
            assertThat(f.result(SHORT_TIMEOUT)).isEqualTo("done");
            checkCompletedNormally(f, "done");
        } finally {
            release.open();
        }
    }

    /** cancel(true) of a running task interrupts it: a task blocked on a gate sees InterruptedException. */
    @Test
    void cancelTrueOfRunningTaskInterruptsIt() throws Exception {
        Gate started = newGate();
        Gate release = newGate();
        Gate interrupted = newGate();
        try {
            TaskFuture<Object> f = executor.submit(
                    () -> Tasks.signalThenAwaitReportingInterrupt(started, release, interrupted));
            assertThat(started.await(SHORT_TIMEOUT)).isTrue();

            assertThat(f.cancel(true)).isTrue();

            assertThat(interrupted.await(SHORT_TIMEOUT)).as("the cancelled task saw an interrupt").isTrue();
        } finally {
            release.open();
        }
    }

    /** cancel(true) of a running task makes it CANCELLED at once, before the task has ended, and it stays so. */
    @Test
    void cancelTrueOfRunningTaskIsCancelledAtOnce() throws Exception {
        Gate started = newGate();
        Gate release = newGate();
        SharedLog log = newLog();
        try {
            // This task cannot end before the gate opens, whatever interrupts it gets.
            TaskFuture<String> f = executor.submit(
                    () -> Tasks.signalThenAwaitIgnoringInterrupts(started, release, log, "finished"));
            assertThat(started.await(SHORT_TIMEOUT)).isTrue();

            assertThat(f.cancel(true)).isTrue();

            checkCancelled(f);
            release.open();
            executor.shutdown();
            assertThat(executor.awaitTermination(SHORT_TIMEOUT.toMillis(), MILLISECONDS)).isTrue();
            checkCancelled(f);
        } finally {
            release.open();
        }
    }

    /** After cancel(true) of its running task, a worker runs the next task, and that task sees no interrupt. */
    @Test
    void workerRunsNextTaskAfterCancelTrue() throws Exception {
        TaskExecutor single = extraExecutor(ExecutorSpec.workers(1));
        Gate started = newGate();
        Gate release = newGate();
        try {
            // The task neither stops for the interrupt nor clears it: it is still pending when the
            // task ends, and only the worker can keep it from reaching the next task.
            TaskFuture<String> f = single.submit(() -> Tasks.signalThenPollUntilOpen(started, release, "ended"));
            assertThat(started.await(SHORT_TIMEOUT)).isTrue();
            assertThat(f.cancel(true)).isTrue();
            release.open();

            TaskFuture<Boolean> next = single.submit(Tasks::isInterrupted);

            assertThat(next.result(SHORT_TIMEOUT)).as("the next task's thread was interrupted").isFalse();
            checkCancelled(f);
        } finally {
            release.open();
        }
    }

    /** cancel(true) racing with a task's normal end never leaves an interrupt behind for the worker's next task. */
    @Test
    void cancelTrueRacingCompletionNeverInterruptsNextTask() throws Exception {
        TaskExecutor single = extraExecutor(ExecutorSpec.workers(1));
        for (int i = 0; i < 200; i++) {
            Gate started = newGate();
            Gate release = newGate();
            int value = i;
            TaskFuture<Integer> f = single.submit(() -> Tasks.signalThenPollUntilOpen(started, release, value));
            assertThat(started.await(SHORT_TIMEOUT)).isTrue();
            // Release the task and cancel it at a slightly different moment each round, so that
            // the interrupt lands before, while and after the task ends.
            release.open();
            for (int spin = 0; spin < 10 * (i % 20); spin++) {
                Thread.onSpinWait();
            }

            boolean cancelled = f.cancel(true);

            TaskFuture<Boolean> next = single.submit(Tasks::isInterrupted);
            assertThat(next.result(SHORT_TIMEOUT)).as("round %d: the next task's thread was interrupted", i).isFalse();
            if (cancelled) {
                checkCancelled(f);
            } else {
                checkCompletedNormally(f, value);
            }
        }
    }

    // ------------------------------------------------------------------------------ close

    /** close() returns only once the running tasks have finished, and leaves the executor terminated. */
    @Test
    void closeWaitsForRunningTasks() throws Exception {
        TaskExecutor e = executor;
        Gate started = newGate();
        Gate release = newGate();
        try {
            TaskFuture<String> f = e.submit(() -> Tasks.signalThenAwait(started, release, "done"));
            assertThat(started.await(SHORT_TIMEOUT)).isTrue();
            TestThread closer = TestThread.start("closer", () -> {
                e.close();
                assertThat(f.isDone()).as("task done when close() returned").isTrue();
            });
            awaitBlocked(closer.thread);

            assertThat(closer.thread.isAlive()).as("close() returned while a task was running").isTrue();
            release.open();
            closer.join();

            checkCompletedNormally(f, "done");
            assertThat(e.isTerminated()).isTrue();
        } finally {
            release.open();
        }
    }

    // ------------------------------------------------------------------------------ rejection

    /** submit(Runnable) after shutdown throws RejectedExecutionException. */
    @Test
    void submitRunnableAfterShutdownIsRejected() {
        executor.shutdown();

        assertThatThrownBy(() -> executor.submit((Runnable & Serializable) () -> { }))
                .isInstanceOf(RejectedExecutionException.class);
    }

    /** submit(Runnable, result) after shutdown throws RejectedExecutionException. */
    @Test
    void submitRunnableWithResultAfterShutdownIsRejected() {
        executor.shutdown();

        assertThatThrownBy(() -> executor.submit((Runnable & Serializable) () -> { }, "result"))
                .isInstanceOf(RejectedExecutionException.class);
    }

    /** submit(Callable) after shutdown throws RejectedExecutionException. */
    @Test
    void submitCallableAfterShutdownIsRejected() {
        executor.shutdown();

        assertThatThrownBy(() -> executor.submit((Callable<String> & Serializable) () -> "x"))
                .isInstanceOf(RejectedExecutionException.class);
    }

    /** submit(Task) after shutdown throws RejectedExecutionException. */
    @Test
    void submitTaskAfterShutdownIsRejected() {
        executor.shutdown();

        assertThatThrownBy(() -> executor.submit(() -> "x")).isInstanceOf(RejectedExecutionException.class);
    }

    /** execute() after shutdown throws RejectedExecutionException. */
    @Test
    void executeAfterShutdownIsRejected() {
        executor.shutdown();

        assertThatThrownBy(() -> executor.execute((Runnable & Serializable) () -> { }))
                .isInstanceOf(RejectedExecutionException.class);
    }

    /** invokeAll after shutdown throws RejectedExecutionException. */
    @Test
    void invokeAllAfterShutdownIsRejected() {
        executor.shutdown();

        assertThatThrownBy(() -> executor.invokeAll(List.of(task(() -> "x"))))
                .isInstanceOf(RejectedExecutionException.class);
    }

    /** Timed invokeAll after shutdown throws RejectedExecutionException. */
    @Test
    void timedInvokeAllAfterShutdownIsRejected() {
        executor.shutdown();

        assertThatThrownBy(() -> executor.invokeAll(List.of(task(() -> "x")), SHORT_TIMEOUT.toMillis(), MILLISECONDS))
                .isInstanceOf(RejectedExecutionException.class);
    }

    /** invokeAny after shutdown throws RejectedExecutionException. */
    @Test
    void invokeAnyAfterShutdownIsRejected() {
        executor.shutdown();

        assertThatThrownBy(() -> executor.invokeAny(List.of(task(() -> "x"))))
                .isInstanceOf(RejectedExecutionException.class);
    }

    /** Timed invokeAny after shutdown throws RejectedExecutionException. */
    @Test
    void timedInvokeAnyAfterShutdownIsRejected() {
        executor.shutdown();

        assertThatThrownBy(() -> executor.invokeAny(List.of(task(() -> "x")), SHORT_TIMEOUT.toMillis(), MILLISECONDS))
                .isInstanceOf(RejectedExecutionException.class);
    }

    /** map after shutdown throws RejectedExecutionException in the caller. */
    @Test
    void mapAfterShutdownIsRejected() {
        executor.shutdown();

        assertThatThrownBy(() -> executor.map(x -> Tasks.mul(x, 2), List.of(1, 2, 3)))
                .isInstanceOf(RejectedExecutionException.class);
    }

    /** submit after shutdownNow() throws RejectedExecutionException. */
    @Test
    void submitAfterShutdownNowIsRejected() {
        executor.shutdownNow();

        assertThatThrownBy(() -> executor.submit(() -> "x")).isInstanceOf(RejectedExecutionException.class);
    }

    /** submit after close() throws RejectedExecutionException. */
    @Test
    void submitAfterCloseIsRejected() {
        executor.close();

        assertThatThrownBy(() -> executor.submit(() -> "x")).isInstanceOf(RejectedExecutionException.class);
    }

    // ------------------------------------------------------------------------------ oracles

    /** A lambda as a {@link Task}, so that it is serializable and also a Callable. */
    private static <T> Task<T> task(Task<T> t) {
        return t;
    }

    /** The TCK's checkCompletedNormally: done, not cancelled, with {@code expected} from every getter. */
    private static <T> void checkCompletedNormally(Future<T> f, T expected) throws Exception {
        assertThat(f.isDone()).as("isDone of %s", f).isTrue();
        assertThat(f.isCancelled()).as("isCancelled of %s", f).isFalse();
        assertThat(f.cancel(false)).as("cancel(false) of completed %s", f).isFalse();
        assertThat(f.cancel(true)).as("cancel(true) of completed %s", f).isFalse();
        assertThat(f.get()).isEqualTo(expected);
        assertThat(f.get(0L, MILLISECONDS)).isEqualTo(expected);
        if (f instanceof TaskFuture) {
            assertThat(((TaskFuture<T>) f).status()).isEqualTo(TaskStatus.SUCCEEDED);
        }
    }

    /** The TCK's checkCancelled: done, cancelled, and every getter throws CancellationException. */
    private static void checkCancelled(Future<?> f) {
        assertThat(f.isDone()).as("isDone of %s", f).isTrue();
        assertThat(f.isCancelled()).as("isCancelled of %s", f).isTrue();
        assertThat(f.cancel(false)).as("cancel(false) of cancelled %s", f).isTrue();
        assertThatThrownBy(f::get).isInstanceOf(CancellationException.class);
        assertThatThrownBy(() -> f.get(0L, MILLISECONDS)).isInstanceOf(CancellationException.class);
        if (f instanceof TaskFuture) {
            assertThat(((TaskFuture<?>) f).status()).isEqualTo(TaskStatus.CANCELLED);
        }
    }

    private static LogRecord findThrown(LogCapture log, String message) {
        for (LogRecord r : log.records()) {
            if (r.getThrown() != null && message.equals(r.getThrown().getMessage())) {
                return r;
            }
        }
        return null;
    }

    private static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000L;
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

    /**
     * The TCK's waitForThreadToEnterWaitState: polls until {@code t} blocks (or ends); fails after
     * {@link #SHORT_TIMEOUT}.
     */
    private static void awaitBlocked(Thread t) {
        awaitCondition(t.getName() + " to block", () -> {
            Thread.State s = t.getState();
            return s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING
                    || s == Thread.State.BLOCKED || s == Thread.State.TERMINATED;
        });
    }

    /** A thread started by a test; {@link #join()} reports its failure to the test thread. */
    private static final class TestThread {
        /** The body: may throw anything, assertion errors included. */
        interface Body {
            void run() throws Throwable;
        }

        final Thread thread;
        private volatile Throwable failure;

        private TestThread(String name, Body body) {
            this.thread = new Thread(() -> {
                try {
                    body.run();
                } catch (Throwable e) {
                    failure = e;
                }
            }, name);
            this.thread.setDaemon(true);
        }

        static TestThread start(String name, Body body) {
            TestThread t = new TestThread(name, body);
            t.thread.start();
            return t;
        }

        /** Joins the thread; fails if it is still alive after {@link #SHORT_TIMEOUT} or if it failed. */
        void join() throws InterruptedException {
            thread.join(SHORT_TIMEOUT.toMillis());
            if (thread.isAlive()) {
                thread.interrupt();
                fail("%s still running after %s (a deadlock?)", thread.getName(), SHORT_TIMEOUT);
            }
            if (failure != null) {
                throw new AssertionError(thread.getName() + " failed: " + failure, failure);
            }
        }
    }
}
