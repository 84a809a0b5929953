package dev.jfutures.bench;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.IExecutorService;
import dev.jfutures.MapOptions;
import dev.jfutures.TaskFuture;
import dev.jfutures.cluster.ClusterPool;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
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
 * SKIP with the reason. Usage: {@code ClusterBench [--quick] [--rounds N] [--out PATH] [--no-python |
 * --python CMD]}; it prints a table and its targets, and writes them as JSON in the shape of
 * ProcessBench's report, which {@code jfutures bench} reads as its {@code cluster} section.
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

    /** The JSON report's schema. */
    static final String SCHEMA = "jfutures-bench/cluster/1";

    /**
     * Runs the bench.
     *
     * @param args {@code --quick} (one short round), {@code --rounds N} (measured rounds, default
     *     5), {@code --out PATH} (the JSON report; default
     *     {@code jfutures-bench/target/bench-results/cluster.json}), {@code --no-python} (no Dask),
     *     {@code --python CMD} (the interpreter to try first for Dask)
     * @throws Exception if it cannot
     */
    public static void main(String[] args) throws Exception {
        boolean quick = false;
        boolean noPython = false;
        String python = null;
        Integer roundsArg = null;
        Path out = Path.of("jfutures-bench", "target", "bench-results", "cluster.json");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--no-python" -> noPython = true;
                case "--python" -> python = value(args, ++i, "--python");
                case "--rounds" -> roundsArg = Integer.parseInt(value(args, ++i, "--rounds"));
                case "--out" -> out = Path.of(value(args, ++i, "--out"));
                default -> {
                    System.err.println("ClusterBench: unknown option " + args[i]
                            + "; usage: ClusterBench [--quick] [--rounds N] [--out PATH] [--no-python | --python CMD]");
                    System.exit(2);
                }
            }
        }
        int rounds = roundsArg != null ? roundsArg : quick ? 1 : 5;
        int rt = quick ? 500 : 2000;
        int burst = 10_000;
        int unchunkedN = quick ? 5_000 : 20_000;
        int chunkedN = quick ? 20_000 : 100_000;
        double loadStart = CoreBench.loadAverage();
        long wall0 = System.nanoTime();
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
                    v.computeIfAbsent("map_chunked", k -> new ArrayList<>()).add(chunked);
                    v.computeIfAbsent("map_unchunked", k -> new ArrayList<>()).add(unchunked);
                }
            }
        } finally {
            completion.shutdown();
        }
        double rtRatio = Stats.median(v.get("rt_ratio"));
        double submitRatio = Stats.median(v.get("submit_ratio"));
        double mapRatio = Stats.median(v.get("map_ratio"));
        List<String> notes = new ArrayList<>();
        notes.add("One local cluster of 2 worker member JVMs x 2 threads on 127.0.0.1, the caller a lite member;"
                + " raw Hazelcast runs IExecutorService.submitToMember on the same workers, alternating with the pool"
                + " in every round; each ratio is taken within a round, and the figure is the median over "
                + rounds + " measured round(s) after 1 warm-up round.");
        if (quick) {
            notes.add("--quick: smaller N and one round, a smoke run; the targets are meant for the full run.");
        }

        // Dask: submit of the same burst on a LocalCluster of 2 processes x 2 threads.
        List<Double> daskRt = new ArrayList<>();
        List<Double> daskTp = new ArrayList<>();
        String daskVersion = null;
        String daskSkipped;
        String[] dask = noPython ? new String[] {null, "--no-python given"} : daskPython(python);
        if (dask[0] == null) {
            daskSkipped = dask[1];
        } else {
            CpythonRunner.Outcome o = CpythonRunner.run(dask[0], "/dev/jfutures/bench/dask_cluster_bench.py", null,
                    List.of(String.valueOf(rounds), String.valueOf(rt), String.valueOf(burst)), 1800);
            if (!o.ran()) {
                daskSkipped = o.skipped;
            } else {
                daskSkipped = null;
                daskVersion = String.valueOf(o.json.get("dask"));
                @SuppressWarnings("unchecked")
                List<Map<String, Object>> dr = (List<Map<String, Object>>) o.json.get("rounds");
                for (int i = 1; i < dr.size(); i++) {
                    daskRt.add(((Number) dr.get(i).get("rt_us")).doubleValue());
                    daskTp.add(((Number) dr.get(i).get("submit_per_s")).doubleValue());
                }
            }
        }
        double vsDask = daskTp.isEmpty() ? Double.NaN : Stats.median(v.get("submit_pool")) / Stats.median(daskTp);
        if (daskSkipped != null) {
            notes.add("Dask: SKIP (" + daskSkipped + ")");
        } else {
            notes.add("Dask " + daskVersion + ": a LocalCluster of 2 worker processes x 2 threads, client.submit of the"
                    + " same burst, in a subprocess after the jfutures rounds.");
        }

        List<CoreBench.Target> targets = new ArrayList<>();
        targets.add(target(quick, "roundtrip_vs_raw", "round-trip p50 <= 2x raw Hazelcast's", "pool p50 / raw p50",
                rtRatio, "<=", 2));
        targets.add(target(quick, "submit_vs_raw", "submit 10k then wait >= 0.5x raw Hazelcast's",
                "pool tasks/s / raw tasks/s", submitRatio, ">=", 0.5));
        targets.add(target(quick, "map_chunk_speedup", "map, chunk 1000 >= 10x unchunked", "items/s chunked / unchunked",
                mapRatio, ">=", 10));
        targets.add(target(quick, "submit_vs_dask", "submit 10k then wait >= 3x Dask's", "pool tasks/s / Dask tasks/s",
                vsDask, ">=", 3));

        System.out.println();
        System.out.printf(Locale.ROOT, "round trip p50: pool %.0f us vs raw Hazelcast %.0f us = %.2fx%n",
                Stats.median(v.get("rt_pool_us")), Stats.median(v.get("rt_raw_us")), rtRatio);
        System.out.printf(Locale.ROOT, "submit %dk then wait: pool %.0f/s vs raw Hazelcast %.0f/s = %.2fx%n", burst / 1000,
                Stats.median(v.get("submit_pool")), Stats.median(v.get("submit_raw")), submitRatio);
        System.out.printf(Locale.ROOT, "map: chunk 1000 %.0f/s vs unchunked %.0f/s = %.1fx%n",
                Stats.median(v.get("map_chunked")), Stats.median(v.get("map_unchunked")), mapRatio);
        if (!daskTp.isEmpty()) {
            System.out.printf(Locale.ROOT, "Dask %s: round trip p50 %.0f us, submit %dk %.0f/s; pool %.2fx Dask%n",
                    daskVersion, Stats.median(daskRt), burst / 1000, Stats.median(daskTp), vsDask);
        }
        System.out.println("targets:");
        for (CoreBench.Target t : targets) {
            System.out.printf(Locale.ROOT, "  %-5s %-50s %s = %.2f (limit %s %.1f)%n", t.verdict, t.description, t.measure,
                    t.value, t.op, t.threshold);
        }
        for (String n : notes) {
            System.out.println("  - " + n);
        }

        Map<String, Object> root = new LinkedHashMap<>();
        root.put("schema", SCHEMA);
        root.put("timestamp", java.time.Instant.now().toString());
        root.put("mode", quick ? "quick" : "full");
        root.put("wall_seconds", (System.nanoTime() - wall0) / 1e9);
        Map<String, Object> env = new LinkedHashMap<>();
        env.put("java_version", System.getProperty("java.version"));
        env.put("cpus", Runtime.getRuntime().availableProcessors());
        env.put("load_average_start", loadStart);
        env.put("load_average_end", CoreBench.loadAverage());
        env.put("dask", daskVersion);
        env.put("dask_skipped", daskSkipped);
        root.put("environment", env);
        Map<String, Object> conf = new LinkedHashMap<>();
        conf.put("workers", 2);
        conf.put("threads_per_worker", 2);
        conf.put("rounds", rounds);
        conf.put("roundtrip_n", rt);
        conf.put("submit_n", burst);
        conf.put("map_chunked_n", chunkedN);
        conf.put("map_unchunked_n", unchunkedN);
        root.put("config", conf);
        List<Object> cases = new ArrayList<>();
        cases.add(jsonCase("roundtrip_p50", "round trip p50, one tiny task at a time", "us", "lower", rt,
                v.get("rt_pool_us"), v.get("rt_raw_us"), daskRt));
        cases.add(jsonCase("submit_all", "submit " + burst / 1000 + "k, then wait for all", "tasks/s", "higher", burst,
                v.get("submit_pool"), v.get("submit_raw"), daskTp));
        cases.add(jsonCase("map_chunked", "map, chunk 1000", "items/s", "higher", chunkedN, v.get("map_chunked"), null,
                null));
        cases.add(jsonCase("map_unchunked", "map, unchunked", "items/s", "higher", unchunkedN, v.get("map_unchunked"),
                null, null));
        root.put("cases", cases);
        root.put("targets", CoreBench.Target.json(targets));
        root.put("all_targets_met", targets.stream().noneMatch(t -> t.verdict.equals("FAIL")));
        root.put("notes", notes);
        Path abs = out.toAbsolutePath();
        if (abs.getParent() != null) {
            Files.createDirectories(abs.getParent());
        }
        Files.writeString(abs, Json.write(root), StandardCharsets.UTF_8);
        System.out.println();
        System.out.println("JSON written to " + abs);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            System.err.println("ClusterBench: " + option + " needs a value");
            System.exit(2);
        }
        return args[i];
    }

    /** A target; in a quick run every measured one is SKIP, as the other benches do. */
    private static CoreBench.Target target(boolean quick, String id, String description, String measure, double value,
            String op, double threshold) {
        CoreBench.Target t = new CoreBench.Target(id, description, measure, quick ? Double.NaN : value, op, threshold);
        if (quick && !Double.isNaN(value)) {
            t.context = String.format(Locale.ROOT, "--quick: %.2f, not judged (the targets hold for the full run)", value);
        }
        return t;
    }

    private static Map<String, Object> jsonCase(String id, String title, String unit, String better, int n,
            List<Double> jfutures, List<Double> raw, List<Double> dask) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("id", id);
        c.put("title", title);
        c.put("unit", unit);
        c.put("better", better);
        c.put("n", n);
        c.put("jfutures", column(jfutures));
        c.put("raw_hazelcast", column(raw));
        c.put("dask", column(dask));
        return c;
    }

    private static Map<String, Object> column(List<Double> samples) {
        if (samples == null || samples.isEmpty()) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("median", Stats.median(samples));
        m.put("samples", samples);
        return m;
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
    private static String[] daskPython(String first) {
        String why = null;
        List<String> tries = new ArrayList<>();
        if (first != null) {
            tries.add(first);
        }
        tries.add("/usr/bin/python3");
        tries.add("python3");
        for (String python : tries) {
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
