package dev.jfutures.process.internal;

import dev.jfutures.BrokenExecutorException;
import dev.jfutures.TaskFuture;
import dev.jfutures.TaskPromise;
import dev.jfutures.WaitInterruptedException;
import dev.jfutures.remote.Codec;
import dev.jfutures.remote.TaskNotSerializableException;
import dev.jfutures.remote.TaskTimeoutException;
import java.io.IOException;
import java.io.Serializable;
import java.nio.channels.SocketChannel;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A running process pool: its lock, its {@link Scheduler}, its workers (each a {@link
 * WorkerProcess}, a {@link Connection} and an I/O thread), its {@link PoolSocket}, its timer and
 * the executor its futures' callbacks run on. It feeds the scheduler events and carries out its
 * {@link Scheduler.Effects}: the cheap ones under the lock, the rest (writes, process starts and
 * kills, completing futures) right after it, on the thread that caused them.
 *
 * <p>Implementation notes: data flow.
 * <pre>
 *   user thread   submit: encode the task (no lock) -> lock: scheduler.submit -> unlock ->
 *                 write the TASK frame to the chosen worker's socket itself (non-blocking)
 *   wN-io         one per worker: start its JVM, wait for its HELLO, send WELCOME; then read
 *                 frames (STARTED, RESULT, ...) -> lock: scheduler events -> unlock -> complete
 *                 futures (decoded here; waiters wake here; callbacks go to the callback
 *                 executor) and write what the events sent; at end of stream, reap the process
 *                 and tell the scheduler it is gone
 *   timer         one: timeouts, cancel grace periods, idle retirement, HELLO deadlines
 *   acceptor      one, plus a short thread per handshake (capped)
 *   wN-stdout/err two per worker: forward its output (OutputPump)
 *   callback-N    done-callbacks of this pool's futures, never on an I/O thread, so a slow one
 *                 cannot hold up other results
 * </pre>
 *
 * <p>Locking: one ReentrantLock guards the scheduler and the per-worker handles. Nothing that can
 * block or run user code runs under it: effects that do are queued in {@code after} and run by the
 * same thread once it has released the lock (so effects keep the order the scheduler gave them).
 * Frames are queued into a worker's outbox under the lock, so they go out in the scheduler's order
 * whichever thread writes them. Callbacks of futures never run under it; waiters wake outside it.
 */
public final class PoolRuntime implements Scheduler.Effects {

    /** Lazily made: a process pool used by a short CLI run need not pay for the logging system. */
    private static final class Log {
        static final System.Logger LOG = System.getLogger("dev.jfutures.process");
    }

    /** The most a cancel waits for its worker's answer; every CANCEL is answered, so only a hung JVM. */
    private static final long CANCEL_WAIT_SECONDS = 30;
    /** The most a worker whose channel ended may take to exit by itself before it is killed. */
    private static final long EXIT_WAIT_MILLIS = 2000;
    /** What shutdownNow waits for workers to answer the CANCELs of calls sent ahead. */
    private static final long RECALL_WAIT_SECONDS = 10;

    /**
     * Everything the builder decided.
     *
     * @param name the pool's name, the prefix of its threads' names
     * @param maxWorkers the most workers
     * @param command the worker command up to (not including) its arguments
     * @param workerArgs the worker's arguments after its socket and id: the codec and its filter
     * @param environment added to the workers' environment
     * @param workingDirectory the workers' directory, or null
     * @param prestart start every worker at once
     * @param idleTimeout retire workers idle this long, or null
     * @param maxTasksPerWorker recycle after this many calls, 0 for never
     * @param initializer the encoded initializer, empty for none
     * @param taskTimeout the default task timeout, or null
     * @param cancelGrace how long an interrupted task may take to end
     * @param startTimeout how long a worker may take to connect
     * @param pipelineDepth calls sent ahead to one worker at full size
     * @param maxStartFailures failed starts in a row that break the pool
     * @param codec the codec
     * @param daemon JVM exit does not wait for the pool
     * @param exitGrace at JVM exit, how long running tasks may take before their workers are ended
     */
    public record Settings(String name, int maxWorkers, List<String> command, List<String> workerArgs,
                           Map<String, String> environment,
                           java.nio.file.Path workingDirectory, boolean prestart, Duration idleTimeout,
                           int maxTasksPerWorker, byte[] initializer, Duration taskTimeout, Duration cancelGrace,
                           Duration startTimeout, int pipelineDepth, int maxStartFailures, Codec codec,
                           boolean daemon, Duration exitGrace) {
    }

    /** What the facade provides: hooks into AbstractTaskExecutor's JVM-exit registration. */
    public interface Host {
        /**
         * Registers the pool with the JVM-exit hook, on first use.
         *
         * @return false if the JVM is already exiting
         */
        boolean holdJvmExit();

        /** Deregisters it, once terminated. */
        void releaseJvmExit();
    }

    /** The pool's side of one worker. Guarded by the lock, but for the final fields. */
    private final class Handle {
        final WorkerSlot slot;
        final String prefix;
        final CompletableFuture<SocketChannel> connected = new CompletableFuture<>();
        final AtomicBoolean flushQueued = new AtomicBoolean();
        final Runnable flusher;
        volatile WorkerProcess process;
        volatile Connection connection;
        boolean killRequested;
        /** When the worker says its task started (STARTED's payload), for the timeout; lock held. */
        long startNanos;
        String killContext;
        String protocolProblem;
        /** Answers (RESULT, FAILED, ...) it sent for its calls; lock held. */
        long answered;
        ExitDiagnosis diagnosis;
        Thread io;

