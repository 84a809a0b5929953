package dev.jfutures.testkit;

import dev.jfutures.TaskExecutor;

/** Runs {@link ThreadPoolDeadlockTests} on a {@link dev.jfutures.ThreadPool} of platform threads. */
class PlatformThreadPoolDeadlockTest extends ThreadPoolDeadlockTests {

    /** A platform-thread pool for the spec. */
    @Override
    protected TaskExecutor newExecutor(ExecutorSpec spec) {
        return Pools.platform(spec);
    }

    /** Termination, and no thread of the pool left alive. */
    @Override
    protected void assertNoLeaks(TaskExecutor e) {
        super.assertNoLeaks(e);
        Pools.assertNoThreadsLeft(e);
    }
}
