package dev.jfutures.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import dev.jfutures.BrokenExecutorException;
import dev.jfutures.TaskFuture;
import dev.jfutures.TaskPromise;
import dev.jfutures.WaitInterruptedException;
import dev.jfutures.cluster.internal.ClusterCall;
import dev.jfutures.cluster.internal.HazelcastSetup;
import dev.jfutures.cluster.internal.MemberProcess;
import dev.jfutures.cluster.internal.Signer;
import dev.jfutures.remote.Codec;
import dev.jfutures.remote.TaskNotSerializableException;
import dev.jfutures.remote.TaskTimeoutException;
import dev.jfutures.remote.internal.Failures;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The caller's side of a cluster pool: the tasks' claim records, the backlog, the dispatch to
 * worker members, and what a member's loss does to each task.
 *
 * <p>Threads: submitters (encode, queue, dispatch); Hazelcast's CLAIMS executor threads (a
 * worker's claim); the pool's one completion thread (outcomes, member losses, callbacks); its
 * timer (task timeouts). The pool's {@link #lock} guards the backlog, the members' loads and the
 * run state; each {@link ClusterCall} guards its own state (lock order: pool, then call).
 *
 * <p>The pool's run state: RUNNING, then SHUTDOWN (no submit; what is queued still runs unless
 * cancelled), then TERMINATED once no task is left and the nodes it owns are stopped.
 */
final class ClusterRuntime implements MembershipListener {

    /** Pools of this JVM by id, for the claims that workers send to it. */
    private static final Map<UUID, ClusterRuntime> POOLS = new ConcurrentHashMap<>();

    static final System.Logger LOG = System.getLogger("dev.jfutures.cluster");

    /** What the runtime needs from its pool's settings. */
    static final class Settings {
        String name;
        HazelcastInstance hz;
        boolean ownsInstance;
        List<MemberProcess> processes = List.of();
        byte[] key;
        Codec codec;
        byte[] initializer;
        int maxInFlight;
        int maxParallel = Integer.MAX_VALUE;
        int depthPerThread;
        Duration defaultTimeout;
        /** Run once the pool has terminated (it stops holding JVM exit). */
        Runnable onTerminated = () -> { };
        /** Whether the pool leaves JVM exit alone (no exit hook, no exit watch). */
        boolean daemon;
    }

    private static final int RUNNING = 0;
    private static final int SHUTDOWN = 1;
    private static final int TERMINATED = 2;

    private final Settings settings;
    private final HazelcastInstance hz;
    private final UUID poolId = UUID.randomUUID();
    private final UUID self;
    private final Signer signer;
    private final Semaphore inFlight;
    private final ExecutorService completions;
    private final ScheduledExecutorService timer;
    private final UUID membershipRegistration;
    /** Shuts an owning pool down once the program is done (see ExitWatch); null if none. */
    private Thread exitWatch;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    // Guarded by lock.
    private final ArrayDeque<Pending> backlog = new ArrayDeque<>();
    /** Listeners, JFR events, and the outcome counts of stats(). */
    private final dev.jfutures.internal.Telemetry telemetry;
    private final Map<Long, Pending> pending = new HashMap<>();
    private final Map<UUID, Worker> workers = new LinkedHashMap<>();
    private long nextId = 1;
    /** Tasks of this pool on workers now (sent, not answered or lost): at most maxParallel. */
    private int onWorkers;
    private int runState = RUNNING;
    private String broken;

    /** A worker member as the pool sees it. */
    private static final class Worker {
        final Member member;
        final int threads;
        int outstanding;
        /** Outcomes it answered (results and failures); the pool's lock held. */
        long answered;
        /** Members that answered with a key mismatch: never sent to again. */
        boolean refused;
        /** Its labels ({@code --label}). */
        final java.util.Set<String> labels;
        /**
         * The digest of its classes where it differs from this JVM's (see ClasspathDigest); null
         * while unknown or equal. Set once, by the answer to the Digest asked when it joined.
         */
        volatile String otherClasses;

        Worker(Member member, int threads, java.util.Set<String> labels) {
            this.member = member;
            this.threads = threads;
            this.labels = labels;
        }
    }

