package dev.jfutures.testkit;

import java.io.Serializable;
import java.time.Duration;

/**
 * A one-shot gate that tasks wait on until the test opens it: the latch of the suites, usable from
 * any executor (it is serializable, so a task in a worker process can capture it; the executor
 * kind's {@link ExecutorKind#newGate()} decides how it crosses process boundaries). Never a sleep.
 */
public interface Gate extends Serializable {

    /**
     * Blocks until the gate is open, at most {@code timeout}.
     *
     * @param timeout the longest wait
     * @return true if open, false on timeout
     * @throws InterruptedException if interrupted while waiting
     */
    boolean await(Duration timeout) throws InterruptedException;

    /**
     * Blocks until the gate is open, at most {@link ExecutorTestBase#LONG_TIMEOUT}.
     *
     * @throws InterruptedException if interrupted while waiting
     * @throws IllegalStateException if the gate did not open in that time
     */
    default void await() throws InterruptedException {
        if (!await(ExecutorTestBase.LONG_TIMEOUT)) {
            throw new IllegalStateException("gate not opened within " + ExecutorTestBase.LONG_TIMEOUT);
        }
    }

    /** Opens the gate; every waiter, present and future, passes. */
    void open();

    /**
     * Whether the gate is open.
     *
     * @return true once opened
     */
    boolean isOpen();
}
