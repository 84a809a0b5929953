package dev.jfutures.process.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * A process pool's scheduling, with no I/O and no threads of its own: it takes events (a submit,
 * a frame from a worker, a worker's death, a cancel, a timer) and answers with {@link Effects}
 * for the pool to carry out. It holds the backlog, each worker's pipeline, and the state of every
 * {@link Call} and {@link WorkerSlot}; it decides dispatch (least loaded, growing the pool before
 * queueing behind a busy worker), work stealing, the cancel handshake, and what becomes of each
 * call when its worker dies. Not thread-safe: the pool calls it with its lock held.
 *
 * <p>Effects are called during an event, under that lock: the pool must record them and do
 * anything slow or re-entrant (writing to a socket, starting or killing a process, completing a
 * future, whose callbacks are user code) after it releases the lock. Frames sent to one worker
 * must be written in the order of the {@code send} effects.
 *
 * <p>Invariants, checked by SchedulerModelTest after every event of thousands of schedules:
 * <ul>
 *   <li>every call not yet done is in exactly one place: the backlog (QUEUED) or the pipeline of
 *       its worker (SENT, RECALLING, RUNNING);
 *   <li>a call's outcome is decided once: FINISHED or CANCELLED are terminal;
 *   <li>CANCELLED means it never started: a call is cancelled only while QUEUED, or when its
 *       worker answers DROPPED or dies before saying STARTED;
 *   <li>a call that never started on a worker that died goes back to the front of the backlog,
 *       in pipeline order, and is never failed for that death; one that started fails with it
 *       and never runs twice;
 *   <li>at most one call per worker is RUNNING, and it is the head of its pipeline.
 * </ul>
 */
public final class Scheduler {

    /** A frame the pool sends: run the call. */
    public static final int TASK = 0;
    /** A frame the pool sends: drop the call if it has not started (the worker answers DROPPED). */
    public static final int CANCEL = 1;
    /** A frame the pool sends: interrupt the call if it runs. */
    public static final int INTERRUPT = 2;
    /** A frame the pool sends: finish what you hold, then exit. */
    public static final int STOP = 3;

    /** Pool run state: takes submits. */
    public static final int RUNNING = 0;
    /** Pool run state: no submits; what is queued still runs, then the workers stop. */
    public static final int SHUTDOWN = 1;
    /** Pool run state: every worker gone, nothing queued. */
    public static final int TERMINATED = 2;

    /** What a cancel of a pending call comes to. */
    public enum CancelDecision {
        /** Cancelled: the call never started and never will. */
        CANCELLED,
        /** Refused: the call has started (or finished). */
        REFUSED,
        /** Its worker was asked (CANCEL); {@link Effects#cancelled} or {@link Effects#cancelRefused} tells. */
        WAIT
    }

    /**
     * What the pool carries out for the scheduler. Called under the pool's lock: record, and do
     * the slow or re-entrant part after the lock is released; never call back into the scheduler.
     */
    public interface Effects {
        /**
         * Start this new worker's process; report {@link #workerReady} or {@link #workerGone}.
         *
         * @param w the worker, STARTING
         */
        void spawn(WorkerSlot w);

        /**
         * Send a frame to the worker, after those sent before: TASK, CANCEL or INTERRUPT of the
         * call (by its {@link Call#ticket()}), or STOP.
         *
         * @param w the worker
         * @param frame {@link #TASK}, {@link #CANCEL}, {@link #INTERRUPT} or {@link #STOP}
         * @param c the call, null for STOP
         */
        void send(WorkerSlot w, int frame, Call c);

        /**
         * Kill the worker's process; report {@link #workerGone} when its channel ends.
         *
         * @param w the worker
         */
        void kill(WorkerSlot w);

        /**
         * The call started on its worker: its future turns RUNNING and its timeout starts.
         *
         * @param c the call, RUNNING
         */
        void running(Call c);

        /**
         * The call's timers (timeout, grace period) are moot: it finished or its worker died.
         *
         * @param c the call
         */
        void disarm(Call c);

