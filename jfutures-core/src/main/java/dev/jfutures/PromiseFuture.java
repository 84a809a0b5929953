package dev.jfutures;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The one implementation of {@link TaskFuture}: a state machine completed only through its
 * {@link TaskPromise}. Package-private so that no caller can complete a future it did not create.
 *
 * @param <T> the result type
 */
final class PromiseFuture<T> implements TaskFuture<T> {

    /*
     * Implementation notes.
     *
     * One volatile int `state`, ordered so that predicates are comparisons (as in FutureTask):
     *
     *   PENDING      0  submitted, not started
     *   RUNNING      1  started by a worker
     *   COMPLETING   2  transient: the outcome is being written
     *   SUCCEEDED    3  terminal
     *   FAILED       4  terminal
     *   INTERRUPTING 5  transient: cancel(true) is stopping a running task
     *   CANCELLED    6  terminal
     *
     * Legal transitions, and nothing else:
     *   PENDING -> RUNNING                        start()
     *   PENDING -> COMPLETING -> SUCCEEDED|FAILED complete() (CPython allows set_result on pending)
     *   RUNNING -> COMPLETING -> SUCCEEDED|FAILED complete()
     *   PENDING -> CANCELLED                      cancel(any), if the cancel gate allows;
     *                                             cancelPending() (the executor's own cancel)
     *   RUNNING -> INTERRUPTING -> CANCELLED      cancel(true), only if the runner gave a stopper
     *
     * isDone() is state >= SUCCEEDED; isCancelled() is state >= INTERRUPTING (as FutureTask, so that
     * a second cancel racing the first sees a done, cancelled future).
     *
     * Everything that waits is a Node on one Treiber stack, `listeners`: parked threads, user
     * callbacks, and the internal listeners of Futures.wait / asCompleted. Completion swaps the
     * stack for the DONE sentinel (so every push after that sees DONE and runs at once, in the
     * caller) and fires the nodes oldest first, which is the order the callbacks were added. All
     * completions funnel through finish(). A node is removed by clearing its target and unlinking
     * it, with FutureTask's removeWaiter algorithm; finish() never mutates the list, so a remover
     * racing with it can only skip dead nodes.
     *
     * User callbacks (addDoneCallback) are CallbackNodes. With a callbackExecutor, finish() fires
     * waiters and internal listeners (which only wake or enqueue) in the completing thread, and
     * hands the callbacks, in the order added, to the executor as one task: an executor whose
     * completing thread must not run user code (a process pool's socket reader) sets one. A
     * callback added once the future is done still runs at once in the caller.
     * addDoneCallback(callback, executor) adds an ordinary CallbackNode (a HandOff) whose action is
     * executor.execute(callback): the hand-over follows every rule above, and the state machine
     * knows nothing of it.
     */

    static final int PENDING = 0;
    static final int RUNNING = 1;
    static final int COMPLETING = 2;
    static final int SUCCEEDED = 3;
    static final int FAILED = 4;
    static final int INTERRUPTING = 5;
    static final int CANCELLED = 6;


    /** Sentinel for {@link #listeners} once the future is done. */
    private static final Node DONE = new Node(null);

    private volatile int state;
    /** The result or the Throwable; written before the release-store of the terminal state. */
    private Object outcome;
    /** Stops the running task on cancel(true); written before the volatile store of RUNNING. */
    private Runnable stopper;
    private volatile Node listeners;
    /** Asked before a PENDING future is cancelled; may be null. */
    private volatile TaskPromise.CancelGate cancelGate;
    /** Detects a wait that can never end (a pool worker waiting on its own pool); may be null. */
    private final WaitGuard guard;
    /** Runs the callbacks registered before completion; null: the completing thread runs them. */
    private final Executor callbackExecutor;
    /** Asked once per wait, before parking; may be null. */
    private final TaskPromise.BlockingHelper helper;
    /** The executor's telemetry (counts cancels), and this task's trace; null if none. Set before publication. */
    private dev.jfutures.internal.Telemetry telemetry;
    private dev.jfutures.internal.Telemetry.Trace trace;

    PromiseFuture(WaitGuard guard) {
        this(guard, null);
    }

    PromiseFuture(WaitGuard guard, Executor callbackExecutor) {
        this(guard, callbackExecutor, null);
    }

