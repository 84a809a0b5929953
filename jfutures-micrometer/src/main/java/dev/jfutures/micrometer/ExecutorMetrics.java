package dev.jfutures.micrometer;

import dev.jfutures.ExecutorListener;
import dev.jfutures.ExecutorStats;
import dev.jfutures.TaskEvent;
import dev.jfutures.TaskExecutor;
import dev.jfutures.TaskStatus;
import dev.jfutures.ThreadPool;
import dev.jfutures.WorkerEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.ToDoubleFunction;

/**
 * An executor's statistics and events as Micrometer meters, named as Micrometer names those of
 * the JDK's executors ({@code io.micrometer.core.instrument.binder.jvm.ExecutorServiceMetrics}
 * and its timed wrapper), so that dashboards built for those read these too.
 *
 * <pre>{@code
 * ThreadPool pool = ThreadPool.builder().workers(8).threadNamePrefix("images").build();
 * ExecutorMetrics metrics = ExecutorMetrics.monitor(registry, pool, "images", Tag.of("app", "shop"));
 * ...
 * metrics.close();   // removes its meters and its listener
 * }</pre>
 *
 * <p>Every meter carries the tags given, {@code name} (the name given) and {@code kind}
 * ({@code thread}, {@code process} or {@code cluster}; for an executor of another class, that
 * class's name):
 *
 * <table>
 * <caption>The meters</caption>
 * <tr><th>meter</th><th>type, base unit</th><th>what</th></tr>
 * <tr><td>{@code executor.completed}</td><td>function counter, tasks</td><td>tasks finished:
 *     succeeded, failed or cancelled ({@link ExecutorStats#completed()} + {@link
 *     ExecutorStats#failed()} + {@link ExecutorStats#cancelled()}), as a {@code ThreadPoolExecutor}
 *     counts every task its workers are done with</td></tr>
 * <tr><td>{@code executor.failed}</td><td>function counter, tasks</td><td>of those, the tasks that
 *     failed</td></tr>
 * <tr><td>{@code executor.cancelled}</td><td>function counter, tasks</td><td>of those, the tasks
 *     cancelled, before or while they ran</td></tr>
 * <tr><td>{@code executor.active}</td><td>gauge, threads</td><td>tasks running now</td></tr>
 * <tr><td>{@code executor.queued}</td><td>gauge, tasks</td><td>tasks waiting, not yet started nor
 *     sent to a worker ({@link ExecutorStats#queued()})</td></tr>
 * <tr><td>{@code executor.assigned}</td><td>gauge, tasks</td><td>tasks sent to a worker that has
 *     not started them (a worker JVM's or member's pipeline; always 0 for threads)</td></tr>
 * <tr><td>{@code executor.pool.size}</td><td>gauge, threads</td><td>live workers: threads, worker
 *     JVMs, members</td></tr>
 * <tr><td>{@code executor.events.dropped}</td><td>function counter, events</td><td>events the
 *     executor's listeners missed because their queue was full</td></tr>
 * <tr><td>{@code executor.listener.failures}</td><td>function counter</td><td>times one of the
 *     executor's listeners threw</td></tr>
 * <tr><td>{@code executor}</td><td>timer, tag {@code outcome}</td><td>the time tasks ran, from
 *     start to finish; {@code outcome} is {@code SUCCEEDED}, {@code FAILED} or {@code
 *     CANCELLED}</td></tr>
 * <tr><td>{@code executor.idle}</td><td>timer</td><td>the time tasks waited, from submit to
 *     start; recorded as each starts</td></tr>
 * <tr><td>{@code executor.worker.events}</td><td>counter, events, tag {@code event}</td><td>the
 *     workers' changes: {@code STARTED}, {@code STOPPED}, {@code DIED}, {@code RECYCLED}, {@code
 *     STOLEN_FROM}</td></tr>
 * </table>
 *
 * <p>The counters and gauges read {@link TaskExecutor#stats()}, so they count from the
 * executor's start; one snapshot serves every meter read within a tenth of a second of it, so
 * one scrape takes one snapshot, not one per meter, and its counts agree with each other.
 * The timers and the worker-event counter hear the executor's events ({@link
 * TaskExecutor#addListener}) from the first {@link #bindTo} on: they count the tasks submitted
 * after it, and a task cancelled before it started is in no timer. Each outcome's timer and each
 * worker event's counter exists from the bind, at zero, so that a rate of failures reads 0 rather
 * than nothing.
 *
 * <p>Names are per registry: bind one {@code ExecutorMetrics} per executor name and tags, as with
 * Micrometer's binders (a second one with the same name would share the first one's meters). A
 * {@code metricPrefix} puts every name under a prefix of its own, as {@code
 * ExecutorServiceMetrics}'s does: registries that want one set of tag keys for each name
 * (Micrometer's Prometheus registry before 1.17 drops or refuses the others) need it when JDK
 * executors are monitored in the same registry, since {@code kind} and {@code outcome} are tags
 * those do not have.
 *
 * <p>The meters hold this object weakly (Micrometer's default for gauges and function counters),
 * and the executor holds it while it listens: dropping both lets them be collected, and the
 * meters read NaN.
 *
 * @since 0.1
 */
