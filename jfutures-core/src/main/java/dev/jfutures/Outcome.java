package dev.jfutures;

import java.util.concurrent.CancellationException;

/**
 * What one input of a {@link TaskExecutor#map} came to: its result, or the exception it failed
 * with, at its position in the input. {@link MapResults#outcomes()} yields one per input, in input
 * order, so that a for-each loop walks past failed elements to the end:
 *
 * <pre>{@code
 * try (MapResults<Long> sizes = pool.map(Files::size, paths)) {
 *     for (Outcome<Long> o : sizes.outcomes()) {
 *         if (o.isSuccess()) {
 *             total += o.value();
 *         } else {
 *             log(paths.get((int) o.index()), o.exception());
 *         }
 *     }
 * }
 * }</pre>
 *
 * <p>Immutable.
 *
 * @param <T> the result type
 * @since 0.1
 */
public final class Outcome<T> {

    private final long index;
    private final T value;
    /** Null on success. */
    private final Throwable exception;
    /** The message of the TaskFailedException that value() throws; null for the default one. */
    private final String failureMessage;

    private Outcome(long index, T value, Throwable exception, String failureMessage) {
        this.index = index;
        this.value = value;
        this.exception = exception;
        this.failureMessage = failureMessage;
    }

    static <T> Outcome<T> success(long index, T value) {
        return new Outcome<>(index, value, null, null);
    }

    /** A failed or cancelled element; {@code message} null for TaskFailedException's own. */
    static <T> Outcome<T> failure(long index, Throwable exception, String message) {
        return new Outcome<>(index, null, exception, message);
    }

    /**
     * The position of the input this outcome is for: 0 for the first input, counted over the
     * whole input whatever the chunk size.
     *
     * @return the input's index, from 0
     * @since 0.1
     */
    public long index() {
        return index;
    }

    /**
     * Whether the element's task returned a result.
     *
     * @return true if it succeeded; false if it failed or was cancelled
     * @since 0.1
     */
    public boolean isSuccess() {
        return exception == null;
    }

    /**
     * The element's result, or the exception that {@link MapResults#next()} throws at this
     * position.
     *
     * @return the result (may be null, if the function returned null)
     * @throws TaskFailedException if the element failed; its cause is {@link #exception()}
     * @throws CancellationException if the element's task was cancelled
     * @since 0.1
     */
    public T value() {
        if (exception == null) {
            return value;
        }
        if (exception instanceof CancellationException) {
            // A new instance, so that its stack trace shows where the value was asked for.
            throw new CancellationException(exception.getMessage());
        }
        throw failureMessage == null
                ? new TaskFailedException(exception)
                : new TaskFailedException(failureMessage, exception);
    }

    /**
     * The element's failure, as {@link TaskFuture#exception()} gives a task's: the exception its
     * function threw; for a chunk whose task failed as a whole (its worker process died), that
     * task's exception, the same for each element of the chunk; a {@link CancellationException} if
     * the element's task was cancelled (returned, not thrown).
     *
     * @return the exception, or null if the element succeeded
     * @since 0.1
     */
    public Throwable exception() {
        return exception;
    }

    /**
     * The index and the result's class, or the exception, e.g. {@code Outcome[2: failed:
     * java.io.IOException: gone]}.
     *
     * @return a description
     * @since 0.1
     */
    @Override
    public String toString() {
        if (exception == null) {
            return "Outcome[" + index + ": " + (value == null ? "null" : value.getClass().getName()) + "]";
        }
        return "Outcome[" + index + ": " + (exception instanceof CancellationException ? "cancelled" : "failed: "
                + PromiseFuture.describe(exception)) + "]";
    }
}
