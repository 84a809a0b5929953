package dev.jfutures.bench;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Raw {@code java.util.concurrent}: {@code Executors.newFixedThreadPool(2)}, one pool for the
 * whole run, with the closest hand-written analog of each jfutures call.
 */
final class JucSubject implements Subject {

    private static final Function<Integer, Integer> IDENTITY = x -> x;

    private final ExecutorService pool;

    JucSubject(int workers) {
        this.pool = Executors.newFixedThreadPool(workers);
    }

    @Override
    public String name() {
        return "juc";
    }

    @Override
    public double submitAll(int n) throws Exception {
        List<Future<Integer>> fs = new ArrayList<>(n);
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            Integer x = i;
            fs.add(pool.submit(() -> x));
        }
        long sum = 0;
        for (Future<Integer> f : fs) {
            sum += f.get();
        }
        long dt = System.nanoTime() - t0;
        IntRange.check("juc submitAll", sum, n);
        return n / (dt / 1e9);
    }

    @Override
    public long[] roundTrip(int n) throws Exception {
        long[] lat = new long[n];
        long sum = 0;
        for (int i = 0; i < n; i++) {
            Integer x = i;
            long t0 = System.nanoTime();
            sum += pool.submit(() -> x).get();
            lat[i] = System.nanoTime() - t0;
        }
        IntRange.check("juc roundTrip", sum, n);
        return lat;
    }

    /** A sliding window of {@code buffer} futures: what jfutures' lazy map does, by hand. */
    @Override
    public double map(int n, int buffer) throws Exception {
        long sum = 0;
        long t0 = System.nanoTime();
        Iterator<Integer> in = new IntRange(n).iterator();
        ArrayDeque<Future<Integer>> window = new ArrayDeque<>(buffer + 1);
        while (window.size() < buffer && in.hasNext()) {
            Integer a = in.next();
            window.add(pool.submit(() -> IDENTITY.apply(a)));
        }
        while (!window.isEmpty()) {
            if (in.hasNext()) {
                Integer a = in.next();
                window.add(pool.submit(() -> IDENTITY.apply(a)));
            }
            sum += window.poll().get();
        }
        long dt = System.nanoTime() - t0;
        IntRange.check("juc map", sum, n);
        return n / (dt / 1e9);
    }

    private static Integer pass(CountDownLatch gate, Integer x) {
        try {
            gate.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return x;
    }

    /** {@code CompletableFuture.allOf(...).join()} over futures of tasks run on the fixed pool. */
    @Override
    public double[] waitAll(int n) {
        CountDownLatch gate = new CountDownLatch(1);
        @SuppressWarnings({"unchecked", "rawtypes"})
        CompletableFuture<Integer>[] fs = new CompletableFuture[n];
        for (int i = 0; i < n; i++) {
            Integer x = i;
            fs[i] = CompletableFuture.supplyAsync(() -> pass(gate, x), pool);
        }
        long c0 = CpuClock.nanos();
        long t0 = System.nanoTime();
        gate.countDown();
        CompletableFuture.allOf(fs).join();
        long t1 = System.nanoTime();
        long c1 = CpuClock.nanos();
        for (CompletableFuture<Integer> f : fs) {
            if (!f.isDone()) {
                throw new AssertionError("juc allOf returned before all were done");
            }
        }
        return CpuClock.millis(t0, t1, c0, c1);
    }

    /** An {@link ExecutorCompletionService} on the fixed pool: take() n times. */
    @Override
    public double[] asCompleted(int n) throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        ExecutorCompletionService<Integer> ecs = new ExecutorCompletionService<>(pool);
        for (int i = 0; i < n; i++) {
            Integer x = i;
            ecs.submit(() -> pass(gate, x));
        }
        long sum = 0;
        long c0 = CpuClock.nanos();
        long t0 = System.nanoTime();
        gate.countDown();
        for (int i = 0; i < n; i++) {
            sum += ecs.take().get();
        }
        long t1 = System.nanoTime();
        long c1 = CpuClock.nanos();
        IntRange.check("juc asCompleted", sum, n);
        return CpuClock.millis(t0, t1, c0, c1);
    }

    @Override
    public void close() {
        pool.shutdownNow();
        try {
            pool.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
