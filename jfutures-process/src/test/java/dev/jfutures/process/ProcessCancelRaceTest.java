package dev.jfutures.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.jfutures.TaskFuture;
import dev.jfutures.TaskStatus;
import dev.jfutures.testkit.Gate;
import dev.jfutures.testkit.SharedLog;
import dev.jfutures.testkit.Tasks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a cancel means when it races the worker: {@code cancel(false)} that returns true means the
 * task never ran, even when the worker ran it and died while the cancel was in flight; and {@code
 * cancel(true)} on a task just seen RUNNING interrupts it in its worker, however soon after the
 * task reached the worker it comes.
 */
class ProcessCancelRaceTest extends ProcessTestBase {

    private static final long TEST_PID = ProbeTasks.testPid();
    private static final int MIB = 1 << 20;

    // ------------------------------------------------------------------ cancel(false) in flight when the worker exits

    /** Rounds of the in-flight cancel; each in which the task runs costs a worker JVM. */
    private static final int CANCEL_ROUNDS = 6;
    /**
     * The task queued behind the cancelled one: big enough that the pool is still writing it to the
     * worker when the cancel is sent, so the CANCEL frame waits behind it on the channel.
     */
    private static final int BIG_TASK_BYTES = 64 * MIB;

    /** Creates {@code marker} (the record that it ran), then halts the JVM running it. */
    static Object markThenHalt(String marker, long testPid) throws IOException {
        ProbeTasks.refuseIn(testPid, "Runtime.halt()");
        Files.createFile(Path.of(marker));
        Runtime.getRuntime().halt(1);
        return null;
    }

    /** A cancel(false) in flight when the worker runs the task and dies returns true only if the task never ran. */
    @Test
    void cancelInFlightWhenTheWorkerExitsSucceedsOnlyIfTheTaskNeverRan(@TempDir Path dir) throws Exception {
        // On a 1-worker pool: B waits on a gate; C, sent ahead behind B, records that it ran and
        // halts the worker; D, behind C, is a 64 MiB task, so that the pool is still writing it when
        // C is cancelled and the CANCEL frame can reach the worker only after it. C is cancelled
        // while B runs, and B is released a seeded few microseconds after the cancel has begun: C
        // then starts in the worker while its cancel is in flight, and the worker dies before it
        // can answer. That cancel must fail (C ran); one that succeeds must leave no record of C.
        // (A cancel at a random moment 0 to 3 ms after B's release misses the window, 103 rounds
        // out of 103: the worker answers a CANCEL that reaches it in microseconds.)
        ProcessPool p = pool(ProcessPool.builder().workers(1).prestart(true));
        long seed = Long.getLong("jfutures.cancelRaceSeed", 20260514L);
        SplittableRandom rnd = new SplittableRandom(seed);
        long testPid = TEST_PID;
        for (int round = 0; round < CANCEL_ROUNDS; round++) {
            String marker = dir.resolve("c-ran-" + round).toString();
            Gate started = newGate();
            Gate release = newGate();
            TaskFuture<String> b = p.submit(() -> Tasks.signalThenAwait(started, release, "B"));
            assertThat(started.await(HANG)).as("B started").isTrue();
            TaskFuture<Object> c = p.submit(() -> markThenHalt(marker, testPid));
            byte[] big = new byte[BIG_TASK_BYTES];
            TaskFuture<Integer> d = p.submit(() -> big.length);

            AtomicReference<Object> cancelled = new AtomicReference<>();
            Thread canceller = new Thread(() -> {
                try {
                    cancelled.set(c.cancel(false));
                } catch (Throwable e) {
                    cancelled.set(e);
                }
            }, "cancel-race-canceller");
            canceller.start();
            awaitBlockedOrDone(canceller);
            spin(rnd.nextInt(200));
            release.open();
            canceller.join(HANG.toMillis());
            assertThat(canceller.isAlive()).as("round %d (seed %d): cancel(false) returned", round, seed).isFalse();
            if (cancelled.get() instanceof Throwable) {
                throw new AssertionError("round " + round + ": cancel(false) threw", (Throwable) cancelled.get());
            }

            assertThat(b.result(HANG)).isEqualTo("B");
            assertThat(d.result(HANG)).as("D, queued behind C").isEqualTo(BIG_TASK_BYTES);
            // Whatever happened to C happened before D ran: the worker runs its calls in order.
            boolean ran = Files.exists(Path.of(marker));
            if (Boolean.TRUE.equals(cancelled.get())) {
                assertThat(ran).as("round %d (seed %d): cancel(false) returned true and C is %s, yet C ran (and"
                        + " halted its worker)", round, seed, c.status()).isFalse();
                assertThat(c.status()).isEqualTo(TaskStatus.CANCELLED);
            } else {
                assertThat(c.status()).as("round %d (seed %d): C, not cancelled", round, seed)
                        .isNotEqualTo(TaskStatus.CANCELLED);
            }
        }
    }

