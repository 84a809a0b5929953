package dev.jfutures.testkit;

import dev.jfutures.TaskExecutor;

/** {@link InitTests} on a ThreadPool of platform threads. */
class PlatformInitTest extends InitTests {

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
