package dev.jfutures;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;

/**
 * Runs calls in the background and answers each with a {@link TaskFuture}: one interface over
 * threads ({@link ThreadPool}), worker processes and cluster members, so that the same code moves
 * between them by changing the line that builds the executor. It is an {@link ExecutorService},
 * so it drops into code written for {@code java.util.concurrent}.
 *
 * <pre>{@code
 * try (TaskExecutor pool = ThreadPool.builder().workers(4).build()) {
 *     List<TaskFuture<Long>> fs = new ArrayList<>();
 *     for (Path p : paths) {
 *         fs.add(pool.submit(() -> Files.size(p)));
 *     }
 *     for (TaskFuture<Long> f : Futures.asCompleted(fs)) {
 *         System.out.println(f.result());
 *     }
 * }
 * }</pre>
 *
 * <p>Memory consistency effects: actions in a thread before it submits a task happen-before the
 * task runs, and the task's actions happen-before the return of a wait on its future.
 *
 * @since 0.1
 */
public interface TaskExecutor extends ExecutorService, AutoCloseable {

    /**
     * Submits a call. A lambda written here is a {@link Task}, so it can also run in another
     * process.
     *
     * @param task the call
     * @param <T> the result type
     * @return its future, PENDING until a worker starts it
     * @throws NullPointerException if {@code task} is null
     * @throws RejectedExecutionException if the executor is shut down
     * @throws BrokenExecutorException if the executor is broken
     */
    <T> TaskFuture<T> submit(Task<T> task);

    /**
     * Submits a call.
     *
     * @param task the call
     * @param <T> the result type
     * @return its future
     * @throws NullPointerException if {@code task} is null
     * @throws RejectedExecutionException if the executor is shut down
     * @throws BrokenExecutorException if the executor is broken
     */
    @Override
    <T> TaskFuture<T> submit(Callable<T> task);

    /**
     * Submits an action; its future's result is null.
     *
     * @param task the action
     * @return its future
     * @throws NullPointerException if {@code task} is null
     * @throws RejectedExecutionException if the executor is shut down
     * @throws BrokenExecutorException if the executor is broken
     */
    @Override
    TaskFuture<?> submit(Runnable task);

    /**
     * Submits an action with a given result.
     *
     * @param task the action
     * @param result the future's result once the action has run
     * @param <T> the result type
     * @return its future
     * @throws NullPointerException if {@code task} is null
     * @throws RejectedExecutionException if the executor is shut down
     * @throws BrokenExecutorException if the executor is broken
     */
    @Override
    <T> TaskFuture<T> submit(Runnable task, T result);

    /**
     * Maps {@code fn} over {@code inputs} with the default options: see {@link #map(TaskFunction,
     * Iterable, MapOptions)}.
     *
     * @param fn the function
     * @param inputs the inputs, pulled lazily; may be infinite
     * @param <A> the input type
     * @param <R> the result type
     * @return the results, in input order
     * @throws NullPointerException if an argument is null
     * @throws RejectedExecutionException if the executor is shut down
     */
    <A, R> MapResults<R> map(TaskFunction<A, R> fn, Iterable<? extends A> inputs);

    /**
     * Maps {@code fn} over {@code inputs} in parallel and returns the results in input order,
     * lazily: at most {@link MapOptions#bufferSize(int) bufferSize} tasks are in flight, and the
     * input is pulled only as the caller takes results, so an infinite input works. A failed
     * element raises {@link TaskFailedException} at its position and the iteration goes on
     * ({@link MapResults#outcomes()} yields each element's outcome instead, for a for-each loop
     * that walks to the end); {@link MapResults#close()} cancels what has not started. Iterate the
     * results to the end or close them: lazy results abandoned otherwise are logged as a WARNING
     * naming this call's site. {@link MapOptions#eager()} submits every input at this call
     * instead, as CPython's {@code Executor.map}.
     *
     * @param fn the function
     * @param inputs the inputs, pulled lazily; may be infinite
     * @param options deadline, chunk size, buffer size
     * @param <A> the input type
     * @param <R> the result type
     * @return the results, in input order
     * @throws NullPointerException if an argument is null
     * @throws RejectedExecutionException if the executor is shut down
     */
    <A, R> MapResults<R> map(TaskFunction<A, R> fn, Iterable<? extends A> inputs, MapOptions options);

    /**
     * Stops taking tasks. Idempotent. With {@code cancelFutures}, every task that has not started
     * is cancelled (its waiters wake at once); running tasks finish. With {@code wait}, returns
     * once every remaining task has finished and the workers have stopped; otherwise at once, while
     * the workers finish the remaining tasks in the background.
     *
     * @param wait whether to wait for the remaining tasks and the workers
     * @param cancelFutures whether to cancel the tasks not yet started
     * @throws WaitInterruptedException if {@code wait} and the thread is interrupted while waiting
     *     (the executor is shut down all the same)
     */
    void shutdown(boolean wait, boolean cancelFutures);

    /**
     * Stops taking tasks, as {@code shutdown(false, false)}: queued tasks still run.
     */
    @Override
    void shutdown();

    /**
     * Shuts down and waits, as {@code shutdown(true, false)}: every submitted task finishes first.
     *
     * @throws WaitInterruptedException if the thread is interrupted while waiting
     */
    @Override
    void close();

    /**
     * A snapshot of this executor's work: tasks queued, running and done, and its workers (see
     * {@link ExecutorStats}).
     *
     * @return the snapshot
     * @throws UnsupportedOperationException if this executor keeps no statistics (jfutures' own
     *     executors all do)
     * @since 0.1
     */
    default ExecutorStats stats() {
        throw new UnsupportedOperationException(getClass().getName() + " keeps no statistics");
    }

    /**
     * Adds a listener for this executor's task and worker events, on the rule of {@link
     * ExecutorListener}: it hears of the tasks submitted from now on, on the executor's event
     * thread.
     *
     * @param listener the listener
     * @return closes to remove the listener (events already queued may still reach it)
     * @throws NullPointerException if {@code listener} is null
     * @throws UnsupportedOperationException if this executor has no events (jfutures' own
     *     executors all have them)
     * @since 0.1
     */
    default AutoCloseable addListener(ExecutorListener listener) {
        throw new UnsupportedOperationException(getClass().getName() + " has no events");
    }
}
