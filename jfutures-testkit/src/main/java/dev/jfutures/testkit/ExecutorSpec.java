package dev.jfutures.testkit;

import dev.jfutures.TaskAction;

/**
 * What a suite asks of the executor under test: how many workers, and an optional initializer
 * (run once in every worker before its first task).
 *
 * @param workers the number of workers, at least 1
 * @param initializer the initializer, or null
 */
public record ExecutorSpec(int workers, TaskAction initializer) {

    /**
     * A spec with {@code workers} workers and no initializer.
     *
     * @param workers the number of workers
     * @return the spec
     */
    public static ExecutorSpec workers(int workers) {
        return new ExecutorSpec(workers, null);
    }

    /**
     * This spec with an initializer.
     *
     * @param initializer run once per worker
     * @return a new spec
     */
    public ExecutorSpec withInitializer(TaskAction initializer) {
        return new ExecutorSpec(workers, initializer);
    }
}
