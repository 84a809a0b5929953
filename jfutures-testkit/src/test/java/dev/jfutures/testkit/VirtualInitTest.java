package dev.jfutures.testkit;

import dev.jfutures.TaskExecutor;

/** {@link InitTests} on a ThreadPool of virtual threads. */
@org.junit.jupiter.api.condition.EnabledForJreRange(min = org.junit.jupiter.api.condition.JRE.JAVA_21)
class VirtualInitTest extends InitTests {

    @Override
    protected TaskExecutor newExecutor(ExecutorSpec spec) {
        return Pools.virtual(spec);
    }

    @Override
    protected void assertNoLeaks(TaskExecutor e) {
        super.assertNoLeaks(e);
        Pools.assertNoThreadsLeft(e);
    }
}