    /** A submitted task: its record, its future and its bytes. */
    private static final class Pending {
        final ClusterCall call;
        final TaskPromise<Object> promise;
        final byte[] payload;
        final Duration timeout;
        final java.util.Set<String> labels;
        ScheduledFuture<?> timeoutTask;
        Worker worker;

        Pending(ClusterCall call, TaskPromise<Object> promise, byte[] payload, Duration timeout,
                java.util.Set<String> labels) {
            this.call = call;
            this.promise = promise;
            this.payload = payload;
            this.timeout = timeout;
            this.labels = labels;
        }
    }

    /** A send decided under the lock and made after it. */
    private static final class Send {
        final Pending p;
        final Worker w;
        final int send;
        final byte[] initializer;

        Send(Pending p, Worker w, int send, byte[] initializer) {
            this.p = p;
            this.w = w;
            this.send = send;
            this.initializer = initializer;
        }
    }

    ClusterRuntime(Settings settings) {
        this.settings = settings;
        this.telemetry = new dev.jfutures.internal.Telemetry(settings.name, "cluster", true);
        this.hz = settings.hz;
        this.self = hz.getCluster().getLocalMember().getUuid();
        this.signer = new Signer(settings.key);
        this.inFlight = new Semaphore(settings.maxInFlight);
        this.completions = Executors.newSingleThreadExecutor(daemon(settings.name + "-completion"));
        this.timer = Executors.newSingleThreadScheduledExecutor(daemon(settings.name + "-timer"));
        POOLS.put(poolId, this);
        this.membershipRegistration = hz.getCluster().addMembershipListener(this);
        if (settings.ownsInstance) {
            String hzThreads = "hz." + hz.getName() + ".";
            String own = settings.name + "-";
            exitWatch = dev.jfutures.cluster.internal.ExitWatch.start(settings.name + "-exit-watch",
                    t -> t.getName().startsWith(hzThreads) || t.getName().startsWith(own),
                    // Not waiting here: the pool's shutdown thread and the node's threads keep
                    // the JVM alive until the tasks are done and the node has ended.
                    settings.daemon ? this::abandon : () -> shutdown(false, false));
        }
        List<Worker> joined = new ArrayList<>();
        lock.lock();
        try {
            for (Member m : hz.getCluster().getMembers()) {
                addWorker(m, joined);
            }
        } finally {
            lock.unlock();
        }
        joined.forEach(this::askDigest);
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + (n.getAndIncrement() == 0 ? "" : "-" + n.get()));
            t.setDaemon(true);
            return t;
        };
    }

    // ------------------------------------------------------------------ members

    /** Adds a worker member, and to {@code joined}; the lock held. */
    private void addWorker(Member m, List<Worker> joined) {
        if (m.localMember() || !"worker".equals(m.getAttribute(HazelcastSetup.ROLE)) || workers.containsKey(m.getUuid())) {
            return;
        }
        int threads = 1;
        try {
            threads = Math.max(1, Integer.parseInt(m.getAttribute(HazelcastSetup.THREADS)));
        } catch (RuntimeException ignored) {
            // a worker that does not say runs one at a time
        }
        java.util.Set<String> labels = new java.util.HashSet<>();
        String l = m.getAttribute(HazelcastSetup.LABELS);
        if (l != null) {
            for (String x : l.split(",")) {
                if (!x.isBlank()) {
                    labels.add(x.strip());
                }
            }
        }
        Worker w = new Worker(m, threads, java.util.Set.copyOf(labels));
        workers.put(m.getUuid(), w);
        joined.add(w);
    }

    /**
     * Asks a worker that joined for the digest of its classes, off every caller's path; if it
     * differs from this JVM's, warns, naming the member, and marks it, so that a task that cannot
     * be decoded there says why.
     */
    private void askDigest(Worker w) {   // no lock held
        telemetry.worker(dev.jfutures.WorkerEvent.Kind.STARTED, HazelcastSetup.describe(w.member), null, 0);
        try {
            hz.getExecutorService(HazelcastSetup.CONTROL).submitToMember(new Envelopes.Digest(), w.member,
                    new com.hazelcast.core.ExecutionCallback<String>() {
                        @Override
                        public void onResponse(String theirs) {
                            String ours = dev.jfutures.cluster.internal.ClasspathDigest.current();
                            if (theirs != null && !theirs.equals(ours)) {
                                w.otherClasses = theirs;
                                LOG.log(System.Logger.Level.WARNING, settings.name + ": member "
                                        + HazelcastSetup.describe(w.member) + classesDiffer(theirs)
                                        + "; tasks whose classes differ there fail to decode or run other code:"
                                        + " start it with the same jars (jfutures member --classpath ...)");
                            }
                        }

                        @Override
                        public void onFailure(Throwable t) {
                            // it left before it answered, or runs no jfutures: nothing to compare
                        }
                    });
        } catch (RuntimeException ignored) {
            // the member is going, or this node shuts down
        }
    }

    private static String classesDiffer(String theirs) {
        return " has other classes than this JVM (class path digest " + theirs + " there, "
                + dev.jfutures.cluster.internal.ClasspathDigest.current() + " here)";
    }

    @Override
    public void memberAdded(MembershipEvent event) {
        List<Send> sends;
        List<Worker> joined = new ArrayList<>(1);
        lock.lock();
        try {
            addWorker(event.getMember(), joined);
            sends = dispatch();
        } finally {
            lock.unlock();
        }
        send(sends);
        joined.forEach(this::askDigest);
    }

    @Override
    public void memberRemoved(MembershipEvent event) {
        Member m = event.getMember();
        if ("worker".equals(m.getAttribute(HazelcastSetup.ROLE))) {
            boolean planned;
            lock.lock();
            try {
                planned = runState != RUNNING;
            } finally {
                lock.unlock();
            }
            telemetry.worker(planned ? dev.jfutures.WorkerEvent.Kind.STOPPED : dev.jfutures.WorkerEvent.Kind.DIED,
                    HazelcastSetup.describe(m), planned ? null : "it left the cluster, or died", 0);
        }
        completions.execute(() -> lost(event.getMember().getUuid(), null));
    }

    /**
     * A member is gone: each task it held goes back to the queue, or fails, as its record
     * decides. {@code only}: just that task (its send failed), else every task on the member.
     */
    private void lost(UUID member, Pending only) {
        List<Runnable> after = new ArrayList<>();
        List<Send> sends;
        lock.lock();
        try {
            Worker w = workers.get(member);
            if (only == null) {
                workers.remove(member);
            }
            List<Pending> affected = new ArrayList<>();
            if (only != null) {
                affected.add(only);
            } else {
                for (Pending p : pending.values()) {
                    if (member.equals(p.call.member())) {
                        affected.add(p);
                    }
                }
            }
            for (Pending p : affected) {
                int send = p.call.send();
                boolean held = p.call.occupying();
                ClusterCall.Loss loss = p.call.memberLost(member, send);
                if (loss != ClusterCall.Loss.IGNORED && held && p.worker != null) {
                    p.worker.outstanding--;
                    onWorkers--;
                }
                String address = w != null ? HazelcastSetup.describe(w.member) : "an unknown address";
                switch (loss) {
                    case REQUEUED:
                    case RETRIED:
                        p.worker = null;
                        backlog.addFirst(p);
                        break;
                    case FAILED:
                        after.add(() -> p.promise.trySetException(new MemberLostException(settings.name + ": task "
                                + p.call.id() + " had started (attempt " + p.call.attempts() + ") on member " + member
                                + " at " + address + ", which died or left before it answered; it may have run there"
                                + " in part or in full, and was not run again: it has no retry left"
                                + " (TaskOptions.retries(n) lets it run again elsewhere)",
                                member, address, p.call.attempts(), false)));
                        break;
                    case POISONOUS:
                        after.add(() -> p.promise.trySetException(new MemberLostException(settings.name + ": task "
                                + p.call.id() + " is poisonous: " + ClusterCall.POISON_LOSSES + " members died or left"
                                + " while it ran on them (the last " + member + " at " + address + "), so it is not"
                                + " given a fourth", member, address, p.call.attempts(), true)));
                        break;
                    default:
                        break;
                }
                // A task already done (cancelled, timed out, cancel(true)) that the lost member
                // still held is let go of only now.
                if (p.promise.future().isDone() && !p.call.occupying()) {
                    pending.remove(p.call.id());
                }
            }
            sends = dispatch();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        after.forEach(Runnable::run);
        maybeTerminate();
        send(sends);
    }

    // ------------------------------------------------------------------ submit

    <T> TaskFuture<T> submit(Callable<T> task, Object shown, TaskOptions options) {
        Objects.requireNonNull(task, "task");
        checkAccepting();
        if (!(shown instanceof Serializable)) {
            throw new TaskNotSerializableException("the task " + shown.getClass().getName() + " does not implement"
                    + " java.io.Serializable, so it cannot be sent to a cluster member; submit a dev.jfutures.Task"
                    + " lambda, or make the class Serializable", null);
        }
        byte[] payload;
        try {
            payload = settings.codec.encode(task);
        } catch (IOException | RuntimeException e) {
            throw new TaskNotSerializableException("task " + shown.getClass().getName() + " refused at submit: "
                    + e.getMessage(), e);
        }
        try {
            inFlight.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WaitInterruptedException(e);
        }
        TaskPromise<Object> promise = new TaskPromise<>(completions);
        dev.jfutures.internal.Telemetry.Trace trace = telemetry.submitted();
        telemetry.observe(promise, trace);
        Pending p;
        List<Send> sends;
        lock.lock();
        try {
            if (runState != RUNNING || broken != null) {
                inFlight.release();
                if (trace != null) {
                    trace.finished(dev.jfutures.TaskStatus.CANCELLED);   // refused after all
                }
                checkAccepting();
            }
            ClusterCall call = new ClusterCall(nextId++, options.retries());
            p = new Pending(call, promise, payload, options.timeout() != null ? options.timeout() : settings.defaultTimeout,
                    options.labels());
            pending.put(call.id(), p);
            backlog.add(p);
            sends = dispatch();
        } finally {
            lock.unlock();
        }
        Pending done = p;
        promise.setCancelGate(() -> cancelUnstarted(done));
        promise.future().addDoneCallback(f -> finished(done));
        send(sends);
        @SuppressWarnings("unchecked")
        TaskFuture<T> f = (TaskFuture<T>) promise.future();
        return f;
    }

    /** A snapshot (see ExecutorStats): the backlog, and each worker member's tasks. */
    dev.jfutures.ExecutorStats stats() {
        List<dev.jfutures.ExecutorStats.Worker> ws = new ArrayList<>();
        long queued = 0;
        long running = 0;
        lock.lock();
        try {
            for (Pending p : backlog) {
                if (p.call.state() == ClusterCall.QUEUED) {
                    queued++;
                }
            }
            Map<UUID, int[]> byMember = new HashMap<>();   // {running, sent}
            for (Pending p : pending.values()) {
                int st = p.call.state();
                UUID m = p.call.member();
                if (m != null && (st == ClusterCall.RUNNING || st == ClusterCall.SENT)) {
                    byMember.computeIfAbsent(m, k -> new int[2])[st == ClusterCall.RUNNING ? 0 : 1]++;
                }
            }
            for (Worker w : workers.values()) {
                int[] c = byMember.getOrDefault(w.member.getUuid(), new int[2]);
                running += c[0];
                ws.add(new dev.jfutures.ExecutorStats.Worker(HazelcastSetup.describe(w.member), c[0], c[1], w.answered));
            }
        } finally {
            lock.unlock();
        }
        return new dev.jfutures.ExecutorStats(settings.name, queued, running, telemetry.completedCount(),
                telemetry.failedCount(), telemetry.cancelledCount(), ws, telemetry.droppedEvents(),
                telemetry.listenerFailures());
    }

    AutoCloseable addListener(dev.jfutures.ExecutorListener l) {
        return telemetry.addListener(l);
    }

    private void checkAccepting() {
        lock.lock();
        try {
            if (broken != null) {
                throw new BrokenExecutorException(settings.name + " is broken: " + broken, null);
            }
            if (runState != RUNNING) {
                throw new RejectedExecutionException("cannot submit to " + settings.name + ": the pool is shut down");
            }
        } finally {
            lock.unlock();
        }
    }

    /** The cancel gate: the record decides; a cancelled task leaves the backlog lazily. */
    private boolean cancelUnstarted(Pending p) {
        return p.call.cancel();
    }

    /** The future is done: the permit goes back, and the pool may terminate. */
    private void finished(Pending p) {
        inFlight.release();
        if (p.timeoutTask != null) {
            p.timeoutTask.cancel(false);
        }
        lock.lock();
        try {
            if (!p.call.occupying()) {
                pending.remove(p.call.id());
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        maybeTerminate();
    }

    /** Labelled tasks passed over in one dispatch, at most: a bound on the scan's cost. */
    private static final int MAX_PASSED = 1024;
    /** Label sets the pool said no worker has (once each). */
    private final java.util.Set<java.util.Set<String>> warnedLabels = new java.util.HashSet<>();

    /** Whether the pool said that tasks wait for a worker, since the last one left. */
    private boolean warnedNoWorker;

    /** Why the last worker that refused this pool's tasks did (its key differs); null if none did. */
    private String refusal;

    /**
     * Sends what can go now: backlog order, each to the least-loaded worker with room. When every
     * worker there is refuses this pool's tasks, the queued tasks fail with the refusal instead
     * of waiting for a worker that may never come. Lock held.
     */
    private List<Send> dispatch() {
        List<Send> sends = new ArrayList<>();
        if (workers.isEmpty() && !backlog.isEmpty() && !warnedNoWorker) {
            warnedNoWorker = true;
            LOG.log(System.Logger.Level.WARNING, settings.name + ": " + backlog.size() + " task(s) wait, and the"
                    + " cluster has no worker member (dev.jfutures.cluster.Member, jfutures member) to run them;"
                    + " they run when one joins");
        } else if (!workers.isEmpty()) {
            warnedNoWorker = false;
        }
        if (refusal != null && !workers.isEmpty() && workers.values().stream().allMatch(w -> w.refused)) {
            for (Pending p : backlog) {
                if (p.call.failUnstarted()) {
                    String why = refusal;
                    completions.execute(() -> p.promise.trySetException(new SecurityException(why)));
                }
            }
            backlog.clear();
            return sends;
        }
        // Backlog order; a task whose labels no worker with room has is passed over (it keeps its
        // place), so it does not hold up the tasks behind it. An unlabelled task that finds no
        // room means no worker has any: the scan stops there.
        java.util.Iterator<Pending> it = backlog.iterator();
        int passed = 0;
        while (it.hasNext() && onWorkers < settings.maxParallel && passed < MAX_PASSED) {
            Pending p = it.next();
            if (p.call.state() != ClusterCall.QUEUED) {
                it.remove();   // cancelled or failed while queued
                continue;
            }
            Worker best = null;
            boolean anyHasLabels = false;
            for (Worker w : workers.values()) {
                if (w.refused || !w.labels.containsAll(p.labels)) {
                    continue;
                }
                anyHasLabels = true;
                if (w.outstanding >= w.threads * settings.depthPerThread) {
                    continue;
                }
                if (best == null || w.outstanding * best.threads < best.outstanding * w.threads) {
                    best = w;
                }
            }
            if (best == null) {
                if (p.labels.isEmpty()) {
                    break;
                }
                if (!anyHasLabels && warnedLabels.add(p.labels)) {
                    LOG.log(System.Logger.Level.WARNING, settings.name + ": task " + p.call.id() + " waits for a worker"
                            + " with the labels " + p.labels + ", and no worker in the cluster has them; it runs when"
                            + " one joins (jfutures member --label ...)");
                }
                passed++;
                continue;
            }
            int send = p.call.dispatch(best.member.getUuid());
            it.remove();
            if (send < 0) {
                continue;
            }
            best.outstanding++;
            onWorkers++;
            p.worker = best;
            // Every send carries the initializer; the worker runs it once per pool.
            sends.add(new Send(p, best, send, settings.initializer));
        }
        return sends;
    }

    private void send(List<Send> sends) {
        for (Send s : sends) {
            Pending p = s.p;
            Envelopes.RunTask t = new Envelopes.RunTask(poolId, self, p.call.id(), s.send, p.payload, s.initializer,
                    signer.sign(poolId, p.call.id(), s.send, p.payload, s.initializer));
            Future<byte[]> f;
            try {
                f = hz.getExecutorService(HazelcastSetup.TASKS).submitToMember(t, s.w.member);
            } catch (RuntimeException e) {
                completions.execute(() -> lost(s.w.member.getUuid(), p));
                continue;
            }
            if (f instanceof CompletionStage) {
                @SuppressWarnings("unchecked")
                CompletionStage<byte[]> stage = (CompletionStage<byte[]>) f;
                stage.whenCompleteAsync((bytes, error) -> answered(s, bytes, error), completions);
            } else {
                completions.execute(() -> {
                    try {
                        answered(s, f.get(), null);
                    } catch (ExecutionException e) {
                        answered(s, null, e.getCause());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
            }
        }
    }

    // ------------------------------------------------------------------ claims and outcomes

    /** A worker's claim, on a CLAIMS thread: the attempt it runs as, or 0 if it must not run. */
    static int claim(UUID pool, long call, int send, UUID member) {
        ClusterRuntime r = POOLS.get(pool);
        return r == null ? 0 : r.claim(call, send, member);
    }

    private int claim(long id, int send, UUID member) {
        Pending p;
        lock.lock();
        try {
            p = pending.get(id);
        } finally {
            lock.unlock();
        }
        if (p == null) {
            return 0;
        }
        int attempt = p.call.claim(member, send);
        if (attempt == 0) {
            return 0;
        }
        if (attempt == 1) {
            dev.jfutures.internal.Telemetry.Trace trace = dev.jfutures.internal.Telemetry.traceOf(p.promise);
            if (trace != null) {
                Worker w;
                lock.lock();
                try {
                    w = workers.get(member);
                } finally {
                    lock.unlock();
                }
                trace.worker(w != null ? HazelcastSetup.describe(w.member) : String.valueOf(member));
            }
            p.promise.setRunning(() -> stop(p, p.call.send(), null));
        }
        if (p.timeout != null) {
            if (p.timeoutTask != null) {
                p.timeoutTask.cancel(false);   // a retry's timeout counts from its own start
            }
            Duration timeout = p.timeout;
            p.timeoutTask = timer.schedule(() -> stop(p, send, timeout), timeout.toNanos(), TimeUnit.NANOSECONDS);
        }
        return attempt;
    }

    /** cancel(true) (timeout null) or a timeout: the record finishes, the member interrupts. */
    private void stop(Pending p, int send, Duration timeout) {
        if (!p.call.finishRunning()) {
            return;
        }
        if (timeout != null) {
            p.promise.trySetException(new TaskTimeoutException(settings.name + ": task " + p.call.id()
                    + " ran longer than its timeout of " + timeout + "; it was interrupted on its member", timeout));
        }
        UUID member = p.call.member();
        Worker w;
        lock.lock();
        try {
            w = member == null ? null : workers.get(member);
        } finally {
            lock.unlock();
        }
        if (w != null) {
            try {
                hz.getExecutorService(HazelcastSetup.CONTROL).submitToMember(
                        new Envelopes.Interrupt(poolId, p.call.id(), send), w.member);
            } catch (RuntimeException ignored) {
                // the member is going: its loss ends the task's hold on it
            }
        }
    }

    /** The answer of a send, on the completion thread. */
    private void answered(Send s, byte[] bytes, Throwable error) {
        Pending p = s.p;
        if (error != null) {
            // The member left or died (MemberLeft, TargetNotMember, ...), or refused the task (its
            // executor shut down): either way the record decides, as for any loss of the member.
            lost(s.w.member.getUuid(), p);
            return;
        }
        byte tag = bytes.length > 0 ? bytes[0] : 0;
        byte[] body = Arrays.copyOfRange(bytes, Math.min(1, bytes.length), bytes.length);
        String where = "cluster member " + HazelcastSetup.describe(s.w.member);
        List<Send> sends;
        boolean complete = false;
        boolean refusedMember = false;
        lock.lock();
        try {
            boolean held = p.call.occupying() && p.call.send() == s.send;
            switch (tag) {
                case Envelopes.RESULT:
                case Envelopes.FAILED:
                case Envelopes.DECODE_FAILED:
                    complete = p.call.outcome(s.send);
                    if (complete) {
                        s.w.answered++;
                    }
                    break;
                case Envelopes.BAD_SIGNATURE:
                case Envelopes.NOT_A_WORKER:
                case Envelopes.INIT_FAILED:
                    p.call.released(s.send);
                    refusedMember = tag != Envelopes.INIT_FAILED;
                    complete = p.call.failUnstarted();
                    break;
                default:
                    p.call.released(s.send);
                    break;
            }
            if (held) {
                s.w.outstanding--;
                onWorkers--;
            }
            if (refusedMember) {
                s.w.refused = true;
                refusal = new String(body, StandardCharsets.UTF_8);
            }
            if (p.promise.future().isDone() || complete) {
                pending.remove(p.call.id());
            }
            sends = dispatch();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (complete) {
            switch (tag) {
                case Envelopes.RESULT:
                    try {
                        p.promise.trySetResult(settings.codec.decode(body));
                    } catch (Throwable e) {
                        p.promise.trySetException(new IOException("the result of task " + p.call.id() + " from " + where
                                + " could not be decoded here: " + Failures.describe(e), e));
                    }
                    break;
                case Envelopes.FAILED:
                    p.promise.trySetException(Failures.decode(body, settings.codec, where));
                    break;
                case Envelopes.DECODE_FAILED: {
                    Throwable cause = Failures.decode(body, settings.codec, where);
                    String differ = s.w.otherClasses;
                    p.promise.trySetException(new IOException("the task could not be deserialized on " + where + ": "
                            + cause + (differ != null ? "; that member" + classesDiffer(differ)
                                    + ": start it with the task classes of this JVM (jfutures member --classpath ...)"
                                    : ""), cause));
                    break;
                }
                case Envelopes.INIT_FAILED: {
                    Throwable cause = Failures.decode(body, settings.codec, where);
                    String why = "the initializer failed on " + where + ": " + Failures.describe(cause);
                    breakPool(why, cause);
                    p.promise.trySetException(new BrokenExecutorException(settings.name + " is broken: " + why, cause));
                    break;
                }
                default:
                    p.promise.trySetException(new SecurityException(new String(body, StandardCharsets.UTF_8)));
                    break;
            }
        }
        maybeTerminate();
        send(sends);
    }

    /** The initializer failed: every task not started fails, no more submits (as CPython's BrokenProcessPool). */
    private void breakPool(String why, Throwable cause) {
        List<Pending> fail = new ArrayList<>();
        lock.lock();
        try {
            if (broken == null) {
                broken = why;
                LOG.log(System.Logger.Level.ERROR, settings.name + " is broken: " + why
                        + "; its tasks that have not started fail, and it takes no more", cause);
            }
            for (Pending q : pending.values()) {
                if (q.call.failUnstarted()) {
                    fail.add(q);
                }
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        for (Pending q : fail) {
            q.promise.trySetException(new BrokenExecutorException(settings.name + " is broken: " + why, cause));
        }
    }

    // ------------------------------------------------------------------ shutdown

    void shutdown(boolean wait, boolean cancelFutures) {
        List<Pending> cancel = new ArrayList<>();
        lock.lock();
        try {
            if (runState == RUNNING) {
                runState = SHUTDOWN;
            }
            if (cancelFutures) {
                for (Pending p : backlog) {
                    if (p.call.cancel()) {
                        cancel.add(p);
                    }
                }
                for (Pending p : pending.values()) {
                    if (p.call.state() == ClusterCall.SENT && p.call.cancel()) {
                        cancel.add(p);
                    }
                }
            }
        } finally {
            lock.unlock();
        }
        for (Pending p : cancel) {
            p.promise.setCancelled();
        }
        maybeTerminate();
        if (wait) {
            try {
                awaitTermination(Long.MAX_VALUE);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new WaitInterruptedException(e);
            }
            // Terminated; the listeners hear the last events before the wait ends.
            telemetry.awaitDelivered();
        }
    }

    /** Cancels what has not started and interrupts what runs; returns the never-started tasks' ids. */
    List<Long> shutdownNow() {
        List<Pending> cancelled = new ArrayList<>();
        List<Pending> runningOnes = new ArrayList<>();
        lock.lock();
        try {
            if (runState == RUNNING) {
                runState = SHUTDOWN;
            }
            for (Pending p : pending.values()) {
                if (p.call.cancel()) {
                    cancelled.add(p);
                } else if (p.call.state() == ClusterCall.RUNNING) {
                    runningOnes.add(p);
                }
            }
        } finally {
            lock.unlock();
        }
        List<Long> ids = new ArrayList<>();
        for (Pending p : cancelled) {
            p.promise.setCancelled();
            ids.add(p.call.id());
        }
        for (Pending p : runningOnes) {
            p.promise.future().cancel(true);
        }
        maybeTerminate();
        return ids;
    }

    private boolean terminating;

    /**
     * A daemon pool at the program's end: cancels what has not started and ends the node at once,
     * leaving running tasks behind (their futures stay as they are; nobody waits for them).
     */
    void abandon() {
        shutdownNow();
        lock.lock();
        try {
            if (terminating) {
                return;
            }
            terminating = true;
        } finally {
            lock.unlock();
        }
        Thread t = new Thread(this::terminate, settings.name + "-shutdown");
        t.setDaemon(false);
        t.start();
    }

    /** Once shut down and no task is left, ends what the pool owns, off the caller's thread. */
    private void maybeTerminate() {
        lock.lock();
        try {
            if (runState != SHUTDOWN || terminating || !pending.isEmpty()) {
                return;
            }
            terminating = true;
        } finally {
            lock.unlock();
        }
        Thread t = new Thread(this::terminate, settings.name + "-shutdown");
        t.setDaemon(false);
        t.start();
    }

    private void terminate() {
        POOLS.remove(poolId);
        if (exitWatch != null && exitWatch != Thread.currentThread()) {
            exitWatch.interrupt();
        }
        try {
            hz.getCluster().removeMembershipListener(membershipRegistration);
        } catch (RuntimeException ignored) {
            // the instance is going down
        }
        if (settings.ownsInstance) {
            // The workers leave at once (their lifeline ends), and this node then reports each
            // closed connection as a warning; they are this pool's own doing, so this node's
            // Hazelcast logging is off for the rest of its life when no other instance shares
            // the JVM's loggers.
            java.util.logging.Logger hzLog = java.util.logging.Logger.getLogger("com.hazelcast");
            java.util.logging.Level before = hzLog.getLevel();
            boolean alone = com.hazelcast.core.Hazelcast.getAllHazelcastInstances().size() <= 1;
            if (alone) {
                hzLog.setLevel(java.util.logging.Level.OFF);
            }
            try {
                for (MemberProcess m : settings.processes) {
                    m.stop(10_000);
                }
                hz.getLifecycleService().terminate();
            } catch (RuntimeException ignored) {
                // already down
            } finally {
                if (alone) {
                    hzLog.setLevel(before);
                }
            }
        }
        completions.shutdown();
        timer.shutdownNow();
        try {
            completions.awaitTermination(10, TimeUnit.SECONDS);
            timer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        settings.onTerminated.run();
        telemetry.close();
        lock.lock();
        try {
            runState = TERMINATED;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    boolean awaitTermination(long nanos) throws InterruptedException {
        lock.lock();
        try {
            long left = nanos;
            while (runState != TERMINATED) {
                if (left <= 0) {
                    return false;
                }
                left = changed.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
        return true;
    }

    boolean isShutdown() {
        lock.lock();
        try {
            return runState != RUNNING;
        } finally {
            lock.unlock();
        }
    }

    boolean isTerminated() {
        lock.lock();
        try {
            return runState == TERMINATED;
        } finally {
            lock.unlock();
        }
    }

    int parallelism() {
        lock.lock();
        try {
            int n = 0;
            for (Worker w : workers.values()) {
                n += w.threads;
            }
            return Math.max(1, n);
        } finally {
            lock.unlock();
        }
    }

    /** The worker members now, as "uuid@address (threads)". */
    List<String> members() {
        lock.lock();
        try {
            List<String> out = new ArrayList<>();
            for (Worker w : workers.values()) {
                out.add(w.member.getUuid() + " at " + HazelcastSetup.describe(w.member) + ", " + w.threads + " threads");
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    Settings settings() {
        return settings;
    }

    boolean isBroken() {
        lock.lock();
        try {
            return broken != null;
        } finally {
            lock.unlock();
        }
    }
}
