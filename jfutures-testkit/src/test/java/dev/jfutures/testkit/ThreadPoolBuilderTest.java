package dev.jfutures.testkit;

import static dev.jfutures.testkit.BadInputTests.assertFailsNaming;
import static dev.jfutures.testkit.ExecutorTestBase.SHORT_TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.jfutures.ThreadPool;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Bad arguments to {@link ThreadPool.Builder} fail at once, in the caller, with an exception whose
 * message names the parameter (as {@link BadInputTests} checks for the executor's own methods),
 * and leave the builder usable. No executor under test is involved, so these run once and not per
 * executor kind; each pool built here is shut down here.
 */
class ThreadPoolBuilderTest {

    /** A negative duration: refused where a duration is a setting (keepAlive); a wait treats it as zero. */
    private static final Duration NEGATIVE = Duration.ofMillis(-1);

    /** ThreadPool.builder().workers(0) throws IllegalArgumentException naming "workers". */
    @Test
    void threadPoolBuilderWorkersZeroThrowsIaeNamingWorkers() {
        assertFailsNaming(IllegalArgumentException.class, "workers", () -> ThreadPool.builder().workers(0));
    }

    /** ThreadPool.builder().workers(-1) throws IllegalArgumentException naming "workers". */
    @Test
    void threadPoolBuilderWorkersNegativeThrowsIaeNamingWorkers() {
        assertFailsNaming(IllegalArgumentException.class, "workers", () -> ThreadPool.builder().workers(-1));
    }

    /** ThreadPool.builder().threadNamePrefix(null) throws NullPointerException naming "threadNamePrefix". */
    @Test
    void threadPoolBuilderNullPrefixThrowsNpeNamingThreadNamePrefix() {
        assertFailsNaming(NullPointerException.class, "threadNamePrefix",
                () -> ThreadPool.builder().threadNamePrefix(null));
    }

    /** ThreadPool.builder().initializer(null) throws NullPointerException naming "initializer". */
    @Test
    void threadPoolBuilderNullInitializerThrowsNpeNamingInitializer() {
        assertFailsNaming(NullPointerException.class, "initializer", () -> ThreadPool.builder().initializer(null));
    }

    /** ThreadPool.builder().keepAlive of zero or less throws IllegalArgumentException naming "keepAlive". */
    @Test
    void threadPoolBuilderNonPositiveKeepAliveThrowsIaeNamingKeepAlive() {
        assertFailsNaming(IllegalArgumentException.class, "keepAlive", () -> ThreadPool.builder().keepAlive(Duration.ZERO));
        assertFailsNaming(IllegalArgumentException.class, "keepAlive", () -> ThreadPool.builder().keepAlive(NEGATIVE));
    }

    /** ThreadPool.builder().keepAlive(null) throws NullPointerException naming "keepAlive". */
    @Test
    void threadPoolBuilderNullKeepAliveThrowsNpeNamingKeepAlive() {
        assertFailsNaming(NullPointerException.class, "keepAlive", () -> ThreadPool.builder().keepAlive(null));
    }

    /** A builder that refused a setting keeps its earlier settings and builds a working pool, which shuts down cleanly. */
    @Test
    void threadPoolBuilderBuildsAfterRefusedSetting() throws InterruptedException {
        ThreadPool.Builder b = ThreadPool.builder().workers(2).threadNamePrefix("bad-input-builder");
        catchThrowable(() -> b.workers(0));
        catchThrowable(() -> b.keepAlive(NEGATIVE));

        ThreadPool pool = b.build();
        try {
            assertThat(pool.workers()).isEqualTo(2);
            assertThat(pool.submit(() -> Tasks.mul(6, 7)).result(SHORT_TIMEOUT)).isEqualTo(42);
        } finally {
            pool.shutdown(true, false);
        }
        assertThat(pool.awaitTermination(SHORT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        assertThat(pool.poolSize()).isZero();
    }
}
