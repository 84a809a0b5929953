package dev.jfutures.process.internal;

import dev.jfutures.remote.Codec;
import dev.jfutures.remote.internal.Failures;
import dev.jfutures.remote.RemoteTaskException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The wire protocol between a process pool and its worker JVMs, both ends of every message: the
 * frame format, the handshake (HELLO, WELCOME, INIT_OK / INIT_FAILED), and the payloads of the
 * answers. {@link dev.jfutures.process.Worker} speaks the worker's side with blocking streams; the
 * pool reads with {@link Parser} from a non-blocking channel.
 *
 * <pre>
 *   int    length    bytes that follow (type + ticket + payload), 9 .. MAX_FRAME
 *   byte   type      one of the constants below
 *   long   ticket    the dispatch of a call it is about (new for each dispatch); 0 where none
 *   byte[] payload   length - 9 bytes
 * </pre>
 *
 * <p>The conversation:
 * <pre>
 *   worker: HELLO(magic, version, token), ticket = its worker id
 *   pool:   WELCOME(the encoded initializer, or empty)
 *   worker: INIT_OK(its Runtime.maxMemory()) or INIT_FAILED(failure), then exits
 *   pool:   TASK(ticket, encoded task) ...   CANCEL(ticket)   INTERRUPT(ticket)   STOP
 *   worker: [STARTED(ticket, start time)]   then RESULT(ticket, encoded value)
 *           | FAILED(ticket, failure) | TASK_DECODE_FAILED(ticket, failure)
 *           | RESULT_ENCODE_FAILED(ticket, failure)
 *           DROPPED(ticket): the answer to a CANCEL of a task it had not started
 * </pre>
 *
 * <p>Rules both ends keep: a worker runs its tasks one at a time in the order they came, and
 * writes each answer out (to the socket, where it survives the worker) before it starts the next
 * task: so a death loses no finished task's answer, and at most one task can have been running.
 * Before it runs any code of a task (decoding it included) it writes the task's ticket into its
 * started slot, a small file in the pool's private directory that it maps into memory: no system
 * call, and the pool can read it after the worker died. It says STARTED on the socket once the
 * task has run {@link #REPORT_DELAY_NANOS}, and not at all if the task answers sooner (an answer
 * says the task started). So the pool knows a task started exactly when it did: from STARTED, from
 * an answer, or, if the worker died first, from the slot. A CANCEL is answered with DROPPED only
 * if the task was still queued; otherwise it says nothing (it has started, and STARTED or its
 * answer will come). An INTERRUPT is sent only after STARTED, and ignored for a task that is not
 * running. A frame is read whole before its payload is decoded, so a payload that does not decode
 * fails only its task; a length out of range is a malformed frame, which ends the connection.
 */
public final class Protocol {

    /** "JFUT": the first int of a worker's HELLO payload. */
    public static final int MAGIC = 0x4A465554;
    /** The protocol version; the pool refuses a worker that speaks another. 2: STARTED, no KEPT. */
    public static final short VERSION = 2;
    /** Bytes of the per-pool token. */
    public static final int TOKEN_BYTES = 32;
    /** The largest frame accepted (1 GiB): larger lengths are a malformed frame. */
    public static final int MAX_FRAME = 1 << 30;
    /** Bytes of type and ticket. */
    public static final int HEADER = 9;
    /** Bytes of a HELLO payload: magic, version, token. */
    public static final int HELLO_PAYLOAD = 4 + 2 + TOKEN_BYTES;

    // worker -> pool
    /** Handshake: payload = magic, version, token; ticket = the worker's id. */
    public static final byte HELLO = 1;
    /** The initializer ran (or there was none); payload = the worker's {@code Runtime.maxMemory()}. */
    public static final byte INIT_OK = 2;
    /** The initializer failed; payload = a failure. The worker exits after sending it. */
    public static final byte INIT_FAILED = 3;
    /** A task returned; payload = the encoded result. */
    public static final byte RESULT = 4;
    /** A task threw; payload = a failure. */
    public static final byte FAILED = 5;
    /** A task could not be decoded in the worker; payload = a failure. */
    public static final byte TASK_DECODE_FAILED = 6;
    /** A task's result could not be encoded; payload = a failure. */
    public static final byte RESULT_ENCODE_FAILED = 7;
    /** A queued task was dropped on a CANCEL, never started. */
    public static final byte DROPPED = 8;
    /**
     * The task has been running for {@link #REPORT_DELAY_NANOS}; payload = the worker's {@code
     * System.nanoTime()} when it started it (the same clock as the pool's: one machine).
     */
    public static final byte STARTED = 10;

    /**
     * How long a task runs before its worker says STARTED; a task that ends sooner says it by its
     * answer. Saying it at once costs a wake-up of the pool's I/O thread per task, which on a
     * virtual machine is tens of microseconds on the round trip (measured: 7 us median, 70 us at
     * the 90th percentile, for the write alone). 1 ms: the worker's selector counts in ms.
     */
    public static final long REPORT_DELAY_NANOS = 1_000_000L;

