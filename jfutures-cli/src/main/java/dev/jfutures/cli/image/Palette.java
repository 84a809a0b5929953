package dev.jfutures.cli.image;

import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.MultiPixelPackedSampleModel;
import java.awt.image.Raster;
import java.awt.image.SampleModel;
import java.util.Arrays;

/**
 * Pillow's {@code convert("1")} for modes "1" and "P": each pixel's index white or black by its
 * palette entry, no dithering. Mode "1" is the case of two entries, black then white, whose packed
 * rows are copied as they are.
 */
final class Palette {
    private Palette() {
    }

    /**
     * Whether each palette index is white under Pillow's {@code p2bit}: luma {@code L(rgb) >= 128000}.
     * Pillow's palette starts as the grey ramp (entry i = (i, i, i)) and the file's entries overwrite
     * the first ones, so an index past the file's palette is white when it is 128 or more.
     *
     * @param rgb the file's palette, 3 bytes an entry (R, G, B)
     * @param entries how many entries {@code rgb} holds
     * @param size how many indices to map (1 &lt;&lt; bits, at least)
     */
    static boolean[] white(int[] rgb, int entries, int size) {
        boolean[] white = new boolean[Math.max(size, 256)];
        for (int i = 0; i < white.length; i++) {
            if (i < entries && i < 256) {
                white[i] = rgb[3 * i] * 299 + rgb[3 * i + 1] * 587 + rgb[3 * i + 2] * 114 >= 128000;
            } else {
                white[i] = (i & 0xff) >= 128;
            }
        }
        return white;
    }

    /** Pillow mode "P": each index white or black by its palette entry, no dithering. */
    static BitImage threshold(Raster raster, boolean[] white) {
        int w = raster.getWidth();
        int h = raster.getHeight();
        SampleModel sm = raster.getSampleModel();
        if (sm instanceof MultiPixelPackedSampleModel && sm.getSampleSize(0) == 1) {
            return packedBits(raster, white[0], white[1]);
        }
        Samples samples = new Samples(raster);
        int stride = (w + 7) >>> 3;
        byte[] bits = new byte[stride * h];
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            samples.row(y, 0, null, row);
            packRow(row, w, white, bits, y * stride);
        }
        return new BitImage(w, h, bits);
    }

    /** Packs one row of indices, white where {@code white[index]}. */
    static void packRow(int[] row, int w, boolean[] white, byte[] bits, int base) {
        int acc = 0;
        for (int x = 0; x < w; x++) {
            if (white[row[x]]) {
                acc |= 0x80 >>> (x & 7);
            }
            if ((x & 7) == 7) {
                bits[base + (x >>> 3)] = (byte) acc;
                acc = 0;
            }
        }
        if ((w & 7) != 0) {
            bits[base + (w >>> 3)] = (byte) acc;
        }
    }

    /**
     * A 1-bit raster (Pillow mode "1", or "P" with two entries): its packed rows copied, inverted if
     * index 0 is the white one, constant if both are; the padding bits of each row's last byte zeroed.
     */
    static BitImage packedBits(Raster raster, boolean zeroWhite, boolean oneWhite) {
        int w = raster.getWidth();
        int h = raster.getHeight();
        MultiPixelPackedSampleModel sm = (MultiPixelPackedSampleModel) raster.getSampleModel();
        DataBuffer db = raster.getDataBuffer();
        int tx = raster.getMinX() - raster.getSampleModelTranslateX();
        int ty = raster.getMinY() - raster.getSampleModelTranslateY();
        int bitOffset = sm.getBitOffset(tx) + sm.getDataBitOffset();
        if (!(db instanceof DataBufferByte) || (bitOffset & 7) != 0) {
            // Not byte-aligned (a sub-raster): go sample by sample.
            boolean[] white = {zeroWhite, oneWhite};
            int stride = (w + 7) >>> 3;
            byte[] bits = new byte[stride * h];
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                raster.getSamples(raster.getMinX(), raster.getMinY() + y, w, 1, 0, row);
                packRow(row, w, white, bits, y * stride);
            }
            return new BitImage(w, h, bits);
        }
        byte[] src = ((DataBufferByte) db).getData();
        int start = db.getOffset() + ty * sm.getScanlineStride() + (bitOffset >>> 3);
        return copyRows(src, start, sm.getScanlineStride(), false, w, h, zeroWhite, oneWhite);
    }

    /**
     * Copies packed 1-bit rows (MSB first) into a new BitImage.
     *
     * @param src the packed rows
     * @param start the offset of the first row in the image (top row, or bottom row if {@code bottomUp})
     * @param srcStride the distance between rows in {@code src}
     * @param bottomUp whether {@code start} is the bottom row and rows go upwards
     */
    static BitImage copyRows(byte[] src, int start, int srcStride, boolean bottomUp, int w, int h,
            boolean zeroWhite, boolean oneWhite) {
        int stride = (w + 7) >>> 3;
        byte[] bits = new byte[stride * h];
        int lastMask = (0xff00 >>> (((w - 1) & 7) + 1)) & 0xff;
        if (zeroWhite == oneWhite) {
            if (zeroWhite) {
                for (int y = 0; y < h; y++) {
                    Arrays.fill(bits, y * stride, (y + 1) * stride, (byte) 0xff);
                    bits[y * stride + stride - 1] = (byte) lastMask;
                }
            }
            return new BitImage(w, h, bits);
        }
        for (int y = 0; y < h; y++) {
            int from = bottomUp ? start - y * srcStride : start + y * srcStride;
            int to = y * stride;
            System.arraycopy(src, from, bits, to, stride);
            if (zeroWhite) {
                for (int i = to; i < to + stride; i++) {
                    bits[i] = (byte) ~bits[i];
                }
            }
            bits[to + stride - 1] &= (byte) lastMask;
        }
        return new BitImage(w, h, bits);
    }

    /** Copies one packed 1-bit row, white where {@code zeroWhite}/{@code oneWhite} says, padding bits zero. */
    static void copyRow(byte[] src, int from, byte[] dst, int to, int stride, int lastMask, boolean zeroWhite,
            boolean oneWhite) {
        if (zeroWhite == oneWhite) {
            if (zeroWhite) {
                Arrays.fill(dst, to, to + stride, (byte) 0xff);
            }
        } else {
            System.arraycopy(src, from, dst, to, stride);
            if (zeroWhite) {
                for (int i = to; i < to + stride; i++) {
                    dst[i] = (byte) ~dst[i];
                }
            }
        }
        dst[to + stride - 1] &= (byte) lastMask;
    }
}
