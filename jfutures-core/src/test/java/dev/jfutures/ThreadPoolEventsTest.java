package dev.jfutures;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A ThreadPool's events, statistics and JFR events: every task's SUBMITTED, STARTED, FINISHED in
 * order with its worker and outcome, on the pool's event thread; a listener that throws or is
 * slow costs the pool nothing; stats() counts what ran, failed, was cancelled and waits.
 */
class ThreadPoolEventsTest {

    /** Only against a hang: every wait here ends on an event. */
    private static final long HANG = 60;

    private final List<ThreadPool> pools = new ArrayList<>();

    @AfterEach
    void shutdownAll() throws InterruptedException {
        for (ThreadPool p : pools) {
            p.shutdown(false, true);
            assertThat(p.awaitTermination(HANG, TimeUnit.SECONDS)).isTrue();
        }
    }

    private ThreadPool pool(int workers, String name) {
        ThreadPool p = ThreadPool.builder().workers(workers).threadNamePrefix(name).build();
        pools.add(p);
        return p;
    }

    /** Collects events, and which thread delivered them. */
    static final class Collector implements ExecutorListener {
        final BlockingQueue<TaskEvent> tasks = new LinkedBlockingQueue<>();
        final BlockingQueue<WorkerEvent> workers = new LinkedBlockingQueue<>();
        final Map<String, Boolean> threads = new ConcurrentHashMap<>();

        @Override
        public void taskEvent(TaskEvent e) {
            threads.put(Thread.currentThread().getName(), true);
            tasks.add(e);
        }

        @Override
        public void workerEvent(WorkerEvent e) {
            threads.put(Thread.currentThread().getName(), true);
            workers.add(e);
        }

        TaskEvent next() throws InterruptedException {
            TaskEvent e = tasks.poll(HANG, TimeUnit.SECONDS);
            assertThat(e).as("an event within the hang guard").isNotNull();
            return e;
        }

