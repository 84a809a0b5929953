package dev.jfutures.process;

import dev.jfutures.TaskFuture;
import dev.jfutures.remote.TaskTimeoutException;

import java.time.Duration;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A call stolen for an idle worker keeps its own timeout. The steal sends CANCEL to the worker
 * holding the call; if the call ahead of it finishes before the worker's DROPPED arrives, the
 * stolen call is at the head of that worker's pipeline for a moment. It must not be taken for
 * running there (its timeout started, its future RUNNING): re-queued with that mark, it would run
 * on the thief with no timeout at all, and a runaway task would run forever. Seeded rounds aim at
 * that moment: two short tasks that end together, one per worker, and a runaway queued behind one
 * of them.
 */
class ProcessStealTimeoutTest extends ProcessTestBase {

    private static final Duration BUDGET = Duration.ofSeconds(15);
    private static final int ROUNDS = 40;
    private static final Duration TIMEOUT = Duration.ofMillis(150);
    /** A runaway not stopped by then lost its timeout. */
    private static final Duration DEADLINE = Duration.ofSeconds(10);

    @Test
    void aStolenCallKeepsItsTimeout() {
        ProcessPool p = pool(ProcessPool.builder().workers(2).prestart(true));
        long seed = Long.getLong("jfutures.stealSeed", 20261127L);
        SplittableRandom rnd = new SplittableRandom(seed);
        long end = System.nanoTime() + BUDGET.toNanos();
        int rounds = 0;
        while (rounds < ROUNDS && System.nanoTime() - end < 0) {
            long micros = 500 + rnd.nextInt(3000);
            long a = micros + rnd.nextInt(200);
            long b = micros + rnd.nextInt(200);
            TaskFuture<Long> first = p.submit(() -> Spin.micros(a));
            TaskFuture<Long> second = p.submit(() -> Spin.micros(b));
            TaskFuture<Long> runaway = p.submit(() -> Spin.forever(), TIMEOUT);
            Throwable e = runaway.exception(DEADLINE);
            assertThat(e).as("round %d (seed %d): the runaway ends by its own timeout", rounds, seed)
                    .isInstanceOf(TaskTimeoutException.class);
            assertThat(first.result(DEADLINE)).isEqualTo(a);
            assertThat(second.result(DEADLINE)).isEqualTo(b);
            rounds++;
        }
        assertThat(rounds).as("rounds within %s", BUDGET).isGreaterThan(5);
    }

    /** What the workers run. */
    static final class Spin {
        private Spin() {
        }

        /** Spins for {@code micros} and returns it. */
        static long micros(long micros) {
            long until = System.nanoTime() + micros * 1000L;
            while (System.nanoTime() - until < 0) {
                Thread.onSpinWait();
            }
            return micros;
        }

        /** Never returns: only a kill ends it. */
        static long forever() {
            for (;;) {
                Thread.onSpinWait();
            }
        }
    }
}
