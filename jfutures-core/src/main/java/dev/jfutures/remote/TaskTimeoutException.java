package dev.jfutures.remote;

import java.time.Duration;

/**
 * A task ran longer than its timeout, so the pool killed the worker JVM running it (a thread cannot
 * be stopped; a process can). The worker is replaced; tasks queued behind it run elsewhere.
 *
 * @since 0.1
 */
public class TaskTimeoutException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The timeout the task ran past. */
    private final Duration timeout;

    /**
     * Creates the exception.
     *
     * @param message what timed out
     * @param timeout the timeout it exceeded
     * @since 0.1
     */
    public TaskTimeoutException(String message, Duration timeout) {
        super(message);
        this.timeout = timeout;
    }

    /**
     * The timeout the task exceeded.
     *
     * @return the timeout
     * @since 0.1
     */
    public Duration timeout() {
        return timeout;
    }
}