        /**
         * {@code cancel(true)} interrupted the running call: start its grace period, then report
         * {@link #graceExpired}.
         *
         * @param c the call, RUNNING
         */
        void armGrace(Call c);

        /**
         * The call will never start: cancel its future; a cancel waiting for the worker gets true.
         *
         * @param c the call, CANCELLED
         */
        void cancelled(Call c);

        /**
         * The call started before the CANCEL reached its worker: a waiting cancel gets false.
         *
         * @param c the call, RUNNING
         */
        void cancelRefused(Call c);

        /**
         * The call was running on a worker that died: fail its future ({@link Call#kill()} and
         * the worker tell why: a timeout, a cancel's grace period, killWorkers, or a death).
         *
         * @param c the call, FINISHED
         * @param w the dead worker
         */
        void lost(Call c, WorkerSlot w);

        /**
         * The pool is broken: fail the call's future with BrokenExecutorException.
         *
         * @param c the call
         */
        void broken(Call c);

        /** The pool just broke; called once, before the {@link #broken} of its calls. */
        void poolBroken();

        /**
         * The worker sent a frame that breaks the protocol: log it. The scheduler also asks for
         * the worker's kill.
         *
         * @param w the worker
         * @param what what it sent
         */
        void protocolError(WorkerSlot w, String what);

        /**
         * A batch of steals is over: of the calls taken back from this worker, so many came back
         * unstarted (DROPPED, or its death) and run elsewhere; those that had started stayed.
         * Called once per batch in which at least one call came back.
         *
         * @param w the worker they were taken from
         * @param calls how many came back, at least 1
         */
        void stolenFrom(WorkerSlot w, int calls);

        /** The pool is shut down, nothing is queued and every worker is gone: release it all. */
        void terminated();
    }

    /** What a pool-wide cancel caught, for {@code shutdownNow}. */
    public static final class Recall {
        /** Cancelled at once: they were QUEUED. */
        public final List<Call> cancelled = new ArrayList<>();
        /** Being taken back from their workers; each ends CANCELLED or RUNNING. */
        public final List<Call> recalling = new ArrayList<>();
        /** Running: to interrupt. */
        public final List<Call> running = new ArrayList<>();
    }

    private final int maxWorkers;
    private final int pipelineDepth;
    private final int maxTasksPerWorker;
    private final int maxStartFailures;
    private final Effects fx;
    private final LongSupplier clock;

    /** Calls waiting for a worker, oldest first; cancelled ones stay as tombstones until polled. */
    private final ArrayDeque<Call> backlog = new ArrayDeque<>();
    /** Calls in the backlog that are still QUEUED. */
    private int queued;
    /** Workers not DEAD, by id, in start order. */
    private final Map<Long, WorkerSlot> workers = new LinkedHashMap<>();
    private int runState = RUNNING;
    private boolean broken;
    private int startFailures;
    private long nextWorkerId = 1;
    private long nextTicket = 1;
    /** Steals whose CANCEL has no answer yet; a new steal waits for them. */
    private int stealsInFlight;
    /** The worker of the batch of steals in flight, and how many of its calls came back so far. */
    private WorkerSlot stealVictim;
    private int stolenBack;

    /**
     * A scheduler.
     *
     * @param maxWorkers the most workers at once
     * @param pipelineDepth the most calls on one worker at once, once the pool is at full size
     * @param maxTasksPerWorker calls a worker takes before it retires; 0 for no limit
     * @param maxStartFailures workers that fail to start in a row before the pool is broken
     * @param fx what the pool carries out
     * @param clock nanoseconds, for idle times
     */
    public Scheduler(int maxWorkers, int pipelineDepth, int maxTasksPerWorker, int maxStartFailures, Effects fx,
                     LongSupplier clock) {
        this.maxWorkers = maxWorkers;
        this.pipelineDepth = pipelineDepth;
        this.maxTasksPerWorker = maxTasksPerWorker;
        this.maxStartFailures = maxStartFailures;
        this.fx = fx;
        this.clock = clock;
    }

    // ============================================================================ events: submit

