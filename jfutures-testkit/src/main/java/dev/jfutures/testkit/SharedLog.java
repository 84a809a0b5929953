package dev.jfutures.testkit;

import java.io.Serializable;
import java.util.List;

/**
 * An append-only log of strings that tasks write to and the test reads: CPython's tests record
 * what ran this way (a list, or a multiprocessing queue). Serializable, like {@link Gate}.
 */
public interface SharedLog extends Serializable {

    /**
     * Appends an entry.
     *
     * @param entry the entry
     */
    void append(String entry);

    /**
     * A snapshot of the entries so far, in append order.
     *
     * @return the entries
     */
    List<String> entries();
}
