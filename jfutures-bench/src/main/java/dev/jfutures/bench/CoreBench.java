package dev.jfutures.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The side-by-side runner: jfutures' {@code ThreadPool} (2 workers) against a raw {@code
 * Executors.newFixedThreadPool(2)} and CPython's {@code ThreadPoolExecutor(max_workers=2)}, in one
 * run, on the same machine. Prints a table of medians and ratios and the targets with PASS/FAIL,
 * and writes the same figures as JSON. See {@code docs/bench.md}.
 *
 * <pre>
 * java -cp jfutures-bench/target/benchmarks.jar dev.jfutures.bench.CoreBench [--quick] [--out PATH]
 *      [--no-python] [--python CMD] [--python-script PATH] [--rounds N]
 * </pre>
 *
 * <p>The JVM subjects share the process: warmed up first, then measured in alternating rounds
 * (jfutures then juc, juc then jfutures, ...), with a GC before every measured run, so that noise
 * and drift hit both alike. CPython runs afterwards in a subprocess, never at the same time. The
 * exit code is 0 even when a target fails: this is a report.
 */
public final class CoreBench {

    static final String SCHEMA = "jfutures-bench/core/1";
    static final int WORKERS = 2;
    /** Round trips run in this many alternating blocks per round. */
    static final int RT_BLOCKS = 10;
    /** Runs of the small wait / asCompleted size per round, against one of the large. */
    static final int SMALL_PER_ROUND = 5;

    /** Run sizes and round counts; {@code --quick} is a smoke run. */
    static final class Config {
        boolean quick;
        Path out;
        boolean python = true;
        String pythonCmd = "python3";
        Path pythonScript;
        int roundsOverride;

        int submitN;
        int roundTripN;
        int mapN;
        int mapBuffer = 1024;
        int waitSmall;
        int waitLarge;
        int globalWarmup;
        int[] submitRounds;     // {warm-up, measured}
        int[] roundTripRounds;
        int[] mapRounds;
        int[] waitRounds;
        List<String> pythonArgs;

        void sizes() {
            if (quick) {
                submitN = 20_000;
                roundTripN = 2_000;
                mapN = 100_000;
                waitSmall = 2_000;
                waitLarge = 20_000;
                globalWarmup = 1;
                submitRounds = new int[] {3, 5};
                roundTripRounds = new int[] {2, 3};
                mapRounds = new int[] {1, 3};
                waitRounds = new int[] {2, 3};
            } else {
                submitN = 100_000;
                roundTripN = 10_000;
                mapN = 1_000_000;
                waitSmall = 10_000;
                waitLarge = 100_000;
                globalWarmup = 2;
                submitRounds = new int[] {5, 15};
                roundTripRounds = new int[] {3, 11};
                mapRounds = new int[] {2, 7};
                waitRounds = new int[] {3, 9};
            }
            if (roundsOverride > 0) {
                for (int[] r : new int[][] {submitRounds, roundTripRounds, mapRounds, waitRounds}) {
                    r[1] = roundsOverride;
                }
            }
            pythonArgs = List.of(
                    "--submit", String.valueOf(submitN),
                    "--roundtrip", String.valueOf(roundTripN),
                    "--map", String.valueOf(mapN),
                    "--wait-small", String.valueOf(waitSmall),
                    "--wait-large", String.valueOf(waitLarge),
                    "--repeats", quick ? "1" : "3",
                    "--map-repeats", quick ? "1" : "3",
                    "--warmup", "1");
        }
    }

    /** One measurement that yields one or more figures per run. */
    @FunctionalInterface
    interface Measure {
        double[] run(Subject s) throws Exception;
    }

    /** One row of the table. */
    static final class Row {
        final String id;
        final String title;
        final String unit;
        final boolean higherIsBetter;
        final boolean derived;
        final Integer n;
        double jf = Double.NaN;
        double juc = Double.NaN;
        double cpy = Double.NaN;
        List<Double> jfSamples = List.of();
        List<Double> jucSamples = List.of();
        List<Double> cpySamples = List.of();

        Row(String id, String title, String unit, boolean higherIsBetter, boolean derived, Integer n) {
            this.id = id;
            this.title = title;
            this.unit = unit;
            this.higherIsBetter = higherIsBetter;
            this.derived = derived;
            this.n = n;
        }

