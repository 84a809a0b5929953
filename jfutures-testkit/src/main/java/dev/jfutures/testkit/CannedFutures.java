package dev.jfutures.testkit;

import dev.jfutures.TaskFuture;
import dev.jfutures.TaskPromise;
import java.io.IOException;

/**
 * Futures in every state, as CPython's {@code util.py} builds them ({@code PENDING_FUTURE},
 * {@code RUNNING_FUTURE}, ...). Each call makes a new future, so tests never share state.
 * CPython's CANCELLED and CANCELLED_AND_NOTIFIED are one state here: a cancelled future is
 * done and visible to every waiter at once (CPython's defect D1).
 */
public final class CannedFutures {

    private CannedFutures() {
    }

    /**
     * PENDING_FUTURE.
     *
     * @return a pending future
     */
    public static TaskFuture<Object> pending() {
        return new TaskPromise<>().future();
    }

    /**
     * RUNNING_FUTURE.
     *
     * @return a running future (that no one will complete)
     */
    public static TaskFuture<Object> running() {
        TaskPromise<Object> p = new TaskPromise<>();
        p.setRunning();
        return p.future();
    }

    /**
     * CANCELLED_FUTURE and CANCELLED_AND_NOTIFIED_FUTURE.
     *
     * @return a cancelled future
     */
    public static TaskFuture<Object> cancelled() {
        TaskPromise<Object> p = new TaskPromise<>();
        p.cancel();
        return p.future();
    }

    /**
     * EXCEPTION_FUTURE: failed with an {@link IOException} (CPython's {@code OSError()}).
     *
     * @return a failed future
     */
    public static TaskFuture<Object> exception() {
        TaskPromise<Object> p = new TaskPromise<>();
        p.setRunning();
        p.setException(new IOException());
        return p.future();
    }

    /**
     * SUCCESSFUL_FUTURE: succeeded with 42.
     *
     * @return a successful future
     */
    public static TaskFuture<Object> successful() {
        TaskPromise<Object> p = new TaskPromise<>();
        p.setRunning();
        p.setResult(42);
        return p.future();
    }
}
