package dev.jfutures.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** ProcessBench's round-trip control: the raw Unix-socket echo to a child JVM, with a tiny N. */
class UnixEchoControlTest {

    private static final int N = 50;

    /** Both variants measure N round trips, each latency positive, and give finite p50 and p99. */
    @Test
    void bothVariantsGivePositiveFiniteLatencies() throws Exception {
        try (UnixEchoControl echo = UnixEchoControl.start(List.of())) {
            for (UnixEchoControl.Variant v : UnixEchoControl.Variant.values()) {
                long[] nanos = echo.roundTrips(v, N);
                assertThat(nanos).as(v.name()).hasSize(N);
                assertThat(Arrays.stream(nanos).min().orElseThrow()).as(v + " shortest (ns)").isPositive();
                double[] p = Stats.p50p99Micros(nanos);
                assertThat(p[0]).as(v + " p50 (us)").isPositive().isFinite();
                assertThat(p[1]).as(v + " p99 (us)").isFinite().isGreaterThanOrEqualTo(p[0]);
            }
        }
    }

    /**
     * After close() the child JVM is gone, having exited by itself when its stdin reached
     * end-of-file (code 0, not killed), and the socket's private directory is removed.
     */
    @Test
    void closeLeavesNoChildJvmAndNoSocketDirectory() throws Exception {
        UnixEchoControl echo = UnixEchoControl.start(List.of());
        Process child = echo.child();
        echo.roundTrips(UnixEchoControl.Variant.BLOCKING, N);
        echo.roundTrips(UnixEchoControl.Variant.SELECTOR, N);
        assertThat(child.isAlive()).as("child alive while in use").isTrue();

        echo.close();

        assertThat(child.isAlive()).as("child alive after close()").isFalse();
        assertThat(child.exitValue()).as("child's exit code").isZero();
        assertThat(ProcessHandle.of(child.pid()).filter(ProcessHandle::isAlive)).as("live process %d", child.pid())
                .isEmpty();
        assertThat(Files.exists(echo.directory())).as("%s exists", echo.directory()).isFalse();
    }

    /** The child runs with the pool's fixed worker flags, then the options given for workers. */
    @Test
    void theChildGetsTheWorkerFlagsAndOptions() throws Exception {
        try (UnixEchoControl echo = UnixEchoControl.start(List.of("-Xmx64m"))) {
            assertThat(echo.command()).containsSubsequence("-XX:+ExitOnOutOfMemoryError", "-XX:+UseSerialGC",
                    "-Xmx64m", UnixEchoControl.class.getName());
            assertThat(echo.child().info().arguments().map(List::of).orElse(List.of())).contains("-Xmx64m");
        }
    }

    /** A child that dies mid-run makes the next round fail at once, saying so, instead of waiting. */
    @Test
    void aDeadChildFailsTheRoundInsteadOfHanging() throws Exception {
        try (UnixEchoControl echo = UnixEchoControl.start(List.of())) {
            echo.child().destroyForcibly();
            assertThat(echo.child().waitFor(30, TimeUnit.SECONDS)).as("killed").isTrue();
            for (UnixEchoControl.Variant v : UnixEchoControl.Variant.values()) {
                long t0 = System.nanoTime();
                assertThatThrownBy(() -> echo.roundTrips(v, N)).as(v.name()).isInstanceOf(IOException.class)
                        .hasMessageContaining("round of " + N + " round trips failed")
                        .hasMessageContaining("the child JVM exited with code");
                assertThat((System.nanoTime() - t0) / 1e9).as("seconds to fail").isLessThan(5);
            }
        }
    }
}
