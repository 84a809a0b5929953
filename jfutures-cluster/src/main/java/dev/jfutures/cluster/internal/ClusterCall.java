package dev.jfutures.cluster.internal;

import java.util.Objects;
import java.util.UUID;

/**
 * One submitted task on its way through a cluster pool, as the caller's JVM holds it: the one
 * record of the task that decides whether it may start. A member runs a task only after it has
 * <em>claimed</em> it here, and a cancel succeeds only by claiming it first; whoever comes first
 * wins, under this object's monitor. So a successful cancel means the task never ran anywhere,
 * and a task whose member is lost is known to have started or not: the claim went out or it did
 * not.
 *
 * <pre>
 *   QUEUED     0  waiting for a member with room; on no member
 *   SENT       1  sent to one member (send number {@code send}); that member has not claimed it
 *   RUNNING    2  the member it was sent to claimed it: it runs (or ran) there
 *   FINISHED   3  terminal: its outcome came back, or it failed (member lost, poisonous, timed
 *                 out, the pool broke); also a running task cancelled with cancel(true)
 *   CANCELLED  4  terminal: it never started and never will
 *
 *   QUEUED  -> SENT       dispatched to a member (the send number goes up)
 *   QUEUED  -> CANCELLED  a cancel (user, shutdown(cancelFutures), shutdownNow), if no attempt
 *                         ever started: a task queued again for a retry has run
 *   QUEUED  -> FINISHED   the pool broke, or no member can ever take it; for a retry also
 *                         cancel(true) and its timeout
 *   SENT    -> RUNNING    the claim of the member it was sent to, for this send
 *   SENT    -> CANCELLED  a cancel, if no attempt ever started: the member's claim, when it
 *                         comes, is refused
 *   SENT    -> QUEUED     its member left or died, or the send failed, before any claim
 *   SENT    -> FINISHED   the pool broke; for a retry also cancel(true) and its timeout
 *   RUNNING -> FINISHED   its outcome; its member lost with no retry left (MemberLostException),
 *                         or for the third time (poisonous); its timeout; cancel(true)
 *   RUNNING -> QUEUED     its member was lost and it has a retry left: the attempt goes up
 * </pre>
 *
 * <p>Events for another send (a claim or an outcome from a member the task has since left) are
 * refused or ignored: only the member of the current send can claim or answer. Whether the task
 * still occupies its member ({@link #occupying}) is apart from the state: a task that finished
 * by its timeout or by cancel(true) may still run there until its member answers, and the
 * member's room counts it until then.
 *
 * <p>Thread-safe: every transition holds this object's monitor. Lock order: the pool's lock, then
 * this monitor.
 */
public final class ClusterCall {

    /** Waiting for a member. */
    public static final int QUEUED = 0;
    /** Sent, not claimed. */
    public static final int SENT = 1;
    /** Claimed by its member. */
    public static final int RUNNING = 2;
    /** Done with. */
    public static final int FINISHED = 3;
    /** Never started, never will. */
    public static final int CANCELLED = 4;

    /** How many losses of a member while it ran make a task poisonous. */
    public static final int POISON_LOSSES = 3;

    private static final String[] NAMES = {"QUEUED", "SENT", "RUNNING", "FINISHED", "CANCELLED"};

    /** Bit {@code to} of {@code LEGAL[from]}: the transition is legal. */
    private static final int[] LEGAL = {
        /* QUEUED    */ bits(SENT, CANCELLED, FINISHED),
        /* SENT      */ bits(RUNNING, CANCELLED, QUEUED, FINISHED),
        /* RUNNING   */ bits(FINISHED, QUEUED),
        /* FINISHED  */ 0,
        /* CANCELLED */ 0,
    };

    /** What became of a running task whose member was lost. */
    public enum Loss {
        /** It had not started: it goes back to the queue, as it was. */
        REQUEUED,
        /** It had started and has a retry left: it goes back to the queue for another attempt. */
        RETRIED,
        /** It had started and has no retry left: it fails with a MemberLostException. */
        FAILED,
        /** It had started and this was the third loss of a member under it: it fails as poisonous. */
        POISONOUS,
        /** The loss was not of its current send's member, or it was done: nothing changes. */
        IGNORED
    }

    private final long id;
    private final int retries;
    private int state = QUEUED;
    /** Sends so far; the current send's number (0 before the first). */
    private int send;
    /** Attempts that started (claims granted); the task sees {@code attempt()} = this, from 1. */
    private int attempts;
    /** Losses of a member while the task ran there. */
    private int losses;
    private UUID member;
    private boolean occupying;
    private UUID lostMember;

    /**
     * A queued call.
     *
     * @param id the pool's id for it, unique in the pool
     * @param retries how many times it may run again after a member it ran on was lost (0: never)
     * @throws IllegalArgumentException if {@code retries} is negative
     */
    public ClusterCall(long id, int retries) {
        if (retries < 0) {
            throw new IllegalArgumentException("retries must be >= 0, not " + retries);
        }
        this.id = id;
        this.retries = retries;
    }

    private static int bits(int... states) {
        int b = 0;
        for (int s : states) {
            b |= 1 << s;
        }
        return b;
    }

    private void moveTo(int to) {
        if ((LEGAL[state] & (1 << to)) == 0) {
            throw new IllegalStateException("call " + id + ": " + NAMES[state] + " -> " + NAMES[to] + " is not legal");
        }
        state = to;
    }

    /**
     * The name of a state.
     *
     * @param state a state
     * @return its name
     */
    public static String name(int state) {
        return NAMES[state];
    }

