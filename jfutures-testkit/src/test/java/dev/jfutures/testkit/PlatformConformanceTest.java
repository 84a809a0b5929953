package dev.jfutures.testkit;

import org.junit.jupiter.api.Nested;

/** Every conformance suite on {@link dev.jfutures.ThreadPool}s of platform threads. */
class PlatformConformanceTest {

    private static final ExecutorKind KIND = ThreadPoolKind.PLATFORM;

    @Nested class FutureTest extends FutureTests { FutureTest() { super(KIND); } }
    @Nested class WaitTest extends WaitTests { WaitTest() { super(KIND); } }
    @Nested class AsCompletedTest extends AsCompletedTests { AsCompletedTest() { super(KIND); } }
    @Nested class ExecutorTest extends ExecutorTests { ExecutorTest() { super(KIND); } }
    @Nested class ExecutorServiceContractTest extends ExecutorServiceContractTests { ExecutorServiceContractTest() { super(KIND); } }
    @Nested class ShutdownTest extends ShutdownTests { ShutdownTest() { super(KIND); } }
    @Nested class InitTest extends InitTests { InitTest() { super(KIND); } }
    @Nested class StressTest extends StressTests { StressTest() { super(KIND); } }
    @Nested class BadInputTest extends BadInputTests { BadInputTest() { super(KIND); } }
    @Nested class ThreadPoolTest extends ThreadPoolTests { ThreadPoolTest() { super(KIND); } }
    @Nested class ThreadPoolDeadlockTest extends ThreadPoolDeadlockTests { ThreadPoolDeadlockTest() { super(KIND); } }
}
