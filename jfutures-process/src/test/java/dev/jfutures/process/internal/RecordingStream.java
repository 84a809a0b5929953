package dev.jfutures.process.internal;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A destination that keeps each write apart: {@link PrintStream#write(byte[], int, int)} hands
 * its bytes straight to this stream, so {@link #writes()} are the pump's writes as it made them.
 */
final class RecordingStream extends OutputStream {

    private final List<byte[]> writes = new ArrayList<>();
    private final ByteArrayOutputStream all = new ByteArrayOutputStream();

    /** A print stream over {@code r}, without autoflush or a buffer of its own. */
    static PrintStream printStream(RecordingStream r) {
        return new PrintStream(r, false, StandardCharsets.UTF_8);
    }

    @Override
    public void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        byte[] copy = new byte[len];
        System.arraycopy(b, off, copy, 0, len);
        writes.add(copy);
        all.write(b, off, len);
    }

    /** Every write so far, in order. */
    synchronized List<byte[]> writes() {
        return List.copyOf(writes);
    }

    /** Everything written, as UTF-8. */
    synchronized String text() {
        return all.toString(StandardCharsets.UTF_8);
    }
}
