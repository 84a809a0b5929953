package dev.jfutures.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jfutures.TaskExecutor;
import dev.jfutures.testkit.ExecutorSpec;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/** ProcessPools for the conformance suites, and the check that no worker JVM outlives its pool. */
final class Pools {

    private Pools() {
    }

    /** A process pool for the spec. */
    static ProcessPool process(ExecutorSpec spec) {
        ProcessPool.Builder b = ProcessPool.builder().workers(spec.workers());
        if (spec.initializer() != null) {
            b.initializer(spec.initializer());
        }
        return b.build();
    }

    /** The worker JVMs that are children of this JVM now. */
    static List<ProcessHandle> workerProcesses() {
        return ProcessHandle.current().children()
                .filter(p -> p.isAlive() && p.info().arguments().map(a -> List.of(a).contains(Worker.class.getName()))
                        .orElse(p.info().commandLine().map(c -> c.contains(Worker.class.getName())).orElse(false)))
                .collect(Collectors.toList());
    }

    /** After the pool terminated: no worker JVM of this JVM is alive (each gets 2 s to finish exiting). */
    static void assertNoWorkersLeft(TaskExecutor e) {
        assertThat(e.isTerminated()).as("terminated: %s", e).isTrue();
        long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        List<ProcessHandle> left = workerProcesses();
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            left.get(0).onExit().orTimeout(100, java.util.concurrent.TimeUnit.MILLISECONDS).exceptionally(t -> null).join();
            left = workerProcesses();
        }
        assertThat(left).as("worker JVMs left after %s terminated", e).isEmpty();
    }
}
