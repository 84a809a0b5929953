package dev.jfutures;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * The waits that take a {@code long} and a {@link TimeUnit} (the JDK's contract, which already
 * polls on a negative timeout) agree with the {@link java.time.Duration} ones: a negative timeout
 * is zero. The Duration-based waits are covered per executor by the testkit ({@code
 * negativeTimeout...} in FutureTests, WaitTests, AsCompletedTests and ExecutorTests).
 */
class NegativeTimeoutTest {

    /** awaitTermination, invokeAll and invokeAny with a negative timeout poll once and time out. */
    @Test
    void longTimeoutWaitsOfAThreadPoolPollOnANegativeTimeout() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        ThreadPool pool = ThreadPool.builder().workers(2).build();
        try {
            Callable<Integer> blocked = () -> {
                release.await();
                return 1;
            };
            assertThat(pool.awaitTermination(-1, TimeUnit.SECONDS)).as("a running pool, polled").isFalse();

            assertThatThrownBy(() -> pool.invokeAny(List.of(blocked), -1, TimeUnit.SECONDS))
                    .isInstanceOf(TimeoutException.class);

            List<Future<Integer>> all = pool.invokeAll(List.of(blocked), -1, TimeUnit.SECONDS);
            assertThat(all).hasSize(1);
            assertThat(all.get(0).isCancelled()).as("not done at the poll, so cancelled as at a zero timeout").isTrue();

            TaskFuture<Integer> f = pool.submit(blocked);
            assertThatThrownBy(() -> f.get(-1, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
            release.countDown();
            assertThat(f.result()).isEqualTo(1);
            assertThat(f.get(-1, TimeUnit.MILLISECONDS)).as("done: the poll returns the result").isEqualTo(1);
        } finally {
            release.countDown();
            pool.shutdown(true, false);
        }
        assertThat(pool.awaitTermination(-1, TimeUnit.SECONDS)).as("a terminated pool, polled").isTrue();
    }
}
