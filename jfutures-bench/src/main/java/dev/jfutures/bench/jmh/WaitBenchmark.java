package dev.jfutures.bench.jmh;

import dev.jfutures.Futures;
import dev.jfutures.TaskFuture;
import dev.jfutures.ThreadPool;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Waiting on many futures: before each invocation {@code n} tasks are submitted, all gated on one
 * latch; the invocation opens the latch and waits for all of them ({@code Futures.wait} / {@code
 * CompletableFuture.allOf}) or iterates them in completion order ({@code Futures.asCompleted} /
 * {@code ExecutorCompletionService}). Compare n=10000 with n=100000 for linearity.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class WaitBenchmark {

    static Integer pass(CountDownLatch gate, Integer x) {
        try {
            gate.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return x;
    }

    /** n jfutures futures gated on a latch. */
    @State(Scope.Thread)
    public static class JfGated {
        @Param({"10000", "100000"})
        public int n;
        ThreadPool pool;
        CountDownLatch gate;
        List<TaskFuture<Integer>> futures;

        @Setup(Level.Trial)
        public void start() {
            pool = ThreadPool.builder().workers(2).build();
        }

        @Setup(Level.Invocation)
        public void submit() {
            gate = new CountDownLatch(1);
            CountDownLatch g = gate;
            futures = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                Integer x = i;
                futures.add(pool.submit(() -> pass(g, x)));
            }
        }

        @TearDown(Level.Trial)
        public void stop() {
            pool.shutdown(true, true);
        }
    }

    /** n CompletableFutures (supplyAsync on a fixed pool) gated on a latch. */
    @State(Scope.Thread)
    public static class JucCfGated {
        @Param({"10000", "100000"})
        public int n;
        ExecutorService pool;
        CountDownLatch gate;
        CompletableFuture<?>[] futures;

        @Setup(Level.Trial)
        public void start() {
            pool = Executors.newFixedThreadPool(2);
        }

        @Setup(Level.Invocation)
        public void submit() {
            gate = new CountDownLatch(1);
            CountDownLatch g = gate;
            futures = new CompletableFuture<?>[n];
            for (int i = 0; i < n; i++) {
                Integer x = i;
                futures[i] = CompletableFuture.supplyAsync(() -> pass(g, x), pool);
            }
        }

        @TearDown(Level.Trial)
        public void stop() {
            pool.shutdownNow();
        }
    }

    /** n tasks on an ExecutorCompletionService over a fixed pool, gated on a latch. */
    @State(Scope.Thread)
    public static class JucEcsGated {
        @Param({"10000", "100000"})
        public int n;
        ExecutorService pool;
        CountDownLatch gate;
        ExecutorCompletionService<Integer> ecs;

        @Setup(Level.Trial)
        public void start() {
            pool = Executors.newFixedThreadPool(2);
        }

        @Setup(Level.Invocation)
        public void submit() {
            gate = new CountDownLatch(1);
            CountDownLatch g = gate;
            ecs = new ExecutorCompletionService<>(pool);
            for (int i = 0; i < n; i++) {
                Integer x = i;
                ecs.submit(() -> pass(g, x));
            }
        }

        @TearDown(Level.Trial)
        public void stop() {
            pool.shutdownNow();
        }
    }

    @Benchmark
    public int jfuturesWait(JfGated s) {
        s.gate.countDown();
        return Futures.wait(s.futures).done().size();
    }

    @Benchmark
    public long jfuturesAsCompleted(JfGated s) {
        s.gate.countDown();
        long sum = 0;
        for (TaskFuture<Integer> f : Futures.asCompleted(s.futures)) {
            sum += f.result();
        }
        return sum;
    }

    @Benchmark
    public Object jucAllOf(JucCfGated s) {
        s.gate.countDown();
        return CompletableFuture.allOf(s.futures).join();
    }

    @Benchmark
    public long jucCompletionService(JucEcsGated s) throws Exception {
        s.gate.countDown();
        long sum = 0;
        for (int i = 0; i < s.n; i++) {
            sum += s.ecs.take().get();
        }
        return sum;
    }
}
