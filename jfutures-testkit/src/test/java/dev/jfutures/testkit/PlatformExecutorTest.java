package dev.jfutures.testkit;

import dev.jfutures.TaskExecutor;

/** {@link ExecutorTests} on a ThreadPool of platform threads. */
class PlatformExecutorTest extends ExecutorTests {

    @Override
    protected TaskExecutor newExecutor(ExecutorSpec spec) {
        return Pools.platform(spec);
    }

    @Override
    protected void assertNoLeaks(TaskExecutor e) {
        super.assertNoLeaks(e);
        Pools.assertNoThreadsLeft(e);
    }
}
