package dev.jfutures.process;

import dev.jfutures.AbstractTaskExecutor;
import dev.jfutures.BrokenExecutorException;
import dev.jfutures.Task;
import dev.jfutures.TaskAction;
import dev.jfutures.TaskFuture;
import dev.jfutures.TaskPromise;
import dev.jfutures.WaitInterruptedException;
import dev.jfutures.process.internal.Frames;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import dev.jfutures.process.internal.ChannelStreams;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link dev.jfutures.TaskExecutor} whose workers are JVM processes: the isolation that threads
 * cannot give. A runaway task can be killed (per-task {@link Builder#taskTimeout timeout}, or
 * {@code cancel(true)}); a task that calls {@code System.exit}, runs out of memory or crashes the
 * JVM costs one task, not the pool; a worker's heap can be capped ({@code jvmOptions("-Xmx256m")});
 * workers can be recycled after N tasks.
 *
 * <pre>{@code
 * try (ProcessPool pool = ProcessPool.builder().workers(4).taskTimeout(Duration.ofSeconds(30)).build()) {
 *     TaskFuture<Integer> f = pool.submit(() -> expensive(42));   // a serializable lambda
 *     System.out.println(f.result());
 * }
 * }</pre>
 *
 * <p>Tasks, their results and exceptions cross the process boundary through a {@link Codec} (JDK
 * serialization by default): a task must be serializable, and one that is not is refused at
 * {@code submit}, in the caller, with a {@link TaskNotSerializableException} naming the class.
 * Worker classes come from the parent's classpath unless {@link Builder#classpath} says otherwise.
 *
 * <p>Failures, each with its own exception, the pool staying usable:
 * <ul>
 *   <li>the task throws: its exception (type, message, stack trace) is the future's exception; a
 *       class this JVM cannot load becomes a {@link RemoteTaskException};
 *   <li>the worker dies: that task fails with {@link WorkerDiedException} (pid, exit code or signal,
 *       last stderr lines), tasks queued behind it run elsewhere, and a new worker starts;
 *   <li>the task runs longer than its timeout: its worker is killed and the task fails with
 *       {@link TaskTimeoutException};
 *   <li>the pool becomes broken ({@link BrokenExecutorException}) only when workers cannot start
 *       several times in a row, or the initializer fails.
 * </ul>
 */
public final class ProcessPool extends AbstractTaskExecutor {

    /*
     * Implementation notes.
     *
     * Channel. One ServerSocketChannel on a Unix-domain socket in a private 0700 directory. Each
     * worker is started with the socket path and its id in argv and the pool's random token as the
     * first line of its stdin; it connects and sends HELLO(magic, version, token), checked in
     * constant time before anything else is read from it. Stdin stays open as the lifeline: the
     * worker halts at end-of-file, so no worker outlives the pool's JVM, even after kill -9.
     *
     * Threads: an acceptor (handshakes run on one short thread per connection), a dispatcher, one
     * timer, and per worker a reader (which also sees it die) and two pumps that forward its
     * stdout and stderr, whole lines, to ours.
     *
     * Dispatch. Calls wait in `backlog` until the dispatcher sends them to the least loaded ready
     * worker, up to `pipelineDepth` per worker, so a socket round trip hides under the previous
     * task. A worker runs its calls in order and answers in order, so the pool knows which call
     * runs: the oldest in the worker's pipeline without an answer. That one is RUNNING (its timeout
     * starts then); the ones behind it are still PENDING and a cancel sends CANCEL, to which the
     * worker answers DROPPED if it had not started it. If a worker dies, the running call fails and
     * the ones behind it go back to the front of the backlog: they never started.
     *
     * Worker life (state under `lock`): STARTING -> READY -> (RETIRING: no more calls; STOP sent)
     * -> DEAD. A worker that dies while STARTING counts as a start failure; `maxStartFailures` in a
     * row break the pool.
     *
     * Pool run state: RUNNING -> SHUTDOWN (no submits; backlog drains, then every worker gets STOP)
     * -> TERMINATED (every worker dead; socket and directory removed).
     */

    private static final System.Logger LOG = System.getLogger("dev.jfutures.process");
    private static final AtomicInteger POOL_NUMBER = new AtomicInteger();

    private static final int RUNNING = 0;
    private static final int SHUTDOWN = 1;
    private static final int TERMINATED = 2;

    private static final int STARTING = 0;
    private static final int READY = 1;
    private static final int RETIRING = 2;
    private static final int DEAD = 3;

    private static final int STDERR_TAIL_LINES = 20;
    /**
     * Largest task the submitting thread writes itself: an idle worker's empty socket buffer takes
     * it without blocking; bigger ones go through the dispatcher, so submit never blocks on a
     * worker that does not read.
     */
    private static final int DIRECT_MAX_BYTES = 32 * 1024;

    // configuration
    private final String name;
    private final int maxWorkers;
    private final List<String> command;
    private final Map<String, String> environment;
    private final Path workingDirectory;
    private final int maxTasksPerWorker;
    private final Duration defaultTimeout;
    private final Duration cancelGrace;
    private final Duration idleTimeout;
    private final Duration startTimeout;
    private final int pipelineDepth;
    private final int maxStartFailures;
    private final Codec codec;
    private final byte[] initializerBytes;

    // channel
    private final byte[] token = new byte[Frames.TOKEN_BYTES];
    private final Path socketDir;
    private final Path socketPath;
    private final ServerSocketChannel server;

    // state, guarded by lock
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Call> backlog = new ArrayDeque<>();
    private final Map<Long, WorkerProc> workers = new LinkedHashMap<>();
    private volatile int runState = RUNNING;
    private volatile Throwable brokenBy;
    private volatile String brokenMessage;
    private int startFailures;
    private long nextCallId = 1;
    private long nextWorkerId = 1;

    private final ScheduledThreadPoolExecutor timer;
    private final boolean daemon;
    /** Known to the exit hook; guarded by lock. */
    private boolean registeredForExit;
    private final Thread dispatcher;
    private final Thread acceptor;

    private ProcessPool(Builder b) {
        this.name = "ProcessPool-" + POOL_NUMBER.incrementAndGet();
        this.maxWorkers = b.workers > 0 ? b.workers : Runtime.getRuntime().availableProcessors();
        this.environment = Map.copyOf(b.environment);
        this.workingDirectory = b.workingDirectory;
        this.maxTasksPerWorker = b.maxTasksPerWorker;
        this.defaultTimeout = b.taskTimeout;
        this.cancelGrace = b.cancelGracePeriod;
        this.idleTimeout = b.idleTimeout;
        this.startTimeout = b.startTimeout;
        this.pipelineDepth = b.pipelineDepth;
        this.maxStartFailures = b.maxStartFailures;
        this.codec = b.codec != null ? b.codec : new JavaSerializationCodec(b.filter);

        try {
            this.initializerBytes = b.initializer == null ? new byte[0] : codec.encode(b.initializer);
        } catch (IOException e) {
            throw new TaskNotSerializableException("the initializer cannot be sent to worker processes: "
                    + e.getMessage(), e);
        }

        List<String> cmd = new ArrayList<>();
        cmd.add(b.javaCommand != null ? b.javaCommand : defaultJava());
        cmd.add("-cp");
        cmd.add(dev.jfutures.process.internal.WorkerClasspath.resolve(b.classpath));
        cmd.add("-XX:+ExitOnOutOfMemoryError");
        cmd.add("-XX:+UseSerialGC");
        cmd.addAll(b.jvmOptions);
        cmd.add(Worker.class.getName());
        this.command = cmd;

        new SecureRandom().nextBytes(token);
        try {
            Path base = Path.of(System.getProperty("java.io.tmpdir"));
            if (base.toString().length() > 60) {
                base = Path.of("/tmp");
            }
            sweepStaleDirectories(base);
            this.socketDir = Files.createTempDirectory(base, "jfutures-" + ProcessHandle.current().pid() + "-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            this.socketPath = socketDir.resolve("pool.sock");
            this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(socketPath));
        } catch (IOException e) {
            throw new IllegalStateException("cannot open the worker channel (a Unix-domain socket under "
                    + System.getProperty("java.io.tmpdir") + "): " + e + "; set -Djava.io.tmpdir to a writable local directory", e);
        }

        this.timer = new ScheduledThreadPoolExecutor(1, r -> daemon(r, name + "-timer"));
        timer.setRemoveOnCancelPolicy(true);
        this.acceptor = daemon(this::acceptLoop, name + "-acceptor");
        this.dispatcher = daemon(this::dispatchLoop, name + "-dispatcher");
        acceptor.start();
        dispatcher.start();
        if (idleTimeout != null) {
            long period = Math.max(10, idleTimeout.toMillis() / 4);
            timer.scheduleWithFixedDelay(this::retireIdle, period, period, TimeUnit.MILLISECONDS);
        }
        this.daemon = b.daemon;
        if (b.prestart) {
            lock.lock();
            try {
                if (!registerForExit()) {
                    terminateEarly();
                    throw new RejectedExecutionException("cannot start " + name + ": the JVM is shutting down");
                }
                while (workers.size() < maxWorkers) {
                    startWorker();
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Removes the socket directories of pools whose JVM died without terminating them (killed with
     * SIGKILL, say): each is named {@code jfutures-PID-...} after the JVM that made it. Best effort;
     * a directory of a live JVM, or one we may not delete, is left alone.
     */
    private static void sweepStaleDirectories(Path base) {
        try (java.nio.file.DirectoryStream<Path> dirs = Files.newDirectoryStream(base, "jfutures-*-*")) {
            for (Path dir : dirs) {
                String[] parts = dir.getFileName().toString().split("-");
                long pid;
                try {
                    pid = Long.parseLong(parts[1]);
                } catch (NumberFormatException | ArrayIndexOutOfBoundsException notOurs) {
                    continue;
                }
                if (pid == ProcessHandle.current().pid() || ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    continue;
                }
                try {
                    Files.deleteIfExists(dir.resolve("pool.sock"));
                    Files.deleteIfExists(dir);
                } catch (IOException ignored) {
                    // someone else's, or not empty: leave it
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // the sweep is a courtesy; the pool works without it
        }
    }

    private static String defaultJava() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /**
     * A builder.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    // ============================================================================== submit

    @Override
    public <T> TaskFuture<T> submit(Callable<T> task) {
        return submit(task, defaultTimeout);
    }

    /**
     * Submits a task with its own timeout: if it runs longer, its worker is killed and the future
     * fails with {@link TaskTimeoutException}. The clock starts when a worker starts the task.
     *
     * @param task the task
     * @param timeout the most it may run
     * @param <T> the result type
     * @return its future
     * @throws NullPointerException if {@code task} or {@code timeout} is null
     * @throws IllegalArgumentException if {@code timeout} is not positive
     * @throws TaskNotSerializableException if the task cannot be serialized
     * @throws RejectedExecutionException if the pool is shut down
     * @throws BrokenExecutorException if the pool is broken
     */
    public <T> TaskFuture<T> submit(Task<T> task, Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
        return submit((Callable<T>) task, timeout);
    }

    private <T> TaskFuture<T> submit(Callable<T> task, Duration timeout) {
        Objects.requireNonNull(task, "task");
        checkAccepting();
        byte[] payload;
        try {
            payload = codec.encode(task);
        } catch (IOException | RuntimeException e) {
            throw new TaskNotSerializableException("task " + task.getClass().getName() + " refused at submit: "
                    + e.getMessage(), e);
        }
        TaskPromise<T> promise = new TaskPromise<>();
        Call call = new Call(payload, promise, timeout);
        promise.setCancelGate(call::mayCancel);
        WorkerProc direct = null;
        boolean stop = false;
        lock.lock();
        try {
            checkAccepting();
            if (!registerForExit()) {
                throw new RejectedExecutionException("cannot submit to " + name + ": the JVM is shutting down, "
                        + "and a pool that has run nothing yet cannot start workers now");
            }
            call.id = nextCallId++;
            // An idle worker and nothing queued: hand the call over from this thread, which saves
            // the dispatcher's wake-up on the round trip. Not from an interrupted thread: an
            // interrupted write closes the channel.
            if (backlog.isEmpty() && payload.length <= DIRECT_MAX_BYTES && !Thread.currentThread().isInterrupted()) {
                direct = idleReady();
            }
            if (direct != null) {
                direct.directInFlight = true;
                stop = assign(direct, call);
            } else {
                backlog.add(call);
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
        if (direct != null) {
            List<Call> one = List.of(call);
            afterSend(direct, one, direct.sendTasks(one, stop));
        }
        return promise.future();
    }

    /**
     * Makes JVM exit wait for this pool, on its first use (as ThreadPool does on its first
     * thread): false if the JVM is already exiting, since nothing could then wait for its tasks.
     * Lock held.
     */
    private boolean registerForExit() {
        if (daemon || registeredForExit) {
            return true;
        }
        registeredForExit = holdJvmExit();
        return registeredForExit;
    }

    /** A ready worker with nothing to do, or null; lock held. */
    private WorkerProc idleReady() {
        for (WorkerProc w : workers.values()) {
            if (w.state == READY && w.pipeline.isEmpty() && !w.directInFlight) {
                return w;
            }
        }
        return null;
    }

    /**
     * Puts a call in a worker's pipeline; returns true if the worker must be told to STOP after it
     * (it reached maxTasksPerWorker). Lock held.
     */
    private boolean assign(WorkerProc w, Call c) {
        c.worker = w;
        w.pipeline.add(c);
        w.assigned++;
        advance(w);
        if (maxTasksPerWorker > 0 && w.assigned >= maxTasksPerWorker) {
            w.state = RETIRING;
            return true;
        }
        return false;
    }

    /**
     * After a batch went out: marks it sent, and sends a CANCEL for each call cancelled after its
     * TASK frame was written (those cancelled before went in the same flush).
     */
    private void afterSend(WorkerProc w, List<Call> batch, List<Call> cancelledInBatch) {
        List<Call> cancelNow = new ArrayList<>();
        lock.lock();
        try {
            if (w.directInFlight) {
                w.directInFlight = false;
                if (!backlog.isEmpty()) {
                    changed.signalAll();
                }
            }
            for (Call c : batch) {
                c.sent = true;
                if (cancelledInBatch.contains(c)) {
                    c.cancelSent = true;
                } else if (c.cancelling && !c.cancelSent) {
                    c.cancelSent = true;
                    cancelNow.add(c);
                }
            }
        } finally {
            lock.unlock();
        }
        for (Call c : cancelNow) {
            w.sendControl(Frames.CANCEL, c.id);
        }
    }

    /** Call with or without the lock. */
    private void checkAccepting() {
        if (brokenBy != null) {
            throw new BrokenExecutorException(brokenMessage, brokenBy);
        }
        if (runState != RUNNING) {
            throw new RejectedExecutionException("cannot submit to " + name + ": the pool is shut down");
        }
    }

    // ============================================================================== dispatch

    private void dispatchLoop() {
        Map<WorkerProc, List<Call>> batches = new LinkedHashMap<>();
        Map<WorkerProc, Boolean> stops = new LinkedHashMap<>();
        for (;;) {
            lock.lock();
            try {
                for (;;) {
                    dropCancelledHead();
                    if (!backlog.isEmpty() && brokenBy == null) {
                        // One call at a time to the least loaded worker, so a burst spreads evenly.
                        WorkerProc target;
                        while (!backlog.isEmpty() && (target = leastLoadedReady()) != null) {
                            Call c = backlog.poll();
                            if (c.cancelling || c.promise.future().isDone()) {
                                continue;
                            }
                            boolean stop = assign(target, c);
                            batches.computeIfAbsent(target, k -> new ArrayList<>()).add(c);
                            stops.merge(target, stop, Boolean::logicalOr);
                        }
                        if (!batches.isEmpty()) {
                            break;
                        }
                        startWorkersIfNeeded();
                    } else if (brokenBy == null && runState == RUNNING && stealForIdleWorker()) {
                        continue;
                    }
                    if (runState == SHUTDOWN && backlog.isEmpty()) {
                        stopAllWorkers();
                        if (workers.isEmpty()) {
                            terminate();
                            return;
                        }
                    }
                    changed.awaitUninterruptibly();
                }
            } finally {
                lock.unlock();
            }
            for (Map.Entry<WorkerProc, List<Call>> e : batches.entrySet()) {
                WorkerProc w = e.getKey();
                afterSend(w, e.getValue(), w.sendTasks(e.getValue(), stops.get(w)));
            }
            batches.clear();
            stops.clear();
        }
    }

    private void dropCancelledHead() {
        while (!backlog.isEmpty() && (backlog.peek().cancelling || backlog.peek().promise.future().isDone())) {
            backlog.poll();
        }
    }

    /**
     * The ready worker to send to: the least loaded. Calls go behind a busy worker's running call
     * only once the pool is at full size; below it, a new worker is started for them instead, so
     * that no call waits behind a long one while the pool could grow (as CPython spawns a worker
     * when none is idle).
     */
    private WorkerProc leastLoadedReady() {
        WorkerProc best = null;
        int ready = 0;
        for (WorkerProc w : workers.values()) {
            if (w.state == READY) {
                ready++;
                // Not while a submitting thread is writing to it: frames must reach the worker in
                // pipeline order, since its answers are matched to calls by that order.
                if (!w.directInFlight && w.pipeline.size() < pipelineDepth
                        && (best == null || w.pipeline.size() < best.pipeline.size())) {
                    best = w;
                }
            }
        }
        // Behind a busy worker only when every worker of a full pool is ready: one still starting
        // will take the call sooner than a long task ahead of it would let it run.
        if (best != null && !best.pipeline.isEmpty() && (ready < maxWorkers || workers.size() > ready)) {
            return null;
        }
        return best;
    }

    /**
     * Work stealing: with nothing queued, an idle worker takes the last call not yet started from
     * the worker with the most of them. The pool sends that worker CANCEL; if it answers DROPPED,
     * the call goes back to the front of the backlog (see onFrame); if it had started it, it runs
     * there as usual. Lock held; returns true if a steal was started.
     */
    /** Whether some worker holds a call sent ahead and not started; lock held. */
    private boolean stealable() {
        for (WorkerProc w : workers.values()) {
            if (w.pipeline.size() > 1) {
                return true;
            }
        }
        return false;
    }

    private boolean stealForIdleWorker() {
        boolean idle = false;
        for (WorkerProc w : workers.values()) {
            if (w.state == READY && w.pipeline.isEmpty()) {
                idle = true;
                break;
            }
        }
        if (!idle) {
            return false;
        }
        WorkerProc victim = null;
        Call loot = null;
        int most = 0;
        for (WorkerProc w : workers.values()) {
            if (w.state == DEAD) {
                continue;
            }
            int waiting = 0;
            Call last = null;
            for (Call c : w.pipeline) {
                if (!c.started && c.sent && !c.cancelSent && !c.cancelling && !c.promise.future().isDone()) {
                    waiting++;
                    last = c;
                }
            }
            if (waiting > most) {
                most = waiting;
                victim = w;
                loot = last;
            }
        }
        if (loot == null) {
            return false;
        }
        loot.stolen = true;
        loot.cancelSent = true;
        victim.sendControl(Frames.CANCEL, loot.id);
        return true;
    }

    /** Starts workers while the backlog needs more than the starting ones will take. */
    private void startWorkersIfNeeded() {
        if (leastLoadedReady() != null) {
            return;
        }
        int starting = 0;
        int alive = 0;
        for (WorkerProc w : workers.values()) {
            if (w.state == STARTING) {
                starting++;
            }
            if (w.state != DEAD) {
                alive++;
            }
        }
        while (alive < maxWorkers && starting < backlog.size() && brokenBy == null) {
            if (startWorker() == null) {
                // The process could not even be spawned: try again at once; after
                // maxStartFailures in a row startFailed breaks the pool, failing the backlog.
                continue;
            }
            starting++;
            alive++;
        }
    }

    /**
     * The oldest unanswered call of the worker is the one it runs: mark it RUNNING (and start its
     * timeout). A call with a CANCEL in flight at the head, cancelled or being stolen, stops the
     * walk: until the worker answers, we do not know whether it runs it. A stolen call taken for
     * running here would be re-queued, on DROPPED, still marked started: the thief's advance would
     * then skip it, and it ran with no timeout (ProcessStealTimeoutTest). On KEPT it is marked then.
     * Call with the lock held.
     */
    private void advance(WorkerProc w) {
        Call head = w.pipeline.peek();
        if (head == null || head.started || head.cancelling || head.stolen) {
            return;
        }
        if (head.promise.setRunning(head.stopper())) {
            head.started = true;
            Duration timeout = head.timeout;
            if (timeout != null) {
                head.timeoutTask = timer.schedule(() -> timedOut(w, head), timeout.toNanos(), TimeUnit.NANOSECONDS);
            }
        }
    }

    // ============================================================================== workers

    /** Starts one worker process; call with the lock held. Returns null if it could not start. */
    private WorkerProc startWorker() {
        long id = nextWorkerId++;
        List<String> cmd = new ArrayList<>(command);
        cmd.add(socketPath.toString());
        cmd.add(Long.toString(id));
        cmd.add(codec.getClass().getName());
        if (codec instanceof JavaSerializationCodec) {
            cmd.addAll(((JavaSerializationCodec) codec).filter().toArguments());
        }
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(environment);
        if (workingDirectory != null) {
            pb.directory(workingDirectory.toFile());
        }
        Process process;
        try {
            process = pb.start();
            OutputStream stdin = process.getOutputStream();
            stdin.write((HexFormat.of().formatHex(token) + "\n").getBytes(StandardCharsets.US_ASCII));
            stdin.flush();
            WorkerProc w = new WorkerProc(id, process, stdin);
            workers.put(id, w);
            w.start();
            return w;
        } catch (IOException e) {
            startFailed("cannot start a worker JVM with " + cmd.get(0) + ": " + e.getMessage()
                    + "; check javaCommand and classpath", e);
            return null;
        }
    }

    /** A worker could not start; after maxStartFailures in a row, the pool is broken. Lock held. */
    private void startFailed(String why, Throwable cause) {
        startFailures++;
        LOG.log(System.Logger.Level.WARNING, name + ": " + why + " (" + startFailures + " in a row)", cause);
        if (startFailures >= maxStartFailures) {
            breakPool(name + " is broken: " + startFailures + " worker JVMs in a row failed to start; the last: "
                    + why, cause != null ? cause : new IllegalStateException(why));
        }
    }

    /** Lock held. */
    private void breakPool(String message, Throwable cause) {
        if (brokenBy != null) {
            return;
        }
        brokenMessage = message;
        brokenBy = cause;
        LOG.log(System.Logger.Level.ERROR, message, cause);
        for (Call c : backlog) {
            c.promise.trySetException(new BrokenExecutorException(message, cause));
        }
        backlog.clear();
        for (WorkerProc w : workers.values()) {
            for (Call c : w.pipeline) {
                if (!c.started) {
                    c.promise.trySetException(new BrokenExecutorException(message, cause));
                }
            }
        }
        changed.signalAll();
    }

    /** Lock held. */
    private void stopAllWorkers() {
        for (WorkerProc w : workers.values()) {
            if (w.state == READY) {
                w.state = RETIRING;
                w.sendStopAsync();
            } else if (w.state == STARTING) {
                w.process.toHandle().destroyForcibly();
            }
        }
    }

    private void retireIdle() {
        lock.lock();
        try {
            long now = System.nanoTime();
            for (WorkerProc w : workers.values()) {
                if (w.state == READY && w.pipeline.isEmpty() && backlog.isEmpty()
                        && now - w.idleSince > idleTimeout.toNanos()) {
                    w.state = RETIRING;
                    w.sendStopAsync();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private void timedOut(WorkerProc w, Call call) {
        lock.lock();
        try {
            if (w.state == DEAD || w.pipeline.peek() != call || call.promise.future().isDone()) {
                return;
            }
            w.killedFor = call;
            w.killReason = new TaskTimeoutException("task ran longer than its timeout of " + call.timeout
                    + ", so its worker JVM (pid " + w.pid + ") was killed", call.timeout);
        } finally {
            lock.unlock();
        }
        w.process.toHandle().destroyForcibly();
    }

    // ============================================================================== accept

    private void acceptLoop() {
        for (;;) {
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (IOException closed) {
                return;
            }
            Thread t = daemon(() -> handshake(ch), name + "-handshake");
            t.start();
        }
    }

    private void handshake(SocketChannel ch) {
        // An unauthenticated peer gets startTimeout to say HELLO, and nothing is allocated for it
        // beyond the fixed size of a HELLO.
        java.util.concurrent.atomic.AtomicBoolean settled = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.ScheduledFuture<?> deadline;
        try {
            deadline = timer.schedule(() -> {
                if (settled.compareAndSet(false, true)) {
                    refuse(ch, "a connection that sent no HELLO within " + startTimeout);
                }
            }, startTimeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException shuttingDown) {
            refuse(ch, "a connection during shutdown");
            return;
        }
        try {
            DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(ChannelStreams.in(ch), 1 << 16));
            int length = in.readInt();
            byte type = in.readByte();
            if (type != Frames.HELLO || length != Frames.HEADER + 6 + Frames.TOKEN_BYTES) {
                refuse(ch, "a connection that did not start with a valid HELLO");
                return;
            }
            long workerId = in.readLong();
            byte[] payload = in.readNBytes(6 + Frames.TOKEN_BYTES);
            if (payload.length != 6 + Frames.TOKEN_BYTES) {
                refuse(ch, "a connection that ended inside its HELLO");
                return;
            }
            Frames.Frame hello = new Frames.Frame(type, workerId, payload);
            DataInputStream p = new DataInputStream(new ByteArrayInputStream(hello.payload()));
            int magic = p.readInt();
            short version = p.readShort();
            byte[] presented = p.readNBytes(Frames.TOKEN_BYTES);
            if (magic != Frames.MAGIC || !MessageDigest.isEqual(presented, token)) {
                refuse(ch, "a connection with a wrong token");
                return;
            }
            WorkerProc w;
            lock.lock();
            try {
                w = workers.get(hello.id());
            } finally {
                lock.unlock();
            }
            if (version != Frames.VERSION) {
                refuse(ch, "a worker speaking protocol version " + version + " (this pool speaks " + Frames.VERSION
                        + "): the worker classpath has another jfutures version");
                return;
            }
            if (!settled.compareAndSet(false, true)) {
                return;
            }
            if (w == null || !w.connection.complete(new Connection(ch, in))) {
                refuse(ch, "a connection for unknown worker " + hello.id());
            }
        } catch (IOException e) {
            refuse(ch, "a connection that failed during the handshake: " + e);
        } finally {
            deadline.cancel(false);
        }
    }

    private void refuse(SocketChannel ch, String what) {
        if (runState == RUNNING) {
            // During shutdown, a worker killed while starting may still knock: not worth a warning.
            LOG.log(System.Logger.Level.WARNING, name + " refused " + what);
        }
        try {
            ch.close();
        } catch (IOException ignored) {
            // closing a refused connection
        }
    }

    private record Connection(SocketChannel channel, DataInputStream in) {
    }

    // ============================================================================== shutdown

    @Override
    public void shutdown(boolean wait, boolean cancelFutures) {
        List<Call> toCancel = new ArrayList<>();
        lock.lock();
        try {
            if (runState == RUNNING) {
                runState = SHUTDOWN;
            }
            if (cancelFutures) {
                toCancel.addAll(backlog);
                for (WorkerProc w : workers.values()) {
                    for (Call c : w.pipeline) {
                        if (!c.started) {
                            toCancel.add(c);
                        }
                    }
                }
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        for (Call c : toCancel) {
            c.promise.cancel();
        }
        if (wait) {
            try {
                awaitTermination(Long.MAX_VALUE, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new WaitInterruptedException(e);
            }
        }
    }

    /**
     * Shuts down and gives the tasks {@code grace} to finish, then escalates: terminates the
     * workers (SIGTERM), waits a little more, and kills them (SIGKILL). Tasks that did not finish
     * fail with {@link WorkerDiedException}.
     *
     * @param grace how long to wait for the tasks before terminating the workers
     * @return true if everything finished within {@code grace}
     * @throws NullPointerException if {@code grace} is null
     * @throws WaitInterruptedException if interrupted
     */
    public boolean shutdown(Duration grace) {
        Objects.requireNonNull(grace, "grace");
        shutdown(false, false);
        try {
            if (awaitTermination(grace.toNanos(), TimeUnit.NANOSECONDS)) {
                return true;
            }
            for (WorkerProc w : liveWorkers()) {
                w.process.toHandle().destroy();
            }
            if (!awaitTermination(1, TimeUnit.SECONDS)) {
                for (WorkerProc w : liveWorkers()) {
                    w.process.toHandle().destroyForcibly();
                }
                awaitTermination(Long.MAX_VALUE, TimeUnit.NANOSECONDS);
            }
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WaitInterruptedException(e);
        }
    }

    /**
     * Stops everything now, as CPython's {@code kill_workers}: shuts down, cancels the tasks not
     * started, and kills every worker; running tasks fail with {@link WorkerDiedException}.
     */
    public void killWorkers() {
        shutdown(false, true);
        for (WorkerProc w : liveWorkers()) {
            lock.lock();
            try {
                w.killedByUser = true;
            } finally {
                lock.unlock();
            }
            w.process.toHandle().destroyForcibly();
        }
    }

    /**
     * Shuts down, cancels every task not started, and interrupts the running ones in their
     * workers; a worker whose task has not ended {@link Builder#cancelGracePeriod} later is killed.
     *
     * @return the tasks that never started (their futures are cancelled): each one, run, decodes
     *     the task in this JVM and calls it
     */
    @Override
    public List<Runnable> shutdownNow() {
        List<Call> cancelled = new ArrayList<>();
        List<Call> running = new ArrayList<>();
        lock.lock();
        try {
            if (runState == RUNNING) {
                runState = SHUTDOWN;
            }
            cancelled.addAll(backlog);
            for (WorkerProc w : workers.values()) {
                for (Call c : w.pipeline) {
                    (c.started ? running : cancelled).add(c);
                }
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        List<Runnable> neverStarted = new ArrayList<>();
        for (Call c : cancelled) {
            if (c.promise.cancel()) {
                neverStarted.add(new NeverStarted(c.payload, c.id));
            }
        }
        for (Call c : running) {
            c.stopper().run();
        }
        return neverStarted;
    }

    /** A task handed back by shutdownNow: decoded and called in this JVM when run. */
    private final class NeverStarted implements Runnable {
        private final byte[] payload;
        private final long id;

        NeverStarted(byte[] payload, long id) {
            this.payload = payload;
            this.id = id;
        }

        @Override
        public void run() {
            try {
                ((Callable<?>) codec.decode(payload)).call();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }

        @Override
        public String toString() {
            return name + " task " + id + " (never started)";
        }
    }

    private List<WorkerProc> liveWorkers() {
        lock.lock();
        try {
            return new ArrayList<>(workers.values());
        } finally {
            lock.unlock();
        }
    }

    /** Lock held. */
    private void terminate() {
        runState = TERMINATED;
        releaseJvmExit();
        try {
            server.close();
        } catch (IOException ignored) {
            // closing our own socket
        }
        try {
            Files.deleteIfExists(socketPath);
            Files.deleteIfExists(socketDir);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, name + ": could not remove " + socketDir, e);
        }
        timer.shutdownNow();
        changed.signalAll();
    }

    @Override
    public boolean isShutdown() {
        return runState != RUNNING;
    }

    @Override
    public boolean isTerminated() {
        return runState == TERMINATED;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        long nanos = unit.toNanos(timeout);
        lock.lock();
        try {
            while (runState != TERMINATED) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = changed.awaitNanos(nanos);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    // ============================================================================== info

    @Override
    protected int parallelism() {
        return maxWorkers;
    }

    /**
     * The most worker JVMs the pool runs at once.
     *
     * @return the {@code workers} setting
     */
    public int workers() {
        return maxWorkers;
    }

    /**
     * The process ids of the live workers (started, not yet dead).
     *
     * @return the pids
     */
    public List<Long> workerPids() {
        List<Long> pids = new ArrayList<>();
        for (WorkerProc w : liveWorkers()) {
            if (w.state != DEAD) {
                pids.add(w.pid);
            }
        }
        return pids;
    }

    /**
     * Whether the pool is broken.
     *
     * @return true once broken
     */
    public boolean isBroken() {
        return brokenBy != null;
    }

    @Override
    public String toString() {
        lock.lock();
        try {
            return name + "[workers=" + workers.size() + "/" + maxWorkers + ", backlog=" + backlog.size() + ", "
                    + (brokenBy != null ? "broken" : runState == RUNNING ? "running"
                    : runState == SHUTDOWN ? "shut down" : "terminated") + "]";
        } finally {
            lock.unlock();
        }
    }

    // ============================================================================== call

    /** One submitted task. Fields guarded by the pool's lock, except the final ones. */
    private final class Call {
        final byte[] payload;
        final TaskPromise<Object> promise;
        final Duration timeout;
        long id;
        WorkerProc worker;
        boolean started;
        /** Its TASK frame has been written to {@link #worker}. */
        boolean sent;
        /** Being taken back from its worker for an idle one. */
        boolean stolen;
        /** A cancel is asking the worker to drop it; volatile for sendTasks, else under the lock. */
        volatile boolean cancelling;
        /** The worker's answer to that: true if it dropped the call. */
        CompletableFuture<Boolean> cancelReply;
        boolean cancelSent;
        java.util.concurrent.ScheduledFuture<?> timeoutTask;

        @SuppressWarnings("unchecked")
        Call(byte[] payload, TaskPromise<?> promise, Duration timeout) {
            this.payload = payload;
            this.promise = (TaskPromise<Object>) promise;
            this.timeout = timeout;
        }

        /**
         * The future's cancel gate: a call not yet sent is simply dropped; one sent ahead to a
         * worker is cancelled only once the worker confirms it dropped it (DROPPED), so that a
         * successful cancel always means the task never ran; if the worker had started it (KEPT,
         * or its answer), the cancel fails, as for a running task.
         */
        boolean mayCancel() {
            CompletableFuture<Boolean> reply;
            WorkerProc w;
            boolean sendNow = false;
            lock.lock();
            try {
                if (started) {
                    return false;
                }
                if (worker == null) {
                    cancelling = true;
                    return true;
                }
                if (cancelReply == null) {
                    cancelReply = new CompletableFuture<>();
                    cancelling = true;
                    if (sent && !cancelSent) {
                        cancelSent = true;
                        sendNow = true;
                    }
                }
                reply = cancelReply;
                w = worker;
            } finally {
                lock.unlock();
            }
            if (sendNow) {
                w.sendControl(Frames.CANCEL, id);
            }
            if (Thread.currentThread() == w.reader) {
                // A done-callback on this worker's reader cancelling a sibling: the reply could
                // only be read by this very thread. Do not wait; the worker drops the call if the
                // CANCEL reaches it first (if not, the call runs and its result is discarded).
                return true;
            }
            try {
                return reply.get(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } catch (ExecutionException | TimeoutException e) {
                return false;
            }
        }

        /** Settles a pending cancel handshake; lock held. */
        void cancelAnswered(boolean dropped) {
            cancelling = false;
            if (cancelReply != null) {
                cancelReply.complete(dropped);
                cancelReply = null;
            }
        }

        /** cancel(true) on the running call: interrupt it in the worker, kill the worker after the grace. */
        Runnable stopper() {
            return () -> {
                WorkerProc w = worker;
                w.sendControl(Frames.INTERRUPT, id);
                timer.schedule(() -> {
                    lock.lock();
                    try {
                        if (w.state == DEAD || !w.pipeline.contains(this)) {
                            return;
                        }
                        w.killedFor = this;
                        w.killReason = null;
                    } finally {
                        lock.unlock();
                    }
                    w.process.toHandle().destroyForcibly();
                }, cancelGrace.toNanos(), TimeUnit.NANOSECONDS);
            };
        }
    }

    // ============================================================================== worker

    /** The pool's side of one worker JVM. Mutable fields guarded by the pool's lock. */
    private final class WorkerProc {
        final long id;
        final Process process;
        final long pid;
        /** Kept open: the lifeline. Closing it (or our death) ends the worker. */
        final OutputStream stdin;
        final CompletableFuture<Connection> connection = new CompletableFuture<>();
        final ArrayDeque<Call> pipeline = new ArrayDeque<>();
        final ArrayDeque<String> stderrTail = new ArrayDeque<>();
        int state = STARTING;
        int assigned;
        /** A submitting thread is writing a call to this worker; the dispatcher keeps off. */
        boolean directInFlight;
        boolean killedByUser;
        Call killedFor;
        RuntimeException killReason;
        long idleSince = System.nanoTime();
        private DataOutputStream out;
        private volatile Thread reader;
        private Thread errPump;
        private Thread outPump;

        WorkerProc(long id, Process process, OutputStream stdin) {
            this.id = id;
            this.process = process;
            this.pid = process.pid();
            this.stdin = stdin;
        }

        void start() {
            outPump = daemon(() -> pump(process.getInputStream(), System.out, false), name + "-w" + id + "-stdout");
            errPump = daemon(() -> pump(process.getErrorStream(), System.err, true), name + "-w" + id + "-stderr");
            reader = daemon(this::readLoop, name + "-w" + id + "-reader");
            // A worker that dies before it connects must not keep its reader waiting for startTimeout.
            process.onExit().thenRun(() -> connection.completeExceptionally(
                    new IOException("exited with code " + process.exitValue() + " before connecting")));
            outPump.start();
            errPump.start();
            reader.start();
        }

        /** Forwards whole lines, so a worker's output never interleaves mid-line with ours. */
        private void pump(InputStream in, PrintStream to, boolean keepTail) {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            try {
                for (int n; (n = in.read(buf)) > 0; ) {
                    int start = 0;
                    for (int i = 0; i < n; i++) {
                        if (buf[i] == '\n') {
                            line.write(buf, start, i - start + 1);
                            emit(line, to, keepTail);
                            start = i + 1;
                        }
                    }
                    line.write(buf, start, n - start);
                }
            } catch (IOException ignored) {
                // the process is gone
            }
            if (line.size() > 0) {
                line.write('\n');
                emit(line, to, keepTail);
            }
        }

        private void emit(ByteArrayOutputStream line, PrintStream to, boolean keepTail) {
            byte[] bytes = line.toByteArray();
            line.reset();
            synchronized (to) {
                to.write(bytes, 0, bytes.length);
                to.flush();
            }
            if (keepTail) {
                String s = new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
                synchronized (stderrTail) {
                    stderrTail.add(s.length() > 1000 ? s.substring(0, 1000) + "..." : s);
                    if (stderrTail.size() > STDERR_TAIL_LINES) {
                        stderrTail.poll();
                    }
                }
            }
        }

        private void readLoop() {
            try {
                readLoopOnce();
            } catch (Throwable unexpected) {
                LOG.log(System.Logger.Level.ERROR, name + ": the reader of worker pid " + pid + " failed", unexpected);
                process.toHandle().destroyForcibly();
                exited("the pool's reader of this worker failed: " + unexpected);
            }
        }

        private void readLoopOnce() {
            Connection conn;
            String startProblem = null;
            try {
                conn = connection.get(startTimeout.toNanos(), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                conn = null;
                startProblem = "the worker JVM (pid " + pid + ") did not connect within " + startTimeout;
            } catch (InterruptedException | ExecutionException e) {
                // It exited before connecting: its exit code says why (see exited).
                conn = null;
            }
            if (conn != null) {
                try {
                    this.out = new DataOutputStream(new java.io.BufferedOutputStream(ChannelStreams.out(conn.channel()), 1 << 16));
                    synchronized (out) {
                        Frames.write(out, Frames.WELCOME, 0L, initializerBytes);
                        out.flush();
                    }
                    Frames.Frame init = Frames.read(conn.in());
                    if (init != null && init.type() == Frames.INIT_OK) {
                        lock.lock();
                        try {
                            if (state == STARTING) {
                                state = READY;
                            }
                            startFailures = 0;
                            idleSince = System.nanoTime();
                            changed.signalAll();
                        } finally {
                            lock.unlock();
                        }
                        readFrames(conn.in());
                    } else if (init != null && init.type() == Frames.INIT_FAILED) {
                        Throwable cause = decodeFailure(init.payload());
                        lock.lock();
                        try {
                            breakPool(name + " is broken: the initializer failed in worker pid " + pid + " ("
                                    + cause + "), so the pool runs no more tasks; fix the initializer and build a new pool", cause);
                        } finally {
                            lock.unlock();
                        }
                    }
                } catch (IOException e) {
                    if (e instanceof Frames.MalformedFrameException) {
                        LOG.log(System.Logger.Level.ERROR, name + ": worker pid " + pid + " sent " + e.getMessage()
                                + "; closing it", e);
                    }
                } finally {
                    try {
                        conn.channel().close();
                    } catch (IOException ignored) {
                        // closing
                    }
                }
            }
            exited(startProblem);
        }

        private void readFrames(DataInputStream in) throws IOException {
            for (;;) {
                Frames.Frame f = Frames.read(in);
                if (f == null) {
                    return;
                }
                onFrame(f);
            }
        }

        private void onFrame(Frames.Frame f) {
            Call call;
            boolean wake;
            lock.lock();
            try {
                if (f.type() == Frames.KEPT) {
                    // Too late to drop: the call runs (or ran) and answers as usual.
                    for (Call c : pipeline) {
                        if (c.id == f.id()) {
                            c.stolen = false;
                            c.cancelAnswered(false);
                        }
                    }
                    advance(this);
                    changed.signalAll();
                    return;
                }
                call = remove(f.id());
                if (call == null) {
                    return;
                }
                if (call.timeoutTask != null) {
                    call.timeoutTask.cancel(false);
                }
                if (f.type() == Frames.DROPPED) {
                    if (call.cancelReply != null) {
                        call.cancelAnswered(true);
                        // In no pipeline now: a second canceller that saw the future still pending
                        // must not open a new handshake with this worker (nothing would answer it;
                        // it waited its 30 s). With no worker, mayCancel lets it through at once.
                        call.worker = null;
                    } else if (!call.promise.future().isDone()) {
                        // Stolen for an idle worker: never started here, so it goes back to the front.
                        // Not only when marked stolen: DROPPED means the worker will never run it,
                        // and a call that leaves a pipeline unanswered must be re-queued or settled
                        // (as exited() does), or it is lost and its future never completes.
                        call.stolen = false;
                        call.worker = null;
                        call.sent = false;
                        call.cancelSent = false;
                        backlog.addFirst(call);
                    }
                } else {
                    call.cancelAnswered(false);
                }
                if (pipeline.isEmpty()) {
                    idleSince = System.nanoTime();
                }
                advance(this);
                // Wake the dispatcher only if it has something to do: queued calls, or calls to
                // steal for this now idle worker. A wake-up per answer costs the round trip ~5 us.
                wake = !backlog.isEmpty() || (pipeline.isEmpty() && stealable());
            } finally {
                lock.unlock();
            }
            try {
                complete(call, f);
            } catch (Throwable e) {
                call.promise.trySetException(e);
            }
            if (wake) {
                lock.lock();
                try {
                    changed.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        }

        /** Removes the call answered by a frame; lock held. Usually the head. */
        private Call remove(long callId) {
            for (Iterator<Call> it = pipeline.iterator(); it.hasNext(); ) {
                Call c = it.next();
                if (c.id == callId) {
                    it.remove();
                    return c;
                }
            }
            return null;
        }

        private void complete(Call call, Frames.Frame f) {
            TaskPromise<Object> p = call.promise;
            switch (f.type()) {
                case Frames.RESULT:
                    try {
                        p.trySetResult(codec.decode(f.payload()));
                    } catch (Throwable e) {
                        p.trySetException(new IOException("the task's result could not be deserialized in the pool: "
                                + e.getMessage(), e));
                    }
                    break;
                case Frames.FAILED:
                    p.trySetException(decodeFailure(f.payload()));
                    break;
                case Frames.TASK_DECODE_FAILED:
                    Throwable reason = decodeFailure(f.payload());
                    p.trySetException(new IOException("the task could not be deserialized in worker pid " + pid
                            + ": " + describe(reason), reason));
                    break;
                case Frames.RESULT_ENCODE_FAILED:
                    Throwable why = decodeFailure(f.payload());
                    p.trySetException(new IOException("the task's result could not be serialized in worker pid "
                            + pid + ": " + describe(why), why));
                    break;
                case Frames.DROPPED:
                    break;
                default:
                    p.trySetException(new IOException("worker pid " + pid + " answered with unknown frame type " + f.type()));
            }
        }

        private String describe(Throwable t) {
            return t.getMessage() != null ? t.getMessage() : t.toString();
        }

        /** Rebuilds a worker-side exception, or a RemoteTaskException when it cannot be. */
        Throwable decodeFailure(byte[] payload) {
            try {
                DataInputStream d = new DataInputStream(new ByteArrayInputStream(payload));
                String className = Frames.readString(d);
                String message = Frames.readString(d);
                String stack = Frames.readString(d);
                String notEncoded = Frames.readString(d);
                int n = d.readInt();
                if (n > 0) {
                    byte[] bytes = d.readNBytes(n);
                    try {
                        Object o = codec.decode(bytes);
                        if (o instanceof Throwable) {
                            Throwable t = (Throwable) o;
                            t.addSuppressed(new RemoteTaskException(className, "ran in worker JVM pid " + pid, stack, null));
                            return t;
                        }
                    } catch (Throwable e) {
                        return new RemoteTaskException(className, message, stack, e.toString());
                    }
                }
                return new RemoteTaskException(className, message, stack, notEncoded);
            } catch (IOException e) {
                return new IOException("worker pid " + pid + " sent an unreadable failure: " + e, e);
            }
        }

        /**
         * Writes the batch's TASK frames, and right behind them a CANCEL for each call cancelled
         * meanwhile, in one flush: the worker reads whatever arrived together before it queues
         * anything, so it drops those calls instead of starting them. Returns the calls so cancelled.
         */
        List<Call> sendTasks(List<Call> batch, boolean stop) {
            List<Call> cancelled = new ArrayList<>();
            try {
                synchronized (out) {
                    for (Call c : batch) {
                        Frames.write(out, Frames.TASK, c.id, c.payload);
                    }
                    for (Call c : batch) {
                        if (c.cancelling) {
                            Frames.write(out, Frames.CANCEL, c.id, new byte[0]);
                            cancelled.add(c);
                        }
                    }
                    if (stop) {
                        Frames.write(out, Frames.STOP, 0L, new byte[0]);
                    }
                    out.flush();
                }
            } catch (IOException e) {
                // The worker is dying; the reader sees it and re-queues what never started.
                process.toHandle().destroyForcibly();
            }
            return cancelled;
        }

        /**
         * Sends a control frame from the pool's timer thread, never from the caller's: a caller with
         * a pending interrupt would close the channel (an interrupted write to an
         * InterruptibleChannel closes it), killing the worker.
         */
        void sendControl(byte type, long callId) {
            try {
                timer.execute(() -> writeControl(type, callId));
            } catch (RejectedExecutionException timerGone) {
                process.toHandle().destroyForcibly();
            }
        }

        private void writeControl(byte type, long callId) {
            DataOutputStream o = out;
            if (o == null) {
                return;
            }
            try {
                synchronized (o) {
                    Frames.write(o, type, callId, new byte[0]);
                    o.flush();
                }
            } catch (IOException e) {
                process.toHandle().destroyForcibly();
            }
        }

        void sendStopAsync() {
            sendControl(Frames.STOP, 0L);
        }

        /** The worker's channel closed or it never connected: collect its exit and settle its calls. */
        private void exited(String startProblem) {
            int code;
            try {
                if (!process.waitFor(2, TimeUnit.SECONDS)) {
                    process.toHandle().destroyForcibly();
                }
                code = process.waitFor();
                errPump.join(1000);
                outPump.join(1000);
            } catch (InterruptedException e) {
                process.toHandle().destroyForcibly();
                code = -1;
            }
            try {
                stdin.close();
            } catch (IOException ignored) {
                // the lifeline of a dead worker
            }
            List<String> tail;
            synchronized (stderrTail) {
                tail = List.copyOf(stderrTail);
            }
            lock.lock();
            try {
                boolean wasStarting = state == STARTING;
                state = DEAD;
                workers.remove(id);
                Call running = null;
                List<Call> requeue = new ArrayList<>();
                Call head = pipeline.peek();
                for (Call c : pipeline) {
                    if (c.timeoutTask != null) {
                        c.timeoutTask.cancel(false);
                    }
                    // The head with a steal in flight may have been running (its KEPT unsent): it
                    // fails with the worker, as a started call does, and is never run twice.
                    if (c.started || (c == head && c.stolen)) {
                        running = c;
                    } else if (c.cancelReply != null) {
                        c.cancelAnswered(true);
                    } else if (!c.promise.future().isDone()) {
                        c.worker = null;
                        c.sent = false;
                        c.cancelSent = false;
                        c.stolen = false;
                        requeue.add(c);
                    }
                }
                pipeline.clear();
                for (int i = requeue.size() - 1; i >= 0; i--) {
                    backlog.addFirst(requeue.get(i));
                }
                if (running != null) {
                    running.promise.trySetException(deathOf(running, code, tail));
                }
                // A worker killed from outside while starting (SIGKILL or SIGTERM: someone's kill,
                // the OOM killer) says nothing about whether workers can start; an exit of its own,
                // a crash (SIGSEGV, SIGABRT) or a start timeout does.
                boolean killedFromOutside = code == 128 + 9 || code == 128 + 15;
                if (wasStarting && brokenBy == null && runState == RUNNING && (!killedFromOutside || startProblem != null)) {
                    String why = startProblem != null ? startProblem
                            : "the worker JVM (pid " + pid + ") exited with code " + code + " before it was ready"
                            + (tail.isEmpty() ? "" : "; its stderr ends with: " + String.join(" | ", tail));
                    startFailed(why, null);
                }
                if (brokenBy != null) {
                    for (Call c : requeue) {
                        c.promise.trySetException(new BrokenExecutorException(brokenMessage, brokenBy));
                    }
                    backlog.removeAll(requeue);
                }
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        /** Lock held. */
        private RuntimeException deathOf(Call call, int code, List<String> tail) {
            if (killedFor == call && killReason != null) {
                return killReason;
            }
            String how = code > 128 ? "was killed by signal " + (code - 128) : "exited with code " + code;
            String why = killedByUser ? " (killWorkers() was called)" : "";
            return new WorkerDiedException("the worker JVM running the task (pid " + pid + ") " + how + why
                    + (tail.isEmpty() ? "" : "; its stderr ends with: " + String.join(" | ", tail)), pid, code, tail);
        }
    }

    /** Closes what the constructor opened, for a pool that cannot be used. */
    private void terminateEarly() {
        lock.lock();
        try {
            runState = SHUTDOWN;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    // ============================================================================== builder

    /** Builds a {@link ProcessPool}. */
    public static final class Builder {
        private int workers;
        private String javaCommand;
        private String classpath;
        private final List<String> jvmOptions = new ArrayList<>();
        private final Map<String, String> environment = new LinkedHashMap<>();
        private Path workingDirectory;
        private boolean prestart;
        private Duration idleTimeout;
        private int maxTasksPerWorker;
        private TaskAction initializer;
        private Duration taskTimeout;
        private Duration cancelGracePeriod = Duration.ofSeconds(1);
        private Duration startTimeout = Duration.ofSeconds(30);
        private int pipelineDepth = 16;
        private int maxStartFailures = 3;
        private Codec codec;
        private SerializationFilter filter = SerializationFilter.defaults();
        private boolean daemon;

        private Builder() {
        }

        /**
         * Whether JVM exit may abandon this pool's tasks. Default false: at exit the JVM shuts the
         * pool down and waits for every task already submitted, as CPython does.
         *
         * @param daemon true to not wait at JVM exit
         * @return this builder
         */
        public Builder daemon(boolean daemon) {
            this.daemon = daemon;
            return this;
        }

        /**
         * The most worker JVMs at once. Default: the number of available processors.
         *
         * @param workers at least 1
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder workers(int workers) {
            if (workers < 1) {
                throw new IllegalArgumentException("workers must be at least 1, was " + workers);
            }
            this.workers = workers;
            return this;
        }

        /**
         * The {@code java} executable for workers. Default: the one running this JVM.
         *
         * @param javaCommand a path to {@code java}
         * @return this builder
         * @throws NullPointerException if null
         */
        public Builder javaCommand(String javaCommand) {
            this.javaCommand = Objects.requireNonNull(javaCommand, "javaCommand");
            return this;
        }

        /**
         * The workers' classpath ({@code java -cp}); it must hold jfutures-core, jfutures-process
         * and the task classes. Relative entries are taken from this JVM's working directory (they
         * are made absolute, so {@link #workingDirectory} does not change them); {@code dir/*}
         * stays a wildcard for the workers' launcher. {@link #build()} checks that the directories
         * and jars of it (with the jars their manifests' {@code Class-Path} names) hold
         * {@code dev/jfutures/process/Worker.class} and {@code dev/jfutures/TaskExecutor.class},
         * and throws {@link IllegalStateException} naming what is missing if not.
         *
         * <p>Default: this JVM's own, found at {@link #build()}: its class path, the modules of its
         * module path (which workers run in the unnamed module), and the {@code file:} URLs of the
         * {@link java.net.URLClassLoader}s that loaded jfutures or are the thread's context class
         * loader (as under {@code mvn exec:java}), in that order, every entry absolute. Set this
         * when jfutures was loaded from no plain directory or jar (a Spring Boot fat jar, a class
         * loader of another kind): {@link #build()} then throws {@link IllegalStateException}
         * saying where jfutures was loaded from and that this setting is needed.
         *
         * @param classpath a classpath string, entries separated by {@link java.io.File#pathSeparator}
         * @return this builder
         * @throws NullPointerException if null
         * @since 0.1
         */
        public Builder classpath(String classpath) {
            this.classpath = Objects.requireNonNull(classpath, "classpath");
            return this;
        }

        /**
         * Extra JVM options for workers, after the pool's own ({@code -XX:+ExitOnOutOfMemoryError
         * -XX:+UseSerialGC}), so they can override them; e.g. {@code -Xmx256m}.
         *
         * @param options the options
         * @return this builder
         * @throws NullPointerException if null
         */
        public Builder jvmOptions(String... options) {
            for (String o : options) {
                jvmOptions.add(Objects.requireNonNull(o, "jvmOptions element"));
            }
            return this;
        }

        /**
         * An environment variable for workers, on top of this JVM's environment.
         *
         * @param key the name
         * @param value the value
         * @return this builder
         * @throws NullPointerException if either is null
         */
        public Builder environment(String key, String value) {
            environment.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * The workers' working directory. Default: this JVM's.
         *
         * @param dir the directory
         * @return this builder
         * @throws NullPointerException if null
         */
        public Builder workingDirectory(Path dir) {
            this.workingDirectory = Objects.requireNonNull(dir, "workingDirectory");
            return this;
        }

        /**
         * Start every worker at {@code build()}, instead of on demand.
         *
         * @param prestart true to start them all at once
         * @return this builder
         */
        public Builder prestart(boolean prestart) {
            this.prestart = prestart;
            return this;
        }

        /**
         * End a worker that has been idle this long (it is started again when needed). Default:
         * workers stay until shutdown.
         *
         * @param idleTimeout a positive duration
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder idleTimeout(Duration idleTimeout) {
            this.idleTimeout = positive(idleTimeout, "idleTimeout");
            return this;
        }

        /**
         * Replace a worker after it has run this many tasks (for leaks and static state). Default:
         * never.
         *
         * @param maxTasksPerWorker at least 1
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder maxTasksPerWorker(int maxTasksPerWorker) {
            if (maxTasksPerWorker < 1) {
                throw new IllegalArgumentException("maxTasksPerWorker must be at least 1, was " + maxTasksPerWorker);
            }
            this.maxTasksPerWorker = maxTasksPerWorker;
            return this;
        }

        /**
         * Runs once in each worker before its first task. If it throws, the pool is broken.
         *
         * @param initializer a serializable action
         * @return this builder
         * @throws NullPointerException if null
         */
        public Builder initializer(TaskAction initializer) {
            this.initializer = Objects.requireNonNull(initializer, "initializer");
            return this;
        }

        /**
         * The default per-task timeout: a task running longer has its worker killed and fails with
         * {@link TaskTimeoutException}. Default: none.
         *
         * @param taskTimeout a positive duration
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder taskTimeout(Duration taskTimeout) {
            this.taskTimeout = positive(taskTimeout, "taskTimeout");
            return this;
        }

        /**
         * How long {@code cancel(true)} lets an interrupted task end before it kills the worker.
         * Default: 1 second.
         *
         * @param grace a positive duration
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder cancelGracePeriod(Duration grace) {
            this.cancelGracePeriod = positive(grace, "cancelGracePeriod");
            return this;
        }

        /**
         * How long a new worker JVM may take to connect. Default: 30 seconds.
         *
         * @param startTimeout a positive duration
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder startTimeout(Duration startTimeout) {
            this.startTimeout = positive(startTimeout, "startTimeout");
            return this;
        }

        /**
         * How many tasks may be sent ahead to one worker once the pool is at full size, to hide the
         * socket round trip under running tasks. Default: 16. Lower it for long tasks of uneven
         * length, which can otherwise wait behind a long one while another worker is free.
         *
         * @param depth at least 1
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder pipelineDepth(int depth) {
            if (depth < 1) {
                throw new IllegalArgumentException("pipelineDepth must be at least 1, was " + depth);
            }
            this.pipelineDepth = depth;
            return this;
        }

        /**
         * The deserialization filter of the default codec.
         *
         * @param filter the filter
         * @return this builder
         * @throws NullPointerException if null
         */
        public Builder serializationFilter(SerializationFilter filter) {
            this.filter = Objects.requireNonNull(filter, "serializationFilter");
            return this;
        }

        /**
         * A codec other than JDK serialization; it needs a public no-arg constructor.
         *
         * @param codec the codec
         * @return this builder
         * @throws NullPointerException if null
         */
        public Builder codec(Codec codec) {
            this.codec = Objects.requireNonNull(codec, "codec");
            return this;
        }

        private static Duration positive(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, was " + d);
            }
            return d;
        }

        /**
         * Builds the pool: opens its socket and, with {@link #prestart}, starts the workers.
         *
         * @return the pool
         * @throws TaskNotSerializableException if the initializer cannot be serialized
         * @throws IllegalStateException if the socket cannot be opened
         */
        public ProcessPool build() {
            return new ProcessPool(this);
        }
    }
}
