package dev.jfutures.cli;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;

/**
 * The commands' stdout: a buffered {@link PrintWriter} that remembers the first {@link IOException}
 * a write of it got, so that a failed write is an error, as in a GNU tool, not silence.
 *
 * <p>A {@code PrintWriter} swallows write errors, and its only report, {@link #checkError()},
 * flushes, which a loop printing millions of paths cannot call per path. {@link #error()} reads the
 * remembered exception without flushing: {@code find} calls it after each directory's matches and
 * stops the walk when stdout is gone (a write reached the stream at most a buffer, 64 KiB, after the
 * reader left).
 *
 * <p>Two kinds of failure, as GNU tools tell them apart: EPIPE (the reader closed the pipe, as
 * {@code | head -1} does) ends the command quietly with {@link ExitCodes#BROKEN_PIPE}, what the
 * shell shows for GNU find killed by SIGPIPE (a JVM ignores SIGPIPE and gets EPIPE instead); any
 * other (ENOSPC on {@code > /dev/full}, EIO) is {@code jfutures: write error: REASON} on stderr and
 * {@link ExitCodes#FAILED}.
 *
 * @since 0.1
 */
public final class Stdout extends PrintWriter {

    /** The message the JDK gives an EPIPE on Linux (strerror), the one way to tell it from others. */
    static final String BROKEN_PIPE = "Broken pipe";

    private final Recording sink;

    /** Whether the error was reported (by a command, or by {@link Main}): once only. */
    private boolean reported;

    /**
     * A writer on {@code out}.
     *
     * @param out the stream, usually {@code FileDescriptor.out}'s
     * @param charset encodes the characters
     * @param bufferSize the characters buffered before a write reaches {@code out}
     * @since 0.1
     */
    public Stdout(OutputStream out, Charset charset, int bufferSize) {
        this(new Recording(out), charset, bufferSize);
    }

    private Stdout(Recording sink, Charset charset, int bufferSize) {
        super(new BufferedWriter(new OutputStreamWriter(sink, charset), bufferSize), false);
        this.sink = sink;
    }

    /**
     * The first exception a write to the stream got, without flushing.
     *
     * @return it, or null while every write succeeded
     * @since 0.1
     */
    public IOException error() {
        return sink.error;
    }

    /**
     * {@link #error()} of {@code out} if it is a {@code Stdout}; null for any other writer (tests
     * write into strings, which do not fail).
     */
    static IOException error(PrintWriter out) {
        return out instanceof Stdout s ? s.error() : null;
    }

    /**
     * Reports a write error of {@code out}, once: a line on {@code err} unless it is a closed pipe.
     *
     * @param out stdout
     * @param err stderr
     * @param code the exit code without a write error
     * @return {@code code} when {@code out} had no error; else {@link ExitCodes#BROKEN_PIPE} for a
     *     closed pipe, {@link ExitCodes#FAILED} for any other error
     */
    static int exitCode(PrintWriter out, PrintWriter err, int code) {
        IOException e = error(out);
        if (e == null) {
            return code;
        }
        Stdout s = (Stdout) out;
        boolean pipe = BROKEN_PIPE.equals(e.getMessage());
        if (!s.reported) {
            s.reported = true;
            if (!pipe) {
                err.println("jfutures: write error: " + e.getMessage());
                err.flush();
            }
        }
        return pipe ? ExitCodes.BROKEN_PIPE : ExitCodes.FAILED;
    }

    /** Passes writes on, and keeps the first exception one threw. */
    private static final class Recording extends OutputStream {
        private final OutputStream out;
        /** Written by the writing thread, read by the same or, after the command, by main. */
        volatile IOException error;

        Recording(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            try {
                out.write(b);
            } catch (IOException e) {
                throw keep(e);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                throw keep(e);
            }
        }

        @Override
        public void flush() throws IOException {
            try {
                out.flush();
            } catch (IOException e) {
                throw keep(e);
            }
        }

        private IOException keep(IOException e) {
            if (error == null) {
                error = e;
            }
            return e;
        }
    }
}
