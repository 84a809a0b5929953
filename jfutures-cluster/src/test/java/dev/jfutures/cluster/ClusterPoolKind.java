package dev.jfutures.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jfutures.TaskExecutor;
import dev.jfutures.testkit.ExecutorKind;
import dev.jfutures.testkit.ExecutorSpec;
import dev.jfutures.testkit.Gate;
import dev.jfutures.testkit.LoopbackChannels;
import dev.jfutures.testkit.SharedLog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The {@link ClusterPool} kind under test: each executor is a pool of its own on one local
 * cluster that the test JVM shares (two worker JVMs of three threads each, started on first use:
 * a cluster takes seconds to start, a pool on it none). Tasks run in the worker JVMs, so gates and
 * logs reach back over loopback; what a pool can leak is a thread of its own.
 */
enum ClusterPoolKind implements ExecutorKind {

    /** The one cluster-pool kind. */
    INSTANCE;

    /** Threads of the shared cluster: at least the suites' default of 5 workers. */
    static final int MEMBERS = 2;
    static final int THREADS_PER_MEMBER = 3;

    private static ClusterPool cluster;
    private static final AtomicInteger POOLS = new AtomicInteger();

    /** The shared cluster's own pool, started on first use and ended with the test JVM. */
    static synchronized ClusterPool cluster() {
        if (cluster == null) {
            cluster = ClusterPool.builder().localMembers(MEMBERS).threadsPerMember(THREADS_PER_MEMBER)
                    .name("conformance-cluster").build();
        }
        return cluster;
    }

    /** A pool of its own on the shared cluster, with the spec's initializer. */
    @Override
    public TaskExecutor newExecutor(ExecutorSpec spec) {
        ClusterPool c = cluster();
        return ClusterPool.builder().instance(c.hazelcastInstance()).key(c.runtimeKey()).maxParallel(spec.workers())
                .initializer(spec.initializer()).name("conformance-" + POOLS.incrementAndGet()).build();
    }

    @Override
    public Gate newGate() {
        return LoopbackChannels.newGate();
    }

    @Override
    public SharedLog newLog() {
        return LoopbackChannels.newLog();
    }

    /** No thread of the pool is left (its completion and timer threads carry its name). */
    @Override
    public void assertNoLeaks(TaskExecutor e) {
        String prefix = ((ClusterPool) e).runtimeName() + "-";
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        List<String> left = new ArrayList<>();
        for (Thread t : threads(prefix)) {
            try {
                t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + t.getName(), interrupted);
            }
            if (t.isAlive()) {
                left.add(t.getName());
            }
        }
        assertThat(left).as("threads of %s left after it terminated", e).isEmpty();
    }

    private static List<Thread> threads(String prefix) {
        List<Thread> out = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive() && t.getName().startsWith(prefix)) {
                out.add(t);
            }
        }
        return out;
    }

    /** {@code ExitProbe}'s scenarios with a local cluster of its own: {@link ClusterExitProbe}. */
    @Override
    public List<String> exitProbe(String scenario) {
        if (Runtime.version().feature() < 23) {
            return ClusterExitProbe.command(scenario);
        }
        // The probe's own JVM holds a Hazelcast node: on JDK 24+ the JDK warns on stderr when
        // Hazelcast first uses sun.misc.Unsafe, and the scenarios require stderr empty.
        List<String> c = new ArrayList<>(List.of("--sun-misc-unsafe-memory-access=allow"));
        c.addAll(ClusterExitProbe.command(scenario));
        return c;
    }
}
