package dev.jfutures.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jfutures.TaskFuture;
import dev.jfutures.TaskStatus;
import dev.jfutures.testkit.Gate;
import dev.jfutures.testkit.SharedLog;
import dev.jfutures.testkit.Tasks;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Cancelling calls that were sent ahead to a worker (the cancel gate). */
class ProcessCancelTest extends ProcessTestBase {

    /** A pending call queued behind a running one on the same worker is cancelled and never runs. */
    @Test
    void cancelOfACallSentAheadMeansItNeverRuns() throws Exception {
        ProcessPool p = pool(ProcessPool.builder().workers(1));
        Gate started = newGate();
        Gate release = newGate();
        SharedLog ran = newLog();
        try {
            TaskFuture<String> running = p.submit(() -> Tasks.signalThenAwait(started, release, "first"));
            assertThat(started.await(SHORT_TIMEOUT)).isTrue();
            TaskFuture<String> queued = p.submit(() -> Tasks.logThen(ran, "queued ran", "queued"));

            assertThat(queued.cancel(false)).isTrue();
            assertThat(queued.status()).isEqualTo(TaskStatus.CANCELLED);
            release.open();
            assertThat(running.result(SHORT_TIMEOUT)).isEqualTo("first");
            assertThat(p.submit(() -> "after").result(SHORT_TIMEOUT)).isEqualTo("after");
            assertThat(ran.entries()).as("the cancelled call ran").isEmpty();
        } finally {
            release.open();
        }
    }

    /**
     * A done-callback (which runs on the pool's reader thread of that worker) cancelling a sibling
     * queued on the same worker does not wait for a reply only that thread could read.
     */
    @Test
    void callbackCancellingASiblingOnTheSameWorkerDoesNotStall() throws Exception {
        ProcessPool p = pool(ProcessPool.builder().workers(1));
        Gate started = newGate();
        Gate release = newGate();
        try {
            TaskFuture<String> first = p.submit(() -> Tasks.signalThenAwait(started, release, "first"));
            assertThat(started.await(SHORT_TIMEOUT)).isTrue();
            TaskFuture<String> second = p.submit(() -> Tasks.awaitThen(release, "second"));
            TaskFuture<String> third = p.submit(() -> Tasks.awaitThen(release, "third"));
            AtomicLong callbackNanos = new AtomicLong(-1);
            CountDownLatch called = new CountDownLatch(1);
            first.addDoneCallback(f -> {
                long t0 = System.nanoTime();
                third.cancel(false);
                callbackNanos.set(System.nanoTime() - t0);
                called.countDown();
            });
            release.open();
            assertThat(called.await(SHORT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(Duration.ofNanos(callbackNanos.get())).as("cancel inside the callback").isLessThan(Duration.ofSeconds(5));
            assertThat(second.result(SHORT_TIMEOUT)).isEqualTo("second");
            // The cancel loses when third had already started on the worker: then it runs to the
            // end, and is RUNNING until then.
            if (!third.isCancelled()) {
                assertThat(third.result(SHORT_TIMEOUT)).isEqualTo("third");
            }
            assertThat(third.status()).isIn(TaskStatus.CANCELLED, TaskStatus.SUCCEEDED);
        } finally {
            release.open();
        }
    }
}
