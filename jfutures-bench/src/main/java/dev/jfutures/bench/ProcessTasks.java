package dev.jfutures.bench;

import dev.jfutures.Task;
import dev.jfutures.TaskFunction;

/**
 * The tasks {@link ProcessBench} sends to worker JVMs, as serializable lambdas. They live in this
 * small class of their own because a worker loads (and initializes) a lambda's capturing class to
 * deserialize it: this one has no state and no dependencies.
 */
final class ProcessTasks {

    /** The identity, for {@code map}: CPython's {@code ident}. */
    static final TaskFunction<Integer, Integer> IDENTITY = x -> x;

    private ProcessTasks() {
    }

    /** A trivial task returning {@code x}: CPython's {@code submit(ident, x)}. */
    static Task<Integer> ident(Integer x) {
        return () -> x;
    }

    /** A CPU-bound task: {@link #spin(long)} of {@code n}. */
    static Task<Long> spinTask(long n) {
        return () -> spin(n);
    }

    /**
     * Arithmetic that the JIT can neither vectorize nor skip: a xorshift chain, each step depending
     * on the one before. About 2 ns a step here, so {@code n = 100_000_000} is about 200 ms.
     */
    static long spin(long n) {
        long x = 0x9E3779B97F4A7C15L;
        long s = 0;
        for (long i = 0; i < n; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            s += x;
        }
        return s;
    }
}
