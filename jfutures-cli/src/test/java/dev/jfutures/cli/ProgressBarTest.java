package dev.jfutures.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** {@link ProgressBar}: what it draws, when, and how it makes way for failure lines. */
class ProgressBarTest {

    private final StringWriter text = new StringWriter();
    private final PrintWriter err = new PrintWriter(text);
    private long now;

    private ProgressBar bar(int total, boolean enabled) {
        return new ProgressBar(err, "images", total, enabled, () -> now);
    }

    private String drawn() {
        err.flush();
        String s = text.toString();
        text.getBuffer().setLength(0);
        return s;
    }

    /** A bar draws done/total, failures and the rate, with a carriage return and no newline */
    @Test
    void drawsCountFailuresAndRate() {
        ProgressBar bar = bar(4, true);
        now = 2_000_000_000L;
        bar.step(true);
        assertThat(drawn()).isEqualTo("\r[######------------------] 1/4 images, 0.5/s");
        now += 1_000_000_000L;
        bar.step(false);
        assertThat(drawn()).isEqualTo("\r[############------------] 2/4 images, 1 failed, 0.7/s");
    }

    /** Redraws come at most every 100 ms, except the last, which always shows */
    @Test
    void redrawsAtMostEvery100MillisecondsButAlwaysTheLast() {
        ProgressBar bar = bar(3, true);
        now = 1_000_000_000L;
        bar.step(true);
        drawn();
        now += 50_000_000L;
        bar.step(true);
        assertThat(drawn()).isEmpty();
        now += 10_000_000L;
        bar.step(true);
        assertThat(drawn()).startsWith("\r[########################] 3/3 images");
    }

    /** A line goes above the bar: the bar is wiped, the line printed, the bar drawn again */
    @Test
    void aLineWipesTheBarAndTheBarComesBack() {
        ProgressBar bar = bar(10, true);
        now = 1_000_000_000L;
        bar.step(false);
        String first = drawn();
        bar.println("jfutures compress: a.png: corrupt");
        String width = " ".repeat(first.length() - 1);
        assertThat(drawn()).isEqualTo("\r" + width + "\r" + "jfutures compress: a.png: corrupt"
                + System.lineSeparator() + first);
        bar.finish();
        assertThat(drawn()).isEqualTo("\r" + width + "\r");
    }

    /** A shorter redraw is padded, so nothing of the longer one stays on screen */
    @Test
    void aShorterLineIsPaddedOverTheLongerOne() {
        ProgressBar bar = bar(2, true);
        now = 1_000_000_000L;
        bar.step(false);
        String first = drawn();
        now = 100_000_000_000L;   // the rate drops from 1.0/s to 0.0/s: one character shorter
        bar.step(true);
        String second = drawn();
        assertThat(second).hasSize(first.length());
        assertThat(second).isEqualTo("\r[########################] 2/2 images, 1 failed, 0.0/s");
    }

    /** Disabled (stderr is not a terminal), only the lines are printed */
    @Test
    void disabledItPrintsOnlyTheLines() {
        ProgressBar bar = bar(2, false);
        bar.step(true);
        bar.println("a line");
        bar.step(true);
        bar.finish();
        assertThat(drawn()).isEqualTo("a line" + System.lineSeparator());
    }

    /** Where /proc tells, a test run's stderr (a file or a pipe) is not a terminal */
    @Test
    void stderrOfATestRunIsNotATerminal() {
        assertThat(ProgressBar.stderrIsTerminal()).isFalse();
    }
}
