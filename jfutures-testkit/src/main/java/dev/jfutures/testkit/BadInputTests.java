package dev.jfutures.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.jfutures.Futures;
import dev.jfutures.MapOptions;
import dev.jfutures.MapResults;
import dev.jfutures.ReturnWhen;
import dev.jfutures.Task;
import dev.jfutures.TaskFunction;
import dev.jfutures.TaskFuture;
import dev.jfutures.ThreadPool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/**
 * Bad arguments fail at once, in the caller, with an exception whose message names the parameter,
 * and leave the executor working: after each bad call the executor is not shut down and still
 * runs a task to its result.
 *
 * <p>The checks of {@link ThreadPool.Builder}'s arguments involve no executor under test: they
 * run once, in the testkit's own {@code ThreadPoolBuilderTest}.
 */
public abstract class BadInputTests extends ExecutorTestBase {

    /**
     * For the test class of one executor kind, which passes that kind.
     *
     * @param kind the executor kind under test
     * @since 0.1
     */
    protected BadInputTests(ExecutorKind kind) {
        super(kind);
    }

    // ------------------------------------------------------------------------------ submit

    /** submit(null Task) throws NullPointerException naming "task". */
    @Test
    void submitNullTaskThrowsNpeNamingTask() {
        assertFailsNaming(NullPointerException.class, "task", () -> executor.submit((Task<Object>) null));
        assertExecutorStillWorks();
    }

    /** submit(null Callable) throws NullPointerException naming "task". */
    @Test
    void submitNullCallableThrowsNpeNamingTask() {
        assertFailsNaming(NullPointerException.class, "task", () -> executor.submit((Callable<Object>) null));
        assertExecutorStillWorks();
    }

    /** submit(null Runnable) throws NullPointerException naming "task". */
    @Test
    void submitNullRunnableThrowsNpeNamingTask() {
        assertFailsNaming(NullPointerException.class, "task", () -> executor.submit((Runnable) null));
        assertExecutorStillWorks();
    }

    /** submit(null Runnable, result) throws NullPointerException naming "task". */
    @Test
    void submitNullRunnableWithResultThrowsNpeNamingTask() {
        assertFailsNaming(NullPointerException.class, "task", () -> executor.submit((Runnable) null, "result"));
        assertExecutorStillWorks();
    }

    /** execute(null) throws NullPointerException naming its parameter, "command". */
    @Test
    void executeNullThrowsNpeNamingCommand() {
        assertFailsNaming(NullPointerException.class, "command", () -> executor.execute(null));
        assertExecutorStillWorks();
    }

    /** invokeAll(null) throws NullPointerException naming "tasks". */
    @Test
    void invokeAllNullThrowsNpeNamingTasks() {
        assertFailsNaming(NullPointerException.class, "tasks", () -> executor.invokeAll(null));
        assertExecutorStillWorks();
    }

    /** invokeAny(null) throws NullPointerException naming "tasks". */
    @Test
    void invokeAnyNullThrowsNpeNamingTasks() {
        assertFailsNaming(NullPointerException.class, "tasks", () -> executor.invokeAny(null));
        assertExecutorStillWorks();
    }

    /** Timed invokeAll with a null unit throws NullPointerException naming "unit". */
    @Test
    void timedInvokeAllNullUnitThrowsNpeNamingUnit() {
        List<Callable<Integer>> tasks = List.of(task(() -> 1));
        assertFailsNaming(NullPointerException.class, "unit", () -> executor.invokeAll(tasks, 1, null));
        assertExecutorStillWorks();
    }

    // ------------------------------------------------------------------------------ the future

    /** addDoneCallback(null) throws NullPointerException naming "callback", and later callbacks still run. */
    @Test
    void addDoneCallbackNullThrowsNpeNamingCallback() throws InterruptedException {
        Gate gate = newGate();
        try {
            TaskFuture<Integer> f = executor.submit(() -> Tasks.awaitThen(gate, 7));

            assertFailsNaming(NullPointerException.class, "callback", () -> f.addDoneCallback(null));

            AtomicInteger calls = new AtomicInteger();
            java.util.concurrent.CountDownLatch ran = new java.util.concurrent.CountDownLatch(1);
            f.addDoneCallback(done -> {
                calls.incrementAndGet();
                ran.countDown();
            });
            gate.open();
            assertThat(f.result(SHORT_TIMEOUT)).isEqualTo(7);
            // On the completing thread or, for an executor that has one (a process pool), on its
            // callback thread: so wait for it rather than assume it ran before result() returned.
            assertThat(ran.await(SHORT_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)).isTrue();
            assertThat(calls).hasValue(1);
        } finally {
            gate.open();
        }
        assertExecutorStillWorks();
    }

    /** result(null) throws NullPointerException naming "timeout". */
    @Test
    void resultNullTimeoutThrowsNpeNamingTimeout() {
        TaskFuture<Integer> f = executor.submit(() -> 1);

        assertFailsNaming(NullPointerException.class, "timeout", () -> f.result(null));

        assertThat(f.result(SHORT_TIMEOUT)).isEqualTo(1);
        assertExecutorStillWorks();
    }

