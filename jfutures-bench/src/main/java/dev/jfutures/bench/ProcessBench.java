package dev.jfutures.bench;

import dev.jfutures.MapOptions;
import dev.jfutures.MapResults;
import dev.jfutures.TaskFuture;
import dev.jfutures.process.ProcessPool;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The side-by-side runner for worker processes: jfutures' {@code ProcessPool} (2 worker JVMs)
 * against CPython's {@code ProcessPoolExecutor(max_workers=2)} (start method fork, and spawn for
 * pool start and worker memory), in one run, on the same machine. Prints a table of medians and
 * ratios and the targets with PASS/FAIL, and writes the same figures as JSON. See
 * {@code docs/bench.md}.
 *
 * <pre>
 * java -cp jfutures-bench/target/benchmarks.jar dev.jfutures.bench.ProcessBench [--quick] [--out PATH]
 *      [--no-python] [--python CMD] [--python-script PATH] [--rounds N]
 *      [--worker-jvm-option OPT]...
 * </pre>
 *
 * <p>The jfutures cases run first, in this JVM, with warm pools (a fresh pool for each start). The
 * round trip's control, a raw Unix-socket echo to a child JVM ({@link UnixEchoControl}), runs in
 * the same rounds as the round trip. The heap case runs in a child JVM with a fixed {@code -Xmx}.
 * CPython runs afterwards in a subprocess, never at the same time. The exit code is 0 even when a
 * target fails: this is a report.
 */
public final class ProcessBench {

    static final String SCHEMA = "jfutures-bench/process/1";
    static final int WORKERS = 2;
    /** The parent heap case's child JVM runs with this heap, the target's limit. */
    static final int HEAP_PROBE_XMX_MIB = 256;
    /** The round-trip control's figure ids: p50 and p99 of each variant. */
    private static final Map<UnixEchoControl.Variant, List<String>> ECHO_FIGURES = Map.of(
            UnixEchoControl.Variant.BLOCKING, List.of("echo_blocking_p50", "echo_blocking_p99"),
            UnixEchoControl.Variant.SELECTOR, List.of("echo_selector_p50", "echo_selector_p99"));

    /** Run sizes and round counts; {@code --quick} is a smoke run. */
    static final class Config {
        boolean quick;
        Path out;
        boolean python = true;
        String pythonCmd = "python3";
        Path pythonScript;
        int roundsOverride;
        final List<String> workerJvmOptions = new ArrayList<>();

        int roundTripN;
        int submitN;
        int mapN;
        int chunk = 1000;
        int cpuTasks = 8;
        long cpuSpin;
        int pyCpuSpin;
        int heapN;
        int globalWarmup;
        int[] roundTripRounds;  // {warm-up, measured}
        int[] submitRounds;
        int[] mapRounds;
        int[] startRounds;
        int[] cpuRounds;
        List<String> pythonArgs;

        void sizes() {
            if (quick) {
                roundTripN = 1_000;
                submitN = 5_000;
                mapN = 200_000;
                cpuSpin = 50_000_000L;
                pyCpuSpin = 1_500_000;
                heapN = 500_000;
                globalWarmup = 1;
                roundTripRounds = new int[] {1, 3};
                submitRounds = new int[] {1, 3};
                mapRounds = new int[] {1, 3};
                startRounds = new int[] {1, 3};
                cpuRounds = new int[] {1, 1};
            } else {
                roundTripN = 5_000;
                submitN = 20_000;
                mapN = 1_000_000;
                cpuSpin = 100_000_000L;
                pyCpuSpin = 3_000_000;
                heapN = 2_000_000;
                globalWarmup = 2;
                roundTripRounds = new int[] {2, 7};
                submitRounds = new int[] {2, 7};
                mapRounds = new int[] {2, 7};
                startRounds = new int[] {1, 7};
                cpuRounds = new int[] {1, 3};
            }
            if (roundsOverride > 0) {
                for (int[] r : new int[][] {roundTripRounds, submitRounds, mapRounds, startRounds, cpuRounds}) {
                    r[1] = roundsOverride;
                }
            }
            pythonArgs = List.of(
                    "--submit", String.valueOf(submitN),
                    "--roundtrip", String.valueOf(roundTripN),
                    "--map", String.valueOf(mapN),
                    "--chunk", String.valueOf(chunk),
                    "--start-repeats", String.valueOf(startRounds[1]),
                    "--cpu-tasks", String.valueOf(cpuTasks),
                    "--cpu-n", String.valueOf(pyCpuSpin),
                    "--heap-map", String.valueOf(heapN),
                    "--repeats", quick ? "1" : "3",
                    "--warmup", "1",
                    "--spawn");
        }
    }

    /** One row of the table: jfutures, CPython with fork, CPython with spawn. */
    static final class Row {
        final String id;
        final String title;
        final String unit;
        final boolean higherIsBetter;
        /** A ratio of other rows (the CPU speedup): no ratio columns. */
        final boolean derived;
        final Integer n;
        double jf = Double.NaN;
        double cpy = Double.NaN;
        double spawn = Double.NaN;
        List<Double> jfSamples = List.of();
        List<Double> cpySamples = List.of();
        List<Double> spawnSamples = List.of();

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

    private final Config cfg;
    private final PrintStream log = System.err;
    /** figure id -> jfutures samples. */
    private final Map<String, List<Double>> samples = new LinkedHashMap<>();
    /** What the heap case's child JVM printed, or null. */
    private Map<String, Object> heap;
    private String heapProblem;
    /** The run's own cache directory for the workers' class-data archive (see prepareArchive). */
    private Path archiveDir;
    /** What became of the archive: made in how long, or why there is none. */
    private String archiveNote;
    /** Why the raw-socket echo control was not measured; null when it was. */
    private String echoProblem;
    /** The echo control's child JVM command, once it started. */
    private List<String> echoCommand;
    /** The round trip's control while it runs; null before, after, and once it failed. */
    private UnixEchoControl echo;
    private double loadStart = Double.NaN;
    private double loadEnd = Double.NaN;

    private ProcessBench(Config cfg) {
        this.cfg = cfg;
    }

