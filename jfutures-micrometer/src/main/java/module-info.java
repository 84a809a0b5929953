/**
 * jfutures-micrometer: {@code ExecutorMetrics}, a Micrometer {@code MeterBinder} that shows an
 * executor's statistics and events as meters named as Micrometer names those of the JDK's
 * executors. The API is the package {@code dev.jfutures.micrometer}.
 *
 * <p>{@code requires transitive}: the API takes a {@code TaskExecutor} of {@code dev.jfutures},
 * and implements and takes Micrometer's types ({@code MeterBinder}, {@code MeterRegistry},
 * {@code Tag}). Micrometer's jar is an automatic module ({@code micrometer.core}).
 *
 * @since 0.1
 */
@SuppressWarnings({"requires-transitive-automatic", "requires-automatic"})
module dev.jfutures.micrometer {
    requires transitive dev.jfutures;
    requires transitive micrometer.core;

    exports dev.jfutures.micrometer;
}