    /**
     * A new call: dispatched now if a worker can take it, else queued (and a worker started if the
     * pool can grow).
     *
     * @param c the call, QUEUED, never submitted before
     * @return false if the pool no longer takes calls (shut down or broken); the call was not taken
     */
    public boolean submit(Call c) {
        if (runState != RUNNING || broken) {
            return false;
        }
        backlog.add(c);
        queued++;
        dispatch();
        return true;
    }

    /** Starts workers up to the pool's size ({@code prestart}). */
    public void prestart() {
        while (workers.size() < maxWorkers && !broken && runState == RUNNING) {
            spawnOne();
        }
    }

    // ============================================================================ events: workers

    /**
     * The worker said INIT_OK: it takes calls.
     *
     * @param w the worker
     */
    public void workerReady(WorkerSlot w) {
        if (w.state() != WorkerSlot.STARTING) {
            return;
        }
        w.moveTo(WorkerSlot.READY);
        startFailures = 0;
        w.idleSince = clock.getAsLong();
        dispatch();
    }

    /**
     * The worker's initializer failed: the pool is broken.
     *
     * @param w the worker
     */
    public void initFailed(WorkerSlot w) {
        breakPool();
        dispatch();
    }

    /**
     * The worker is gone: its channel ended (it exited, died or was killed), it could not be
     * started, or it never connected. Its running call fails; the calls it had not started go back
     * to the front of the backlog (or are cancelled, if a cancel was waiting for them).
     *
     * @param w the worker
     * @param startFailure whether this says something about starting workers (it exited or timed
     *     out while STARTING, not killed by the pool or by a signal from outside)
     * @param startedTicket the last ticket the worker recorded as started (in its shared slot,
     *     which outlives it), 0 if none: the head call with this ticket had started, though its
     *     STARTED never came
     */
    public void workerGone(WorkerSlot w, boolean startFailure, long startedTicket) {
        if (w.state() == WorkerSlot.DEAD) {
            return;
        }
        Call head = w.pipeline.peekFirst();
        if (head != null && startedTicket != 0 && head.ticket() == startedTicket && head.state() < Call.RUNNING) {
            startCall(w, head);
        }
        boolean wasStarting = w.state() == WorkerSlot.STARTING;
        w.moveTo(WorkerSlot.DEAD);
        workers.remove(w.id());
        List<Call> requeue = new ArrayList<>();
        for (Call c : w.pipeline) {
            c.worker(null);
            if (c.state() == Call.RUNNING) {
                c.moveTo(Call.FINISHED);
                fx.disarm(c);
                fx.lost(c, w);
            } else if (c.state() == Call.RECALLING) {
                if (settleRecalled(c)) {
                    requeue.add(c);
                }
            } else {
                requeue.add(c);
            }
        }
        w.pipeline.clear();
        w.sent = 0;
        for (int i = requeue.size() - 1; i >= 0; i--) {
            Call c = requeue.get(i);
            c.moveTo(Call.QUEUED);
            backlog.addFirst(c);
            queued++;
        }
        if (wasStarting && startFailure && !w.killing() && !broken && runState != TERMINATED) {
            startFailures++;
            if (startFailures >= maxStartFailures) {
                breakPool();
            }
        }
        if (broken) {
            failQueued();
        }
        dispatch();
    }

    // ============================================================================ events: frames

    /**
     * The worker said STARTED: the call runs.
     *
     * @param w the worker
     * @param ticket the ticket of its frame
     * @return false if the frame breaks the protocol (the worker is then being killed)
     */
    public boolean started(WorkerSlot w, long ticket) {
        Call c = w.pipeline.peekFirst();
        if (c == null || c.ticket() != ticket || c.state() >= Call.RUNNING) {
            protocolError(w, "STARTED for ticket " + ticket + ", which is not the next call it holds ("
                    + (c == null ? "none" : c) + ")");
            return false;
        }
        if (startCall(w, c)) {
            dispatch();   // a steal that came too late: the idle worker may steal again
        }
        return true;
    }

