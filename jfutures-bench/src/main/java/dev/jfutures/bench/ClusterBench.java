package dev.jfutures.bench;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.IExecutorService;
import dev.jfutures.MapOptions;
import dev.jfutures.TaskFuture;
import dev.jfutures.cluster.ClusterPool;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The cluster pool side by side with raw Hazelcast, in one run on one local cluster of 2 worker
 * member JVMs (2 threads each) on 127.0.0.1: the same workers run both sides' tasks, rounds
 * alternate, and each target is a ratio within a round's pair.
 *
 * <ul>
 *   <li>round trip: one tiny task at a time, p50, against raw {@code IExecutorService.submitToMember}
 *       and {@code get()};
 *   <li>submit 10k tiny tasks, then wait: against raw {@code submitToMember} whose futures complete
 *       through a real executor (one thread of ours, not Hazelcast's default, which on 2 CPUs
 *       starts a thread per future);
 *   <li>map over 100k inputs, chunked (chunk 1000) against unchunked (20k inputs, the rate compared).
 * </ul>
 *
 * <p>Dask (python3-distributed) is the other comparison; where it is not installed, its rows are
 * SKIP with the reason. Usage: {@code ClusterBench [--quick]}.
 */
public final class ClusterBench {

    private ClusterBench() {
    }

    /** A raw Hazelcast task: returns its number. */
    static final class Echo implements Callable<Integer>, Serializable {
        private static final long serialVersionUID = 1L;
        private final int x;

        Echo(int x) {
            this.x = x;
        }

        @Override
        public Integer call() {
            return x;
        }
    }

    static int same(int x) {
        return x;
    }