public final class ExecutorMetrics implements MeterBinder, AutoCloseable {

    /*
     * Implementation notes.
     *
     * Two sources. The function counters and gauges read stats() when the registry reads them (a
     * scrape, a push); the timers and counters of events are written on the executor's event
     * thread (NAME-events) by one listener, which records into the meters of every registry this
     * binder is bound to (MeterBinder allows several; the same one twice is a no-op).
     *
     * The snapshot. A scrape reads the nine stats() meters one after another; stats() takes a
     * process or cluster pool's lock and builds a worker list, so they share one snapshot, taken
     * under snapshotLock and kept for SNAPSHOT_NANOS. Under that lock a later read never sees an
     * older snapshot than an earlier one, so the function counters never go backwards.
     *
     * Reachability. The meters' state object is this binder, weakly held by Micrometer; the
     * value functions are static (they capture nothing), so the registry alone keeps neither this
     * nor the executor alive.
     *
     * close() marks the binder closed first, so that an event the executor had already queued for
     * the listener (its handle's close lets those through) records nothing; then it removes the
     * meters, then the listener.
     */

    /** How long one stats() snapshot serves the meters that read it. */
    private static final long SNAPSHOT_NANOS = Duration.ofMillis(100).toNanos();

    /** The outcomes of the tasks that ran, one timer each. */
    private static final List<TaskStatus> RAN_OUTCOMES = List.of(TaskStatus.SUCCEEDED, TaskStatus.FAILED,
            TaskStatus.CANCELLED);

    private final TaskExecutor executor;
    private final String prefix;
    private final Tags tags;
    private final ExecutorListener recorder = new Recorder();

    private final Object snapshotLock = new Object();
    /** Guarded by snapshotLock. */
    private ExecutorStats snapshot;
    /** Guarded by snapshotLock: System.nanoTime() when snapshot was taken. */
    private long snapshotAt;

    /** Guards binding and closing. */
    private final Object bindLock = new Object();
    /** Guarded by bindLock: removes the recorder; null until the first bind. */
    private AutoCloseable listening;
    /** Written under bindLock, read by the recorder on the event thread. */
    private final CopyOnWriteArrayList<Bound> bound = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    /**
     * A binder for an executor's meters, with Micrometer's names. It registers nothing until
     * {@link #bindTo}.
     *
     * @param executor the executor
     * @param name the {@code name} tag of every meter
     * @param tags more tags for every meter
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if the executor keeps no statistics ({@link
     *     TaskExecutor#stats()} throws {@link UnsupportedOperationException})
     * @since 0.1
     */
    public ExecutorMetrics(TaskExecutor executor, String name, Iterable<Tag> tags) {
        this(executor, name, "", tags);
    }

    /**
     * A binder for an executor's meters, every name under a prefix: {@code "jobs"} makes
     * {@code jobs.executor.completed} and so on.
     *
     * @param executor the executor
     * @param name the {@code name} tag of every meter
     * @param metricPrefix put before every meter's name, joined with a dot; empty for none
     * @param tags more tags for every meter
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if the executor keeps no statistics ({@link
     *     TaskExecutor#stats()} throws {@link UnsupportedOperationException})
     * @since 0.1
     */
    public ExecutorMetrics(TaskExecutor executor, String name, String metricPrefix, Iterable<Tag> tags) {
        this.executor = Objects.requireNonNull(executor, "executor");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(metricPrefix, "metricPrefix");
        Objects.requireNonNull(tags, "tags");
        this.prefix = metricPrefix.isEmpty() || metricPrefix.endsWith(".") ? metricPrefix : metricPrefix + ".";
        this.tags = Tags.concat(tags, "name", name, "kind", kindOf(executor));
        try {
            snapshot = executor.stats();
            snapshotAt = System.nanoTime();
        } catch (UnsupportedOperationException e) {
            throw unsupported("stats()", e);
        }
    }

