package dev.jfutures.bench;

import dev.jfutures.DoneAndNotDone;
import dev.jfutures.Futures;
import dev.jfutures.MapOptions;
import dev.jfutures.MapResults;
import dev.jfutures.TaskFunction;
import dev.jfutures.TaskFuture;
import dev.jfutures.ThreadPool;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/** jfutures: {@code ThreadPool.builder().workers(2).build()}, one pool for the whole run. */
final class JfuturesSubject implements Subject {

    private static final TaskFunction<Integer, Integer> IDENTITY = x -> x;

    private final ThreadPool pool;

    JfuturesSubject(int workers) {
        this.pool = ThreadPool.builder().workers(workers).threadNamePrefix("bench-jfutures").build();
    }

    @Override
    public String name() {
        return "jfutures";
    }

    @Override
    public double submitAll(int n) {
        List<TaskFuture<Integer>> fs = new ArrayList<>(n);
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            Integer x = i;
            fs.add(pool.submit(() -> x));
        }
        long sum = 0;
        for (TaskFuture<Integer> f : fs) {
            sum += f.result();
        }
        long dt = System.nanoTime() - t0;
        IntRange.check("jfutures submitAll", sum, n);
        return n / (dt / 1e9);
    }

    @Override
    public long[] roundTrip(int n) {
        long[] lat = new long[n];
        long sum = 0;
        for (int i = 0; i < n; i++) {
            Integer x = i;
            long t0 = System.nanoTime();
            sum += pool.submit(() -> x).result();
            lat[i] = System.nanoTime() - t0;
        }
        IntRange.check("jfutures roundTrip", sum, n);
        return lat;
    }

    @Override
    public double map(int n, int buffer) {
        long sum = 0;
        long t0 = System.nanoTime();
        try (MapResults<Integer> results = pool.map(IDENTITY, new IntRange(n), MapOptions.defaults().bufferSize(buffer))) {
            for (Integer r : results) {
                sum += r;
            }
        }
        long dt = System.nanoTime() - t0;
        IntRange.check("jfutures map", sum, n);
        return n / (dt / 1e9);
    }

    private List<TaskFuture<Integer>> gated(int n, CountDownLatch gate) {
        List<TaskFuture<Integer>> fs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Integer x = i;
            fs.add(pool.submit(() -> {
                gate.await();
                return x;
            }));
        }
        return fs;
    }

    @Override
    public double[] waitAll(int n) {
        CountDownLatch gate = new CountDownLatch(1);
        List<TaskFuture<Integer>> fs = gated(n, gate);
        long c0 = CpuClock.nanos();
        long t0 = System.nanoTime();
        gate.countDown();
        DoneAndNotDone<TaskFuture<Integer>> r = Futures.wait(fs);
        long t1 = System.nanoTime();
        long c1 = CpuClock.nanos();
        if (r.done().size() != n || !r.notDone().isEmpty()) {
            throw new AssertionError("jfutures wait: " + r.done().size() + " done, " + r.notDone().size() + " not done");
        }
        return CpuClock.millis(t0, t1, c0, c1);
    }

    @Override
    public double[] asCompleted(int n) {
        CountDownLatch gate = new CountDownLatch(1);
        List<TaskFuture<Integer>> fs = gated(n, gate);
        long sum = 0;
        long c0 = CpuClock.nanos();
        long t0 = System.nanoTime();
        gate.countDown();
        for (TaskFuture<Integer> f : Futures.asCompleted(fs)) {
            sum += f.result();
        }
        long t1 = System.nanoTime();
        long c1 = CpuClock.nanos();
        IntRange.check("jfutures asCompleted", sum, n);
        return CpuClock.millis(t0, t1, c0, c1);
    }

    @Override
    public void close() {
        pool.shutdown(true, true);
    }
}
