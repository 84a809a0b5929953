package dev.jfutures;

import java.util.concurrent.RejectedExecutionException;

/**
 * The executor can no longer run tasks: its initializer failed, or its workers cannot be started.
 * Thrown by {@code submit} on a broken executor, and set (a new instance each) on every future
 * that was pending when it broke. The {@linkplain #getCause() cause} is what broke it.
 *
 * @since 0.1
 */
public class BrokenExecutorException extends RejectedExecutionException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what broke and what to change
     * @param cause what broke the executor, or null
     * @since 0.1
     */
    public BrokenExecutorException(String message, Throwable cause) {
        super(message, cause);
    }
}
