package dev.jfutures.process.internal;

import dev.jfutures.Task;

/**
 * The tasks of {@link WorkerArchiveTest}: in a class of their own, with no dependency but
 * jfutures-core, so that a jar of this one class (and the jfutures jars) is a worker classpath
 * without a directory, which a class-data archive needs.
 */
final class ArchiveTasks {

    private ArchiveTasks() {
    }

    /** A task that answers 42. */
    static Task<Integer> answer() {
        return () -> 42;
    }
}
