package dev.jfutures.bench.jmh;

import dev.jfutures.ThreadPool;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One task at a time: submit, then wait for its result. Sampled, so JMH prints p50, p90, p99 and
 * more; jfutures' {@code ThreadPool} against {@code Executors.newFixedThreadPool}, both with 2
 * workers.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RoundTripBenchmark {

    private ThreadPool jf;
    private ExecutorService juc;
    private int next;

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
    public Integer jfutures() {
        Integer x = next++;
        return jf.submit(() -> x).result();
    }

    @Benchmark
    public Integer juc() throws Exception {
        Integer x = next++;
        return juc.submit(() -> x).get();
    }
}
