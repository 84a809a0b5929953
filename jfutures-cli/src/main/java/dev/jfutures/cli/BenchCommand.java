package dev.jfutures.cli;

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
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jfutures bench}: the project's side-by-side benchmarks in one run, one table of ratios
 * with PASS/FAIL per target, and optionally all figures as JSON and the ratios as an SVG chart.
 *
 * <ul>
 *   <li><b>core</b>, <b>process</b>: CoreBench and ProcessBench (jfutures-bench) in child
 *       JVMs; their targets become rows.
 *   <li><b>find</b>: GNU find against {@code jfutures find}, whole process against whole process.
 *   <li><b>compress</b>: the book's Python program against {@code jfutures compress}, and the
 *       process pool against one worker.
 * </ul>
 *
 * <p>The machine is shared and noisy, so subjects run interleaved, figures are medians, and the
 * targets are ratios within one run. The exit code is 0 whenever the report was made, targets
 * failed or not; 1 when a section could not run (the message says why); 2 for a usage error.
 */
@Command(name = "bench",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Run the side-by-side benchmarks in one go and print one table: each target with the figures it"
                + " compares, the ratio, the limit and PASS, FAIL or SKIP (not measured).",
            "Sections: core (CoreBench: ThreadPool vs java.util.concurrent and CPython), process (ProcessBench:"
                + " ProcessPool vs CPython), find (jfutures find vs GNU find), compress (jfutures compress"
                + " vs the book's Python program, and the process pool vs one worker). core and process each run"
                + " in a child JVM; find and compress time whole processes, interleaved, and take medians.",
            "A full run takes 5 to 10 minutes, depending on the machine's load."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:the report was made (whether or not every target was met)",
            "1:a section could not run (a subject failed or hung: the message says which and why),"
                + " or the JSON or chart could not be written",
            "2:usage error"})
public final class BenchCommand implements Callable<Integer> {

    /** The sections, in the order they run. */
    enum Section { core, process, find, compress }

    static final String SCHEMA = "jfutures-bench/all/1";
    /** Default interleaved runs of each find subject, full and quick. */
    static final int FIND_RUNS = 11;
    /** Default interleaved runs of each compress subject, full and quick. */
    static final int COMPRESS_RUNS = 5;
    static final int QUICK_RUNS = 3;

    @Spec
    CommandSpec spec;

    @Option(names = "--only", split = ",", paramLabel = "SECTION",
            description = "Run only these sections, comma-separated: ${COMPLETION-CANDIDATES} (default: all).")
    List<Section> only;

    @Option(names = "--quick", description = "Smoke sizes and few runs (seconds, not minutes): for tests; the targets"
            + " are meant for the full run.")
    boolean quick;

    @Option(names = "--runs", paramLabel = "N", description = "Timed runs of each subject in find and compress"
            + " (default 11 for find, 5 for compress; with --quick 3), and the measured rounds of every CoreBench and"
            + " ProcessBench case (their --rounds).")
    Integer runs;

    @Option(names = "--python", paramLabel = "CMD", description = "The Python to compare with (default: python3"
            + " for core and process; for compress the first of python3 and /usr/bin/python3 that imports"
            + " Pillow and bitarray). Given, it is the only one tried.")
    String python;

    @Option(names = "--no-python", description = "Skip every comparison with CPython.")
    boolean noPython;

    @Option(names = "--find-root", paramLabel = "DIR", defaultValue = "/usr",
            description = "The tree the find section searches (default: ${DEFAULT-VALUE}).")
    Path findRoot;

    @Option(names = "--find-pattern", paramLabel = "PATTERN", description = "The find section's pattern (default:"
            + " chosen to match a handful of the paths under --find-root).")
    String findPattern;

    @Option(names = "--json", paramLabel = "FILE", description = "Write all figures, every sample and the"
            + " CoreBench and ProcessBench reports to FILE as JSON.")
    Path json;

    @Option(names = "--chart", paramLabel = "FILE.svg", description = "Draw the targets as an SVG bar chart: how"
            + " far past (or short of) its target each figure is.")
    Path chart;

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

