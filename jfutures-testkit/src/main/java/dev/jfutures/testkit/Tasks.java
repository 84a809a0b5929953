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

    /**
     * Opens {@code started}, then waits on {@code release} and returns {@code value}: a task the
     * test knows to be running, and holds until it opens the gate.
     *
     * @param started opened as soon as the task runs
     * @param release the gate the task then waits on
     * @param value the result
     * @param <T> the result type
     * @return value
     * @throws InterruptedException if interrupted while waiting
     */
    public static <T> T signalThenAwait(Gate started, Gate release, T value) throws InterruptedException {
        started.open();
        release.await();
        return value;
    }

    /**
     * Opens {@code started}, then waits on {@code release}; if interrupted, opens {@code interrupted}
     * and rethrows: a running task that reports the interrupt it was stopped with.
     *
     * @param started opened as soon as the task runs
     * @param release the gate the task then waits on
     * @param interrupted opened if the wait is interrupted
     * @return null, once {@code release} opens
     * @throws InterruptedException if interrupted while waiting
     */
    public static Object signalThenAwaitReportingInterrupt(Gate started, Gate release, Gate interrupted)
            throws InterruptedException {
        started.open();
        try {
            release.await();
        } catch (InterruptedException e) {
            interrupted.open();
            throw e;
        }
        return null;
    }

    /**
     * Opens {@code started}, then waits on {@code release} through any number of interrupts,
     * appending {@code "interrupted"} to {@code log} for each, and returns {@code value}: a running
     * task that cannot be stopped.
     *
     * @param started opened as soon as the task runs
     * @param release the gate the task then waits on
     * @param log receives one {@code "interrupted"} per interrupt
     * @param value the result
     * @param <T> the result type
     * @return value
     */
    public static <T> T signalThenAwaitIgnoringInterrupts(Gate started, Gate release, SharedLog log, T value) {
        started.open();
        for (;;) {
            try {
                release.await();
                return value;
            } catch (InterruptedException e) {
                log.append("interrupted");
            }
        }
    }

    /**
     * Opens {@code started}, then polls {@code release} until it is open, never calling anything
     * that reacts to an interrupt, and returns {@code value}: a running task that neither stops for
     * an interrupt nor clears it, so the interrupt is still pending when the task ends.
     *
     * @param started opened as soon as the task runs
     * @param release the gate the task then polls
     * @param value the result
     * @param <T> the result type
     * @return value
     */
    public static <T> T signalThenPollUntilOpen(Gate started, Gate release, T value) {
        started.open();
        while (!release.isOpen()) {
            Thread.onSpinWait();
        }
        return value;
    }

    /**
     * Appends {@code entry} to {@code log} and returns {@code value}: a task whose run the test can
     * see.
     *
     * @param log the log
     * @param entry what to append
     * @param value the result
     * @param <T> the result type
     * @return value
     */
    public static <T> T logThen(SharedLog log, String entry, T value) {
        log.append(entry);
        return value;
    }

    /**
     * Waits on a gate, appends {@code entry} to {@code log}, and returns {@code value}.
     *
     * @param gate the gate
     * @param log the log
     * @param entry what to append once the gate is open
     * @param value the result
     * @param <T> the result type
     * @return value
     * @throws InterruptedException if interrupted while waiting (nothing is appended)
     */
    public static <T> T awaitThenLog(Gate gate, SharedLog log, String entry, T value) throws InterruptedException {
        gate.await();
        log.append(entry);
        return value;
    }

    /**
     * Waits on a gate, appends {@code entry} to {@code log}, and throws {@code failure}.
     *
     * @param gate the gate
     * @param log the log
     * @param entry what to append once the gate is open
     * @param failure what to throw
     * @param <T> the result type
     * @return never
     * @throws Exception {@code failure}, or InterruptedException if interrupted while waiting
     */
    public static <T> T awaitThenLogAndThrow(Gate gate, SharedLog log, String entry, Exception failure)
            throws Exception {
        gate.await();
        log.append(entry);
        throw failure;
    }

    /**
     * Whether the thread running the task has its interrupt status set, without clearing it: a
     * task that sees a stray interrupt left over from an earlier task.
     *
     * @return the interrupt status of the current thread
     */
    public static boolean isInterrupted() {
        return Thread.currentThread().isInterrupted();
    }

    // ------------------------------------------------------------------ executor.py, test_thread_pool.py,
    // test_shutdown.py, test_init.py helpers

    /**
     * CPython's {@code pow} on small ints.
     *
     * @param base the base
     * @param exponent the exponent, at least 0
     * @return base ** exponent
     */
    public static long pow(int base, int exponent) {
        long r = 1;
        for (int i = 0; i < exponent; i++) {
            r *= base;
        }
        return r;
    }

    /**
     * CPython's {@code divmod} on ints (floor division, as Python's).
     *
     * @param a the dividend
     * @param b the divisor
     * @return {@code [a // b, a % b]}
     * @throws ArithmeticException if {@code b} is 0 (CPython's {@code ZeroDivisionError})
     */
    public static java.util.List<Integer> divmod(int a, int b) {
        return java.util.List.of(Math.floorDiv(a, b), Math.floorMod(a, b));
    }

    /**
     * CPython's {@code operator.add}.
     *
     * @param a a term
     * @param b a term
     * @return a + b
     */
    public static int add(int a, int b) {
        return a + b;
    }

    /**
     * CPython's {@code timeout_on_one}: the callable itself raises a timeout for input 1.
     *
     * @param x the input
     * @return x
     * @throws java.util.concurrent.TimeoutException if {@code x == 1}
     */
    public static int timeoutOnOne(int x) throws java.util.concurrent.TimeoutException {
        if (x == 1) {
            throw new java.util.concurrent.TimeoutException("raised by the callable for input 1");
        }
        return x;
    }

    /**
     * Like {@link #timeoutOnOne}, but throws the library's own {@link dev.jfutures.WaitTimeoutException}
     * (as a task would that waited on another future with a timeout), the exception {@code map}
     * uses for its deadline.
     *
     * @param x the input
     * @return x
     */
    public static int waitTimeoutOnOne(int x) {
        if (x == 1) {
            throw new dev.jfutures.WaitTimeoutException("raised by the callable for input 1");
        }
        return x;
    }

    /**
     * CPython's {@code record_finished}: appends {@code String.valueOf(x)} to the log, returns x.
     *
     * @param log the log
     * @param x the input
     * @param <T> the input type
     * @return x
     */
    public static <T> T record(SharedLog log, T x) {
        log.append(String.valueOf(x));
        return x;
    }

    /**
     * CPython's {@code log_n_wait} of test_thread_pool.py: logs {@code ident='<ident>' started},
     * waits on the gate, and logs {@code ident='<ident>' stopped} however the wait ends.
     *
     * @param log the log
     * @param gate the stop event
     * @param ident the identity
     * @return null
     * @throws InterruptedException if interrupted
     */
    public static Object logNWait(SharedLog log, Gate gate, String ident) throws InterruptedException {
        log.append("ident='" + ident + "' started");
        try {
            gate.await();
        } finally {
            log.append("ident='" + ident + "' stopped");
        }
        return null;
    }

    /**
     * Opens {@code started} (so the test knows some task began), then sleeps: CPython's
     * {@code time.sleep} tasks where the test needs at least one of them to have started.
     *
     * @param started opened at the start
     * @param d how long to sleep
     * @return null
     * @throws InterruptedException if interrupted
     */
    public static Object signalThenSleep(Gate started, Duration d) throws InterruptedException {
        started.open();
        Thread.sleep(d.toMillis());
        return null;
    }
}
