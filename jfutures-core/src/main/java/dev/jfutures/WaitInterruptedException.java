package dev.jfutures;

/**
 * The thread waiting in {@link TaskFuture#result()}, {@link TaskFuture#exception()}, an
 * {@link Futures#asCompleted} iteration or a {@link MapResults} iteration was interrupted. The
 * thread's interrupt status is set again before this is thrown, so the interrupt is not lost. The
 * checked {@link java.util.concurrent.Future#get()} throws {@link InterruptedException} instead.
 *
 * @since 0.1
 */
public class WaitInterruptedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param cause the interrupt
     * @since 0.1
     */
    public WaitInterruptedException(InterruptedException cause) {
        super("interrupted while waiting for a future", cause);
    }
}
