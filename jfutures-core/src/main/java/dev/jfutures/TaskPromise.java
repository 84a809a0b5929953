package dev.jfutures;

import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * The write side of a {@link TaskFuture}: whoever runs a call holds the promise and completes it;
 * everyone else gets only the {@link #future()}, which cannot be completed. Executors use this to
 * build their futures; tests and adapters may use it to make a future in any state.
 *
 * <pre>{@code
 * TaskPromise<String> p = new TaskPromise<>();
 * TaskFuture<String> f = p.future();     // hand this out
 * if (p.setRunning()) {                  // false: it was cancelled, do not run
 *     p.setResult(compute());            // or p.setException(e)
 * }
 * }</pre>
 *
 * <p>A second completion is refused: {@link #setResult} and {@link #setException} throw {@link
 * IllegalStateException} and the first outcome stands; {@link #trySetResult} and {@link
 * #trySetException} return false instead.
 *
 * <p>Memory consistency effects: actions in a thread before it completes the promise
 * happen-before actions that follow a successful wait on the future in another thread.
 *
 * @param <T> the result type
 * @since 0.1
 */
public final class TaskPromise<T> {

    private final PromiseFuture<T> future;

    static {
        // How backends in other packages attach telemetry without a public method for it.
        dev.jfutures.internal.Telemetry.promiseAccess(new dev.jfutures.internal.Telemetry.PromiseAccess() {
            @Override
            public void observe(TaskPromise<?> promise, dev.jfutures.internal.Telemetry telemetry,
                    dev.jfutures.internal.Telemetry.Trace trace) {
                promise.future.observe(telemetry, trace);
            }

            @Override
            public dev.jfutures.internal.Telemetry.Trace trace(TaskPromise<?> promise) {
                return promise.future.trace();
            }
        });
    }

    /**
     * Creates a pending promise.
     *
     * @since 0.1
     */
    public TaskPromise() {
        this.future = new PromiseFuture<>(null);
    }

    /**
     * Creates a pending promise whose future runs the done-callbacks added before it completes on
     * {@code callbackExecutor}, never on the thread that completes it: for an executor whose
     * completing thread must stay free (one that reads results from a socket), so that a slow
     * callback cannot hold up other results. Waiters still wake at once in the completing thread,
     * and a callback added once the future is done runs at once in the caller. The callbacks of
     * one future run in the order they were added, in one task on the executor; if it refuses
     * the task (it has shut down), they run in the completing thread.
     *
     * @param callbackExecutor runs the callbacks
     * @throws NullPointerException if {@code callbackExecutor} is null
     * @since 0.1
     */
    public TaskPromise(Executor callbackExecutor) {
        this(callbackExecutor, null);
    }

    /**
     * Creates a pending promise as {@link #TaskPromise(Executor)} does, whose future also lets a
     * thread that is about to block on it first wait in {@code helper}: for an executor that can
     * wake a waiting thread faster than a park can (by waiting on the channel its answer comes
     * from).
     *
     * @param callbackExecutor runs the callbacks
     * @param helper called once per wait, before the thread parks; null for none
     * @throws NullPointerException if {@code callbackExecutor} is null
     * @since 0.1
     */
    public TaskPromise(Executor callbackExecutor, BlockingHelper helper) {
        this.future = new PromiseFuture<>(null, Objects.requireNonNull(callbackExecutor, "callbackExecutor"), helper);
    }

    /**
     * What a thread does before it parks on a pending future, for executors whose answers come
     * through a channel a thread can wait on directly (a worker process's socket): waking from
     * such a wait can be much cheaper than waking from a park.
     *
     * @since 0.1
     */
    @FunctionalInterface
    public interface BlockingHelper {
        /**
         * Waits a while for the future to be done, or returns at once if it cannot help. It must
         * return promptly once the future is done, the deadline passes or the thread is
         * interrupted (keeping the interrupt status); the caller then parks as usual if the
         * future is still pending, so returning early is always safe.
         *
         * @param future the future the thread waits for
         * @param deadlineNanos the {@link System#nanoTime()} by which the wait ends, or {@link
         *     Long#MAX_VALUE} for none
         */
        void block(TaskFuture<?> future, long deadlineNanos);
    }

    /** A promise whose future reports waits that can never end to {@code guard}. */
    TaskPromise(WaitGuard guard) {
        this.future = new PromiseFuture<>(guard);
    }

    /**
     * The read side, to hand to callers.
     *
     * @return the future this promise completes
     * @since 0.1
     */
    public TaskFuture<T> future() {
        return future;
    }

    PromiseFuture<T> futureImpl() {
        return future;
    }

    /**
     * Marks the future RUNNING, unless it was cancelled. Call it right before running the task;
     * once it returns true, {@code cancel(false)} no longer succeeds.
     *
     * @return true if the task should run; false if the future was cancelled (do not run it)
     * @throws IllegalStateException if the future is already running or done otherwise than by
     *     cancellation
     * @since 0.1
     */
    public boolean setRunning() {
        return setRunning(null);
    }

    /**
     * Marks the future RUNNING, unless it was cancelled, with a way to stop the task: a later
     * {@code cancel(true)} calls {@code stopper} (for example, to interrupt the running thread) and
     * moves the future to CANCELLED at once.
     *
     * @param stopper stops the running task; null if it cannot be stopped (then {@code
     *     cancel(true)} on the running future returns false, as {@code cancel(false)} does)
     * @return true if the task should run; false if the future was cancelled
     * @throws IllegalStateException if the future is already running or done otherwise than by
     *     cancellation
     * @since 0.1
     */
    public boolean setRunning(Runnable stopper) {
        if (future.start(stopper)) {
            return true;
        }
        if (future.isCancelled()) {
            return false;
        }
        throw new IllegalStateException("cannot start a future that is " + future.status() + ": " + future);
    }

    /**
     * Completes the future with a result.
     *
     * @param value the result, may be null
     * @throws IllegalStateException if the future is already done (the first outcome stands)
     * @since 0.1
     */
    public void setResult(T value) {
        if (!trySetResult(value)) {
            throw new IllegalStateException("future already done: " + future);
        }
    }

    /**
     * Completes the future with an exception.
     *
     * @param exception the task's failure
     * @throws NullPointerException if {@code exception} is null
     * @throws IllegalStateException if the future is already done (the first outcome stands)
     * @since 0.1
     */
    public void setException(Throwable exception) {
        if (!trySetException(exception)) {
            throw new IllegalStateException("future already done: " + future);
        }
    }

    /**
     * Completes the future with a result, unless it is already done.
     *
     * @param value the result, may be null
     * @return true if this call completed the future
     * @since 0.1
     */
    public boolean trySetResult(T value) {
        return future.complete(value, PromiseFuture.SUCCEEDED);
    }

    /**
     * Completes the future with an exception, unless it is already done.
     *
     * @param exception the task's failure
     * @return true if this call completed the future
     * @throws NullPointerException if {@code exception} is null
     * @since 0.1
     */
    public boolean trySetException(Throwable exception) {
        Objects.requireNonNull(exception, "exception");
        return future.complete(exception, PromiseFuture.FAILED);
    }

    /**
     * Asked before a PENDING future is cancelled, by an executor that hands tasks ahead to a worker
     * it does not control (another process, another machine): it confirms with the worker that the
     * task will not start, so that a successful cancel always means the task never runs.
     *
     * @since 0.1
     */
    @FunctionalInterface
    public interface CancelGate {
        /**
         * Whether the pending task may be cancelled. It may block briefly (a round trip to the
         * worker); it is called outside any lock of the future, possibly by several threads at
         * once, and must answer alike for each.
         *
         * @return true if the task will not start (the cancel goes ahead); false if it has started
         *     or cannot be stopped from starting (the cancel fails, as for a running task)
         */
        boolean mayCancel();
    }

    /**
     * Installs the gate asked before the pending future is cancelled.
     *
     * @param gate the gate; null removes it
     * @since 0.1
     */
    public void setCancelGate(CancelGate gate) {
        future.cancelGate(gate);
    }

    /**
     * Cancels the pending future without asking its {@link CancelGate}: for the executor itself,
     * once it knows the task will never start (it took the task back from its worker, or never
     * sent it). Waiters wake and callbacks run as for any cancel.
     *
     * @return true if this call cancelled the future; false if it was no longer pending (running,
     *     done, or already cancelled)
     * @since 0.1
     */
    public boolean setCancelled() {
        return future.cancelPending();
    }

    /**
     * Cancels the future, as {@code future().cancel(false)}.
     *
     * @return what {@link TaskFuture#cancel(boolean)} returns
     * @since 0.1
     */
    public boolean cancel() {
        return future.cancel(false);
    }

    @Override
    public String toString() {
        return "TaskPromise[" + future + "]";
    }
}
