package dev.jfutures.process;

import dev.jfutures.TaskExecutor;
import dev.jfutures.testkit.ExecutorKind;
import dev.jfutures.testkit.ExecutorSpec;
import dev.jfutures.testkit.ExitProbe;
import dev.jfutures.testkit.Gate;
import dev.jfutures.testkit.LoopbackChannels;
import dev.jfutures.testkit.SharedLog;
import java.util.List;

/**
 * The {@link ProcessPool} kind under test, for the testkit's suites ({@link ProcessConformanceTest})
 * and the pool's own ({@link ProcessTestBase}). Tasks run in worker JVMs, so gates and logs reach
 * back over loopback; what a pool can leak is a worker JVM.
 */
enum ProcessPoolKind implements ExecutorKind {

    /** The one process-pool kind. */
    INSTANCE;

    /** A pool for the spec, its workers started lazily. */
    @Override
    public TaskExecutor newExecutor(ExecutorSpec spec) {
        return Pools.process(spec);
    }

    /** A gate that tasks in worker JVMs reach over loopback. */
    @Override
    public Gate newGate() {
        return LoopbackChannels.newGate();
    }

    /** A log that tasks in worker JVMs reach over loopback. */
    @Override
    public SharedLog newLog() {
        return LoopbackChannels.newLog();
    }

    /** No worker JVM of the pool is left. */
    @Override
    public void assertNoLeaks(TaskExecutor e) {
        Pools.assertNoWorkersLeft(e);
    }

    /** {@link ExitProbe}'s scenarios with a pool of worker JVMs: {@link ProcessExitProbe}. */
    @Override
    public List<String> exitProbe(String scenario) {
        return ProcessExitProbe.command(scenario);
    }
}
