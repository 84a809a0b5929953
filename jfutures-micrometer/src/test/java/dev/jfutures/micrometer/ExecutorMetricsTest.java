package dev.jfutures.micrometer;

import static dev.jfutures.micrometer.Waits.HANG;
import static dev.jfutures.micrometer.Waits.awaitValue;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jfutures.AbstractTaskExecutor;
import dev.jfutures.ExecutorListener;
import dev.jfutures.ExecutorStats;
import dev.jfutures.TaskExecutor;
import dev.jfutures.TaskFuture;
import dev.jfutures.TaskStatus;
import dev.jfutures.ThreadPool;
import dev.jfutures.WorkerEvent;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * ExecutorMetrics against a SimpleMeterRegistry, with ThreadPools: Micrometer's executor meter
 * names, units and tags; the counts after tasks that succeed, fail and are cancelled; the timers
 * and worker events from the executor's listener; close(); and executors it cannot monitor.
 */
class ExecutorMetricsTest {

    private final List<TaskExecutor> executors = new ArrayList<>();
    private final MeterRegistry registry = new SimpleMeterRegistry();

    @AfterEach
    void shutdownAll() throws InterruptedException {
        for (TaskExecutor e : executors) {
            e.shutdown(false, true);
            assertThat(e.awaitTermination(HANG, TimeUnit.SECONDS)).as("%s terminates", e).isTrue();
        }
    }

    private ThreadPool pool(int workers, String name) {
        ThreadPool p = ThreadPool.builder().workers(workers).threadNamePrefix(name).build();
        executors.add(p);
        return p;
    }

    private double counter(String name) {
        return registry.get(name).functionCounter().count();
    }

    private double gauge(String name) {
        return registry.get(name).gauge().value();
    }

    private Timer timer(TaskStatus outcome) {
        return registry.get("executor").tag("outcome", outcome.name()).timer();
    }

    private double workerEvents(WorkerEvent.Kind kind) {
        return registry.get("executor.worker.events").tag("event", kind.name()).counter().count();
    }

    /** Every meter has Micrometer's name, type and base unit, and the tags given plus name and kind. */
    @Test
    void metersHaveMicrometersNamesUnitsAndTags() {
        ThreadPool p = pool(2, "names");
        ExecutorMetrics.monitor(registry, p, "images", Tag.of("app", "shop"));

        record Expected(String name, Meter.Type type, String unit) {}
        List<Expected> expected = List.of(
                new Expected("executor.completed", Meter.Type.COUNTER, "tasks"),
                new Expected("executor.failed", Meter.Type.COUNTER, "tasks"),
                new Expected("executor.cancelled", Meter.Type.COUNTER, "tasks"),
                new Expected("executor.active", Meter.Type.GAUGE, "threads"),
                new Expected("executor.queued", Meter.Type.GAUGE, "tasks"),
                new Expected("executor.assigned", Meter.Type.GAUGE, "tasks"),
                new Expected("executor.pool.size", Meter.Type.GAUGE, "threads"),
                new Expected("executor.events.dropped", Meter.Type.COUNTER, "events"),
                new Expected("executor.listener.failures", Meter.Type.COUNTER, null),
                new Expected("executor.idle", Meter.Type.TIMER, "seconds"));
        Tags common = Tags.of("app", "shop", "kind", "thread", "name", "images");
        for (Expected e : expected) {
            List<Meter> ms = new ArrayList<>(registry.find(e.name()).meters());
            assertThat(ms).as(e.name()).hasSize(1);
            Meter.Id id = ms.get(0).getId();
            assertThat(id.getType()).as(e.name()).isEqualTo(e.type());
            assertThat(id.getBaseUnit()).as(e.name()).isEqualTo(e.unit());
            assertThat(id.getTags()).as(e.name()).containsExactlyElementsOf(common);
            assertThat(id.getDescription()).as(e.name()).isNotBlank();
        }
        assertThat(registry.find("executor").timers()).extracting(t -> t.getId().getTag("outcome"))
                .containsExactlyInAnyOrder("SUCCEEDED", "FAILED", "CANCELLED");
        for (Timer t : registry.find("executor").timers()) {
            assertThat(t.getId().getTags()).containsAll(common).hasSize(4);
            assertThat(t.getId().getBaseUnit()).isEqualTo("seconds");
        }
        assertThat(registry.find("executor.worker.events").counters())
                .extracting(c -> c.getId().getTag("event"))
                .containsExactlyInAnyOrder("STARTED", "STOPPED", "DIED", "RECYCLED", "STOLEN_FROM");
        for (Meter c : registry.find("executor.worker.events").counters()) {
            assertThat(c.getId().getTags()).containsAll(common).hasSize(4);
            assertThat(c.getId().getBaseUnit()).isEqualTo("events");
        }
        assertThat(registry.getMeters()).hasSize(expected.size() + 3 + WorkerEvent.Kind.values().length);
    }

