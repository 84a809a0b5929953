package dev.jfutures.cluster;

import dev.jfutures.testkit.AsCompletedTests;
import dev.jfutures.testkit.BadInputTests;
import dev.jfutures.testkit.ExecutorKind;
import dev.jfutures.testkit.ExecutorServiceContractTests;
import dev.jfutures.testkit.ExecutorTests;
import dev.jfutures.testkit.FutureTests;
import dev.jfutures.testkit.InitTests;
import dev.jfutures.testkit.ShutdownTests;
import dev.jfutures.testkit.StressTests;
import dev.jfutures.testkit.WaitTests;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;

/**
 * Every conformance suite of the testkit that holds for any executor, on {@link ClusterPool}s:
 * tasks on the worker members of a local Hazelcast cluster ({@link ClusterPoolKind}).
 */
class ClusterConformanceTest {

    private static final ExecutorKind KIND = ClusterPoolKind.INSTANCE;

    @Nested class FutureTest extends FutureTests { FutureTest() { super(KIND); } }
    @Nested class WaitTest extends WaitTests { WaitTest() { super(KIND); } }
    @Nested class AsCompletedTest extends AsCompletedTests { AsCompletedTest() { super(KIND); } }
    @Nested class ExecutorTest extends ExecutorTests { ExecutorTest() { super(KIND); } }
    @Nested class ExecutorServiceContractTest extends ExecutorServiceContractTests { ExecutorServiceContractTest() { super(KIND); } }
    @Nested class ShutdownTest extends ShutdownTests { ShutdownTest() { super(KIND); } }
    @Nested class InitTest extends InitTests { InitTest() { super(KIND); } }
    @Nested @Tag("slow") class StressTest extends StressTests { StressTest() { super(KIND); } }
    @Nested class BadInputTest extends BadInputTests { BadInputTest() { super(KIND); } }
}