    // pool -> worker
    /** Handshake reply: payload = the encoded initializer, or empty. */
    public static final byte WELCOME = 20;
    /** Run a task; payload = the encoded task. */
    public static final byte TASK = 21;
    /** Drop a queued task if it has not started (answer DROPPED, else nothing). */
    public static final byte CANCEL = 22;
    /** Interrupt the task if it is running. */
    public static final byte INTERRUPT = 23;
    /** Finish the queued tasks, then exit. */
    public static final byte STOP = 24;

    private static final byte[] EMPTY = new byte[0];

    private Protocol() {
    }

    /**
     * One frame as read.
     *
     * @param type the frame type
     * @param ticket the ticket (the worker id in a HELLO)
     * @param payload the payload
     */
    public record Frame(byte type, long ticket, byte[] payload) {
    }

    /** A frame that breaks the format. */
    public static final class MalformedFrameException extends IOException {
        private static final long serialVersionUID = 1L;

        MalformedFrameException(String message) {
            super(message);
        }
    }

    /**
     * The name of a frame type, for messages.
     *
     * @param type a frame type
     * @return its name, or its number
     */
    public static String name(byte type) {
        switch (type) {
            case HELLO: return "HELLO";
            case INIT_OK: return "INIT_OK";
            case INIT_FAILED: return "INIT_FAILED";
            case RESULT: return "RESULT";
            case FAILED: return "FAILED";
            case TASK_DECODE_FAILED: return "TASK_DECODE_FAILED";
            case RESULT_ENCODE_FAILED: return "RESULT_ENCODE_FAILED";
            case DROPPED: return "DROPPED";
            case STARTED: return "STARTED";
            case WELCOME: return "WELCOME";
            case TASK: return "TASK";
            case CANCEL: return "CANCEL";
            case INTERRUPT: return "INTERRUPT";
            case STOP: return "STOP";
            default: return "type " + type;
        }
    }

    // ============================================================================ streams (worker)

    /**
     * Writes a frame (not flushed).
     *
     * @param out the stream
     * @param type the type
     * @param ticket the ticket
     * @param payload the payload
     * @throws IOException if the stream fails
     */
    public static void write(DataOutputStream out, byte type, long ticket, byte[] payload) throws IOException {
        out.writeInt(HEADER + payload.length);
        out.writeByte(type);
        out.writeLong(ticket);
        out.write(payload);
    }

    /**
     * Reads a whole frame.
     *
     * @param in the stream
     * @return the frame, or null at a clean end of stream (between frames)
     * @throws IOException if the stream fails, ends inside a frame, or the frame is malformed
     */
    public static Frame read(DataInputStream in) throws IOException {
        int first = in.read();
        if (first < 0) {
            return null;
        }
        int length = (first << 24) | (in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8) | in.readUnsignedByte();
        checkLength(length);
        byte type = in.readByte();
        long ticket = in.readLong();
        byte[] payload = length == HEADER ? EMPTY : new byte[length - HEADER];
        try {
            in.readFully(payload);
        } catch (EOFException e) {
            throw new EOFException("stream ended inside a frame of " + length + " bytes");
        }
        return new Frame(type, ticket, payload);
    }

    private static void checkLength(int length) throws MalformedFrameException {
        if (length < HEADER || length > MAX_FRAME) {
            throw new MalformedFrameException("malformed frame: length " + length + " is outside " + HEADER + ".."
                    + MAX_FRAME);
        }
    }

    // ============================================================================ buffers (pool)

    /**
     * Puts a frame's length, type and ticket into a buffer, for a payload of {@code payloadLength}
     * bytes written after it.
     *
     * @param buf the buffer, with 13 bytes free
     * @param type the type
     * @param ticket the ticket
     * @param payloadLength the payload's length
     */
    public static void putHeader(ByteBuffer buf, byte type, long ticket, int payloadLength) {
        buf.putInt(HEADER + payloadLength);
        buf.put(type);
        buf.putLong(ticket);
    }

    /**
     * Cuts frames out of bytes as they arrive from a non-blocking channel: {@link #parse} takes
     * whatever the buffer holds, returns the whole frames in it, and keeps the part of a frame
     * that has not all arrived. A large payload is copied into its own array as it comes, so the
     * read buffer stays small.
     */
    public static final class Parser {
        private final byte[] header = new byte[4 + HEADER];
        private int headerFill;
        private byte type;
        private long ticket;
        private byte[] payload;
        private int payloadFill;

        /**
         * Takes the bytes of {@code buf} (position to limit) and adds each frame they complete.
         *
         * @param buf bytes read, flipped; consumed entirely
         * @param into where whole frames go, in order
         * @throws MalformedFrameException if a length is out of range
         */
        public void parse(ByteBuffer buf, List<Frame> into) throws MalformedFrameException {
            while (buf.hasRemaining()) {
                if (payload == null) {
                    int n = Math.min(header.length - headerFill, buf.remaining());
                    buf.get(header, headerFill, n);
                    headerFill += n;
                    if (headerFill < header.length) {
                        return;
                    }
                    ByteBuffer h = ByteBuffer.wrap(header);
                    int length = h.getInt();
                    checkLength(length);
                    type = h.get();
                    ticket = h.getLong();
                    payload = length == HEADER ? EMPTY : new byte[length - HEADER];
                    payloadFill = 0;
                }
                int n = Math.min(payload.length - payloadFill, buf.remaining());
                buf.get(payload, payloadFill, n);
                payloadFill += n;
                if (payloadFill == payload.length) {
                    into.add(new Frame(type, ticket, payload));
                    payload = null;
                    headerFill = 0;
                }
            }
        }

