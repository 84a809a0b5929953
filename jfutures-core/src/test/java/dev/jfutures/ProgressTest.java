package dev.jfutures;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link Progress}: counts fed by events, futures and steps; the rate over the last ten seconds
 * and the time left, on a clock the test moves.
 */
class ProgressTest {

    private static final long HANG = 60;
    private static final long SECOND = 1_000_000_000L;

    /** A clock the test moves. */
    private static final class Clock {
        long now = 1_000 * SECOND;

        void advance(double seconds) {
            now += (long) (seconds * SECOND);
        }
    }

    private static TaskEvent event(TaskEvent.Kind kind, long id, TaskStatus outcome, boolean ran) {
        return new TaskEvent(kind, id, "p", "thread", kind == TaskEvent.Kind.SUBMITTED ? null : "p-1", Instant.now(),
                kind == TaskEvent.Kind.SUBMITTED ? null : Duration.ZERO, ran ? Duration.ofMillis(1) : null, outcome);
    }

    /** Submitted tasks make the total, started ones the running count, finished ones the done. */
    @Test
    void eventsMakeTheTotalTheRunningAndTheDone() {
        Clock clock = new Clock();
        Progress p = new Progress(0, () -> clock.now);
        for (long id = 1; id <= 4; id++) {
            p.taskEvent(event(TaskEvent.Kind.SUBMITTED, id, null, false));
        }
        p.taskEvent(event(TaskEvent.Kind.STARTED, 1, null, false));
        p.taskEvent(event(TaskEvent.Kind.STARTED, 2, null, false));
        p.taskEvent(event(TaskEvent.Kind.FINISHED, 1, TaskStatus.SUCCEEDED, true));
        p.taskEvent(event(TaskEvent.Kind.FINISHED, 3, TaskStatus.CANCELLED, false));   // never started
        clock.advance(1);
        Progress.Snapshot s = p.snapshot();
        assertThat(s.total()).isEqualTo(4);
        assertThat(s.running()).isEqualTo(1);
        assertThat(s.succeeded()).isEqualTo(1);
        assertThat(s.cancelled()).isEqualTo(1);
        assertThat(s.done()).isEqualTo(2);
        assertThat(s.fraction()).isEqualTo(0.5);
        assertThat(s.isComplete()).isFalse();
        assertThat(s.ratePerSecond()).isEqualTo(2.0);
        assertThat(s.remaining()).isEqualTo(Duration.ofSeconds(1));
        assertThat(s).hasToString("2/4 done (50%), 1 cancelled, 1 running, 2.0/s, 1s left");
    }

