package dev.jfutures;

/**
 * Lets a pool see its own workers block on its own futures, so that a wait that can never end
 * throws {@link ExecutorDeadlockException} instead of hanging.
 */
interface WaitGuard {
    /**
     * Called before the current thread parks, untimed, on {@code future}.
     *
     * @param future the future about to be waited on
     * @throws ExecutorDeadlockException if the wait could never end
     */
    void enterBlocked(PromiseFuture<?> future);

    /** Called after the park returns, whenever {@link #enterBlocked} returned normally. */
    void exitBlocked();
}
