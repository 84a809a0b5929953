package dev.jfutures;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * How {@link TaskExecutor#map} runs: an overall deadline, how many inputs each task takes, and how
 * many tasks may be in flight ahead of the caller (or all of them, {@link #eager()}). Immutable;
 * each setter returns a copy.
 *
 * <pre>{@code
 * MapOptions.defaults().bufferSize(64).chunkSize(100).timeout(Duration.ofMinutes(1))
 * MapOptions.defaults().eager()      // CPython's Executor.map: every input submitted at the call
 * }</pre>
 *
 * @since 0.1
 */
public final class MapOptions {

    private static final MapOptions DEFAULTS = new MapOptions(null, 1, 0, false);

    private final Duration timeout;
    private final int chunkSize;
    /** 0: the executor's default. Always 0 when eager. */
    private final int bufferSize;
    /** Every input submitted at the call; bufferSize is then 0 (the last of the two setters wins). */
    private final boolean eager;

    private MapOptions(Duration timeout, int chunkSize, int bufferSize, boolean eager) {
        this.timeout = timeout;
        this.chunkSize = chunkSize;
        this.bufferSize = bufferSize;
        this.eager = eager;
    }

    /**
     * No deadline, one input per task, the executor's default buffer.
     *
     * @return the default options
     * @since 0.1
     */
    public static MapOptions defaults() {
        return DEFAULTS;
    }

    /**
     * A deadline for the whole map, running from the call to {@code map}. When it passes while the
     * caller waits for the next result, that wait throws {@link WaitTimeoutException}, every task
     * not yet done is cancelled, and the iteration ends.
     *
     * <p>A negative timeout is zero, as for every wait in jfutures (and in CPython): results that
     * are not already there when the caller asks time out. {@link #timeout()} then reports zero.
     *
     * @param timeout the deadline from the call; zero or negative means results must already be
     *     there
     * @return a copy with the deadline
     * @throws NullPointerException if {@code timeout} is null
     * @since 0.1
     */
    public MapOptions timeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        // Stored as zero, so that timeout() reports the deadline in effect.
        return new MapOptions(timeout.isNegative() ? Duration.ZERO : timeout, chunkSize, bufferSize, eager);
    }

    /**
     * How many inputs each task takes. Larger chunks cut the per-task cost, which matters for
     * worker processes; results still come one by one, in input order, and a failing element
     * raises at its own position.
     *
     * @param chunkSize inputs per task, at least 1 (default 1)
     * @return a copy with the chunk size
     * @throws IllegalArgumentException if {@code chunkSize} is not positive
     * @since 0.1
     */
    public MapOptions chunkSize(int chunkSize) {
        if (chunkSize < 1) {
            throw new IllegalArgumentException("chunkSize must be at least 1, was " + chunkSize);
        }
        return new MapOptions(timeout, chunkSize, bufferSize, eager);
    }

    /**
     * How many tasks may be submitted ahead of the caller. The input is pulled lazily: {@code
     * bufferSize} tasks at the call, then one more each time the caller takes a result, so an
     * infinite input works and memory stays bounded. The default is four per worker, at least 16.
     * Setting it undoes {@link #eager()}.
     *
     * @param bufferSize tasks in flight, at least 1
     * @return a copy with the buffer size, lazy
     * @throws IllegalArgumentException if {@code bufferSize} is not positive
     * @since 0.1
     */
    public MapOptions bufferSize(int bufferSize) {
        if (bufferSize < 1) {
            throw new IllegalArgumentException("bufferSize must be at least 1, was " + bufferSize);
        }
        return new MapOptions(timeout, chunkSize, bufferSize, false);
    }

    /**
     * Submits every input at the call to {@code map}, as CPython's {@code Executor.map} does
     * without {@code buffersize}: the whole input is pulled and every task submitted before {@code
     * map} returns, so the tasks run whether or not the results are ever iterated (code that calls
     * {@code map} for its side effects). Results still come in input order, one by one. The cost is
     * CPython's: memory for every task's future at once, and an infinite input never returns.
     * Setting {@link #bufferSize(int)} afterwards makes the map lazy again; the last of the two
     * wins.
     *
     * <p>An eager map that is abandoned unclosed logs nothing: every input was submitted, so
     * nothing was silently left out (a lazy one logs a warning, see {@link MapResults}).
     *
     * @return a copy that submits every input at the call
     * @since 0.1
     */
    public MapOptions eager() {
        return new MapOptions(timeout, chunkSize, 0, true);
    }

    /**
     * Whether every input is submitted at the call ({@link #eager()}).
     *
     * @return true if eager; false if lazy and bounded by the buffer size (the default)
     * @since 0.1
     */
    public boolean isEager() {
        return eager;
    }

    /**
     * The deadline, if any.
     *
     * @return the timeout from the call to {@code map}
     * @since 0.1
     */
    public Optional<Duration> timeout() {
        return Optional.ofNullable(timeout);
    }

    /**
     * Inputs per task.
     *
     * @return the chunk size
     * @since 0.1
     */
    public int chunkSize() {
        return chunkSize;
    }

    /**
     * The buffer size, if set; empty means the executor's default, or an {@linkplain #isEager()
     * eager} map.
     *
     * @return the buffer size
     * @since 0.1
     */
    public OptionalInt bufferSize() {
        return bufferSize == 0 ? OptionalInt.empty() : OptionalInt.of(bufferSize);
    }

    @Override
    public String toString() {
        return "MapOptions[timeout=" + timeout + ", chunkSize=" + chunkSize + ", bufferSize="
                + (eager ? "eager" : bufferSize == 0 ? "default" : bufferSize) + "]";
    }
}