    /**
     * Binds an executor's meters to a registry: {@code new ExecutorMetrics(executor, name,
     * Arrays.asList(tags)).bindTo(registry)}.
     *
     * @param registry the registry
     * @param executor the executor
     * @param name the {@code name} tag of every meter
     * @param tags more tags for every meter
     * @return the binder, whose {@link #close()} removes the meters
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if the executor keeps no statistics or has no events
     * @since 0.1
     */
    public static ExecutorMetrics monitor(MeterRegistry registry, TaskExecutor executor, String name, Tag... tags) {
        return monitor(registry, executor, name, Arrays.asList(tags));
    }

    /**
     * Binds an executor's meters to a registry: {@code new ExecutorMetrics(executor, name,
     * tags).bindTo(registry)}.
     *
     * @param registry the registry
     * @param executor the executor
     * @param name the {@code name} tag of every meter
     * @param tags more tags for every meter
     * @return the binder, whose {@link #close()} removes the meters
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if the executor keeps no statistics or has no events
     * @since 0.1
     */
    public static ExecutorMetrics monitor(MeterRegistry registry, TaskExecutor executor, String name,
            Iterable<Tag> tags) {
        Objects.requireNonNull(registry, "registry");
        ExecutorMetrics m = new ExecutorMetrics(executor, name, tags);
        m.bindTo(registry);
        return m;
    }

