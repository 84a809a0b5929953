package dev.jfutures;

import java.time.Instant;
import java.util.Objects;

/**
 * A change in an executor's workers, as it tells its {@link ExecutorListener}s: a worker (a
 * thread, a worker JVM, a cluster member) started, stopped, died, was recycled, or had tasks
 * taken back from it to run elsewhere.
 *
 * @since 0.1
 */
public final class WorkerEvent {

    /**
     * What happened to the worker.
     *
     * @since 0.1
     */
    public enum Kind {
        /** It is ready to run tasks. */
        STARTED,
        /** It ended as planned: idle too long, or its executor shut down. */
        STOPPED,
        /** It ended unplanned: crashed, was killed, ran out of memory, or left the cluster. */
        DIED,
        /** It ended because it ran its quota of tasks; another takes its place. */
        RECYCLED,
        /** Tasks it held but had not started were taken back and run elsewhere. */
        STOLEN_FROM
    }

    private final Kind kind;
    private final String worker;
    private final String executor;
    private final String executorKind;
    private final Instant time;
    private final String cause;
    private final int tasks;

    /**
     * An event; executors make them.
     *
     * @param kind what happened
     * @param worker the worker: a thread's name, "pid N", a member's address
     * @param executor the executor's name
     * @param executorKind "thread", "process" or "cluster"
     * @param time when
     * @param cause for DIED, why (an exit code, a signal, an exception); null otherwise
     * @param tasks for STOLEN_FROM, how many tasks were taken back; 0 otherwise
     * @throws NullPointerException if kind, worker, executor, executorKind or time is null
     * @since 0.1
     */
    public WorkerEvent(Kind kind, String worker, String executor, String executorKind, Instant time, String cause,
            int tasks) {
        this.kind = Objects.requireNonNull(kind, "kind");
        this.worker = Objects.requireNonNull(worker, "worker");
        this.executor = Objects.requireNonNull(executor, "executor");
        this.executorKind = Objects.requireNonNull(executorKind, "executorKind");
        this.time = Objects.requireNonNull(time, "time");
        this.cause = cause;
        this.tasks = tasks;
    }

    /**
     * What happened.
     *
     * @return the kind
     * @since 0.1
     */
    public Kind kind() {
        return kind;
    }

    /**
     * The worker.
     *
     * @return a thread's name, "pid N", a member's address
     * @since 0.1
     */
    public String worker() {
        return worker;
    }

    /**
     * The executor's name.
     *
     * @return the name
     * @since 0.1
     */
    public String executor() {
        return executor;
    }

    /**
     * The executor's kind.
     *
     * @return "thread", "process" or "cluster"
     * @since 0.1
     */
    public String executorKind() {
        return executorKind;
    }

    /**
     * When.
     *
     * @return the time
     * @since 0.1
     */
    public Instant time() {
        return time;
    }

    /**
     * Why a worker died.
     *
     * @return the cause for DIED; null otherwise
     * @since 0.1
     */
    public String cause() {
        return cause;
    }

    /**
     * How many tasks were taken back.
     *
     * @return the count for STOLEN_FROM; 0 otherwise
     * @since 0.1
     */
    public int tasks() {
        return tasks;
    }

    @Override
    public String toString() {
        return "WorkerEvent[" + kind + " " + worker + " of " + executor + (cause != null ? ": " + cause : "")
                + (tasks != 0 ? ", " + tasks + " task(s)" : "") + "]";
    }
}