    /**
     * Waits until a thread is blocked or has ended: here, until the cancel has begun its handshake
     * with the worker (or settled without one).
     */
    private static void awaitBlockedOrDone(Thread t) {
        awaitCondition(HANG, "the canceller blocked or done", () -> {
            Thread.State s = t.getState();
            return s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING || s == Thread.State.BLOCKED
                    || s == Thread.State.TERMINATED;
        });
    }

    private static void spin(long micros) {
        long until = System.nanoTime() + micros * 1000L;
        while (System.nanoTime() - until < 0) {
            Thread.onSpinWait();
        }
    }

    // ------------------------------------------------------------------ cancel(true) right after RUNNING

    /** Attempts of the early interrupt; each passing one takes milliseconds. */
    private static final int INTERRUPT_ROUNDS = 40;
    /** How long an interrupted task may take to say so (it is interrupted in a sleep). */
    private static final Duration INTERRUPT_DEADLINE = Duration.ofSeconds(20);

    /** Sleeps (10 minutes) until interrupted; then logs "interrupted" and returns. */
    static String sleepUntilInterrupted(SharedLog log) {
        try {
            Thread.sleep(Duration.ofMinutes(10).toMillis());
            return "slept";
        } catch (InterruptedException e) {
            log.append("interrupted");
            return "interrupted";
        }
    }

    /** cancel(true) right after the future turns RUNNING interrupts the task in its worker, which lives on. */
    @Test
    void cancelTrueRightAfterRunningInterruptsTheTaskInItsWorker() {
        ProcessPool p = pool(ProcessPool.builder().workers(1).prestart(true)
                .cancelGracePeriod(Duration.ofSeconds(30)));
        long pid = p.workerPids().get(0);
        for (int round = 0; round < INTERRUPT_ROUNDS; round++) {
            SharedLog log = newLog();
            TaskFuture<String> f = p.submit(() -> sleepUntilInterrupted(log));
            long deadline = System.nanoTime() + HANG.toNanos();
            while (f.status() != TaskStatus.RUNNING) {
                if (System.nanoTime() - deadline > 0) {
                    fail("round %d: the task not RUNNING within %s (status %s)", round, HANG, f.status());
                }
                Thread.onSpinWait();
            }

            assertThat(f.cancel(true)).as("round %d: cancel(true) of a running task", round).isTrue();

            int r = round;
            try {
                awaitCondition(INTERRUPT_DEADLINE, "interrupted", () -> log.entries().contains("interrupted"));
            } catch (AssertionError notInterrupted) {
                throw new AssertionError("round " + r + ": cancel(true) right after RUNNING did not interrupt the task"
                        + " in worker pid " + pid + " within " + INTERRUPT_DEADLINE + " (log " + log.entries() + ")",
                        notInterrupted);
            }
            assertThat(p.submit(() -> ProbeTasks.pid()).result(HANG)).as("round %d: the same worker runs the next task",
                    round).isEqualTo(pid);
        }
        assertThat(p.workerPids()).containsExactly(pid);
    }
}
