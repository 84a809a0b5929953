package dev.jfutures.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jfutures.ExecutorListener;
import dev.jfutures.ExecutorStats;
import dev.jfutures.TaskEvent;
import dev.jfutures.TaskFuture;
import dev.jfutures.TaskStatus;
import dev.jfutures.WorkerEvent;
import dev.jfutures.testkit.Gate;
import dev.jfutures.testkit.Tasks;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A ProcessPool's events and statistics: each task's SUBMITTED, STARTED, FINISHED naming the
 * worker JVM ("pid N") it ran in, worker STARTED and DIED, and stats() counting what ran, failed
 * and was cancelled, with each worker's answers.
 */
class ProcessEventsTest extends ProcessTestBase {

    @Override
    protected int workerCount() {
        return 2;
    }

    static final class Collector implements ExecutorListener {
        final BlockingQueue<TaskEvent> tasks = new LinkedBlockingQueue<>();
        final BlockingQueue<WorkerEvent> workers = new LinkedBlockingQueue<>();

        @Override
        public void taskEvent(TaskEvent e) {
            tasks.add(e);
        }

        @Override
        public void workerEvent(WorkerEvent e) {
            workers.add(e);
        }

        <E> E next(BlockingQueue<E> q) throws InterruptedException {
            E e = q.poll(HANG.toSeconds(), TimeUnit.SECONDS);
            assertThat(e).as("an event within the hang guard").isNotNull();
            return e;
        }
    }

    static Integer failOn3(int x) {
        if (x == 3) {
            throw new IllegalStateException("three");
        }
        return x;
    }

    @Test
    void tasksAreFollowedToTheWorkerJvmTheyRanIn() throws Exception {
        ProcessPool p = pool(ProcessPool.builder().workers(2));
        Collector c = new Collector();
        p.addListener(c);
        List<TaskFuture<Integer>> fs = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            int x = i;
            fs.add(p.submit(() -> failOn3(x)));
        }
        for (TaskFuture<Integer> f : fs) {
            f.exception(HANG);
        }
        Map<Long, List<TaskEvent>> byTask = new LinkedHashMap<>();
        for (int i = 0; i < 60; i++) {
            TaskEvent e = c.next(c.tasks);
            byTask.computeIfAbsent(e.taskId(), k -> new ArrayList<>()).add(e);
        }
        List<String> pids = p.workerPids().stream().map(pid -> "pid " + pid).toList();
        for (List<TaskEvent> es : byTask.values()) {
            assertThat(es).extracting(TaskEvent::kind)
                    .containsExactly(TaskEvent.Kind.SUBMITTED, TaskEvent.Kind.STARTED, TaskEvent.Kind.FINISHED);
            assertThat(es.get(2).executorKind()).isEqualTo("process");
            assertThat(es.get(2).worker()).isIn(pids);
        }
        assertThat(byTask.values()).filteredOn(es -> es.get(2).outcome() == TaskStatus.FAILED).hasSize(1);
        WorkerEvent started = c.next(c.workers);
        assertThat(started.kind()).isEqualTo(WorkerEvent.Kind.STARTED);
        assertThat(started.worker()).isIn(pids);

