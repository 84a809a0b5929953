package dev.jfutures.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jfutures.TaskFuture;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A worker that dies while idle costs no task: a task submitted after an idle worker was killed,
 * before the pool noticed, never ran on the dead worker, so it must run on a new one and return its
 * result, not fail with the dead worker's {@link WorkerDiedException}.
 *
 * <p>The kill (SIGKILL) and the submit race the pool's noticing the death: seeded rounds on a
 * 1-worker pool, each killing the idle worker and submitting right behind the kill, after a spin
 * of a random few microseconds; the first round whose task fails ends the test.
 */
class ProcessIdleWorkerDeathTest extends ProcessTestBase {

    private static final int ROUNDS = 12;

    /** A task submitted just after the idle worker was killed runs on a new worker and returns its result. */
    @Test
    void aTaskSubmittedJustAfterAnIdleWorkerDiedRunsOnANewWorker() {
        ProcessPool p = pool(ProcessPool.builder().workers(1));
        long seed = Long.getLong("jfutures.idleDeathSeed", 20260514L);
        SplittableRandom rnd = new SplittableRandom(seed);
        long idle = p.submit(() -> ProbeTasks.pid()).result(HANG);
        for (int round = 0; round < ROUNDS; round++) {
            long spinMicros = rnd.nextInt(100);
            kill9(idle);
            spin(spinMicros);
            TaskFuture<Long> f = p.submit(() -> ProbeTasks.pid());
            Throwable e = f.exception(HANG);
            assertThat(e).as("round %d (seed %d, spin %d us): a task submitted after idle worker pid %d was killed"
                    + " failed", round, seed, spinMicros, idle).isNull();
            long ranOn = f.result();
            assertThat(ranOn).as("round %d (seed %d): it ran on a new worker", round, seed).isNotEqualTo(idle);
            idle = ranOn;
        }
    }

    private static void spin(long micros) {
        long until = System.nanoTime() + micros * 1000L;
        while (System.nanoTime() - until < 0) {
            Thread.onSpinWait();
        }
    }
}