    /**
     * Runs the bench.
     *
     * @param args {@code --quick} for one short round
     * @throws Exception if it cannot
     */
    public static void main(String[] args) throws Exception {
        boolean quick = Arrays.asList(args).contains("--quick");
        int rounds = quick ? 1 : 5;
        int rt = quick ? 500 : 2000;
        int burst = 10_000;
        Map<String, List<Double>> v = new TreeMap<>();
        ExecutorService completion = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "raw-hazelcast-completion");
            t.setDaemon(true);
            return t;
        });
        long t0 = System.nanoTime();
        try (ClusterPool pool = ClusterPool.builder().localMembers(2).threadsPerMember(2).name("cluster-bench").build()) {
            System.out.printf(Locale.ROOT, "cluster of 2 workers x 2 threads up in %.1f s%n", (System.nanoTime() - t0) / 1e9);
            HazelcastInstance hz = pool.hazelcastInstance();
            List<Member> workers = new ArrayList<>();
            for (Member m : hz.getCluster().getMembers()) {
                if (!m.localMember()) {
                    workers.add(m);
                }
            }
            IExecutorService raw = hz.getExecutorService("jfutures-tasks");
            // warm-up, both sides
            for (int i = 0; i < 500; i++) {
                raw.submitToMember(new Echo(i), workers.get(i % 2)).get();
                int x = i;
                pool.submit(() -> x).result();
            }
            for (int r = 0; r < rounds + 1; r++) {
                boolean measured = r > 0;
                long[] a = new long[rt];
                long[] b = new long[rt];
                for (int i = 0; i < rt; i++) {
                    long s = System.nanoTime();
                    raw.submitToMember(new Echo(i), workers.get(i % 2)).get();
                    a[i] = System.nanoTime() - s;
                    int x = i;
                    s = System.nanoTime();
                    pool.submit(() -> x).result();
                    b[i] = System.nanoTime() - s;
                }
                Arrays.sort(a);
                Arrays.sort(b);
                double rawRt = Stats.percentile(a, 0.5) / 1e3;
                double poolRt = Stats.percentile(b, 0.5) / 1e3;

                CountDownLatch done = new CountDownLatch(burst);
                AtomicReference<Throwable> failed = new AtomicReference<>();
                long s = System.nanoTime();
                for (int i = 0; i < burst; i++) {
                    @SuppressWarnings("unchecked")
                    CompletionStage<Integer> f = (CompletionStage<Integer>) raw.submitToMember(new Echo(i), workers.get(i % 2));
                    f.whenCompleteAsync((x, e) -> {
                        if (e != null) {
                            failed.set(e);
                        }
                        done.countDown();
                    }, completion);
                }
                if (!done.await(10, TimeUnit.MINUTES) || failed.get() != null) {
                    throw new IllegalStateException("raw Hazelcast burst failed: " + failed.get());
                }
                double rawTp = burst / ((System.nanoTime() - s) / 1e9);
                s = System.nanoTime();
                List<TaskFuture<Integer>> fs = new ArrayList<>(burst);
                for (int i = 0; i < burst; i++) {
                    int x = i;
                    fs.add(pool.submit(() -> x));
                }
                for (TaskFuture<Integer> f : fs) {
                    f.result();
                }
                double poolTp = burst / ((System.nanoTime() - s) / 1e9);

                int unchunkedN = quick ? 5_000 : 20_000;
                int chunkedN = quick ? 20_000 : 100_000;
                double unchunked = mapRate(pool, unchunkedN, 1);
                double chunked = mapRate(pool, chunkedN, 1000);
                System.out.printf(Locale.ROOT, "%s round %d: round trip p50 raw %.0f us, pool %.0f us (%.2fx) | submit %dk"
                        + " raw %.0f/s, pool %.0f/s (%.2fx) | map chunk 1000 %.0f/s, unchunked %.0f/s (%.1fx)%n",
                        measured ? "measured" : "warm-up", r, rawRt, poolRt, poolRt / rawRt, burst / 1000, rawTp, poolTp,
                        poolTp / rawTp, chunked, unchunked, chunked / unchunked);
                if (measured) {
                    v.computeIfAbsent("rt_ratio", k -> new ArrayList<>()).add(poolRt / rawRt);
                    v.computeIfAbsent("rt_raw_us", k -> new ArrayList<>()).add(rawRt);
                    v.computeIfAbsent("rt_pool_us", k -> new ArrayList<>()).add(poolRt);
                    v.computeIfAbsent("submit_ratio", k -> new ArrayList<>()).add(poolTp / rawTp);
                    v.computeIfAbsent("submit_raw", k -> new ArrayList<>()).add(rawTp);
                    v.computeIfAbsent("submit_pool", k -> new ArrayList<>()).add(poolTp);
                    v.computeIfAbsent("map_ratio", k -> new ArrayList<>()).add(chunked / unchunked);
                }
            }
        } finally {
            completion.shutdown();
        }
        double rtRatio = Stats.median(v.get("rt_ratio"));
        double submitRatio = Stats.median(v.get("submit_ratio"));
        double mapRatio = Stats.median(v.get("map_ratio"));
        System.out.println();
        System.out.printf(Locale.ROOT, "round trip p50: pool %.0f us vs raw Hazelcast %.0f us = %.2fx (target <= 2x): %s%n",
                Stats.median(v.get("rt_pool_us")), Stats.median(v.get("rt_raw_us")), rtRatio, verdict(quick, rtRatio <= 2));
        System.out.printf(Locale.ROOT, "submit 10k then wait: pool %.0f/s vs raw Hazelcast %.0f/s = %.2fx (target >= 0.5x): %s%n",
                Stats.median(v.get("submit_pool")), Stats.median(v.get("submit_raw")), submitRatio,
                verdict(quick, submitRatio >= 0.5));
        System.out.printf(Locale.ROOT, "map chunked vs unchunked: %.1fx (target >= 10x): %s%n", mapRatio,
                verdict(quick, mapRatio >= 10));
        String[] dask = daskPython();
        if (dask[0] == null) {
            System.out.println("submit 10k vs Dask (target >= 3x): SKIP (" + dask[1] + ")");
            return;
        }
        CpythonRunner.Outcome o = CpythonRunner.run(dask[0], "/dev/jfutures/bench/dask_cluster_bench.py", null,
                List.of(String.valueOf(rounds), String.valueOf(rt), String.valueOf(burst)), 1800);
        if (!o.ran()) {
            System.out.println("submit 10k vs Dask (target >= 3x): SKIP (" + o.skipped + ")");
            return;
        }
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> dr = (List<Map<String, Object>>) o.json.get("rounds");
        List<Double> daskRt = new ArrayList<>();
        List<Double> daskTp = new ArrayList<>();
        for (int i = 1; i < dr.size(); i++) {
            daskRt.add(((Number) dr.get(i).get("rt_us")).doubleValue());
            daskTp.add(((Number) dr.get(i).get("submit_per_s")).doubleValue());
        }
        double vsDask = Stats.median(v.get("submit_pool")) / Stats.median(daskTp);
        System.out.printf(Locale.ROOT, "Dask %s, LocalCluster 2 processes x 2 threads: round trip p50 %.0f us, submit %dk"
                + " %.0f/s%n", o.json.get("dask"), Stats.median(daskRt), burst / 1000, Stats.median(daskTp));
        System.out.printf(Locale.ROOT, "submit 10k then wait: pool %.0f/s vs Dask %.0f/s = %.2fx (target >= 3x): %s%n",
                Stats.median(v.get("submit_pool")), Stats.median(daskTp), vsDask, verdict(quick, vsDask >= 3));
    }

    private static String verdict(boolean quick, boolean pass) {
        return quick ? "SKIP (--quick: the targets hold for the full run)" : pass ? "PASS" : "FAIL";
    }

    /** Items per second of a map over n inputs with the chunk size. */
    private static double mapRate(ClusterPool pool, int n, int chunk) {
        List<Integer> inputs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            inputs.add(i);
        }
        long s = System.nanoTime();
        long sum = 0;
        for (int x : pool.map(ClusterBench::same, inputs, MapOptions.defaults().chunkSize(chunk))) {
            sum += x;
        }
        if (sum != (long) n * (n - 1) / 2) {
            throw new IllegalStateException("map lost or changed items: sum " + sum);
        }
        return n / ((System.nanoTime() - s) / 1e9);
    }

    /** The interpreter that imports Dask's distributed: Debian's first, then the PATH's; or why none. */
    private static String[] daskPython() {
        String why = null;
        for (String python : new String[] {"/usr/bin/python3", "python3"}) {
            try {
                Process p = new ProcessBuilder(python, "-c", "import distributed").redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
                if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return new String[] {python, null};
                }
                String last = out.isEmpty() ? "" : out.substring(out.lastIndexOf('\n') + 1);
                why = why != null ? why : python + " cannot import distributed (Debian: apt-get install python3-distributed): " + last;
            } catch (Exception e) {
                why = why != null ? why : "no " + python + ": " + e.getMessage();
            }
        }
        return new String[] {null, why};
    }
}
