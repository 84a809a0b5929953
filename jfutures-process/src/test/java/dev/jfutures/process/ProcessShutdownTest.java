package dev.jfutures.process;

import dev.jfutures.TaskExecutor;
import dev.jfutures.testkit.ExecutorSpec;
import dev.jfutures.testkit.Gate;
import dev.jfutures.testkit.LoopbackChannels;
import dev.jfutures.testkit.SharedLog;
import dev.jfutures.testkit.ShutdownTests;
import java.util.List;

/** Runs {@link ShutdownTests} on a {@link ProcessPool}: tasks in worker JVMs. */
class ProcessShutdownTest extends ShutdownTests {

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

    @Override
    protected List<String> exitProbe(String scenario) {
        return ProcessExitProbe.command(scenario);
    }
}