    /**
     * The head call of w started (it said so, or its answer or its death shows it); returns true
     * if that ended a steal.
     */
    private boolean startCall(WorkerSlot w, Call c) {
        boolean recalled = c.state() == Call.RECALLING;
        if (!recalled) {
            w.sent--;
        }
        c.moveTo(Call.RUNNING);
        // running first: a refused canceller that asked cancel(true) finds the future RUNNING
        // when it wakes, and goes on to interrupt it.
        fx.running(c);
        if (recalled) {
            boolean wanted = c.cancelWanted();
            c.cancelWaiters(0);
            c.poolCancel(false);
            if (wanted) {
                fx.cancelRefused(c);
            }
            if (c.stolen()) {
                c.stolen(false);
                stealSettled(false);
                return true;
            }
        }
        return false;
    }

    /**
     * The worker answered its running call (RESULT, FAILED, TASK_DECODE_FAILED,
     * RESULT_ENCODE_FAILED).
     *
     * @param w the worker
     * @param ticket the ticket of its frame
     * @return the call whose future the answer completes; null if it must be dropped (the call's
     *     timeout already decided its outcome, or the frame breaks the protocol)
     */
    public Call answered(WorkerSlot w, long ticket) {
        Call c = w.pipeline.peekFirst();
        if (c != null && c.ticket() == ticket && c.state() < Call.RUNNING) {
            // A task that ends within a worker's report delay says STARTED only by its answer.
            startCall(w, c);
        }
        if (c == null || c.ticket() != ticket || c.state() != Call.RUNNING) {
            protocolError(w, "an answer for ticket " + ticket + ", which is not the call it runs ("
                    + (c == null ? "none" : c) + ")");
            return null;
        }
        w.pipeline.pollFirst();
        c.moveTo(Call.FINISHED);
        c.worker(null);
        fx.disarm(c);
        if (w.pipeline.isEmpty()) {
            w.idleSince = clock.getAsLong();
        }
        Call deliver = c;
        if (c.kill() == Call.Kill.TIMEOUT) {
            // The timeout fired first and its kill is under way: the outcome was decided then.
            fx.lost(c, w);
            deliver = null;
        }
        dispatch();
        return deliver;
    }

    /**
     * The worker said DROPPED: it took the call off its queue on a CANCEL, never started.
     *
     * @param w the worker
     * @param ticket the ticket of its frame
     */
    public void dropped(WorkerSlot w, long ticket) {
        Call c = null;
        for (Call x : w.pipeline) {
            if (x.ticket() == ticket) {
                c = x;
                break;
            }
        }
        if (c == null || c.state() != Call.RECALLING) {
            protocolError(w, "DROPPED for ticket " + ticket + ", which it was not asked to drop ("
                    + (c == null ? "none" : c) + ")");
            return;
        }
        w.pipeline.remove(c);
        c.worker(null);
        if (settleRecalled(c)) {
            c.moveTo(Call.QUEUED);
            backlog.addFirst(c);
            queued++;
        }
        if (w.pipeline.isEmpty()) {
            w.idleSince = clock.getAsLong();
        }
        dispatch();
    }

    /**
     * A RECALLING call came off its worker unstarted (DROPPED, or the worker died): cancelled if
     * a cancel wants it, done with if the pool broke, else to be queued again (returns true; the
     * caller puts it back, keeping pipeline order).
     */
    private boolean settleRecalled(Call c) {
        if (c.stolen()) {
            c.stolen(false);
            // A cancel that wanted it, or a broken pool, ends it here: not run elsewhere.
            stealSettled(!c.cancelWanted() && !broken);
        }
        if (c.cancelWanted()) {
            c.cancelWaiters(0);
            c.poolCancel(false);
            c.moveTo(Call.CANCELLED);
            fx.cancelled(c);
            return false;
        }
        if (broken) {
            c.moveTo(Call.FINISHED);
            fx.broken(c);
            return false;
        }
        return true;
    }

    // ============================================================================ events: cancel

