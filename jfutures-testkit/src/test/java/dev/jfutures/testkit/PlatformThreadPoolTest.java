package dev.jfutures.testkit;

import dev.jfutures.TaskExecutor;

/** {@link ThreadPoolTests} on a ThreadPool of platform threads. */
class PlatformThreadPoolTest extends ThreadPoolTests {

    @Override
    protected TaskExecutor newExecutor(ExecutorSpec spec) {
        return Pools.platform(spec);
    }

    @Override
    protected void assertNoLeaks(TaskExecutor e) {
        super.assertNoLeaks(e);
        Pools.assertNoThreadsLeft(e);
    }

    @Override
    protected boolean virtualThreads() {
        return false;
    }
}
