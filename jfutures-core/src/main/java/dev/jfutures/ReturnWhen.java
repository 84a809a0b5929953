package dev.jfutures;

/**
 * When {@link Futures#wait} returns.
 *
 * @since 0.1
 */
public enum ReturnWhen {
    /** As soon as any future is done (succeeded, failed or cancelled). */
    FIRST_COMPLETED,
    /**
     * As soon as any future fails; a cancellation is not a failure. If none fails, this is
     * {@link #ALL_COMPLETED}.
     */
    FIRST_EXCEPTION,
    /** When every future is done. */
    ALL_COMPLETED
}
