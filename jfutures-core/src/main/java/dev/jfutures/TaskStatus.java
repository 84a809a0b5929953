package dev.jfutures;

/**
 * The life of a {@link TaskFuture}.
 *
 * <pre>
 *   PENDING ──start──▶ RUNNING ──▶ SUCCEEDED | FAILED
 *      │                  │
 *      └──cancel──▶ CANCELLED ◀──cancel(true), where the executor can stop the task
 * </pre>
 *
 * A future may also be completed straight from {@code PENDING} (as CPython allows
 * {@code set_result} on a pending future). The three right-hand states are terminal.
 *
 * @since 0.1
 */
public enum TaskStatus {
    /** Submitted, not yet started; can still be cancelled. */
    PENDING,
    /** Started by a worker; {@code cancel(false)} no longer succeeds. */
    RUNNING,
    /** Finished with a result. */
    SUCCEEDED,
    /** Finished with an exception. */
    FAILED,
    /** Cancelled before it finished. */
    CANCELLED;

    /**
     * Whether this status is terminal.
     *
     * @return true for {@link #SUCCEEDED}, {@link #FAILED} and {@link #CANCELLED}
     * @since 0.1
     */
    public boolean isDone() {
        return this.compareTo(SUCCEEDED) >= 0;
    }
}