        /**
         * Whether the bytes taken so far end between frames.
         *
         * @return true if no frame is half read
         */
        public boolean betweenFrames() {
            return payload == null && headerFill == 0;
        }
    }

    // ============================================================================ handshake

    /**
     * The worker's HELLO payload.
     *
     * @param token the pool's token, as the worker read it from its stdin
     * @return the payload
     */
    public static byte[] hello(byte[] token) {
        ByteBuffer b = ByteBuffer.allocate(HELLO_PAYLOAD);
        b.putInt(MAGIC).putShort(VERSION).put(token);
        return b.array();
    }

    /**
     * What a HELLO payload says.
     *
     * @param magic its magic number ({@link #MAGIC} from a worker)
     * @param version the protocol version it speaks
     * @param token the token it presents
     */
    public record Hello(int magic, short version, byte[] token) {
        /**
         * Reads a HELLO payload.
         *
         * @param payload exactly {@link #HELLO_PAYLOAD} bytes
         * @return what it says
         */
        public static Hello parse(byte[] payload) {
            ByteBuffer b = ByteBuffer.wrap(payload);
            int magic = b.getInt();
            short version = b.getShort();
            byte[] token = new byte[TOKEN_BYTES];
            b.get(token);
            return new Hello(magic, version, token);
        }
    }

    /**
     * The STARTED payload.
     *
     * @param startNanos the worker's System.nanoTime() when it started the task
     * @return the payload
     */
    public static byte[] started(long startNanos) {
        return ByteBuffer.allocate(8).putLong(startNanos).array();
    }

    /**
     * When a STARTED payload says the task started.
     *
     * @param payload the payload
     * @param fallback what to return if the payload does not say
     * @return the worker's System.nanoTime() at the start
     */
    public static long startNanos(byte[] payload, long fallback) {
        return payload.length >= 8 ? ByteBuffer.wrap(payload).getLong() : fallback;
    }

    /**
     * The file of a worker's started slot, in the pool's private directory.
     *
     * @param socketDir the directory of the pool's socket
     * @param workerId the worker's id
     * @return the path
     */
    public static java.nio.file.Path startedSlot(java.nio.file.Path socketDir, long workerId) {
        return socketDir.resolve("w" + workerId + ".started");
    }

    /** Bytes of a started slot: the ticket, then the start time. */
    public static final int SLOT_BYTES = 16;

    /**
     * The INIT_OK payload.
     *
     * @param maxMemory the worker's {@code Runtime.maxMemory()}
     * @return the payload
     */
    public static byte[] initOk(long maxMemory) {
        return ByteBuffer.allocate(8).putLong(maxMemory).array();
    }

    /**
     * The heap limit an INIT_OK payload carries.
     *
     * @param payload the payload
     * @return the worker's {@code Runtime.maxMemory()}, or -1 if the payload does not say
     */
    public static long heapLimit(byte[] payload) {
        return payload.length >= 8 ? ByteBuffer.wrap(payload).getLong() : -1L;
    }

    // ============================================================================ failures

    /**
     * A task's failure as the pool reads it: see {@link Failures#encode}.
     *
     * @param e the failure
     * @param codec encodes the exception
     * @return the payload
     */
    public static byte[] failure(Throwable e, Codec codec) {
        return Failures.encode(e, codec);
    }

    /**
     * A failure the pool can show, noting the worker's pid: see {@link Failures#decode}.
     *
     * @param payload a payload from {@link #failure}
     * @param codec decodes the exception
     * @param pid the worker's pid, for the note
     * @return the failure
     */
    public static Throwable decodeFailure(byte[] payload, Codec codec, long pid) {
        return Failures.decode(payload, codec, "worker JVM pid " + pid);
    }

    /** A throwable as its toString() gives it, or its class name if that throws too. */
    static String describe(Throwable t) {
        return Failures.describe(t);
    }

    /**
     * Writes a string as an int length and UTF-8 bytes (no 64 KiB limit, unlike writeUTF).
     *
     * @param out the stream
     * @param s the string, may be null (written as length -1)
     * @throws IOException if the stream fails
     */
    public static void writeString(DataOutputStream out, String s) throws IOException {
        if (s == null) {
            out.writeInt(-1);
            return;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    /**
     * Reads a string written by {@link #writeString}.
     *
     * @param in the stream
     * @return the string, or null
     * @throws IOException if the stream fails or the length is out of range
     */
    public static String readString(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            return null;
        }
        if (n > MAX_FRAME) {
            throw new MalformedFrameException("malformed string length " + n);
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return new String(b, StandardCharsets.UTF_8);
    }
}
