package dev.jfutures.cli.image;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Hand-made GIFs for the tests: what javax.imageio's writer never produces. */
final class GifFiles {
    private GifFiles() {
    }

    /**
     * A GIF built by hand: a screen, an optional global table, an optional graphic control
     * extension with a transparent index, one frame at (x0, y0), an optional local table,
     * optionally interlaced, random indices below {@code maxIndex}. The LZW data is the simple kind
     * (a clear code often enough that codes stay one bit wider than the root size).
     */
    static byte[] gif(int screenW, int screenH, byte[] global, int transparent, int x0, int y0, int w, int h,
            byte[] local, boolean interlaced, Random rnd, int maxIndex) {
        return gif(screenW, screenH, global, transparent, x0, y0, w, h, local, interlaced, rnd, maxIndex, w * h, -1);
    }

    /**
     * As above, but writing only {@code pixelCount} pixels, and the code {@code badCode} (if not
     * -1) in the middle.
     */
    static byte[] gif(int screenW, int screenH, byte[] global, int transparent, int x0, int y0, int w, int h,
            byte[] local, boolean interlaced, Random rnd, int maxIndex, int pixelCount, int badCode) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("GIF89a".getBytes(StandardCharsets.US_ASCII));
        le16(out, screenW);
        le16(out, screenH);
        out.write(global == null ? 0 : 0x80 | tableBits(global) - 1);
        out.write(0);
        out.write(0);
        if (global != null) {
            out.writeBytes(global);
        }
        if (transparent >= 0) {
            out.writeBytes(new byte[] {0x21, (byte) 0xf9, 4, 1, 0, 0, (byte) transparent, 0});
        }
        out.write(0x2c);
        le16(out, x0);
        le16(out, y0);
        le16(out, w);
        le16(out, h);
        out.write((local == null ? 0 : 0x80 | tableBits(local) - 1) | (interlaced ? 0x40 : 0));
        if (local != null) {
            out.writeBytes(local);
        }
        int table = local != null ? local.length / 3 : global != null ? global.length / 3 : 256;
        int bound = Math.min(maxIndex, 256);
        int rootBits = Math.max(2, 32 - Integer.numberOfLeadingZeros(Math.max(table, bound) - 1));
        int[] rows = new int[h];
        int k = 0;
        if (interlaced) {
            for (int[] pass : new int[][] {{0, 8}, {4, 8}, {2, 4}, {1, 2}}) {
                for (int y = pass[0]; y < h; y += pass[1]) {
                    rows[k++] = y;
                }
            }
        } else {
            for (int y = 0; y < h; y++) {
                rows[y] = y;
            }
        }
        int[] pixels = new int[w * h];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = rnd.nextInt(bound);
        }
        out.write(rootBits);
        ByteArrayOutputStream codes = new ByteArrayOutputStream();
        int clear = 1 << rootBits;
        int width = rootBits + 1;
        long acc = 0;
        int nbits = 0;
        int sinceClear = 0;
        List<Integer> stream = new ArrayList<>();
        stream.add(clear);
        int written = 0;
        for (int y : rows) {
            for (int x = 0; x < w && written++ < pixelCount; x++) {
                if (written == pixelCount / 2 && badCode >= 0) {
                    stream.add(badCode);
                }
                if (sinceClear == clear - 2) {
                    stream.add(clear);
                    sinceClear = 0;
                }
                stream.add(pixels[y * w + x]);
                sinceClear++;
            }
        }
        stream.add(clear + 1);
        for (int c : stream) {
            acc |= (long) c << nbits;
            nbits += width;
            while (nbits >= 8) {
                codes.write((int) (acc & 0xff));
                acc >>>= 8;
                nbits -= 8;
            }
        }
        if (nbits > 0) {
            codes.write((int) acc);
        }
        byte[] data = codes.toByteArray();
        for (int i = 0; i < data.length; i += 255) {
            int n = Math.min(255, data.length - i);
            out.write(n);
            out.write(data, i, n);
        }
        out.write(0);
        out.write(0x3b);
        return out.toByteArray();
    }

    /** A palette of {@code n} random entries, R G B bytes. */
    static byte[] randomTable(Random rnd, int n) {
        byte[] t = new byte[3 * n];
        rnd.nextBytes(t);
        return t;
    }

    /** The identity grey ramp of {@code n} entries (i, i, i), which Pillow takes for "no palette". */
    static byte[] greyTable(int n) {
        byte[] t = new byte[3 * n];
        for (int i = 0; i < t.length; i++) {
            t[i] = (byte) (i / 3);
        }
        return t;
    }

    private static int tableBits(byte[] table) {
        return Integer.numberOfTrailingZeros(table.length / 3);
    }

    private static void le16(ByteArrayOutputStream out, int v) {
        out.write(v & 0xff);
        out.write(v >>> 8);
    }
}
