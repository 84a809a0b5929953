package dev.jfutures.cluster;

/**
 * What a task running on a cluster member can know of itself: a task id that stays the same
 * across its attempts, and which attempt this is. For tasks given {@link TaskOptions#retries}
 * that must not do their work twice (write once, keyed by the task id).
 *
 * <pre>{@code
 * pool.submit(() -> {
 *     TaskContext c = TaskContext.current();
 *     return store.putIfAbsent(c.taskId(), compute());
 * }, TaskOptions.defaults().retries(2));
 * }</pre>
 *
 * @since 0.1
 */
public final class TaskContext {

    private static final ThreadLocal<TaskContext> CURRENT = new ThreadLocal<>();

    private final String taskId;
    private final int attempt;

    private TaskContext(String taskId, int attempt) {
        this.taskId = taskId;
        this.attempt = attempt;
    }

    /**
     * The context of the cluster task this thread runs.
     *
     * @return the context
     * @throws IllegalStateException if this thread is not running a cluster task
     * @since 0.1
     */
    public static TaskContext current() {
        TaskContext c = CURRENT.get();
        if (c == null) {
            throw new IllegalStateException("TaskContext.current() is only for a task running on a ClusterPool member; "
                    + "this thread (" + Thread.currentThread().getName() + ") runs none");
        }
        return c;
    }

    /**
     * The task's id: the same in every attempt, unique across pools.
     *
     * @return the id
     * @since 0.1
     */
    public String taskId() {
        return taskId;
    }

    /**
     * Which attempt this is: 1 for the first run, 2 after a member it ran on was lost, and so on.
     *
     * @return the attempt, from 1
     * @since 0.1
     */
    public int attempt() {
        return attempt;
    }

    /** Sets this thread's context while the member runs a task; the previous one is returned. */
    static TaskContext enter(String taskId, int attempt) {
        TaskContext previous = CURRENT.get();
        CURRENT.set(new TaskContext(taskId, attempt));
        return previous;
    }

    /** Restores the context that {@link #enter} replaced. */
    static void leave(TaskContext previous) {
        if (previous == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(previous);
        }
    }

    @Override
    public String toString() {
        return "TaskContext[" + taskId + ", attempt " + attempt + "]";
    }
}
