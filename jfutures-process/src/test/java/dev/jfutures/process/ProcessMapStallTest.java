package dev.jfutures.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jfutures.MapOptions;
import dev.jfutures.MapResults;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * A seeded stress of chunked {@code map} on two workers, the shape of ProcessBench's "map 1M,
 * chunk 1000": pipelining, direct hand-off and work stealing (CANCEL / DROPPED) all run many
 * times, and no call may be lost among them. Every map has a deadline, so a lost call fails the
 * test instead of hanging.
 */
class ProcessMapStallTest extends ProcessTestBase {

    /** The most the whole stress runs; it stops early at {@link #MAPS} maps. */
    private static final Duration BUDGET = Duration.ofSeconds(20);
    private static final int MAPS = 600;
    /**
     * A map here takes milliseconds, and one that lost a call never ends: the deadline only turns
     * that into a failure instead of a hang, so it is generous (the first map also waits for the
     * workers' JVMs to start, which on a loaded machine can take more than 5 s).
     */
    private static final Duration MAP_DEADLINE = Duration.ofSeconds(60);

    @Test
    void chunkedMapOnTwoWorkersNeverLosesACall() throws Exception {
        ProcessPool p = pool(ProcessPool.builder().workers(2).prestart(true));
        long seed = Long.getLong("jfutures.stallSeed", 20261127L);
        AtomicReference<String> current = new AtomicReference<>("none yet");
        CompletableFuture<Integer> done = new CompletableFuture<>();
        // The maps run on a thread of their own: after its deadline a stalled map's close() waits
        // for cancel replies that a lost call never gets (30 s each), and the test must not.
        Thread driver = new Thread(() -> {
            try {
                done.complete(runMaps(p, seed, current));
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        }, "map-stall-driver");
        driver.setDaemon(true);
        driver.start();
        int maps;
        try {
            maps = done.get(BUDGET.plus(MAP_DEADLINE).plusSeconds(5).toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException stalled) {
            String dump = threadDump(poolName(p));
            String state = p.toString();
            abandon(p);
            throw new AssertionError("map stalled (a call neither queued, nor on a worker, nor done): "
                    + current.get() + "; pool " + state + "\n" + dump,
                    stalled instanceof ExecutionException ? stalled.getCause() : null);
        }
        assertThat(maps).as("maps run within %s", BUDGET).isGreaterThan(20);
    }

    private static int runMaps(ProcessPool p, long seed, AtomicReference<String> current) {
        SplittableRandom rnd = new SplittableRandom(seed);
        long end = System.nanoTime() + BUDGET.toNanos();
        int maps = 0;
        while (maps < MAPS && System.nanoTime() - end < 0) {
            int n = 200 + rnd.nextInt(3000);
            int chunk = 1 + rnd.nextInt(40);
            int buffer = 1 + rnd.nextInt(48);
            // Uneven costs, so that one worker falls behind and the idle one steals from it.
            int spinEvery = 1 + rnd.nextInt(50);
            current.set("map #" + maps + " (seed " + seed + ": n=" + n + ", chunkSize=" + chunk + ", bufferSize="
                    + buffer + ")");
            MapOptions options = MapOptions.defaults().chunkSize(chunk).bufferSize(buffer).timeout(MAP_DEADLINE);
            long sum = 0;
            int count = 0;
            try (MapResults<Integer> results = p.map((Integer i) -> StallTasks.uneven(i, spinEvery),
                    () -> IntStream.range(0, n).boxed().iterator(), options)) {
                for (Integer r : results) {
                    sum += r;
                    count++;
                }
            }
            assertThat(count).as("results of %s", current.get()).isEqualTo(n);
            assertThat(sum).as("sum of %s", current.get()).isEqualTo((long) n * (n - 1) / 2);
            maps++;
        }
        return maps;
    }

    /** What the workers run. */
    static final class StallTasks {
        private StallTasks() {
        }

        /** Returns {@code i}; every {@code every}-th element first spins for ~50 us. */
        static int uneven(int i, int every) {
            if (i % every == 0) {
                long until = System.nanoTime() + 50_000L;
                while (System.nanoTime() - until < 0) {
                    Thread.onSpinWait();
                }
            }
            return i;
        }
    }
}
