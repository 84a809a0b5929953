package dev.jfutures;

import java.io.Serializable;
import java.util.concurrent.Callable;

/**
 * A call to run on an executor: a {@link Callable} that is also {@link Serializable}, so that a
 * lambda written where a {@code Task} is expected can be sent to a worker process or a cluster
 * member as well as run on a thread.
 *
 * <pre>{@code
 * TaskFuture<Integer> f = pool.submit(() -> 6 * 7);   // the lambda is a Task
 * }</pre>
 *
 * <p>On a thread pool nothing is serialized. On the process and cluster executors, everything the
 * lambda captures must be serializable too; capturing a non-serializable {@code this} is the usual
 * mistake, and such a task is refused at {@code submit}.
 *
 * @param <T> the result type
 * @since 0.1
 */
@FunctionalInterface
public interface Task<T> extends Callable<T>, Serializable {
    /**
     * Computes the result.
     *
     * @return the result, which may be null
     * @throws Exception any failure; it becomes the future's exception
     */
    @Override
    T call() throws Exception;
}
