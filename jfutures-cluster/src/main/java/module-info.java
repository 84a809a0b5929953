/**
 * jfutures-cluster: {@code ClusterPool}, a {@code TaskExecutor} whose tasks run on the worker
 * members of a Hazelcast cluster. The API is the package {@code dev.jfutures.cluster};
 * {@code dev.jfutures.cluster.internal} (the claim record, the key, the member JVMs) is not
 * exported.
 *
 * <p>{@code requires transitive}: the API's types extend and return those of {@code dev.jfutures}
 * ({@code ClusterPool} is a {@code TaskExecutor}), and {@code Builder.instance} takes a {@code
 * HazelcastInstance}. Hazelcast's jar is an automatic module ({@code com.hazelcast.core}).
 *
 * @since 0.1
 */
@SuppressWarnings({"requires-transitive-automatic", "requires-automatic"})
module dev.jfutures.cluster {
    requires transitive dev.jfutures;
    requires transitive com.hazelcast.core;
    requires java.logging;

    exports dev.jfutures.cluster;
}
