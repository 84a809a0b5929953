package dev.jfutures.process.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Phaser;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link OutputPump}: whole lines, bounded pieces for long ones, draining whatever the destination
 * does, the tail, and HotSpot's out-of-memory line (also from a real JVM that runs out of heap).
 */
class OutputPumpTest {

    /** How long a test waits at most for a thread or a process: a bound for a hang, never a delay. */
    private static final long HANG_SECONDS = 60;

    private static final int KIB = 1 << 10;
    private static final int MIB = 1 << 20;

    private static final String OOM_LINE = "Terminating due to java.lang.OutOfMemoryError: Java heap space";
    private static final String OOM = "java.lang.OutOfMemoryError: Java heap space";

    // ------------------------------------------------------------------------------ helpers

    /** Runs {@code pump} on the test thread over {@code in}, forwarding to a new recording stream. */
    private static RecordingStream pumpAll(ScriptedInput in, int tailLines, int maxPieceBytes) {
        RecordingStream out = new RecordingStream();
        new OutputPump("test", in, RecordingStream.printStream(out), tailLines, maxPieceBytes).run();
        return out;
    }

    private static List<String> strings(List<byte[]> writes) {
        return writes.stream().map(w -> new String(w, UTF_8)).collect(Collectors.toList());
    }

    private static String repeat(char c, int n) {
        return String.valueOf(c).repeat(n);
    }

