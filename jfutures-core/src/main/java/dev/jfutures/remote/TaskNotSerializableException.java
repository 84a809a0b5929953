package dev.jfutures.remote;

/**
 * A task could not be serialized to go to a worker process; thrown by {@code submit}, in the
 * caller, before anything was queued. The message names the class that is not serializable and
 * what to change (the classic case: a lambda that captures a non-serializable {@code this}).
 *
 * @since 0.1
 */
public class TaskNotSerializableException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message which class and what to change
     * @param cause the codec's failure
     * @since 0.1
     */
    public TaskNotSerializableException(String message, Throwable cause) {
        super(message, cause);
    }
}
