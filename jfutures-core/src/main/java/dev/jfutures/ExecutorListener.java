package dev.jfutures;

/**
 * Hears what an executor does: its tasks' steps and its workers' changes. Added with {@link
 * TaskExecutor#addListener}.
 *
 * <p>The rule on threads: an executor calls its listeners on one thread of its own
 * ({@code NAME-events}), never on a worker or a submitter, one event at a time, in the order the
 * executor recorded them (for one task: SUBMITTED, STARTED, FINISHED). A slow listener delays the
 * events of that executor's listeners, never its tasks: events wait in a queue of {@value
 * #QUEUE_CAPACITY}, and while it is full further events are dropped and counted ({@link
 * ExecutorStats#droppedEvents()}), with one warning in the log. A listener that throws is logged
 * (once per listener; the count goes on in {@link ExecutorStats#listenerFailures()}) and stays
 * added: the next event reaches it as usual.
 *
 * @since 0.1
 */
public interface ExecutorListener {

    /** How many events wait for the listener thread before further ones are dropped. */
    int QUEUE_CAPACITY = 65_536;

    /**
     * A task's step.
     *
     * @param event the event
     * @since 0.1
     */
    default void taskEvent(TaskEvent event) {
    }

    /**
     * A worker's change.
     *
     * @param event the event
     * @since 0.1
     */
    default void workerEvent(WorkerEvent event) {
    }
}
