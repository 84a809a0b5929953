package dev.jfutures.process.internal;

import dev.jfutures.TaskPromise;
import java.time.Duration;

/**
 * One submitted task on its way through a process pool: where it is, whether it has started, and
 * every legal change of that, each with its trigger. The {@link Scheduler} is the only writer of
 * the state; everything else reads. Not thread-safe: guarded by the pool's lock.
 *
 * <p>The state says where the call is, not what its future shows: a call's future is completed
 * by the pool from the scheduler's decisions, and may be done while the call still sits on a
 * worker (cancelled with {@code cancel(true)} while it runs, or failed by a broken pool).
 *
 * <pre>
 *   QUEUED     0  in the backlog, on no worker
 *   SENT       1  in one worker's pipeline (its TASK frame queued or written); not started
 *   RECALLING  2  SENT, with a CANCEL in flight to take it back: a steal, or a cancel that waits
 *   RUNNING    3  its worker said STARTED: it runs (or ran) there. At most one per worker, the
 *                 head of that worker's pipeline
 *   FINISHED   4  terminal: answered, failed with its worker, or failed by a broken pool
 *   CANCELLED  5  terminal: it never started and never will
 *
 *   QUEUED    -> SENT       dispatched: a ready worker has room
 *   QUEUED    -> CANCELLED  a cancel (user, shutdown(cancelFutures), shutdownNow, killWorkers)
 *   QUEUED    -> FINISHED   the pool broke
 *   SENT      -> RECALLING  a cancel that must ask the worker, a steal, or the pool broke
 *   SENT      -> RUNNING    STARTED
 *   SENT      -> QUEUED     its worker died (it goes back to the front of the backlog)
 *   RECALLING -> RUNNING    STARTED: the CANCEL came too late; a waiting cancel is refused
 *   RECALLING -> CANCELLED  DROPPED, or its worker died, while a cancel wants it
 *   RECALLING -> QUEUED     DROPPED, or its worker died, and nobody wants it cancelled (a steal,
 *                           or a cancel that gave up waiting)
 *   RECALLING -> FINISHED   DROPPED, or its worker died, after the pool broke (already failed)
 *   RUNNING   -> FINISHED   its answer (RESULT, FAILED, ...), or its worker died
 * </pre>
 *
 * <p>The order makes the predicates comparisons: on a worker is {@code SENT..RUNNING}, not yet
 * started is {@code < RUNNING}, done is {@code >= FINISHED}.
 */
public final class Call {

    /** In the backlog. */
    public static final int QUEUED = 0;
    /** In a worker's pipeline, not started. */
    public static final int SENT = 1;
    /** Sent, with a CANCEL in flight. */
    public static final int RECALLING = 2;
    /** Started by its worker. */
    public static final int RUNNING = 3;
    /** Done with, by an answer or a failure. */
    public static final int FINISHED = 4;
    /** Never started, never will. */
    public static final int CANCELLED = 5;

    /** Bit {@code to} of {@code LEGAL[from]}: the transition is legal. */
    private static final int[] LEGAL = {
        /* QUEUED    */ bits(SENT, CANCELLED, FINISHED),
        /* SENT      */ bits(RECALLING, RUNNING, QUEUED),
        /* RECALLING */ bits(RUNNING, CANCELLED, QUEUED, FINISHED),
        /* RUNNING   */ bits(FINISHED),
        /* FINISHED  */ 0,
        /* CANCELLED */ 0,
    };

    private static final String[] NAMES = {"QUEUED", "SENT", "RECALLING", "RUNNING", "FINISHED", "CANCELLED"};

    /** Why a running call's worker is being killed; it decides the call's failure. */
    public enum Kill {
        /** It ran longer than its timeout. */
        TIMEOUT,
        /** {@code cancel(true)}: it did not end within the grace period after its interrupt. */
        CANCEL_GRACE
    }

    private final long id;
    private final byte[] payload;
    private final Duration timeout;
    private final TaskPromise<Object> promise;

    private int state = QUEUED;
    /** Volatile: a thread waiting for the call's answer reads it without the pool's lock. */
    private volatile WorkerSlot worker;
    private long ticket;
    /** Cancellers waiting for the worker's answer to a CANCEL. */
    private int cancelWaiters;
    /** The pool itself wants the call cancelled (shutdown(cancelFutures), shutdownNow, killWorkers). */
    private boolean poolCancel;
    /** The CANCEL in flight is a steal's. */
    private boolean stolen;
    /** cancel(true) asked to interrupt it while it runs. */
    private boolean interrupted;
    private Kill kill;
    /** For the pool: its timers and its cancel handshake; opaque here. */
    private Object attachment;

