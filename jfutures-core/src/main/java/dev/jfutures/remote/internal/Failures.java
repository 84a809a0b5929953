package dev.jfutures.remote.internal;

import dev.jfutures.remote.Codec;
import dev.jfutures.remote.RemoteTaskException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

/**
 * A task's failure on its way back from the JVM it ran in, for every executor whose tasks run in
 * another JVM: the exception's class name, message and stack text always, and the exception
 * itself where it can be sent. Not API: the module exports this package only to the backends.
 */
public final class Failures {

    private static final byte[] EMPTY = new byte[0];
    /** The longest string a failure payload may hold (its stack text, mostly). */
    private static final int MAX_STRING = 64 * 1024 * 1024;

    private Failures() {
    }

    /**
     * A task's failure as the caller reads it: the class name, message and stack text, why the
     * exception itself is not included (or null), then the exception encoded (empty if it is not).
     * Never throws, whatever the exception does: an exception whose {@code getMessage()}, {@code
     * toString()} or {@code printStackTrace()} throws is described by its class and what threw, and
     * is not sent as itself (the pool could not show it either).
     *
     * @param e the failure
     * @param codec encodes the exception
     * @return the payload
     */
    public static byte[] encode(Throwable e, Codec codec) {
        String className = e.getClass().getName();
        String problem = null;
        String message;
        try {
            message = e.getMessage();
        } catch (Throwable t) {
            message = null;
            problem = "its getMessage() threw " + describe(t);
        }
        try {
            e.toString();
        } catch (Throwable t) {
            problem = problem != null ? problem : "its toString() threw " + describe(t);
        }
        StringWriter text = new StringWriter();
        try {
            e.printStackTrace(new PrintWriter(text, true));
        } catch (Throwable t) {
            problem = problem != null ? problem : "its printStackTrace() threw " + describe(t);
            text.write(className + " (printStackTrace() threw " + describe(t) + ")\n");
            try {
                for (StackTraceElement s : e.getStackTrace()) {
                    text.write("\tat " + s + "\n");
                }
            } catch (Throwable ignored) {
                // the frames too are out of reach
            }
        }
        byte[] encoded = EMPTY;
        String notEncoded;
        if (problem != null) {
            notEncoded = "not sent as itself: " + problem;
        } else {
            try {
                encoded = codec.encode(e);
                notEncoded = null;
            } catch (Throwable t) {
                notEncoded = "the exception would not serialize: " + describe(t);
            }
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256 + encoded.length);
        DataOutputStream d = new DataOutputStream(bytes);
        try {
            writeString(d, className);
            writeString(d, message);
            writeString(d, text.toString());
            writeString(d, notEncoded);
            d.writeInt(encoded.length);
            d.write(encoded);
        } catch (IOException cannotHappen) {
            throw new IllegalStateException(cannotHappen);
        }
        return bytes.toByteArray();
    }

    /**
     * A failure the caller can show: the remote exception rebuilt (with a suppressed {@link
     * RemoteTaskException} noting where it ran), or a RemoteTaskException with its class name,
     * message and stack text where it cannot be (its class is not here, it did not serialize, or it
     * was not sent as itself).
     *
     * @param payload a payload from {@link #encode}
     * @param codec decodes the exception
     * @param where where it ran, for the note ("worker JVM pid 123", "cluster member ...")
     * @return the failure
     */
    public static Throwable decode(byte[] payload, Codec codec, String where) {
        try {
            DataInputStream d = new DataInputStream(new ByteArrayInputStream(payload));
            String className = readString(d);
            String message = readString(d);
            String stack = readString(d);
            String notEncoded = readString(d);
            int n = d.readInt();
            if (n > 0) {
                byte[] bytes = d.readNBytes(n);
                try {
                    Object o = codec.decode(bytes);
                    if (o instanceof Throwable) {
                        Throwable t = (Throwable) o;
                        t.addSuppressed(new RemoteTaskException(className, "ran in " + where, stack, null));
                        return t;
                    }
                } catch (Throwable e) {
                    return new RemoteTaskException(className, message, stack, describe(e));
                }
            }
            return new RemoteTaskException(className, message, stack, notEncoded);
        } catch (IOException e) {
            return new IOException(where + " sent an unreadable failure: " + e, e);
        }
    }

    /**
     * A throwable as its toString() gives it, or its class name if that throws too.
     *
     * @param t the throwable
     * @return its description; never throws
     */
    public static String describe(Throwable t) {
        try {
            return String.valueOf(t);
        } catch (Throwable again) {
            return t.getClass().getName();
        }
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        if (s == null) {
            out.writeInt(-1);
            return;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readString(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            return null;
        }
        if (n > MAX_STRING || n > in.available()) {
            throw new IOException("malformed string length " + n);
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return new String(b, StandardCharsets.UTF_8);
    }
}