    /**
     * {@code cancel} of the call's pending future asks whether it may go ahead.
     *
     * @param c the call
     * @return CANCELLED (it was queued, or is already cancelled), REFUSED (it has started), or
     *     WAIT: a CANCEL is on its way to the worker (or already was), and {@link
     *     Effects#cancelled} or {@link Effects#cancelRefused} will tell
     */
    public CancelDecision cancel(Call c) {
        switch (c.state()) {
            case Call.QUEUED:
                c.moveTo(Call.CANCELLED);
                queued--;
                if (runState == SHUTDOWN) {
                    dispatch();
                }
                return CancelDecision.CANCELLED;
            case Call.SENT:
                recall(c);
                c.cancelWaiters(1);
                return CancelDecision.WAIT;
            case Call.RECALLING:
                c.cancelWaiters(c.cancelWaiters() + 1);
                return CancelDecision.WAIT;
            case Call.CANCELLED:
                return CancelDecision.CANCELLED;
            default:
                return CancelDecision.REFUSED;
        }
    }

    /**
     * A canceller that got {@link CancelDecision#WAIT} gave up waiting (interrupted, or no answer
     * in time): its cancel no longer counts. If nobody else wants the call cancelled, the CANCEL
     * in flight becomes like a steal's: on DROPPED the call is queued again.
     *
     * @param c the call
     */
    public void withdrawCancel(Call c) {
        if (c.state() == Call.RECALLING && c.cancelWaiters() > 0) {
            c.cancelWaiters(c.cancelWaiters() - 1);
        }
    }

    /**
     * {@code cancel(true)} of the call's RUNNING future: interrupt it in its worker, and start its
     * grace period.
     *
     * @param c the call
     */
    public void interrupt(Call c) {
        if (c.state() != Call.RUNNING || c.interrupted()) {
            return;
        }
        c.interrupted(true);
        fx.send(c.worker(), INTERRUPT, c);
        fx.armGrace(c);
    }

    /**
     * The call's timeout passed (armed when it started).
     *
     * @param c the call
     * @param ticket the ticket it had when its timer was armed
     */
    public void timedOut(Call c, long ticket) {
        if (c.state() == Call.RUNNING && c.ticket() == ticket && !c.interrupted()) {
            killFor(c, Call.Kill.TIMEOUT);
        }
    }

    /**
     * The grace period after an interrupt passed.
     *
     * @param c the call
     * @param ticket the ticket it had when its timer was armed
     */
    public void graceExpired(Call c, long ticket) {
        if (c.state() == Call.RUNNING && c.ticket() == ticket) {
            killFor(c, Call.Kill.CANCEL_GRACE);
        }
    }

    private void killFor(Call c, Call.Kill why) {
        if (c.kill() != null) {
            return;
        }
        c.kill(why);
        WorkerSlot w = c.worker();
        if (!w.killing()) {
            w.killing(true);
            fx.kill(w);
        }
        dispatch();
    }

    // ============================================================================ events: pool

    /**
     * {@code shutdown}: no more submits; queued calls still run unless {@code cancelFutures}, then
     * every worker gets STOP, and the pool terminates when they are gone.
     *
     * @param cancelFutures whether to cancel every call not started
     * @return what the cancel caught (empty without {@code cancelFutures})
     */
    public Recall shutdown(boolean cancelFutures) {
        if (runState == RUNNING) {
            runState = SHUTDOWN;
        }
        Recall r = new Recall();
        if (cancelFutures) {
            cancelAllPending(r);
        }
        dispatch();
        return r;
    }

    /**
     * {@code killWorkers}: shuts down, cancels every call not started, and kills every worker;
     * running calls fail with their workers.
     *
     * @return what the cancel caught
     */
    public Recall killAll() {
        Recall r = shutdown(true);
        for (WorkerSlot w : new ArrayList<>(workers.values())) {
            w.killedByUser(true);
            if (!w.killing()) {
                w.killing(true);
                fx.kill(w);
            }
        }
        return r;
    }

    private void cancelAllPending(Recall r) {
        for (Call c : backlog) {
            if (c.state() == Call.QUEUED) {
                c.moveTo(Call.CANCELLED);
                fx.cancelled(c);
                r.cancelled.add(c);
            }
        }
        backlog.clear();
        queued = 0;
        for (WorkerSlot w : workers.values()) {
            for (Call c : w.pipeline) {
                if (c.state() == Call.SENT) {
                    recall(c);
                }
                if (c.state() == Call.RECALLING) {
                    c.poolCancel(true);
                    r.recalling.add(c);
                } else if (c.state() == Call.RUNNING) {
                    r.running.add(c);
                }
            }
        }
    }

