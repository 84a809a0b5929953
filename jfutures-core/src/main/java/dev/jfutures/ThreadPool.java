package dev.jfutures;

import dev.jfutures.internal.VirtualThreads;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link TaskExecutor} on threads: platform threads, or virtual threads on JDK 21 and later.
 * CPython's {@code ThreadPoolExecutor}, with its known defects fixed.
 *
 * <pre>{@code
 * try (ThreadPool pool = ThreadPool.builder().workers(8).threadNamePrefix("io").build()) {
 *     TaskFuture<String> f = pool.submit(() -> fetch(url));
 *     System.out.println(f.result());
 * }
 * }</pre>
 *
 * <ul>
 *   <li>Threads are created lazily, one per submit while no thread is idle, up to {@code workers};
 *       idle threads are reused. The queue is unbounded: {@code submit} never blocks.
 *   <li>An {@link Builder#initializer initializer} runs once in each thread before its first task.
 *       If it throws, the pool is broken: every queued future fails with {@link
 *       BrokenExecutorException}, and so does every later {@code submit}.
 *   <li>{@code cancel(true)} on a running task interrupts its thread.
 *   <li>A task that waits, without a timeout, on a future of the same pool that can never start
 *       because every worker is already waiting gets {@link ExecutorDeadlockException} instead of
 *       hanging (the classic case: a 1-worker pool).
 *   <li>At JVM exit (when the last non-daemon thread ends, or on {@code System.exit}) the JVM waits
 *       for the tasks already submitted, as CPython waits at interpreter exit; a pool built with
 *       {@link Builder#daemon(boolean) daemon(true)} is not waited for. Submitting after the JVM
 *       began to shut down is rejected.
 * </ul>
 *
 * @since 0.1
 */
public final class ThreadPool extends AbstractTaskExecutor {

    /*
     * Implementation notes.
     *
     * Run state, one volatile int, transitions under mainLock:
     *   RUNNING    -> SHUTDOWN    shutdown(...)
     *   SHUTDOWN   -> TERMINATED  the last worker exits (or there never was one)
     * "Broken" is orthogonal (brokenBy != null): set once when an initializer fails; a broken pool
     * rejects submits but still shuts down and terminates as usual.
     *
     * Work queue: an unbounded LinkedBlockingQueue of Jobs. Shutdown appends one SENTINEL; a worker
     * that takes it puts it back and exits, so queued jobs ahead of it still run (shutdown without
     * cancel waits for them) and every worker, even one created late, eventually exits.
     *
     * Lazy threads (CPython's idle semaphore): `idle` counts tokens of workers that are about to be
     * idle. A submit takes a token if there is one, else starts a thread while fewer than `workers`
     * exist. A worker gives its token back just before it publishes its task's outcome, so that
     * `submit(..).result()` in a loop reuses one thread; tokens never exceed live threads.
     *
     * A submit racing with shutdown or breakage re-checks the state after enqueueing and takes its
     * job back out if it can (ThreadPoolExecutor.execute's re-check), so no job is stranded behind
     * the sentinel.
     */

    private static final AtomicInteger POOL_NUMBER = new AtomicInteger();
    /** The pool whose worker the current thread is, for the deadlock guard. */
    private static final ThreadLocal<ThreadPool> CURRENT = new ThreadLocal<>();

    private static final int RUNNING = 0;
    private static final int SHUTDOWN = 1;
    private static final int TERMINATED = 2;

    private static final Runnable SENTINEL = () -> { };

    private final String name;
    private final int maxWorkers;
    private final boolean daemon;
    private final boolean virtual;
    private final TaskAction initializer;
    private final long keepAliveNanos;
    private final ThreadFactory threadFactory;

    private final LinkedBlockingQueue<Runnable> queue = new LinkedBlockingQueue<>();
    private final AtomicInteger idle = new AtomicInteger();
    /** Workers that are parked on a future of this pool; see Guard. */
    private final AtomicInteger blocked = new AtomicInteger();
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    /** Workers past their last task but maybe still ending; awaitTermination joins them. Under mainLock. */
    private final List<Thread> exiting = new ArrayList<>();
    private final ReentrantLock mainLock = new ReentrantLock();
    private final Condition terminatedCondition = mainLock.newCondition();
    private final Guard guard = new Guard();

    /** Listeners, JFR events, the cancel count. */
    private final dev.jfutures.internal.Telemetry telemetry;
    /** Each live worker's counts, by thread; a worker's are added to `retired` when it exits. */
    private final java.util.Map<Thread, WorkerCount> counts = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.LongAdder retiredCompleted = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder retiredFailed = new java.util.concurrent.atomic.LongAdder();
    /**
     * Cancelled tasks no longer in the queue (taken off by a worker, drained, or cancelled while
     * running): queued = queue size - (cancelled - this), since a cancelled task stays in the
     * queue until a worker reaches it.
     */
    private final java.util.concurrent.atomic.LongAdder cancelledGone = new java.util.concurrent.atomic.LongAdder();

    private volatile int runState = RUNNING;
    private volatile int live;
    private volatile Throwable brokenBy;
    private int threadIndex;

    private ThreadPool(Builder b) {
        this.name = b.prefix != null ? b.prefix : "ThreadPool-" + POOL_NUMBER.incrementAndGet();
        this.virtual = b.virtual;
        this.maxWorkers = b.workers > 0 ? b.workers
                : b.virtual ? Integer.MAX_VALUE : Math.min(32, Runtime.getRuntime().availableProcessors() + 4);
        this.daemon = b.daemon;
        this.initializer = b.initializer;
        Duration keepAlive = b.keepAlive != null ? b.keepAlive : b.virtual ? Duration.ofSeconds(5) : null;
        this.keepAliveNanos = keepAlive == null ? 0L : keepAlive.toNanos();
        this.threadFactory = b.virtual ? VirtualThreads.factory(name) : this::newPlatformThread;
        this.telemetry = new dev.jfutures.internal.Telemetry(name, "thread");
    }

    /**
     * A builder for a pool of platform threads (or virtual ones, with {@link
     * Builder#virtualThreads()}).
     *
     * @return a new builder
     * @since 0.1
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A pool of platform threads with the default number of workers, {@code min(32, processors +
     * 4)} as CPython's.
     *
     * @return a new pool
     * @since 0.1
     */
    public static ThreadPool create() {
        return builder().build();
    }

    /**
     * A pool of virtual threads, as many as there are tasks in flight; idle ones are reused and
     * end after 5 seconds.
     *
     * @return a new pool
     * @throws UnsupportedOperationException on a JVM older than 21, saying what to change
     * @since 0.1
     */
    public static ThreadPool virtual() {
        return builder().virtualThreads().build();
    }

    // ------------------------------------------------------------------------------- submit

    @Override
    public <T> TaskFuture<T> submit(Callable<T> task) {
        Objects.requireNonNull(task, "task");
        checkAccepting();
        Job<T> job = new Job<>(new PromiseFuture<>(guard), task);
        dev.jfutures.internal.Telemetry.Trace trace = telemetry.submitted();
        job.future.observe(telemetry, trace);
        // Claim an idle worker before queueing: claimed after, the idle worker could take and finish
        // the job in between, and the claim would then strand its token (CPython gh: idle reuse).
        boolean claimed = live >= maxWorkers || claimIdleWorker();
        queue.offer(job);
        if (!claimed) {
            startWorkerIfBelowMax(job);
        }
        if ((runState != RUNNING || brokenBy != null || jvmExiting()) && queue.remove(job)) {
            if (trace != null) {
                trace.finished(TaskStatus.CANCELLED);   // refused after all: its SUBMITTED gets an end
            }
            checkAccepting();
            throw new RejectedExecutionException("cannot submit to " + name + ": the pool is shut down");
        }
        return job.future;
    }

    private void checkAccepting() {
        Throwable broken = brokenBy;
        if (broken != null) {
            throw new BrokenExecutorException(brokenMessage(), broken);
        }
        if (runState != RUNNING) {
            throw new RejectedExecutionException("cannot submit to " + name + ": the pool is shut down");
        }
        if (jvmExiting()) {
            throw new RejectedExecutionException("cannot submit to " + name + ": the JVM is shutting down");
        }
    }

    private String brokenMessage() {
        return "thread pool " + name + " is broken: a thread initializer failed (" + brokenBy
                + "), so the pool runs no more tasks; fix the initializer and build a new pool";
    }

    /** Takes the token of a worker about to be idle; false if there is none. */
    private boolean claimIdleWorker() {
        for (int n; (n = idle.get()) > 0; ) {
            if (idle.compareAndSet(n, n - 1)) {
                return true;
            }
        }
        return false;
    }

    /** No idle worker was claimed for {@code job}: start a thread for it, while below workers. */
    private void startWorkerIfBelowMax(Job<?> job) {
        mainLock.lock();
        try {
            if (runState == RUNNING && live < maxWorkers && !addWorker() && queue.remove(job)) {
                throw new RejectedExecutionException("cannot submit to " + name
                        + ": the JVM is shutting down, and a pool that has no thread yet cannot start one now");
            }
        } finally {
            mainLock.unlock();
        }
    }

    /**
     * Starts one worker; call with mainLock held. Returns false, starting nothing, if the JVM is
     * shutting down and this pool is not yet known to the exit hook (its work would be lost).
     */
    private boolean addWorker() {
        if (live == 0 && !daemon && !holdJvmExit()) {
            return false;
        }
        Thread t;
        try {
            t = threadFactory.newThread(this::runWorker);
        } catch (RuntimeException | Error e) {
            threadStartFailed(e);
            return true;
        }
        live++;
        threads.add(t);
        try {
            t.start();
        } catch (RuntimeException | Error e) {
            live--;
            threads.remove(t);
            threadStartFailed(e);
        }
        return true;
    }

    private Thread newPlatformThread(Runnable r) {
        Thread t = new Thread(null, r, name + "_" + threadIndex++, 0L);
        // Always daemon: the exit hook, not thread liveness, makes the JVM wait for submitted work,
        // so that an idle pool never keeps the JVM alive.
        t.setDaemon(true);
        return t;
    }

    /** No thread could be started: with no worker alive nothing would run the queue, so break. */
    private void threadStartFailed(Throwable e) {
        if (live == 0) {
            breakPool(e, "thread pool " + name + " could not start a worker thread (" + e
                    + "), so the pool runs no more tasks; lower the number of threads in the process and build a new pool");
        } else {
            Log.LOG.log(System.Logger.Level.WARNING, "thread pool " + name + " could not start another worker thread", e);
        }
    }

    // ------------------------------------------------------------------------------- workers

    private void runWorker() {
        Thread me = Thread.currentThread();
        CURRENT.set(this);
        WorkerCount count = new WorkerCount(me.getName());
        counts.put(me, count);
        telemetry.worker(WorkerEvent.Kind.STARTED, count.name, null, 0);
        String died = null;
        try {
            if (initializer != null) {
                try {
                    initializer.run();
                } catch (Throwable e) {
                    Log.LOG.log(System.Logger.Level.ERROR, "Exception in initializer of thread pool " + name, e);
                    died = "its initializer failed: " + e;
                    breakPool(e, null);
                    return;
                }
            }
            for (;;) {
                Runnable r;
                try {
                    r = queue.poll();
                    if (r == null) {
                        r = keepAliveNanos > 0 ? queue.poll(keepAliveNanos, TimeUnit.NANOSECONDS) : queue.take();
                    }
                } catch (InterruptedException strayInterrupt) {
                    continue;
                }
                if (r == null) {
                    if (retire()) {
                        return;
                    }
                    continue;
                }
                if (r == SENTINEL) {
                    queue.offer(SENTINEL);
                    return;
                }
                ((Job<?>) r).run(me, count);
            }
        } finally {
            CURRENT.remove();
            counts.remove(me);
            retiredCompleted.add(count.completed());
            retiredFailed.add(count.failed());
            telemetry.worker(died != null ? WorkerEvent.Kind.DIED : WorkerEvent.Kind.STOPPED, count.name, died, 0);
            workerExited(me);
        }
    }

    /**
     * One worker's counts. Written by its thread only, with release stores (plain stores on x86:
     * nothing on the task's path); read by stats() with acquire loads, so each count is one the
     * worker wrote.
     */
    private static final class WorkerCount {
        private static final java.lang.invoke.VarHandle RUNNING_VH;
        private static final java.lang.invoke.VarHandle COMPLETED_VH;
        private static final java.lang.invoke.VarHandle FAILED_VH;

        static {
            try {
                java.lang.invoke.MethodHandles.Lookup l = java.lang.invoke.MethodHandles.lookup();
                RUNNING_VH = l.findVarHandle(WorkerCount.class, "running", int.class);
                COMPLETED_VH = l.findVarHandle(WorkerCount.class, "completed", long.class);
                FAILED_VH = l.findVarHandle(WorkerCount.class, "failed", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final String name;
        private int running;
        private long completed;
        private long failed;

        WorkerCount(String name) {
            this.name = name;
        }

        void started() {
            RUNNING_VH.setRelease(this, 1);
        }

        /** Its task ended: succeeded (true), failed (false), or was cancelled while it ran (null). */
        void ended(Boolean ok) {
            if (ok == Boolean.TRUE) {
                COMPLETED_VH.setRelease(this, completed + 1);
            } else if (ok == Boolean.FALSE) {
                FAILED_VH.setRelease(this, failed + 1);
            }
            RUNNING_VH.setRelease(this, 0);
        }

        int running() {
            return (int) RUNNING_VH.getAcquire(this);
        }

        long completed() {
            return (long) COMPLETED_VH.getAcquire(this);
        }

        long failed() {
            return (long) FAILED_VH.getAcquire(this);
        }
    }

    /** Gives back this worker's idle token before its task's outcome is published. */
    private void releaseIdleToken() {
        if (keepAliveNanos == 0L && live >= maxWorkers) {
            // A full pool whose threads never end creates no more threads: tokens do not matter,
            // and reading the queue's count here would contend with the submitters.
            return;
        }
        if (!queue.isEmpty()) {
            return;
        }
        for (int n; (n = idle.get()) < live; ) {
            if (idle.compareAndSet(n, n + 1)) {
                return;
            }
        }
    }

    /** After keepAlive without work: exit if this worker's idle token is still unclaimed. */
    private boolean retire() {
        for (int n; (n = idle.get()) > 0; ) {
            if (idle.compareAndSet(n, n - 1)) {
                return true;
            }
        }
        return false;
    }

    private void workerExited(Thread me) {
        mainLock.lock();
        try {
            live--;
            threads.remove(me);
            exiting.removeIf(t -> !t.isAlive());
            exiting.add(me);
            if (runState == RUNNING && live == 0 && brokenBy == null && !queue.isEmpty()) {
                // A job raced with this worker's retirement: someone must run it.
                addWorker();
            }
            tryTerminate();
        } finally {
            mainLock.unlock();
        }
    }

    /** Call with mainLock held. */
    private void tryTerminate() {
        if (runState == SHUTDOWN && live == 0) {
            runState = TERMINATED;
            terminatedCondition.signalAll();
            releaseJvmExit();
            telemetry.close();
        }
    }

    private void breakPool(Throwable cause, String message) {
        mainLock.lock();
        try {
            if (brokenBy == null) {
                brokenBy = cause;
            }
        } finally {
            mainLock.unlock();
        }
        String text = message != null ? message : brokenMessage();
        List<Runnable> drained = new ArrayList<>();
        queue.drainTo(drained);
        for (Runnable r : drained) {
            if (r == SENTINEL) {
                queue.offer(SENTINEL);
            } else if (!((Job<?>) r).future.complete(new BrokenExecutorException(text, cause), PromiseFuture.FAILED)) {
                cancelledGone.increment();   // it was cancelled in the queue
            }
        }
    }

    // ------------------------------------------------------------------------------- shutdown

    @Override
    public void shutdown(boolean wait, boolean cancelFutures) {
        mainLock.lock();
        try {
            if (runState == RUNNING) {
                runState = SHUTDOWN;
            }
        } finally {
            mainLock.unlock();
        }
        if (cancelFutures) {
            cancelQueued();
        }
        queue.offer(SENTINEL);
        mainLock.lock();
        try {
            tryTerminate();
        } finally {
            mainLock.unlock();
        }
        if (wait) {
            if (CURRENT.get() == this) {
                throw new ExecutorDeadlockException("shutdown(wait=true) was called from a task running on "
                        + name + ", which would wait for itself; the pool is shut down, but call shutdown(false, ...) "
                        + "from inside it, or wait from outside");
            }
            try {
                awaitTermination(Long.MAX_VALUE, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new WaitInterruptedException(e);
            }
            // Terminated; the listeners hear the last events before the wait ends.
            telemetry.awaitDelivered();
        }
    }

    private List<Runnable> cancelQueued() {
        List<Runnable> drained = new ArrayList<>();
        queue.drainTo(drained);
        List<Runnable> cancelled = new ArrayList<>();
        for (Runnable r : drained) {
            if (r != SENTINEL) {
                if (((Job<?>) r).future.cancel(false)) {
                    cancelled.add(r);
                }
                if (((Job<?>) r).future.isCancelled()) {
                    cancelledGone.increment();
                }
            }
        }
        return cancelled;
    }

    /**
     * Shuts down, cancels every queued task and interrupts the running ones.
     *
     * @return the queued tasks that never started; their futures are cancelled, so running them
     *     does nothing
     * @since 0.1
     */
    @Override
    public List<Runnable> shutdownNow() {
        mainLock.lock();
        try {
            if (runState == RUNNING) {
                runState = SHUTDOWN;
            }
        } finally {
            mainLock.unlock();
        }
        List<Runnable> cancelled = cancelQueued();
        queue.offer(SENTINEL);
        for (Thread t : threads) {
            t.interrupt();
        }
        mainLock.lock();
        try {
            tryTerminate();
        } finally {
            mainLock.unlock();
        }
        return cancelled;
    }

    @Override
    public boolean isShutdown() {
        return runState != RUNNING;
    }

    @Override
    public boolean isTerminated() {
        return runState == TERMINATED;
    }

    /**
     * Waits until the pool has terminated: shut down, every task finished, and every worker thread
     * ended (joined, as CPython's {@code shutdown(wait=True)} joins its threads).
     *
     * @param timeout the longest wait
     * @param unit its unit
     * @return true if terminated, false on timeout
     * @throws InterruptedException if interrupted while waiting
     * @since 0.1
     */
    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        List<Thread> ending;
        mainLock.lock();
        try {
            while (runState != TERMINATED) {
                long nanos = deadline - System.nanoTime();
                if (nanos <= 0L) {
                    return false;
                }
                terminatedCondition.awaitNanos(nanos);
            }
            ending = new ArrayList<>(exiting);
        } finally {
            mainLock.unlock();
        }
        for (Thread t : ending) {
            long nanos = deadline - System.nanoTime();
            if (nanos <= 0L) {
                return !t.isAlive();
            }
            TimeUnit.NANOSECONDS.timedJoin(t, nanos);
            if (t.isAlive()) {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------------------- info

    @Override
    protected int parallelism() {
        return maxWorkers;
    }

    /**
     * The most threads this pool runs at once.
     *
     * @return the {@code workers} setting
     * @since 0.1
     */
    public int workers() {
        return maxWorkers;
    }

    /**
     * The threads alive now (created lazily, so at most {@link #workers()}).
     *
     * @return the number of live worker threads
     * @since 0.1
     */
    public int poolSize() {
        return live;
    }

    /**
     * Whether the pool's threads are virtual.
     *
     * @return true for a pool of virtual threads
     * @since 0.1
     */
    public boolean isVirtual() {
        return virtual;
    }

    /**
     * Whether the pool is broken (its initializer failed, or no thread could be started).
     *
     * @return true once broken
     * @since 0.1
     */
    public boolean isBroken() {
        return brokenBy != null;
    }

    /**
     * A snapshot of this pool: tasks queued, running and done, and its threads with what each
     * runs and has finished.
     *
     * @return the snapshot
     * @since 0.1
     */
    @Override
    public ExecutorStats stats() {
        List<ExecutorStats.Worker> ws = new ArrayList<>();
        long running = 0;
        long completed = retiredCompleted.sum();
        long failed = retiredFailed.sum();
        for (WorkerCount c : counts.values()) {
            int r = c.running();
            long done = c.completed();
            long threw = c.failed();
            running += r;
            completed += done;
            failed += threw;
            ws.add(new ExecutorStats.Worker(c.name, r, 0, done + threw));
        }
        ws.sort(java.util.Comparator.comparing(ExecutorStats.Worker::name));
        long cancelled = telemetry.cancelledCount();
        int sentinel = runState == RUNNING ? 0 : 1;
        long queued = Math.max(0, queue.size() - sentinel - Math.max(0, cancelled - cancelledGone.sum()));
        return new ExecutorStats(name, queued, running, completed, failed, cancelled, ws, telemetry.droppedEvents(),
                telemetry.listenerFailures());
    }

    /**
     * Adds a listener for this pool's task and worker events (see {@link ExecutorListener}).
     *
     * @param listener the listener
     * @return closes to remove it
     * @throws NullPointerException if {@code listener} is null
     * @since 0.1
     */
    @Override
    public AutoCloseable addListener(ExecutorListener listener) {
        return telemetry.addListener(listener);
    }

    @Override
    public String toString() {
        int s = runState;
        return "ThreadPool[" + name + ", " + (virtual ? "virtual" : "platform") + ", workers="
                + (maxWorkers == Integer.MAX_VALUE ? "unbounded" : maxWorkers) + ", threads=" + live
                + ", queued=" + queue.size() + ", " + (brokenBy != null ? "broken"
                : s == RUNNING ? "running" : s == SHUTDOWN ? "shut down" : "terminated") + "]";
    }

    // ------------------------------------------------------------------------------- job

    /** One submitted call: runs it in a worker and completes its future (no TaskPromise: same package). */
    private final class Job<T> implements Runnable {
        final PromiseFuture<T> future;
        private Callable<T> task;
        /** The thread running the task, interrupted by cancel(true). */
        private volatile Thread runner;

        Job(PromiseFuture<T> future, Callable<T> task) {
            this.future = future;
            this.task = task;
        }

        /**
         * The stopper handed to the future: interrupts the running thread.
         *
         * @since 0.1
         */
        @Override
        public void run() {
            Thread t = runner;
            if (t != null) {
                t.interrupt();
            }
        }

        void run(Thread me, WorkerCount count) {
            runner = me;
            dev.jfutures.internal.Telemetry.Trace trace = future.trace();
            if (trace != null) {
                trace.worker(count.name);
            }
            if (!future.start(this)) {
                // Cancelled while queued.
                cancelledGone.increment();
                runner = null;
                task = null;
                return;
            }
            count.started();
            T value = null;
            Throwable failure = null;
            try {
                value = task.call();
            } catch (Throwable e) {
                failure = e;
            }
            task = null;
            releaseIdleToken();
            boolean completed = failure == null
                    ? future.complete(value, PromiseFuture.SUCCEEDED) : future.complete(failure, PromiseFuture.FAILED);
            if (completed) {
                count.ended(failure == null);
            } else {
                cancelledGone.increment();   // cancel(true) ended it while it ran
                count.ended(null);
            }
            runner = null;
            // A cancel(true) may be delivering its interrupt right now: let it land, then clear it,
            // so it cannot hit the next task.
            future.awaitStopDelivered();
            Thread.interrupted();
        }

        @Override
        public String toString() {
            return "Job[" + task + ", " + future + "]";
        }
    }

    // ------------------------------------------------------------------------------- guard

    /** Counts this pool's workers parked on this pool's futures; refuses the wait that would hang. */
    private final class Guard implements WaitGuard {
        @Override
        public void enterBlocked(PromiseFuture<?> future) {
            if (CURRENT.get() != ThreadPool.this) {
                return;
            }
            int b = blocked.incrementAndGet();
            if (b >= maxWorkers && (future.state() == PromiseFuture.PENDING || !queue.isEmpty())) {
                blocked.decrementAndGet();
                throw new ExecutorDeadlockException(Thread.currentThread().getName() + ", a worker of " + name
                        + ", waits for " + future + ", which can only run on this pool, but all " + maxWorkers
                        + " of its workers are waiting on the pool's own futures, so it would hang forever; "
                        + "raise workers, or do not wait inside the pool for tasks queued behind you");
            }
        }

        @Override
        public void exitBlocked() {
            if (CURRENT.get() == ThreadPool.this) {
                blocked.decrementAndGet();
            }
        }
    }

    // ------------------------------------------------------------------------------- exit

    /**
     * Waits for termination at JVM exit, but not for a worker that is itself calling {@code
     * System.exit} (it never returns, so waiting for it would hang the exit).
     *
     * @since 0.1
     */
    @Override
    protected void awaitJvmExit() {
        try {
            while (!awaitTermination(50, TimeUnit.MILLISECONDS)) {
                for (Thread t : threads) {
                    for (StackTraceElement e : t.getStackTrace()) {
                        if (e.getClassName().equals("java.lang.Shutdown")
                                || (e.getClassName().equals("java.lang.Runtime")
                                && (e.getMethodName().equals("exit") || e.getMethodName().equals("halt")))) {
                            return;
                        }
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------------------- builder

    /**
     * Builds a {@link ThreadPool}.
     *
     * @since 0.1
     */
    public static final class Builder {
        private int workers;
        private String prefix;
        private boolean daemon;
        private boolean virtual;
        private TaskAction initializer;
        private Duration keepAlive;

        private Builder() {
        }

        /**
         * The most threads the pool runs at once. Default: {@code min(32, processors + 4)} for
         * platform threads, unbounded for virtual threads.
         *
         * @param workers at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code workers} is not positive
         * @since 0.1
         */
        public Builder workers(int workers) {
            if (workers < 1) {
                throw new IllegalArgumentException("workers must be at least 1, was " + workers);
            }
            this.workers = workers;
            return this;
        }

        /**
         * The prefix of thread names; threads are named {@code prefix_0}, {@code prefix_1}, ...
         * Default: {@code ThreadPool-N}.
         *
         * @param prefix the prefix
         * @return this builder
         * @throws NullPointerException if {@code prefix} is null
         * @since 0.1
         */
        public Builder threadNamePrefix(String prefix) {
            this.prefix = Objects.requireNonNull(prefix, "threadNamePrefix");
            return this;
        }

        /**
         * Whether JVM exit may abandon this pool's queued and running tasks. Default false: at exit
         * the JVM waits for every task already submitted.
         *
         * @param daemon true to not wait at JVM exit
         * @return this builder
         * @since 0.1
         */
        public Builder daemon(boolean daemon) {
            this.daemon = daemon;
            return this;
        }

        /**
         * Use virtual threads (JDK 21+).
         *
         * @return this builder
         * @since 0.1
         */
        public Builder virtualThreads() {
            this.virtual = true;
            return this;
        }

        /**
         * An action run once in each thread before its first task. If it throws, the pool is broken.
         *
         * @param initializer the action
         * @return this builder
         * @throws NullPointerException if {@code initializer} is null
         * @since 0.1
         */
        public Builder initializer(TaskAction initializer) {
            this.initializer = Objects.requireNonNull(initializer, "initializer");
            return this;
        }

        /**
         * How long an idle thread waits for work before it ends. Default: forever for platform
         * threads, 5 seconds for virtual threads.
         *
         * @param keepAlive a positive duration
         * @return this builder
         * @throws NullPointerException if {@code keepAlive} is null
         * @throws IllegalArgumentException if {@code keepAlive} is not positive
         * @since 0.1
         */
        public Builder keepAlive(Duration keepAlive) {
            Objects.requireNonNull(keepAlive, "keepAlive");
            if (keepAlive.isNegative() || keepAlive.isZero()) {
                throw new IllegalArgumentException("keepAlive must be positive, was " + keepAlive);
            }
            this.keepAlive = keepAlive;
            return this;
        }

        /**
         * Builds the pool. No thread starts until the first submit.
         *
         * @return a new pool
         * @throws UnsupportedOperationException if virtual threads were asked for on a JVM older
         *     than 21
         * @since 0.1
         */
        public ThreadPool build() {
            return new ThreadPool(this);
        }
    }
}