        ExecutorStats s = p.stats();
        assertThat(s.completed()).isEqualTo(19);
        assertThat(s.failed()).isEqualTo(1);
        assertThat(s.queued()).isZero();
        assertThat(s.running()).isZero();
        assertThat(s.workers()).extracting(ExecutorStats.Worker::name).containsExactlyInAnyOrderElementsOf(pids);
        assertThat(s.workers().stream().mapToLong(ExecutorStats.Worker::completed).sum()).isEqualTo(20);
    }

    @Test
    void aKilledWorkerIsADeathAndItsTaskIsCountedFailed() throws Exception {
        ProcessPool p = pool(ProcessPool.builder().workers(1));
        Collector c = new Collector();
        p.addListener(c);
        p.submit(() -> 1).result(HANG);
        WorkerEvent started = c.next(c.workers);
        TaskFuture<Object> blocked = p.submit(() -> {
            Thread.sleep(TimeUnit.MINUTES.toMillis(10));   // killed long before: only the kill ends it
            return null;
        });
        long end = System.nanoTime() + HANG.toNanos();
        while (blocked.status() != TaskStatus.RUNNING) {
            assertThat(blocked.isDone()).isFalse();
            assertThat(System.nanoTime()).as("the task started within the hang guard").isLessThan(end);
            Thread.onSpinWait();
        }
        assertThat(p.stats().running()).isEqualTo(1);
        p.killWorkers();
        assertThat(blocked.exception(HANG)).isInstanceOf(WorkerDiedException.class);
        WorkerEvent died = c.next(c.workers);
        assertThat(died.kind()).isEqualTo(WorkerEvent.Kind.DIED);
        assertThat(died.worker()).isEqualTo(started.worker());
        assertThat(died.cause()).isNotBlank();
        assertThat(p.stats().failed()).isEqualTo(1);
    }

    @Test
    void aCancelledQueuedTaskIsCounted() throws Exception {
        ProcessPool p = pool(ProcessPool.builder().workers(1));
        TaskFuture<Object> blocker = p.submit(() -> {
            Thread.sleep(TimeUnit.MINUTES.toMillis(10));
            return null;
        });
        List<TaskFuture<Integer>> later = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            later.add(p.submit(() -> Tasks.mul(2, 3)));
        }
        assertThat(later.get(29).cancel(false)).isTrue();
        assertThat(p.stats().cancelled()).isEqualTo(1);
        assertThat(blocker.cancel(true)).isTrue();
        for (int i = 0; i < 29; i++) {
            assertThat(later.get(i).result(HANG)).isEqualTo(6);
        }
        assertThat(p.stats().cancelled()).isEqualTo(2);
        assertThat(p.stats().completed()).isEqualTo(29);
    }

    /**
     * Calls queued behind a blocked one on one worker are taken back for the other, idle one:
     * the blocked worker's STOLEN_FROM names it and counts them, and they all finish while the
     * blocked call still blocks.
     */
    @Test
    void callsTakenBackForAnIdleWorkerAreAStealFromTheirWorker() throws Exception {
        ProcessPool p = pool(ProcessPool.builder().workers(2).prestart(true));
        Collector c = new Collector();
        p.addListener(c);
        Gate aStarted = newGate();
        Gate aRelease = newGate();
        Gate bRelease = newGate();
        try {
            assertThat(c.next(c.workers).kind()).isEqualTo(WorkerEvent.Kind.STARTED);
            assertThat(c.next(c.workers).kind()).isEqualTo(WorkerEvent.Kind.STARTED);
            TaskFuture<String> a = p.submit(() -> Tasks.signalThenAwait(aStarted, aRelease, "a"));
            assertThat(aStarted.await(HANG)).isTrue();
            // To the other worker (the least loaded), then alternately to both.
            List<TaskFuture<Integer>> rest = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                int x = i;
                rest.add(p.submit(() -> Tasks.awaitThen(bRelease, x)));
            }
            bRelease.open();
            for (int i = 0; i < 5; i++) {
                assertThat(rest.get(i).result(HANG)).isEqualTo(i);
            }
            assertThat(a.isDone()).as("the blocked call still blocks").isFalse();
            WorkerEvent steal = c.next(c.workers);
            assertThat(steal.kind()).isEqualTo(WorkerEvent.Kind.STOLEN_FROM);
            assertThat(steal.tasks()).isPositive();
            assertThat(steal.worker()).isIn(p.workerPids().stream().map(pid -> "pid " + pid).toList());
            aRelease.open();
            assertThat(a.result(HANG)).isEqualTo("a");
            // The blocked call's worker is the one stolen from: it ran "a", the first submitted.
            long aId = c.next(c.tasks).taskId();
            TaskEvent aDone;
            do {
                aDone = c.next(c.tasks);
            } while (aDone.kind() != TaskEvent.Kind.FINISHED || aDone.taskId() != aId);
            assertThat(aDone.worker()).isEqualTo(steal.worker());
        } finally {
            aRelease.open();
            bRelease.open();
        }
    }

    /**
     * Workers still starting when the pool shuts down with nothing for them are stopped as
     * planned: STOPPED, not DIED with "something else killed it" (the pool's own kill of a JVM
     * that had not connected yet was taken for a kill from outside).
     */
    @Test
    void workersStoppedWhileStartingAtShutdownAreStoppedNotDead() throws Exception {
        ProcessPool p = ProcessPool.builder().workers(2).prestart(true).build();
        Collector c = new Collector();
        p.addListener(c);
        p.close();   // at once: the workers' JVMs are still starting
        List<WorkerEvent> events = new ArrayList<>();
        for (WorkerEvent e; (e = c.workers.poll()) != null; ) {
            events.add(e);
        }
        assertThat(events).as("close() waited for the listeners").isNotEmpty();
        assertThat(events).extracting(WorkerEvent::kind).doesNotContain(WorkerEvent.Kind.DIED)
                .contains(WorkerEvent.Kind.STOPPED);
    }
}
