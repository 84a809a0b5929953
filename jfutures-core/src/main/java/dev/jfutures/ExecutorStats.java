package dev.jfutures;

import java.util.List;
import java.util.Objects;

/**
 * A snapshot of an executor's work: how many tasks wait, run and are done, its workers, and what
 * each worker holds. Taken by {@link TaskExecutor#stats()} without stopping the executor, so its
 * counts are each exact at some moment of the call, not all at the same one.
 *
 * @since 0.1
 */
public final class ExecutorStats {

    /**
     * One worker's part.
     *
     * @param name the worker: a thread's name, "pid N", a member's address
     * @param running tasks it runs now
     * @param assigned tasks sent to it that it has not started (a process or cluster worker's
     *     pipeline; 0 for a thread)
     * @param completed tasks it finished (succeeded or failed)
     * @since 0.1
     */
    public record Worker(String name, int running, int assigned, long completed) {

        /**
         * Checks the name.
         *
         * @param name the worker
         * @param running tasks it runs now
         * @param assigned tasks sent to it, not started
         * @param completed tasks it finished
         * @throws NullPointerException if name is null
         * @since 0.1
         */
        public Worker {
            Objects.requireNonNull(name, "name");
        }
    }

    private final String executor;
    private final long queued;
    private final long running;
    private final long completed;
    private final long failed;
    private final long cancelled;
    private final List<Worker> workers;
    private final long droppedEvents;
    private final long listenerFailures;

    /**
     * A snapshot; executors make them.
     *
     * @param executor the executor's name
     * @param queued tasks submitted and not yet sent to a worker or started
     * @param running tasks running
     * @param completed tasks that succeeded
     * @param failed tasks that failed
     * @param cancelled tasks cancelled
     * @param workers the live workers
     * @param droppedEvents events listeners missed because their queue was full
     * @param listenerFailures times a listener threw
     * @throws NullPointerException if executor or workers is null
     * @since 0.1
     */
    public ExecutorStats(String executor, long queued, long running, long completed, long failed, long cancelled,
            List<Worker> workers, long droppedEvents, long listenerFailures) {
        this.executor = Objects.requireNonNull(executor, "executor");
        this.queued = queued;
        this.running = running;
        this.completed = completed;
        this.failed = failed;
        this.cancelled = cancelled;
        this.workers = List.copyOf(workers);
        this.droppedEvents = droppedEvents;
        this.listenerFailures = listenerFailures;
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
     * Tasks submitted and waiting: not started, and (for process and cluster executors) not yet
     * sent to a worker.
     *
     * @return the count
     * @since 0.1
     */
    public long queued() {
        return queued;
    }

    /**
     * Tasks running now.
     *
     * @return the count
     * @since 0.1
     */
    public long running() {
        return running;
    }

    /**
     * Tasks that succeeded.
     *
     * @return the count since the executor was built
     * @since 0.1
     */
    public long completed() {
        return completed;
    }

    /**
     * Tasks that failed (threw, or were lost with their worker).
     *
     * @return the count since the executor was built
     * @since 0.1
     */
    public long failed() {
        return failed;
    }

    /**
     * Tasks cancelled, before or while they ran.
     *
     * @return the count since the executor was built
     * @since 0.1
     */
    public long cancelled() {
        return cancelled;
    }

    /**
     * The live workers and what each holds.
     *
     * @return an unmodifiable list
     * @since 0.1
     */
    public List<Worker> workers() {
        return workers;
    }

    /**
     * Events that listeners missed because their queue was full (see {@link ExecutorListener}).
     *
     * @return the count since the executor was built
     * @since 0.1
     */
    public long droppedEvents() {
        return droppedEvents;
    }

    /**
     * How many times a listener threw.
     *
     * @return the count since the executor was built
     * @since 0.1
     */
    public long listenerFailures() {
        return listenerFailures;
    }

    @Override
    public String toString() {
        return "ExecutorStats[" + executor + ": queued " + queued + ", running " + running + ", completed "
                + completed + ", failed " + failed + ", cancelled " + cancelled + ", " + workers.size() + " worker(s)"
                + (droppedEvents > 0 ? ", " + droppedEvents + " event(s) dropped" : "") + "]";
    }
}
