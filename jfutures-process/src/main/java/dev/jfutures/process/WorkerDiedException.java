package dev.jfutures.process;

import java.util.List;
import java.util.OptionalInt;

/**
 * The worker JVM running a task died before the task finished: {@code System.exit}, {@code
 * Runtime.halt}, an {@code OutOfMemoryError} (workers run with {@code -XX:+ExitOnOutOfMemoryError}),
 * a kill, a native crash. Only the task that worker was running fails with this; tasks queued
 * behind it go to another worker, and a new worker takes the dead one's place.
 *
 * <p>It carries the worker's pid, its exit code (or the signal that killed it) and the last lines
 * it wrote to stderr.
 *
 * @since 0.1
 */
public class WorkerDiedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The worker JVM's pid. */
    private final long pid;
    /** Its exit code as the OS reported it (128 + n when signal n killed it). */
    private final int exitCode;
    /** The last lines it wrote to stderr before it died. */
    private final List<String> stderrTail;

    /**
     * Creates the exception.
     *
     * @param message what happened
     * @param pid the worker's process id
     * @param exitCode its exit code; 128 + n for a death by signal n, as the shell reports it
     * @param stderrTail its last stderr lines
     * @since 0.1
     */
    public WorkerDiedException(String message, long pid, int exitCode, List<String> stderrTail) {
        super(message);
        this.pid = pid;
        this.exitCode = exitCode;
        this.stderrTail = List.copyOf(stderrTail);
    }

    /**
     * The worker's process id.
     *
     * @return the pid
     * @since 0.1
     */
    public long pid() {
        return pid;
    }

    /**
     * The worker's exit code as the OS reported it ({@code 128 + n} when signal n killed it).
     *
     * @return the exit code
     * @since 0.1
     */
    public int exitCode() {
        return exitCode;
    }

    /**
     * The signal that killed the worker, if the exit code says one did.
     *
     * @return the signal number, e.g. 9 for SIGKILL
     * @since 0.1
     */
    public OptionalInt signal() {
        return exitCode > 128 && exitCode < 128 + 65 ? OptionalInt.of(exitCode - 128) : OptionalInt.empty();
    }

    /**
     * The last lines the worker wrote to stderr before it died.
     *
     * @return the lines, oldest first
     * @since 0.1
     */
    public List<String> stderrTail() {
        return stderrTail;
    }
}
