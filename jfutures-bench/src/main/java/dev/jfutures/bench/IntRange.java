package dev.jfutures.bench;

import java.util.Iterator;
import java.util.NoSuchElementException;

/** The boxed integers {@code 0..n-1}, lazily: the map input of both JVM subjects. */
final class IntRange implements Iterable<Integer> {
    private final int n;

    IntRange(int n) {
        this.n = n;
    }

    /** The sum of {@code 0..n-1}: what every case checks its results against. */
    static long sum(int n) {
        return (long) n * (n - 1) / 2;
    }

    static void check(String what, long sum, int n) {
        if (sum != sum(n)) {
            throw new AssertionError(what + ": results sum to " + sum + ", expected " + sum(n));
        }
    }

    @Override
    public Iterator<Integer> iterator() {
        return new Iterator<>() {
            private int i;

            @Override
            public boolean hasNext() {
                return i < n;
            }

            @Override
            public Integer next() {
                if (i >= n) {
                    throw new NoSuchElementException();
                }
                return i++;
            }
        };
    }
}