    /**
     * After tasks that succeed, fail, are cancelled queued and cancelled running, the counters
     * match stats(), executor.completed counts every finished task, and each timer counts the
     * tasks that ran with its outcome.
     */
    @Test
    void countsAndTimersMatchTasksThatSucceedFailAndAreCancelled() throws Exception {
        ThreadPool p = pool(1, "counts");
        ExecutorMetrics.monitor(registry, p, "counts");
        Waits.Heard heard = new Waits.Heard();
        p.addListener(heard);

        CountDownLatch blockerStarted = new CountDownLatch(1);
        TaskFuture<Object> blocker = p.submit(() -> {
            blockerStarted.countDown();
            new CountDownLatch(1).await(HANG, TimeUnit.SECONDS);   // until cancel(true) interrupts it
            return null;
        });
        assertThat(blockerStarted.await(HANG, TimeUnit.SECONDS)).isTrue();
        List<TaskFuture<Integer>> fs = new ArrayList<>();
        for (int i = 0; i < 15; i++) {
            int x = i;
            fs.add(p.submit(() -> {
                if (x % 3 == 0) {
                    throw new IllegalStateException("task " + x + " fails");
                }
                return x;
            }));
        }
        List<TaskFuture<Integer>> cancelled = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            cancelled.add(p.submit(() -> 1));
        }
        awaitValue("executor.queued", () -> gauge("executor.queued"), 18);
        awaitValue("executor.active", () -> gauge("executor.active"), 1);
        for (TaskFuture<Integer> f : cancelled) {
            assertThat(f.cancel(false)).isTrue();
        }
        assertThat(blocker.cancel(true)).isTrue();
        for (TaskFuture<Integer> f : fs) {
            f.exception(Duration.ofSeconds(HANG));
        }

        heard.awaitFinished(1 + 15 + 3);
        awaitValue("executor.completed", () -> counter("executor.completed"), 1 + 15 + 3);
        assertThat(counter("executor.failed")).isEqualTo(5);
        assertThat(counter("executor.cancelled")).isEqualTo(1 + 3);
        ExecutorStats s = p.stats();
        assertThat(counter("executor.completed")).isEqualTo(s.completed() + s.failed() + s.cancelled());
        awaitValue("executor.active", () -> gauge("executor.active"), 0);
        assertThat(gauge("executor.queued")).isZero();
        assertThat(gauge("executor.assigned")).isZero();
        assertThat(gauge("executor.pool.size")).isEqualTo(1);

