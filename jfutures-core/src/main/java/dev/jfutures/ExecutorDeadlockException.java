package dev.jfutures;

/**
 * A task running on a pool waited for a future of the same pool that could never start, because
 * every worker of the pool was already busy waiting: the wait would hang forever. Raise the pool's
 * {@code workers}, or do not wait inside the pool for work queued behind you.
 *
 * @since 0.1
 */
public class ExecutorDeadlockException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message which pool, which future, and what to change
     * @since 0.1
     */
    public ExecutorDeadlockException(String message) {
        super(message);
    }
}
