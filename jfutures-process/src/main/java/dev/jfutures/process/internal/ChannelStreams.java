package dev.jfutures.process.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * Streams over a blocking {@link SocketChannel} that read and write independently. JDK 17's
 * {@code Channels.newInputStream}/{@code newOutputStream} both lock the channel's blocking lock,
 * so a thread blocked reading would stall every writer: a deadlock for a full-duplex protocol.
 * {@code SocketChannel.read} and {@code write} have separate locks, so these do not.
 */
public final class ChannelStreams {

    private ChannelStreams() {
    }

    /**
     * An input stream reading from {@code ch}.
     *
     * @param ch a connected blocking channel
     * @return the stream; closing it closes the channel
     */
    public static InputStream in(SocketChannel ch) {
        return new InputStream() {
            private final byte[] one = new byte[1];

            @Override
            public int read() throws IOException {
                int n = read(one, 0, 1);
                return n <= 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                int n;
                do {
                    n = ch.read(ByteBuffer.wrap(b, off, len));
                } while (n == 0);
                return n;
            }

            @Override
            public void close() throws IOException {
                ch.close();
            }
        };
    }

    /**
     * An output stream writing to {@code ch}.
     *
     * @param ch a connected blocking channel
     * @return the stream; closing it closes the channel
     */
    public static OutputStream out(SocketChannel ch) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                ByteBuffer buf = ByteBuffer.wrap(b, off, len);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
            }

            @Override
            public void close() throws IOException {
                ch.close();
            }
        };
    }
}
