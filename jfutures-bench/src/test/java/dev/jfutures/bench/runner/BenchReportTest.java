package dev.jfutures.bench.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** The report: verdicts, headroom, and what a {@code --quick} run makes of the targets. */
class BenchReportTest {

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
}
