package dev.jfutures.cli.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * One image file being read: its name, its channel (read at positions, never moved) and its size,
 * with the reads and checks every format needs.
 */
final class ImageFile {
    final Path file;
    final FileChannel channel;
    final long size;

    ImageFile(Path file, FileChannel channel) throws IOException {
        this.file = file;
        this.channel = channel;
        this.size = channel.size();
    }

    /** The byte at {@code pos}, or -1 past the end. */
    int byteAt(long pos) throws IOException {
        byte[] b = bytes(pos, 1);
        return b.length == 0 ? -1 : b[0] & 0xff;
    }

    /** The bytes at {@code [pos, pos + n)}; fewer if the file ends first. */
    byte[] bytes(long pos, int n) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(n);
        while (buf.hasRemaining()) {
            if (channel.read(buf, pos + buf.position()) < 0) {
                break;
            }
        }
        return buf.position() == n ? buf.array() : Arrays.copyOf(buf.array(), buf.position());
    }

    /** The bytes at {@code [pos, pos + n)}, or an error saying the file is truncated. */
    byte[] exactly(long pos, int n, String what) throws IOException {
        byte[] b = bytes(pos, n);
        if (b.length < n) {
            throw new ImageException("truncated: the file ends inside the " + what);
        }
        return b;
    }

    /**
     * Checks dimensions before anything big is allocated: the .rle format's limit, 1..65535 each way.
     *
     * @throws ImageException naming the dimension that is out of range
     */
    static void checkDimensions(long width, long height) throws ImageException {
        try {
            BitImage.checkDimensions(width, height);
        } catch (IllegalArgumentException e) {
            throw new ImageException(e.getMessage());
        }
    }

    /** The unsigned little-endian 16-bit number at {@code b[i]}. */
    static int u16le(byte[] b, int i) {
        return (b[i] & 0xff) | (b[i + 1] & 0xff) << 8;
    }

    /** The little-endian 32-bit number at {@code b[i]}. */
    static int i32le(byte[] b, int i) {
        return u16le(b, i) | u16le(b, i + 2) << 16;
    }
}
