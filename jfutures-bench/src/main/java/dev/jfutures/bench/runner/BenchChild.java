package dev.jfutures.bench.runner;

import dev.jfutures.bench.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The core, process and cluster sections of {@code jfutures bench}: {@code CoreBench}, {@code
 * ProcessBench} and {@code ClusterBench} (package {@code dev.jfutures.bench}, shaded into
 * jfutures.jar with this runner),
 * each in a child JVM on a fixed, pre-touched 2 GB heap, writing their JSON report to a temporary
 * file. Their targets become rows of the combined table, with the figures they compare; their whole
 * report goes into the JSON. Their console output is kept in a file and shown only when they fail.
 */
final class BenchChild {

    /** JVM options of the child, as docs/bench.md runs CoreBench. */
    static final List<String> JVM_OPTIONS = List.of("-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch");

    /** How often a running child is looked at. */
    static final Duration POLL = Duration.ofSeconds(10);
    /** A child with no new output and less CPU time than {@link #STALL_CPU} for this long has stalled. */
    static final Duration STALL = Duration.ofMinutes(3);
    static final Duration STALL_CPU = Duration.ofSeconds(2);

    /** One runner: its section name, main class, extra arguments, and time limits. */
    enum Runner {
        CORE("core", "dev.jfutures.bench.CoreBench", List.of(), "about 3 minutes", 20, 8),
        PROCESS("process", "dev.jfutures.bench.ProcessBench", List.of(), "about 5 minutes", 20, 8),
        CLUSTER("cluster", "dev.jfutures.bench.ClusterBench", List.of(), "about 3 minutes", 20, 8);

        final String section;
        final String mainClass;
        final List<String> args;
        final String fullRunTakes;
        final long fullTimeoutMinutes;
        final long quickTimeoutMinutes;

        Runner(String section, String mainClass, List<String> args, String fullRunTakes, long fullTimeoutMinutes,
               long quickTimeoutMinutes) {
            this.section = section;
            this.mainClass = mainClass;
            this.args = args;
            this.fullRunTakes = fullRunTakes;
            this.fullTimeoutMinutes = fullTimeoutMinutes;
            this.quickTimeoutMinutes = quickTimeoutMinutes;
        }
    }

    /**
     * How a target's row shows the figures it compares: jfutures' from one case and column, the
     * other from another (null: none), and the unit of the target's value.
     */
    private record Figures(String aCase, String aColumn, String aLabel, String bCase, String bColumn, String bLabel,
                           String valueUnit) {
    }

    /** Stands for "at " and CoreBench's small wait size, which its report's config gives. */
    private static final String SMALL_N = "at small N";

    private static final Map<String, Figures> CORE_FIGURES = Map.of(
            "submit_vs_juc", new Figures("submit_all", "jfutures", "", "submit_all", "juc", "juc", "x"),
            "submit_vs_cpython", new Figures("submit_all", "jfutures", "", "submit_all", "cpython", "CPython", "x"),
            "roundtrip_p50_vs_juc", new Figures("roundtrip_p50", "jfutures", "", "roundtrip_p50", "juc", "juc", "x"),
            "wait_linearity", new Figures("wait_large", "jfutures", "", "wait_small", "jfutures", SMALL_N, "x"),
            "as_completed_linearity",
            new Figures("as_completed_large", "jfutures", "", "as_completed_small", "jfutures", SMALL_N, "x"));

    private static final Map<String, Figures> PROCESS_FIGURES = Map.of(
            "roundtrip_p50", new Figures("roundtrip_p50", "jfutures", "", null, null, null, "us"),
            "roundtrip_p50_vs_control",
            new Figures("roundtrip_p50", "jfutures", "", "echo_p50", "jfutures", "raw socket echo", "x"),
            "roundtrip_p50_vs_cpython",
            new Figures("roundtrip_p50", "jfutures", "", "roundtrip_p50", "cpython", "CPython fork", "x"),
            "submit_vs_cpython", new Figures("submit_all", "jfutures", "", "submit_all", "cpython", "CPython fork", "x"),
            "map_vs_cpython", new Figures("map", "jfutures", "", "map", "cpython", "CPython fork", "x"),
            "start_first_result", new Figures("start_first_result", "jfutures", "", "start_first_result",
                    "cpython_spawn", "CPython spawn", "ms"),
            "start_vs_cpython_spawn", new Figures("start_first_result", "jfutures", "", "start_first_result",
                    "cpython_spawn", "CPython spawn", "x"),
            "cpu_scaling", new Figures("cpu_2_workers", "jfutures", "", "cpu_1_worker", "jfutures", "1 worker", "x"),
            "parent_heap", new Figures("heap_max_used", "jfutures", "", null, null, null, "MiB"));

