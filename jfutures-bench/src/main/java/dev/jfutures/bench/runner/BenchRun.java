package dev.jfutures.bench.runner;

import dev.jfutures.bench.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;

/**
 * One run of the side-by-side benchmarks behind {@code jfutures bench}: the sections it is asked
 * for, one table of ratios with PASS, FAIL or SKIP per target, and, on request, every figure as
 * JSON and the targets as an SVG chart.
 *
 * <ul>
 *   <li><b>core</b>, <b>process</b>, <b>cluster</b>: CoreBench, ProcessBench and ClusterBench in
 *       child JVMs; their targets become rows ({@link BenchChild}).
 *   <li><b>find</b>: GNU find against {@code jfutures find}, whole process against whole process
 *       ({@link BenchFind}).
 *   <li><b>compress</b>: the book's Python program against {@code jfutures compress}, and the
 *       process pool against one worker ({@link BenchCompress}).
 * </ul>
 *
 * <p>The machine is shared and noisy, so subjects run interleaved, figures are medians, and the
 * targets are ratios within one run. A section that cannot run is recorded as failed, with the
 * reason, and the other sections still run.
 *
 * <p>The runner knows nothing of the command line that starts it: the caller says how to run
 * {@code jfutures} as a whole process ({@link Options#launcher}) and which class path the child
 * JVMs get ({@link Options#classpath}).
 *
 * @since 0.1
 */
public final class BenchRun {

    /**
     * The sections, in the order they run. The constants are lower case because they are the
     * names the command line takes.
     *
     * @since 0.1
     */
    public enum Section {
        /** CoreBench: ThreadPool against {@code java.util.concurrent} and CPython's ThreadPoolExecutor. */
        core,
        /** ProcessBench: ProcessPool against CPython's ProcessPoolExecutor. */
        process,
        /** ClusterBench: ClusterPool against raw Hazelcast and Dask. */
        cluster,
        /** {@code jfutures find} against GNU find. */
        find,
        /** {@code jfutures compress} against the book's Python program, and the process pool against one worker. */
        compress
    }

    /** The JSON report's schema. */
    public static final String SCHEMA = "jfutures-bench/all/1";
    /** Default interleaved runs of each find subject in a full run. */
    public static final int FIND_RUNS = 11;
    /** Default interleaved runs of each compress subject in a full run. */
    public static final int COMPRESS_RUNS = 5;
    /** Default interleaved runs of each find and compress subject in a {@code --quick} run. */
    public static final int QUICK_RUNS = 3;

    /**
     * What to run, and how to run jfutures.
     *
     * @param sections the sections to run, kept in {@link Section} order, the order they run in; not empty
     * @param quick smoke sizes and few runs; no target is judged
     * @param runs the timed runs of each find and compress subject, and CoreBench's and
     *     ProcessBench's {@code --rounds}; null for the defaults
     * @param python the Python to compare with, or null for the defaults
     * @param noPython skip every comparison with CPython
     * @param findRoot the tree the find section searches, absolute and normalized
     * @param findPattern the find section's pattern, or null to choose one from the tree
     * @param launcher the command line that runs {@code jfutures} as a whole process, without
     *     arguments
     * @param classpath the class path of the child JVMs that run CoreBench and ProcessBench
     * @since 0.1
     */
    public record Options(Set<Section> sections, boolean quick, Integer runs, String python, boolean noPython,
                          Path findRoot, String findPattern, List<String> launcher, String classpath) {
        /**
         * Checks and copies the options.
         *
         * @param sections the sections to run; not empty
         * @param quick smoke sizes and few runs
         * @param runs the timed runs of each subject, or null for the defaults
         * @param python the Python to compare with, or null for the defaults
         * @param noPython skip every comparison with CPython
         * @param findRoot the tree the find section searches
         * @param findPattern the find section's pattern, or null to choose one
         * @param launcher the command line that runs {@code jfutures}
         * @param classpath the class path of the child JVMs
         * @throws NullPointerException if {@code sections}, {@code findRoot}, {@code launcher} or
         *     {@code classpath} is null
         * @throws IllegalArgumentException if {@code sections} or {@code launcher} is empty,
         *     {@code runs} is below 1, or both {@code python} and {@code noPython} are given
         * @since 0.1
         */
        public Options {
            Objects.requireNonNull(findRoot, "findRoot");
            Objects.requireNonNull(classpath, "classpath");
            if (sections.isEmpty()) {
                throw new IllegalArgumentException("no section to run");
            }
            sections = Collections.unmodifiableSet(EnumSet.copyOf(sections));
            launcher = List.copyOf(launcher);
            if (launcher.isEmpty()) {
                throw new IllegalArgumentException("an empty launcher command");
            }
            if (runs != null && runs < 1) {
                throw new IllegalArgumentException("runs must be a positive number, was " + runs);
            }
            if (noPython && python != null) {
                throw new IllegalArgumentException("python and noPython cannot be given together");
            }
        }

        /** The timed runs of each find subject. */
        int findRuns() {
            return runs != null ? runs : quick ? QUICK_RUNS : FIND_RUNS;
        }

        /** The timed runs of each compress subject. */
        int compressRuns() {
            return runs != null ? runs : quick ? QUICK_RUNS : COMPRESS_RUNS;
        }

        /** The options CoreBench and ProcessBench take from these. */
        List<String> passThrough() {
            List<String> args = new ArrayList<>();
            if (quick) {
                args.add("--quick");
            }
            if (noPython) {
                args.add("--no-python");
            } else if (python != null) {
                args.add("--python");
                args.add(python);
            }
            if (runs != null) {
                args.add("--rounds");
                args.add(String.valueOf(runs));
            }
            return args;
        }
    }