    /** exception(null) throws NullPointerException naming "timeout". */
    @Test
    void exceptionNullTimeoutThrowsNpeNamingTimeout() {
        TaskFuture<Integer> f = executor.submit(() -> 1);

        assertFailsNaming(NullPointerException.class, "timeout", () -> f.exception(null));

        assertThat(f.exception(SHORT_TIMEOUT)).isNull();
        assertExecutorStillWorks();
    }

    /** get(timeout, null) throws NullPointerException naming "unit". */
    @Test
    void getNullUnitThrowsNpeNamingUnit() {
        TaskFuture<Integer> f = executor.submit(() -> 1);

        assertFailsNaming(NullPointerException.class, "unit", () -> f.get(1, null));

        assertThat(f.result(SHORT_TIMEOUT)).isEqualTo(1);
        assertExecutorStillWorks();
    }

    // ------------------------------------------------------------------------------ map

    /** map(null fn, inputs) throws NullPointerException naming "fn". */
    @Test
    void mapNullFunctionThrowsNpeNamingFn() {
        assertFailsNaming(NullPointerException.class, "fn",
                () -> executor.map((TaskFunction<Integer, Integer>) null, List.of(1, 2)));
        assertExecutorStillWorks();
    }

    /** map(fn, null inputs) throws NullPointerException naming "inputs". */
    @Test
    void mapNullInputsThrowsNpeNamingInputs() {
        assertFailsNaming(NullPointerException.class, "inputs",
                () -> executor.map((Integer x) -> Tasks.mul(x, 2), null));
        assertExecutorStillWorks();
    }

    /** map(fn, inputs, null options) throws NullPointerException naming "options". */
    @Test
    void mapNullOptionsThrowsNpeNamingOptions() {
        assertFailsNaming(NullPointerException.class, "options",
                () -> executor.map((Integer x) -> Tasks.mul(x, 2), List.of(1, 2), null));
        assertExecutorStillWorks();
    }

    /** MapOptions.chunkSize(0) throws IllegalArgumentException naming "chunkSize". */
    @Test
    void mapOptionsChunkSizeZeroThrowsIaeNamingChunkSize() {
        assertFailsNaming(IllegalArgumentException.class, "chunkSize", () -> MapOptions.defaults().chunkSize(0));
        assertExecutorStillWorks();
    }

    /** MapOptions.chunkSize(-1) throws IllegalArgumentException naming "chunkSize". */
    @Test
    void mapOptionsChunkSizeNegativeThrowsIaeNamingChunkSize() {
        assertFailsNaming(IllegalArgumentException.class, "chunkSize", () -> MapOptions.defaults().chunkSize(-1));
        assertExecutorStillWorks();
    }

    /** MapOptions.bufferSize(0) throws IllegalArgumentException naming "bufferSize". */
    @Test
    void mapOptionsBufferSizeZeroThrowsIaeNamingBufferSize() {
        assertFailsNaming(IllegalArgumentException.class, "bufferSize", () -> MapOptions.defaults().bufferSize(0));
        assertExecutorStillWorks();
    }

    /** MapOptions.bufferSize(-1) throws IllegalArgumentException naming "bufferSize". */
    @Test
    void mapOptionsBufferSizeNegativeThrowsIaeNamingBufferSize() {
        assertFailsNaming(IllegalArgumentException.class, "bufferSize", () -> MapOptions.defaults().bufferSize(-1));
        assertExecutorStillWorks();
    }

    /** MapOptions.timeout(null) throws NullPointerException naming "timeout". */
    @Test
    void mapOptionsNullTimeoutThrowsNpeNamingTimeout() {
        assertFailsNaming(NullPointerException.class, "timeout", () -> MapOptions.defaults().timeout(null));
        assertExecutorStillWorks();
    }

    /** A refused MapOptions setting leaves the options it was called on unchanged and usable. */
    @Test
    void refusedMapOptionLeavesOptionsUsable() {
        MapOptions options = MapOptions.defaults().bufferSize(2);
        catchThrowable(() -> options.chunkSize(0));

        try (MapResults<Integer> results = executor.map((Integer x) -> Tasks.mul(x, 3), List.of(1, 2, 3), options)) {
            List<Integer> out = new ArrayList<>();
            results.forEachRemaining(out::add);
            assertThat(out).containsExactly(3, 6, 9);
        }
        assertThat(options.chunkSize()).isEqualTo(1);
        assertThat(options.bufferSize()).hasValue(2);
    }

    // ------------------------------------------------------------------------------ wait / asCompleted

    /** Futures.wait(fs, null returnWhen) throws NullPointerException naming "returnWhen". */
    @Test
    void waitNullReturnWhenThrowsNpeNamingReturnWhen() {
        List<TaskFuture<Integer>> fs = List.of(executor.submit(() -> 1));

        assertFailsNaming(NullPointerException.class, "returnWhen", () -> Futures.wait(fs, (ReturnWhen) null));

        assertExecutorStillWorks();
    }