        /** The next n task events, grouped by task id in arrival order. */
        Map<Long, List<TaskEvent>> next(int n) throws InterruptedException {
            Map<Long, List<TaskEvent>> byTask = new java.util.LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                TaskEvent e = next();
                byTask.computeIfAbsent(e.taskId(), k -> new ArrayList<>()).add(e);
            }
            return byTask;
        }
    }

    @Test
    void everyTaskIsSubmittedStartedAndFinishedInOrderOnTheEventThread() throws Exception {
        ThreadPool p = pool(2, "events-order");
        Collector c = new Collector();
        p.addListener(c);
        List<TaskFuture<Integer>> fs = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            int x = i;
            fs.add(p.submit(() -> {
                if (x % 10 == 3) {
                    throw new IllegalStateException("boom " + x);
                }
                return x;
            }));
        }
        for (TaskFuture<Integer> f : fs) {
            f.exception(Duration.ofSeconds(HANG));
        }
        Map<Long, List<TaskEvent>> byTask = c.next(600);
        assertThat(byTask).hasSize(200);
        int failed = 0;
        for (List<TaskEvent> es : byTask.values()) {
            assertThat(es).extracting(TaskEvent::kind)
                    .containsExactly(TaskEvent.Kind.SUBMITTED, TaskEvent.Kind.STARTED, TaskEvent.Kind.FINISHED);
            TaskEvent fin = es.get(2);
            assertThat(fin.worker()).startsWith("events-order_");
            assertThat(fin.executor()).isEqualTo("events-order");
            assertThat(fin.executorKind()).isEqualTo("thread");
            assertThat(fin.queued()).isNotNull();
            assertThat(fin.queued().isNegative()).isFalse();
            assertThat(fin.ran()).isNotNull();
            assertThat(fin.ran().isNegative()).isFalse();
            assertThat(es.get(1).worker()).isEqualTo(fin.worker());
            if (fin.outcome() == TaskStatus.FAILED) {
                failed++;
            } else {
                assertThat(fin.outcome()).isEqualTo(TaskStatus.SUCCEEDED);
            }
        }
        assertThat(failed).isEqualTo(20);
        assertThat(byTask.keySet()).containsExactlyInAnyOrderElementsOf(
                java.util.stream.LongStream.rangeClosed(1, 200).boxed().toList());
        assertThat(c.threads.keySet()).containsOnly("events-order-events");
    }

    @Test
    void aTaskCancelledUnstartedFinishesCancelledWithoutStarting() throws Exception {
        ThreadPool p = pool(1, "events-cancel");
        Collector c = new Collector();
        p.addListener(c);
        CountDownLatch release = new CountDownLatch(1);
        TaskFuture<Object> blocker = p.submit(() -> release.await(HANG, TimeUnit.SECONDS));
        TaskFuture<Integer> queued = p.submit(() -> 1);
        assertThat(queued.cancel(false)).isTrue();
        release.countDown();
        blocker.result(Duration.ofSeconds(HANG));
        Map<Long, List<TaskEvent>> byTask = c.next(5);
        assertThat(byTask.get(2L)).extracting(TaskEvent::kind)
                .containsExactly(TaskEvent.Kind.SUBMITTED, TaskEvent.Kind.FINISHED);
        TaskEvent fin = byTask.get(2L).get(1);
        assertThat(fin.outcome()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(fin.ran()).isNull();
        assertThat(fin.worker()).isNull();
    }

    @Test
    void workersStartAndStop() throws Exception {
        ThreadPool p = ThreadPool.builder().workers(2).threadNamePrefix("events-workers").build();
        Collector c = new Collector();
        p.addListener(c);
        p.submit(() -> 1).result(Duration.ofSeconds(HANG));
        p.shutdown(true, false);
        WorkerEvent started = c.workers.poll(HANG, TimeUnit.SECONDS);
        WorkerEvent stopped = c.workers.poll(HANG, TimeUnit.SECONDS);
        assertThat(started).isNotNull();
        assertThat(started.kind()).isEqualTo(WorkerEvent.Kind.STARTED);
        assertThat(stopped).isNotNull();
        assertThat(stopped.kind()).isEqualTo(WorkerEvent.Kind.STOPPED);
        assertThat(stopped.worker()).isEqualTo(started.worker()).startsWith("events-workers_");
    }

    @Test
    void aFailingInitializerIsAWorkerThatDied() throws Exception {
        ThreadPool p = ThreadPool.builder().workers(1).threadNamePrefix("events-init")
                .initializer(() -> {
                    throw new IllegalStateException("no database");
                }).build();
        pools.add(p);
        Collector c = new Collector();
        p.addListener(c);
        p.submit(() -> 1).exception(Duration.ofSeconds(HANG));
        WorkerEvent started = c.workers.poll(HANG, TimeUnit.SECONDS);
        WorkerEvent died = c.workers.poll(HANG, TimeUnit.SECONDS);
        assertThat(started.kind()).isEqualTo(WorkerEvent.Kind.STARTED);
        assertThat(died.kind()).isEqualTo(WorkerEvent.Kind.DIED);
        assertThat(died.cause()).contains("initializer failed").contains("no database");
    }

    @Test
    void aThrowingListenerIsLoggedOnceKeptAndCounted() throws Exception {
        ThreadPool p = pool(1, "events-throwing");
        List<LogRecord> logged = new java.util.concurrent.CopyOnWriteArrayList<>();
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord r) {
                logged.add(r);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger log = Logger.getLogger("dev.jfutures");
        log.addHandler(h);
        try {
            BlockingQueue<TaskEvent> heard = new LinkedBlockingQueue<>();
            p.addListener(new ExecutorListener() {
                @Override
                public void taskEvent(TaskEvent e) {
                    heard.add(e);
                    throw new IllegalStateException("listener bug");
                }
            });
            for (int i = 0; i < 5; i++) {
                p.submit(() -> 1).result(Duration.ofSeconds(HANG));
            }
            for (int i = 0; i < 15; i++) {
                assertThat(heard.poll(HANG, TimeUnit.SECONDS)).as("it still hears event %d", i).isNotNull();
            }
            // The count follows the throw, after the listener saw the event: wait for the last.
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(HANG);
            while (p.stats().listenerFailures() < 15) {
                assertThat(System.nanoTime()).isLessThan(end);
                Thread.onSpinWait();
            }
            assertThat(p.stats().listenerFailures()).isEqualTo(15);
            assertThat(logged).filteredOn(r -> r.getMessage().contains("listener")).hasSize(1);
        } finally {
            log.removeHandler(h);
        }
    }

    @Test
    void aSlowListenerDelaysOnlyItsEventsAndOverflowIsCounted() throws Exception {
        ThreadPool p = pool(2, "events-slow");
        CountDownLatch unblock = new CountDownLatch(1);
        CountDownLatch inside = new CountDownLatch(1);
        p.addListener(new ExecutorListener() {
            @Override
            public void taskEvent(TaskEvent e) {
                inside.countDown();
                try {
                    unblock.await(HANG, TimeUnit.SECONDS);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        try {
            p.submit(() -> 0).result(Duration.ofSeconds(HANG));
            assertThat(inside.await(HANG, TimeUnit.SECONDS)).isTrue();
            // The listener is stuck; the pool runs on, and past the queue's room events are dropped.
            int n = ExecutorListener.QUEUE_CAPACITY / 3 + 1000;
            List<TaskFuture<Integer>> fs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                fs.add(p.submit(() -> 1));
            }
            for (TaskFuture<Integer> f : fs) {
                assertThat(f.result(Duration.ofSeconds(HANG))).isEqualTo(1);
            }
            assertThat(p.stats().droppedEvents()).isPositive();
        } finally {
            unblock.countDown();
        }
    }

    @Test
    void statsCountWhatRanFailedWasCancelledAndWaits() throws Exception {
        ThreadPool p = pool(2, "events-stats");
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch running = new CountDownLatch(2);
        List<TaskFuture<Object>> blockers = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            blockers.add(p.submit(() -> {
                running.countDown();
                return release.await(HANG, TimeUnit.SECONDS);
            }));
        }
        assertThat(running.await(HANG, TimeUnit.SECONDS)).isTrue();
        List<TaskFuture<Integer>> queued = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            queued.add(p.submit(() -> 1));
        }
        assertThat(queued.get(4).cancel(false)).isTrue();
        ExecutorStats s = p.stats();
        assertThat(s.running()).isEqualTo(2);
        assertThat(s.queued()).isEqualTo(4);
        assertThat(s.cancelled()).isEqualTo(1);
        assertThat(s.workers()).hasSize(2).allSatisfy(w -> assertThat(w.running()).isEqualTo(1));
        release.countDown();
        for (int i = 0; i < 4; i++) {
            queued.get(i).result(Duration.ofSeconds(HANG));
        }
        for (TaskFuture<Object> b : blockers) {
            b.result(Duration.ofSeconds(HANG));
        }
        p.submit(() -> {
            throw new IllegalStateException("x");
        }).exception(Duration.ofSeconds(HANG));
        // The counts are the workers' own, written as each task ends: wait for the last to land.
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(HANG);
        while (p.stats().completed() + p.stats().failed() < 7) {
            assertThat(System.nanoTime()).isLessThan(end);
            Thread.onSpinWait();
        }
        s = p.stats();
        assertThat(s.completed()).isEqualTo(6);
        assertThat(s.failed()).isEqualTo(1);
        assertThat(s.cancelled()).isEqualTo(1);
        assertThat(s.queued()).isZero();
        assertThat(s.workers()).extracting(ExecutorStats.Worker::completed).containsAnyOf(1L, 2L, 3L, 4L, 5L, 6L, 7L);
        assertThat(s.workers().stream().mapToLong(ExecutorStats.Worker::completed).sum()).isEqualTo(7);
    }

    @Test
    void aRemovedListenerHearsNoMore() throws Exception {
        ThreadPool p = pool(1, "events-remove");
        Collector c = new Collector();
        AutoCloseable handle = p.addListener(c);
        p.submit(() -> 1).result(Duration.ofSeconds(HANG));
        c.next(3);
        handle.close();
        Collector after = new Collector();
        p.addListener(after);
        p.submit(() -> 2).result(Duration.ofSeconds(HANG));
        after.next(3);
        assertThat(c.tasks).isEmpty();
    }

    @Test
    void nobodyListeningMeansNoEventThread() throws Exception {
        ThreadPool p = pool(1, "events-none");
        p.submit(() -> 1).result(Duration.ofSeconds(HANG));
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("events-none-events"));
    }

    /**
     * close() returns once the listeners heard every event: a slow listener's last events are
     * delivered before it, with no wait on the caller's side. Were close() not to wait, the
     * listener would still be held on its first event when the count is read.
     */
    @Test
    void closeReturnsOnceTheListenersHeardEveryEvent() throws Exception {
        ThreadPool p = ThreadPool.builder().workers(2).threadNamePrefix("events-close").build();
        CountDownLatch firstHeard = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger heard = new java.util.concurrent.atomic.AtomicInteger();
        p.addListener(new ExecutorListener() {
            @Override
            public void taskEvent(TaskEvent e) {
                firstHeard.countDown();
                try {
                    release.await(HANG, TimeUnit.SECONDS);
                } catch (InterruptedException x) {
                    Thread.currentThread().interrupt();
                }
                heard.incrementAndGet();
            }
        });
        for (int i = 0; i < 50; i++) {
            p.submit(() -> 1);
        }
        assertThat(firstHeard.await(HANG, TimeUnit.SECONDS)).isTrue();
        java.util.concurrent.atomic.AtomicInteger heardAtClose = new java.util.concurrent.atomic.AtomicInteger(-1);
        Thread closer = new Thread(() -> {
            p.close();
            heardAtClose.set(heard.get());
        }, "closer");
        closer.start();
        // The tasks are done and the pool terminates while the listener is held on its first
        // event; only then is it let go.
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(HANG);
        while (!p.isTerminated()) {
            assertThat(System.nanoTime()).as("the pool terminated").isLessThan(end);
            Thread.onSpinWait();
        }
        release.countDown();
        closer.join(TimeUnit.SECONDS.toMillis(HANG));
        assertThat(closer.isAlive()).isFalse();
        assertThat(heardAtClose.get()).as("events heard when close() returned").isEqualTo(150);
    }

    /** A listener that closes its own pool (on the event thread) does not wait for itself. */
    @Test
    void aListenerThatClosesItsPoolDoesNotWaitForItself() throws Exception {
        ThreadPool p = ThreadPool.builder().workers(1).threadNamePrefix("events-self").build();
        CountDownLatch closed = new CountDownLatch(1);
        p.addListener(new ExecutorListener() {
            @Override
            public void taskEvent(TaskEvent e) {
                if (e.kind() == TaskEvent.Kind.FINISHED) {
                    p.close();
                    closed.countDown();
                }
            }
        });
        p.submit(() -> 1).result(Duration.ofSeconds(HANG));
        assertThat(closed.await(HANG, TimeUnit.SECONDS)).as("close() on the event thread returned").isTrue();
        assertThat(p.isTerminated()).isTrue();
    }

    @Test
    void theEventThreadEndsWithThePool() throws Exception {
        ThreadPool p = ThreadPool.builder().workers(1).threadNamePrefix("events-end").build();
        Collector c = new Collector();
        p.addListener(c);
        p.submit(() -> 1).result(Duration.ofSeconds(HANG));
        p.shutdown(true, false);
        Thread events = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("events-end-events")).findFirst().orElse(null);
        if (events != null) {
            events.join(TimeUnit.SECONDS.toMillis(HANG));
            assertThat(events.isAlive()).isFalse();
        }
        assertThat(c.next(3).values()).hasSize(1);
    }

    @Test
    void aJfrRecordingHasEachTaskWithItsWorkerQueueTimeAndOutcome(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("run.jfr");
        try (Recording r = new Recording()) {
            r.enable("dev.jfutures.TaskFinished");
            r.enable("dev.jfutures.WorkerChanged");
            r.start();
            ThreadPool p = ThreadPool.builder().workers(2).threadNamePrefix("events-jfr").build();
            for (int i = 0; i < 50; i++) {
                int x = i;
                p.submit(() -> {
                    if (x == 7) {
                        throw new IllegalStateException("seven");
                    }
                    return x;
                }).exception(Duration.ofSeconds(HANG));
            }
            p.shutdown(true, false);
            r.stop();
            r.dump(file);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file);
        List<RecordedEvent> tasks = events.stream()
                .filter(e -> e.getEventType().getName().equals("dev.jfutures.TaskFinished")
                        && "events-jfr".equals(e.getString("executor")))
                .toList();
        assertThat(tasks).hasSize(50);
        assertThat(tasks).allSatisfy(e -> {
            assertThat(e.getString("worker")).startsWith("events-jfr_");
            assertThat(e.getString("executorKind")).isEqualTo("thread");
            assertThat(e.getLong("queued")).isNotNegative();
            assertThat(e.getDuration().isNegative()).isFalse();
        });
        assertThat(tasks).filteredOn(e -> e.getString("outcome").equals("FAILED")).hasSize(1);
        assertThat(events).anySatisfy(e -> {
            assertThat(e.getEventType().getName()).isEqualTo("dev.jfutures.WorkerChanged");
            assertThat(e.getString("change")).isEqualTo("STARTED");
        });
    }
}
