/**
 * jfutures-testkit: the conformance suites, ported one for one from CPython's
 * {@code test_concurrent_futures}, that every executor runs through an {@link
 * dev.jfutures.testkit.ExecutorKind} of its own. The one package, {@code dev.jfutures.testkit}, is
 * the API.
 *
 * <p>{@code requires transitive}: a suite's subclass is a JUnit test that uses the types of
 * {@code dev.jfutures}, JUnit Jupiter's annotations and AssertJ's assertions, so a test module
 * that requires this one reads them too. The package is open because JUnit reaches the suites'
 * package-private test methods and fields by reflection, from whatever module it is loaded in.
 *
 * @since 0.1
 */
open module dev.jfutures.testkit {
    requires transitive dev.jfutures;
    requires transitive org.junit.jupiter.api;
    requires transitive org.assertj.core;
    requires org.junit.jupiter.params;
    requires java.logging;

    exports dev.jfutures.testkit;
}
