package dev.jfutures;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * A handle to one call running elsewhere: on a thread, in a worker process, or on a cluster
 * member. The read side only; whoever runs the call completes it through a {@link TaskPromise}.
 *
 * <pre>
 *   PENDING ──started──▶ RUNNING ──▶ SUCCEEDED | FAILED
 *      │                    │
 *      └──cancel(any)──▶ CANCELLED ◀──cancel(true), where the executor can stop the task
 * </pre>
 *
 * <h2>Cancel</h2>
 * <table>
 *   <caption>what {@link #cancel(boolean)} does</caption>
 *   <tr><th>status</th><th>{@code cancel(false)}</th><th>{@code cancel(true)}</th></tr>
 *   <tr><td>PENDING</td><td>true, now CANCELLED</td><td>true, now CANCELLED</td></tr>
 *   <tr><td>RUNNING</td><td>false, unchanged</td><td>true, CANCELLED and the task is stopped
 *       (thread interrupted; worker process interrupted, then killed) where the executor can;
 *       otherwise false</td></tr>
 *   <tr><td>CANCELLED</td><td>true</td><td>true</td></tr>
 *   <tr><td>SUCCEEDED, FAILED</td><td>false</td><td>false</td></tr>
 * </table>
 * A cancel wakes everything that waits on the future: {@code result()}, {@code get()},
 * {@link Futures#wait}, {@link Futures#asCompleted} and the callbacks.
 *
 * <h2>Waiting</h2>
 * {@link #result()} returns the value or throws {@link TaskFailedException} (the task's exception is
 * its cause) or {@link CancellationException}; a timed wait that runs out throws {@link
 * WaitTimeoutException}, never confused with a task that itself timed out. {@link #get()} keeps the
 * JDK's checked contract. A negative timeout, in {@code result}, {@code exception} and {@code get}
 * alike, is zero: the wait polls once.
 *
 * <h2>Do / never do</h2>
 * <pre>{@code
 * f.addDoneCallback(done -> log(done));   // do: runs once, on the completing thread
 * f.addDoneCallback(done -> done.result()); // fine: done is done, this does not block
 * pool.submit(() -> other.result());     // never, on a 1-worker pool when other is queued behind
 *                                          // it: throws ExecutorDeadlockException instead of hanging
 * }</pre>
 *
 * <p>Memory consistency effects: actions of the task happen-before a successful return from
 * {@code result}, {@code exception}, {@code get} and the start of each done-callback.
 *
 * @param <T> the result type
 * @since 0.1
 */
public interface TaskFuture<T> extends Future<T> {

    /**
     * The current status.
     *
     * @return the status at the moment of the call
     */
    TaskStatus status();

    /**
     * Whether a worker has started the task and it has not finished.
     *
     * @return true only in {@link TaskStatus#RUNNING}
     */
    boolean isRunning();

    /**
     * Waits for the task and returns its result.
     *
     * @return the result
     * @throws TaskFailedException if the task failed; its cause is the task's exception
     * @throws CancellationException if the future was cancelled
     * @throws WaitInterruptedException if the waiting thread was interrupted
     * @throws ExecutorDeadlockException if called from a pool's worker on a future of the same pool
     *     that can never start
     */
    T result();

    /**
     * Waits at most {@code timeout} for the task and returns its result.
     *
     * @param timeout how long to wait; zero or negative polls once
     * @return the result
     * @throws WaitTimeoutException if the task is not done in time (the task goes on)
     * @throws TaskFailedException if the task failed; its cause is the task's exception
     * @throws CancellationException if the future was cancelled
     * @throws WaitInterruptedException if the waiting thread was interrupted
     * @throws NullPointerException if {@code timeout} is null
     */
    T result(Duration timeout);

    /**
     * Waits for the task and returns its exception.
     *
     * @return the task's exception, or null if it succeeded
     * @throws CancellationException if the future was cancelled
     * @throws WaitInterruptedException if the waiting thread was interrupted
     * @throws ExecutorDeadlockException if called from a pool's worker on a future of the same pool
     *     that can never start
     */
    Throwable exception();

    /**
     * Waits at most {@code timeout} for the task and returns its exception.
     *
     * @param timeout how long to wait; zero or negative polls once
     * @return the task's exception, or null if it succeeded
     * @throws WaitTimeoutException if the task is not done in time
     * @throws CancellationException if the future was cancelled
     * @throws WaitInterruptedException if the waiting thread was interrupted
     * @throws NullPointerException if {@code timeout} is null
     */
    Throwable exception(Duration timeout);

    /**
     * Adds a callback to run once this future is done. Callbacks run in the order added, exactly
     * once each, on the thread that completes (or cancels) the future; added to a future that is
     * already done, the callback runs at once in the calling thread. A callback that throws is
     * logged (logger {@code dev.jfutures}) and the others still run.
     *
     * <p>A callback runs on whatever thread completes the future, often a pool worker: keep it
     * short and do not block in it.
     *
     * @param callback receives this future, done
     * @return this future
     * @throws NullPointerException if {@code callback} is null
     */
    TaskFuture<T> addDoneCallback(Consumer<? super TaskFuture<T>> callback);

    /**
     * Adds a callback to run on {@code executor} once this future is done, as Guava's {@code
     * ListenableFuture.addListener(Runnable, Executor)}: for a callback that is slow, blocks, or
     * must run on a thread of its own choosing (a UI thread, an executor of its own).
     *
     * <p>When the future is done, the callback is handed to {@code executor} (one {@code
     * execute} per callback) at the point where {@link #addDoneCallback(Consumer)} would have run
     * it: in the order added, among the other callbacks, on the thread that completes the future
     * (or on the future's own callback executor, if its executor gave it one); added to a future
     * that is already done, it is handed over at once, in the calling thread. So the hand-overs
     * keep the order added; the runs keep whatever order {@code executor} gives them.
     *
     * <p>If {@code executor} refuses the callback ({@link
     * java.util.concurrent.RejectedExecutionException}), the refusal is logged (logger {@code
     * dev.jfutures}, level ERROR, naming the callback, the future and the executor), the callback
     * does not run, and the other callbacks still run. A callback that throws on the executor is
     * logged as for {@link #addDoneCallback(Consumer)} ({@code exception calling callback for
     * ...}).
     *
     * @param callback receives this future, done
     * @param executor runs the callback
     * @return this future
     * @throws NullPointerException if {@code callback} or {@code executor} is null
     * @since 0.1
     */
    TaskFuture<T> addDoneCallback(Consumer<? super TaskFuture<T>> callback, Executor executor);

    /**
     * A {@link CompletableFuture} that completes with this future's outcome: the result, the task's
     * exception (not wrapped), or a {@link CancellationException}. Cancelling the returned future
     * cancels this one (as {@code cancel(false)}). Each call returns a new view.
     *
     * @return a completable view of this future
     */
    CompletableFuture<T> toCompletableFuture();
}
