package dev.jfutures;

/**
 * Thrown by {@link TaskFuture#result()} (and by {@link MapResults#next()} and {@link
 * Outcome#value()} at an element's position) when the task failed. The task's own exception is the {@linkplain #getCause() cause},
 * unchanged: the same instance as {@link TaskFuture#exception()} returns.
 *
 * @since 0.1
 */
public class TaskFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception for a task that threw {@code cause}.
     *
     * @param cause the task's exception
     * @since 0.1
     */
    public TaskFailedException(Throwable cause) {
        super("task failed: " + cause, cause);
    }

    /**
     * Creates the exception with a message of its own.
     *
     * @param message what failed
     * @param cause the task's exception
     * @since 0.1
     */
    public TaskFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
