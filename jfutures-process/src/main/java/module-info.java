/**
 * jfutures-process: {@code ProcessPool}, a {@code TaskExecutor} whose workers are JVM processes.
 * The API is the package {@code dev.jfutures.process}; {@code dev.jfutures.process.internal} (the
 * wire format, the channel streams, the worker classpath) is not exported.
 *
 * <p>{@code requires transitive}: the API's types extend and return those of {@code dev.jfutures}
 * ({@code ProcessPool} is a {@code TaskExecutor}, {@code submit} returns a {@code TaskFuture}), so
 * a module that requires this one reads that one too.
 *
 * @since 0.1
 */
module dev.jfutures.process {
    requires transitive dev.jfutures;

    exports dev.jfutures.process;
}
