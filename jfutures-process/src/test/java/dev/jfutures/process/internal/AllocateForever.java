package dev.jfutures.process.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * The child JVM of {@link OutputPumpTest}'s real out-of-memory test: says a word on stderr, then
 * allocates until the heap is full, so that {@code -XX:+ExitOnOutOfMemoryError} ends it.
 */
public final class AllocateForever {

    /** What it prints on stderr before it allocates, for the stderr tail. */
    static final String LAST_WORDS = "allocating until the heap is full";

    private AllocateForever() {
    }

    /**
     * Allocates forever.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        System.err.println(LAST_WORDS);
        System.err.flush();
        List<long[]> kept = new ArrayList<>();
        while (true) {
            kept.add(new long[1 << 16]);
        }
    }
}
