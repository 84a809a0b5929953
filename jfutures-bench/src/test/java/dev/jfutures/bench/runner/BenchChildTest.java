package dev.jfutures.bench.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jfutures.bench.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The core, process and cluster sections' parts: a runner's report read into rows, and a stalled child. */
class BenchChildTest {

    @TempDir
    Path tmp;

    /**
     * ProcessBench's targets against its raw-socket control and CPython's spawn start become rows
     * that show both figures they compare; an older report without them still reads.
     */
    @Test
    @SuppressWarnings("unchecked")
    void processTargetsShowTheControlAndSpawnFigures() {
        Map<String, Object> doc = (Map<String, Object>) Json.parse("""
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
                """);
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

        Map<String, Object> older = new LinkedHashMap<>(doc);
        older.put("cases", List.of(((List<Object>) doc.get("cases")).get(0)));
        BenchReport olderReport = new BenchReport();
        BenchChild.addRows(olderReport, BenchChild.Runner.PROCESS, older);
        assertThat(olderReport.rows.get(0).other).as("no echo_p50 case").isNull();
    }

    /**
     * ClusterBench, run for real in its smoke mode, writes a report that reads into the cluster
     * section's rows: every target SKIP (quick), each comparing the figures it names.
     */
    @Test
    @SuppressWarnings("unchecked")
    void clusterBenchQuickWritesAReportThatReadsIntoRows() throws Exception {
        Path out = tmp.resolve("cluster.json");
        dev.jfutures.bench.ClusterBench.main(new String[] {"--quick", "--no-python", "--out", out.toString()});
        Map<String, Object> doc = (Map<String, Object>) Json.parse(Files.readString(out));
        assertThat(doc.get("schema")).isEqualTo("jfutures-bench/cluster/1");
        BenchReport report = new BenchReport();
        BenchChild.addRows(report, BenchChild.Runner.CLUSTER, doc);
        assertThat(report.rows).extracting(r -> r.id)
                .containsExactly("roundtrip_vs_raw", "submit_vs_raw", "map_chunk_speedup", "submit_vs_dask");
        assertThat(report.rows).extracting(r -> r.verdict).containsOnly("SKIP");
        BenchReport.Row rt = report.rows.get(0);
        assertThat(rt.jfutures.median()).isPositive();
        assertThat(rt.other.label()).isEqualTo("raw Hazelcast");
        assertThat(rt.other.median()).isPositive();
        assertThat(rt.note).contains("--quick");
        assertThat(report.rows.get(2).other.label()).isEqualTo("unchunked");
        assertThat(report.rows.get(3).other).as("no Dask with --no-python").isNull();
        assertThat((List<String>) doc.get("notes")).anyMatch(n -> n.contains("Dask: SKIP (--no-python given)"));
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
}
