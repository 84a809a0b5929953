package dev.jfutures.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jfutures.bench.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import picocli.CommandLine;

/** {@code jfutures bench}: a quick end-to-end run, its JSON and chart, option errors, a missing Python. */
class BenchCommandTest {

    @TempDir
    Path tmp;

    /**
     * A tree of 4 x 4 directories, each with data.bin (16 times: too common to be the pattern) and
     * notes-K.txt, K cycling through 8 (each name twice: a handful).
     */
    private Path tree() throws IOException {
        Path root = tmp.toRealPath().resolve("tree");
        for (int d = 0; d < 4; d++) {
            for (int e = 0; e < 4; e++) {
                Path dir = Files.createDirectories(root.resolve("d" + d).resolve("e" + e));
                Files.writeString(dir.resolve("data.bin"), "x");
                Files.writeString(dir.resolve("notes-" + (d * 4 + e) % 8 + ".txt"), "x");
            }
        }
        return root;
    }

    // ------------------------------------------------------------------ end to end

    /** --quick --only find runs both finds, prints the table and writes JSON and an SVG with one bar per row. */
    @Test
    void quickFindRunsEndToEndAndWritesJsonAndChart() throws Exception {
        assumeTrue(BenchFind.gnuFind() != null, "GNU find is not on the PATH");
        Path root = tree();
        Path json = tmp.resolve("out/bench.json");
        Path svg = tmp.resolve("out/bench.svg");
        Result r = run("bench", "--quick", "--only", "find", "--find-root", root.toString(), "--json", json.toString(),
                "--chart", svg.toString());

        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("find " + root + " -path '*notes-0.txt*'", "checks:",
                "GNU find and jfutures find printed the same 2 paths", "JSON written to", "chart written to");

        Map<String, Object> doc = map(Json.parse(Files.readString(json, StandardCharsets.UTF_8)));
        assertThat(doc).containsKeys("schema", "timestamp", "mode", "wall_seconds", "environment", "config", "rows",
                "checks", "all_targets_met", "all_checks_ok", "sections", "notes");
        assertThat(doc.get("schema")).isEqualTo(BenchCommand.SCHEMA);
        assertThat(doc.get("mode")).isEqualTo("quick");
        assertThat(map(doc.get("environment"))).containsKeys("java_version", "cpus", "load_average_start",
                "load_average_end", "jfutures_command");
        List<Object> rows = list(doc.get("rows"));
        assertThat(rows).hasSize(1);
        Map<String, Object> row = map(rows.get(0));
        assertThat(row).containsEntry("section", "find").containsEntry("id", "find_vs_gnu")
                .containsEntry("op", "<=").containsEntry("threshold", 1.5);
        assertThat(row.get("verdict")).as("a --quick run judges no target").isEqualTo("SKIP");
        double ours = number(map(row.get("jfutures")).get("median"));
        double gnu = number(map(row.get("other")).get("median"));
        assertThat(list(map(row.get("jfutures")).get("samples"))).hasSize(BenchCommand.QUICK_RUNS);
        assertThat(list(map(row.get("other")).get("samples"))).hasSize(BenchCommand.QUICK_RUNS);
        assertThat(number(row.get("value"))).isPositive().isCloseTo(ours / gnu, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(map(list(doc.get("checks")).get(0))).containsEntry("id", "find_same_paths").containsEntry("ok", true);
        Map<String, Object> find = map(map(doc.get("sections")).get("find"));
        assertThat(find).containsEntry("status", "ran").containsEntry("pattern", "notes-0.txt")
                .containsEntry("pattern_chosen", true);
        assertThat(number(find.get("paths_under_root"))).isEqualTo(1 + 4 + 16 + 32);
        assertThat(number(find.get("matches_gnu"))).isEqualTo(2);

        Document chart = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(svg.toFile());
        assertThat(chart.getDocumentElement().getTagName()).isEqualTo("svg");
        assertThat(bars(chart)).hasSize(rows.size());
        assertThat(bars(chart).get(0).getAttribute("data-id")).isEqualTo("find/find_vs_gnu");
    }

    /** Without Python (--python naming nothing), the compress-vs-Python row is SKIP and says why and what to install. */
    @Test
    void aMissingPythonSkipsTheCompressComparisonAndSaysWhy() throws Exception {
        String missing = tmp.resolve("no-such-python3").toString();
        Path json = tmp.resolve("bench.json");
        Result r = run("bench", "--quick", "--runs", "1", "--only", "compress", "--python", missing, "--json",
                json.toString());

        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).contains("compress-vs-Python row is skipped", missing + ": not found",
                "python3-pil python3-bitarray");
        Map<String, Object> row = map(list(map(Json.parse(Files.readString(json))).get("rows")).get(0));
        assertThat(row).containsEntry("id", "compress_vs_python").containsEntry("verdict", "SKIP");
        assertThat((String) row.get("note")).contains(missing, "apt-get install python3-pil python3-bitarray");
        assertThat(r.out()).contains("SKIP");
    }