    /**
     * Retires READY workers idle for longer than {@code idleNanos} while nothing is queued.
     *
     * @param idleNanos the idle timeout
     */
    public void retireIdle(long idleNanos) {
        if (queued > 0) {
            return;
        }
        long now = clock.getAsLong();
        for (WorkerSlot w : workers.values()) {
            if (w.takesCalls() && w.pipeline.isEmpty() && now - w.idleSince > idleNanos) {
                retire(w);
            }
        }
    }

    // ============================================================================ dispatch

    /** Puts queued calls on workers, grows the pool, steals for idle workers, stops workers. */
    private void dispatch() {
        if (runState == TERMINATED) {
            return;
        }
        if (!broken) {
            while (queued > 0) {
                WorkerSlot w = pickWorker();
                if (w == null) {
                    break;
                }
                assign(w, pollQueued());
            }
            if (queued > 0) {
                spawnIfNeeded();
            } else if (runState == RUNNING) {
                steal();
            }
        }
        if ((runState == SHUTDOWN || broken) && queued == 0) {
            for (WorkerSlot w : new ArrayList<>(workers.values())) {
                if (w.state() == WorkerSlot.READY) {
                    retire(w);
                } else if (w.state() == WorkerSlot.STARTING && !w.killing()) {
                    // Nothing for it to do: it was started for calls that are gone.
                    w.killing(true);
                    w.unneeded(true);
                    fx.kill(w);
                }
            }
            if (runState == SHUTDOWN && workers.isEmpty()) {
                runState = TERMINATED;
                fx.terminated();
            }
        }
    }

    private Call pollQueued() {
        for (;;) {
            Call c = backlog.pollFirst();
            if (c.state() == Call.QUEUED) {
                queued--;
                return c;
            }
            // a cancelled call's tombstone
        }
    }

    /**
     * The worker to send the next call to: the least loaded one that takes calls and has room. A
     * call goes behind a busy worker's call only once the pool is at full size and every worker
     * takes calls; before that, a new worker is started for it instead (as CPython spawns one when
     * none is idle), since one still starting will take it sooner than a long call would let it run.
     */
    private WorkerSlot pickWorker() {
        WorkerSlot best = null;
        int ready = 0;
        for (WorkerSlot w : workers.values()) {
            if (w.takesCalls()) {
                ready++;
                if (w.pipeline.size() < pipelineDepth && (best == null || w.pipeline.size() < best.pipeline.size())) {
                    best = w;
                }
            }
        }
        if (best != null && !best.pipeline.isEmpty() && (ready < maxWorkers || workers.size() > ready)) {
            return null;
        }
        return best;
    }

    private void assign(WorkerSlot w, Call c) {
        c.moveTo(Call.SENT);
        c.worker(w);
        c.ticket(nextTicket++);
        w.pipeline.addLast(c);
        w.sent++;
        w.assigned++;
        fx.send(w, TASK, c);
        if (maxTasksPerWorker > 0 && w.assigned >= maxTasksPerWorker) {
            retire(w);
        }
    }

    private void retire(WorkerSlot w) {
        w.moveTo(WorkerSlot.RETIRING);
        fx.send(w, STOP, null);
    }

    /** Starts workers while the queued calls need more than those starting will take. */
    private void spawnIfNeeded() {
        int starting = 0;
        for (WorkerSlot w : workers.values()) {
            if (w.state() == WorkerSlot.STARTING && !w.killing()) {
                starting++;
            }
        }
        int alive = workers.size();
        while (alive < maxWorkers && starting < queued) {
            spawnOne();
            starting++;
            alive++;
        }
    }

    private void spawnOne() {
        WorkerSlot w = new WorkerSlot(nextWorkerId++, clock.getAsLong());
        workers.put(w.id(), w);
        fx.spawn(w);
    }

