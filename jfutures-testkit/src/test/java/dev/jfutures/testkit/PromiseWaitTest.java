package dev.jfutures.testkit;

import static dev.jfutures.testkit.ExecutorTestBase.SHORT_TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jfutures.DoneAndNotDone;
import dev.jfutures.Futures;
import dev.jfutures.ReturnWhen;
import dev.jfutures.TaskFuture;
import dev.jfutures.TaskPromise;
import dev.jfutures.testkit.FutureTests.Side;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The {@link Futures#wait} semantics that jfutures pins beyond CPython and that need no executor:
 * on bare futures from {@link TaskPromise} and on other kinds of {@link Future}, so they run once
 * and not per executor kind. {@link WaitTests} has those on futures of an executor.
 */
class PromiseWaitTest {

    /**
     * A cancel wakes a thread blocked in {@code wait} without a timeout, and the cancelled future
     * is in {@code done} (CPython defect D1: cpython #87893, #109934, #92001; its wait never sees
     * a future cancelled outside an executor and hangs).
     */
    @Test
    void cancelWakesThreadBlockedInWait() throws Exception {
        TaskPromise<Integer> p = new TaskPromise<>();
        TaskFuture<Integer> pending = p.future();
        AtomicReference<DoneAndNotDone<TaskFuture<Integer>>> result = new AtomicReference<>();
        Side waiter = Side.start(() -> result.set(Futures.wait(List.of(pending))));
        boolean parked;
        boolean cancelled;
        try {
            parked = Side.awaitBlocked(waiter.thread(), SHORT_TIMEOUT);
            cancelled = pending.cancel(false);
        } catch (Throwable e) {
            waiter.abort();
            throw e;
        }
        waiter.joinWoken("a cancel did not wake the thread blocked in Futures.wait (no timeout)");
        assertThat(parked).as("wait() parked its thread before the cancel").isTrue();
        assertThat(cancelled).isTrue();
        assertThat(result.get().done()).containsExactly(pending);
        assertThat(result.get().notDone()).isEmpty();
    }

    /** wait refuses a future whose completion it cannot observe (a FutureTask) with IllegalArgumentException naming its class. */
    @Test
    void waitRefusesFutureTaskNamingItsClass() {
        FutureTask<Integer> task = new FutureTask<>(() -> 1);
        List<Future<Integer>> fs = List.of(CompletableFuture.completedFuture(1), task);

        assertThatThrownBy(() -> Futures.wait(fs))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(FutureTask.class.getName());
        assertThatThrownBy(() -> Futures.wait(fs, Duration.ZERO, ReturnWhen.FIRST_COMPLETED))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(FutureTask.class.getName());
    }

    /** wait on an empty collection returns two empty sets at once, whatever returnWhen. */
    @Test
    void waitOnEmptyCollectionReturnsTwoEmptySets() {
        for (ReturnWhen when : ReturnWhen.values()) {
            DoneAndNotDone<TaskFuture<Object>> r = Futures.wait(List.of(), when);
            assertThat(r.done()).as("%s", when).isEmpty();
            assertThat(r.notDone()).as("%s", when).isEmpty();
        }
        DoneAndNotDone<TaskFuture<Object>> r = Futures.wait(List.of(), Duration.ZERO);
        assertThat(r.done()).isEmpty();
        assertThat(r.notDone()).isEmpty();
    }
}
