package dev.jfutures.cli.image;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

/** Hand-made BMPs for the tests: layouts javax.imageio's writer does not produce. */
final class BmpFiles {
    private BmpFiles() {
    }

    /**
     * An uncompressed BMP built by hand, for layouts javax.imageio's writer does not produce: any
     * palette at any depth, top-down rows. Indices are random below the palette's size.
     */
    static byte[] rawBmp(int w, int h, int bits, Random rnd, boolean topDown, int[] palette) {
        int stride = ((w * bits + 31) >>> 3) & ~3;
        int offset = 14 + 40 + 4 * palette.length;
        ByteBuffer b = ByteBuffer.allocate(offset + stride * h).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 'B').put((byte) 'M').putInt(b.capacity()).putInt(0).putInt(offset);
        b.putInt(40).putInt(w).putInt(topDown ? -h : h).putShort((short) 1).putShort((short) bits)
                .putInt(0).putInt(stride * h).putInt(2835).putInt(2835).putInt(palette.length).putInt(0);
        for (int rgb : palette) {
            b.put((byte) rgb).put((byte) (rgb >> 8)).put((byte) (rgb >> 16)).put((byte) 0);
        }
        for (int y = 0; y < h; y++) {
            int row = offset + y * stride;
            for (int x = 0; x < w; x++) {
                int v = rnd.nextInt(palette.length);
                int bit = x * bits;
                int i = row + bit / 8;
                int shift = 8 - bits - bit % 8;
                b.put(i, (byte) (b.get(i) | v << shift));
            }
        }
        return b.array();
    }

    static int[] randomRgb(Random rnd, int n) {
        int[] rgb = new int[n];
        for (int i = 0; i < n; i++) {
            rgb[i] = rnd.nextInt(1 << 24);
        }
        return rgb;
    }
}
