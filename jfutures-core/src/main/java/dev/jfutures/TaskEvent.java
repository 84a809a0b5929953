package dev.jfutures;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * One step in a task's life, as an executor tells its {@link ExecutorListener}s: it was
 * submitted, a worker started it, or it finished (with its outcome). A task that is cancelled
 * before it starts has no STARTED event; its FINISHED event says {@link TaskStatus#CANCELLED}.
 *
 * <p>An executor follows a task only if someone hears it when it is submitted (a listener is
 * added, or a JFR recording takes jfutures' task events): a listener hears of the tasks
 * submitted after it was added.
 *
 * @since 0.1
 */
public final class TaskEvent {

    /**
     * Which step.
     *
     * @since 0.1
     */
    public enum Kind {
        /** The task was accepted by the executor. */
        SUBMITTED,
        /** A worker started it. */
        STARTED,
        /** It is done: succeeded, failed or cancelled. */
        FINISHED
    }

    private final Kind kind;
    private final long taskId;
    private final String executor;
    private final String executorKind;
    private final String worker;
    private final Instant time;
    private final Duration queued;
    private final Duration ran;
    private final TaskStatus outcome;

    /**
     * An event; executors make them.
     *
     * @param kind which step
     * @param taskId the task's number in its executor, from 1
     * @param executor the executor's name
     * @param executorKind "thread", "process" or "cluster"
     * @param worker where it runs or ran (a thread's name, "pid N", a member's address); null
     *     before it started
     * @param time when the step happened
     * @param queued from submit to start (or to the cancel of a task that never started); null
     *     for SUBMITTED
     * @param ran from start to finish; null unless FINISHED after STARTED
     * @param outcome SUCCEEDED, FAILED or CANCELLED for FINISHED; null otherwise
     * @throws NullPointerException if kind, executor, executorKind or time is null
     * @since 0.1
     */
    public TaskEvent(Kind kind, long taskId, String executor, String executorKind, String worker, Instant time,
            Duration queued, Duration ran, TaskStatus outcome) {
        this.kind = Objects.requireNonNull(kind, "kind");
        this.taskId = taskId;
        this.executor = Objects.requireNonNull(executor, "executor");
        this.executorKind = Objects.requireNonNull(executorKind, "executorKind");
        this.worker = worker;
        this.time = Objects.requireNonNull(time, "time");
        this.queued = queued;
        this.ran = ran;
        this.outcome = outcome;
    }

    /**
     * Which step.
     *
     * @return the kind
     * @since 0.1
     */
    public Kind kind() {
        return kind;
    }

    /**
     * The task's number in its executor: 1 for the first task submitted, and so on.
     *
     * @return the id
     * @since 0.1
     */
    public long taskId() {
        return taskId;
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
     * The executor's kind: "thread", "process" or "cluster".
     *
     * @return the kind
     * @since 0.1
     */
    public String executorKind() {
        return executorKind;
    }

    /**
     * Where the task runs or ran: a thread's name, a worker's "pid N", a member's address.
     *
     * @return the worker, or null before it started (and for a task cancelled unstarted)
     * @since 0.1
     */
    public String worker() {
        return worker;
    }

    /**
     * When the step happened.
     *
     * @return the time
     * @since 0.1
     */
    public Instant time() {
        return time;
    }

    /**
     * How long the task waited, from its submit to its start (or to the cancel that ended it
     * unstarted).
     *
     * @return the time queued, or null for SUBMITTED
     * @since 0.1
     */
    public Duration queued() {
        return queued;
    }

    /**
     * How long the task ran, from its start to its finish.
     *
     * @return the time run, or null unless FINISHED after STARTED
     * @since 0.1
     */
    public Duration ran() {
        return ran;
    }

    /**
     * How it ended.
     *
     * @return SUCCEEDED, FAILED or CANCELLED for FINISHED; null for the other kinds
     * @since 0.1
     */
    public TaskStatus outcome() {
        return outcome;
    }

    @Override
    public String toString() {
        return "TaskEvent[" + kind + " task " + taskId + " of " + executor + (worker != null ? " on " + worker : "")
                + (queued != null ? ", queued " + queued : "") + (ran != null ? ", ran " + ran : "")
                + (outcome != null ? ", " + outcome : "") + "]";
    }
}