        /** >1 means jfutures is better. */
        double ratio(double other) {
            if (derived) {
                return Double.NaN;
            }
            return higherIsBetter ? jf / other : other / jf;
        }
    }

    /** One target with its verdict. */
    static final class Target {
        final String id;
        final String description;
        final String measure;
        final double value;
        final String op;
        final double threshold;
        final String verdict;
        /** Figures that help read the verdict (the juc control, the CPU-time ratio); may be empty. */
        String context = "";

        /** The targets as the reports' JSON has them (a NaN value is written as null). */
        static List<Object> json(List<Target> targets) {
            List<Object> ts = new ArrayList<>();
            for (Target t : targets) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("id", t.id);
                m.put("description", t.description);
                m.put("measure", t.measure);
                m.put("value", t.value);
                m.put("op", t.op);
                m.put("threshold", t.threshold);
                m.put("verdict", t.verdict);
                m.put("context", t.context.isEmpty() ? null : t.context);
                ts.add(m);
            }
            return ts;
        }

        Target(String id, String description, String measure, double value, String op, double threshold) {
            this.id = id;
            this.description = description;
            this.measure = measure;
            this.value = value;
            this.op = op;
            this.threshold = threshold;
            if (Double.isNaN(value)) {
                this.verdict = "SKIP";
            } else {
                boolean ok = op.equals(">=") ? value >= threshold
                        : op.equals("<") ? value < threshold
                        : value <= threshold;
                this.verdict = ok ? "PASS" : "FAIL";
            }
        }
    }

    private final Config cfg;
    private final PrintStream log = System.err;
    private final Subject jf;
    private final Subject juc;
    /** subject name -> figure id -> samples. */
    private final Map<String, Map<String, List<Double>>> samples = new LinkedHashMap<>();
    private double loadStart = Double.NaN;
    private double loadEnd = Double.NaN;

    private CoreBench(Config cfg) {
        this.cfg = cfg;
        this.jf = new JfuturesSubject(WORKERS);
        this.juc = new JucSubject(WORKERS);
        samples.put(jf.name(), new LinkedHashMap<>());
        samples.put(juc.name(), new LinkedHashMap<>());
    }

    public static void main(String[] args) throws Exception {
        Config cfg;
        try {
            cfg = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("CoreBench: " + e.getMessage());
            System.err.println(usage());
            System.exit(2);
            return;
        }
        if (cfg == null) {
            System.out.println(usage());
            return;
        }
        new CoreBench(cfg).runAll();
    }

    static String usage() {
        return "usage: java -cp jfutures-bench/target/benchmarks.jar dev.jfutures.bench.CoreBench [options]\n"
                + "  --quick              smoke run: smaller N, fewer rounds (well under a minute)\n"
                + "  --out PATH           JSON output (default jfutures-bench/target/bench-results/core.json)\n"
                + "  --no-python          skip the CPython columns\n"
                + "  --python CMD         the CPython to run (default python3)\n"
                + "  --python-script PATH use this cpython_core_bench.py instead of the copy in the jar\n"
                + "  --rounds N           measured rounds per JVM case (default 15/11/7/9; quick 5/3/3/3)\n"
                + "  --help";
    }

    static Config parse(String[] args) {
        Config c = new Config();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--quick":
                    c.quick = true;
                    break;
                case "--out":
                    c.out = Path.of(value(args, ++i, a));
                    break;
                case "--no-python":
                    c.python = false;
                    break;
                case "--python":
                    c.pythonCmd = value(args, ++i, a);
                    break;
                case "--python-script":
                    c.pythonScript = Path.of(value(args, ++i, a));
                    break;
                case "--rounds":
                    try {
                        c.roundsOverride = Integer.parseInt(value(args, ++i, a));
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--rounds takes a positive integer");
                    }
                    if (c.roundsOverride < 1) {
                        throw new IllegalArgumentException("--rounds takes a positive integer");
                    }
                    break;
                case "--help":
                case "-h":
                    return null;
                default:
                    throw new IllegalArgumentException("unknown argument: " + a);
            }
        }
        if (c.out == null) {
            c.out = defaultOut();
        }
        c.sizes();
        return c;
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return args[i];
    }

    /** target/bench-results/core.json beside the jar or classes this runs from, else relative to the cwd. */
    static Path defaultOut() {
        return defaultOut("core.json");
    }

    /** target/bench-results/FILE beside the jar or classes this runs from, else relative to the cwd. */
    static Path defaultOut(String file) {
        try {
            Path src = Path.of(CoreBench.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path target = src.getParent();
            if (target != null && target.getFileName() != null && target.getFileName().toString().equals("target")
                    && target.getParent() != null && target.getParent().getFileName() != null
                    && target.getParent().getFileName().toString().equals("jfutures-bench")) {
                return target.resolve("bench-results").resolve(file);
            }
        } catch (Exception ignored) {
            // fall back to the path relative to the repository root
        }
        return Path.of("jfutures-bench", "target", "bench-results", file);
    }

    // ------------------------------------------------------------------------------------ run

    /** The 1-minute load average from /proc/loadavg, or NaN where there is none. */
    static double loadAverage() {
        try {
            String text = Files.readString(Path.of("/proc/loadavg"), StandardCharsets.US_ASCII);
            return Double.parseDouble(text.trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    private void runAll() throws Exception {
        long start = System.nanoTime();
        loadStart = loadAverage();
        log.printf(Locale.ROOT, "CoreBench (%s): jfutures ThreadPool(workers=%d) vs juc newFixedThreadPool(%d)%s%n",
                cfg.quick ? "quick" : "full", WORKERS, WORKERS, cfg.python ? " vs CPython " + cfg.pythonCmd : "");
        try {
            measureJvm();
        } finally {
            jf.close();
            juc.close();
        }
        CpythonRunner.Outcome py;
        if (!cfg.python) {
            py = CpythonRunner.Outcome.skipped("--no-python given");
        } else {
            log.println("running CPython " + String.join(" ", cfg.pythonArgs) + " ...");
            py = CpythonRunner.run(cfg.pythonCmd, cfg.pythonScript, cfg.pythonArgs, cfg.quick ? 300 : 1200);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        loadEnd = loadAverage();
        List<Row> rows = rows(py);
        List<Target> targets = targets(rows, py);
        List<String> notes = notes(py);
        print(System.out, rows, targets, notes, py, seconds);
        writeJson(rows, targets, notes, py, seconds);
    }

    private void measureJvm() throws Exception {
        log.println("warming up both JVM subjects (" + cfg.globalWarmup + " untimed passes over every case) ...");
        for (int w = 0; w < cfg.globalWarmup; w++) {
            for (Subject s : new Subject[] {jf, juc}) {
                s.submitAll(20_000);
                s.roundTrip(2_000);
                s.map(100_000, cfg.mapBuffer);
                s.waitAll(2_000);
                s.asCompleted(2_000);
            }
        }
        interleaved("submit_all", new String[] {"submit_all"}, cfg.submitRounds,
                s -> new double[] {s.submitAll(cfg.submitN)});
        roundTrips();
        interleaved("map", new String[] {"map"}, cfg.mapRounds,
                s -> new double[] {s.map(cfg.mapN, cfg.mapBuffer)});
        // The small size is cheap and, at a few ms, the noisier: SMALL_PER_ROUND samples of it per round.
        waitLike("wait", (s, n) -> s.waitAll(n));
        waitLike("as_completed", (s, n) -> s.asCompleted(n));
    }

    /** One wait-like measurement: {wall ms, cpu ms} for n gated futures. */
    @FunctionalInterface
    interface WaitMeasure {
        double[] run(Subject s, int n) throws Exception;
    }

    private void waitLike(String id, WaitMeasure m) throws Exception {
        String[] figures = new String[2 * (SMALL_PER_ROUND + 1)];
        for (int i = 0; i < SMALL_PER_ROUND; i++) {
            figures[2 * i] = id + "_small";
            figures[2 * i + 1] = id + "_small_cpu";
        }
        figures[2 * SMALL_PER_ROUND] = id + "_large";
        figures[2 * SMALL_PER_ROUND + 1] = id + "_large_cpu";
        interleaved(id, figures, cfg.waitRounds, s -> {
            double[] v = new double[figures.length];
            for (int i = 0; i <= SMALL_PER_ROUND; i++) {
                if (i > 0) {
                    System.gc();
                }
                double[] r = m.run(s, i < SMALL_PER_ROUND ? cfg.waitSmall : cfg.waitLarge);
                v[2 * i] = r[0];
                v[2 * i + 1] = r[1];
            }
            return v;
        });
    }

    /**
     * Round trips, interleaved finer than the other cases: each round runs the N round trips of
     * each subject in {@link #RT_BLOCKS} alternating blocks, then takes p50 and p99 over the N.
     */
    private void roundTrips() throws Exception {
        int warm = cfg.roundTripRounds[0];
        int measured = cfg.roundTripRounds[1];
        int per = cfg.roundTripN / RT_BLOCKS;
        log.printf(Locale.ROOT, "%-13s %d warm-up + %d measured rounds, in blocks of %d, interleaved ...",
                "roundtrip", warm, measured, per);
        long t0 = System.nanoTime();
        Subject[] subjects = {jf, juc};
        for (int r = 0; r < warm + measured; r++) {
            System.gc();
            long[][] lat = new long[2][per * RT_BLOCKS];
            for (int b = 0; b < RT_BLOCKS; b++) {
                boolean jfFirst = (r + b) % 2 == 0;
                for (int k = 0; k < 2; k++) {
                    int i = jfFirst ? k : 1 - k;
                    System.arraycopy(subjects[i].roundTrip(per), 0, lat[i], b * per, per);
                }
            }
            if (r >= warm) {
                for (int i = 0; i < 2; i++) {
                    double[] p = Stats.p50p99Micros(lat[i]);
                    Map<String, List<Double>> m = samples.get(subjects[i].name());
                    m.computeIfAbsent("roundtrip_p50", x -> new ArrayList<>()).add(p[0]);
                    m.computeIfAbsent("roundtrip_p99", x -> new ArrayList<>()).add(p[1]);
                }
            }
        }
        log.printf(Locale.ROOT, " %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }

    /** Warm-up rounds, then measured rounds; each round runs both subjects, alternating who goes first. */
    private void interleaved(String label, String[] figures, int[] rounds, Measure m) throws Exception {
        int warm = rounds[0];
        int measured = rounds[1];
        log.printf(Locale.ROOT, "%-13s %d warm-up + %d measured rounds, interleaved ...", label, warm, measured);
        long t0 = System.nanoTime();
        for (int r = 0; r < warm + measured; r++) {
            Subject[] order = r % 2 == 0 ? new Subject[] {jf, juc} : new Subject[] {juc, jf};
            for (Subject s : order) {
                System.gc();
                double[] v = m.run(s);
                if (r >= warm) {
                    for (int k = 0; k < figures.length; k++) {
                        samples.get(s.name()).computeIfAbsent(figures[k], x -> new ArrayList<>()).add(v[k]);
                    }
                }
            }
        }
        log.printf(Locale.ROOT, " %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }

    private double median(Subject s, String figure) {
        return Stats.median(samples(s, figure));
    }

    private List<Double> samples(Subject s, String figure) {
        return samples.get(s.name()).getOrDefault(figure, List.of());
    }

    // ------------------------------------------------------------------------------------ report

    private List<Row> rows(CpythonRunner.Outcome py) {
        List<Row> rows = new ArrayList<>();
        rows.add(row("submit_all", "submit " + k(cfg.submitN) + " tasks, then wait for all", "tasks/s", true,
                cfg.submitN, py));
        rows.add(row("roundtrip_p50", "round trip (submit, result) p50, " + k(cfg.roundTripN) + " x", "us", false,
                cfg.roundTripN, py));
        rows.add(row("roundtrip_p99", "round trip (submit, result) p99, " + k(cfg.roundTripN) + " x", "us", false,
                cfg.roundTripN, py));
        rows.add(row("map", "map over " + k(cfg.mapN) + ", buffer " + cfg.mapBuffer + " (CPython: eager)", "items/s",
                true, cfg.mapN, py));
        for (String w : new String[] {"wait", "as_completed"}) {
            String name = w.equals("wait") ? "wait" : "asCompleted";
            for (String clock : new String[] {"", "_cpu"}) {
                String what = clock.isEmpty() ? " wall" : " CPU";
                Row small = row(w + "_small" + clock, name + what + ", " + k(cfg.waitSmall) + " gated futures",
                        "ms", false, cfg.waitSmall, py);
                Row large = row(w + "_large" + clock, name + what + ", " + k(cfg.waitLarge) + " gated futures",
                        "ms", false, cfg.waitLarge, py);
                Row lin = new Row(w + "_linearity" + clock, name + what + " linearity " + k(cfg.waitLarge) + "/"
                        + k(cfg.waitSmall), "x", false, true, null);
                lin.jf = large.jf / small.jf;
                lin.juc = large.juc / small.juc;
                lin.cpy = large.cpy / small.cpy;
                rows.add(small);
                rows.add(large);
                rows.add(lin);
            }
        }
        return rows;
    }

    private Row row(String id, String title, String unit, boolean higher, int n, CpythonRunner.Outcome py) {
        Row r = new Row(id, title, unit, higher, false, n);
        r.jf = median(jf, id);
        r.juc = median(juc, id);
        r.jfSamples = samples(jf, id);
        r.jucSamples = samples(juc, id);
        if (py.ran()) {
            r.cpy = py.median(id);
            r.cpySamples = py.samples(id);
        }
        return r;
    }

    private static Row find(List<Row> rows, String id) {
        return rows.stream().filter(r -> r.id.equals(id)).findFirst().orElseThrow();
    }

    private List<Target> targets(List<Row> rows, CpythonRunner.Outcome py) {
        Row submit = find(rows, "submit_all");
        Row p50 = find(rows, "roundtrip_p50");
        String lin = k(cfg.waitLarge) + " / " + k(cfg.waitSmall);
        List<Target> t = new ArrayList<>();
        t.add(new Target("submit_vs_juc", "submit-all-then-wait throughput >= 0.8x raw ThreadPoolExecutor",
                "jfutures tasks/s / juc tasks/s", submit.jf / submit.juc, ">=", 0.8));
        t.add(new Target("submit_vs_cpython", "submit-all-then-wait throughput >= 30x CPython",
                "jfutures tasks/s / CPython tasks/s", py.ran() ? submit.jf / submit.cpy : Double.NaN, ">=", 30));
        t.add(new Target("roundtrip_p50_vs_juc", "round-trip p50 <= 1.5x raw ThreadPoolExecutor's",
                "jfutures p50 / juc p50", p50.jf / p50.juc, "<=", 1.5));
        for (String w : new String[] {"wait", "as_completed"}) {
            Row wall = find(rows, w + "_linearity");
            Row cpu = find(rows, w + "_linearity_cpu");
            Target target = new Target(w + "_linearity", (w.equals("wait") ? "wait" : "asCompleted")
                    + ": time over " + k(cfg.waitLarge) + " <= 15x time over " + k(cfg.waitSmall),
                    "jfutures wall time " + lin, wall.jf, "<=", 15);
            target.context = String.format(Locale.ROOT, "CPU-time ratio %.2f; juc control: wall %.2f, CPU %.2f",
                    cpu.jf, wall.juc, cpu.juc);
            t.add(target);
        }
        return t;
    }

    private List<String> notes(CpythonRunner.Outcome py) {
        List<String> n = new ArrayList<>();
        n.add("Ratio columns are oriented so that >1 means jfutures is better: for throughput jfutures/other, "
                + "for latency and time other/jfutures.");
        n.add("Figures are medians over the measured rounds; jfutures and juc ran interleaved in one JVM "
                + "(alternating rounds; round trips in " + RT_BLOCKS + " alternating blocks per round, p50/p99 per "
                + "round), CPython afterwards in a subprocess. The small wait/asCompleted size is sampled "
                + SMALL_PER_ROUND + " times per round.");
        n.add("map: jfutures map(fn, inputs, MapOptions.defaults().bufferSize(" + cfg.mapBuffer + ")); juc a "
                + "hand-written sliding window of " + cfg.mapBuffer + " futures; CPython " + "3.11's "
                + "Executor.map is eager (no buffersize before 3.14): it submits all " + k(cfg.mapN)
                + " inputs before the first result.");
        n.add("wait / asCompleted: N tasks gated on one latch (2 workers block on it, the rest queue); the clocks "
                + "start right before the latch opens and stop at the end of the wait / the last future, so the "
                + "time includes running the N tasks. wall = elapsed; CPU = CPU time of all JVM threads (CPython: "
                + "process_time) over the same window, which waiting for a CPU on a loaded machine does not "
                + "inflate. juc analogs: CompletableFuture.allOf(supplyAsync(.., pool)...).join() and "
                + "ExecutorCompletionService.take(); CPython: concurrent.futures.wait / as_completed.");
        double load = Math.max(loadStart, loadEnd);
        if (load > Runtime.getRuntime().availableProcessors()) {
            n.add(String.format(Locale.ROOT, "WARNING: the machine was loaded (1-minute load average %.1f at the "
                    + "start, %.1f at the end, on %d CPUs): wall-clock figures are inflated, the longer runs most, "
                    + "so the wall-time linearity ratios read high; compare jfutures with the juc control in the "
                    + "same run, and the CPU-time rows.", loadStart, loadEnd,
                    Runtime.getRuntime().availableProcessors()));
        }
        if (cfg.quick) {
            n.add("--quick: smaller N and few rounds, a smoke run; the targets are meant for the full run.");
        }
        if (!py.ran()) {
            n.add("CPython columns skipped: " + py.skipped);
        } else if (py.version != null && !py.version.startsWith("3.11")) {
            n.add("CPython here is " + py.version + ", not the 3.11 the targets were set against.");
        }
        return n;
    }

    private static String k(int n) {
        if (n % 1_000_000 == 0) {
            return n / 1_000_000 + "M";
        }
        if (n % 1_000 == 0) {
            return n / 1_000 + "k";
        }
        return String.valueOf(n);
    }

    private static String fmt(double v, String unit) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "-";
        }
        switch (unit) {
            case "tasks/s":
            case "items/s":
                return String.format(Locale.ROOT, "%,.0f", v);
            case "us":
                return String.format(Locale.ROOT, "%.1f", v);
            case "ms":
                return String.format(Locale.ROOT, "%.2f", v);
            default:
                return String.format(Locale.ROOT, "%.2f", v);
        }
    }

    private static String ratio(double r) {
        return Double.isNaN(r) || Double.isInfinite(r) ? "-" : String.format(Locale.ROOT, "%.2fx", r);
    }

    private void print(PrintStream out, List<Row> rows, List<Target> targets, List<String> notes,
                       CpythonRunner.Outcome py, double seconds) {
        out.println();
        out.printf(Locale.ROOT, "jfutures CoreBench (%s run, %.0f s): Java %s, %d CPUs, CPython %s, "
                        + "load average %.1f -> %.1f%n",
                cfg.quick ? "quick" : "full", seconds, System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors(), py.ran() ? py.version : "skipped", loadStart, loadEnd);
        String fmt = "%-46s %-8s %13s %13s %13s %9s %9s%n";
        out.printf(Locale.ROOT, fmt, "case", "unit", "jfutures", "juc", "cpython", "jf/juc", "jf/cpy");
        out.println("-".repeat(46 + 8 + 13 * 3 + 9 * 2 + 6));
        for (Row r : rows) {
            out.printf(Locale.ROOT, fmt, r.title, r.unit, fmt(r.jf, r.unit), fmt(r.juc, r.unit),
                    fmt(r.cpy, r.unit), ratio(r.ratio(r.juc)), ratio(r.ratio(r.cpy)));
        }
        out.println("(ratios: >1 means jfutures is better; throughput jfutures/other, latency and time "
                + "other/jfutures)");
        out.println();
        out.println("targets:");
        for (Target t : targets) {
            out.printf(Locale.ROOT, "  %-4s  %-64s  %s = %s (limit %s %s)%n", t.verdict, t.description, t.measure,
                    Double.isNaN(t.value) ? "n/a" : String.format(Locale.ROOT, "%.2f", t.value), t.op,
                    String.format(Locale.ROOT, "%.1f", t.threshold));
            if (!t.context.isEmpty()) {
                out.printf(Locale.ROOT, "        %s%n", t.context);
            }
        }
        long failed = targets.stream().filter(t -> t.verdict.equals("FAIL")).count();
        long skipped = targets.stream().filter(t -> t.verdict.equals("SKIP")).count();
        String skip = skipped == 0 ? "" : " (" + skipped + " skipped: not measured)";
        out.println(failed == 0 ? "all targets met" + skip
                : "*** " + failed + " target(s) FAILED ***" + skip);
        out.println();
        out.println("notes:");
        for (String n : notes) {
            out.println("  - " + n);
        }
    }

    private void writeJson(List<Row> rows, List<Target> targets, List<String> notes, CpythonRunner.Outcome py,
                           double seconds) throws IOException {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("schema", SCHEMA);
        root.put("timestamp", Instant.now().toString());
        root.put("mode", cfg.quick ? "quick" : "full");
        root.put("wall_seconds", seconds);

        Map<String, Object> env = new LinkedHashMap<>();
        env.put("java_version", System.getProperty("java.version"));
        env.put("java_vm", System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"));
        env.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        env.put("cpus", Runtime.getRuntime().availableProcessors());
        env.put("max_heap_bytes", Runtime.getRuntime().maxMemory());
        env.put("load_average_start", loadStart);
        env.put("load_average_end", loadEnd);
        env.put("thread_cpu_time", CpuClock.SUPPORTED);
        List<String> gcs = new ArrayList<>();
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            gcs.add(gc.getName());
        }
        env.put("gc", gcs);
        env.put("jvm_args", ManagementFactory.getRuntimeMXBean().getInputArguments());
        env.put("python", py.ran() ? py.version : null);
        env.put("python_skipped", py.ran() ? null : py.skipped);
        root.put("environment", env);

        Map<String, Object> conf = new LinkedHashMap<>();
        conf.put("workers", WORKERS);
        conf.put("submit_n", cfg.submitN);
        conf.put("roundtrip_n", cfg.roundTripN);
        conf.put("map_n", cfg.mapN);
        conf.put("map_buffer", cfg.mapBuffer);
        conf.put("wait_small_n", cfg.waitSmall);
        conf.put("wait_large_n", cfg.waitLarge);
        conf.put("roundtrip_blocks_per_round", RT_BLOCKS);
        conf.put("wait_small_runs_per_round", SMALL_PER_ROUND);
        Map<String, Object> rounds = new LinkedHashMap<>();
        rounds.put("submit_all", List.of(cfg.submitRounds[0], cfg.submitRounds[1]));
        rounds.put("roundtrip", List.of(cfg.roundTripRounds[0], cfg.roundTripRounds[1]));
        rounds.put("map", List.of(cfg.mapRounds[0], cfg.mapRounds[1]));
        rounds.put("wait_as_completed", List.of(cfg.waitRounds[0], cfg.waitRounds[1]));
        conf.put("rounds", rounds);
        conf.put("rounds_format", "[warm-up rounds, measured rounds] per JVM case");
        conf.put("cpython_args", cfg.pythonArgs);
        root.put("config", conf);

        List<Object> cases = new ArrayList<>();
        for (Row r : rows) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("id", r.id);
            c.put("title", r.title);
            c.put("unit", r.unit);
            c.put("better", r.higherIsBetter ? "higher" : "lower");
            c.put("n", r.n);
            c.put("jfutures", figure(r.jf, r.jfSamples, r.derived));
            c.put("juc", figure(r.juc, r.jucSamples, r.derived));
            c.put("cpython", py.ran() ? figure(r.cpy, r.cpySamples, r.derived) : null);
            c.put("ratio_vs_juc", r.ratio(r.juc));
            c.put("ratio_vs_cpython", r.ratio(r.cpy));
            cases.add(c);
        }
        root.put("cases", cases);

        root.put("targets", Target.json(targets));
        root.put("all_targets_met", targets.stream().noneMatch(t -> t.verdict.equals("FAIL")));
        root.put("notes", notes);

        Path out = cfg.out.toAbsolutePath();
        if (out.getParent() != null) {
            Files.createDirectories(out.getParent());
        }
        Files.writeString(out, Json.write(root), StandardCharsets.UTF_8);
        System.out.println();
        System.out.println("JSON written to " + out);
    }

    private static Map<String, Object> figure(double median, List<Double> samples, boolean derived) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(derived ? "value" : "median", median);
        if (!derived) {
            m.put("samples", samples);
        }
        return m;
    }
}