    /**
     * --quick --only compress with a Python that has Pillow and bitarray: both comparisons are
     * measured, and both pairs of outputs are byte for byte the same.
     */
    @Test
    void quickCompressMeasuresBothComparisonsWithTheSameOutputs() throws Exception {
        BenchCompress.Python python = BenchCompress.findPython(null);
        assumeTrue(python.found(), python.problem());
        Path json = tmp.resolve("bench.json");
        Result r = run("bench", "--quick", "--runs", "1", "--only", "compress", "--json", json.toString());

        assertThat(r.code()).as(r.err()).isZero();
        Map<String, Object> doc = map(Json.parse(Files.readString(json)));
        List<Object> rows = list(doc.get("rows"));
        assertThat(rows).extracting(o -> map(o).get("id")).containsExactly("compress_vs_python", "compress_dir_process");
        for (Object o : rows) {
            assertThat(map(o).get("verdict")).as("a --quick run judges no target").isEqualTo("SKIP");
            assertThat(number(map(o).get("value"))).isPositive();
        }
        assertThat(list(doc.get("checks"))).extracting(o -> map(o).get("id"), o -> map(o).get("ok"))
                .containsExactly(org.assertj.core.groups.Tuple.tuple("compress_same_rle", true),
                        org.assertj.core.groups.Tuple.tuple("compress_dir_same", true));
        assertThat(r.out()).contains("wrote the same", "both wrote the same 10 files");
    }

    // ------------------------------------------------------------------ usage errors

    @Test
    void optionErrorsAreUsageErrors() {
        assertUsageError("Invalid value for option '--only'", "bench", "--only", "core,bogus");
        assertUsageError("--runs must be a positive number, was 0", "bench", "--runs", "0");
        assertUsageError("Invalid value for option '--runs'", "bench", "--runs", "many");
        assertUsageError("--python and --no-python cannot be used together", "bench", "--python", "python3",
                "--no-python");
        assertUsageError("--find-root '" + tmp.resolve("missing") + "' is not a directory", "bench", "--only", "find",
                "--find-root", tmp.resolve("missing").toString());
    }

    private void assertUsageError(String message, String... args) {
        Result r = run(args);
        assertThat(r.code()).as("exit code of %s", List.of(args)).isEqualTo(2);
        assertThat(r.err()).contains(message).endsWith("Try 'jfutures bench --help' for more information.\n")
                .doesNotContain("Usage:");
    }

    // ------------------------------------------------------------------ parts

    /** The pattern is a name that occurs a few times; a name under which everything lies is not. */
    @Test
    void theChosenPatternMatchesAHandfulOfPaths() {
        List<String> paths = new ArrayList<>(List.of("/r", "/r/common-dir"));
        for (int i = 0; i < 30; i++) {
            paths.add("/r/common-dir/f" + i + "/payload");
            paths.add("/r/common-dir/f" + i + "/sample-" + (i % 10) + ".dat");
        }
        assertThat(BenchFind.choosePattern(paths)).isEqualTo("sample-0.dat");
        assertThat(BenchFind.choosePattern(List.of("/r", "/r/a", "/r/b"))).isNull();
    }

