package dev.jfutures.testkit;

import dev.jfutures.TaskExecutor;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;

/** Runs {@link ThreadPoolDeadlockTests} on a {@link dev.jfutures.ThreadPool} of virtual threads (JDK 21+). */
@EnabledForJreRange(min = JRE.JAVA_21)
class VirtualThreadPoolDeadlockTest extends ThreadPoolDeadlockTests {

    /** A virtual-thread pool for the spec. */
    @Override
    protected TaskExecutor newExecutor(ExecutorSpec spec) {
        return Pools.virtual(spec);
    }

    /** Termination, and no thread of the pool left alive. */
    @Override
    protected void assertNoLeaks(TaskExecutor e) {
        super.assertNoLeaks(e);
        Pools.assertNoThreadsLeft(e);
    }
}
