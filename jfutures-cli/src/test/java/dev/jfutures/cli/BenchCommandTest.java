package dev.jfutures.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.jfutures.bench.Json;
import dev.jfutures.bench.runner.BenchRun;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import picocli.CommandLine;

/**
 * {@code jfutures bench} as a command: a quick end-to-end run, its JSON and chart, option errors, a
 * missing Python. The runner's parts are tested in jfutures-bench.
 */
class BenchCommandTest {

    /** How the table says the find section was not measured: the {@code find} on the PATH is not GNU's. */
    private static final String NO_GNU_FIND = "GNU find is not on the PATH";
    /** How stderr says the compress-vs-Python row was not measured: no Python with Pillow and bitarray. */
    private static final String NO_PYTHON = "compress-vs-Python row is skipped";

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
        Path root = tree();
        Path json = tmp.resolve("out/bench.json");
        Path svg = tmp.resolve("out/bench.svg");
        Result r = run("bench", "--quick", "--only", "find", "--find-root", root.toString(), "--json", json.toString(),
                "--chart", svg.toString());
        assumeFalse(r.out().contains(NO_GNU_FIND), NO_GNU_FIND);

        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("find " + root + " -path '*notes-0.txt*'", "checks:",
                "GNU find and jfutures find printed the same 2 paths", "JSON written to", "chart written to");

        Map<String, Object> doc = map(Json.parse(Files.readString(json, StandardCharsets.UTF_8)));
        assertThat(doc).containsKeys("schema", "timestamp", "mode", "wall_seconds", "environment", "config", "rows",
                "checks", "all_targets_met", "all_checks_ok", "sections", "notes");
        assertThat(doc.get("schema")).isEqualTo(BenchRun.SCHEMA);
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
        assertThat(list(map(row.get("jfutures")).get("samples"))).hasSize(BenchRun.QUICK_RUNS);
        assertThat(list(map(row.get("other")).get("samples"))).hasSize(BenchRun.QUICK_RUNS);
        assertThat(number(row.get("value"))).isPositive().isCloseTo(ours / gnu, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(map(list(doc.get("checks")).get(0))).containsEntry("id", "find_same_paths").containsEntry("ok", true);
        Map<String, Object> find = map(map(doc.get("sections")).get("find"));
        assertThat(find).containsEntry("status", "ran").containsEntry("pattern", "notes-0.txt")
                .containsEntry("pattern_chosen", true);
        assertThat(number(find.get("paths_under_root"))).isEqualTo(1 + 4 + 16 + 32);
        assertThat(number(find.get("matches_gnu"))).isEqualTo(2);

        Document chart = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(svg.toFile());
        assertThat(chart.getDocumentElement().getTagName()).isEqualTo("svg");
        NodeList bars = (NodeList) XPathFactory.newInstance().newXPath()
                .evaluate("//rect[starts-with(@class, 'bar')]", chart, XPathConstants.NODESET);
        assertThat(bars.getLength()).isEqualTo(rows.size());
        assertThat(((Element) bars.item(0)).getAttribute("data-id")).isEqualTo("find/find_vs_gnu");
    }

    /** Without Python (--python naming nothing), the compress-vs-Python row is SKIP and says why and what to install. */
    @Test
    void aMissingPythonSkipsTheCompressComparisonAndSaysWhy() throws Exception {
        String missing = tmp.resolve("no-such-python3").toString();
        Path json = tmp.resolve("bench.json");
        Result r = run("bench", "--quick", "--runs", "1", "--only", "compress", "--python", missing, "--json",
                json.toString());

        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).contains(NO_PYTHON, missing + ": not found",
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
        Path json = tmp.resolve("bench.json");
        Result r = run("bench", "--quick", "--runs", "1", "--only", "compress", "--json", json.toString());
        assumeFalse(r.err().contains(NO_PYTHON), r.err());

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

    // ------------------------------------------------------------------ harness

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
