package dev.jfutures.micrometer;

import dev.jfutures.Task;

/**
 * Tasks for the worker JVMs of a ProcessPool: made here, not in the test, so that a worker that
 * reads one loads this small class only (a lambda is rebuilt by the class that wrote it).
 */
final class ProcessTasks {

    private ProcessTasks() {
    }

    /** Returns x, or throws if x is the one that fails. */
    static Task<Integer> failOn(int x, int failing) {
        return () -> {
            if (x == failing) {
                throw new IllegalStateException("task " + x + " fails");
            }
            return x;
        };
    }
}
