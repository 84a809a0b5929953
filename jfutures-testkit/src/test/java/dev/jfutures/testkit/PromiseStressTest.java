package dev.jfutures.testkit;

import static dev.jfutures.testkit.ExecutorTestBase.SHORT_TIMEOUT;
import static dev.jfutures.testkit.StressTests.FUTURES;
import static dev.jfutures.testkit.StressTests.addCountingCallback;
import static dev.jfutures.testkit.StressTests.announce;
import static dev.jfutures.testkit.StressTests.failureMessage;
import static dev.jfutures.testkit.StressTests.permutation;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jfutures.TaskFailedException;
import dev.jfutures.TaskFuture;
import dev.jfutures.TaskPromise;
import dev.jfutures.TaskStatus;
import dev.jfutures.testkit.StressTests.Race;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The completions of a bare {@link TaskPromise} racing each other while callbacks are added and a
 * waiter waits: exactly one wins, and everything that watches the future sees its outcome. No
 * executor is involved, so this runs once and not per executor kind; {@link StressTests} has the
 * races on futures of an executor, and says how seeds are chosen and rerun.
 */
class PromiseStressTest {

    /** setResult, setException and cancel racing on a promise: exactly one wins, and every callback and waiter sees its outcome. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("dev.jfutures.testkit.StressTests#seeds")
    void promiseCompletionRaceHasExactlyOneWinner(long seed) throws Exception {
        announce("promiseCompletionRaceHasExactlyOneWinner", seed);
        // Three racers meet before each promise (pending, running, or running and stoppable) and
        // complete it at once, each with tryXxx or setXxx at random: the losers' tryXxx return false
        // and their setXxx throw IllegalStateException, the winner's outcome stands, and every
        // callback (added before and during the race) runs once, seeing it, as does a waiter.
        Random rnd = new Random(seed);
        int n = FUTURES;
        List<TaskPromise<Integer>> ps = new ArrayList<>(n);
        Exception[] failures = new Exception[n];
        boolean[] throwingSetters = new boolean[n];
        boolean[] cancelInterrupts = new boolean[n];
        // wins[3 * i + r]: racer r (0 result, 1 exception, 2 cancel) won promise i.
        AtomicIntegerArray wins = new AtomicIntegerArray(3 * n);
        AtomicIntegerArray callbackCalls = new AtomicIntegerArray(2 * n);
        AtomicReferenceArray<TaskStatus> callbackSaw = new AtomicReferenceArray<>(2 * n);
        for (int i = 0; i < n; i++) {
            TaskPromise<Integer> p = new TaskPromise<>();
            switch (rnd.nextInt(3)) {
                case 0 -> { } // pending
                case 1 -> p.setRunning(); // running, cannot be stopped: cancel(true) fails
                default -> p.setRunning(() -> { }); // running, stoppable: cancel(true) wins
            }
            ps.add(p);
            failures[i] = new IllegalStateException(failureMessage(i));
            throwingSetters[i] = rnd.nextBoolean();
            cancelInterrupts[i] = rnd.nextBoolean();
            addCountingCallback(p.future(), 2 * i, callbackCalls, callbackSaw);
        }
        // The three racers meet before each promise, so that they really race on every one.
        Race race = new Race(rnd, 0);
        Lockstep lockstep = new Lockstep(3, race);
        race.thread("setResult", () -> {
            for (int i = 0; i < n; i++) {
                lockstep.arrive(i);
                TaskPromise<Integer> p = ps.get(i);
                if (!throwingSetters[i]) {
                    wins.set(3 * i, p.trySetResult(i) ? 1 : 0);
                } else {
                    try {
                        p.setResult(i);
                        wins.set(3 * i, 1);
                    } catch (IllegalStateException lost) {
                        // lost: the winner's outcome is checked below
                    }
                }
            }
        });
        race.thread("setException", () -> {
            for (int i = 0; i < n; i++) {
                lockstep.arrive(i);
                TaskPromise<Integer> p = ps.get(i);
                if (!throwingSetters[i]) {
                    wins.set(3 * i + 1, p.trySetException(failures[i]) ? 1 : 0);
                } else {
                    try {
                        p.setException(failures[i]);
                        wins.set(3 * i + 1, 1);
                    } catch (IllegalStateException lost) {
                        // lost: the winner's outcome is checked below
                    }
                }
            }
        });
        race.thread("cancel", () -> {
            for (int i = 0; i < n; i++) {
                lockstep.arrive(i);
                TaskPromise<Integer> p = ps.get(i);
                boolean won = cancelInterrupts[i] ? p.future().cancel(true) : p.cancel();
                wins.set(3 * i + 2, won ? 1 : 0);
            }
        });
        race.thread("late-callbacks", () -> {
            for (int i = 0; i < n; i++) {
                addCountingCallback(ps.get(i).future(), 2 * i + 1, callbackCalls, callbackSaw);
            }
        });
        int[] order = permutation(n, rnd);
        race.thread("waiter", () -> {
            for (int i : order) {
                TaskFuture<Integer> f = ps.get(i).future();
                try {
                    Integer v = f.result(SHORT_TIMEOUT);
                    assertThat(v).isEqualTo(i);
                    assertThat(f.status()).isEqualTo(TaskStatus.SUCCEEDED);
                } catch (TaskFailedException e) {
                    assertThat(e.getCause()).isSameAs(failures[i]);
                    assertThat(f.status()).isEqualTo(TaskStatus.FAILED);
                } catch (CancellationException e) {
                    assertThat(f.status()).isEqualTo(TaskStatus.CANCELLED);
                }
            }
        });

        race.go();
        race.joinAll();

        int[] byRacer = new int[3];
        for (int i = 0; i < n; i++) {
            int winner = -1;
            for (int r = 0; r < 3; r++) {
                if (wins.get(3 * i + r) == 1) {
                    assertThat(winner).as("promise %d won by racers %d and %d", i, winner, r).isEqualTo(-1);
                    winner = r;
                }
            }
            assertThat(winner).as("promise %d won by nobody", i).isNotEqualTo(-1);
            byRacer[winner]++;
            TaskFuture<Integer> f = ps.get(i).future();
            TaskStatus expected = winner == 0 ? TaskStatus.SUCCEEDED
                    : winner == 1 ? TaskStatus.FAILED : TaskStatus.CANCELLED;
            assertThat(f.status()).as("status of promise %d", i).isEqualTo(expected);
            if (winner == 0) {
                assertThat(f.result()).isEqualTo(i);
            } else if (winner == 1) {
                assertThat(f.exception()).isSameAs(failures[i]);
            }
            for (int k = 0; k < 2; k++) {
                assertThat(callbackCalls.get(2 * i + k)).as("calls of callback %d of promise %d", k, i).isEqualTo(1);
                assertThat(callbackSaw.get(2 * i + k)).as("status callback %d of promise %d saw", k, i)
                        .isEqualTo(expected);
            }
        }
        assertThat(byRacer[0] + byRacer[1] + byRacer[2]).isEqualTo(n);
    }

    /**
     * A spinning barrier for a fixed set of threads that meet once per round: cheap enough to
     * meet before each of thousands of promises, so that the threads act on each at the same time.
     */
    private static final class Lockstep {
        private final int parties;
        private final Race race;
        private final AtomicLong arrivals = new AtomicLong();

        /** Parties of {@code race}; they stop waiting for each other once a thread of it has failed. */
        Lockstep(int parties, Race race) {
            this.parties = parties;
            this.race = race;
        }

        /** Returns once every party has arrived for {@code round} (rounds counted from 0, in order). */
        void arrive(int round) {
            long target = (long) parties * (round + 1);
            arrivals.incrementAndGet();
            long deadline = System.nanoTime() + SHORT_TIMEOUT.toNanos();
            for (int spins = 0; arrivals.get() < target; spins++) {
                if ((spins & 0xff) == 0xff) {
                    if (race.hasFailed()) {
                        throw new AssertionError("lockstep round " + round + ": abandoned, another racer failed");
                    }
                    if (System.nanoTime() - deadline > 0L) {
                        throw new AssertionError("lockstep round " + round + ": the other racers never arrived");
                    }
                    Thread.yield();
                } else {
                    Thread.onSpinWait();
                }
            }
        }
    }
}
