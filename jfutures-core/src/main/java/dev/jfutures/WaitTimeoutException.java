package dev.jfutures;

/**
 * A wait ran out of time: {@link TaskFuture#result(java.time.Duration)}, an {@link
 * Futures#asCompleted} deadline, or a {@link MapOptions#timeout map} deadline. It says nothing
 * about the task itself, which may still be running; a task that itself throws a timeout
 * exception fails with {@link TaskFailedException} instead, so the two are never confused.
 *
 * @since 0.1
 */
public class WaitTimeoutException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what timed out, e.g. {@code "2 (of 4) futures unfinished"}
     * @since 0.1
     */
    public WaitTimeoutException(String message) {
        super(message);
    }
}
