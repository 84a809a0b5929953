package dev.jfutures.bench;

/**
 * One executor under test in {@link CoreBench}: the same five measurements written against its own
 * API. Every method checks its results (a wrong sum throws), so the JIT cannot drop the work.
 */
interface Subject extends AutoCloseable {

    /** The column name: {@code jfutures} or {@code juc}. */
    String name();

    /**
     * Submits {@code n} trivial tasks, then waits for each in submission order.
     *
     * @return tasks per second, submit of the first to the last result
     */
    double submitAll(int n) throws Exception;

    /**
     * {@code n} times: submit one trivial task and wait for its result.
     *
     * @return the {@code n} round-trip times, in nanoseconds
     */
    long[] roundTrip(int n) throws Exception;

    /**
     * Maps the identity over {@code 0..n-1} with at most {@code buffer} tasks in flight, consuming
     * the results in order.
     *
     * @return items per second
     */
    double map(int n, int buffer) throws Exception;

    /**
     * Submits {@code n} tasks that all wait on one latch; opens it and waits for all of them. The
     * clocks start right before the latch opens (opening it wakes the workers, which may take the
     * CPU from the caller at once) and stop when the wait returns.
     *
     * @return {wall milliseconds, CPU milliseconds of all JVM threads} over that window
     */
    double[] waitAll(int n) throws Exception;

    /**
     * As {@link #waitAll}, but iterates the futures in completion order and reads each result.
     *
     * @return {wall milliseconds, CPU milliseconds} from the opening of the latch to the last future
     */
    double[] asCompleted(int n) throws Exception;

    @Override
    void close();
}