    /**
     * What the sections share: how to run jfutures as a whole process, the class path for the child
     * JVMs, a temporary directory (deleted at the end), the progress log and the report.
     */
    record Env(List<String> launcher, String classpath, Path work, PrintWriter log, BenchReport report) {
        /** The command line that runs {@code jfutures ARGS...} as a whole process. */
        List<String> jfutures(String... args) {
            List<String> cmd = new ArrayList<>(launcher);
            cmd.addAll(List.of(args));
            return cmd;
        }
    }

    private final Options options;
    private final BenchReport report;
    private final Env env;
    private final double seconds;
    private final double[] loadStart;
    private final double[] loadEnd;
    private final String mode;
    private final String machine;

    private BenchRun(Options options, BenchReport report, Env env, double seconds, double[] loadStart,
                     double[] loadEnd) {
        this.options = options;
        this.report = report;
        this.env = env;
        this.seconds = seconds;
        this.loadStart = loadStart;
        this.loadEnd = loadEnd;
        this.mode = options.quick() ? "quick" : "full";
        this.machine = String.format(Locale.ROOT, "Java %s, %d CPUs, load average %s at the start, %s at the end",
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(), loads(loadStart),
                loads(loadEnd));
    }

    /**
     * Runs the sections, one after the other, then prints the table. A section that cannot run (a
     * subject fails, hangs or cannot start) is reported on {@code log} and in the table, and the
     * next one runs.
     *
     * @param options what to run
     * @param out where the table goes
     * @param log where progress and the reasons a section could not run go
     * @return the run, for its {@link #failedSections}, {@link #json} and {@link #chart}
     * @throws IOException if the temporary directory cannot be created or deleted
     * @throws InterruptedException if the thread is interrupted while it waits for a subject
     * @since 0.1
     */
    public static BenchRun run(Options options, PrintWriter out, PrintWriter log)
            throws IOException, InterruptedException {
        BenchReport report = new BenchReport();
        double[] loadStart = loadAverages();
        long t0 = System.nanoTime();
        Path work = Files.createTempDirectory("jfutures-bench-");
        Env env = new Env(options.launcher(), options.classpath(), work, log, report);
        boolean quick = options.quick();
        try {
            for (Section s : options.sections()) {
                try {
                    switch (s) {
                        case core -> BenchChild.run(env, BenchChild.Runner.CORE, options.passThrough(), quick);
                        case process -> BenchChild.run(env, BenchChild.Runner.PROCESS, options.passThrough(), quick);
                        case cluster -> BenchChild.run(env, BenchChild.Runner.CLUSTER, options.passThrough(), quick);
                        case find -> BenchFind.run(env, options.findRoot(), options.findPattern(), options.findRuns());
                        case compress -> BenchCompress.run(env, options.noPython()
                                ? new BenchCompress.Python(null, null, "--no-python given")
                                : BenchCompress.findPython(options.python()), BenchCompress.Sizes.of(quick),
                                options.compressRuns());
                    }
                } catch (BenchProcess.Failure | IOException e) {
                    String why = e instanceof BenchProcess.Failure ? e.getMessage() : e.toString();
                    report.failed(s.name(), why);
                    log.println("jfutures bench: the " + s + " section could not run: " + why);
                    log.flush();
                }
            }
        } finally {
            deleteTree(work);
        }
        if (quick) {
            report.quickRun();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        BenchRun run = new BenchRun(options, report, env, seconds, loadStart, loadAverages());
        run.notes();
        report.print(out, String.format(Locale.ROOT, "jfutures bench (%s run, %.0f s): %s", run.mode, seconds,
                run.machine));
        return run;
    }

    /**
     * The sections that could not run, in the order they ran.
     *
     * @return their names; empty when every section ran
     * @since 0.1
     */
    public List<String> failedSections() {
        return report.failedSections();
    }

    /**
     * Every figure and sample, the checks, and CoreBench's and ProcessBench's whole reports, as JSON
     * (schema {@value #SCHEMA}), stamped with the time of this call.
     *
     * @return the JSON text, ending with a newline
     * @since 0.1
     */
    public String json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("schema", SCHEMA);
        m.put("timestamp", Instant.now().toString());
        m.put("mode", mode);
        m.put("wall_seconds", seconds);
        Map<String, Object> environment = new LinkedHashMap<>();
        environment.put("java_version", System.getProperty("java.version"));
        environment.put("java_home", System.getProperty("java.home"));
        environment.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        environment.put("cpus", Runtime.getRuntime().availableProcessors());
        environment.put("load_average_start", toList(loadStart));
        environment.put("load_average_end", toList(loadEnd));
        environment.put("jfutures_command", env.launcher());
        environment.put("child_classpath", env.classpath());
        m.put("environment", environment);
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("sections", options.sections().stream().map(Enum::name).toList());
        config.put("quick", options.quick());
        config.put("find_runs", options.findRuns());
        config.put("compress_runs", options.compressRuns());
        config.put("rounds", options.runs());
        config.put("python", options.python());
        config.put("no_python", options.noPython());
        config.put("find_root", options.findRoot().toString());
        config.put("find_pattern", options.findPattern());
        m.put("config", config);
        m.put("rows", report.rowsJson());
        m.put("checks", report.checksJson());
        m.put("all_targets_met", report.count(BenchReport.FAIL) == 0 && report.failedSections().isEmpty());
        m.put("all_checks_ok", report.checks.stream().allMatch(BenchReport.Check::ok));
        m.put("sections", report.sections);
        m.put("notes", report.notes);
        return Json.write(m);
    }