    public static void main(String[] args) throws Exception {
        Config cfg;
        try {
            cfg = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("ProcessBench: " + e.getMessage());
            System.err.println(usage());
            System.exit(2);
            return;
        }
        if (cfg == null) {
            System.out.println(usage());
            return;
        }
        new ProcessBench(cfg).runAll();
    }

    static String usage() {
        return "usage: java -cp jfutures-bench/target/benchmarks.jar dev.jfutures.bench.ProcessBench [options]\n"
                + "  --quick                  smoke run: smaller N, fewer rounds\n"
                + "  --out PATH               JSON output (default jfutures-bench/target/bench-results/process.json)\n"
                + "  --no-python              skip the CPython columns\n"
                + "  --python CMD             the CPython to run (default python3)\n"
                + "  --python-script PATH     use this cpython_process_bench.py instead of the copy in the jar\n"
                + "  --rounds N               measured rounds per jfutures case (default 7, CPU scaling 3)\n"
                + "  --worker-jvm-option OPT  pass OPT to every worker JVM (repeatable; e.g. a JFR recording)\n"
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
                case "--cds":
                    throw new IllegalArgumentException("--cds is gone: every pool now makes and uses its workers'"
                            + " class-data archive by itself; the start rows measure it with and without");
                case "--worker-jvm-option":
                    c.workerJvmOptions.add(value(args, ++i, a));
                    break;
                case "--help":
                case "-h":
                    return null;
                default:
                    throw new IllegalArgumentException("unknown argument: " + a);
            }
        }
        if (c.out == null) {
            c.out = CoreBench.defaultOut("process.json");
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

    // ------------------------------------------------------------------------------------ run

    private ProcessPool.Builder pool(int workers) {
        return ProcessPool.builder().workers(workers).jvmOptions(cfg.workerJvmOptions.toArray(new String[0]))
                .classDataArchive(archiveDir);
    }

    /** The most the run waits for the pool's background make of the workers' archive. */
    private static final long ARCHIVE_WAIT_SECONDS = 180;

    /**
     * Gives the run a cache directory of its own and has the pool make the workers' class-data
     * archive there, as a user's first pool does in the user's cache: one pool starts the make in
     * the background, and the run waits for its {@code .ok} (or its {@code .failed}) so that every
     * later pool starts its workers from it, as every pool after a user's first does.
     */
    private void prepareArchive() throws Exception {
        archiveDir = Files.createTempDirectory("jfutures-bench-cds");
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!e.endsWith(".jar") || !Files.isRegularFile(Path.of(e))) {
                archiveNote = "none: the worker classpath has " + e + ", which is not a jar (an archive takes jars only)";
                return;
            }
        }
        log.print("archive       the pool makes its workers' class-data archive ...");
        long t0 = System.nanoTime();
        try (ProcessPool p = pool(1).build()) {
            p.submit(ProcessTasks.ident(1)).result();
        }
        long deadline = t0 + TimeUnit.SECONDS.toNanos(ARCHIVE_WAIT_SECONDS);
        try (WatchService watch = archiveDir.getFileSystem().newWatchService()) {
            archiveDir.register(watch, StandardWatchEventKinds.ENTRY_CREATE);
            while (System.nanoTime() < deadline) {
                if (archiveSettled(t0)) {
                    return;
                }
                var key = watch.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (key != null) {
                    key.pollEvents();
                    key.reset();
                }
            }
        }
        if (!archiveSettled(t0)) {
            archiveNote = "none: the make did not finish within " + ARCHIVE_WAIT_SECONDS + " s";
            log.println(" not made in time");
        }
    }

    /** Whether the make ended (its .ok or .failed is there), archiveNote then set. */
    private boolean archiveSettled(long t0) throws IOException {
        List<String> names;
        try (Stream<Path> files = Files.list(archiveDir)) {
            names = files.map(f -> f.getFileName().toString()).collect(Collectors.toList());
        }
        Optional<String> failed = names.stream().filter(n -> n.endsWith(".failed")).findFirst();
        if (failed.isPresent()) {
            archiveNote = "none: the make failed: " + Files.readString(archiveDir.resolve(failed.get())).trim();
            log.println(" failed");
            return true;
        }
        if (names.stream().anyMatch(n -> n.endsWith(".ok"))) {
            double s = (System.nanoTime() - t0) / 1e9;
            archiveNote = String.format(Locale.ROOT, "made by the pool in the background in %.1f s", s);
            log.printf(Locale.ROOT, " %.1f s%n", s);
            return true;
        }
        return false;
    }

    private void deleteArchiveDir() throws IOException {
        if (archiveDir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(archiveDir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toArray(Path[]::new)) {
                Files.deleteIfExists(p);
            }
        }
    }

    private void runAll() throws Exception {
        long start = System.nanoTime();
        loadStart = CoreBench.loadAverage();
        log.printf(Locale.ROOT, "ProcessBench (%s): jfutures ProcessPool(workers=%d)%s%n", cfg.quick ? "quick" : "full",
                WORKERS, cfg.python ? " vs CPython " + cfg.pythonCmd + " ProcessPoolExecutor(max_workers=2)" : "");
        try {
            prepareArchive();
            measureWarmPool();
            measureCpuScaling();
            measureStart();
        } finally {
            deleteArchiveDir();
        }
        measureHeap();
        CpythonRunner.Outcome py;
        if (!cfg.python) {
            py = CpythonRunner.Outcome.skipped("--no-python given");
        } else {
            log.println("running CPython " + String.join(" ", cfg.pythonArgs) + " ...");
            py = CpythonRunner.run(cfg.pythonCmd, CpythonRunner.PROCESS_RESOURCE, cfg.pythonScript, cfg.pythonArgs,
                    cfg.quick ? 300 : 900);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        loadEnd = CoreBench.loadAverage();
        List<Row> rows = rows(py);
        List<CoreBench.Target> targets = targets(rows, py);
        List<String> notes = notes(py);
        print(System.out, rows, targets, notes, py, seconds);
        writeJson(rows, targets, notes, py, seconds);
    }

    /** Round trip, submit-all and map on one warm pool; the idle workers' memory after the warm-up. */
    private void measureWarmPool() throws Exception {
        try (ProcessPool pool = pool(WORKERS).build()) {
            log.println("warming up the pool (" + cfg.globalWarmup + " untimed passes over every case) ...");
            long t0 = System.nanoTime();
            for (int w = 0; w < cfg.globalWarmup; w++) {
                submitAll(pool, Math.min(5_000, cfg.submitN));
                roundTrip(pool, 1_000);
                map(pool, Math.min(200_000, cfg.mapN), cfg.chunk);
            }
            log.printf(Locale.ROOT, "  %.1f s%n", (System.nanoTime() - t0) / 1e9);
            Thread.sleep(200);
            List<Long> pids = pool.workerPids();
            add("worker_rss", ProcMem.meanRssMiB(pids));
            add("worker_pss", ProcMem.meanPssMiB(pids));
            log.printf(Locale.ROOT, "idle workers %s: VmRSS %.1f MiB, Pss %.1f MiB (mean)%n", pids,
                    ProcMem.meanRssMiB(pids), ProcMem.meanPssMiB(pids));

            measureRoundTrip(pool);
            rounds("submit_all", cfg.submitRounds, r -> Map.of("submit_all", submitAll(pool, cfg.submitN)));
            rounds("map", cfg.mapRounds, r -> Map.of("map", map(pool, cfg.mapN, cfg.chunk)));
        }
    }

    /**
     * The round trip on the warm pool, and in the same rounds its control, the raw Unix-socket
     * echo in both variants ({@link UnixEchoControl}); each round runs the three in an order that
     * rotates. When the control cannot start or fails, its figures are dropped, {@link
     * #echoProblem} says why, and the jfutures rounds go on alone.
     */
    private void measureRoundTrip(ProcessPool pool) throws Exception {
        try {
            long t0 = System.nanoTime();
            echo = UnixEchoControl.start(cfg.workerJvmOptions);
            echoCommand = echo.command();
            log.printf(Locale.ROOT, "echo control: child JVM %d connected in %.0f ms (blocking and Selector)%n",
                    echo.child().pid(), (System.nanoTime() - t0) / 1e6);
        } catch (IOException e) {
            echoProblem = "the raw Unix-socket echo could not start: " + e.getMessage();
            log.println("echo control: " + echoProblem);
        }
        try {
            rounds("roundtrip", cfg.roundTripRounds, r -> {
                Map<String, Double> v = new LinkedHashMap<>();
                for (int k = 0; k < 3; k++) {
                    if (k > 0) {
                        System.gc();
                    }
                    switch ((r + k) % 3) {
                        case 0:
                            double[] p = Stats.p50p99Micros(roundTrip(pool, cfg.roundTripN));
                            v.put("roundtrip_p50", p[0]);
                            v.put("roundtrip_p99", p[1]);
                            break;
                        case 1:
                            echoRound(UnixEchoControl.Variant.BLOCKING, v);
                            break;
                        default:
                            echoRound(UnixEchoControl.Variant.SELECTOR, v);
                    }
                }
                return v;
            });
        } finally {
            if (echo != null) {
                echo.close();
                echo = null;
            }
        }
    }

    /**
     * One round of the control's variant into {@code v}, unless the control is gone. On a
     * failure, closes the control and drops all its figures, this round's and the earlier ones.
     */
    private void echoRound(UnixEchoControl.Variant variant, Map<String, Double> v) {
        if (echo == null) {
            return;
        }
        List<String> ids = ECHO_FIGURES.get(variant);
        try {
            double[] p = Stats.p50p99Micros(echo.roundTrips(variant, cfg.roundTripN));
            v.put(ids.get(0), p[0]);
            v.put(ids.get(1), p[1]);
        } catch (IOException e) {
            echoProblem = "the raw Unix-socket echo failed: " + e.getMessage();
            log.print(" echo control: " + echoProblem + " ...");
            echo.close();
            echo = null;
            for (List<String> figures : ECHO_FIGURES.values()) {
                figures.forEach(samples::remove);
                figures.forEach(v::remove);
            }
        }
    }

    /** A measurement of one round (numbered from 0, warm-up rounds first): figure id -> value. */
    @FunctionalInterface
    interface Round {
        Map<String, Double> run(int round) throws Exception;
    }

    private void rounds(String label, int[] rounds, Round m) throws Exception {
        log.printf(Locale.ROOT, "%-13s %d warm-up + %d measured rounds ...", label, rounds[0], rounds[1]);
        long t0 = System.nanoTime();
        for (int r = 0; r < rounds[0] + rounds[1]; r++) {
            System.gc();
            Map<String, Double> v = m.run(r);
            if (r >= rounds[0]) {
                v.forEach(this::add);
            }
        }
        log.printf(Locale.ROOT, " %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }

    private void add(String figure, double value) {
        samples.computeIfAbsent(figure, x -> new ArrayList<>()).add(value);
    }

    static long[] roundTrip(ProcessPool pool, int n) {
        long[] lat = new long[n];
        long sum = 0;
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            sum += pool.submit(ProcessTasks.ident(i)).result();
            lat[i] = System.nanoTime() - t0;
        }
        IntRange.check("jfutures roundTrip", sum, n);
        return lat;
    }

    static double submitAll(ProcessPool pool, int n) {
        List<TaskFuture<Integer>> fs = new ArrayList<>(n);
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            fs.add(pool.submit(ProcessTasks.ident(i)));
        }
        long sum = 0;
        for (TaskFuture<Integer> f : fs) {
            sum += f.result();
        }
        long dt = System.nanoTime() - t0;
        IntRange.check("jfutures submitAll", sum, n);
        return n / (dt / 1e9);
    }

    static double map(ProcessPool pool, int n, int chunk) {
        long sum = 0;
        long t0 = System.nanoTime();
        try (MapResults<Integer> results = pool.map(ProcessTasks.IDENTITY, new IntRange(n),
                MapOptions.defaults().chunkSize(chunk))) {
            for (Integer r : results) {
                sum += r;
            }
        }
        long dt = System.nanoTime() - t0;
        IntRange.check("jfutures map", sum, n);
        return n / (dt / 1e9);
    }

    /**
     * 8 equal CPU-bound tasks on warm pools of 1 and of 2 workers, and, as a control of what the
     * machine gives this run, the same tasks on 1 and 2 threads of this JVM; each round runs the
     * four, in an order that alternates.
     */
    private void measureCpuScaling() throws Exception {
        long expect = ProcessTasks.spin(cfg.cpuSpin);
        ExecutorService thread1 = Executors.newFixedThreadPool(1);
        ExecutorService threads2 = Executors.newFixedThreadPool(2);
        try (ProcessPool one = pool(1).build(); ProcessPool two = pool(2).build()) {
            int[] r = cfg.cpuRounds;
            log.printf(Locale.ROOT, "%-13s %d warm-up + %d measured rounds of %d x spin(%,d) on 1 and 2 workers"
                    + " (and threads) ...", "cpu", r[0], r[1], cfg.cpuTasks, cfg.cpuSpin);
            long t0 = System.nanoTime();
            String[] ids = {"cpu_1_worker", "cpu_2_workers", "cpu_1_thread", "cpu_2_threads"};
            for (int i = 0; i < r[0] + r[1]; i++) {
                for (int k = 0; k < ids.length; k++) {
                    int which = i % 2 == 0 ? k : ids.length - 1 - k;
                    System.gc();
                    double ms;
                    switch (which) {
                        case 0:
                            ms = cpuRound(one, expect);
                            break;
                        case 1:
                            ms = cpuRound(two, expect);
                            break;
                        case 2:
                            ms = cpuRound(thread1, expect);
                            break;
                        default:
                            ms = cpuRound(threads2, expect);
                    }
                    if (i >= r[0]) {
                        add(ids[which], ms);
                    }
                }
            }
            log.printf(Locale.ROOT, " %.1f s%n", (System.nanoTime() - t0) / 1e9);
        } finally {
            thread1.shutdownNow();
            threads2.shutdownNow();
        }
    }

    private double cpuRound(ProcessPool pool, long expect) {
        long t0 = System.nanoTime();
        List<TaskFuture<Long>> fs = new ArrayList<>();
        for (int i = 0; i < cfg.cpuTasks; i++) {
            fs.add(pool.submit(ProcessTasks.spinTask(cfg.cpuSpin)));
        }
        for (TaskFuture<Long> f : fs) {
            checkSpin(f.result(), expect);
        }
        return (System.nanoTime() - t0) / 1e6;
    }

    private double cpuRound(ExecutorService threads, long expect) throws Exception {
        long t0 = System.nanoTime();
        List<Future<Long>> fs = new ArrayList<>();
        for (int i = 0; i < cfg.cpuTasks; i++) {
            fs.add(threads.submit(ProcessTasks.spinTask(cfg.cpuSpin)));
        }
        for (Future<Long> f : fs) {
            checkSpin(f.get(), expect);
        }
        return (System.nanoTime() - t0) / 1e6;
    }

    private void checkSpin(long got, long expect) {
        if (got != expect) {
            throw new AssertionError("spin(" + cfg.cpuSpin + ") returned " + got + ", expected " + expect);
        }
    }

    /** One way to build a fresh pool for the start case. */
    private static final class StartVariant {
        final String id;
        final Supplier<ProcessPool.Builder> builder;

        StartVariant(String id, Supplier<ProcessPool.Builder> builder) {
            this.id = id;
            this.builder = builder;
        }
    }

    /**
     * From the builder to the first result of a trivial task, a fresh pool each time: the default
     * (lazy: the first task starts one worker JVM, from the class-data archive the pool made), the
     * same with {@code classDataArchive(false)}, and {@code prestart(true)} (both start at {@code
     * build()}). Rounds rotate the order of the variants; the pool is closed outside the timing.
     */
    private void measureStart() throws Exception {
        List<StartVariant> variants = new ArrayList<>();
        variants.add(new StartVariant("start_first_result", () -> pool(WORKERS)));
        variants.add(new StartVariant("start_first_result_no_archive", () -> pool(WORKERS).classDataArchive(false)));
        variants.add(new StartVariant("start_first_result_prestart", () -> pool(WORKERS).prestart(true)));
        int[] r = cfg.startRounds;
        log.printf(Locale.ROOT, "%-13s %d warm-up + %d measured rounds of %d fresh pools ...", "start", r[0], r[1],
                variants.size());
        long t0 = System.nanoTime();
        for (int i = 0; i < r[0] + r[1]; i++) {
            for (int k = 0; k < variants.size(); k++) {
                StartVariant v = variants.get((i + k) % variants.size());
                System.gc();
                double[] ms = startToFirstResult(v.builder.get());
                if (i >= r[0]) {
                    add(v.id, ms[0]);
                    if (v.id.equals("start_first_result")) {
                        add("shutdown_wait", ms[1]);
                    }
                }
            }
        }
        log.printf(Locale.ROOT, " %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }

    /** {ms from build() to the first result, ms of the close() (shutdown, waiting) after it}. */
    private static double[] startToFirstResult(ProcessPool.Builder b) {
        long t0 = System.nanoTime();
        ProcessPool pool = b.build();
        double ms;
        long t1;
        try {
            int r = pool.submit(ProcessTasks.ident(1)).result();
            ms = (System.nanoTime() - t0) / 1e6;
            if (r != 1) {
                throw new AssertionError("the first task returned " + r);
            }
            t1 = System.nanoTime();
        } finally {
            pool.close();
        }
        return new double[] {ms, (System.nanoTime() - t1) / 1e6};
    }

    static String javaCommand() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /** The parent heap case: {@link ProcessHeapProbe} in a child JVM with a fixed -Xmx. */
    private void measureHeap() throws Exception {
        List<String> cmd = List.of(javaCommand(), "-Xmx" + HEAP_PROBE_XMX_MIB + "m", "-cp",
                System.getProperty("java.class.path"), ProcessHeapProbe.class.getName(),
                String.valueOf(cfg.heapN), String.valueOf(cfg.chunk));
        log.printf(Locale.ROOT, "%-13s map of %,d inputs (chunk %d) in a child JVM with -Xmx%dm ...", "heap",
                cfg.heapN, cfg.chunk, HEAP_PROBE_XMX_MIB);
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        p.getOutputStream().close();
        CompletableFuture<String> stdout = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        });
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            heapProblem = "the child JVM took longer than 300 s and was killed";
        } else {
            String last = "";
            for (String line : stdout.join().split("\n")) {
                if (line.startsWith("{")) {
                    last = line;
                }
            }
            try {
                @SuppressWarnings("unchecked")
                Map<String, Object> m = (Map<String, Object>) Json.parse(last);
                heap = m;
                if (m.get("error") != null) {
                    heapProblem = "the child JVM failed: " + m.get("error");
                }
            } catch (RuntimeException e) {
                heapProblem = "the child JVM (exit code " + p.exitValue() + ") printed no JSON line";
            }
        }
        log.printf(Locale.ROOT, " %.1f s%s%n", (System.nanoTime() - t0) / 1e9,
                heapProblem != null ? ": " + heapProblem : "");
    }

    private double heapFigure(String key) {
        Object v = heap == null ? null : heap.get(key);
        return v instanceof Number ? ((Number) v).doubleValue() : Double.NaN;
    }

    // ------------------------------------------------------------------------------------ report

    private double median(String figure) {
        return Stats.median(samples.getOrDefault(figure, List.of()));
    }

    private List<Row> rows(CpythonRunner.Outcome py) {
        List<Row> rows = new ArrayList<>();
        rows.add(row("roundtrip_p50", "round trip (submit, result) p50, " + k(cfg.roundTripN) + " x", "us", false,
                cfg.roundTripN, py, null));
        rows.add(row("roundtrip_p99", "round trip (submit, result) p99, " + k(cfg.roundTripN) + " x", "us", false,
                cfg.roundTripN, py, null));
        CpythonRunner.Outcome noAnalog = CpythonRunner.Outcome.skipped("no CPython analog");
        for (String[] v : new String[][] {{"blocking", "echo_blocking"}, {"Selector", "echo_selector"}}) {
            for (String q : new String[] {"p50", "p99"}) {
                rows.add(row(v[1] + "_" + q, "  control: raw Unix-socket echo " + q + ", " + v[0] + ", "
                        + k(cfg.roundTripN) + " x", "us", false, cfg.roundTripN, noAnalog, null));
            }
        }
        String faster = fasterEcho();
        Row control = new Row("echo_p50", "  control: the faster echo's p50 (the target's)", "us", false, false,
                cfg.roundTripN);
        if (faster != null) {
            control.jf = median(faster);
            control.jfSamples = samples.get(faster);
        }
        rows.add(control);
        rows.add(row("submit_all", "submit " + k(cfg.submitN) + " tasks, then wait for all", "tasks/s", true,
                cfg.submitN, py, null));
        rows.add(row("map", "map over " + k(cfg.mapN) + ", chunk " + cfg.chunk + " (CPython: eager)", "items/s", true,
                cfg.mapN, py, null));
        rows.add(row("start_first_result", "pool start to first result, workers(2)", "ms", false, null, py,
                "start_first_result_spawn"));
        rows.add(row("shutdown_wait", "  then shutdown(wait=true): every worker gone", "ms", false, null, py,
                "shutdown_wait_spawn"));
        Row prestart = row("start_first_result_prestart", "  the same, prestart(true) (2 JVMs at build)", "ms",
                false, null, CpythonRunner.Outcome.skipped("no CPython analog"), null);
        rows.add(prestart);
        rows.add(row("start_first_result_no_archive", "  the same, classDataArchive(false)", "ms", false, null,
                CpythonRunner.Outcome.skipped("no CPython analog"), null));
        Row one = row("cpu_1_worker", cfg.cpuTasks + " CPU-bound tasks (~200 ms each), 1 worker", "ms", false,
                cfg.cpuTasks, py, null);
        Row two = row("cpu_2_workers", cfg.cpuTasks + " CPU-bound tasks (~200 ms each), 2 workers", "ms", false,
                cfg.cpuTasks, py, null);
        Row speedup = new Row("cpu_speedup", "  CPU-bound speedup, 2 workers over 1", "x", true, true, null);
        speedup.jf = one.jf / two.jf;
        speedup.cpy = one.cpy / two.cpy;
        Row threads = new Row("cpu_speedup_threads", "  control: speedup of 2 threads over 1",
                "x", true, true, null);
        threads.jf = median("cpu_1_thread") / median("cpu_2_threads");
        rows.add(one);
        rows.add(two);
        rows.add(speedup);
        rows.add(row("cpu_1_thread", "  control: the same tasks on 1 thread of this JVM", "ms", false, cfg.cpuTasks,
                CpythonRunner.Outcome.skipped("no CPython analog"), null));
        rows.add(row("cpu_2_threads", "  control: the same tasks on 2 threads of this JVM", "ms", false, cfg.cpuTasks,
                CpythonRunner.Outcome.skipped("no CPython analog"), null));
        rows.add(threads);
        rows.add(row("worker_rss", "idle worker RSS (VmRSS, mean of 2)", "MiB", false, null, py, "worker_rss_spawn"));
        rows.add(row("worker_pss", "idle worker PSS (shared pages split)", "MiB", false, null, py,
                "worker_pss_spawn"));
        Row used = new Row("heap_max_used", "parent heap, map " + k(cfg.heapN) + ": max used (-Xmx"
                + HEAP_PROBE_XMX_MIB + "m)", "MiB", false, false, cfg.heapN);
        used.jf = heapFigure("max_used_mib");
        used.jfSamples = Double.isNaN(used.jf) ? List.of() : List.of(used.jf);
        rows.add(used);
        Row live = new Row("heap_max_live", "  max used right after a GC (live set)", "MiB", false, false, cfg.heapN);
        live.jf = heapFigure("max_live_mib");
        live.jfSamples = Double.isNaN(live.jf) ? List.of() : List.of(live.jf);
        rows.add(live);
        Row rss = new Row("heap_peak_rss", "  parent's peak RSS (VmHWM) over the same map", "MiB", false, false,
                cfg.heapN);
        rss.jf = heapFigure("peak_rss_mib");
        rss.jfSamples = Double.isNaN(rss.jf) ? List.of() : List.of(rss.jf);
        if (py.ran()) {
            rss.cpy = py.median("heap_peak_rss");
            rss.cpySamples = py.samples("heap_peak_rss");
        }
        rows.add(rss);
        return rows;
    }

    private Row row(String id, String title, String unit, boolean higher, Integer n, CpythonRunner.Outcome py,
                    String spawnId) {
        Row r = new Row(id, title, unit, higher, false, n);
        r.jf = median(id);
        r.jfSamples = samples.getOrDefault(id, List.of());
        if (py.ran()) {
            r.cpy = py.median(id);
            r.cpySamples = py.samples(id);
            if (spawnId != null) {
                r.spawn = py.median(spawnId);
                r.spawnSamples = py.samples(spawnId);
            }
        }
        return r;
    }

    /** The figure id of the echo variant with the lower median p50, or null when neither was measured. */
    private String fasterEcho() {
        double blocking = median("echo_blocking_p50");
        double selector = median("echo_selector_p50");
        if (Double.isNaN(blocking) && Double.isNaN(selector)) {
            return null;
        }
        return Double.isNaN(blocking) || selector <= blocking ? "echo_selector_p50" : "echo_blocking_p50";
    }

    private static Row find(List<Row> rows, String id) {
        return rows.stream().filter(r -> r.id.equals(id)).findFirst().orElseThrow();
    }

    private List<CoreBench.Target> targets(List<Row> rows, CpythonRunner.Outcome py) {
        Row p50 = find(rows, "roundtrip_p50");
        Row p99 = find(rows, "roundtrip_p99");
        Row echo = find(rows, "echo_p50");
        Row submit = find(rows, "submit_all");
        Row map = find(rows, "map");
        Row start = find(rows, "start_first_result");
        Row one = find(rows, "cpu_1_worker");
        Row two = find(rows, "cpu_2_workers");
        Row speedup = find(rows, "cpu_speedup");
        Row used = find(rows, "heap_max_used");
        String cpyUnavailable = py.ran() ? "" : "not measured: " + py.skipped;
        List<CoreBench.Target> t = new ArrayList<>();
        CoreBench.Target abs = new CoreBench.Target("roundtrip_p50", "round-trip p50 <= 40 us", "jfutures p50 (us)",
                p50.jf, "<=", 40);
        abs.context = String.format(Locale.ROOT, "jfutures p50 %.1f us (p99 %.1f us) over %s round trips",
                p50.jf, p99.jf, k(cfg.roundTripN));
        t.add(abs);
        CoreBench.Target control = new CoreBench.Target("roundtrip_p50_vs_control",
                "round-trip p50 <= 1.3x the raw Unix-socket echo (control)", "jfutures p50 / faster echo p50",
                p50.jf / echo.jf, "<=", 1.3);
        control.context = echoProblem != null ? "not measured: " + echoProblem : String.format(Locale.ROOT,
                "jfutures p50 %.1f us; echo p50: Selector %.1f us, blocking %.1f us (the control is the faster, %s); "
                        + "p99: jfutures %.1f us, Selector %.1f us, blocking %.1f us",
                p50.jf, median("echo_selector_p50"), median("echo_blocking_p50"),
                "echo_selector_p50".equals(fasterEcho()) ? "Selector" : "blocking", p99.jf,
                median("echo_selector_p99"), median("echo_blocking_p99"));
        t.add(control);
        CoreBench.Target vsPy = new CoreBench.Target("roundtrip_p50_vs_cpython",
                "round-trip p50 >= 6x better than CPython's", "CPython p50 / jfutures p50",
                py.ran() ? p50.ratio(p50.cpy) : Double.NaN, ">=", 6);
        vsPy.context = py.ran() ? String.format(Locale.ROOT, "jfutures p50 %.1f us, CPython fork %.1f us", p50.jf,
                p50.cpy) : cpyUnavailable;
        t.add(vsPy);
        CoreBench.Target sub = new CoreBench.Target("submit_vs_cpython",
                "submit-all-then-wait >= 30x CPython's ProcessPoolExecutor", "jfutures tasks/s / CPython tasks/s",
                py.ran() ? submit.ratio(submit.cpy) : Double.NaN, ">=", 30);
        sub.context = py.ran() ? String.format(Locale.ROOT, "jfutures %,.0f tasks/s, CPython fork %,.0f tasks/s "
                + "(%s tasks)", submit.jf, submit.cpy, k(cfg.submitN)) : cpyUnavailable;
        t.add(sub);
        CoreBench.Target mp = new CoreBench.Target("map_vs_cpython", "chunked map >= 1.5x CPython's items/s",
                "jfutures items/s / CPython items/s", py.ran() ? map.ratio(map.cpy) : Double.NaN, ">=", 1.5);
        mp.context = py.ran() ? String.format(Locale.ROOT, "jfutures %,.0f items/s, CPython fork %,.0f items/s",
                map.jf, map.cpy) : cpyUnavailable;
        t.add(mp);
        CoreBench.Target st = new CoreBench.Target("start_first_result", "pool start to first result (2 workers) <= 250 ms",
                "jfutures ms, workers(2)", start.jf, "<=", 250);
        st.context = String.format(Locale.ROOT, "jfutures %.1f ms; prestart(true): %.1f ms; without the archive: %.1f ms%s",
                start.jf, find(rows, "start_first_result_prestart").jf, find(rows, "start_first_result_no_archive").jf,
                py.ran() ? String.format(Locale.ROOT, "; CPython fork %.1f ms, spawn %.1f ms", start.cpy, start.spawn)
                        : "");
        t.add(st);
        CoreBench.Target spawn = new CoreBench.Target("start_vs_cpython_spawn",
                "pool start to first result (2 workers) no slower than CPython's spawn start in the same run",
                "jfutures ms / CPython spawn ms", py.ran() ? start.jf / start.spawn : Double.NaN, "<=", 1);
        spawn.context = py.ran() ? String.format(Locale.ROOT, "jfutures %.1f ms, CPython spawn %.1f ms (medians; "
                + "fork %.1f ms)", start.jf, start.spawn, start.cpy) : cpyUnavailable;
        t.add(spawn);
        CoreBench.Target cpu = new CoreBench.Target("cpu_scaling", "CPU-bound: 2 workers >= 1.8x faster than 1",
                "jfutures time on 1 / time on 2", speedup.jf, ">=", 1.8);
        cpu.context = String.format(Locale.ROOT, "1 worker %.0f ms, 2 workers %.0f ms; control, 2 threads over 1 in "
                        + "this JVM: %.2f (1 thread %.0f ms, 2 threads %.0f ms)%s; 1-minute load average %.1f -> %.1f",
                one.jf, two.jf, find(rows, "cpu_speedup_threads").jf, median("cpu_1_thread"), median("cpu_2_threads"),
                py.ran() ? String.format(Locale.ROOT, "; CPython's speedup in the same run: %.2f", speedup.cpy) : "",
                loadStart, loadEnd);
        t.add(cpu);
        double heapValue = heapProblem != null ? Double.POSITIVE_INFINITY : used.jf;
        CoreBench.Target h = new CoreBench.Target("parent_heap", "parent heap < 256 MiB while streaming "
                + k(cfg.heapN) + " inputs", "max used heap (MiB)", heapValue, "<", 256);
        h.context = heapProblem != null ? heapProblem : String.format(Locale.ROOT,
                "max used %.1f MiB, live after GC at most %.1f MiB over %s GCs; the child JVM ran with -Xmx%dm, so a "
                        + "need for more would have failed it", used.jf, find(rows, "heap_max_live").jf,
                heap.get("gcs"), HEAP_PROBE_XMX_MIB);
        t.add(h);
        return t;
    }

    private List<String> notes(CpythonRunner.Outcome py) {
        List<String> n = new ArrayList<>();
        n.add("Ratio columns are oriented so that >1 means jfutures is better: for throughput jfutures/other, "
                + "for latency, time and memory other/jfutures.");
        n.add("jfutures: ProcessPool.builder().workers(2), worker JVMs with the pool's defaults; one warm pool for the "
                + "round trip, submit and map (figures are medians over the measured rounds), fresh pools for the "
                + "start, warm pools of 1 and 2 workers for the CPU case (alternating rounds). CPython: "
                + "ProcessPoolExecutor(max_workers=2), start method fork unless the column says spawn, "
                + "in a subprocess after the jfutures cases.");
        n.add("Tasks: jfutures a serializable lambda capturing the Integer (ProcessTasks.ident), CPython "
                + "submit(ident, i). map: jfutures map(fn, a lazy Iterable, MapOptions.defaults().chunkSize("
                + cfg.chunk + ")) with its default bounded buffer; CPython 3.11's map(ident, range(N), chunksize="
                + cfg.chunk + ") is eager: it submits every chunk before the first result.");
        n.add("Round-trip control: a raw JVM-to-JVM echo over a Unix-domain socket, nothing of jfutures in it, in the "
                + "same rounds as the jfutures round trip (the order rotates each round), " + k(cfg.roundTripN)
                + " round trips a round. A child JVM started as the pool starts a worker (java -cp <the bench's class "
                + "path> -XX:+ExitOnOutOfMemoryError -XX:+UseSerialGC, then any --worker-jvm-option) answers each "
                + UnixEchoControl.REQUEST_BYTES + "-byte frame with an " + UnixEchoControl.REPLY_BYTES + "-byte frame: "
                + "blocking, both ends in blocking SocketChannel reads; Selector, both ends non-blocking, waiting in a "
                + "java.nio.channels.Selector. The target's control is the faster of the two.");
        if (echoProblem != null) {
            n.add("Round-trip control not measured: " + echoProblem);
        }
        n.add("Start: from the builder (CPython: the constructor) to the first result of a trivial task; the default "
                + "pool starts one worker JVM for the first task; CPython with fork starts both workers at the first "
                + "submit, with spawn one.");
        n.add(String.format(Locale.ROOT, "CPU: %d tasks, jfutures spin(%,d) (a xorshift chain), CPython spin(%,d) "
                        + "(sum of squares), each about 200 ms here (quick: half); the speedup is median time on 1 worker / median "
                        + "time on 2. The control runs the same Java tasks on 1 and 2 threads of the bench's JVM in the "
                        + "same rounds: what the machine gave this run (other sessions' load caps it).", cfg.cpuTasks, cfg.cpuSpin, cfg.pyCpuSpin));
        n.add("Memory: VmRSS and Pss (smaps_rollup) of the idle workers after the warm-up, mean of the 2; a forked "
                + "CPython worker shares pages with its parent, which RSS counts in full and Pss splits. Parent heap: "
                + "ProcessHeapProbe in a child JVM with -Xmx" + HEAP_PROBE_XMX_MIB + "m maps " + k(cfg.heapN)
                + " inputs (chunk " + cfg.chunk + "), heap sampled every 50 ms and after every GC; CPython's peak RSS "
                + "is its parent's VmHWM over the same map in a fresh interpreter.");
        n.add("Class-data archive: every pool of the run uses a cache directory of the run's own; the archive was "
                + archiveNote + " before any figure was taken (classDataArchive(false) rows go without).");
        if (!cfg.workerJvmOptions.isEmpty()) {
            n.add("Worker JVM options given: " + cfg.workerJvmOptions + " (figures are not comparable with a plain run).");
        }
        double load = Math.max(loadStart, loadEnd);
        if (load > Runtime.getRuntime().availableProcessors()) {
            n.add(String.format(Locale.ROOT, "WARNING: the machine was loaded (1-minute load average %.1f at the "
                    + "start, %.1f at the end, on %d CPUs): wall-clock figures are inflated, and the CPU scaling "
                    + "of both sides reads low.", loadStart, loadEnd, Runtime.getRuntime().availableProcessors()));
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
            case "ms":
            case "MiB":
                return String.format(Locale.ROOT, "%.1f", v);
            default:
                return String.format(Locale.ROOT, "%.2f", v);
        }
    }

    private static String ratio(double r) {
        return Double.isNaN(r) || Double.isInfinite(r) ? "-" : String.format(Locale.ROOT, "%.2fx", r);
    }

    private void print(PrintStream out, List<Row> rows, List<CoreBench.Target> targets, List<String> notes,
                       CpythonRunner.Outcome py, double seconds) {
        out.println();
        out.printf(Locale.ROOT, "jfutures ProcessBench (%s run, %.0f s): Java %s, %d CPUs, CPython %s, "
                        + "load average %.1f -> %.1f%n",
                cfg.quick ? "quick" : "full", seconds, System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors(), py.ran() ? py.version : "skipped", loadStart, loadEnd);
        String fmt = "%-52s %-8s %12s %12s %12s %8s %8s%n";
        out.printf(Locale.ROOT, fmt, "case", "unit", "jfutures", "cpy fork", "cpy spawn", "jf/fork", "jf/spawn");
        out.println("-".repeat(52 + 8 + 12 * 3 + 8 * 2 + 6));
        for (Row r : rows) {
            out.printf(Locale.ROOT, fmt, r.title, r.unit, fmt(r.jf, r.unit), fmt(r.cpy, r.unit),
                    fmt(r.spawn, r.unit), ratio(r.ratio(r.cpy)), ratio(r.ratio(r.spawn)));
        }
        out.println("(ratios: >1 means jfutures is better; throughput jfutures/other, latency, time and memory "
                + "other/jfutures)");
        out.println();
        out.println("targets:");
        int width = Math.min(60, targets.stream().mapToInt(t -> t.description.length()).max().orElse(0));
        for (CoreBench.Target t : targets) {
            out.printf(Locale.ROOT, "  %-4s  %-" + width + "s  %s = %s (limit %s %s)%n", t.verdict, t.description,
                    t.measure, Double.isNaN(t.value) ? "n/a" : Double.isInfinite(t.value) ? "failed"
                            : String.format(Locale.ROOT, "%.2f", t.value), t.op,
                    String.format(Locale.ROOT, "%.1f", t.threshold));
            if (!t.context.isEmpty()) {
                out.printf(Locale.ROOT, "        %s%n", t.context);
            }
        }
        long failed = targets.stream().filter(t -> t.verdict.equals("FAIL")).count();
        long skipped = targets.stream().filter(t -> t.verdict.equals("SKIP")).count();
        String skip = skipped == 0 ? "" : " (" + skipped + " skipped: not measured)";
        out.println(failed == 0 ? "all targets met" + skip : "*** " + failed + " target(s) FAILED ***" + skip);
        out.println();
        out.println("notes:");
        for (String n : notes) {
            out.println("  - " + n);
        }
    }

    private void writeJson(List<Row> rows, List<CoreBench.Target> targets, List<String> notes,
                           CpythonRunner.Outcome py, double seconds) throws IOException {
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
        env.put("load_average_start", loadStart);
        env.put("load_average_end", loadEnd);
        env.put("jvm_args", ManagementFactory.getRuntimeMXBean().getInputArguments());
        env.put("worker_jvm_options", cfg.workerJvmOptions);
        env.put("python", py.ran() ? py.version : null);
        env.put("python_skipped", py.ran() ? null : py.skipped);
        root.put("environment", env);

        Map<String, Object> conf = new LinkedHashMap<>();
        conf.put("workers", WORKERS);
        conf.put("roundtrip_n", cfg.roundTripN);
        conf.put("submit_n", cfg.submitN);
        conf.put("map_n", cfg.mapN);
        conf.put("chunk_size", cfg.chunk);
        conf.put("cpu_tasks", cfg.cpuTasks);
        conf.put("cpu_spin_jfutures", cfg.cpuSpin);
        conf.put("cpu_spin_cpython", cfg.pyCpuSpin);
        conf.put("heap_n", cfg.heapN);
        conf.put("heap_xmx_mib", HEAP_PROBE_XMX_MIB);
        conf.put("class_data_archive", archiveNote);
        conf.put("echo_request_bytes", UnixEchoControl.REQUEST_BYTES);
        conf.put("echo_reply_bytes", UnixEchoControl.REPLY_BYTES);
        Map<String, Object> rounds = new LinkedHashMap<>();
        rounds.put("roundtrip", List.of(cfg.roundTripRounds[0], cfg.roundTripRounds[1]));
        rounds.put("submit_all", List.of(cfg.submitRounds[0], cfg.submitRounds[1]));
        rounds.put("map", List.of(cfg.mapRounds[0], cfg.mapRounds[1]));
        rounds.put("start", List.of(cfg.startRounds[0], cfg.startRounds[1]));
        rounds.put("cpu", List.of(cfg.cpuRounds[0], cfg.cpuRounds[1]));
        conf.put("rounds", rounds);
        conf.put("rounds_format", "[warm-up rounds, measured rounds] per jfutures case");
        conf.put("cpython_args", cfg.pythonArgs);
        root.put("config", conf);

        List<Object> cases = new ArrayList<>();
        for (Row r : rows) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("id", r.id);
            c.put("title", r.title.trim());
            c.put("unit", r.unit);
            c.put("better", r.higherIsBetter ? "higher" : "lower");
            c.put("n", r.n);
            c.put("jfutures", figure(r.jf, r.jfSamples, r.derived));
            c.put("cpython", py.ran() && !Double.isNaN(r.cpy) ? figure(r.cpy, r.cpySamples, r.derived) : null);
            c.put("cpython_spawn", py.ran() && !Double.isNaN(r.spawn) ? figure(r.spawn, r.spawnSamples, r.derived)
                    : null);
            c.put("ratio_vs_cpython", r.ratio(r.cpy));
            c.put("ratio_vs_cpython_spawn", r.ratio(r.spawn));
            cases.add(c);
        }
        root.put("cases", cases);

        root.put("targets", CoreBench.Target.json(targets));
        root.put("all_targets_met", targets.stream().noneMatch(t -> t.verdict.equals("FAIL")));
        root.put("heap_probe", heap);
        Map<String, Object> echo = new LinkedHashMap<>();
        echo.put("command", echoCommand);
        echo.put("control", fasterEcho());
        echo.put("problem", echoProblem);
        root.put("echo_control", echo);
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