    @Override
    public Integer call() throws Exception {
        CommandLine cmd = spec.commandLine();
        if (runs != null && runs < 1) {
            throw new CommandLine.ParameterException(cmd, "--runs must be a positive number, was " + runs);
        }
        if (noPython && python != null) {
            throw new CommandLine.ParameterException(cmd, "--python and --no-python cannot be used together");
        }
        Set<Section> sections = only == null || only.isEmpty() ? EnumSet.allOf(Section.class) : EnumSet.copyOf(only);
        Path root = findRoot.toAbsolutePath().normalize();
        if (sections.contains(Section.find) && !Files.isDirectory(root)) {
            throw new CommandLine.ParameterException(cmd, "--find-root '" + findRoot + "' is not a directory");
        }
        PrintWriter log = cmd.getErr();
        BenchReport report = new BenchReport();
        double[] loadStart = loadAverages();
        long t0 = System.nanoTime();
        Path work = Files.createTempDirectory("jfutures-bench-");
        Env env = new Env(launcher(), classpath(), work, log, report);
        int findRuns = runs != null ? runs : quick ? QUICK_RUNS : FIND_RUNS;
        int compressRuns = runs != null ? runs : quick ? QUICK_RUNS : COMPRESS_RUNS;
        try {
            for (Section s : sections) {
                try {
                    switch (s) {
                        case core -> BenchChild.run(env, BenchChild.Runner.CORE, passThrough(), quick);
                        case process -> BenchChild.run(env, BenchChild.Runner.PROCESS, passThrough(), quick);
                        case find -> BenchFind.run(env, root, findPattern, findRuns);
                        case compress -> BenchCompress.run(env, noPython
                                ? new BenchCompress.Python(null, null, "--no-python given")
                                : BenchCompress.findPython(python), BenchCompress.Sizes.of(quick), compressRuns);
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
        double[] loadEnd = loadAverages();
        notes(report, env, loadStart, loadEnd);
        String machine = String.format(Locale.ROOT, "Java %s, %d CPUs, load average %s at the start, %s at the end",
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(), loads(loadStart),
                loads(loadEnd));
        String mode = quick ? "quick" : "full";
        report.print(cmd.getOut(), String.format(Locale.ROOT, "jfutures bench (%s run, %.0f s): %s", mode, seconds,
                machine));

        int code = report.failedSections().isEmpty() ? 0 : 1;
        try {
            if (json != null) {
                write(json, Json.write(json(report, sections, env, seconds, loadStart, loadEnd, findRuns,
                        compressRuns, root)));
                cmd.getOut().println("JSON written to " + json.toAbsolutePath());
            }
            if (chart != null) {
                List<String> footnotes = report.failedSections().stream()
                        .map(n -> "*** " + n + " could not run: " + report.firstLine(n)).toList();
                write(chart, BenchChart.svg(report.rows, "jfutures bench: each target, how far past it",
                        LocalDate.now(ZoneOffset.UTC) + ", " + mode + " run, " + machine, footnotes));
                cmd.getOut().println("chart written to " + chart.toAbsolutePath());
            }
        } catch (IOException e) {
            log.println("jfutures bench: cannot write the JSON or the chart: " + e);
            code = 1;
        }
        cmd.getOut().flush();
        log.flush();
        return code;
    }

    /** The options CoreBench and ProcessBench take from ours. */
    private List<String> passThrough() {
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

    private void notes(BenchReport report, Env env, double[] loadStart, double[] loadEnd) {
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
        if (quick) {
            report.notes.add("--quick: smoke sizes and few runs; the targets are meant for the full run, so every"
                    + " target is SKIP.");
        }
    }

    private Map<String, Object> json(BenchReport report, Set<Section> sections, Env env, double seconds,
                                     double[] loadStart, double[] loadEnd, int findRuns, int compressRuns, Path root) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("schema", SCHEMA);
        m.put("timestamp", Instant.now().toString());
        m.put("mode", quick ? "quick" : "full");
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
        config.put("sections", sections.stream().map(Enum::name).toList());
        config.put("quick", quick);
        config.put("find_runs", findRuns);
        config.put("compress_runs", compressRuns);
        config.put("rounds", runs);
        config.put("python", python);
        config.put("no_python", noPython);
        config.put("find_root", root.toString());
        config.put("find_pattern", findPattern);
        m.put("config", config);
        m.put("rows", report.rowsJson());
        m.put("checks", report.checksJson());
        m.put("all_targets_met", report.count(BenchReport.FAIL) == 0 && report.failedSections().isEmpty());
        m.put("all_checks_ok", report.checks.stream().allMatch(BenchReport.Check::ok));
        m.put("sections", report.sections);
        m.put("notes", report.notes);
        return m;
    }

    private static List<Double> toList(double[] v) {
        List<Double> l = new ArrayList<>();
        for (double d : v) {
            l.add(d);
        }
        return l;
    }

    private static void write(Path file, String text) throws IOException {
        Path abs = file.toAbsolutePath();
        if (abs.getParent() != null) {
            Files.createDirectories(abs.getParent());
        }
        Files.writeString(abs, text, StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------ the machine and the jar

    /**
     * How to run jfutures as a whole process: {@code $JFUTURES_LAUNCHER} (the repository's
     * {@code ./jfutures} script exports it) when set, else this JVM's {@code java -jar} on the
     * running jar, else (running from classes, as in tests) {@code java -cp} this class path.
     */
    static List<String> launcher() {
        String script = System.getenv("JFUTURES_LAUNCHER");
        if (script != null && !script.isBlank()) {
            return List.of(script);
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path jar = runningJar();
        return jar != null ? List.of(java, "-jar", jar.toString())
                : List.of(java, "-cp", System.getProperty("java.class.path"), Main.class.getName());
    }

    /** The child JVMs' class path: the running jar, else (running from classes) this class path. */
    static String classpath() {
        Path jar = runningJar();
        return jar != null ? jar.toString() : System.getProperty("java.class.path");
    }

    /** The jar this class was loaded from, or null when it comes from a directory. */
    static Path runningJar() {
        try {
            Path p = Path.of(BenchCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return Files.isRegularFile(p) ? p : null;
        } catch (Exception e) {
            return null;
        }
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
