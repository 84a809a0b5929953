package dev.jfutures.cli.image;

import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferUShort;
import java.awt.image.Raster;
import java.awt.image.SampleModel;

/**
 * Reads rows of one band's raw samples out of a raster, fast for the common layouts; and the lookup
 * tables that bring samples of other depths to 8 bits as Pillow's unpackers do.
 */
final class Samples {
    private final Raster raster;
    private final int width;
    private final byte[] bytes;
    private final short[] shorts;
    private final int pixelStride;
    private final int scanlineStride;
    private final int[] bandBase;

    Samples(Raster raster) {
        this.raster = raster;
        this.width = raster.getWidth();
        SampleModel sm = raster.getSampleModel();
        DataBuffer db = raster.getDataBuffer();
        byte[] b = null;
        short[] s = null;
        int[] base = null;
        int ps = 0;
        int ss = 0;
        if (sm instanceof ComponentSampleModel
                && (db instanceof DataBufferByte || db instanceof DataBufferUShort)) {
            ComponentSampleModel csm = (ComponentSampleModel) sm;
            int[] banks = csm.getBankIndices();
            int[] offsets = csm.getBandOffsets();
            ps = csm.getPixelStride();
            ss = csm.getScanlineStride();
            base = new int[offsets.length];
            boolean oneBank = true;
            for (int i = 0; i < offsets.length; i++) {
                oneBank &= banks[i] == banks[0];
                base[i] = db.getOffsets()[banks[i]] + offsets[i]
                        - raster.getSampleModelTranslateY() * ss - raster.getSampleModelTranslateX() * ps
                        + raster.getMinY() * ss + raster.getMinX() * ps;
            }
            if (oneBank) {
                if (db instanceof DataBufferByte) {
                    b = ((DataBufferByte) db).getData(banks[0]);
                } else {
                    s = ((DataBufferUShort) db).getData(banks[0]);
                }
            }
        }
        this.bytes = b;
        this.shorts = s;
        this.pixelStride = ps;
        this.scanlineStride = ss;
        this.bandBase = b != null || s != null ? base : null;
    }

    /** Row {@code y}'s samples of {@code band}, mapped through {@code lut} (or raw if null). */
    void row(int y, int band, int[] lut, int[] out) {
        if (bytes != null) {
            int i = bandBase[band] + y * scanlineStride;
            if (lut == null) {
                for (int x = 0; x < width; x++, i += pixelStride) {
                    out[x] = bytes[i] & 0xff;
                }
            } else {
                for (int x = 0; x < width; x++, i += pixelStride) {
                    out[x] = lut[bytes[i] & 0xff];
                }
            }
        } else if (shorts != null) {
            int i = bandBase[band] + y * scanlineStride;
            if (lut == null) {
                for (int x = 0; x < width; x++, i += pixelStride) {
                    out[x] = shorts[i] & 0xffff;
                }
            } else {
                for (int x = 0; x < width; x++, i += pixelStride) {
                    out[x] = lut[shorts[i] & 0xffff];
                }
            }
        } else {
            raster.getSamples(raster.getMinX(), raster.getMinY() + y, width, 1, band, out);
            if (lut != null) {
                for (int x = 0; x < width; x++) {
                    out[x] = lut[out[x]];
                }
            }
        }
    }

    /** Pillow's unpackers for 2- and 4-bit grey scale a sample by 0x55 or 0x11 (exact, no rounding). */
    static int[] scaleLut(int bits) {
        int[] lut = new int[1 << bits];
        for (int i = 0; i < lut.length; i++) {
            lut[i] = i * 255 / (lut.length - 1);
        }
        return lut;
    }

    /** Pillow keeps the high byte of a 16-bit colour sample (RGB;16B). */
    static int[] highByteLut() {
        int[] lut = new int[65536];
        for (int i = 0; i < lut.length; i++) {
            lut[i] = i >>> 8;
        }
        return lut;
    }

    /** A 16-bit grey sample in mode "I" or "I;16" reaches "L" clipped to 255 (i2l, I16L_L). */
    static int[] clipLut() {
        int[] lut = new int[65536];
        for (int i = 0; i < lut.length; i++) {
            lut[i] = Math.min(i, 255);
        }
        return lut;
    }
}
