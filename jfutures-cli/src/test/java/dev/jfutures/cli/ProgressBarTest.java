package dev.jfutures.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jfutures.TaskEvent;
import dev.jfutures.TaskStatus;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
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

    private static TaskEvent event(TaskEvent.Kind kind, long id, TaskStatus outcome) {
        boolean ran = kind == TaskEvent.Kind.FINISHED && outcome != TaskStatus.CANCELLED;
        return new TaskEvent(kind, id, "compress", "thread", kind == TaskEvent.Kind.SUBMITTED ? null : "w-1",
                Instant.now(), kind == TaskEvent.Kind.SUBMITTED ? null : Duration.ZERO,
                ran ? Duration.ofMillis(1) : null, outcome);
    }

    /** One task's life as the executor tells it: submitted, started, finished. */
    private static void runs(ProgressBar bar, long id) {
        bar.taskEvent(event(TaskEvent.Kind.SUBMITTED, id, null));
        bar.taskEvent(event(TaskEvent.Kind.STARTED, id, null));
    }

    /**
     * A bar draws done/total, failures, what runs, the rate and the time left, with a carriage
     * return and no newline, from the executor's events
     */
    @Test
    void drawsCountFailuresRunningRateAndTimeLeft() {
        now = 1_000_000_000L;
        ProgressBar bar = bar(4, true);
        runs(bar, 1);
        assertThat(drawn()).isEqualTo("\r[------------------------] 0/4 images");
        runs(bar, 2);
        now += 2_000_000_000L;
        bar.taskEvent(event(TaskEvent.Kind.FINISHED, 1, TaskStatus.SUCCEEDED));
        assertThat(drawn()).isEqualTo("\r[######------------------] 1/4 images, 1 running, 0.50/s, 6s left");
        now += 2_000_000_000L;
        bar.failed();   // the command's judgment: the file of task 2 could not be read
        bar.taskEvent(event(TaskEvent.Kind.FINISHED, 2, TaskStatus.SUCCEEDED));
        // Padded by one: the line before, with "1 running", was one character longer.
        assertThat(drawn()).isEqualTo("\r[############------------] 2/4 images, 1 failed, 0.50/s, 4s left ");
    }

    /** Redraws come at most every 100 ms, except the last, which always shows */
    @Test
    void redrawsAtMostEvery100MillisecondsButAlwaysTheLast() {
        now = 1_000_000_000L;
        ProgressBar bar = bar(2, true);
        runs(bar, 1);
        drawn();
        now += 50_000_000L;
        runs(bar, 2);
        bar.taskEvent(event(TaskEvent.Kind.FINISHED, 1, TaskStatus.SUCCEEDED));
        assertThat(drawn()).isEmpty();
        now += 10_000_000L;
        bar.taskEvent(event(TaskEvent.Kind.FINISHED, 2, TaskStatus.SUCCEEDED));
        assertThat(drawn()).startsWith("\r[########################] 2/2 images");
    }

    /** A file that never reached the executor counts done and failed */
    @Test
    void aSkippedFileIsDoneAndFailed() {
        now = 1_000_000_000L;
        ProgressBar bar = bar(2, true);
        now += 1_000_000_000L;
        bar.skipped();
        assertThat(drawn()).isEqualTo("\r[############------------] 1/2 images, 1 failed, 1.0/s, 1s left");
        assertThat(bar.snapshot().failed()).isEqualTo(1);
    }

    /** A line goes above the bar: the bar is wiped, the line printed, the bar drawn again */
    @Test
    void aLineWipesTheBarAndTheBarComesBack() {
        now = 1_000_000_000L;
        ProgressBar bar = bar(10, true);
        bar.skipped();
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
        now = 1_000_000_000L;
        ProgressBar bar = bar(2, true);
        runs(bar, 1);
        runs(bar, 2);
        drawn();
        now += 1_000_000_000L;
        bar.taskEvent(event(TaskEvent.Kind.FINISHED, 1, TaskStatus.SUCCEEDED));
        String first = drawn();
        now += 1_000_000_000L;
        bar.taskEvent(event(TaskEvent.Kind.FINISHED, 2, TaskStatus.SUCCEEDED));   // no one running, no time left
        String second = drawn();
        assertThat(second).hasSize(first.length());
        assertThat(second.stripTrailing()).isEqualTo("\r[########################] 2/2 images, 1.0/s");
    }

    /** Disabled (stderr is not a terminal), only the lines are printed */
    @Test
    void disabledItPrintsOnlyTheLines() {
        ProgressBar bar = bar(2, false);
        runs(bar, 1);
        bar.taskEvent(event(TaskEvent.Kind.FINISHED, 1, TaskStatus.SUCCEEDED));
        bar.println("a line");
        bar.skipped();
        bar.finish();
        assertThat(drawn()).isEqualTo("a line" + System.lineSeparator());
    }

    /** Where /proc tells, a test run's stderr (a file or a pipe) is not a terminal */
    @Test
    void stderrOfATestRunIsNotATerminal() {
        assertThat(ProgressBar.stderrIsTerminal()).isFalse();
    }
}