    PromiseFuture(WaitGuard guard, Executor callbackExecutor, TaskPromise.BlockingHelper helper) {
        this.guard = guard;
        this.callbackExecutor = callbackExecutor;
        this.helper = helper;
    }

    // ---------------------------------------------------------------- write side (TaskPromise)

    boolean start(Runnable stopper) {
        this.stopper = stopper;
        if (!STATE.compareAndSet(this, PENDING, RUNNING)) {
            return false;
        }
        dev.jfutures.internal.Telemetry.Trace t = trace;
        if (t != null) {
            t.started();
        }
        return true;
    }

    /**
     * The executor's telemetry and this task's trace (null: nobody hears it); before the future is
     * published to any other thread.
     */
    void observe(dev.jfutures.internal.Telemetry telemetry, dev.jfutures.internal.Telemetry.Trace trace) {
        this.telemetry = telemetry;
        this.trace = trace;
    }

    /** This task's trace, or null. */
    dev.jfutures.internal.Telemetry.Trace trace() {
        return trace;
    }

    boolean complete(Object value, int terminal) {
        for (;;) {
            int s = state;
            if (s > RUNNING) {
                // Refused: let a completion or cancel in flight land first, so that after a
                // refusal the future is done.
                while (state == COMPLETING || state == INTERRUPTING) {
                    Thread.onSpinWait();
                }
                return false;
            }
            if (STATE.compareAndSet(this, s, COMPLETING)) {
                outcome = value;
                STATE.setRelease(this, terminal);
                finish();
                return true;
            }
        }
    }

    /** PENDING -> CANCELLED without asking the gate: the executor knows the task will not start. */
    boolean cancelPending() {
        if (STATE.compareAndSet(this, PENDING, CANCELLED)) {
            finish();
            return true;
        }
        return false;
    }

    WaitGuard guard() {
        return guard;
    }

    void cancelGate(TaskPromise.CancelGate gate) {
        this.cancelGate = gate;
    }

