package dev.jfutures.process;

import dev.jfutures.TaskExecutor;
import dev.jfutures.testkit.StressTests;
import dev.jfutures.testkit.ExecutorSpec;
import dev.jfutures.testkit.Gate;
import dev.jfutures.testkit.LoopbackChannels;
import dev.jfutures.testkit.SharedLog;

/** Runs {@link StressTests} on a {@link ProcessPool}: tasks in worker JVMs. */
class ProcessStressTest extends StressTests {

    @Override
    protected TaskExecutor newExecutor(ExecutorSpec spec) {
        return Pools.process(spec);
    }

    @Override
    protected Gate newGate() {
        return LoopbackChannels.newGate();
    }

    @Override
    protected SharedLog newLog() {
        return LoopbackChannels.newLog();
    }

    @Override
    protected void assertNoLeaks(TaskExecutor e) {
        super.assertNoLeaks(e);
        Pools.assertNoWorkersLeft(e);
    }
}