    /** Starts a thread running {@code body}, whose failure {@link #joinAll} reports. */
    private static Thread start(String name, Runnable body, AtomicReference<Throwable> failure) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        }, name);
        t.start();
        return t;
    }

    /** Joins every thread (failing if one hangs) and rethrows the first failure of any. */
    private static void joinAll(AtomicReference<Throwable> failure, Thread... threads) throws InterruptedException {
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(HANG_SECONDS));
            assertThat(t.isAlive()).as(t.getName() + " ended").isFalse();
        }
        if (failure.get() != null) {
            throw new AssertionError("a pump thread failed", failure.get());
        }
    }

    /** A destination whose every write throws what {@code failure} makes. */
    private static PrintStream throwing(Supplier<? extends Throwable> failure) {
        return new PrintStream(OutputStream.nullOutputStream()) {
            @Override
            public void write(byte[] buf, int off, int len) {
                Throwable t = failure.get();
                if (t instanceof Error) {
                    throw (Error) t;
                }
                throw (RuntimeException) t;
            }
        };
    }

    /** A destination that puts each write on {@code writes}, for a test that waits for them. */
    private static PrintStream queueing(BlockingQueue<String> writes) {
        return new PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                writes.add(new String(b, off, len, UTF_8));
            }
        }, false, UTF_8);
    }

    private static String next(BlockingQueue<String> writes) throws InterruptedException {
        String w = writes.poll(HANG_SECONDS, TimeUnit.SECONDS);
        assertThat(w).as("a write reached the destination").isNotNull();
        return w;
    }

    // ------------------------------------------------------------------------------ whole lines

    /** Lines that arrive one byte a read are forwarded whole, each write ending at a newline, in order. */
    @Test
    void linesArrivingBytewiseAreForwardedWholeAndInOrder() {
        ScriptedInput in = new ScriptedInput();
        for (byte b : "one\ntwo\n\nthree\n".getBytes(UTF_8)) {
            in.chunk(new byte[] {b});
        }
        RecordingStream out = pumpAll(in.end(), 20, OutputPump.DEFAULT_MAX_PIECE_BYTES);
        assertThat(strings(out.writes())).containsExactly("one\n", "two\n", "\n", "three\n");
    }

    /** Lines that arrive together go out in one write, cut after the last complete line. */
    @Test
    void completeLinesThatArriveTogetherGoOutInOneWriteUpToTheLastNewline() {
        ScriptedInput in = new ScriptedInput().chunk("a\nb\nc").chunk("c\nd").chunk("\n").end();
        RecordingStream out = pumpAll(in, 20, OutputPump.DEFAULT_MAX_PIECE_BYTES);
        assertThat(strings(out.writes())).containsExactly("a\nb\n", "cc\n", "d\n");
    }

    /** Two pumps on two threads writing to one destination never splice one's line into the other's. */
    @Test
    void twoPumpsOnOneDestinationNeverSpliceLines() throws InterruptedException {
        List<String> a = lines("A", 5_000, 1);
        List<String> b = lines("B", 5_000, 2);
        RecordingStream out = new RecordingStream();
        PrintStream destination = RecordingStream.printStream(out);
        // In step: both pumps read a chunk at the same time, so their writes overlap all along.
        Phaser step = new Phaser();
        OutputPump pa = new OutputPump("a", dribbled(a, 3).inStepWith(step), destination, 20);
        OutputPump pb = new OutputPump("b", dribbled(b, 4).inStepWith(step), destination, 20);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        joinAll(failure, start("pump-a", pa, failure), start("pump-b", pb, failure));

        // Each write is whole lines: nothing another pump writes can come inside one.
        assertThat(out.writes()).allSatisfy(w -> assertThat(w[w.length - 1]).isEqualTo((byte) '\n'));
        String text = out.text();
        List<String> got = Arrays.asList(text.substring(0, text.length() - 1).split("\n", -1));
        // Every line is one of the inputs whole, and each input's lines come in their order.
        assertThat(got.stream().filter(l -> l.startsWith("A")).collect(Collectors.toList())).isEqualTo(a);
        assertThat(got.stream().filter(l -> l.startsWith("B")).collect(Collectors.toList())).isEqualTo(b);
        assertThat(got).hasSize(a.size() + b.size());
        assertThat(pa.tail()).isEqualTo(a.subList(a.size() - 20, a.size()));
    }

    /** {@code count} distinct lines of 8 to 300 characters, each starting with {@code prefix}. */
    private static List<String> lines(String prefix, int count, long seed) {
        Random r = new Random(seed);
        return IntStream.range(0, count)
                .mapToObj(i -> prefix + String.format("%06d", i) + repeat(prefix.toLowerCase().charAt(0), r.nextInt(293)))
                .collect(Collectors.toList());
    }

    /** {@code lines} as input read in chunks of 1 to 500 bytes, cut anywhere. */
    private static ScriptedInput dribbled(List<String> lines, long seed) {
        byte[] all = lines.stream().map(l -> l + "\n").collect(Collectors.joining()).getBytes(UTF_8);
        Random r = new Random(seed);
        ScriptedInput in = new ScriptedInput();
        for (int at = 0; at < all.length; ) {
            int n = Math.min(all.length - at, 1 + r.nextInt(500));
            in.chunk(Arrays.copyOfRange(all, at, at + n));
            at += n;
        }
        return in.end();
    }

    // ------------------------------------------------------------------------------ long lines

    /**
     * A 50 MiB line without a newline, with pieces of at most 64 KiB, is forwarded whole in pieces
     * no longer than 64 KiB, plus the newline added at the end; the pump's thread allocates less
     * than 1 MiB doing it.
     */
    @Test
    void fiftyMiBLineWithoutNewlineIsForwardedInBoundedPiecesWithBoundedMemory() {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean
                && ((com.sun.management.ThreadMXBean) bean).isThreadAllocatedMemorySupported(),
                "per-thread allocation counts (HotSpot)");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        long length = 50L * MIB;
        int limit = 64 * KIB;
        XsWithoutNewline in = new XsWithoutNewline(length);
        SizeRecorder sizes = new SizeRecorder();

        // Neither the input nor the destination allocates: what is counted is the pump's.
        long before = threads.getCurrentThreadAllocatedBytes();
        OutputPump pump = new OutputPump("long", in, new PrintStream(sizes), 20, limit);
        pump.run();
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertThat(sizes.total).as("every byte, and the newline added at the end").isEqualTo(length + 1);
        assertThat(sizes.largest).as("the longest write").isLessThanOrEqualTo(limit);
        assertThat(sizes.newlines).as("newlines: the one added at the end").isEqualTo(1);
        assertThat(sizes.foreign).as("bytes never in the input").isZero();
        assertThat(sizes.lastByte).isEqualTo('\n');
        assertThat(allocated).as("bytes the pump's thread allocated for 50 MiB").isLessThan(MIB);
        assertThat(pump.tail()).containsExactly(repeat('x', OutputPump.TAIL_LINE_CHARS) + "...");
    }

    /**
     * A line longer than the limit goes out as it arrives, before its newline does, its last
     * piece too once nothing more is there to read (a line still open stays visible).
     */
    @Test
    void longLineIsForwardedAsItArrivesWithoutWaitingForItsNewline() throws InterruptedException {
        ScriptedInput in = new ScriptedInput();
        BlockingQueue<String> writes = new LinkedBlockingQueue<>();
        OutputPump pump = new OutputPump("long", in, queueing(writes), 20, 16);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = start("pump", pump, failure);

        in.chunk(repeat('a', 40));
        assertThat(next(writes)).isEqualTo(repeat('a', 16));
        assertThat(next(writes)).isEqualTo(repeat('a', 16));
        assertThat(next(writes)).isEqualTo(repeat('a', 8));
        in.chunk("bb\nnext\n").end();
        assertThat(next(writes)).isEqualTo("bb\nnext\n");
        joinAll(failure, t);
        assertThat(writes).isEmpty();
        assertThat(pump.tail()).containsExactly(repeat('a', 16) + "...", "next");
    }

    /** A line exactly as long as the limit goes out as a piece, then its newline alone. */
    @Test
    void lineAsLongAsTheLimitGoesOutAsAPieceThenItsNewline() {
        RecordingStream out = pumpAll(new ScriptedInput().chunk(repeat('a', 16) + "\nb\n").end(), 20, 16);
        assertThat(strings(out.writes())).containsExactly(repeat('a', 16), "\nb\n");
    }

    /** No write is longer than the limit, even when many complete lines arrive in one read. */
    @Test
    void manyShortLinesInOneReadGoOutInWritesNoLongerThanTheLimit() {
        String input = IntStream.range(0, 100).mapToObj(i -> "line " + i + "\n").collect(Collectors.joining());
        RecordingStream out = pumpAll(new ScriptedInput().chunk(input).end(), 20, 32);
        assertThat(out.writes()).allSatisfy(w -> {
            assertThat(w.length).isLessThanOrEqualTo(32);
            assertThat(w[w.length - 1]).isEqualTo((byte) '\n');
        });
        assertThat(out.text()).isEqualTo(input);
    }

    // ------------------------------------------------------------------------------ end of stream

    /** A last line without a newline is forwarded with one added, and counted in the tail. */
    @Test
    void lastLineWithoutNewlineGetsOneAndIsCounted() {
        ScriptedInput in = new ScriptedInput().chunk("first\nlast words").end();
        RecordingStream out = new RecordingStream();
        OutputPump pump = new OutputPump("end", in, RecordingStream.printStream(out), 20);
        pump.run();
        assertThat(strings(out.writes())).containsExactly("first\n", "last words\n");
        assertThat(pump.tail()).containsExactly("first", "last words");
    }

    /** A long line that ends the stream exactly at a piece's end still gets its newline, and counts once. */
    @Test
    void longLastLineEndingAtAPieceBoundaryGetsItsNewline() {
        ScriptedInput in = new ScriptedInput().chunk(repeat('a', 32)).end();
        RecordingStream out = new RecordingStream();
        OutputPump pump = new OutputPump("end", in, RecordingStream.printStream(out), 20, 16);
        pump.run();
        assertThat(strings(out.writes())).containsExactly(repeat('a', 16), repeat('a', 16), "\n");
        assertThat(pump.tail()).containsExactly(repeat('a', 16) + "...");
    }

    /** An IOException from the input (the process is gone) ends run(), the partial line forwarded. */
    @Test
    void ioExceptionFromTheInputEndsTheRunAfterForwardingThePartialLine() {
        ScriptedInput in = new ScriptedInput().chunk("whole\npart").fail(new IOException("Stream closed"));
        RecordingStream out = pumpAll(in, 20, OutputPump.DEFAULT_MAX_PIECE_BYTES);
        assertThat(in.consumed()).isTrue();
        assertThat(strings(out.writes())).containsExactly("whole\n", "part\n");
    }

    /** An empty stream writes nothing. */
    @Test
    void emptyStreamWritesNothing() {
        RecordingStream out = pumpAll(new ScriptedInput().end(), 20, 16);
        assertThat(out.writes()).isEmpty();
    }

    /** A pump runs once: a second run() is refused. */
    @Test
    void secondRunIsRefused() {
        OutputPump pump = new OutputPump("once", new ScriptedInput().end(), null, 0);
        pump.run();
        assertThatThrownBy(pump::run).isInstanceOf(IllegalStateException.class).hasMessageContaining("already ran");
    }

    /** A negative tail size or a limit below 2 bytes is refused. */
    @Test
    void badSizesAreRefused() {
        assertThatThrownBy(() -> new OutputPump("x", InputStream.nullInputStream(), null, -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tailLines");
        assertThatThrownBy(() -> new OutputPump("x", InputStream.nullInputStream(), null, 0, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxPieceBytes");
    }

    // ------------------------------------------------------------------------------ failing destinations

    /**
     * A destination whose every write throws, an exception or an error, does not stop the pump:
     * the input is read to its end, the tail kept, the out-of-memory line seen.
     */
    @ParameterizedTest
    @ValueSource(strings = {"exception", "error"})
    void throwingDestinationDoesNotStopDraining(String kind) {
        Supplier<Throwable> failure = kind.equals("error")
                ? () -> new OutOfMemoryError("the destination's")
                : () -> new IllegalStateException("closed");
        ScriptedInput in = new ScriptedInput();
        for (int i = 0; i < 1000; i++) {
            in.chunk("line " + i + "\n");
        }
        in.chunk(OOM_LINE + "\n").end();
        OutputPump pump = new OutputPump("broken", in, throwing(failure), 3);
        withLogCaptured(records -> pump.run());
        assertThat(in.consumed()).isTrue();
        assertThat(pump.tail()).containsExactly("line 998", "line 999", OOM_LINE);
        assertThat(pump.outOfMemory()).hasValue(OOM);
    }

    /** A destination that fails once gets the lines after the failing one. */
    @Test
    void destinationThatFailsOnceGetsTheLaterLines() {
        RecordingStream out = new RecordingStream();
        PrintStream failsFirst = new PrintStream(out, false, UTF_8) {
            private boolean failed;

            @Override
            public void write(byte[] buf, int off, int len) {
                if (!failed) {
                    failed = true;
                    throw new IllegalStateException("just once");
                }
                super.write(buf, off, len);
            }
        };
        ScriptedInput in = new ScriptedInput().chunk("lost\n").chunk("kept\n").end();
        withLogCaptured(records -> new OutputPump("once", in, failsFirst, 0).run());
        assertThat(out.text()).isEqualTo("kept\n");
    }

    /** A failing destination is logged once at WARNING, with the pump's name and the first failure. */
    @Test
    void failingDestinationIsLoggedOnceAtWarning() {
        ScriptedInput in = new ScriptedInput();
        for (int i = 0; i < 100; i++) {
            in.chunk("line " + i + "\n");
        }
        int[] n = {0};
        OutputPump pump = new OutputPump("pool-1 worker pid 42 stderr", in.end(),
                throwing(() -> new IllegalStateException("failure " + n[0]++)), 0);
        List<LogRecord> records = withLogCaptured(r -> pump.run());
        assertThat(records).hasSize(1);
        assertThat(records.get(0).getLevel()).isEqualTo(Level.WARNING);
        assertThat(records.get(0).getMessage()).startsWith("pool-1 worker pid 42 stderr: writing to its destination failed");
        assertThat(records.get(0).getThrown()).hasMessage("failure 0");
        assertThat(n[0]).as("writes tried").isEqualTo(100);
    }

    /**
     * Runs {@code body} with the records of the "dev.jfutures.process" logger (System.Logger goes
     * to java.util.logging here) captured instead of printed; returns them.
     */
    private static List<LogRecord> withLogCaptured(java.util.function.Consumer<List<LogRecord>> body) {
        Logger logger = Logger.getLogger("dev.jfutures.process");
        List<LogRecord> records = new ArrayList<>();
        Handler handler = new Handler() {
            @Override
            public synchronized void publish(LogRecord r) {
                records.add(r);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        boolean parents = logger.getUseParentHandlers();
        logger.addHandler(handler);
        logger.setUseParentHandlers(false);
        try {
            body.accept(records);
        } finally {
            logger.removeHandler(handler);
            logger.setUseParentHandlers(parents);
        }
        synchronized (handler) {
            return List.copyOf(records);
        }
    }

    // ------------------------------------------------------------------------------ tail

    /** A null destination drains the stream and keeps the tail. */
    @Test
    void nullDestinationDrainsAndKeepsTheTail() {
        ScriptedInput in = new ScriptedInput().chunk("a\nb\nc\n").end();
        OutputPump pump = new OutputPump("drain", in, null, 2);
        pump.run();
        assertThat(in.consumed()).isTrue();
        assertThat(pump.tail()).containsExactly("b", "c");
    }

    /** The tail keeps the last N lines, oldest first. */
    @Test
    void tailKeepsTheLastNLines() {
        ScriptedInput in = new ScriptedInput();
        for (int i = 1; i <= 25; i++) {
            in.chunk("line " + i + "\n");
        }
        OutputPump pump = new OutputPump("tail", in.end(), null, 20);
        pump.run();
        assertThat(pump.tail()).isEqualTo(IntStream.rangeClosed(6, 25).mapToObj(i -> "line " + i).collect(Collectors.toList()));
    }

    /** A tail of 0 keeps nothing. */
    @Test
    void tailOfZeroKeepsNothing() {
        OutputPump pump = new OutputPump("none", new ScriptedInput().chunk("a\nb\n").end(), null, 0);
        pump.run();
        assertThat(pump.tail()).isEmpty();
    }

    /** A tail line is cut to 1000 characters with "..." appended; one of exactly 1000 is kept whole. */
    @Test
    void tailLinesAreCutTo1000CharactersWithEllipsis() {
        String exact = repeat('e', 1000);
        String longer = repeat('l', 1500);
        OutputPump pump = new OutputPump("cut", new ScriptedInput().chunk(exact + "\n" + longer + "\n").end(), null, 20);
        pump.run();
        assertThat(pump.tail()).containsExactly(exact, repeat('l', 1000) + "...");
    }

    /** A cut never splits a surrogate pair; multi-byte characters count as characters. */
    @Test
    void tailCutKeepsSurrogatePairsWholeAndCountsCharacters() {
        String smiley = "\uD83D\uDE00";
        String accented = repeat('\u00e9', 1200);
        String pairAtCut = repeat('a', 999) + smiley + "tail";
        OutputPump pump = new OutputPump("utf8", new ScriptedInput().chunk(accented + "\n" + pairAtCut + "\n").end(), null, 20);
        pump.run();
        assertThat(pump.tail()).containsExactly(repeat('\u00e9', 1000) + "...", repeat('a', 999) + "...");
    }

    /** A line forwarded in pieces counts once in the tail, by its start, cut. */
    @Test
    void lineInPiecesCountsOnceByItsStart() {
        String digits = "0123456789".repeat(10);
        OutputPump pump = new OutputPump("pieces", new ScriptedInput().chunk(digits + "\nnext\n").end(), null, 20, 16);
        pump.run();
        assertThat(pump.tail()).containsExactly(digits.substring(0, 16) + "...", "next");
    }

    /** tail() may be called while the pump runs, and shows the lines forwarded so far. */
    @Test
    void tailIsReadableWhileThePumpRuns() throws InterruptedException {
        ScriptedInput in = new ScriptedInput();
        BlockingQueue<String> writes = new LinkedBlockingQueue<>();
        OutputPump pump = new OutputPump("live", in, queueing(writes), 20);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = start("pump", pump, failure);
        in.chunk("first\n");
        next(writes);
        // The tail is recorded before the line is forwarded.
        assertThat(pump.tail()).containsExactly("first");
        in.chunk("second\n");
        next(writes);
        assertThat(pump.tail()).containsExactly("first", "second");
        in.end();
        joinAll(failure, t);
    }

    // ------------------------------------------------------------------------------ out of memory

    /**
     * HotSpot's out-of-memory line is seen on either stream: a stdout pump (no tail) and a stderr
     * pump (tail 20) both report it.
     */
    @ParameterizedTest
    @ValueSource(ints = {0, 20})
    void outOfMemoryLineIsSeenWhateverTheTail(int tailLines) {
        ScriptedInput in = new ScriptedInput().chunk("working\n" + OOM_LINE + "\n").end();
        OutputPump pump = new OutputPump("oom", in, RecordingStream.printStream(new RecordingStream()), tailLines);
        pump.run();
        assertThat(pump.outOfMemory()).hasValue(OOM);
    }

    /** The line is seen after a partial line the process had written, and without a final newline. */
    @Test
    void outOfMemoryLineIsSeenAfterAPartialLineAndAtTheEnd() {
        OutputPump pump = new OutputPump("oom", new ScriptedInput().chunk("progress: 42%" + OOM_LINE).end(), null, 0);
        pump.run();
        assertThat(pump.outOfMemory()).hasValue(OOM);
    }

    /** -XX:+CrashOnOutOfMemoryError's "Aborting due to" line is seen too. */
    @Test
    void crashOnOutOfMemoryLineIsSeen() {
        OutputPump pump = new OutputPump("oom", new ScriptedInput()
                .chunk("Aborting due to java.lang.OutOfMemoryError: Metaspace\n").end(), null, 0);
        pump.run();
        assertThat(pump.outOfMemory()).hasValue("java.lang.OutOfMemoryError: Metaspace");
    }

    /** An OutOfMemoryError printed by the program (caught and logged) is not HotSpot's exit line. */
    @Test
    void outOfMemoryErrorInAStackTraceIsNotTheExitLine() {
        OutputPump pump = new OutputPump("oom", new ScriptedInput()
                .chunk("Exception in thread \"main\" " + OOM + "\n\tat Foo.main(Foo.java:3)\n").end(), null, 20);
        pump.run();
        assertThat(pump.outOfMemory()).isEmpty();
    }

    /**
     * The line is seen at the end of a long line forwarded in pieces, wherever a piece's end cuts
     * it (the pump keeps a few bytes back for the next piece), and the bytes go out unchanged.
     */
    @Test
    void outOfMemoryLineIsSeenAtTheEndOfALongLineWhereverAPieceEnds() {
        for (int before = 150; before < 300; before++) {
            String input = repeat('.', before) + OOM_LINE + "\n";
            RecordingStream out = new RecordingStream();
            OutputPump pump = new OutputPump("oom", new ScriptedInput().chunk(input).end(),
                    RecordingStream.printStream(out), 0, 256);
            pump.run();
            assertThat(pump.outOfMemory()).as("after %d bytes", before).hasValue(OOM);
            assertThat(out.text()).isEqualTo(input);
            assertThat(out.writes()).allSatisfy(w -> assertThat(w.length).isLessThanOrEqualTo(256));
        }
    }

    /**
     * A real JVM with -Xmx16m -XX:+ExitOnOutOfMemoryError that allocates forever exits with code 3,
     * and its pumps see the out-of-memory line: on stdout by default (HotSpot's tty), on stderr with
     * -XX:+DisplayVMOutputToStderr. Its diagnosis says it ran out of memory and shows its stderr.
     */
    @ParameterizedTest
    @ValueSource(strings = {"stdout", "stderr"})
    void realJvmThatRunsOutOfHeapIsDiagnosed(String stream) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx16m", "-XX:+ExitOnOutOfMemoryError", "-XX:+UseSerialGC"));
        if (stream.equals("stderr")) {
            command.add("-XX:+DisplayVMOutputToStderr");
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), AllocateForever.class.getName()));
        Process p = new ProcessBuilder(command).start();
        p.getOutputStream().close();
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        OutputPump out = new OutputPump("stdout", p.getInputStream(), new PrintStream(stdout, false, UTF_8), 0);
        OutputPump err = new OutputPump("stderr", p.getErrorStream(), new PrintStream(stderr, false, UTF_8), 20);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread to = start("stdout", out, failure);
        Thread te = start("stderr", err, failure);
        boolean exited = p.waitFor(HANG_SECONDS, TimeUnit.SECONDS);
        if (!exited) {
            p.destroyForcibly();
        }
        joinAll(failure, to, te);
        assertThat(exited).as("the JVM exited").isTrue();
        assertThat(p.exitValue()).isEqualTo(3);

        OutputPump expected = stream.equals("stdout") ? out : err;
        OutputPump other = stream.equals("stdout") ? err : out;
        assertThat(expected.outOfMemory()).hasValue(OOM);
        assertThat(other.outOfMemory()).isEmpty();
        assertThat(stream.equals("stdout") ? stdout.toString(UTF_8) : stderr.toString(UTF_8)).contains(OOM_LINE + "\n");
        assertThat(err.tail()).startsWith(AllocateForever.LAST_WORDS);

        ExitDiagnosis d = ExitDiagnosis.of(p.pid(), p.exitValue())
                .withOutOfMemory(out.outOfMemory().or(err::outOfMemory))
                .withHeapLimit(16L * MIB)
                .withStderrTail(err.tail());
        assertThat(d.isOutOfMemory()).isTrue();
        assertThat(d.taskDeathMessage()).startsWith("the worker JVM running the task (pid " + p.pid() + ") ran out of memory ("
                + OOM + ") with a heap limit of 16 MiB and exited with code 3; raise the limit with jvmOptions(\"-Xmx...\")")
                .contains("; its stderr ends with: " + AllocateForever.LAST_WORDS);
    }

    // ------------------------------------------------------------------------------ test streams

    /** {@code length} bytes of 'x', without allocating: each read fills the caller's buffer. */
    private static final class XsWithoutNewline extends InputStream {
        private long left;

        XsWithoutNewline(long length) {
            this.left = length;
        }

        @Override
        public int read() {
            if (left == 0) {
                return -1;
            }
            left--;
            return 'x';
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (left == 0) {
                return -1;
            }
            int n = (int) Math.min(len, left);
            Arrays.fill(b, off, off + n, (byte) 'x');
            left -= n;
            return n;
        }
    }

    /**
     * Counts the bytes, newlines, bytes that are neither 'x' nor a newline, and the longest write
     * it gets, without allocating or keeping them.
     */
    private static final class SizeRecorder extends OutputStream {
        long total;
        int largest;
        long newlines;
        long foreign;
        int lastByte = -1;

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            total += len;
            largest = Math.max(largest, len);
            for (int i = off; i < off + len; i++) {
                if (b[i] == '\n') {
                    newlines++;
                } else if (b[i] != 'x') {
                    foreign++;
                }
            }
            if (len > 0) {
                lastByte = b[off + len - 1];
            }
        }
    }
}
