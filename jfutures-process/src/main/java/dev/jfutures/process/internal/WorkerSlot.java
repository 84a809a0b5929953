package dev.jfutures.process.internal;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Collections;

/**
 * The scheduler's view of one worker JVM: its life and the calls it holds. Not thread-safe:
 * guarded by the pool's lock, written only by the {@link Scheduler}.
 *
 * <pre>
 *   STARTING 0  its process is being started, or has not said INIT_OK yet
 *   READY    1  takes calls
 *   RETIRING 2  takes no more calls; a STOP follows its last one (recycled after
 *               maxTasksPerWorker, idle too long, the pool shutting down or broken)
 *   DEAD     3  terminal: its process is gone and each of its calls settled
 *
 *   STARTING -> READY     INIT_OK
 *   STARTING -> DEAD      it died or was killed before it was ready (a start failure, unless
 *                         the pool killed it or a signal from outside did)
 *   READY    -> RETIRING  its last call assigned, idle timeout, shutdown with nothing queued,
 *                         pool broken
 *   READY    -> DEAD      it died (its channel ended)
 *   RETIRING -> DEAD      it exited after STOP, or died
 * </pre>
 *
 * <p>A kill the pool asked for (a timeout, a cancel's grace period, {@code killWorkers}, a
 * protocol error) sets {@link #killing()}: from then on it takes no calls, in whatever state.
 *
 * <p>Its pipeline holds, in the order they were sent, the calls SENT, RECALLING or RUNNING on it.
 * The worker runs them one at a time in that order (less those it drops), so at most one is
 * RUNNING and that one is the head: a STARTED for any other is a protocol error.
 */
public final class WorkerSlot {

    /** Starting up. */
    public static final int STARTING = 0;
    /** Takes calls. */
    public static final int READY = 1;
    /** Finishing its calls, then exits. */
    public static final int RETIRING = 2;
    /** Gone. */
    public static final int DEAD = 3;

    private static final int[] LEGAL = {
        /* STARTING */ (1 << READY) | (1 << DEAD),
        /* READY    */ (1 << RETIRING) | (1 << DEAD),
        /* RETIRING */ 1 << DEAD,
        /* DEAD     */ 0,
    };
    private static final String[] NAMES = {"STARTING", "READY", "RETIRING", "DEAD"};

    private final long id;
    private int state = STARTING;
    final ArrayDeque<Call> pipeline = new ArrayDeque<>();
    /** Calls in the pipeline that are SENT (not recalled, not started). */
    int sent;
    /** Calls ever assigned, for maxTasksPerWorker. */
    int assigned;
    private boolean killing;
    /** killWorkers() asked for the kill. */
    private boolean killedByUser;
    /** Killed while STARTING because the pool shut down with nothing for it: a planned end. */
    private boolean unneeded;
    long idleSince;
    /** For the pool: its process and connection; opaque here. */
    private Object attachment;

    WorkerSlot(long id, long now) {
        this.id = id;
        this.idleSince = now;
    }

    void moveTo(int to) {
        if ((LEGAL[state] & (1 << to)) == 0) {
            throw new IllegalStateException("worker " + id + ": illegal transition " + NAMES[state] + " -> " + NAMES[to]);
        }
        state = to;
    }

    /**
     * The worker's number.
     *
     * @return its id within the pool
     */
    public long id() {
        return id;
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
     * The state's name.
     *
     * @param state a state
     * @return its name
     */
    public static String name(int state) {
        return NAMES[state];
    }

    /**
     * Whether the pool asked for it to be killed.
     *
     * @return true once a kill was asked
     */
    public boolean killing() {
        return killing;
    }

    void killing(boolean b) {
        this.killing = b;
    }

    /**
     * Whether {@code killWorkers()} asked for the kill.
     *
     * @return true if the user killed it
     */
    public boolean killedByUser() {
        return killedByUser;
    }

    void killedByUser(boolean b) {
        this.killedByUser = b;
    }

    /**
     * Whether it was killed while starting because the pool shut down with nothing for it to run:
     * a planned end, not a death.
     *
     * @return true if so
     */
    public boolean unneeded() {
        return unneeded;
    }

    void unneeded(boolean b) {
        this.unneeded = b;
    }

    /**
     * The calls on it, oldest first (read-only).
     *
     * @return its pipeline
     */
    public Collection<Call> pipeline() {
        return Collections.unmodifiableCollection(pipeline);
    }

    /** Whether it takes calls now. */
    boolean takesCalls() {
        return state == READY && !killing;
    }

    /**
     * The pool's own data for this worker (its process, its connection).
     *
     * @return the attachment, or null
     */
    public Object attachment() {
        return attachment;
    }

    /**
     * Sets the pool's own data for this worker.
     *
     * @param attachment the attachment
     */
    public void attachment(Object attachment) {
        this.attachment = attachment;
    }

    @Override
    public String toString() {
        return "worker " + id + " [" + NAMES[state] + (killing ? ", killing" : "") + ", " + pipeline.size() + " calls]";
    }
}