    /**
     * Work stealing: with nothing queued and a worker idle, take back half of the calls not yet
     * started from the worker with the most of them (the last sent first); on DROPPED they return
     * to the front of the backlog and go to the least loaded worker. The head of a pipeline is
     * left alone unless it runs: it is about to start. One batch of steals at a time.
     */
    private void steal() {
        if (stealsInFlight > 0) {
            return;
        }
        boolean idle = false;
        for (WorkerSlot w : workers.values()) {
            if (w.takesCalls() && w.pipeline.isEmpty()) {
                idle = true;
                break;
            }
        }
        if (!idle) {
            return;
        }
        WorkerSlot victim = null;
        int most = 0;
        for (WorkerSlot w : workers.values()) {
            int n = stealable(w);
            if (n > most) {
                most = n;
                victim = w;
            }
        }
        if (victim == null) {
            return;
        }
        int take = (most + 1) / 2;
        stealVictim = victim;
        stolenBack = 0;
        Call head = victim.pipeline.peekFirst();
        for (Iterator<Call> it = victim.pipeline.descendingIterator(); it.hasNext() && take > 0; ) {
            Call c = it.next();
            if (c.state() == Call.SENT && c != head) {
                recall(c);
                c.stolen(true);
                stealsInFlight++;
                take--;
            }
        }
    }

    /** One steal of the batch in flight has its answer; the last one reports the batch. */
    private void stealSettled(boolean cameBack) {
        stealsInFlight--;
        if (cameBack) {
            stolenBack++;
        }
        if (stealsInFlight == 0) {
            if (stolenBack > 0) {
                fx.stolenFrom(stealVictim, stolenBack);
            }
            stealVictim = null;
            stolenBack = 0;
        }
    }

    private static int stealable(WorkerSlot w) {
        int n = w.sent;
        Call head = w.pipeline.peekFirst();
        if (head != null && head.state() == Call.SENT) {
            n--;
        }
        return n;
    }

    /** SENT -> RECALLING: a CANCEL goes to its worker. */
    private void recall(Call c) {
        WorkerSlot w = c.worker();
        c.moveTo(Call.RECALLING);
        w.sent--;
        fx.send(w, CANCEL, c);
    }

    private void protocolError(WorkerSlot w, String what) {
        fx.protocolError(w, what);
        if (!w.killing()) {
            w.killing(true);
            fx.kill(w);
        }
    }

    // ============================================================================ broken

    private void breakPool() {
        if (broken) {
            return;
        }
        broken = true;
        fx.poolBroken();
        failQueued();
        for (WorkerSlot w : workers.values()) {
            for (Call c : w.pipeline) {
                if (c.state() == Call.SENT) {
                    recall(c);
                }
                if (c.state() == Call.RECALLING && !c.cancelWanted()) {
                    fx.broken(c);
                }
            }
        }
    }

    private void failQueued() {
        for (Call c : backlog) {
            if (c.state() == Call.QUEUED) {
                c.moveTo(Call.FINISHED);
                fx.broken(c);
            }
        }
        backlog.clear();
        queued = 0;
    }

    // ============================================================================ queries

    /**
     * The pool's run state.
     *
     * @return {@link #RUNNING}, {@link #SHUTDOWN} or {@link #TERMINATED}
     */
    public int runState() {
        return runState;
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
     * The calls waiting for a worker.
     *
     * @return how many are QUEUED
     */
    public int queued() {
        return queued;
    }

    /**
     * The backlog, cancelled tombstones included (read-only, for tests and diagnostics).
     *
     * @return the backlog, oldest first
     */
    public Collection<Call> backlog() {
        return Collections.unmodifiableCollection(backlog);
    }

    /**
     * The workers not DEAD, in start order (read-only).
     *
     * @return the workers
     */
    public Collection<WorkerSlot> workers() {
        return Collections.unmodifiableCollection(workers.values());
    }

    /**
     * The most workers at once.
     *
     * @return the pool's size
     */
    public int maxWorkers() {
        return maxWorkers;
    }

    /** The counters no other query shows, for a test's fingerprint of the state. */
    String counters() {
        return "startFailures=" + startFailures + " steals=" + stealsInFlight + " run=" + runState + " broken=" + broken;
    }
}
