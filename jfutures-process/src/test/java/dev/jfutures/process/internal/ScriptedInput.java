package dev.jfutures.process.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Phaser;

/**
 * An input stream whose reads return exactly the chunks it is given, in order (a chunk longer
 * than a read's buffer is returned over several reads), then end of stream or an {@link
 * IOException}, as scripted: so a pump sees the same read boundaries on every run. Chunks may be
 * added while a pump reads it; a read waits for the next one. Inputs {@link #inStepWith in step}
 * hand out each chunk together, so the pumps reading them run side by side.
 */
final class ScriptedInput extends InputStream {

    private static final Object END = new Object();

    private final LinkedBlockingQueue<Object> script = new LinkedBlockingQueue<>();
    private byte[] chunk = new byte[0];
    private int at;
    private volatile boolean ended;
    private Phaser step;

    /** Adds a chunk that reads return. */
    ScriptedInput chunk(byte[] bytes) {
        script.add(bytes.clone());
        return this;
    }

    /** Adds a chunk of UTF-8 text. */
    ScriptedInput chunk(String text) {
        return chunk(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The next read after the chunks before it returns end of stream. */
    ScriptedInput end() {
        script.add(END);
        return this;
    }

    /** The next read after the chunks before it throws this. */
    ScriptedInput fail(IOException e) {
        script.add(e);
        return this;
    }

    /**
     * Hands out each chunk only when every other input in step with {@code phaser} hands out its
     * own (or has ended): call before the reading starts.
     */
    ScriptedInput inStepWith(Phaser phaser) {
        phaser.register();
        step = phaser;
        return this;
    }

    /** Whether a read reached the end or the failure: all input was consumed. */
    boolean consumed() {
        return ended;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (at == chunk.length) {
            Object next;
            try {
                next = script.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
            if (step != null) {
                if (next instanceof byte[]) {
                    step.arriveAndAwaitAdvance();
                } else {
                    step.arriveAndDeregister();
                }
            }
            if (next == END) {
                ended = true;
                return -1;
            }
            if (next instanceof IOException) {
                ended = true;
                throw (IOException) next;
            }
            chunk = (byte[]) next;
            at = 0;
        }
        int n = Math.min(len, chunk.length - at);
        System.arraycopy(chunk, at, b, off, n);
        at += n;
        return n;
    }
}