    /** A ">=" target passes at or above its limit, a "<=" one at or below; headroom above 1 is a pass. */
    @Test
    void verdictsAndHeadroom() {
        BenchReport.Row atLeast = new BenchReport.Row("s", "a", "a", ">=", 20).measured(25);
        BenchReport.Row atMost = new BenchReport.Row("s", "b", "b", "<=", 1.5).measured(3);
        assertThat(atLeast.verdict).isEqualTo(BenchReport.PASS);
        assertThat(atLeast.headroom()).isEqualTo(1.25);
        assertThat(atMost.verdict).isEqualTo(BenchReport.FAIL);
        assertThat(atMost.headroom()).isEqualTo(0.5);
        assertThat(new BenchReport.Row("s", "c", "c", ">=", 1).measured(Double.NaN).verdict).isEqualTo(BenchReport.SKIP);
        assertThat(BenchReport.verdict(1.5, "<=", 1.5)).isEqualTo(BenchReport.PASS);
        assertThat(BenchReport.verdict(256, "<", 256)).isEqualTo(BenchReport.FAIL);
    }

    /** A --quick run makes every judged target SKIP, keeping its figure; the summary fails nothing. */
    @Test
    void aQuickRunReportsTargetsAsSkipNotFail() {
        BenchReport report = new BenchReport();
        report.rows.add(new BenchReport.Row("s", "fast", "fast", ">=", 20).measured(25));
        report.rows.add(new BenchReport.Row("s", "slow", "slow", "<=", 1.5).measured(3));
        report.rows.add(new BenchReport.Row("s", "none", "none", ">=", 1).skipped("no tool"));
        report.quickRun();
        assertThat(report.rows).extracting(r -> r.verdict).containsOnly(BenchReport.SKIP);
        assertThat(report.rows.get(1).value).isEqualTo(3);
        assertThat(report.rows.get(1).note).contains("--quick", "not judged", "full run");
        assertThat(report.rows.get(2).note).isEqualTo("no tool");
        assertThat(report.count(BenchReport.FAIL)).isZero();
        StringWriter table = new StringWriter();
        report.print(new PrintWriter(table), "heading");
        assertThat(table.toString()).contains("all targets met (3 skipped").doesNotContain("FAILED");
    }

    /** The chart escapes text, and draws an empty bar for a target not measured. */
    @Test
    void theChartIsValidXmlWithABarPerRowWhateverTheText() throws Exception {
        List<BenchReport.Row> rows = List.of(
                new BenchReport.Row("x", "pass", "a <tricky> & \"quoted\" 'name'", ">=", 2).measured(8),
                new BenchReport.Row("x", "fail", "failing", "<=", 1.5).measured(3),
                new BenchReport.Row("x", "skip", "not measured", ">=", 20).skipped("no tool"),
                new BenchReport.Row("x", "inf", "failed outright", "<", 256).measured(Double.POSITIVE_INFINITY));
        String svg = BenchChart.svg(rows, "t & t", "sub <title>", List.of("*** core could not run: <why>"));
        Document d = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new java.io.ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        List<Element> bars = bars(d);
        assertThat(bars).extracting(e -> e.getAttribute("class"))
                .containsExactly("bar pass", "bar fail", "bar skip", "bar fail");
        assertThat(Double.parseDouble(bars.get(2).getAttribute("width"))).isZero();
        assertThat(Double.parseDouble(bars.get(0).getAttribute("width"))).isPositive();
        assertThat(BenchChart.ticks(0.25, 4)).containsExactly(0.5, 1.0, 2.0);
    }

