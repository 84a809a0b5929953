package dev.jfutures.testkit;

import dev.jfutures.TaskExecutor;
import java.util.List;

/** {@link ShutdownTests} on a ThreadPool of platform threads. */
class PlatformShutdownTest extends ShutdownTests {

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
    protected List<String> exitProbe(String scenario) {
        return ExitProbe.command("platform", scenario);
    }
}
