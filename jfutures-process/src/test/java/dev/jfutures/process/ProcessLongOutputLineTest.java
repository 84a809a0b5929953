package dev.jfutures.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jfutures.TaskFuture;
import dev.jfutures.testkit.Gate;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A worker's output line that does not end is forwarded as it comes, in pieces, not held by the
 * pool until its newline: a worker printing megabytes without a newline must neither grow the
 * pool's memory without bound (the pump would die of OutOfMemoryError, and the worker then block
 * on its full stdout pipe) nor keep that output from the user. Output after the long line still
 * arrives.
 *
 * <p>The pool forwards a worker's stdout to {@code System.out} as it was when the worker started,
 * so the test puts a capturing stream there before it builds the pool (and restores the real one
 * after).
 */
class ProcessLongOutputLineTest extends ProcessTestBase {

    /** How much the task prints without a newline: 4 MiB of 'x'. */
    private static final int LONG_LINE = 4 << 20;
    private static final String AFTER = "JFUT-AFTER a normal line";
    /** The most the test waits for what a working pool forwards at once. */
    private static final Duration FORWARD_DEADLINE = Duration.ofSeconds(60);

    /**
     * Prints {@code n} 'x' without a newline (flushed), waits on {@code release}, then ends the line
     * and prints {@link #AFTER} on a line of its own.
     */
    static String printLongLineThenAwait(int n, Gate release) throws InterruptedException {
        String piece = "x".repeat(64 * 1024);
        for (int left = n; left > 0; left -= piece.length()) {
            System.out.print(left >= piece.length() ? piece : piece.substring(0, left));
        }
        System.out.flush();
        release.await();
        System.out.println();
        System.out.println(AFTER);
        System.out.flush();
        return "done";
    }

    /** Counts the 'x' written to it and keeps every other byte. */
    private static final class Capture extends OutputStream {
        private long xs;
        private final ByteArrayOutputStream others = new ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            if (b == 'x') {
                xs++;
            } else {
                others.write(b);
            }
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            for (int i = off; i < off + len; i++) {
                write(b[i]);
            }
        }

        synchronized long xs() {
            return xs;
        }

        synchronized String others() {
            return others.toString(StandardCharsets.UTF_8);
        }
    }

    /** 4 MiB printed without a newline reach this JVM's stdout while the line is open; a later line arrives too. */
    @Test
    void aLongLineWithoutNewlineIsForwardedBeforeItEnds() {
        PrintStream realOut = System.out;
        Capture capture = new Capture();
        Gate release = newGate();
        System.setOut(new PrintStream(capture, true, StandardCharsets.UTF_8));
        try {
            ProcessPool p = pool(ProcessPool.builder().workers(1));
            TaskFuture<String> f = p.submit(() -> printLongLineThenAwait(LONG_LINE, release));
            try {
                awaitCondition(FORWARD_DEADLINE, "the open line forwarded", () -> capture.xs() >= LONG_LINE);
            } catch (AssertionError notForwarded) {
                throw new AssertionError("only " + capture.xs() + " of the " + LONG_LINE + " bytes of a line without"
                        + " a newline reached System.out within " + FORWARD_DEADLINE + " while the line stayed open"
                        + " (held until its newline?)", notForwarded);
            }
            release.open();
            assertThat(f.result(HANG)).isEqualTo("done");
            awaitCondition(FORWARD_DEADLINE, "the line printed after the long one forwarded",
                    () -> capture.others().contains(AFTER + "\n"));
            assertThat(capture.xs()).as("every 'x', once").isEqualTo(LONG_LINE);
        } finally {
            release.open();
            System.setOut(realOut);
        }
    }
}
