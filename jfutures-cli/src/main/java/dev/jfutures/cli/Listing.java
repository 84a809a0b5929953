package dev.jfutures.cli;

import java.io.Serializable;
import java.util.List;

/**
 * What one {@link ListDirectory} task found in one directory. Names only, not paths: the driver
 * knows the directory and joins them, so less crosses a process boundary.
 *
 * @param matches the names of the entries whose absolute path matched
 * @param subdirectories the names of the entries that are directories (not symbolic links to one)
 * @param subdirectoryCounts for each of {@code subdirectories}, in the same order, its own number of
 *     subdirectories, -1 if unknown (the next task's shortcut; see {@link LinkCounts#entry})
 * @param error null, or why the directory could not be read (or read to the end): returned as data,
 *     so that an unreadable directory is a warning and never a failed future
 */
record Listing(List<String> matches, List<String> subdirectories, int[] subdirectoryCounts, String error)
        implements Serializable {
    private static final long serialVersionUID = 1L;

    /**
     * A listing with no directory read: only an error.
     *
     * @param error why nothing could be read
     * @return the listing
     */
    static Listing failed(String error) {
        return new Listing(List.of(), List.of(), new int[0], error);
    }
}