    // ---------------------------------------------------------------- cancel

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        for (;;) {
            int s = state;
            if (s == PENDING) {
                TaskPromise.CancelGate gate = cancelGate;
                if (gate != null && !gate.mayCancel()) {
                    // The executor says the task has started (its status will catch up): as for
                    // a running task, cancel(false) fails.
                    if (state >= INTERRUPTING) {
                        return true;
                    }
                    if (mayInterruptIfRunning && state == RUNNING) {
                        continue;
                    }
                    return false;
                }
                if (STATE.compareAndSet(this, PENDING, CANCELLED)) {
                    finish();
                    return true;
                }
            } else if (s >= INTERRUPTING) {
                return true;
            } else if (s == RUNNING && mayInterruptIfRunning && stopper != null) {
                if (STATE.compareAndSet(this, RUNNING, INTERRUPTING)) {
                    try {
                        stopper.run();
                    } catch (RuntimeException | Error e) {
                        Log.LOG.log(System.Logger.Level.WARNING, "stopping a cancelled task failed: " + this, e);
                    } finally {
                        STATE.setRelease(this, CANCELLED);
                        finish();
                    }
                    return true;
                }
            } else {
                return false;
            }
        }
    }

    /** Spins while a cancel(true) is delivering its interrupt, so the runner can clear it after. */
    void awaitStopDelivered() {
        while (state == INTERRUPTING) {
            Thread.onSpinWait();
        }
    }

    // ---------------------------------------------------------------- read side

    int state() {
        return state;
    }

    @Override
    public TaskStatus status() {
        int s = state;
        switch (s) {
            case PENDING:
                return TaskStatus.PENDING;
            case RUNNING:
            case COMPLETING:
                return TaskStatus.RUNNING;
            case SUCCEEDED:
                return TaskStatus.SUCCEEDED;
            case FAILED:
                return TaskStatus.FAILED;
            default:
                return TaskStatus.CANCELLED;
        }
    }

    @Override
    public boolean isRunning() {
        int s = state;
        return s == RUNNING || s == COMPLETING;
    }

    @Override
    public boolean isDone() {
        return state >= SUCCEEDED;
    }

    @Override
    public boolean isCancelled() {
        return state >= INTERRUPTING;
    }

    /** True once the future has failed (not cancelled). */
    boolean isFailed() {
        return state == FAILED;
    }

    @Override
    public T result() {
        return report(awaitUninterruptedly(false, 0L));
    }

    @Override
    public T result(Duration timeout) {
        return report(awaitUninterruptedly(true, nanos(timeout)));
    }

    @Override
    public Throwable exception() {
        return reportException(awaitUninterruptedly(false, 0L));
    }

    @Override
    public Throwable exception(Duration timeout) {
        return reportException(awaitUninterruptedly(true, nanos(timeout)));
    }

    @Override
    public T get() throws InterruptedException, ExecutionException {
        int s = state;
        if (s <= COMPLETING) {
            s = awaitDone(false, 0L);
        }
        return reportChecked(s);
    }

    @Override
    public T get(long timeout, TimeUnit unit)
            throws InterruptedException, ExecutionException, TimeoutException {
        Objects.requireNonNull(unit, "unit");
        int s = state;
        if (s <= COMPLETING && (s = awaitDone(true, unit.toNanos(timeout))) <= COMPLETING) {
            throw new TimeoutException("future not done within " + timeout + " " + unit + ": " + this);
        }
        return reportChecked(s);
    }

    /** As {@link Futures#timeoutNanos}: negative is zero (poll once), so the message says PT0S. */
    private static long nanos(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            return 0L;
        }
        try {
            return timeout.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }

    private int awaitUninterruptedly(boolean timed, long nanos) {
        int s = state;
        if (s > COMPLETING) {
            return s;
        }
        try {
            s = awaitDone(timed, nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WaitInterruptedException(e);
        }
        if (s <= COMPLETING) {
            throw new WaitTimeoutException("future not done within " + Duration.ofNanos(nanos) + ": " + this);
        }
        return s;
    }

    @SuppressWarnings("unchecked")
    private T report(int s) {
        if (s == SUCCEEDED) {
            return (T) outcome;
        }
        if (s == FAILED) {
            throw new TaskFailedException((Throwable) outcome);
        }
        throw cancelled();
    }

    private Throwable reportException(int s) {
        if (s == SUCCEEDED) {
            return null;
        }
        if (s == FAILED) {
            return (Throwable) outcome;
        }
        throw cancelled();
    }

    @SuppressWarnings("unchecked")
    private T reportChecked(int s) throws ExecutionException {
        if (s == SUCCEEDED) {
            return (T) outcome;
        }
        if (s == FAILED) {
            throw new ExecutionException((Throwable) outcome);
        }
        throw cancelled();
    }

    private CancellationException cancelled() {
        return new CancellationException("task was cancelled: " + this);
    }

    /** The outcome of a done future: value or Throwable. Only valid once isDone(). */
    Object outcome() {
        return outcome;
    }

    /**
     * Waits until done or timed out; returns the state seen last (still {@code <= COMPLETING} on
     * timeout). Parks on a waiter node, as FutureTask.awaitDone.
     */
    private int awaitDone(boolean timed, long nanos) throws InterruptedException {
        long deadline = 0L;
        Node q = null;
        boolean queued = false;
        boolean helped = false;
        boolean deadlineSet = false;
        for (;;) {
            int s = state;
            if (s > COMPLETING) {
                if (q != null) {
                    q.target = null;
                }
                return s;
            } else if (s == COMPLETING) {
                Thread.yield();
            } else if (Thread.interrupted()) {
                if (q != null) {
                    removeNode(q);
                }
                throw new InterruptedException();
            } else if (q == null) {
                if (timed && !deadlineSet) {
                    if (nanos <= 0L) {
                        return s;
                    }
                    deadline = System.nanoTime() + nanos;
                    deadlineSet = true;
                }
                if (helper != null && !helped) {
                    helped = true;
                    try {
                        helper.block(this, timed ? deadline : Long.MAX_VALUE);
                    } catch (RuntimeException | Error e) {
                        Log.LOG.log(System.Logger.Level.WARNING, "a blocking helper failed; waiting as usual: " + this, e);
                    }
                    continue;
                }
                q = new Node(Thread.currentThread());
            } else if (!queued) {
                queued = push(q);
                if (!queued) {
                    // DONE: the loop sees the terminal state next time round.
                    q = null;
                    Thread.onSpinWait();
                }
            } else if (timed) {
                long left = deadline - System.nanoTime();
                if (left <= 0L) {
                    removeNode(q);
                    return state;
                }
                LockSupport.parkNanos(this, left);
            } else {
                if (guard != null) {
                    try {
                        guard.enterBlocked(this);
                    } catch (RuntimeException deadlock) {
                        removeNode(q);
                        throw deadlock;
                    }
                    try {
                        LockSupport.park(this);
                    } finally {
                        guard.exitBlocked();
                    }
                } else {
                    LockSupport.park(this);
                }
            }
        }
    }

    // ---------------------------------------------------------------- listeners

    /**
     * A waiter, callback or internal listener. {@code target} is a Thread to unpark, or a
     * Consumer to call; null once removed or fired.
     */
    static class Node {
        volatile Object target;
        volatile Node next;

        Node(Object target) {
            this.target = target;
        }
    }

    /** A user callback's node: with a callback executor, fired there rather than inline. */
    static final class CallbackNode extends Node {
        CallbackNode(Object target) {
            super(target);
        }
    }

    /** Pushes a node; false if the future is already done (the node was not added). */
    private boolean push(Node node) {
        for (;;) {
            Node h = listeners;
            if (h == DONE) {
                return false;
            }
            node.next = h;
            if (LISTENERS.compareAndSet(this, h, node)) {
                return true;
            }
        }
    }

    @Override
    public TaskFuture<T> addDoneCallback(Consumer<? super TaskFuture<T>> callback) {
        Objects.requireNonNull(callback, "callback");
        if (!push(new CallbackNode(callback))) {
            runCallback(callback);
        }
        return this;
    }

    @Override
    public TaskFuture<T> addDoneCallback(Consumer<? super TaskFuture<T>> callback, Executor executor) {
        Objects.requireNonNull(callback, "callback");
        Objects.requireNonNull(executor, "executor");
        // An ordinary callback whose action is the hand-over: so it takes its place in the order
        // added, runs where callbacks run (completing thread, callback executor, or the caller of
        // a done future), and never runs user code on a completing thread that must stay free
        // beyond what a plain callback would.
        return addDoneCallback(new HandOff<>(this, callback, executor));
    }

    /** A callback handed to its own executor once the future is done. */
    private static final class HandOff<T> implements Consumer<TaskFuture<T>> {
        private final PromiseFuture<T> future;
        private final Consumer<? super TaskFuture<T>> callback;
        private final Executor executor;

        HandOff(PromiseFuture<T> future, Consumer<? super TaskFuture<T>> callback, Executor executor) {
            this.future = future;
            this.callback = callback;
            this.executor = executor;
        }

        @Override
        public void accept(TaskFuture<T> done) {
            try {
                executor.execute(() -> future.runCallback(callback));
            } catch (RejectedExecutionException refused) {
                // Nobody else will see it: the callback will never run.
                Log.LOG.log(System.Logger.Level.ERROR, "executor " + executor + " refused callback " + callback
                        + " for " + future + "; the callback does not run", refused);
            }
            // Anything else execute() throws reaches runCallback, which logs it as a failing
            // callback; either way the other callbacks still run.
        }

        @Override
        public String toString() {
            return callback + " on " + executor;
        }
    }

    /**
     * Adds an internal listener that can be removed again. Returns the node, or null if the future
     * was already done, in which case the listener was not called.
     */
    Node listen(Consumer<? super TaskFuture<T>> listener) {
        Node node = new Node(listener);
        return push(node) ? node : null;
    }

    /** Detaches a listener returned by {@link #listen}; harmless once fired. */
    void unlisten(Node node) {
        if (node != null) {
            removeNode(node);
        }
    }

    /** Unlinks cancelled nodes; the algorithm of FutureTask.removeWaiter. */
    private void removeNode(Node node) {
        node.target = null;
        retry:
        for (;;) {
            for (Node pred = null, q = listeners, s; q != null && q != DONE; q = s) {
                s = q.next;
                if (q.target != null) {
                    pred = q;
                } else if (pred != null) {
                    pred.next = s;
                    if (pred.target == null) {
                        continue retry;
                    }
                } else if (!LISTENERS.compareAndSet(this, q, s)) {
                    continue retry;
                }
            }
            break;
        }
    }

    /** Wakes every waiter and runs every callback, oldest first. The one completion path. */
    private void finish() {
        stopper = null;
        cancelGate = null;
        if (telemetry != null) {
            int s = state;
            TaskStatus outcome = s == SUCCEEDED ? TaskStatus.SUCCEEDED : s == FAILED ? TaskStatus.FAILED : TaskStatus.CANCELLED;
            telemetry.outcome(outcome);
            dev.jfutures.internal.Telemetry.Trace t = trace;
            if (t != null) {
                t.finished(outcome);
            }
        }
        Node h = (Node) LISTENERS.getAndSet(this, DONE);
        if (h == null) {
            return;
        }
        if (h.next == null && (callbackExecutor == null || !(h instanceof CallbackNode))) {
            fire(h);
            return;
        }
        ArrayList<Node> nodes = new ArrayList<>();
        for (Node q = h; q != null; q = q.next) {
            nodes.add(q);
        }
        ArrayList<Node> callbacks = null;
        for (int i = nodes.size() - 1; i >= 0; i--) {
            Node q = nodes.get(i);
            if (callbackExecutor != null && q instanceof CallbackNode) {
                if (callbacks == null) {
                    callbacks = new ArrayList<>();
                }
                callbacks.add(q);
            } else {
                fire(q);
            }
        }
        if (callbacks != null) {
            ArrayList<Node> inOrder = callbacks;
            Runnable runAll = () -> {
                for (Node q : inOrder) {
                    fire(q);
                }
            };
            try {
                callbackExecutor.execute(runAll);
            } catch (RejectedExecutionException executorGone) {
                // The executor has stopped (its pool terminated): nothing else will run them.
                runAll.run();
            }
        }
    }

    @SuppressWarnings("unchecked")
    private void fire(Node q) {
        Object t = q.target;
        if (t == null) {
            return;
        }
        q.target = null;
        if (t instanceof Thread) {
            LockSupport.unpark((Thread) t);
        } else {
            runCallback((Consumer<? super TaskFuture<T>>) t);
        }
    }

    private void runCallback(Consumer<? super TaskFuture<T>> callback) {
        try {
            callback.accept(this);
        } catch (Throwable e) {
            // As CPython: a failing callback is logged and the others still run.
            Log.LOG.log(System.Logger.Level.ERROR, "exception calling callback for " + this, e);
        }
    }

    // ---------------------------------------------------------------- views

    @Override
    public CompletableFuture<T> toCompletableFuture() {
        CompletableFuture<T> cf = new CompletableFuture<>();
        addDoneCallback(f -> {
            int s = state;
            if (s == SUCCEEDED) {
                @SuppressWarnings("unchecked")
                T value = (T) outcome;
                cf.complete(value);
            } else if (s == FAILED) {
                cf.completeExceptionally((Throwable) outcome);
            } else {
                cf.cancel(false);
            }
        });
        cf.whenComplete((v, e) -> {
            if (cf.isCancelled()) {
                cancel(false);
            }
        });
        return cf;
    }

    @Override
    public String toString() {
        String id = "TaskFuture@" + Integer.toHexString(System.identityHashCode(this));
        int s = state;
        switch (s) {
            case PENDING:
                return id + "[pending]";
            case RUNNING:
            case COMPLETING:
                return id + "[running]";
            case SUCCEEDED:
                return id + "[succeeded: " + (outcome == null ? "null" : outcome.getClass().getName()) + "]";
            case FAILED:
                return id + "[failed: " + describe((Throwable) outcome) + "]";
            default:
                return id + "[cancelled]";
        }
    }

    /**
     * The exception as toString() gives it, or its class name if its toString() throws: a
     * future's own toString must not fail because of a task's odd exception.
     */
    static String describe(Throwable t) {
        try {
            return String.valueOf(t);
        } catch (RuntimeException | Error e) {
            return t.getClass().getName() + " (its toString() threw " + e.getClass().getName() + ")";
        }
    }

    private static final VarHandle STATE;
    private static final VarHandle LISTENERS;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            STATE = l.findVarHandle(PromiseFuture.class, "state", int.class);
            LISTENERS = l.findVarHandle(PromiseFuture.class, "listeners", Node.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
