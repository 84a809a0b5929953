package dev.jfutures.internal;

import dev.jfutures.ExecutorListener;
import dev.jfutures.TaskEvent;
import dev.jfutures.TaskStatus;
import dev.jfutures.WorkerEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * One executor's view from outside: its listeners and the thread that calls them, its JFR
 * events, and the counts its {@code stats()} cannot read off its own state. Every executor of
 * jfutures has one.
 *
 * <p>Cost. Nothing is timed or recorded for a task unless someone hears it: {@link #submitted}
 * returns null (and the executor keeps no {@link Trace}) while no listener is added and no JFR
 * recording takes jfutures' task events. So with nobody listening a task costs one volatile read
 * and one check of JFR's enabled flag.
 *
 * <p>Order. A task's events go out through its Trace, which emits them under its own lock, in
 * SUBMITTED, STARTED, FINISHED order, whichever threads the steps happen on; the listener thread
 * takes the queue in order.
 */
public final class Telemetry {

    private static final System.Logger LOG = System.getLogger("dev.jfutures");

    /** Whether this JVM has JFR and this module reads it (a {@code requires static}). */
    static final boolean JFR;

    static {
        boolean ok;
        try {
            Optional<Module> m = ModuleLayer.boot().findModule("jdk.jfr");
            ok = m.isPresent() && Telemetry.class.getModule().canRead(m.get());
        } catch (Throwable e) {
            ok = false;
        }
        JFR = ok;
    }

    private final String executor;
    private final String kind;
    private final CopyOnWriteArrayList<ExecutorListener> listeners = new CopyOnWriteArrayList<>();
    private volatile boolean listening;
    private final AtomicLong ids = new AtomicLong();
    private final LongAdder cancelled = new LongAdder();
    /** Whether completed and failed are counted here (false: the executor counts them itself). */
    private final boolean countOutcomes;
    private final LongAdder completed = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final AtomicBoolean droppedWarned = new AtomicBoolean();
    private final Set<ExecutorListener> failedOnce = Collections.synchronizedSet(
            Collections.newSetFromMap(new IdentityHashMap<>()));
    private final ArrayBlockingQueue<Object> events = new ArrayBlockingQueue<>(ExecutorListener.QUEUE_CAPACITY);
    private final Object dispatcherLock = new Object();
    private Thread dispatcher;
    /** The executor terminated: the listener thread ends once the queue is empty. */
    private volatile boolean closed;

    /**
     * The telemetry of one executor.
     *
     * @param executor the executor's name
     * @param kind "thread", "process" or "cluster"
     */
    public Telemetry(String executor, String kind) {
        this(executor, kind, false);
    }

    /**
     * The telemetry of one executor.
     *
     * @param executor the executor's name
     * @param kind "thread", "process" or "cluster"
     * @param countOutcomes count succeeded and failed tasks here (see {@link #outcome})
     */
    public Telemetry(String executor, String kind, boolean countOutcomes) {
        this.executor = executor;
        this.kind = kind;
        this.countOutcomes = countOutcomes;
    }

    /** How the core hands a TaskPromise its telemetry; set by TaskPromise's class initializer. */
    public interface PromiseAccess {
        /**
         * Attaches telemetry and a trace to a promise, before its future is published.
         *
         * @param promise the promise
         * @param telemetry the executor's telemetry
         * @param trace the task's trace, or null
         */
        void observe(dev.jfutures.TaskPromise<?> promise, Telemetry telemetry, Trace trace);

        /**
         * The promise's trace.
         *
         * @param promise the promise
         * @return its trace, or null
         */
        Trace trace(dev.jfutures.TaskPromise<?> promise);
    }

    private static volatile PromiseAccess access;

    /**
     * Set once, by TaskPromise.
     *
     * @param a the access
     */
    public static void promiseAccess(PromiseAccess a) {
        access = a;
    }

    /**
     * Attaches this telemetry and a trace to a promise (see {@link PromiseAccess}).
     *
     * @param promise the promise, not yet published
     * @param trace its trace, or null
     */
    public void observe(dev.jfutures.TaskPromise<?> promise, Trace trace) {
        access().observe(promise, this, trace);
    }

    /**
     * A promise's trace.
     *
     * @param promise the promise
     * @return the trace, or null if nobody hears it
     */
    public static Trace traceOf(dev.jfutures.TaskPromise<?> promise) {
        return access().trace(promise);
    }

    private static PromiseAccess access() {
        PromiseAccess a = access;
        if (a == null) {
            try {
                Class.forName(dev.jfutures.TaskPromise.class.getName(), true, Telemetry.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
            a = access;
        }
        return a;
    }

    /**
     * A task of this executor is done; the core calls it from the future's one completion path.
     *
     * @param outcome SUCCEEDED, FAILED or CANCELLED
     */
    public void outcome(TaskStatus outcome) {
        if (outcome == TaskStatus.CANCELLED) {
            cancelled.increment();
        } else if (countOutcomes) {
            (outcome == TaskStatus.SUCCEEDED ? completed : failed).increment();
        }
    }

    /**
     * Tasks succeeded, where counted here.
     *
     * @return the count
     */
    public long completedCount() {
        return completed.sum();
    }

    /**
     * Tasks failed, where counted here.
     *
     * @return the count
     */
    public long failedCount() {
        return failed.sum();
    }

    /**
     * Whether a task submitted now is heard: a listener is added, or JFR records jfutures' task
     * events.
     *
     * @return true if so
     */
    public boolean active() {
        return listening || jfrOn() && JfrEvents.tasksEnabled();
    }

    /**
     * Whether JFR runs in this JVM at all. Until it does, jfutures' event classes stay unloaded:
     * loading one reads its annotations (a dozen proxy classes, milliseconds of a CLI's start)
     * for a recording nobody makes. Once JFR is initialized (a recording started, at launch or
     * by jcmd) the event classes load and their own enabled flags decide.
     */
    private static boolean jfrOn() {
        return JFR && jdk.jfr.FlightRecorder.isInitialized();
    }

    /**
     * A task was accepted: its trace, which emits SUBMITTED now; null (and nothing emitted) if
     * nobody hears it.
     *
     * @return the trace, or null
     */
    public Trace submitted() {
        if (!active()) {
            return null;
        }
        Trace t = new Trace(ids.incrementAndGet());
        t.submit();
        return t;
    }

    /**
     * A worker's change: to the listeners and to JFR.
     *
     * @param k what happened
     * @param worker the worker
     * @param cause for DIED, why; else null
     * @param tasks for STOLEN_FROM, how many; else 0
     */
    public void worker(WorkerEvent.Kind k, String worker, String cause, int tasks) {
        if (jfrOn()) {
            JfrEvents.worker(executor, kind, k.name(), worker, cause, tasks);
        }
        if (listening) {
            enqueue(new WorkerEvent(k, worker, executor, kind, Instant.now(), cause, tasks));
        }
    }

    /**
     * Tasks cancelled so far.
     *
     * @return the count
     */
    public long cancelledCount() {
        return cancelled.sum();
    }

    /**
     * Events dropped because the listeners' queue was full.
     *
     * @return the count
     */
    public long droppedEvents() {
        return dropped.sum();
    }

    /**
     * Times a listener threw.
     *
     * @return the count
     */
    public long listenerFailures() {
        return failures.sum();
    }

    /**
     * Adds a listener; its events start with the tasks submitted from now on.
     *
     * @param l the listener
     * @return closes to remove it
     * @throws NullPointerException if l is null
     */
    public AutoCloseable addListener(ExecutorListener l) {
        java.util.Objects.requireNonNull(l, "listener");
        synchronized (dispatcherLock) {
            listeners.add(l);
            listening = true;
            if (dispatcher == null && !closed) {
                dispatcher = new Thread(this::dispatch, executor + "-events");
                dispatcher.setDaemon(true);
                dispatcher.start();
            }
        }
        return () -> {
            synchronized (dispatcherLock) {
                listeners.remove(l);
                listening = !listeners.isEmpty();
            }
        };
    }

    /**
     * The executor terminated: the listener thread delivers what is queued and ends. Never blocks
     * (executors call it holding their locks).
     */
    public void close() {
        Thread d;
        synchronized (dispatcherLock) {
            closed = true;
            d = dispatcher;
        }
        if (d != null) {
            events.offer(STOP);   // if full, the thread sees `closed` once it has emptied the queue
        }
    }

    /** Ends the listener thread once it reaches it. */
    private static final Object STOP = new Object();

    /** How long {@link #awaitDelivered} waits before it warns that a listener holds it up. */
    private static final long STUCK_WARNING_NANOS = 10_000_000_000L;

    /**
     * After {@link #close}: waits until the listener thread has delivered every event queued and
     * ended, so that whoever waits for the executor's shutdown finds its listeners (a trace
     * recorder, a progress view) complete. Returns at once if there is no listener thread, or if
     * called on it (a listener that shuts its executor down). A listener that does not return
     * holds this up, as a task that does not return holds up the shutdown: after 10 s one WARNING
     * names it and the event it is on, and the wait goes on. Interrupted, it returns with the
     * interrupt flag set.
     */
    public void awaitDelivered() {
        Thread d;
        synchronized (dispatcherLock) {
            d = dispatcher;
        }
        if (d == null || d == Thread.currentThread()) {
            return;
        }
        try {
            d.join(STUCK_WARNING_NANOS / 1_000_000L);
            if (d.isAlive()) {
                Object[] at = delivering;
                LOG.log(System.Logger.Level.WARNING, executor + ": its shutdown waits for its listeners to hear the"
                        + " last events, and " + (at != null ? "listener " + at[0] + " has not returned from " + at[1]
                        : "they have not finished") + " for 10 s; a listener must return (hand slow work to a"
                        + " thread of its own)");
                d.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The listener being called and its event, for awaitDelivered's warning; null between calls. */
    private volatile Object[] delivering;

    private void enqueue(Object event) {
        if (!events.offer(event)) {
            dropped.increment();
            if (droppedWarned.compareAndSet(false, true)) {
                LOG.log(System.Logger.Level.WARNING, executor + ": its listeners are slower than its events; the"
                        + " queue of " + ExecutorListener.QUEUE_CAPACITY + " is full, so events are dropped (counted in"
                        + " stats().droppedEvents()); make the listeners hand their work to a thread of their own");
            }
        }
    }

    private void dispatch() {
        for (;;) {
            Object e;
            try {
                e = events.take();
            } catch (InterruptedException stray) {
                continue;
            }
            if (e == STOP) {
                return;
            }
            deliver(e);
            if (closed && events.isEmpty()) {
                return;
            }
        }
    }

    private void deliver(Object e) {
        for (ExecutorListener l : listeners) {
            try {
                delivering = new Object[] {l, e};
                if (e instanceof TaskEvent) {
                    l.taskEvent((TaskEvent) e);
                } else {
                    l.workerEvent((WorkerEvent) e);
                }
            } catch (Throwable x) {
                failures.increment();
                if (failedOnce.add(l)) {
                    LOG.log(System.Logger.Level.WARNING, executor + ": listener " + l + " threw on " + e
                            + " (logged once; it stays added and hears the next events)", x);
                }
            }
        }
    }

    /**
     * One heard task: its id and times, and where it runs. Emits its events in order, under its
     * own lock.
     */
    public final class Trace {
        private final long id;
        private long submitNanos;
        private long startNanos;
        private boolean started;
        private boolean finished;
        private String worker;
        private Object jfr;

        Trace(long id) {
            this.id = id;
        }

        private synchronized void submit() {
            submitNanos = System.nanoTime();
            if (jfrOn()) {
                JfrEvents.submitted(executor, kind, id);
            }
            if (listening) {
                enqueue(new TaskEvent(TaskEvent.Kind.SUBMITTED, id, executor, kind, null, Instant.now(), null, null, null));
            }
        }

        /**
         * Where the task is about to run; before {@link #started}.
         *
         * @param worker a thread's name, "pid N", a member's address
         */
        public synchronized void worker(String worker) {
            this.worker = worker;
        }

        /** The task started (its future turned RUNNING). */
        public synchronized void started() {
            if (finished) {
                return;   // a cancel finished it between its turn to RUNNING and this: FINISHED was its last word
            }
            started = true;
            startNanos = System.nanoTime();
            long queued = startNanos - submitNanos;
            if (jfrOn()) {
                jfr = JfrEvents.started(executor, kind, id, worker, queued);
            }
            if (listening) {
                enqueue(new TaskEvent(TaskEvent.Kind.STARTED, id, executor, kind, worker, Instant.now(),
                        Duration.ofNanos(queued), null, null));
            }
        }

        /**
         * The task is done.
         *
         * @param outcome SUCCEEDED, FAILED or CANCELLED
         */
        public synchronized void finished(TaskStatus outcome) {
            if (finished) {
                return;
            }
            finished = true;
            long now = System.nanoTime();
            boolean ran = started;
            long queued = (ran ? startNanos : now) - submitNanos;
            if (jfrOn()) {
                JfrEvents.finished(jfr, executor, kind, id, worker, queued, outcome.name());
                jfr = null;
            }
            if (listening) {
                enqueue(new TaskEvent(TaskEvent.Kind.FINISHED, id, executor, kind, worker, Instant.now(),
                        Duration.ofNanos(queued), ran ? Duration.ofNanos(now - startNanos) : null, outcome));
            }
        }
    }
}