        assertThat(timer(TaskStatus.SUCCEEDED).count()).isEqualTo(10);
        assertThat(timer(TaskStatus.FAILED).count()).isEqualTo(5);
        assertThat(timer(TaskStatus.CANCELLED).count()).as("the blocker ran; the 3 cancelled queued did not")
                .isEqualTo(1);
        assertThat(registry.get("executor.idle").timer().count()).as("the tasks that started").isEqualTo(16);
        assertThat(timer(TaskStatus.CANCELLED).totalTime(TimeUnit.NANOSECONDS)).isPositive();
    }

    /** Workers that start and stop are counted by event. */
    @Test
    void workerEventsAreCountedByKind() throws Exception {
        ThreadPool p = pool(2, "workers");
        ExecutorMetrics.monitor(registry, p, "workers");
        Waits.Heard heard = new Waits.Heard();
        p.addListener(heard);
        CountDownLatch both = new CountDownLatch(2);
        List<TaskFuture<Object>> fs = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            fs.add(p.submit(() -> {
                both.countDown();
                both.await(HANG, TimeUnit.SECONDS);   // each on a thread of its own
                return null;
            }));
        }
        for (TaskFuture<Object> f : fs) {
            f.result(Duration.ofSeconds(HANG));
        }
        heard.awaitWorker(WorkerEvent.Kind.STARTED, 2);
        p.shutdown(true, false);
        heard.awaitWorker(WorkerEvent.Kind.STOPPED, 2);
        assertThat(workerEvents(WorkerEvent.Kind.STARTED)).isEqualTo(2);
        assertThat(workerEvents(WorkerEvent.Kind.STOPPED)).isEqualTo(2);
        assertThat(workerEvents(WorkerEvent.Kind.DIED)).isZero();
        assertThat(workerEvents(WorkerEvent.Kind.RECYCLED)).isZero();
        awaitValue("executor.pool.size", () -> gauge("executor.pool.size"), 0);
    }

    /** close() removes every meter it registered, stops recording, is idempotent, and refuses a new bind. */
    @Test
    void closeRemovesTheMetersAndStopsRecording() throws Exception {
        ThreadPool p = pool(1, "close");
        registry.counter("someone.else");
        ExecutorMetrics m = ExecutorMetrics.monitor(registry, p, "close");
        Timer succeeded = timer(TaskStatus.SUCCEEDED);
        assertThat(registry.getMeters()).hasSizeGreaterThan(1);

        m.close();
        assertThat(registry.getMeters()).extracting(x -> x.getId().getName()).containsExactly("someone.else");
        Waits.Heard heard = new Waits.Heard();
        p.addListener(heard);
        p.submit(() -> 1).result(Duration.ofSeconds(HANG));
        heard.awaitFinished(1);
        assertThat(succeeded.count()).as("a closed binder records nothing").isZero();

        m.close();
        assertThatThrownBy(() -> m.bindTo(registry)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        assertThat(registry.getMeters()).hasSize(1);
    }

    /** One binder counts into each registry it is bound to; binding one registry twice counts once. */
    @Test
    void eachRegistryBoundCountsEveryTaskOnce() throws Exception {
        ThreadPool p = pool(2, "two");
        MeterRegistry other = new SimpleMeterRegistry();
        ExecutorMetrics m = new ExecutorMetrics(p, "two", Tags.empty());
        m.bindTo(registry);
        m.bindTo(other);
        m.bindTo(registry);
        Waits.Heard heard = new Waits.Heard();
        p.addListener(heard);
        for (int i = 0; i < 7; i++) {
            p.submit(() -> 1).result(Duration.ofSeconds(HANG));
        }
        heard.awaitFinished(7);
        assertThat(timer(TaskStatus.SUCCEEDED).count()).isEqualTo(7);
        assertThat(other.get("executor").tag("outcome", "SUCCEEDED").timer().count()).isEqualTo(7);
        assertThat(registry.find("executor.completed").meters()).hasSize(1);

        m.close();
        assertThat(registry.getMeters()).isEmpty();
        assertThat(other.getMeters()).isEmpty();
    }

    /** A metric prefix goes before every name, joined by a dot, as ExecutorServiceMetrics's does. */
    @Test
    void aMetricPrefixPrecedesEveryName() {
        ThreadPool p = pool(1, "prefix");
        new ExecutorMetrics(p, "prefix", "jobs", List.of()).bindTo(registry);
        assertThat(registry.getMeters()).isNotEmpty()
                .allSatisfy(x -> assertThat(x.getId().getName()).startsWith("jobs.executor"));
        assertThat(registry.find("jobs.executor.completed").functionCounter()).isNotNull();
        assertThat(registry.find("jobs.executor").timers()).hasSize(3);
    }

    /** The meters read from stats() share one snapshot: one scrape calls stats() far fewer times than it has meters. */
    @Test
    void oneScrapeSharesOneSnapshot() {
        CountingExecutor e = new CountingExecutor(pool(1, "snapshot"), true);
        ExecutorMetrics.monitor(registry, e, "snapshot");
        int before = e.statsCalls.get();
        int read = 0;
        for (Meter m : registry.getMeters()) {
            if (m.getId().getType() == Meter.Type.GAUGE || m.getId().getType() == Meter.Type.COUNTER) {
                m.measure().forEach(x -> x.getValue());
                read++;
            }
        }
        assertThat(read).isGreaterThanOrEqualTo(9 + WorkerEvent.Kind.values().length);
        assertThat(e.statsCalls.get() - before).as("stats() calls for one scrape of 9 stats meters").isLessThan(9);
    }

    /** An executor without stats() is refused at once, by a message naming its class. */
    @Test
    void anExecutorWithoutStatisticsIsRefusedNamingItsClass() {
        NoStatsExecutor e = new NoStatsExecutor(pool(1, "nostats"));
        assertThatThrownBy(() -> new ExecutorMetrics(e, "x", Tags.empty()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(NoStatsExecutor.class.getName())
                .hasMessageContaining("stats()")
                .hasCauseInstanceOf(UnsupportedOperationException.class);
    }

    /** An executor with stats() but no events is refused at the bind, naming its class, and registers nothing. */
    @Test
    void anExecutorWithoutEventsIsRefusedNamingItsClass() {
        CountingExecutor e = new CountingExecutor(pool(1, "noevents"), false);
        assertThatThrownBy(() -> ExecutorMetrics.monitor(registry, e, "x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(CountingExecutor.class.getName())
                .hasMessageContaining("addListener")
                .hasCauseInstanceOf(UnsupportedOperationException.class);
        assertThat(registry.getMeters()).isEmpty();
    }

    // ------------------------------------------------------------------------------- executors of our own

    /** Runs its tasks on a ThreadPool, and keeps no statistics and has no events: the interface's defaults throw. */
    static class NoStatsExecutor extends AbstractTaskExecutor {
        final ThreadPool delegate;

        NoStatsExecutor(ThreadPool delegate) {
            this.delegate = delegate;
        }

        @Override
        protected int parallelism() {
            return delegate.workers();
        }

        @Override
        public <T> TaskFuture<T> submit(Callable<T> task) {
            return delegate.submit(task);
        }

        @Override
        public void shutdown(boolean wait, boolean cancelFutures) {
            delegate.shutdown(wait, cancelFutures);
        }

        @Override
        public List<Runnable> shutdownNow() {
            return delegate.shutdownNow();
        }

        @Override
        public boolean isShutdown() {
            return delegate.isShutdown();
        }

        @Override
        public boolean isTerminated() {
            return delegate.isTerminated();
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
            return delegate.awaitTermination(timeout, unit);
        }
    }

    /** The same, with the ThreadPool's statistics (counting the calls), and its events if asked. */
    static final class CountingExecutor extends NoStatsExecutor {
        final boolean events;
        final AtomicInteger statsCalls = new AtomicInteger();

        CountingExecutor(ThreadPool delegate, boolean events) {
            super(delegate);
            this.events = events;
        }

        @Override
        public ExecutorStats stats() {
            statsCalls.incrementAndGet();
            return delegate.stats();
        }

        @Override
        public AutoCloseable addListener(ExecutorListener listener) {
            return events ? delegate.addListener(listener) : super.addListener(listener);
        }
    }
}
