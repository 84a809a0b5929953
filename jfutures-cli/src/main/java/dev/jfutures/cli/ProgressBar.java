package dev.jfutures.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A one-line progress bar on stderr, redrawn in place with a carriage return:
 * {@code [##########----------]  45/100 images, 2 failed, 12.3/s}.
 *
 * <p>Hand-rolled rather than a library: the libraries that draw bars (progressbar, and the JLine
 * or Jansi they build on) bring terminal detection and capability databases whose class loading
 * alone costs more than compressing a small image, and this command is often run on a few files,
 * where JVM start time is most of the run. All it needs is a carriage return and a line of text;
 * no ANSI sequence is used, so any terminal shows it.
 *
 * <p>Not thread-safe: one thread (the command's) draws it.
 */
final class ProgressBar {

    private static final int BAR_WIDTH = 24;
    /** Redraw at most this often, so a fast run does not flood the terminal. */
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintWriter err;
    private final String noun;
    private final int total;
    private final boolean enabled;
    private final LongSupplier clock;
    private final long start;
    private long lastDrawn;
    private int drawnLength;
    private int done;
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
        this.total = total;
        this.enabled = enabled;
        this.clock = clock;
        this.start = clock.getAsLong();
        this.lastDrawn = start - REDRAW_NANOS;   // the first step draws
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

    /**
     * Counts one more file done, and redraws if enough time has passed (or it was the last).
     *
     * @param ok whether it succeeded
     */
    void step(boolean ok) {
        done++;
        if (!ok) {
            failed++;
        }
        long now = clock.getAsLong();
        if (enabled && (done == total || now - lastDrawn >= REDRAW_NANOS)) {
            draw(now);
        }
    }

    /**
     * Prints a line (a failure) above the bar: the bar is cleared, the line printed, the bar redrawn.
     *
     * @param line the line, without its newline
     */
    void println(String line) {
        clear();
        err.println(line);
        if (enabled) {
            draw(clock.getAsLong());
        } else {
            err.flush();
        }
    }

    /** Clears the bar, leaving the cursor at the start of an empty line. */
    void finish() {
        clear();
        err.flush();
    }

    private void draw(long now) {
        lastDrawn = now;
        int filled = total == 0 ? BAR_WIDTH : (int) ((long) BAR_WIDTH * done / total);
        StringBuilder line = new StringBuilder("\r[");
        line.append("#".repeat(filled)).append("-".repeat(BAR_WIDTH - filled)).append("] ");
        String count = String.valueOf(total);
        line.append(" ".repeat(Math.max(0, count.length() - String.valueOf(done).length())));
        line.append(done).append('/').append(total).append(' ').append(noun);
        if (failed > 0) {
            line.append(", ").append(failed).append(" failed");
        }
        double seconds = (now - start) / 1e9;
        if (seconds > 0 && done > 0) {
            line.append(String.format(Locale.ROOT, ", %.1f/s", done / seconds));
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