    /**
     * The targets as an SVG bar chart ({@link BenchChart}), dated today (UTC), with a footnote for
     * each section that could not run.
     *
     * @return the SVG text
     * @since 0.1
     */
    public String chart() {
        List<String> footnotes = report.failedSections().stream()
                .map(n -> "*** " + n + " could not run: " + report.firstLine(n)).toList();
        return BenchChart.svg(report.rows, "jfutures bench: each target, how far past it",
                LocalDate.now(ZoneOffset.UTC) + ", " + mode + " run, " + machine, footnotes);
    }

    private void notes() {
        report.notes.add("value: the ratio (or figure) the target is about; limit: the target. core and process come"
                + " from CoreBench and ProcessBench in child JVMs (" + String.join(" ", BenchChild.JVM_OPTIONS)
                + "); their full tables are in the JSON (sections.core.report, sections.process.report).");
        report.notes.add("find and compress: whole process against whole process (start-up included), one untimed run"
                + " of each first, then the timed runs interleaved (A B, B A, ...); figures are medians of wall"
                + " time; output is read to the end and dropped.");
        report.notes.add("jfutures ran as: " + String.join(" ", env.launcher())
                + (System.getenv("JFUTURES_LAUNCHER") != null ? " ($JFUTURES_LAUNCHER)" : ""));
        int cpus = Runtime.getRuntime().availableProcessors();
        if (Math.max(loadStart[0], loadEnd[0]) > cpus) {
            report.notes.add(String.format(Locale.ROOT, "WARNING: the machine was loaded (1-minute load average %.1f"
                    + " at the start, %.1f at the end, on %d CPUs): wall times are inflated; the ratios, taken"
                    + " within one run, much less.", loadStart[0], loadEnd[0], cpus));
        }
        if (options.quick()) {
            report.notes.add("--quick: smoke sizes and few runs; the targets are meant for the full run, so every"
                    + " target is SKIP.");
        }
    }

    private static List<Double> toList(double[] v) {
        List<Double> l = new ArrayList<>();
        for (double d : v) {
            l.add(d);
        }
        return l;
    }

    /** The 1-, 5- and 15-minute load averages from /proc/loadavg (NaN where there are none). */
    static double[] loadAverages() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg"), StandardCharsets.US_ASCII).trim().split("\\s+");
            return new double[] {Double.parseDouble(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2])};
        } catch (IOException | RuntimeException e) {
            return new double[] {Double.NaN, Double.NaN, Double.NaN};
        }
    }

    private static String loads(double[] v) {
        return String.format(Locale.ROOT, "%.2f %.2f %.2f", v[0], v[1], v[2]);
    }

    /** Deletes {@code dir} and everything under it; nothing when it does not exist. */
    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
