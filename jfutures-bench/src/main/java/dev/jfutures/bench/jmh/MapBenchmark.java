package dev.jfutures.bench.jmh;

import dev.jfutures.MapOptions;
import dev.jfutures.MapResults;
import dev.jfutures.TaskFunction;
import dev.jfutures.ThreadPool;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The lazy, bounded, ordered map: items per second over {@value #N} inputs with at most {@code
 * buffer} tasks in flight; jfutures' {@code map} against a hand-written sliding window of futures
 * on {@code Executors.newFixedThreadPool}, both with 2 workers.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class MapBenchmark {

    static final int N = 10_000;
    private static final TaskFunction<Integer, Integer> IDENTITY = x -> x;

    @Param({"1024"})
    public int buffer;

    private ThreadPool jf;
    private ExecutorService juc;
    private List<Integer> inputs;

    @Setup
    public void setup() {
        jf = ThreadPool.builder().workers(2).build();
        juc = Executors.newFixedThreadPool(2);
        inputs = new ArrayList<>(N);
        for (int i = 0; i < N; i++) {
            inputs.add(i);
        }
    }

    @TearDown
    public void tearDown() {
        jf.shutdown(true, true);
        juc.shutdownNow();
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public long jfutures() {
        long sum = 0;
        try (MapResults<Integer> r = jf.map(IDENTITY, inputs, MapOptions.defaults().bufferSize(buffer))) {
            for (Integer v : r) {
                sum += v;
            }
        }
        return sum;
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public long juc() throws Exception {
        long sum = 0;
        Iterator<Integer> in = inputs.iterator();
        ArrayDeque<Future<Integer>> window = new ArrayDeque<>(buffer + 1);
        while (window.size() < buffer && in.hasNext()) {
            Integer a = in.next();
            window.add(juc.submit(() -> IDENTITY.apply(a)));
        }
        while (!window.isEmpty()) {
            if (in.hasNext()) {
                Integer a = in.next();
                window.add(juc.submit(() -> IDENTITY.apply(a)));
            }
            sum += window.poll().get();
        }
        return sum;
    }
}
