package dev.jfutures.micrometer;

import static dev.jfutures.micrometer.Waits.HANG;
import static dev.jfutures.micrometer.Waits.awaitValue;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jfutures.TaskFuture;
import dev.jfutures.WorkerEvent;
import dev.jfutures.process.ProcessPool;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * ExecutorMetrics with a ProcessPool of one worker JVM. Runs on the class path (the pom says
 * why), where jfutures-process, a test dependency, can reach jfutures-core's internals.
 */
class ProcessPoolMetricsTest {

    private final MeterRegistry registry = new SimpleMeterRegistry();
    private ProcessPool pool;

    @AfterEach
    void shutdown() throws InterruptedException {
        if (pool != null) {
            pool.shutdown(false, true);
            assertThat(pool.awaitTermination(HANG, TimeUnit.SECONDS)).isTrue();
        }
    }

    /** A ProcessPool's meters are tagged kind=process and count the tasks of its worker JVM. */
    @Test
    void aProcessPoolsTasksAndWorkerAreCounted() throws Exception {
        pool = ProcessPool.builder().workers(1).classDataArchive(false).build();
        ExecutorMetrics.monitor(registry, pool, "jvms");
        Waits.Heard heard = new Waits.Heard();
        pool.addListener(heard);
        List<TaskFuture<Integer>> fs = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            fs.add(pool.submit(ProcessTasks.failOn(i, 4)));
        }
        for (TaskFuture<Integer> f : fs) {
            f.exception(Duration.ofSeconds(HANG));
        }
        heard.awaitFinished(6);
        assertThat(registry.get("executor.completed").tag("kind", "process").tag("name", "jvms").functionCounter())
                .isNotNull();
        awaitValue("executor.completed", () -> registry.get("executor.completed").functionCounter().count(), 6);
        assertThat(registry.get("executor.failed").functionCounter().count()).isEqualTo(1);
        assertThat(registry.get("executor.pool.size").gauge().value()).isEqualTo(1);
        assertThat(registry.get("executor").tag("outcome", "SUCCEEDED").timer().count()).isEqualTo(5);
        assertThat(registry.get("executor").tag("outcome", "FAILED").timer().count()).isEqualTo(1);
        assertThat(registry.get("executor.idle").timer().count()).isEqualTo(6);

        pool.shutdown(true, false);
        heard.awaitWorker(WorkerEvent.Kind.STOPPED, 1);
        assertThat(registry.get("executor.worker.events").tag("event", "STOPPED").counter().count()).isEqualTo(1);
    }
}
