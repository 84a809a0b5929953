package dev.jfutures.cli;

import dev.jfutures.bench.runner.BenchRun;
import dev.jfutures.bench.runner.BenchRun.Section;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
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
 *
 * <p>This class is the command line only: the options, their checks, how jfutures is run as a
 * whole process, the files written and the exit code. The runner is {@link BenchRun}, in
 * jfutures-bench.
 *
 * @since 0.1
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

    @Spec
    CommandSpec spec;

    @Option(names = "--only", split = ",", paramLabel = "SECTION",
            description = "Run only these sections, comma-separated: ${COMPLETION-CANDIDATES} (default: all).")
    List<Section> only;

    @Option(names = "--quick", description = "Smoke sizes and few runs (seconds, not minutes): for tests; the targets"
            + " are meant for the full run.")
    boolean quick;

    @Option(names = "--runs", paramLabel = "N", description = "Timed runs of each subject in find and compress"
            + " (default " + BenchRun.FIND_RUNS + " for find, " + BenchRun.COMPRESS_RUNS + " for compress; with"
            + " --quick " + BenchRun.QUICK_RUNS + "), and the measured rounds of every CoreBench and ProcessBench"
            + " case (their --rounds).")
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
     * Checks the options, runs the sections and prints the table, then writes the JSON and the chart
     * if asked to.
     *
     * @return 0 when every section ran, 1 when one could not, or the JSON or the chart could not be
     *     written
     * @throws CommandLine.ParameterException on a usage error (exit code 2)
     * @throws IOException if the runner's temporary directory cannot be created or deleted
     * @throws InterruptedException if the thread is interrupted while it waits for a subject
     * @since 0.1
     */
    @Override
    public Integer call() throws IOException, InterruptedException {
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
        BenchRun run = BenchRun.run(new BenchRun.Options(sections, quick, runs, python, noPython, root, findPattern,
                launcher(), classpath()), cmd.getOut(), log);

        int code = run.failedSections().isEmpty() ? 0 : 1;
        try {
            if (json != null) {
                write(json, run.json());
                cmd.getOut().println("JSON written to " + json.toAbsolutePath());
            }
            if (chart != null) {
                write(chart, run.chart());
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

    private static void write(Path file, String text) throws IOException {
        Path abs = file.toAbsolutePath();
        if (abs.getParent() != null) {
            Files.createDirectories(abs.getParent());
        }
        Files.writeString(abs, text, StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------ how jfutures runs

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
}