    private static final Map<String, Figures> CLUSTER_FIGURES = Map.of(
            "roundtrip_vs_raw", new Figures("roundtrip_p50", "jfutures", "", "roundtrip_p50", "raw_hazelcast",
                    "raw Hazelcast", "x"),
            "submit_vs_raw", new Figures("submit_all", "jfutures", "", "submit_all", "raw_hazelcast", "raw Hazelcast",
                    "x"),
            "map_chunk_speedup", new Figures("map_chunked", "jfutures", "", "map_unchunked", "jfutures", "unchunked",
                    "x"),
            "submit_vs_dask", new Figures("submit_all", "jfutures", "", "submit_all", "dask", "Dask", "x"));

    private BenchChild() {
    }

    /**
     * Runs one runner in a child JVM and adds its targets to the report.
     *
     * @param passThrough the runner's options from ours: --quick, --no-python / --python CMD, --rounds N
     * @throws BenchProcess.Failure if the child cannot start, fails, hangs or writes no report; the
     *     message ends with the end of its console output
     */
    static void run(BenchRun.Env env, Runner runner, List<String> passThrough, boolean quick)
            throws BenchProcess.Failure, InterruptedException {
        Path json = env.work().resolve(runner.section + ".json");
        Path console = env.work().resolve(runner.section + ".console");
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(JVM_OPTIONS);
        cmd.add("-cp");
        cmd.add(env.classpath());
        cmd.add(runner.mainClass);
        cmd.add("--out");
        cmd.add(json.toString());
        cmd.addAll(runner.args);
        cmd.addAll(passThrough);
        long timeoutMinutes = quick ? runner.quickTimeoutMinutes : runner.fullTimeoutMinutes;
        List<String> shown = new ArrayList<>();
        shown.add(runner.mainClass.substring(runner.mainClass.lastIndexOf('.') + 1));
        shown.addAll(runner.args);
        shown.addAll(passThrough);
        env.log().printf("%s: %s in a child JVM (%s; its output kept in a file) ...%n", runner.section,
                String.join(" ", shown), quick ? "a smoke run" : runner.fullRunTakes);
        env.log().flush();
        long t0 = System.nanoTime();
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(console.toFile()).start();
            p.getOutputStream().close();
        } catch (IOException e) {
            throw new BenchProcess.Failure("cannot start the " + runner.section + " bench's JVM: " + e.getMessage());
        }
        Thread cleanup = BenchProcess.killOnExit(p);
        try {
            await(p, runner.mainClass, console, Duration.ofMinutes(timeoutMinutes), POLL, STALL);
        } finally {
            BenchProcess.forget(cleanup);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (p.exitValue() != 0) {
            throw new BenchProcess.Failure(runner.mainClass + " failed with exit code " + p.exitValue()
                    + consoleTail(console));
        }
        Map<String, Object> doc;
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> parsed = (Map<String, Object>) Json.parse(Files.readString(json, StandardCharsets.UTF_8));
            doc = parsed;
        } catch (IOException | RuntimeException e) {
            throw new BenchProcess.Failure(runner.mainClass + " wrote no readable report to " + json + " (" + e + ")"
                    + consoleTail(console));
        }
        env.log().printf(Locale.ROOT, "%s: done in %.0f s%n", runner.section, seconds);
        env.log().flush();
        Map<String, Object> section = env.report().section(runner.section);
        section.put("seconds", seconds);
        section.put("command", cmd);
        section.put("report", doc);
        addRows(env.report(), runner, doc);
    }

    /**
     * Waits for the child to exit, looking at it every {@code poll}. Kills it (and its descendants)
     * when it runs longer than {@code timeout}, or when it stalls: no new output in {@code console},
     * and less than {@link #STALL_CPU} of CPU time in it and its descendants together, for {@code
     * stall} ({@link #STALL} for the runners). A runner that works prints or burns CPU
     * (CPython's side included: it is a descendant); one that waits for a lost answer does
     * neither, and is reported within minutes instead of at the deadline.
     */
    static void await(Process p, String name, Path console, Duration timeout, Duration poll, Duration stall)
            throws BenchProcess.Failure, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long mark = System.nanoTime();
        long sizeAtMark = -1;
        Duration cpuAtMark = Duration.ZERO;
        while (!p.waitFor(poll.toMillis(), TimeUnit.MILLISECONDS)) {
            long now = System.nanoTime();
            long size = console.toFile().length();
            Duration cpu = cpuTime(p);
            if (size != sizeAtMark || cpu.minus(cpuAtMark).compareTo(STALL_CPU) > 0) {
                mark = now;
                sizeAtMark = size;
                cpuAtMark = cpu;
            } else if (now - mark > stall.toNanos()) {
                BenchProcess.killTree(p);
                throw new BenchProcess.Failure(name + " stalled: no output and under " + STALL_CPU.toSeconds()
                        + " s of CPU time (with its child processes) for " + describe(stall) + ", so it was killed"
                        + consoleTail(console));
            }
            if (now - deadline > 0) {
                BenchProcess.killTree(p);
                throw new BenchProcess.Failure(name + " ran longer than " + describe(timeout) + " and was killed"
                        + consoleTail(console));
            }
        }
    }

    private static String describe(Duration d) {
        return d.toSeconds() % 60 == 0 ? d.toMinutes() + " minutes" : d.toMillis() / 1000.0 + " s";
    }

    /** CPU time of a process and its descendants, as far as /proc tells it. */
    private static Duration cpuTime(Process p) {
        Duration total = p.info().totalCpuDuration().orElse(Duration.ZERO);
        for (ProcessHandle d : p.descendants().toList()) {
            total = total.plus(d.info().totalCpuDuration().orElse(Duration.ZERO));
        }
        return total;
    }

    /** One row per target of the runner's report, in its order. */
    @SuppressWarnings("unchecked")
    static void addRows(BenchReport report, Runner runner, Map<String, Object> doc) {
        Map<String, Figures> figures = switch (runner) {
            case CORE -> CORE_FIGURES;
            case PROCESS -> PROCESS_FIGURES;
            case CLUSTER -> CLUSTER_FIGURES;
        };
        List<Object> targets = (List<Object>) doc.getOrDefault("targets", List.of());
        List<Object> cases = (List<Object>) doc.getOrDefault("cases", List.of());
        for (Object o : targets) {
            Map<String, Object> t = (Map<String, Object>) o;
            String id = String.valueOf(t.get("id"));
            BenchReport.Row row = new BenchReport.Row(runner.section, id, String.valueOf(t.get("description")),
                    String.valueOf(t.get("op")), number(t.get("threshold")));
            Object value = t.get("value");
            row.value = value == null && "FAIL".equals(t.get("verdict")) ? Double.POSITIVE_INFINITY : number(value);
            row.verdict = String.valueOf(t.get("verdict"));
            Object context = t.get("context");
            row.note = context == null ? "" : String.valueOf(context);
            Figures f = figures.get(id);
            if (f != null) {
                row.valueUnit = f.valueUnit();
                row.jfutures = figure(cases, f.aCase(), f.aColumn(), "jfutures");
                if (f.bCase() != null) {
                    String label = f.bLabel().equals(SMALL_N) ? "at " + smallN(doc) : f.bLabel();
                    row.other = figure(cases, f.bCase(), f.bColumn(), label);
                }
            } else {
                row.valueUnit = "";
            }
            report.rows.add(row);
        }
    }

    @SuppressWarnings("unchecked")
    private static BenchReport.Figure figure(List<Object> cases, String caseId, String column, String label) {
        for (Object o : cases) {
            Map<String, Object> c = (Map<String, Object>) o;
            if (caseId.equals(c.get("id")) && c.get(column) instanceof Map) {
                Map<String, Object> col = (Map<String, Object>) c.get(column);
                List<Double> samples = new ArrayList<>();
                if (col.get("samples") instanceof List<?> l) {
                    l.forEach(x -> samples.add(number(x)));
                }
                double median = col.containsKey("median") ? number(col.get("median")) : number(col.get("value"));
                return new BenchReport.Figure(label, median, samples, String.valueOf(c.get("unit")));
            }
        }
        return null;
    }

    /** CoreBench's small wait size as its titles write it ("10k"), or "small N". */
    @SuppressWarnings("unchecked")
    private static String smallN(Map<String, Object> doc) {
        Object config = doc.get("config");
        Object n = config instanceof Map ? ((Map<String, Object>) config).get("wait_small_n") : null;
        if (!(n instanceof Number)) {
            return "small N";
        }
        long v = ((Number) n).longValue();
        return v % 1000 == 0 ? v / 1000 + "k" : String.valueOf(v);
    }

    private static double number(Object o) {
        return o instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    private static String consoleTail(Path console) {
        try {
            List<String> lines = Files.readAllLines(console, StandardCharsets.UTF_8);
            List<String> tail = lines.subList(Math.max(0, lines.size() - 40), lines.size());
            return tail.isEmpty() ? "; it printed nothing"
                    : "; its output ends (" + console.getFileName() + "):\n    " + String.join("\n    ", tail);
        } catch (IOException e) {
            return "";
        }
    }
}