    /** Futures.wait(fs, timeout, null returnWhen) throws NullPointerException naming "returnWhen". */
    @Test
    void timedWaitNullReturnWhenThrowsNpeNamingReturnWhen() {
        List<TaskFuture<Integer>> fs = List.of(executor.submit(() -> 1));

        assertFailsNaming(NullPointerException.class, "returnWhen", () -> Futures.wait(fs, SHORT_TIMEOUT, null));

        assertExecutorStillWorks();
    }

    /** Futures.wait with a null timeout throws NullPointerException naming "timeout". */
    @Test
    void waitNullTimeoutThrowsNpeNamingTimeout() {
        List<TaskFuture<Integer>> fs = List.of(executor.submit(() -> 1));

        assertFailsNaming(NullPointerException.class, "timeout", () -> Futures.wait(fs, (Duration) null));

        assertExecutorStillWorks();
    }

    /** Futures.asCompleted with a null timeout throws NullPointerException naming "timeout". */
    @Test
    void asCompletedNullTimeoutThrowsNpeNamingTimeout() {
        List<TaskFuture<Integer>> fs = List.of(executor.submit(() -> 1));

        assertFailsNaming(NullPointerException.class, "timeout", () -> Futures.asCompleted(fs, null));

        assertExecutorStillWorks();
    }

    /** Futures.wait over a collection with a null element throws NullPointerException naming "futures". */
    @Test
    void waitNullElementThrowsNpeNamingFutures() {
        List<TaskFuture<Integer>> fs = new ArrayList<>();
        fs.add(executor.submit(() -> 1));
        fs.add(null);

        assertFailsNaming(NullPointerException.class, "futures", () -> Futures.wait(fs));
        assertFailsNaming(NullPointerException.class, "futures",
                () -> Futures.wait(fs, SHORT_TIMEOUT, ReturnWhen.FIRST_COMPLETED));

        assertExecutorStillWorks();
    }

    /** Futures.asCompleted over a collection with a null element throws NullPointerException naming "futures". */
    @Test
    void asCompletedNullElementThrowsNpeNamingFutures() {
        List<TaskFuture<Integer>> fs = new ArrayList<>();
        fs.add(executor.submit(() -> 1));
        fs.add(null);

        assertFailsNaming(NullPointerException.class, "futures", () -> Futures.asCompleted(fs));
        assertFailsNaming(NullPointerException.class, "futures", () -> Futures.asCompleted(fs, SHORT_TIMEOUT));

        assertExecutorStillWorks();
    }

    /** Futures.wait and asCompleted of a null collection throw NullPointerException naming "futures". */
    @Test
    void waitAndAsCompletedNullCollectionThrowNpeNamingFutures() {
        assertFailsNaming(NullPointerException.class, "futures", () -> Futures.wait((Collection<TaskFuture<?>>) null));
        assertFailsNaming(NullPointerException.class, "futures",
                () -> Futures.asCompleted((Collection<TaskFuture<?>>) null));
        assertExecutorStillWorks();
    }

    /** A refused wait leaves the futures it was given waitable: a later wait on them sees them complete. */
    @Test
    void refusedWaitLeavesFuturesWaitable() throws InterruptedException {
        Gate gate = newGate();
        try {
            List<TaskFuture<Integer>> fs = List.of(
                    executor.submit(() -> Tasks.awaitThen(gate, 1)),
                    executor.submit(() -> Tasks.awaitThen(gate, 2)));
            catchThrowable(() -> Futures.wait(fs, (Duration) null));
            catchThrowable(() -> Futures.wait(fs, (ReturnWhen) null));

            gate.open();

            assertThat(Futures.wait(fs, SHORT_TIMEOUT).notDone()).isEmpty();
            assertThat(fs.get(0).result()).isEqualTo(1);
            assertThat(fs.get(1).result()).isEqualTo(2);
        } finally {
            gate.open();
        }
    }

    // ------------------------------------------------------------------------------ oracles

    /** A lambda as a {@link Task}, so that it is serializable and also a Callable. */
    private static <T> Task<T> task(Task<T> t) {
        return t;
    }

    /** The call throws {@code type} at once, and its message names {@code parameter} as a word. */
    static void assertFailsNaming(Class<? extends Throwable> type, String parameter, ThrowingCallable call) {
        Throwable thrown = catchThrowable(call);
        assertThat(thrown).as("what the bad call threw").isInstanceOf(type);
        assertThat(thrown.getMessage()).as("message of %s", thrown)
                .isNotNull()
                .containsPattern(Pattern.compile("\\b" + Pattern.quote(parameter) + "\\b"));
    }

    /** The executor is not shut down and still runs a task to its result. */
    private void assertExecutorStillWorks() {
        assertThat(executor.isShutdown()).as("executor shut down by a bad call").isFalse();
        assertThat(executor.submit(() -> Tasks.mul(6, 7)).result(SHORT_TIMEOUT)).isEqualTo(42);
    }
}
