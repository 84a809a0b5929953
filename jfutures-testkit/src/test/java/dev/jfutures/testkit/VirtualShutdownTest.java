package dev.jfutures.testkit;

import dev.jfutures.TaskExecutor;
import java.util.List;

/** {@link ShutdownTests} on a ThreadPool of virtual threads. */
@org.junit.jupiter.api.condition.EnabledForJreRange(min = org.junit.jupiter.api.condition.JRE.JAVA_21)
class VirtualShutdownTest extends ShutdownTests {

    @Override
    protected TaskExecutor newExecutor(ExecutorSpec spec) {
        return Pools.virtual(spec);
    }

    @Override
    protected void assertNoLeaks(TaskExecutor e) {
        super.assertNoLeaks(e);
        Pools.assertNoThreadsLeft(e);
    }

    @Override
    protected List<String> exitProbe(String scenario) {
        return ExitProbe.command("virtual", scenario);
    }
}
