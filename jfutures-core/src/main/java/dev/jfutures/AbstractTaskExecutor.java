package dev.jfutures;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A skeleton for {@link TaskExecutor}s: a subclass provides {@link #submit(Callable)}, the
 * life-cycle methods and its parallelism; this class derives the rest ({@code submit} of tasks and
 * runnables, {@code execute}, {@code map}, {@code invokeAll}, {@code invokeAny}, {@code close}).
 *
 * @since 0.1
 */
public abstract class AbstractTaskExecutor implements TaskExecutor {


    /**
     * For subclasses.
     *
     * @since 0.1
     */
    protected AbstractTaskExecutor() {
    }

    /**
     * How many tasks this executor runs at once, used for the default {@code map} buffer.
     *
     * @return the number of workers (may be large for unbounded executors)
     * @since 0.1
     */
    protected abstract int parallelism();

    // ------------------------------------------------------------------ JVM exit

    /**
     * Makes JVM exit wait for this executor's submitted tasks: at exit a shutdown hook calls
     * {@code shutdown(false, false)} and then {@link #awaitJvmExit()}. Call it when the executor
     * starts its first worker; {@link #releaseJvmExit()} when it has terminated.
     *
     * @return false if the JVM is already shutting down, so nothing could wait for new work: the
     *     caller should then refuse it
     * @since 0.1
     */
    protected final boolean holdJvmExit() {
        return JvmExit.register(this);
    }

    /**
     * Undoes {@link #holdJvmExit()}; call once the executor has terminated. Idempotent.
     *
     * @since 0.1
     */
    protected final void releaseJvmExit() {
        JvmExit.deregister(this);
    }

    /**
     * Whether the JVM has begun to shut down (jfutures' exit hook is running).
     *
     * @return true once JVM exit has begun
     * @since 0.1
     */
    protected static boolean jvmExiting() {
        return JvmExit.exiting();
    }

    /**
     * Waits, at JVM exit, for this executor to terminate. The default waits without limit;
     * executors override it to stop waiting for work that can never end there.
     *
     * @since 0.1
     */
    protected void awaitJvmExit() {
        try {
            awaitTermination(Long.MAX_VALUE, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------ submit

    @Override
    public <T> TaskFuture<T> submit(Task<T> task) {
        return submit((Callable<T>) task);
    }

    @Override
    public TaskFuture<?> submit(Runnable task) {
        return submit(new RunnableTask<>(Objects.requireNonNull(task, "task"), null));
    }

    @Override
    public <T> TaskFuture<T> submit(Runnable task, T result) {
        return submit(new RunnableTask<>(Objects.requireNonNull(task, "task"), result));
    }

    /**
     * Runs {@code command} with no future to report to: if it throws, the failure is logged
     * (logger {@code dev.jfutures}, level WARNING), since nobody else can see it.
     *
     * @param command the work
     * @throws NullPointerException if {@code command} is null
     * @throws java.util.concurrent.RejectedExecutionException if the executor is shut down
     * @since 0.1
     */
    @Override
    public void execute(Runnable command) {
        Objects.requireNonNull(command, "command");
        submit(command).addDoneCallback(f -> {
            if (f.status() == TaskStatus.FAILED) {
                Log.LOG.log(System.Logger.Level.WARNING, "a task given to execute() failed: " + command, f.exception());
            }
        });
    }

    @Override
    public <A, R> MapResults<R> map(TaskFunction<A, R> fn, Iterable<? extends A> inputs) {
        return map(fn, inputs, MapOptions.defaults());
    }

    @Override
    public <A, R> MapResults<R> map(TaskFunction<A, R> fn, Iterable<? extends A> inputs, MapOptions options) {
        int p = parallelism();
        int defaultBuffer = (int) Math.min(1024, Math.max(16, 4L * p));
        return new MapIterator<>(this, fn, inputs, options, defaultBuffer);
    }

    @Override
    public void shutdown() {
        shutdown(false, false);
    }

    @Override
    public void close() {
        shutdown(true, false);
    }

    // ------------------------------------------------------------------ invokeAll / invokeAny

    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks) throws InterruptedException {
        List<Future<T>> futures = submitAll(tasks);
        try {
            for (Future<T> f : futures) {
                awaitQuietly(f, false, 0L);
            }
            return futures;
        } catch (InterruptedException e) {
            cancelAll(futures);
            throw e;
        }
    }

    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException {
        Objects.requireNonNull(unit, "unit");
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        List<Future<T>> futures = submitAll(tasks);
        try {
            for (Future<T> f : futures) {
                if (!awaitQuietly(f, true, deadline - System.nanoTime())) {
                    cancelAll(futures);
                    break;
                }
            }
            return futures;
        } catch (InterruptedException e) {
            cancelAll(futures);
            throw e;
        }
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks) throws InterruptedException, ExecutionException {
        try {
            return doInvokeAny(tasks, false, 0L);
        } catch (TimeoutException cannotHappen) {
            throw new AssertionError(cannotHappen);
        }
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException, ExecutionException, TimeoutException {
        Objects.requireNonNull(unit, "unit");
        return doInvokeAny(tasks, true, unit.toNanos(timeout));
    }

    private <T> T doInvokeAny(Collection<? extends Callable<T>> tasks, boolean timed, long nanos)
            throws InterruptedException, ExecutionException, TimeoutException {
        Objects.requireNonNull(tasks, "tasks");
        if (tasks.isEmpty()) {
            throw new IllegalArgumentException("invokeAny needs at least one task");
        }
        long deadline = System.nanoTime() + nanos;
        LinkedBlockingQueue<TaskFuture<T>> done = new LinkedBlockingQueue<>();
        List<TaskFuture<T>> futures = new ArrayList<>(tasks.size());
        try {
            for (Callable<T> task : tasks) {
                futures.add(submit(Objects.requireNonNull(task, "tasks contains a null element")));
                futures.get(futures.size() - 1).addDoneCallback(done::add);
            }
            ExecutionException last = null;
            for (int remaining = futures.size(); remaining > 0; remaining--) {
                TaskFuture<T> f = timed ? done.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS) : done.take();
                if (f == null) {
                    throw new TimeoutException("no task of invokeAny succeeded within the timeout");
                }
                try {
                    return f.get();
                } catch (ExecutionException e) {
                    last = e;
                } catch (CancellationException e) {
                    last = new ExecutionException("task was cancelled", e);
                }
            }
            throw last;
        } finally {
            cancelAll(futures);
        }
    }

    private <T> List<Future<T>> submitAll(Collection<? extends Callable<T>> tasks) {
        Objects.requireNonNull(tasks, "tasks");
        List<Future<T>> futures = new ArrayList<>(tasks.size());
        try {
            for (Callable<T> task : tasks) {
                futures.add(submit(Objects.requireNonNull(task, "tasks contains a null element")));
            }
        } catch (RuntimeException | Error e) {
            cancelAll(futures);
            throw e;
        }
        return futures;
    }

    /** Waits for f; false on timeout. Task failures and cancellation count as done. */
    private static boolean awaitQuietly(Future<?> f, boolean timed, long nanos) throws InterruptedException {
        if (f.isDone()) {
            return true;
        }
        try {
            if (timed) {
                if (nanos <= 0L) {
                    return false;
                }
                f.get(nanos, TimeUnit.NANOSECONDS);
            } else {
                f.get();
            }
        } catch (ExecutionException | CancellationException e) {
            // done: the caller reads the outcome from the future
        } catch (TimeoutException e) {
            return false;
        }
        return true;
    }

    private static void cancelAll(List<? extends Future<?>> futures) {
        for (Future<?> f : futures) {
            f.cancel(true);
        }
    }

    /**
     * A Runnable as a Task; serializable when the runnable is.
     *
     * @param <T> the result's type
     */
    static final class RunnableTask<T> implements Task<T> {
        private static final long serialVersionUID = 1L;
        private final Runnable runnable;
        private final T result;

        RunnableTask(Runnable runnable, T result) {
            this.runnable = runnable;
            this.result = result;
        }

        @Override
        public T call() {
            runnable.run();
            return result;
        }

        @Override
        public String toString() {
            return runnable.toString();
        }
    }
}