    /**
     * ProcessBench's targets against its raw-socket control and CPython's spawn start become rows
     * that show both figures they compare; an older report without them still reads.
     */
    @Test
    @SuppressWarnings("unchecked")
    void processTargetsShowTheControlAndSpawnFigures() {
        Map<String, Object> doc = map(Json.parse("""
                {"schema": "jfutures-bench/process/1",
                 "cases": [
                  {"id": "roundtrip_p50", "unit": "us", "jfutures": {"median": 20.0, "samples": [19.0, 20.0, 21.0]},
                   "cpython": {"median": 200.0, "samples": [200.0]}, "cpython_spawn": null},
                  {"id": "echo_p50", "unit": "us", "jfutures": {"median": 16.0, "samples": [15.0, 16.0, 17.0]},
                   "cpython": null, "cpython_spawn": null},
                  {"id": "start_first_result", "unit": "ms", "jfutures": {"median": 110.0, "samples": [110.0]},
                   "cpython": {"median": 5.0, "samples": [5.0]}, "cpython_spawn": {"median": 90.0, "samples": [90.0]}}],
                 "targets": [
                  {"id": "roundtrip_p50_vs_control", "description": "round-trip p50 <= 1.3x the raw Unix-socket echo (control)",
                   "value": 1.25, "op": "<=", "threshold": 1.3, "verdict": "PASS", "context": "jfutures p50 20.0 us"},
                  {"id": "start_vs_cpython_spawn", "description": "pool start to first result (2 workers) no slower than CPython's spawn start in the same run",
                   "value": 1.2222, "op": "<=", "threshold": 1.0, "verdict": "FAIL", "context": null}]}
                """));
        BenchReport report = new BenchReport();
        BenchChild.addRows(report, BenchChild.Runner.PROCESS, doc);

        assertThat(report.rows).extracting(r -> r.id).containsExactly("roundtrip_p50_vs_control",
                "start_vs_cpython_spawn");
        BenchReport.Row control = report.rows.get(0);
        assertThat(control.jfutures.median()).isEqualTo(20.0);
        assertThat(control.other.label()).isEqualTo("raw socket echo");
        assertThat(control.other.median()).isEqualTo(16.0);
        assertThat(control.other.samples()).containsExactly(15.0, 16.0, 17.0);
        assertThat(control.valueUnit).isEqualTo("x");
        assertThat(control.verdict).isEqualTo("PASS");
        BenchReport.Row spawn = report.rows.get(1);
        assertThat(spawn.jfutures.median()).isEqualTo(110.0);
        assertThat(spawn.other.label()).isEqualTo("CPython spawn");
        assertThat(spawn.other.median()).isEqualTo(90.0);
        assertThat(spawn.verdict).isEqualTo("FAIL");

        Map<String, Object> older = new java.util.LinkedHashMap<>(doc);
        older.put("cases", List.of(((List<Object>) doc.get("cases")).get(0)));
        BenchReport olderReport = new BenchReport();
        BenchChild.addRows(olderReport, BenchChild.Runner.PROCESS, older);
        assertThat(olderReport.rows.get(0).other).as("no echo_p50 case").isNull();
    }

    /** A child that neither prints nor uses CPU is killed as stalled, long before its time limit. */
    @Test
    void aStalledChildIsKilledAndReported() throws Exception {
        Path console = tmp.resolve("console");
        Files.writeString(console, "started\n");
        Process p = new ProcessBuilder("sleep", "600").redirectOutput(ProcessBuilder.Redirect.appendTo(console.toFile()))
                .start();
        try {
            assertThatThrownBy(() -> BenchChild.await(p, "Sleeper", console, Duration.ofMinutes(10),
                    Duration.ofMillis(50), Duration.ofMillis(300)))
                    .isInstanceOf(BenchProcess.Failure.class)
                    .hasMessageContaining("Sleeper stalled: no output and under 2 s of CPU time")
                    .hasMessageContaining("started");
            assertThat(p.waitFor(10, TimeUnit.SECONDS)).as("killed").isTrue();
        } finally {
            p.destroyForcibly();
        }
    }

    // ------------------------------------------------------------------ harness

    private static List<Element> bars(Document d) {
        List<Element> bars = new ArrayList<>();
        NodeList rects = d.getElementsByTagName("rect");
        for (int i = 0; i < rects.getLength(); i++) {
            Element e = (Element) rects.item(i);
            if (e.getAttribute("class").startsWith("bar")) {
                bars.add(e);
            }
        }
        return bars;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        assertThat(o).isInstanceOf(Map.class);
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
        assertThat(o).isInstanceOf(List.class);
        return (List<Object>) o;
    }

    private static double number(Object o) {
        assertThat(o).isInstanceOf(Number.class);
        return ((Number) o).doubleValue();
    }

    /** What a run printed and returned. */
    private record Result(int code, String out, String err) {
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = Main.commandLine(CommandLine.defaultFactory(), args)
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true));
        int code = cmd.execute(args);
        return new Result(code, out.toString(), err.toString());
    }
}