    /** expect() sets a total above what was submitted; a step beyond any total raises it. */
    @Test
    void expectedTotalAndStepsByHand() {
        Clock clock = new Clock();
        Progress p = new Progress(10, () -> clock.now);
        p.step(TaskStatus.FAILED);
        p.step(TaskStatus.SUCCEEDED);
        clock.advance(2);
        Progress.Snapshot s = p.snapshot();
        assertThat(s.total()).isEqualTo(10);
        assertThat(s.failed()).isEqualTo(1);
        assertThat(s.ratePerSecond()).isEqualTo(1.0);
        assertThat(s.remaining()).isEqualTo(Duration.ofSeconds(8));
        assertThat(s).hasToString("2/10 done (20%), 1 failed, 1.0/s, 8s left");
        for (int i = 0; i < 9; i++) {
            p.step(TaskStatus.SUCCEEDED);
        }
        s = p.snapshot();
        assertThat(s.total()).isEqualTo(11);
        assertThat(s.isComplete()).isTrue();
        assertThat(s.remaining()).isEqualTo(Duration.ZERO);
        assertThatThrownBy(() -> p.step(TaskStatus.RUNNING)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("RUNNING");
        assertThatThrownBy(() -> p.expect(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * The rate is the last ten seconds': after a fast start the pace slows, and the rate and the
     * time left follow within the window instead of staying at the run's average.
     */
    @Test
    void theRateFollowsTheLastTenSeconds() {
        Clock clock = new Clock();
        Progress p = new Progress(1000, () -> clock.now);
        // 20 s at 10/s, a snapshot each second.
        for (int t = 0; t < 20; t++) {
            for (int i = 0; i < 10; i++) {
                p.step(TaskStatus.SUCCEEDED);
            }
            clock.advance(1);
            p.snapshot();
        }
        assertThat(p.snapshot().ratePerSecond()).isCloseTo(10.0, org.assertj.core.data.Offset.offset(0.01));
        // Then 20 s at 1/s.
        for (int t = 0; t < 20; t++) {
            p.step(TaskStatus.SUCCEEDED);
            clock.advance(1);
            p.snapshot();
        }
        Progress.Snapshot s = p.snapshot();
        assertThat(s.ratePerSecond()).as("the last ten seconds' rate, not the run's 5.5/s").isBetween(0.9, 1.2);
        assertThat(s.remaining()).isBetween(Duration.ofSeconds(650), Duration.ofSeconds(800));
        // Nothing more finishes: after a window the rate is 0 and the time left unknown.
        clock.advance(11);
        p.snapshot();
        clock.advance(1);
        s = p.snapshot();
        assertThat(s.ratePerSecond()).isZero();
        assertThat(s.remaining()).isNull();
        assertThat(s.toString()).isEqualTo("220/1000 done (22%)");
    }

    /** A view over futures counts each as it completes, those done already at once. */
    @Test
    void ofFuturesCountsEachWhenDone() throws Exception {
        try (ThreadPool pool = ThreadPool.builder().workers(2).build()) {
            CountDownLatch release = new CountDownLatch(1);
            List<TaskFuture<Integer>> fs = new ArrayList<>();
            fs.add(pool.submit(() -> 1));
            fs.get(0).result(Duration.ofSeconds(HANG));
            for (int i = 0; i < 5; i++) {
                int x = i;
                fs.add(pool.submit(() -> {
                    release.await(HANG, TimeUnit.SECONDS);
                    if (x == 3) {
                        throw new IllegalStateException("three");
                    }
                    return x;
                }));
            }
            Progress p = Progress.of(fs);
            assertThat(p.snapshot().total()).isEqualTo(6);
            assertThat(p.snapshot().done()).isEqualTo(1);
            release.countDown();
            for (TaskFuture<Integer> f : fs) {
                f.exception(Duration.ofSeconds(HANG));
            }
            // Done-callbacks run on the completing thread before waiters are woken? Not promised:
            // wait for the counts, which the callbacks make.
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(HANG);
            while (!p.snapshot().isComplete()) {
                assertThat(System.nanoTime()).as("every future counted").isLessThan(end);
                Thread.onSpinWait();
            }
            assertThat(p.snapshot().failed()).isEqualTo(1);
            assertThat(p.snapshot().succeeded()).isEqualTo(5);
        }
    }

    /** A view listening to a pool counts its tasks from its events. */
    @Test
    void aListeningViewCountsThePoolsTasks() throws Exception {
        Progress p = Progress.create();
        try (ThreadPool pool = ThreadPool.builder().workers(2).build()) {
            pool.addListener(p);
            for (int i = 0; i < 20; i++) {
                pool.submit(() -> 1);
            }
        }
        // close() returned once the listeners heard every event.
        Progress.Snapshot s = p.snapshot();
        assertThat(s.total()).isEqualTo(20);
        assertThat(s.succeeded()).isEqualTo(20);
        assertThat(s.running()).isZero();
        assertThat(s.isComplete()).isTrue();
    }

    /** Only a TaskFuture can be tracked: another Future is refused with what to do. */
    @Test
    void aPlainFutureIsRefused() {
        assertThatThrownBy(() -> Progress.create().track(new CompletableFuture<>()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("CompletableFuture")
                .hasMessageContaining("TaskExecutor");
    }

    /** Durations and rates as a person reads them. */
    @Test
    void durationsAndRatesRead() {
        assertThat(Progress.Snapshot.duration(Duration.ofMillis(3200))).isEqualTo("4s");
        assertThat(Progress.Snapshot.duration(Duration.ofSeconds(125))).isEqualTo("2:05");
        assertThat(Progress.Snapshot.duration(Duration.ofSeconds(3725))).isEqualTo("1:02:05");
        assertThat(Progress.Snapshot.rate(0.25)).isEqualTo("0.25");
        assertThat(Progress.Snapshot.rate(12.34)).isEqualTo("12.3");
        assertThat(Progress.Snapshot.rate(4520.4)).isEqualTo("4520");
    }
}
