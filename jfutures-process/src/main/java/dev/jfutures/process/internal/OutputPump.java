package dev.jfutures.process.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Forwards one output stream of a worker JVM (its stdout or its stderr) to a destination, in whole
 * lines, keeping its last lines and watching for HotSpot's out-of-memory exit line. It has no
 * thread of its own: a thread of the caller calls {@link #run()}, which returns at the end of the
 * stream.
 *
 * <ul>
 *   <li><b>Whole lines.</b> Complete lines are written to the destination only whole, each write
 *       ending with a newline, under {@code synchronized (destination)} and flushed there; so two
 *       pumps sharing a destination (or a pump and this JVM's own {@code println}) never splice a
 *       line into another. One write may hold several complete lines that arrived together.
 *   <li><b>Bounded memory.</b> A line longer than {@code maxPieceBytes} is forwarded as it arrives,
 *       in pieces of at most that size, without waiting for its newline: only such long lines can
 *       be spliced with another writer's output. No write is longer than {@code maxPieceBytes}
 *       bytes, and the pump holds one buffer of that size plus its tail, whatever its input.
 *   <li><b>Always draining.</b> A destination that throws (any exception or error) or anything else
 *       that fails while forwarding a line costs that line's output and nothing more: the pump
 *       goes on reading, so the worker never blocks on a full pipe. The first such failure is
 *       logged once, at WARNING, to the {@code System.Logger} "dev.jfutures.process". The pump
 *       stops only at the end of the stream or on an {@link IOException} from it (the process is
 *       gone). An unchecked exception thrown by the input stream itself ends {@code run()}.
 *   <li><b>Tail.</b> The last {@code tailLines} lines, each cut to {@value #TAIL_LINE_CHARS}
 *       characters with "..." appended: see {@link #tail()}. A line forwarded in pieces counts
 *       once, by its start.
 *   <li><b>Out of memory.</b> With {@code -XX:+ExitOnOutOfMemoryError} HotSpot prints {@code
 *       Terminating due to java.lang.OutOfMemoryError: <what>} and exits with code 3 (with {@code
 *       -XX:+CrashOnOutOfMemoryError}: {@code Aborting due to ...}, then SIGABRT). It prints it
 *       on its {@code tty}: the process's stdout (HotSpot 17 and 25), its stderr with {@code
 *       -XX:+DisplayVMOutputToStderr}. Each pump watches for it: see {@link #outOfMemory()}.
 *   <li>A final line without newline at the end of the stream is forwarded with one added, and
 *       counted in the tail.
 * </ul>
 *
 * <p>A {@code null} destination drains the stream and keeps the tail and the out-of-memory line
 * only. Bytes are decoded as UTF-8 for the tail and the out-of-memory line only; they are forwarded
 * as they are.
 *
 * <p>Memory consistency effects: lines processed by {@code run()} happen-before a later {@link
 * #tail()} that returns them, and the out-of-memory line's detection happens-before an {@link
 * #outOfMemory()} that returns it.
 */
public final class OutputPump implements Runnable {

    /* Implementation notes.
     *
     * One buffer, `line`, of maxPieceBytes bytes. Invariant between reads: line[0, pending) holds
     * the bytes read and not forwarded, and holds no '\n'; so it is the start of a line (or, when
     * `continuing`, the next piece of a line whose start was already forwarded). Each read goes
     * into line[pending, capacity); then everything up to and including the last '\n' read is
     * forwarded in one write and the rest moves to the front (fewer bytes than were just read, so
     * copying costs at most one pass over the input). When the buffer is full without a '\n' it
     * is forwarded as a piece and `continuing` is set: a line of exactly maxPieceBytes bytes thus
     * goes out in two writes, the second ending with its newline.
     *
     * The out-of-memory marker can come at the end of a long line (HotSpot prints it after a
     * partial line, such as a progress bar's), so a piece's end may cut it or its message. Of a
     * full buffer, the last `carry` bytes (one less than the longest marker) stay behind for the
     * next piece, so a marker cut by the piece's end is seen whole next time; and a marker found
     * in a full buffer is taken only once its line is complete: the buffer keeps it and what
     * follows it for the next round. Either keeps fewer bytes than the buffer holds, so each round
     * forwards at least one byte; a marker at the very start of a full buffer is taken as it is.
     * Buffers too small to spare a carry (below 4 markers, only in tests) carry nothing.
     *
     * Only the running thread touches the buffer, `pending`, `continuing` and `failureLogged`.
     * The tail deque is guarded by itself; the out-of-memory line is a volatile written once.
     * Failures while forwarding or recording are caught around each step separately, so the
     * buffer bookkeeping (plain arithmetic, which cannot fail) stays right whatever the
     * destination does. */

    /** The default {@code maxPieceBytes}: 64 KiB, the size of a Linux pipe's buffer. */
    public static final int DEFAULT_MAX_PIECE_BYTES = 64 * 1024;

    /** How many characters of a line the tail keeps; a longer line is cut and "..." appended. */
    public static final int TAIL_LINE_CHARS = 1000;

    private static final System.Logger LOG = System.getLogger("dev.jfutures.process");

    /**
     * The bytes decoded for a tail line: UTF-8 takes at most 3 bytes per {@code char} (4 per
     * surrogate pair, 2 chars), and a malformed byte decodes to one char, so 3 bytes a char always
     * yield more than {@link #TAIL_LINE_CHARS} chars.
     */
    private static final int TAIL_DECODE_BYTES = 3 * TAIL_LINE_CHARS + 3;

    /** HotSpot's out-of-memory exit lines, as ASCII: -XX:+ExitOnOutOfMemoryError, then -XX:+Crash... */
    private static final byte[][] OOM_MARKERS = {
        "Terminating due to java.lang.OutOfMemoryError".getBytes(StandardCharsets.US_ASCII),
        "Aborting due to java.lang.OutOfMemoryError".getBytes(StandardCharsets.US_ASCII),
    };

    /** The longest marker's length. */
    private static final int OOM_MARKER_MAX = Math.max(OOM_MARKERS[0].length, OOM_MARKERS[1].length);

    /** Where the error's name starts in a marker: after "Terminating due to " or "Aborting due to ". */
    private static final int[] OOM_WHAT_OFFSET = {"Terminating due to ".length(), "Aborting due to ".length()};

    private final String name;
    private final InputStream in;
    private final PrintStream destination;
    private final int tailLines;
    private final byte[] line;
    private final int carry;
    private final ArrayDeque<String> tail;
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile String outOfMemory;
    private int pending;
    private boolean continuing;
    private boolean failureLogged;

    /**
     * A pump with pieces of at most {@link #DEFAULT_MAX_PIECE_BYTES}.
     *
     * @param name what this stream is, for the log (e.g. "pool-1 worker pid 1234 stderr")
     * @param in the stream to drain, e.g. {@link Process#getErrorStream()}
     * @param destination where to forward it, or {@code null} to drain it and keep the tail only
     * @param tailLines how many last lines to keep, 0 for none
     * @throws IllegalArgumentException if {@code tailLines} is negative
     */
    public OutputPump(String name, InputStream in, PrintStream destination, int tailLines) {
        this(name, in, destination, tailLines, DEFAULT_MAX_PIECE_BYTES);
    }

    /**
     * A pump.
     *
     * @param name what this stream is, for the log (e.g. "pool-1 worker pid 1234 stderr")
     * @param in the stream to drain, e.g. {@link Process#getErrorStream()}
     * @param destination where to forward it, or {@code null} to drain it and keep the tail only
     * @param tailLines how many last lines to keep, 0 for none
     * @param maxPieceBytes the longest write to the destination, and so the longest line that is
     *     forwarded whole (newline included); the size of the pump's one buffer
     * @throws IllegalArgumentException if {@code tailLines} is negative or {@code maxPieceBytes} is
     *     below 2
     */
    public OutputPump(String name, InputStream in, PrintStream destination, int tailLines, int maxPieceBytes) {
        if (tailLines < 0) {
            throw new IllegalArgumentException("tailLines must be 0 or more, not " + tailLines);
        }
        if (maxPieceBytes < 2) {
            // Room for one byte and the newline added to a last partial line.
            throw new IllegalArgumentException("maxPieceBytes must be 2 or more, not " + maxPieceBytes);
        }
        this.name = Objects.requireNonNull(name, "name");
        this.in = Objects.requireNonNull(in, "in");
        this.destination = destination;
        this.tailLines = tailLines;
        this.line = new byte[maxPieceBytes];
        this.carry = maxPieceBytes >= 4 * OOM_MARKER_MAX ? OOM_MARKER_MAX - 1 : 0;
        this.tail = new ArrayDeque<>(Math.min(tailLines, 64));
    }

    /**
     * Drains the stream to its end, forwarding it; returns at the end of the stream or on an
     * {@link IOException} from it. Never throws for a failure of the destination.
     *
     * @throws IllegalStateException if this pump already ran
     */
    @Override
    public void run() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException(name + ": this OutputPump already ran; make one per stream");
        }
        byte[] buf = line;
        while (true) {
            int n;
            try {
                n = in.read(buf, pending, buf.length - pending);
            } catch (IOException gone) {
                break;   // the process is gone, or its stream was closed under us
            }
            if (n < 0) {
                break;
            }
            int end = pending + n;
            // Complete lines: scan only the new bytes, line[0, pending) has no '\n'.
            int lineStart = 0;
            for (int i = pending; i < end; i++) {
                if (buf[i] == '\n') {
                    record(buf, lineStart, i, continuing && lineStart == 0, true);
                    lineStart = i + 1;
                }
            }
            if (lineStart > 0) {
                forward(buf, 0, lineStart);
                continuing = false;
                System.arraycopy(buf, lineStart, buf, 0, end - lineStart);
            }
            pending = end - lineStart;
            if (pending == buf.length) {
                // A line as long as the buffer and no newline yet: out it goes as a piece, but for
                // the bytes kept for the next round (see the notes).
                int marker = record(buf, 0, pending, continuing, false);
                int keep = marker > 0 ? Math.max(carry, pending - marker) : carry;
                forward(buf, 0, pending - keep);
                System.arraycopy(buf, pending - keep, buf, 0, keep);
                continuing = true;
                pending = keep;
            }
            if (pending > 0 && continuing && quiet()) {
                // The rest of a line already going out in pieces (longer than the buffer), and
                // nothing more to read now: out it goes too, rather than wait for a newline that may
                // be far off. A shorter open line still waits for its newline, to go out whole.
                // Kept back: an out-of-memory line begun in it, or what could be the start of one.
                // (It is in the tail already, as a line forwarded in pieces; the marker is looked
                // for once the bytes kept back are complete.)
                int marker = firstMarker(buf, pending);
                int keep = marker >= 0 ? pending - marker : markerPrefix(buf, pending);
                if (keep < pending) {
                    forward(buf, 0, pending - keep);
                    System.arraycopy(buf, pending - keep, buf, 0, keep);
                    pending = keep;
                }
            }
        }
        if (pending > 0 || continuing) {
            // pending < buf.length here: the loop forwards a full buffer (all but carry < length).
            record(buf, 0, pending, continuing, true);
            buf[pending] = '\n';
            forward(buf, 0, pending + 1);
            pending = 0;
            continuing = false;
        }
    }

    /** Where the first out-of-memory marker in {@code b[0, end)} starts, or -1. */
    private static int firstMarker(byte[] b, int end) {
        int first = -1;
        for (byte[] m : OOM_MARKERS) {
            int at = indexOf(b, 0, end, m);
            if (at >= 0 && (first < 0 || at < first)) {
                first = at;
            }
        }
        return first;
    }

    /**
     * How many of the last bytes of {@code b[0, end)} could be the start of an out-of-memory
     * marker (a proper prefix of one): those must wait for the bytes after them.
     */
    private static int markerPrefix(byte[] b, int end) {
        int best = 0;
        for (byte[] m : OOM_MARKERS) {
            for (int k = Math.min(m.length - 1, end); k > best; k--) {
                boolean match = true;
                for (int j = 0; j < k; j++) {
                    if (b[end - k + j] != m[j]) {
                        match = false;
                        break;
                    }
                }
                if (match) {
                    best = k;
                    break;
                }
            }
        }
        return best;
    }

    /** Whether the stream has nothing more to read right now. */
    private boolean quiet() {
        try {
            return in.available() == 0;
        } catch (IOException gone) {
            return true;
        }
    }

    /**
     * The last lines read, oldest first; at most {@code tailLines}, each cut to {@value
     * #TAIL_LINE_CHARS} characters with "..." appended (a line forwarded in pieces: its start).
     * A line is in the tail before it is written to the destination. Safe to call while the pump
     * runs.
     *
     * @return a snapshot, without the newlines
     */
    public List<String> tail() {
        synchronized (tail) {
            return List.copyOf(tail);
        }
    }

    /**
     * HotSpot's out-of-memory exit, if this stream carried it: the text after "Terminating due to "
     * (or "Aborting due to "), e.g. {@code java.lang.OutOfMemoryError: Java heap space}. The first
     * one seen wins. Safe to call while the pump runs; after its thread is joined, final.
     *
     * @return the error and its message, or empty
     */
    public Optional<String> outOfMemory() {
        return Optional.ofNullable(outOfMemory);
    }

    // ------------------------------------------------------------------------------ forwarding

    /** Writes {@code b[off, off + len)} to the destination in one write; never throws. */
    private void forward(byte[] b, int off, int len) {
        if (destination == null) {
            return;
        }
        try {
            synchronized (destination) {
                destination.write(b, off, len);
                destination.flush();
            }
        } catch (Throwable t) {
            failed("writing to its destination", t);
        }
    }

    /**
     * Looks at one line or a piece of a long one, {@code b[from, to)} without its newline: the
     * out-of-memory marker, then the tail unless {@code continued} (a later piece of a line
     * already in the tail). Never throws.
     *
     * @param complete whether the line ends at {@code to}; if not, a marker after {@code from} is
     *     left for when it does
     * @return where a marker left for later starts, or -1
     */
    private int record(byte[] b, int from, int to, boolean continued, boolean complete) {
        int marker = -1;
        try {
            if (outOfMemory == null) {
                marker = findOutOfMemory(b, from, to, complete);
            }
            if (!continued && tailLines > 0) {
                // A full buffer is the first piece of a longer line.
                String s = cut(b, from, to, to - from == line.length);
                synchronized (tail) {
                    if (tail.size() == tailLines) {
                        tail.poll();
                    }
                    tail.add(s);
                }
            }
        } catch (Throwable t) {
            failed("keeping its tail or watching for the out-of-memory line", t);
        }
        return marker;
    }

    /**
     * Searches anywhere in the line, not only at its start: HotSpot prints the marker after
     * whatever partial line the process had already written to that stream.
     */
    private int findOutOfMemory(byte[] b, int from, int to, boolean complete) {
        for (int m = 0; m < OOM_MARKERS.length; m++) {
            int at = indexOf(b, from, to, OOM_MARKERS[m]);
            if (at > from && !complete) {
                return at;
            }
            if (at >= 0) {
                outOfMemory = cut(b, at + OOM_WHAT_OFFSET[m], to, false);
                return -1;
            }
        }
        return -1;
    }

    private static int indexOf(byte[] b, int from, int to, byte[] marker) {
        byte first = marker[0];
        outer:
        for (int i = from, last = to - marker.length; i <= last; i++) {
            if (b[i] != first) {
                continue;
            }
            for (int j = 1; j < marker.length; j++) {
                if (b[i + j] != marker[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /**
     * {@code b[from, to)} decoded, cut to {@value #TAIL_LINE_CHARS} characters (never between the
     * two halves of a surrogate pair) with "..." appended if cut or if {@code longer} (the line
     * goes on past these bytes).
     */
    private static String cut(byte[] b, int from, int to, boolean longer) {
        String s = new String(b, from, Math.min(to - from, TAIL_DECODE_BYTES), StandardCharsets.UTF_8);
        if (s.length() > TAIL_LINE_CHARS) {
            int keep = Character.isHighSurrogate(s.charAt(TAIL_LINE_CHARS - 1)) ? TAIL_LINE_CHARS - 1 : TAIL_LINE_CHARS;
            return s.substring(0, keep) + "...";
        }
        return longer ? s + "..." : s;
    }

    /** Logs the first failure only: a broken destination would otherwise log once per line. */
    private void failed(String doing, Throwable t) {
        if (failureLogged) {
            return;
        }
        failureLogged = true;
        try {
            LOG.log(System.Logger.Level.WARNING, name + ": " + doing + " failed; that output is lost and the pump goes"
                    + " on reading the stream so the worker does not block (later failures are not logged)", t);
        } catch (Throwable ignored) {
            // The log is best effort; draining the stream is what matters.
        }
    }
}
