package dev.jfutures.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jfutures.ExecutorListener;
import dev.jfutures.TaskEvent;
import dev.jfutures.WorkerEvent;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.DoubleSupplier;

/** How the tests wait: on the executor's events, or for a meter read from stats() to reach a count. */
final class Waits {

    /** Only against a hang: every wait ends on an event or a count reached. */
    static final long HANG = 60;

    private Waits() {
    }

    /**
     * Waits for a meter read from stats() to reach a value: an executor counts a task just after
     * its future completes, and the binder reuses a snapshot for a tenth of a second.
     */
    static void awaitValue(String what, DoubleSupplier value, double expected) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(HANG);
        double v;
        while ((v = value.getAsDouble()) != expected) {
            assertThat(deadline - System.nanoTime()).as("%s reaches %s within the hang guard (it is %s)", what,
                    expected, v).isPositive();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    /**
     * Hears the same events as the binder, added after it: the executor calls its listeners in
     * the order they were added, one event at a time, so once this one has heard an event the
     * binder has recorded it.
     */
    static final class Heard implements ExecutorListener {
        private final Semaphore finished = new Semaphore(0);
        private final Map<WorkerEvent.Kind, Semaphore> workers = new EnumMap<>(WorkerEvent.Kind.class);

        Heard() {
            for (WorkerEvent.Kind k : WorkerEvent.Kind.values()) {
                workers.put(k, new Semaphore(0));
            }
        }

        @Override
        public void taskEvent(TaskEvent e) {
            if (e.kind() == TaskEvent.Kind.FINISHED) {
                finished.release();
            }
        }

        @Override
        public void workerEvent(WorkerEvent e) {
            workers.get(e.kind()).release();
        }

        void awaitFinished(int n) throws InterruptedException {
            assertThat(finished.tryAcquire(n, HANG, TimeUnit.SECONDS)).as("%d FINISHED events", n).isTrue();
        }

        void awaitWorker(WorkerEvent.Kind kind, int n) throws InterruptedException {
            assertThat(workers.get(kind).tryAcquire(n, HANG, TimeUnit.SECONDS)).as("%d %s events", n, kind).isTrue();
        }
    }
}
