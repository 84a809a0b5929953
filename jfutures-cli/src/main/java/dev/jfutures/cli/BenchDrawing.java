package dev.jfutures.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Test images for the compress section while this build has no {@code jfutures samples}: a
 * black-and-white drawing (filled ellipses and rectangles, some of them a fine halftone, so that
 * the rows hold long runs and short ones), written as a 1-bit BMP that Pillow and javax.imageio
 * read. The same seed draws the same image.
 */
final class BenchDrawing {

    private BenchDrawing() {
    }

    /** Draws one image of {@code width} x {@code height} pixels into {@code file}. */
    static void write(Path file, int width, int height, long seed) throws IOException {
        int stride = (width + 7) / 8;
        byte[] bits = new byte[stride * height];
        Arrays.fill(bits, (byte) 0xFF);   // white
        SplittableRandom random = new SplittableRandom(seed);
        int shapes = Math.max(20, width * height / 150_000);
        for (int i = 0; i < shapes; i++) {
            int cx = random.nextInt(width);
            int cy = random.nextInt(height);
            int rx = 4 + random.nextInt(Math.max(5, width / 12));
            int ry = 4 + random.nextInt(Math.max(5, height / 12));
            int style = random.nextInt(6);   // 0-2 black, 3 white, 4-5 halftone
            int period = 2 + random.nextInt(3);
            boolean ellipse = random.nextBoolean();
            for (int y = Math.max(0, cy - ry); y <= Math.min(height - 1, cy + ry); y++) {
                int half = rx;
                if (ellipse) {
                    double dy = (y - cy) / (double) ry;
                    half = (int) (rx * Math.sqrt(Math.max(0, 1 - dy * dy)));
                }
                for (int x = Math.max(0, cx - half); x <= Math.min(width - 1, cx + half); x++) {
                    boolean white = style == 3 || (style >= 4 && ((x / period + y / period) & 1) == 0);
                    set(bits, stride, x, y, white);
                }
            }
        }
        writeBmp(file, width, height, stride, bits);
    }

    private static void set(byte[] bits, int stride, int x, int y, boolean white) {
        int i = y * stride + (x >> 3);
        int mask = 0x80 >>> (x & 7);
        bits[i] = (byte) (white ? bits[i] | mask : bits[i] & ~mask);
    }

    /** A 1-bit BMP: file and info headers, a black-and-white palette, rows bottom-up padded to 4 bytes. */
    private static void writeBmp(Path file, int width, int height, int stride, byte[] bits) throws IOException {
        int rowBytes = (stride + 3) & ~3;
        int offset = 14 + 40 + 8;
        int size = offset + rowBytes * height;
        ByteBuffer h = ByteBuffer.allocate(offset).order(ByteOrder.LITTLE_ENDIAN);
        h.put((byte) 'B').put((byte) 'M').putInt(size).putInt(0).putInt(offset);
        h.putInt(40).putInt(width).putInt(height).putShort((short) 1).putShort((short) 1).putInt(0)
                .putInt(rowBytes * height).putInt(2835).putInt(2835).putInt(2).putInt(0);
        h.putInt(0x00000000).putInt(0x00FFFFFF);   // palette: 0 black, 1 white
        byte[] row = new byte[rowBytes];
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            out.write(h.array());
            for (int y = height - 1; y >= 0; y--) {
                System.arraycopy(bits, y * stride, row, 0, stride);
                out.write(row);
            }
        }
    }
}
