package dev.jfutures.remote;

/**
 * A task failed in a worker with an exception that could not be rebuilt in the pool's JVM (its
 * class is not on this classpath, or it would not serialize): this carries the class name, the
 * message and the worker-side stack trace as text.
 *
 * @since 0.1
 */
public class RemoteTaskException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The class name of the exception the task threw in the worker. */
    private final String remoteClassName;
    /** Its stack trace as the worker printed it. */
    private final String remoteStackTrace;

    /**
     * Creates the exception.
     *
     * @param remoteClassName the exception's class in the worker
     * @param remoteMessage its message, may be null
     * @param remoteStackTrace its stack trace as printed in the worker
     * @param why why it could not be rebuilt here, may be null
     * @since 0.1
     */
    public RemoteTaskException(String remoteClassName, String remoteMessage, String remoteStackTrace, String why) {
        super(remoteClassName + (remoteMessage != null ? ": " + remoteMessage : "")
                + (why != null ? " (not rebuilt in this JVM: " + why + ")" : ""));
        this.remoteClassName = remoteClassName;
        this.remoteStackTrace = remoteStackTrace;
    }

    /**
     * The exception's class name in the worker.
     *
     * @return the class name
     * @since 0.1
     */
    public String remoteClassName() {
        return remoteClassName;
    }

    /**
     * The worker-side stack trace, as {@code printStackTrace} wrote it there.
     *
     * @return the stack trace text
     * @since 0.1
     */
    public String remoteStackTrace() {
        return remoteStackTrace;
    }
}