    /**
     * Registers the meters in a registry; the first bind also adds this binder's listener to the
     * executor. Binding to a registry already bound does nothing.
     *
     * @param registry the registry
     * @throws NullPointerException if {@code registry} is null
     * @throws IllegalArgumentException if the executor has no events ({@link
     *     TaskExecutor#addListener} throws {@link UnsupportedOperationException})
     * @throws IllegalStateException if this binder is closed
     * @since 0.1
     */
    @Override
    public void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        synchronized (bindLock) {
            if (closed) {
                throw new IllegalStateException("these metrics of " + executor + " are closed: make a new "
                        + "ExecutorMetrics to bind again");
            }
            for (Bound b : bound) {
                if (b.registry == registry) {
                    return;
                }
            }
            if (listening == null) {
                try {
                    listening = executor.addListener(recorder);
                } catch (UnsupportedOperationException e) {
                    throw unsupported("addListener", e);
                }
            }
            try {
                bound.add(new Bound(registry));
            } catch (RuntimeException e) {
                if (bound.isEmpty()) {
                    closeQuietly(listening, e);
                    listening = null;
                }
                throw e;
            }
        }
    }

    /**
     * Removes the meters from every registry they were bound to, and the listener from the
     * executor. Idempotent. The executor goes on as before.
     *
     * @throws IllegalStateException if the executor's listener handle failed to close (never for
     *     jfutures' executors); the meters are removed all the same
     * @since 0.1
     */
    @Override
    public void close() {
        AutoCloseable l;
        synchronized (bindLock) {
            if (closed) {
                return;
            }
            closed = true;
            l = listening;
            listening = null;
            for (Bound b : bound) {
                b.remove();
            }
            bound.clear();
        }
        if (l != null) {
            try {
                l.close();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException("could not remove the metrics' listener from " + executor, e);
            }
        }
    }

    @Override
    public String toString() {
        return "ExecutorMetrics[" + tags + (closed ? ", closed" : ", bound to " + bound.size() + " registr"
                + (bound.size() == 1 ? "y" : "ies")) + "]";
    }

    // ------------------------------------------------------------------------------- internals

    /** The stats() snapshot, new if the last one is older than SNAPSHOT_NANOS. */
    private ExecutorStats stats() {
        synchronized (snapshotLock) {
            long now = System.nanoTime();
            if (now - snapshotAt >= SNAPSHOT_NANOS) {
                snapshot = executor.stats();
                snapshotAt = now;
            }
            return snapshot;
        }
    }

    private static void closeQuietly(AutoCloseable c, RuntimeException failure) {
        try {
            c.close();
        } catch (Exception e) {
            failure.addSuppressed(e);
        }
    }

    private static String kindOf(TaskExecutor executor) {
        if (executor instanceof ThreadPool) {
            return "thread";
        }
        // Named, not referenced: this module depends on neither.
        switch (executor.getClass().getName()) {
            case "dev.jfutures.process.ProcessPool":
                return "process";
            case "dev.jfutures.cluster.ClusterPool":
                return "cluster";
            default:
                return executor.getClass().getName();
        }
    }

    private IllegalArgumentException unsupported(String what, UnsupportedOperationException e) {
        return new IllegalArgumentException("cannot monitor " + executor.getClass().getName() + ": its " + what
                + " is unsupported (" + e.getMessage() + "); ExecutorMetrics needs an executor with stats() and "
                + "addListener, as jfutures' ThreadPool, ProcessPool and ClusterPool have", e);
    }

    private static long finished(ExecutorMetrics m) {
        ExecutorStats s = m.stats();
        return s.completed() + s.failed() + s.cancelled();
    }

    private static long assigned(ExecutorMetrics m) {
        long n = 0;
        for (ExecutorStats.Worker w : m.stats().workers()) {
            n += w.assigned();
        }
        return n;
    }

    /** The meters in one registry. */
    private final class Bound {
        final MeterRegistry registry;
        final List<Meter> meters = new ArrayList<>();
        final Timer idle;
        final Map<TaskStatus, Timer> ran = new EnumMap<>(TaskStatus.class);
        final Map<WorkerEvent.Kind, Counter> workerEvents = new EnumMap<>(WorkerEvent.Kind.class);

        Bound(MeterRegistry registry) {
            this.registry = registry;
            try {
                counter("executor.completed", BaseUnits.TASKS,
                        "The approximate total number of tasks that have completed execution", ExecutorMetrics::finished);
                counter("executor.failed", BaseUnits.TASKS, "The total number of tasks that failed",
                        m -> m.stats().failed());
                counter("executor.cancelled", BaseUnits.TASKS,
                        "The total number of tasks cancelled, before or while they ran", m -> m.stats().cancelled());
                gauge("executor.active", BaseUnits.THREADS,
                        "The approximate number of threads that are actively executing tasks", m -> m.stats().running());
                gauge("executor.queued", BaseUnits.TASKS,
                        "The approximate number of tasks that are queued for execution", m -> m.stats().queued());
                gauge("executor.assigned", BaseUnits.TASKS,
                        "The number of tasks sent to a worker that has not started them", ExecutorMetrics::assigned);
                gauge("executor.pool.size", BaseUnits.THREADS, "The current number of threads in the pool",
                        m -> m.stats().workers().size());
                counter("executor.events.dropped", BaseUnits.EVENTS,
                        "The number of events that listeners missed because their queue was full",
                        m -> m.stats().droppedEvents());
                counter("executor.listener.failures", null, "The number of times a listener threw",
                        m -> m.stats().listenerFailures());
                for (TaskStatus outcome : RAN_OUTCOMES) {
                    ran.put(outcome, add(Timer.builder(prefix + "executor").tags(tags).tag("outcome", outcome.name())
                            .description("The time tasks ran, from their start to their finish").register(registry)));
                }
                idle = add(Timer.builder(prefix + "executor.idle").tags(tags)
                        .description("The time tasks waited, from their submit to their start").register(registry));
                for (WorkerEvent.Kind k : WorkerEvent.Kind.values()) {
                    workerEvents.put(k, add(Counter.builder(prefix + "executor.worker.events").tags(tags)
                            .tag("event", k.name()).baseUnit(BaseUnits.EVENTS)
                            .description("The number of times a worker started, stopped, died, was recycled or had "
                                    + "tasks taken back")
                            .register(registry)));
                }
            } catch (RuntimeException e) {
                remove();
                throw e;
            }
        }

        private void counter(String name, String unit, String description, ToDoubleFunction<ExecutorMetrics> f) {
            add(FunctionCounter.builder(prefix + name, ExecutorMetrics.this, f).tags(tags).baseUnit(unit)
                    .description(description).register(registry));
        }

        private void gauge(String name, String unit, String description, ToDoubleFunction<ExecutorMetrics> f) {
            add(Gauge.builder(prefix + name, ExecutorMetrics.this, f).tags(tags).baseUnit(unit)
                    .description(description).register(registry));
        }

        private <M extends Meter> M add(M meter) {
            meters.add(meter);
            return meter;
        }

        void remove() {
            for (Meter m : meters) {
                registry.remove(m);
            }
        }
    }

    /** Records the executor's events, on its event thread, into the meters of every registry. */
    private final class Recorder implements ExecutorListener {
        @Override
        public void taskEvent(TaskEvent e) {
            if (closed) {
                return;
            }
            if (e.kind() == TaskEvent.Kind.STARTED && e.queued() != null) {
                for (Bound b : bound) {
                    b.idle.record(e.queued());
                }
            } else if (e.kind() == TaskEvent.Kind.FINISHED && e.ran() != null) {
                for (Bound b : bound) {
                    Timer t = b.ran.get(e.outcome());
                    if (t != null) {
                        t.record(e.ran());
                    }
                }
            }
        }

        @Override
        public void workerEvent(WorkerEvent e) {
            if (closed) {
                return;
            }
            for (Bound b : bound) {
                b.workerEvents.get(e.kind()).increment();
            }
        }
    }
}
