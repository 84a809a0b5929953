package dev.jfutures.cli;

import dev.jfutures.ExecutorListener;
import dev.jfutures.Progress;
import dev.jfutures.TaskEvent;
import dev.jfutures.TaskStatus;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongSupplier;

/**
 * A one-line progress bar on stderr, redrawn in place with a carriage return:
 * {@code [##########----------]  45/100 images, 2 failed, 3 running, 12.3/s, 0:04 left}.
 *
 * <p>Driven by the executor's events: added to the executor as a listener, it feeds a {@link
 * Progress} (the library's view: done, running, the rate of the last ten seconds, the time left)
 * and redraws from the executor's event thread as tasks start and finish. What counts as a failed
 * file is the command's to say ({@link #failed}): a task may succeed and report that its file
 * could not be read. Files that never reach the executor count by {@link #skipped}.
 *
 * <p>Hand-rolled rather than a library: the libraries that draw bars (progressbar, and the JLine
 * or Jansi they build on) bring terminal detection and capability databases whose class loading
 * alone costs more than compressing a small image, and this command is often run on a few files,
 * where JVM start time is most of the run. All it needs is a carriage return and a line of text;
 * no ANSI sequence is used, so any terminal shows it.
 *
 * <p>Thread-safe: the event thread redraws, the command's thread prints failure lines; one lock
 * keeps a line and a redraw from mixing.
 */
final class ProgressBar implements ExecutorListener {

    private static final int BAR_WIDTH = 24;
    /** Redraw at most this often, so a fast run does not flood the terminal. */
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintWriter err;
    private final String noun;
    private final Progress progress;
    private final boolean enabled;
    private final LongSupplier clock;
    private long lastDrawn;
    private int drawnLength;
    private int failed;

    /**
     * @param err where to draw
     * @param noun what is counted, plural ("images", "files")
     * @param total how many there are
     * @param enabled false: draw nothing (stderr is not a terminal), but still print lines
     * @param clock nanoseconds, for the rate and the redraw limit
     */
    ProgressBar(PrintWriter err, String noun, int total, boolean enabled, LongSupplier clock) {
        this.err = err;
        this.noun = noun;
        this.enabled = enabled;
        this.clock = clock;
        this.progress = Progress.expecting(total, clock);
        this.lastDrawn = clock.getAsLong() - REDRAW_NANOS;   // the first step draws
    }

    /**
     * Whether stderr is a terminal: where {@code /proc} says where fd 2 goes (Linux), whether that
     * is a pseudo-terminal or a tty; elsewhere, whether the JVM has a console (stdin and stdout
     * are a terminal, the nearest the JDK can tell).
     *
     * @return whether to draw a bar by default
     */
    static boolean stderrIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return System.console() != null;
        }
    }

    /** The executor's task events: counted, and the bar redrawn if enough time has passed. */
    @Override
    public void taskEvent(TaskEvent e) {
        progress.taskEvent(e);
        redraw();
    }

    /**
     * A file whose task finished was a failure after all (the command's judgment, not the
     * executor's): counted as failed.
     */
    synchronized void failed() {
        failed++;
    }

    /**
     * A file that never reached the executor (refused, or in conflict with another): counted done
     * and failed.
     */
    void skipped() {
        progress.step(TaskStatus.FAILED);
        failed();
        redraw();
    }

    /**
     * Prints a line (a failure) above the bar: the bar is cleared, the line printed, the bar redrawn.
     *
     * @param line the line, without its newline
     */
    synchronized void println(String line) {
        clear();
        err.println(line);
        if (enabled) {
            draw(clock.getAsLong());
        } else {
            err.flush();
        }
    }

    /** Clears the bar, leaving the cursor at the start of an empty line. */
    synchronized void finish() {
        clear();
        err.flush();
    }

    /** The counts as they stand, for tests. */
    Progress.Snapshot snapshot() {
        return progress.snapshot();
    }

    private synchronized void redraw() {
        long now = clock.getAsLong();
        if (enabled && (now - lastDrawn >= REDRAW_NANOS || progress.snapshot().isComplete())) {
            draw(now);
        }
    }

    private void draw(long now) {
        lastDrawn = now;
        Progress.Snapshot s = progress.snapshot();
        long total = s.total();
        long done = s.done();
        int filled = total == 0 ? BAR_WIDTH : (int) (BAR_WIDTH * Math.min(1.0, (double) done / total));
        StringBuilder line = new StringBuilder("\r[");
        line.append("#".repeat(filled)).append("-".repeat(BAR_WIDTH - filled)).append("] ");
        String count = String.valueOf(total);
        line.append(" ".repeat(Math.max(0, count.length() - String.valueOf(done).length())));
        line.append(done).append('/').append(total).append(' ').append(noun);
        if (failed > 0) {
            line.append(", ").append(failed).append(" failed");
        }
        if (s.running() > 0) {
            line.append(", ").append(s.running()).append(" running");
        }
        if (done > 0) {
            line.append(", ").append(Progress.Snapshot.rate(s.ratePerSecond())).append("/s");
        }
        if (s.remaining() != null && !s.isComplete()) {
            line.append(", ").append(Progress.Snapshot.duration(s.remaining())).append(" left");
        }
        int length = line.length() - 1;
        if (length < drawnLength) {
            line.append(" ".repeat(drawnLength - length));   // wipe what a longer line left
        }
        drawnLength = Math.max(length, drawnLength);
        err.print(line);
        err.flush();
    }

    private void clear() {
        if (drawnLength > 0) {
            err.print("\r" + " ".repeat(drawnLength) + "\r");
            drawnLength = 0;
        }
    }
}