        Handle(WorkerSlot slot) {
            this.slot = slot;
            this.prefix = settings.name() + "-w" + slot.id();
            this.flusher = () -> {
                flushQueued.set(false);
                Connection c = connection;
                if (c != null) {
                    c.flush();
                }
            };
        }
    }

    /** A call's timers and its cancel handshake; made when it first needs one. */
    private static final class Extras {
        ScheduledFuture<?> timeout;
        ScheduledFuture<?> grace;
        Vote vote;
    }

    /** The answer to one cancel handshake, for every canceller waiting on it. */
    private static final class Vote {
        final CountDownLatch latch = new CountDownLatch(1);
        volatile boolean cancelled;
        volatile boolean answered;

        void answer(boolean yes) {
            cancelled = yes;
            answered = true;
            latch.countDown();
        }
    }

    private final Settings settings;
    private final Host host;
    private final byte[] token = new byte[Protocol.TOKEN_BYTES];
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition terminatedCondition = lock.newCondition();
    private final Scheduler scheduler;
    private final ScheduledThreadPoolExecutor timer;
    private final ThreadPoolExecutor callbacks;
    /** Listeners, JFR events, and the outcome counts of stats(). */
    private final dev.jfutures.internal.Telemetry telemetry;
    private final PoolSocket socket;
    private final List<String> workerArgs;
    /** Workers by id, not yet reaped; guarded by the lock. */
    private final Map<Long, Handle> handles = new LinkedHashMap<>();
    /** Effects to run once the lock is released; guarded by the lock. */
    private ArrayList<Runnable> after = new ArrayList<>();
    private long nextCallId = 1;
    private volatile boolean shutdownCalled;
    private volatile boolean broken;
    private volatile String brokenMessage;
    private volatile Throwable brokenCause;
    /** Why the last worker failed to start, for the broken message; guarded by the lock. */
    private String lastStartFailure;
    private Throwable lastStartCause;
    private boolean registeredForExit;
    private boolean terminated;

