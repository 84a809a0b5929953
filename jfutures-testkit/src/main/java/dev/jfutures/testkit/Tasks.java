package dev.jfutures.testkit;

import java.time.Duration;

/**
 * The module-level functions of CPython's tests ({@code mul}, {@code sleep_and_raise}, ...), as
 * static methods, so that suite lambdas capture only their arguments and stay serializable.
 */
public final class Tasks {

    private Tasks() {
    }

    /**
     * CPython's {@code mul}.
     *
     * @param x a factor
     * @param y a factor
     * @return x * y
     */
    public static int mul(int x, int y) {
        return x * y;
    }

    /**
     * CPython's {@code time.sleep} as a task: slow work, for tests that need a task to still run.
     *
     * @param d how long
     * @return null
     * @throws InterruptedException if interrupted
     */
    public static Object sleep(Duration d) throws InterruptedException {
        Thread.sleep(d.toMillis());
        return null;
    }

    /**
     * CPython's {@code sleep_and_raise}.
     *
     * @param d how long to sleep first
     * @return never
     * @throws Exception always, {@code Exception("this is an exception")}
     */
    public static Object sleepAndRaise(Duration d) throws Exception {
        Thread.sleep(d.toMillis());
        throw new Exception("this is an exception");
    }

    /**
     * Waits on a gate, then returns {@code value}.
     *
     * @param gate the gate
     * @param value the result
     * @param <T> the result type
     * @return value
     * @throws InterruptedException if interrupted
     */
    public static <T> T awaitThen(Gate gate, T value) throws InterruptedException {
        gate.await();
        return value;
    }
}