    /**
     * A new call, QUEUED.
     *
     * @param id the call's number, in submit order
     * @param payload the encoded task
     * @param timeout its timeout once started, or null
     * @param promise completes its future; the scheduler only reads whether it is done
     */
    @SuppressWarnings("unchecked")
    public Call(long id, byte[] payload, Duration timeout, TaskPromise<?> promise) {
        this.id = id;
        this.payload = payload;
        this.timeout = timeout;
        this.promise = (TaskPromise<Object>) promise;
    }

    private static int bits(int... states) {
        int b = 0;
        for (int s : states) {
            b |= 1 << s;
        }
        return b;
    }

    /**
     * Moves to {@code to}, which must be legal from the current state.
     *
     * @throws IllegalStateException if the transition is not in the table: a bug of the scheduler
     */
    void moveTo(int to) {
        if ((LEGAL[state] & (1 << to)) == 0) {
            throw new IllegalStateException("call " + id + ": illegal transition " + NAMES[state] + " -> " + NAMES[to]);
        }
        state = to;
    }

    /**
     * The state's name.
     *
     * @param state a state
     * @return its name
     */
    public static String name(int state) {
        return NAMES[state];
    }

    /**
     * The call's number.
     *
     * @return the id, unique within the pool, in submit order
     */
    public long id() {
        return id;
    }

    /**
     * The encoded task.
     *
     * @return the payload (not copied)
     */
    public byte[] payload() {
        return payload;
    }

    /**
     * The call's timeout once started.
     *
     * @return the timeout, or null for none
     */
    public Duration timeout() {
        return timeout;
    }

    /**
     * The write side of its future.
     *
     * @return the promise
     */
    public TaskPromise<Object> promise() {
        return promise;
    }

    /**
     * Its state.
     *
     * @return one of the state constants
     */
    public int state() {
        return state;
    }

    /**
     * The worker it is on.
     *
     * @return the worker in SENT, RECALLING and RUNNING; null otherwise
     */
    public WorkerSlot worker() {
        return worker;
    }

    void worker(WorkerSlot w) {
        this.worker = w;
    }

    /**
     * The id its frames carry on the wire: new for every dispatch, so that an answer can never be
     * taken for one of another dispatch of the same call.
     *
     * @return the current ticket; 0 before the first dispatch
     */
    public long ticket() {
        return ticket;
    }

    void ticket(long ticket) {
        this.ticket = ticket;
    }

    /** Whether a CANCEL in flight should cancel it (someone waits, or the pool wants it). */
    boolean cancelWanted() {
        return cancelWaiters > 0 || poolCancel;
    }

    int cancelWaiters() {
        return cancelWaiters;
    }

    void cancelWaiters(int n) {
        this.cancelWaiters = n;
    }

    boolean poolCancel() {
        return poolCancel;
    }

    void poolCancel(boolean b) {
        this.poolCancel = b;
    }

    boolean stolen() {
        return stolen;
    }

    void stolen(boolean b) {
        this.stolen = b;
    }

    /**
     * Whether {@code cancel(true)} asked to interrupt it while it ran.
     *
     * @return true once interrupted
     */
    public boolean interrupted() {
        return interrupted;
    }

    void interrupted(boolean b) {
        this.interrupted = b;
    }

    /**
     * Why its worker is being killed, if it is.
     *
     * @return the reason, or null
     */
    public Kill kill() {
        return kill;
    }

    void kill(Kill k) {
        this.kill = k;
    }

    /** Whether its future is done (cancelled, failed by the pool, or completed). */
    boolean futureDone() {
        return promise.future().isDone();
    }

    /**
     * The pool's own data for this call (timers, the cancel handshake).
     *
     * @return the attachment, or null
     */
    public Object attachment() {
        return attachment;
    }

    /**
     * Sets the pool's own data for this call.
     *
     * @param attachment the attachment
     */
    public void attachment(Object attachment) {
        this.attachment = attachment;
    }

    @Override
    public String toString() {
        return "call " + id + " [" + NAMES[state] + (worker != null ? " on worker " + worker.id() : "")
                + (ticket != 0 ? ", ticket " + ticket : "") + "]";
    }
}
