package dev.jfutures.cluster;

import java.util.UUID;

/**
 * A task had started on a cluster member, and the member died or left before it answered. The
 * task may have done some or all of its work there; it was not run again, because it had no
 * retry left ({@link TaskOptions#retries(int)}), or it is poisonous: members were lost under it
 * {@value dev.jfutures.cluster.internal.ClusterCall#POISON_LOSSES} times, and it is not given a
 * fourth.
 *
 * @since 0.1
 */
public class MemberLostException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The lost member. */
    private final UUID member;
    /** Its address, and pid where known. */
    private final String address;
    /** Attempts of the task that had started. */
    private final int attempts;
    /** Whether the task was given up as poisonous. */
    private final boolean poisonous;

    /**
     * Creates the exception.
     *
     * @param message what happened, naming the member and the task
     * @param member the lost member's UUID
     * @param address the lost member's address (host:port, and its pid where known)
     * @param attempts the attempts that had started
     * @param poisonous whether the task is given up as poisonous
     * @since 0.1
     */
    public MemberLostException(String message, UUID member, String address, int attempts, boolean poisonous) {
        super(message);
        this.member = member;
        this.address = address;
        this.attempts = attempts;
        this.poisonous = poisonous;
    }

    /**
     * The member that was lost while the task ran there (the last one, for a poisonous task).
     *
     * @return its UUID
     * @since 0.1
     */
    public UUID member() {
        return member;
    }

    /**
     * The lost member's address, and its pid where it was a worker member.
     *
     * @return "host:port" or "host:port (pid N)"
     * @since 0.1
     */
    public String address() {
        return address;
    }

    /**
     * How many attempts of the task had started.
     *
     * @return the attempts, at least 1
     * @since 0.1
     */
    public int attempts() {
        return attempts;
    }

    /**
     * Whether the task was given up as poisonous (members were lost under it three times).
     *
     * @return true if poisonous
     * @since 0.1
     */
    public boolean poisonous() {
        return poisonous;
    }
}
