package dev.jfutures.bench.jmh;

import dev.jfutures.TaskFuture;
import dev.jfutures.ThreadPool;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Submit a batch of trivial tasks, then wait for each: tasks per second, jfutures' {@code
 * ThreadPool} against {@code Executors.newFixedThreadPool}, both with 2 workers.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SubmitThroughputBenchmark {

    static final int BATCH = 1000;

    private ThreadPool jf;
    private ExecutorService juc;
    private final TaskFuture<?>[] jfFutures = new TaskFuture<?>[BATCH];
    private final Future<?>[] jucFutures = new Future<?>[BATCH];

    @Setup
    public void setup() {
        jf = ThreadPool.builder().workers(2).build();
        juc = Executors.newFixedThreadPool(2);
    }

    @TearDown
    public void tearDown() {
        jf.shutdown(true, true);
        juc.shutdownNow();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long jfutures() {
        for (int i = 0; i < BATCH; i++) {
            Integer x = i;
            jfFutures[i] = jf.submit(() -> x);
        }
        long sum = 0;
        for (int i = 0; i < BATCH; i++) {
            sum += (Integer) jfFutures[i].result();
            jfFutures[i] = null;
        }
        return sum;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long juc() throws Exception {
        for (int i = 0; i < BATCH; i++) {
            Integer x = i;
            jucFutures[i] = juc.submit(() -> x);
        }
        long sum = 0;
        for (int i = 0; i < BATCH; i++) {
            sum += (Integer) jucFutures[i].get();
            jucFutures[i] = null;
        }
        return sum;
    }
}
