/**
 * jfutures: Python's {@code concurrent.futures} for the JVM. The API is the package
 * {@code dev.jfutures}, and {@code dev.jfutures.remote}: the codec, the deserialization filter
 * and the exceptions that every executor whose tasks run in another JVM shares. Everything else
 * is internal.
 *
 * @since 0.1
 */
module dev.jfutures {
    // JFR events where the JVM has JFR (see dev.jfutures.internal.Telemetry); nothing needs it.
    requires static jdk.jfr;

    exports dev.jfutures;
    exports dev.jfutures.remote;
    exports dev.jfutures.remote.internal to dev.jfutures.process, dev.jfutures.cluster;
    exports dev.jfutures.internal to dev.jfutures.process, dev.jfutures.cluster;
}
