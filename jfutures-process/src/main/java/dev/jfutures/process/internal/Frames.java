package dev.jfutures.process.internal;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The wire format between the pool and a worker JVM: length-prefixed frames over a Unix-domain
 * socket.
 *
 * <pre>
 *   int  length      bytes that follow (type + id + payload), 9 .. MAX_FRAME
 *   byte type        one of the constants below
 *   long id          the task id (0 where none)
 *   byte[] payload   length - 9 bytes
 * </pre>
 *
 * A frame is read whole before anything decodes it, so a payload that fails to decode fails only
 * its task, never the stream. A length out of range is a protocol error that closes the
 * connection.
 */
public final class Frames {

    /** "JFUT": the first int of a worker's HELLO payload. */
    public static final int MAGIC = 0x4A465554;
    /** The protocol version; the pool refuses a worker that speaks another. */
    public static final short VERSION = 1;
    /** Bytes of the per-pool token. */
    public static final int TOKEN_BYTES = 32;
    /** The largest frame accepted (1 GiB): larger lengths are a malformed frame. */
    public static final int MAX_FRAME = 1 << 30;
    /** Bytes of type and id. */
    public static final int HEADER = 9;

    // worker -> pool
    /** Handshake: payload = magic, version, token. id = worker id. */
    public static final byte HELLO = 1;
    /** The initializer ran (or there was none). */
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
    /** A queued task was dropped after a CANCEL, never started. */
    public static final byte DROPPED = 8;
    /** A CANCEL came too late: the task has started (or finished) and will answer as usual. */
    public static final byte KEPT = 9;

    // pool -> worker
    /** Handshake reply: payload = the encoded initializer, or empty. */
    public static final byte WELCOME = 20;
    /** Run a task; payload = the encoded task. */
    public static final byte TASK = 21;
    /** Drop a queued task if it has not started (reply DROPPED). */
    public static final byte CANCEL = 22;
    /** Interrupt the task if it is running. */
    public static final byte INTERRUPT = 23;
    /** Finish the queued tasks, then exit. */
    public static final byte STOP = 24;

    private Frames() {
    }

    /** One frame as read. */
    public record Frame(byte type, long id, byte[] payload) {
    }

    /**
     * Writes a frame (not flushed).
     *
     * @param out the stream
     * @param type the type
     * @param id the task id
     * @param payload the payload
     * @throws IOException if the stream fails
     */
    public static void write(DataOutputStream out, byte type, long id, byte[] payload) throws IOException {
        out.writeInt(HEADER + payload.length);
        out.writeByte(type);
        out.writeLong(id);
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
        if (length < HEADER || length > MAX_FRAME) {
            throw new MalformedFrameException("malformed frame: length " + length + " is outside " + HEADER + ".." + MAX_FRAME);
        }
        byte type = in.readByte();
        long id = in.readLong();
        byte[] payload = new byte[length - HEADER];
        try {
            in.readFully(payload);
        } catch (EOFException e) {
            throw new EOFException("stream ended inside a frame of " + length + " bytes");
        }
        return new Frame(type, id, payload);
    }

    /** A frame that breaks the format. */
    public static final class MalformedFrameException extends IOException {
        private static final long serialVersionUID = 1L;

        MalformedFrameException(String message) {
            super(message);
        }
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