    /**
     * Sends it to a member: QUEUED to SENT.
     *
     * @param to the member
     * @return the send's number, which its claim and its outcome must carry; -1 if it was not
     *     queued (cancelled meanwhile)
     */
    public synchronized int dispatch(UUID to) {
        Objects.requireNonNull(to, "to");
        if (state != QUEUED) {
            return -1;
        }
        moveTo(SENT);
        member = to;
        occupying = true;
        return ++send;
    }

    /**
     * A member asks to start it: SENT to RUNNING if the member is the current send's.
     *
     * @param from the claiming member
     * @param sendNumber the send it claims
     * @return the attempt number (from 1) the task runs as; 0 if refused (cancelled, or the
     *     claim is not for the current send)
     */
    public synchronized int claim(UUID from, int sendNumber) {
        if (state != SENT || sendNumber != send || !from.equals(member)) {
            return 0;
        }
        moveTo(RUNNING);
        return ++attempts;
    }

    /**
     * A cancel without interrupting: succeeds only while no attempt has been claimed. A task
     * queued again for a retry has run (on the member that was lost), so it cannot be cancelled
     * this way: {@link #finishRunning} ends it.
     *
     * @return true if it is now CANCELLED (it never ran, and never will)
     */
    public synchronized boolean cancel() {
        if ((state == QUEUED || state == SENT) && attempts == 0) {
            moveTo(CANCELLED);
            return true;
        }
        return false;
    }

    /**
     * Ends a started task for a reason of the caller (cancel(true), its timeout): RUNNING to
     * FINISHED, and so also a task queued or sent again for a retry (it has run: its next attempt
     * is dropped); a member that holds it keeps it, and its outcome, if it comes, is dropped.
     *
     * @return true if it had started and is now finished
     */
    public synchronized boolean finishRunning() {
        if (state != RUNNING && !((state == QUEUED || state == SENT) && attempts > 0)) {
            return false;
        }
        moveTo(FINISHED);
        return true;
    }

    /**
     * The outcome of a send came back (the member answered): RUNNING to FINISHED if it is the
     * current send's; the member no longer holds it.
     *
     * @param sendNumber the send it answers
     * @return true if this outcome completes the task; false if it is stale or the task is done
     */
    public synchronized boolean outcome(int sendNumber) {
        if (sendNumber == send) {
            occupying = false;
        }
        if (state != RUNNING || sendNumber != send) {
            return false;
        }
        moveTo(FINISHED);
        return true;
    }

    /**
     * The member of a send answered that it did not run the task (its claim was refused): it no
     * longer holds it.
     *
     * @param sendNumber the send
     */
    public synchronized void released(int sendNumber) {
        if (sendNumber == send) {
            occupying = false;
        }
    }

    /**
     * The member a send went to was lost (it died, left, or the send failed) and will not answer.
     *
     * @param lost the member
     * @param sendNumber the send whose member it was
     * @return what became of the task
     */
    public synchronized Loss memberLost(UUID lost, int sendNumber) {
        if (sendNumber != send || !lost.equals(member)) {
            return Loss.IGNORED;
        }
        occupying = false;
        if (state == SENT) {
            moveTo(QUEUED);
            member = null;
            return Loss.REQUEUED;
        }
        if (state != RUNNING) {
            return Loss.IGNORED;
        }
        losses++;
        lostMember = lost;
        if (losses >= POISON_LOSSES) {
            moveTo(FINISHED);
            return Loss.POISONOUS;
        }
        if (attempts <= retries) {
            moveTo(QUEUED);
            member = null;
            return Loss.RETRIED;
        }
        moveTo(FINISHED);
        return Loss.FAILED;
    }

    /**
     * Fails it wherever it is short of running: the pool broke, or no member can take it.
     *
     * @return true if it was QUEUED or SENT and is now FINISHED
     */
    public synchronized boolean failUnstarted() {
        if (state == QUEUED || state == SENT) {
            moveTo(FINISHED);
            return true;
        }
        return false;
    }

    /**
     * The pool's id for it.
     *
     * @return the id
     */
    public long id() {
        return id;
    }

    /**
     * Its state.
     *
     * @return one of the constants
     */
    public synchronized int state() {
        return state;
    }

    /**
     * The current send's member, or null while queued.
     *
     * @return the member
     */
    public synchronized UUID member() {
        return state == QUEUED ? null : member;
    }

    /**
     * The current send's number (0 before the first send).
     *
     * @return the send number
     */
    public synchronized int send() {
        return send;
    }

    /**
     * Attempts started so far (claims granted).
     *
     * @return the attempts
     */
    public synchronized int attempts() {
        return attempts;
    }

    /**
     * Losses of a member while it ran there.
     *
     * @return the losses
     */
    public synchronized int losses() {
        return losses;
    }

    /**
     * The retries it was given.
     *
     * @return the retries
     */
    public int retries() {
        return retries;
    }

    /**
     * The last member lost while it ran there, or null.
     *
     * @return the member
     */
    public synchronized UUID lostMember() {
        return lostMember;
    }

    /**
     * Whether its member still holds it (sent, and no answer or loss since).
     *
     * @return true if it occupies room on its member
     */
    public synchronized boolean occupying() {
        return occupying;
    }

    @Override
    public synchronized String toString() {
        return "ClusterCall[" + id + " " + NAMES[state] + ", send " + send + ", attempts " + attempts
                + (member != null ? ", member " + member : "") + "]";
    }
}