    /**
     * Opens the pool's socket and starts its timer and acceptor (and, with prestart, its workers).
     *
     * @param settings what the builder decided
     * @param host JVM-exit registration
     * @throws IllegalStateException if the socket cannot be opened
     * @throws RejectedExecutionException if prestart is asked while the JVM is exiting
     */
    public PoolRuntime(Settings settings, Host host) {
        this.settings = settings;
        this.host = host;
        this.telemetry = new dev.jfutures.internal.Telemetry(settings.name(), "process", true);
        new SecureRandom().nextBytes(token);
        this.scheduler = new Scheduler(settings.maxWorkers(), settings.pipelineDepth(), settings.maxTasksPerWorker(),
                settings.maxStartFailures(), this, System::nanoTime);
        this.timer = new ScheduledThreadPoolExecutor(1, r -> daemon(r, settings.name() + "-timer"));
        timer.setRemoveOnCancelPolicy(true);
        AtomicInteger callbackThreads = new AtomicInteger();
        this.callbacks = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 10, TimeUnit.SECONDS, new SynchronousQueue<>(),
                r -> daemon(r, settings.name() + "-callback-" + callbackThreads.incrementAndGet()));
        this.workerArgs = settings.workerArgs();
        try {
            this.socket = new PoolSocket(settings.name(), token, settings.startTimeout(),
                    2 * settings.maxWorkers() + 8, timer);
        } catch (IOException e) {
            timer.shutdownNow();
            throw new IllegalStateException("cannot open the worker channel (a Unix-domain socket under "
                    + System.getProperty("java.io.tmpdir") + "): " + e + "; set -Djava.io.tmpdir to a writable local"
                    + " directory", e);
        }
        socket.start(new PoolSocket.Router() {
            @Override
            public boolean connected(long workerId, SocketChannel channel) {
                Handle h;
                lock.lock();
                try {
                    h = handles.get(workerId);
                } finally {
                    lock.unlock();
                }
                return h != null && h.connected.complete(channel);
            }

            @Override
            public boolean warnOnRefusal() {
                return !shutdownCalled;
            }
        });
        if (settings.idleTimeout() != null) {
            long idle = settings.idleTimeout().toNanos();
            long period = Math.max(10, settings.idleTimeout().toMillis() / 4);
            timer.scheduleWithFixedDelay(() -> event(s -> s.retireIdle(idle)), period, period, TimeUnit.MILLISECONDS);
        }
        if (settings.prestart()) {
            List<Runnable> a;
            boolean refused = false;
            lock.lock();
            try {
                if (!registerForExit()) {
                    shutdownCalled = true;
                    scheduler.shutdown(false);
                    refused = true;
                } else {
                    scheduler.prestart();
                }
                a = takeAfter();
            } finally {
                lock.unlock();
            }
            runAfter(a);
            if (refused) {
                throw new RejectedExecutionException("cannot start " + settings.name() + ": the JVM is shutting down");
            }
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    // ============================================================================ submit

    /**
     * Submits a task.
     *
     * @param task the task
     * @param timeout its timeout once started, or null
     * @param <T> the result type
     * @return its future
     * @throws TaskNotSerializableException if the task cannot be encoded
     * @throws RejectedExecutionException if the pool is shut down
     * @throws BrokenExecutorException if the pool is broken
     */
    public <T> TaskFuture<T> submit(Callable<T> task, Duration timeout) {
        checkAccepting();
        byte[] payload = encode(task, task);
        Call[] holder = new Call[1];
        TaskPromise<T> promise = new TaskPromise<>(callbacks, (f, deadline) -> awaitAnswer(holder[0], f, deadline));
        dev.jfutures.internal.Telemetry.Trace trace = telemetry.submitted();
        telemetry.observe(promise, trace);
        List<Runnable> a;
        Call c;
        lock.lock();
        try {
            checkAccepting();
            if (!registerForExit()) {
                throw new RejectedExecutionException("cannot submit to " + settings.name() + ": the JVM is shutting "
                        + "down, and a pool that has run nothing yet cannot start workers now");
            }
            c = new Call(nextCallId++, payload, timeout, promise);
            holder[0] = c;
            if (!scheduler.submit(c)) {
                if (trace != null) {
                    trace.finished(dev.jfutures.TaskStatus.CANCELLED);   // refused after all
                }
                checkAccepting();
                throw new RejectedExecutionException("cannot submit to " + settings.name() + ": the pool is shut down");
            }
            a = takeAfter();
        } finally {
            lock.unlock();
        }
        Call call = c;
        promise.setCancelGate(() -> mayCancel(call));
        runAfter(a);
        return promise.future();
    }

    /**
     * Encodes a task, or explains, naming the class and what to write instead, why it cannot go.
     *
     * @param task what to encode
     * @param shown what the user gave (a Runnable inside the wrapper that made it a Callable)
     */
    public byte[] encode(Object task, Object shown) {
        checkSerializable(shown);
        try {
            return settings.codec().encode(task);
        } catch (IOException | RuntimeException e) {
            throw new TaskNotSerializableException("task " + shown.getClass().getName() + " refused at submit: "
                    + e.getMessage(), e);
        }
    }

    /**
     * Refuses, at once, a task that is not even Serializable, saying what to write instead.
     *
     * @param task the task as the user gave it
     * @throws TaskNotSerializableException if it is not Serializable
     */
    public void checkSerializable(Object task) {
        String advice = notSerializableAdvice(task);
        if (advice != null) {
            throw new TaskNotSerializableException(advice, null);
        }
    }

    /**
     * What to write instead of a task that is not even Serializable, or null if it is: the
     * messages say exactly what code works, since a user reaching the pool through an
     * ExecutorService-typed variable, or through CompletableFuture, did not choose the type.
     */
    static String notSerializableAdvice(Object task) {
        String cls = task.getClass().getName();
        // Before the Serializable test: CompletableFuture's async tasks are ForkJoinTasks, which
        // say they are Serializable, and then fail deep in the stream on the CompletableFuture they
        // hold, with advice nobody can follow.
        if (cls.startsWith("java.util.concurrent.CompletableFuture$")) {
            return "CompletableFuture.supplyAsync(..., pool) and runAsync(..., pool) hand the pool a " + cls
                    + ", which holds the CompletableFuture itself and cannot be sent to a worker JVM; write "
                    + "pool.submit(task).toCompletableFuture() instead, with the task a lambda the pool can send: "
                    + "pool.submit(() -> compute()).toCompletableFuture()";
        }
        if (task instanceof Serializable) {
            return null;
        }
        String notSerializable = "the task " + cls + " does not implement java.io.Serializable, so it cannot be sent"
                + " to a worker JVM";
        if (!cls.contains("$$Lambda")) {
            return task instanceof Callable || task instanceof Runnable
                    ? notSerializable + "; make it Serializable, or submit a dev.jfutures.Task lambda"
                    : notSerializable;
        }
        if (task instanceof Callable) {
            return "the task " + cls + " is a lambda of java.util.concurrent.Callable, which is not Serializable, "
                    + "so it cannot be sent to a worker JVM; declare it as a dev.jfutures.Task (Task<T> task = () -> ...;"
                    + " pool.submit(task)), or cast it: pool.submit((Task<T>) () -> ...)";
        }
        if (task instanceof Runnable) {
            return "the task " + cls + " is a lambda of java.lang.Runnable, which is not Serializable, so it cannot "
                    + "be sent to a worker JVM; cast it: pool.submit((Runnable & java.io.Serializable) () -> ...), or "
                    + "submit a dev.jfutures.Task (pool.submit(() -> { ...; return null; }))";
        }
        return notSerializable;
    }

    private void checkAccepting() {
        if (broken) {
            throw new BrokenExecutorException(brokenMessage, brokenCause);
        }
        if (shutdownCalled) {
            throw new RejectedExecutionException("cannot submit to " + settings.name() + ": the pool is shut down");
        }
    }

    /**
     * Makes JVM exit wait for this pool on its first use (as ThreadPool does on its first thread):
     * false if the JVM is already exiting, since nothing could then wait for its tasks. Lock held.
     */
    private boolean registerForExit() {
        if (settings.daemon() || registeredForExit) {
            return true;
        }
        registeredForExit = host.holdJvmExit();
        return registeredForExit;
    }

    // ============================================================================ cancel

    /**
     * The cancel gate of a call's pending future: a call not yet sent is cancelled at once; one
     * sent ahead to a worker only once the worker says it dropped it (so a successful cancel means
     * it never ran); one that has started, or starts first, is not.
     */
    private boolean mayCancel(Call c) {
        Scheduler.CancelDecision d;
        Vote vote = null;
        List<Runnable> a;
        lock.lock();
        try {
            d = scheduler.cancel(c);
            if (d == Scheduler.CancelDecision.WAIT) {
                vote = voteOf(c);
            }
            a = takeAfter();
        } finally {
            lock.unlock();
        }
        runAfter(a);
        if (d != Scheduler.CancelDecision.WAIT) {
            return d == Scheduler.CancelDecision.CANCELLED;
        }
        boolean interrupted = false;
        try {
            if (vote.latch.await(CANCEL_WAIT_SECONDS, TimeUnit.SECONDS)) {
                return vote.cancelled;
            }
        } catch (InterruptedException e) {
            interrupted = true;
        }
        lock.lock();
        try {
            if (vote.answered) {
                return vote.cancelled;
            }
            scheduler.withdrawCancel(c);
            return false;
        } finally {
            lock.unlock();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The vote of the call's current handshake, made if none; lock held. */
    private Vote voteOf(Call c) {
        Extras x = extras(c);
        if (x.vote == null) {
            x.vote = new Vote();
        }
        return x.vote;
    }

    private static Extras extras(Call c) {
        Extras x = (Extras) c.attachment();
        if (x == null) {
            x = new Extras();
            c.attachment(x);
        }
        return x;
    }

    /** Answers the call's handshake, if one waits; lock held. */
    private static void answerVote(Call c, boolean cancelled) {
        Extras x = (Extras) c.attachment();
        if (x != null && x.vote != null) {
            x.vote.answer(cancelled);
            x.vote = null;
        }
    }

    /**
     * The blocking helper of a call's future: a thread about to park on it waits in its worker's
     * waiter selector instead (see Connection.awaitAnswer), if the call is on a worker.
     */
    private void awaitAnswer(Call c, TaskFuture<?> f, long deadline) {
        if (c == null) {
            return;
        }
        Connection conn = null;
        WorkerSlot on = null;
        lock.lock();
        try {
            WorkerSlot w = c.worker();
            if (w != null) {
                conn = ((Handle) w.attachment()).connection;
                on = w;
            }
        } finally {
            lock.unlock();
        }
        if (conn != null) {
            WorkerSlot w = on;
            conn.awaitAnswer(() -> f.isDone() || c.worker() != w, () -> othersOut(w, c), deadline);
        }
    }

    /** Whether calls other than {@code c} are in {@code w}'s pipeline. */
    private boolean othersOut(WorkerSlot w, Call c) {
        lock.lock();
        try {
            return w.pipeline.size() > (w.pipeline.contains(c) ? 1 : 0);
        } finally {
            lock.unlock();
        }
    }

    /** cancel(true) of the call's RUNNING future: the stopper it gave setRunning. */
    private void interrupt(Call c) {
        event(s -> s.interrupt(c));
    }

    // ============================================================================ events

    /** Runs a scheduler event under the lock, then its effects. */
    private void event(java.util.function.Consumer<Scheduler> e) {
        List<Runnable> a;
        lock.lock();
        try {
            e.accept(scheduler);
            a = takeAfter();
        } finally {
            lock.unlock();
        }
        runAfter(a);
    }

    /** The effects queued so far, to run once the lock is released; lock held. */
    private List<Runnable> takeAfter() {
        if (after.isEmpty()) {
            return Collections.emptyList();
        }
        List<Runnable> a = after;
        after = new ArrayList<>();
        return a;
    }

    private static void runAfter(List<Runnable> a) {
        for (int i = 0; i < a.size(); i++) {
            a.get(i).run();
        }
    }

    // ============================================================================ workers

    /**
     * Starts a worker's JVM, on the thread whose event asked for it (after the lock): so {@code
     * build()} with prestart, and a submit that grows the pool, return with the processes started
     * (their pids known). Its I/O thread then waits for its HELLO, converses, and reaps it.
     */
    private void startWorker(Handle h) {
        java.nio.file.Path slot = Protocol.startedSlot(socket.directory(), h.slot.id());
        List<String> cmd = new ArrayList<>(settings.command());
        cmd.add(socket.path().toString());
        cmd.add(Long.toString(h.slot.id()));
        cmd.addAll(workerArgs);
        WorkerProcess p;
        try {
            java.nio.file.Files.write(slot, new byte[Protocol.SLOT_BYTES]);
            p = WorkerProcess.start(cmd, settings.environment(), settings.workingDirectory(), token, h.prefix,
                    System.out, System.err);
        } catch (IOException | RuntimeException e) {
            deleteSlot(slot);
            gone(h, true, "cannot start a worker JVM with " + cmd.get(0) + ": " + e.getMessage()
                    + "; check javaCommand and classpath", e, 0L);
            return;
        }
        boolean killNow;
        lock.lock();
        try {
            h.process = p;
            killNow = h.killRequested;
        } finally {
            lock.unlock();
        }
        if (killNow) {
            p.kill(h.killContext);
        }
        Thread io = daemon(() -> workerLife(h, p, slot), h.prefix + "-io");
        h.io = io;
        io.start();
    }

    /** A started worker's life, on its I/O thread: HELLO, WELCOME, every frame, then its reaping. */
    private void workerLife(Handle h, WorkerProcess p, java.nio.file.Path slot) {
        String startProblem = null;
        try {
            SocketChannel ch = awaitConnection(h, p);
            if (ch == null && p.isAlive()) {
                startProblem = "the worker JVM (pid " + p.pid() + ") did not connect within " + settings.startTimeout();
                p.kill(null);
            }
            if (ch != null) {
                converse(h, ch);
            }
            reap(h, p, slot, startProblem, null);
        } catch (Throwable unexpected) {
            Log.LOG.log(System.Logger.Level.ERROR, h.prefix + ": the pool's thread for this worker failed", unexpected);
            p.kill("the pool's thread for this worker failed: " + unexpected);
            reap(h, p, slot, null, unexpected);
        }
    }

    /**
     * Collects a worker's exit (what it says, and the last ticket in its started slot) and tells
     * the scheduler it is gone. A start timeout, or an exit of its own while starting, is a start
     * failure; a kill from outside (SIGKILL, SIGTERM) or a failure of the pool's own thread is not.
     */
    private void reap(Handle h, WorkerProcess p, java.nio.file.Path slot, String startProblem, Throwable poolFailure) {
        ExitDiagnosis d = p.awaitExit(EXIT_WAIT_MILLIS);
        lock.lock();
        try {
            h.diagnosis = d;
        } finally {
            lock.unlock();
        }
        long started = readSlot(slot);
        deleteSlot(slot);
        boolean killedFromOutside = d.exitCode() == 128 + 9 || d.exitCode() == 128 + 15;
        if (poolFailure != null) {
            gone(h, false, "the pool's thread for this worker failed: " + poolFailure, poolFailure, started);
        } else {
            gone(h, startProblem != null || !killedFromOutside,
                    startProblem != null ? startProblem : d.startFailureMessage(), null, started);
        }
    }

    /** The ticket a dead worker last recorded as started in its slot; 0 if none or unreadable. */
    private static long readSlot(java.nio.file.Path slot) {
        try (java.nio.channels.FileChannel c = java.nio.channels.FileChannel.open(slot,
                java.nio.file.StandardOpenOption.READ)) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(Protocol.SLOT_BYTES);
            while (b.hasRemaining() && c.read(b) > 0) {
                // read it all
            }
            return b.position() >= 8 ? b.getLong(0) : 0L;
        } catch (IOException | RuntimeException e) {
            return 0L;
        }
    }

    private static void deleteSlot(java.nio.file.Path slot) {
        try {
            java.nio.file.Files.deleteIfExists(slot);
        } catch (IOException ignored) {
            // the directory goes with the pool
        }
    }

    /** Waits for the worker's HELLO, its death, or the start timeout; null if it did not connect. */
    private SocketChannel awaitConnection(Handle h, WorkerProcess p) {
        // A worker that dies before it connects must not keep this thread waiting for the timeout.
        p.onExit().thenRun(() -> h.connected.complete(null));
        try {
            return h.connected.get(settings.startTimeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            h.connected.complete(null);
            return h.connected.getNow(null);
        } catch (InterruptedException | ExecutionException e) {
            return null;
        }
    }

    /** WELCOME, then every frame until the worker's end of the channel closes. */
    private void converse(Handle h, SocketChannel ch) {
        Connection conn;
        try {
            conn = new Connection(ch);
        } catch (IOException e) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // closing
            }
            h.process.kill(null);
            return;
        }
        h.connection = conn;
        conn.send(Protocol.WELCOME, 0L, settings.initializer());
        conn.flush();
        try {
            conn.run(frames -> onFrames(h, frames));
        } catch (Protocol.MalformedFrameException e) {
            Log.LOG.log(System.Logger.Level.ERROR, settings.name() + ": worker pid " + h.process.pid() + " sent "
                    + e.getMessage() + "; closing it", e);
            h.process.kill("the pool killed it: it sent " + e.getMessage());
        } finally {
            conn.closeQuietly();
        }
    }

    /** Frames that arrived together from a worker, on its I/O thread. */
    private void onFrames(Handle h, List<Protocol.Frame> frames) {
        List<Object> done = null;
        List<Runnable> a;
        lock.lock();
        try {
            WorkerSlot w = h.slot;
            for (int i = 0; i < frames.size(); i++) {
                Protocol.Frame f = frames.get(i);
                switch (f.type()) {
                    case Protocol.STARTED:
                        h.startNanos = Protocol.startNanos(f.payload(), System.nanoTime());
                        scheduler.started(w, f.ticket());
                        break;
                    case Protocol.RESULT:
                    case Protocol.FAILED:
                    case Protocol.TASK_DECODE_FAILED:
                    case Protocol.RESULT_ENCODE_FAILED:
                        h.startNanos = System.nanoTime();
                        Call c = scheduler.answered(w, f.ticket());
                        if (c != null) {
                            h.answered++;
                            if (done == null) {
                                done = new ArrayList<>();
                            }
                            done.add(c);
                            done.add(f);
                        }
                        break;
                    case Protocol.DROPPED:
                        scheduler.dropped(w, f.ticket());
                        break;
                    case Protocol.INIT_OK:
                        h.process.heapLimit(Protocol.heapLimit(f.payload()));
                        scheduler.workerReady(w);
                        long readyPid = h.process.pid();
                        after.add(() -> telemetry.worker(dev.jfutures.WorkerEvent.Kind.STARTED, "pid " + readyPid, null, 0));
                        break;
                    case Protocol.INIT_FAILED:
                        Throwable cause = Protocol.decodeFailure(f.payload(), settings.codec(), h.process.pid());
                        brokenCause = cause;
                        brokenMessage = settings.name() + " is broken: the initializer failed in worker pid "
                                + h.process.pid() + " (" + Protocol.describe(cause) + "), so the pool runs no more tasks;"
                                + " fix the initializer and build a new pool";
                        scheduler.initFailed(w);
                        break;
                    default:
                        String what = "a frame of " + Protocol.name(f.type());
                        h.protocolProblem = what;
                        WorkerProcess p = h.process;
                        after.add(() -> {
                            Log.LOG.log(System.Logger.Level.ERROR, settings.name() + ": worker pid " + p.pid()
                                    + " broke the protocol (" + what + "); killing it");
                            p.kill("the pool killed it: it sent " + what);
                        });
                }
            }
            a = takeAfter();
        } finally {
            lock.unlock();
        }
        runAfter(a);
        // What was queued for this worker while it was busy (see send) goes out now.
        Connection conn = h.connection;
        if (conn != null) {
            conn.flush();
        }
        if (done != null) {
            for (int i = 0; i < done.size(); i += 2) {
                complete((Call) done.get(i), (Protocol.Frame) done.get(i + 1), h);
            }
        }
    }

    /** Completes a call's future from its worker's answer; outside the lock. */
    private void complete(Call c, Protocol.Frame f, Handle h) {
        TaskPromise<Object> p = c.promise();
        long pid = h.process.pid();
        try {
            switch (f.type()) {
                case Protocol.RESULT:
                    Object value;
                    try {
                        value = settings.codec().decode(f.payload());
                    } catch (Throwable e) {
                        p.trySetException(new IOException("the task's result could not be deserialized in the pool: "
                                + Protocol.describe(e), e));
                        return;
                    }
                    p.trySetResult(value);
                    break;
                case Protocol.FAILED:
                    p.trySetException(Protocol.decodeFailure(f.payload(), settings.codec(), pid));
                    break;
                case Protocol.TASK_DECODE_FAILED:
                    Throwable reason = Protocol.decodeFailure(f.payload(), settings.codec(), pid);
                    p.trySetException(new IOException("the task could not be deserialized in worker pid " + pid + ": "
                            + messageOf(reason), reason));
                    break;
                default:
                    Throwable why = Protocol.decodeFailure(f.payload(), settings.codec(), pid);
                    p.trySetException(new IOException("the task's result could not be serialized in worker pid " + pid
                            + ": " + messageOf(why), why));
            }
        } catch (Throwable e) {
            p.trySetException(e);
        }
    }

    private static String messageOf(Throwable t) {
        try {
            String m = t.getMessage();
            return m != null ? m : t.toString();
        } catch (Throwable e) {
            return t.getClass().getName();
        }
    }

    /** The worker is gone: tell the scheduler; outside the lock. */
    private void gone(Handle h, boolean startFailure, String why, Throwable cause, long startedTicket) {
        List<Runnable> a;
        lock.lock();
        try {
            if (startFailure && h.slot.state() == WorkerSlot.STARTING) {
                lastStartFailure = why;
                lastStartCause = cause;
                if (!broken && !shutdownCalled) {
                    Log.LOG.log(System.Logger.Level.WARNING, settings.name() + ": " + why);
                }
            }
            handles.remove(h.slot.id());
            // Planned: it was retiring (idle, recycled, shut down) and nobody killed it.
            // A worker stopped while it started, with nothing for it to run, ended as planned too.
            dev.jfutures.WorkerEvent.Kind kind = h.slot.unneeded() ? dev.jfutures.WorkerEvent.Kind.STOPPED
                    : h.slot.state() != WorkerSlot.RETIRING || h.slot.killing()
                    ? dev.jfutures.WorkerEvent.Kind.DIED
                    : settings.maxTasksPerWorker() > 0 && h.slot.assigned >= settings.maxTasksPerWorker()
                    ? dev.jfutures.WorkerEvent.Kind.RECYCLED : dev.jfutures.WorkerEvent.Kind.STOPPED;
            WorkerProcess gp = h.process;
            String who = gp != null ? "pid " + gp.pid() : "worker " + h.slot.id();
            String because = kind == dev.jfutures.WorkerEvent.Kind.DIED
                    ? (h.diagnosis != null ? h.diagnosis.workerDeathMessage()
                            : why != null ? why : h.killContext != null ? h.killContext : "it ended") : null;
            after.add(() -> telemetry.worker(kind, who, because, 0));
            scheduler.workerGone(h.slot, startFailure, startedTicket);
            a = takeAfter();
        } finally {
            lock.unlock();
        }
        runAfter(a);
    }

    // ============================================================================ effects

    @Override
    public void spawn(WorkerSlot w) {
        Handle h = new Handle(w);
        w.attachment(h);
        handles.put(w.id(), h);
        after.add(() -> startWorker(h));
    }

    @Override
    public void send(WorkerSlot w, int frame, Call c) {
        Handle h = (Handle) w.attachment();
        Connection conn = h.connection;
        if (conn == null) {
            return;
        }
        switch (frame) {
            case Scheduler.TASK:
                conn.send(Protocol.TASK, c.ticket(), c.payload());
                if (w.pipeline().size() > 1) {
                    // The worker is busy: its next answer makes its I/O thread flush (onFrames), and
                    // the task goes out with whatever else is queued by then, one write for many
                    // instead of one per submit. It could not start before that answer anyway.
                    return;
                }
                break;
            case Scheduler.CANCEL:
                conn.send(Protocol.CANCEL, c.ticket(), EMPTY);
                break;
            case Scheduler.INTERRUPT:
                conn.send(Protocol.INTERRUPT, c.ticket(), EMPTY);
                break;
            default:
                conn.send(Protocol.STOP, 0L, EMPTY);
        }
        if (h.flushQueued.compareAndSet(false, true)) {
            after.add(h.flusher);
        }
    }

    private static final byte[] EMPTY = new byte[0];

    @Override
    public void kill(WorkerSlot w) {
        Handle h = (Handle) w.attachment();
        String context = w.killedByUser() ? "killWorkers() was called"
                : h.protocolProblem != null ? "the pool killed it: it sent " + h.protocolProblem
                : w.unneeded() ? "the pool stopped it while it started: the pool shut down with nothing for it to run"
                : null;
        WorkerProcess p = h.process;
        if (p == null) {
            h.killRequested = true;
            h.killContext = context;
            return;
        }
        after.add(() -> p.kill(context));
    }

    @Override
    public void running(Call c) {
        dev.jfutures.internal.Telemetry.Trace trace = dev.jfutures.internal.Telemetry.traceOf(c.promise());
        if (trace != null) {
            WorkerProcess wp = ((Handle) c.worker().attachment()).process;
            trace.worker(wp != null ? "pid " + wp.pid() : "worker " + c.worker().id());
        }
        try {
            c.promise().setRunning(() -> interrupt(c));
        } catch (IllegalStateException alreadyDone) {
            // Failed by a broken pool before it started: it runs all the same, and its result is dropped.
        }
        Duration timeout = c.timeout();
        if (timeout != null) {
            long ticket = c.ticket();
            // From when the task really started: the worker says STARTED a little after that.
            Handle h = (Handle) c.worker().attachment();
            long elapsed = Math.max(0L, System.nanoTime() - h.startNanos);
            long left = Math.max(0L, timeout.toNanos() - elapsed);
            extras(c).timeout = schedule(() -> event(s -> s.timedOut(c, ticket)), left);
        }
    }

    private ScheduledFuture<?> schedule(Runnable r, Duration d) {
        return schedule(r, d.toNanos());
    }

    private ScheduledFuture<?> schedule(Runnable r, long nanos) {
        try {
            return timer.schedule(r, nanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException terminated) {
            return null;
        }
    }

    @Override
    public void disarm(Call c) {
        Extras x = (Extras) c.attachment();
        if (x != null) {
            if (x.timeout != null) {
                x.timeout.cancel(false);
                x.timeout = null;
            }
            if (x.grace != null) {
                x.grace.cancel(false);
                x.grace = null;
            }
        }
    }

    @Override
    public void armGrace(Call c) {
        long ticket = c.ticket();
        extras(c).grace = schedule(() -> event(s -> s.graceExpired(c, ticket)), settings.cancelGrace());
    }

    @Override
    public void cancelled(Call c) {
        answerVote(c, true);
        after.add(() -> c.promise().setCancelled());
    }

    @Override
    public void cancelRefused(Call c) {
        answerVote(c, false);
    }

    @Override
    public void lost(Call c, WorkerSlot w) {
        Handle h = (Handle) w.attachment();
        RuntimeException e;
        if (c.kill() == Call.Kill.TIMEOUT) {
            e = new TaskTimeoutException("task ran longer than its timeout of " + c.timeout()
                    + ", so its worker JVM (pid " + h.process.pid() + ") was killed", c.timeout());
        } else {
            ExitDiagnosis d = h.diagnosis != null ? h.diagnosis
                    : ExitDiagnosis.of(h.process != null ? h.process.pid() : -1, ExitDiagnosis.UNKNOWN_EXIT_CODE);
            e = d.toException();
        }
        RuntimeException failure = e;
        after.add(() -> c.promise().trySetException(failure));
    }

    @Override
    public void broken(Call c) {
        String message = brokenMessage;
        Throwable cause = brokenCause;
        after.add(() -> c.promise().trySetException(new BrokenExecutorException(message, cause)));
    }

    @Override
    public void poolBroken() {
        if (brokenMessage == null) {
            String why = lastStartFailure != null ? lastStartFailure : "workers could not start";
            brokenMessage = settings.name() + " is broken: " + settings.maxStartFailures()
                    + " worker JVMs in a row failed to start; the last: " + why;
            brokenCause = lastStartCause != null ? lastStartCause : new IllegalStateException(why);
        }
        broken = true;
        String message = brokenMessage;
        Throwable cause = brokenCause;
        after.add(() -> Log.LOG.log(System.Logger.Level.ERROR, message, cause));
    }

    @Override
    public void protocolError(WorkerSlot w, String what) {
        Handle h = (Handle) w.attachment();
        h.protocolProblem = what;
        String pid = h.process != null ? Long.toString(h.process.pid()) : "?";
        after.add(() -> Log.LOG.log(System.Logger.Level.ERROR, settings.name() + ": worker pid " + pid
                + " broke the protocol (" + what + "); killing it"));
    }

    @Override
    public void stolenFrom(WorkerSlot w, int calls) {
        Handle h = (Handle) w.attachment();
        WorkerProcess p = h.process;
        String who = p != null ? "pid " + p.pid() : "worker " + w.id();
        after.add(() -> telemetry.worker(dev.jfutures.WorkerEvent.Kind.STOLEN_FROM, who, null, calls));
    }

    @Override
    public void terminated() {
        // Terminated (and awaitTermination returns) only once everything is released: after the
        // effects queued before this one (the last futures' outcomes), and the socket, its
        // directory and the timer gone.
        after.add(() -> {
            socket.close();
            timer.shutdownNow();
            callbacks.shutdown();
            telemetry.close();
            lock.lock();
            try {
                terminated = true;
                terminatedCondition.signalAll();
            } finally {
                lock.unlock();
            }
            host.releaseJvmExit();
        });
    }

    // ============================================================================ observability

    /**
     * A snapshot of the pool (see {@link dev.jfutures.ExecutorStats}).
     *
     * @return the snapshot
     */
    public dev.jfutures.ExecutorStats stats() {
        List<dev.jfutures.ExecutorStats.Worker> ws = new ArrayList<>();
        long queued;
        long running = 0;
        lock.lock();
        try {
            queued = scheduler.queued();
            for (WorkerSlot w : scheduler.workers()) {
                int r = 0;
                for (Call c : w.pipeline) {
                    if (c.state() == Call.RUNNING) {
                        r++;
                    }
                }
                running += r;
                Handle h = (Handle) w.attachment();
                WorkerProcess wp = h != null ? h.process : null;
                ws.add(new dev.jfutures.ExecutorStats.Worker(wp != null ? "pid " + wp.pid() : "worker " + w.id(), r,
                        w.sent, h != null ? h.answered : 0));
            }
        } finally {
            lock.unlock();
        }
        return new dev.jfutures.ExecutorStats(settings.name(), queued, running, telemetry.completedCount(),
                telemetry.failedCount(), telemetry.cancelledCount(), ws, telemetry.droppedEvents(),
                telemetry.listenerFailures());
    }

    /**
     * Adds a listener (see {@link dev.jfutures.ExecutorListener}).
     *
     * @param l the listener
     * @return closes to remove it
     */
    public AutoCloseable addListener(dev.jfutures.ExecutorListener l) {
        return telemetry.addListener(l);
    }

    // ============================================================================ shutdown

    /**
     * {@code shutdown(wait, cancelFutures)}.
     *
     * @param wait whether to wait for termination
     * @param cancelFutures whether to cancel what has not started
     * @throws WaitInterruptedException if interrupted while waiting
     */
    public void shutdown(boolean wait, boolean cancelFutures) {
        shutdownCalled = true;
        event(s -> s.shutdown(cancelFutures));
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

    /**
     * {@code shutdownNow()}: cancels what has not started (waiting for workers to give back what
     * was sent ahead), interrupts what runs.
     *
     * @return the calls that never started and are now cancelled, oldest first
     */
    public List<Call> shutdownNow() {
        shutdownCalled = true;
        Scheduler.Recall r;
        List<Vote> votes = new ArrayList<>();
        List<Runnable> a;
        lock.lock();
        try {
            r = scheduler.shutdown(true);
            for (Call c : r.recalling) {
                votes.add(c.state() == Call.RECALLING ? voteOf(c) : null);
            }
            a = takeAfter();
        } finally {
            lock.unlock();
        }
        runAfter(a);
        for (Call c : r.running) {
            c.promise().future().cancel(true);
        }
        List<Call> never = new ArrayList<>(r.cancelled);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(RECALL_WAIT_SECONDS);
        for (int i = 0; i < r.recalling.size(); i++) {
            Call c = r.recalling.get(i);
            Vote v = votes.get(i);
            boolean cancelled = v == null ? c.state() == Call.CANCELLED : awaitVote(v, deadline);
            if (cancelled) {
                // The worker's answer completes the promise after the lock is released, on the
                // thread that read it; complete it here too (a no-op if that already happened) so
                // that every call shutdownNow returns is done by the time it returns.
                c.promise().setCancelled();
                never.add(c);
            }
        }
        never.sort((x, y) -> Long.compare(x.id(), y.id()));
        return never;
    }

    private static boolean awaitVote(Vote v, long deadline) {
        try {
            return v.latch.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS) && v.cancelled;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return v.answered && v.cancelled;
        }
    }

    /** {@code killWorkers()}: shuts down, cancels what has not started, kills every worker. */
    public void killWorkers() {
        shutdownCalled = true;
        event(Scheduler::killAll);
    }

    /**
     * Ends every live worker's JVM: SIGTERM (its shutdown hooks run) or SIGKILL.
     *
     * @param forcibly SIGKILL rather than SIGTERM
     * @param context what the pool did, for the diagnosis of the tasks they ran
     */
    public void endWorkers(boolean forcibly, String context) {
        List<WorkerProcess> ps = new ArrayList<>();
        lock.lock();
        try {
            for (Handle h : handles.values()) {
                if (h.process != null) {
                    ps.add(h.process);
                } else {
                    h.killRequested = true;
                    h.killContext = context;
                }
            }
        } finally {
            lock.unlock();
        }
        for (WorkerProcess p : ps) {
            if (forcibly) {
                p.kill(context);
            } else {
                p.context(context);
                p.terminate();
            }
        }
    }

    /**
     * Waits until the pool has terminated.
     *
     * @param nanos the most to wait
     * @return true if terminated
     * @throws InterruptedException if interrupted
     */
    public boolean awaitTermination(long nanos) throws InterruptedException {
        lock.lock();
        try {
            while (!terminated) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = terminatedCondition.awaitNanos(nanos);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Cancels the pool's backlog and ends its workers, escalating: SIGTERM, then after {@code
     * termGraceNanos} SIGKILL; returns once terminated (or after a bounded wait at the last step).
     *
     * @param context what the pool did, for the tasks' WorkerDiedException
     * @param termGraceNanos how long the workers' shutdown hooks may take
     * @throws InterruptedException if interrupted
     */
    public void escalate(String context, long termGraceNanos) throws InterruptedException {
        event(s -> s.shutdown(true));
        endWorkers(false, context);
        if (!awaitTermination(termGraceNanos)) {
            endWorkers(true, context);
            awaitTermination(TimeUnit.SECONDS.toNanos(5));
        }
    }

    // ============================================================================ queries

    /**
     * Whether shutdown was called.
     *
     * @return true after shutdown
     */
    public boolean isShutdown() {
        return shutdownCalled;
    }

    /**
     * Whether the pool terminated.
     *
     * @return true once terminated
     */
    public boolean isTerminated() {
        lock.lock();
        try {
            return terminated;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Whether the pool is broken.
     *
     * @return true once broken
     */
    public boolean isBroken() {
        return broken;
    }

    /**
     * The pids of the live workers.
     *
     * @return the pids, in start order
     */
    public List<Long> workerPids() {
        List<Long> pids = new ArrayList<>();
        lock.lock();
        try {
            for (Handle h : handles.values()) {
                WorkerProcess p = h.process;
                if (p != null && h.slot.state() != WorkerSlot.DEAD && p.isAlive()) {
                    pids.add(p.pid());
                }
            }
        } finally {
            lock.unlock();
        }
        return pids;
    }

    /**
     * The settings.
     *
     * @return what the builder decided
     */
    public Settings settings() {
        return settings;
    }

    /**
     * Decodes a task in this JVM (for the tasks shutdownNow hands back).
     *
     * @param c the call
     * @return the task
     * @throws IOException if it does not decode
     * @throws ClassNotFoundException if its class is not here
     */
    public Object decodeTask(Call c) throws IOException, ClassNotFoundException {
        return settings.codec().decode(c.payload());
    }

    @Override
    public String toString() {
        lock.lock();
        try {
            return settings.name() + "[workers=" + handles.size() + "/" + settings.maxWorkers() + ", backlog="
                    + scheduler.queued() + ", " + (broken ? "broken" : terminated ? "terminated"
                    : shutdownCalled ? "shut down" : "running") + "]";
        } finally {
            lock.unlock();
        }
    }
}
