package dev.jfutures.cli.image;

import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.io.IOException;

/**
 * Pillow's {@code convert("1")} for every mode but "1" and "P": the pixels reduced to 8-bit grey
 * (mode "L") by the route the mode takes, then dithered.
 *
 * <p>The dithering is Pillow's {@code tobilevel} for an "L" image, one row at a time:
 * Floyd-Steinberg with the error kept in sixteenths, C's truncating division (Java's is the same),
 * values clipped to 0..255 after the error is added, and a pixel white when above 128. The
 * statements mirror Convert.c's so that the arithmetic is identical; {@code errors[x + 1]} holds
 * the error carried from the row above. The work for a row is one method, so that the JIT compiles
 * it once, small, whatever loop over rows calls it (see {@link Png}).
 */
final class Dither {
    private final int width;
    private final int stride;
    private final byte[] bits;
    private final int[] errors;
    private int base;

    Dither(int width, int height) {
        this.width = width;
        this.stride = (width + 7) >>> 3;
        this.bits = new byte[stride * height];
        this.errors = new int[width + 1];
    }

    /** Dithers the next row, {@code in[0..width)} its grey values 0..255. */
    void row(int[] in) {
        int[] errors = this.errors;
        byte[] bits = this.bits;
        int width = this.width;
        int base = this.base;
        int l = 0;
        int l0 = 0;
        int l1 = 0;
        int acc = 0;
        for (int x = 0; x < width; x++) {
            l = in[x] + (l + errors[x + 1]) / 16;
            l = l <= 0 ? 0 : l < 256 ? l : 255;
            if (l > 128) {
                acc |= 0x80 >>> (x & 7);
                l -= 255;
            }
            if ((x & 7) == 7) {
                bits[base + (x >>> 3)] = (byte) acc;
                acc = 0;
            }
            int l2 = l;
            int d2 = l + l;
            l += d2;
            errors[x] = l + l0;
            l += d2;
            l0 = l + l1;
            l1 = l2;
            l += d2;
        }
        if ((width & 7) != 0) {
            bits[base + (width >>> 3)] = (byte) acc;
        }
        errors[width] = l0;
        this.base = base + stride;
    }

    /** @return the image, every row dithered */
    BitImage image() {
        return new BitImage(width, bits.length / stride, bits);
    }

    // ------------------------------------------------------------------------------------------
    // Each mode's route to 8-bit grey, then dithered
    // ------------------------------------------------------------------------------------------

    /** Produces one row of 8-bit grey values for {@link #rows}. */
    @FunctionalInterface
    interface GreyRows {
        /**
         * Fills {@code grey[0..width)} with row {@code y}'s values, 0..255.
         *
         * @param y the row
         * @param grey the destination
         * @throws IOException if the row cannot be read
         */
        void row(int y, int[] grey) throws IOException;
    }

    /**
     * Pillow's {@code tobilevel} for an "L" image, {@code rows} supplying the grey values row by row.
     */
    static BitImage rows(int width, int height, GreyRows rows) throws IOException {
        Dither d = new Dither(width, height);
        int[] in = new int[width];
        for (int y = 0; y < height; y++) {
            rows.row(y, in);
            d.row(in);
        }
        return d.image();
    }

    /** Pillow mode "L" (or a mode Pillow reduces to it): dither {@code lut[sample]} of one band. */
    static BitImage grey(Raster raster, int band, int[] lut) throws IOException {
        Samples samples = new Samples(raster);
        return rows(raster.getWidth(), raster.getHeight(), (y, grey) -> samples.row(y, band, lut, grey));
    }

    /**
     * Pillow mode "RGB" (or "RGBA", "RGBX": alpha is dropped, not composited, on the way to "1"):
     * dither the luma {@code (299 R + 587 G + 114 B) / 1000} of {@code lut[sample]} of bands 0..2.
     */
    static BitImage rgb(Raster raster, int[] lut) throws IOException {
        Samples samples = new Samples(raster);
        int w = raster.getWidth();
        int[] g = new int[w];
        int[] b = new int[w];
        return rows(w, raster.getHeight(), (y, grey) -> {
            samples.row(y, 0, lut, grey);
            samples.row(y, 1, lut, g);
            samples.row(y, 2, lut, b);
            for (int x = 0; x < w; x++) {
                grey[x] = (grey[x] * 299 + g[x] * 587 + b[x] * 114) / 1000;
            }
        });
    }

    /** Grey samples of any depth and type clipped to 0..255, as Pillow's i2l, I16L_L and f2l do. */
    static BitImage clipped(Raster raster) throws IOException {
        int type = raster.getDataBuffer().getDataType();
        if (type == DataBuffer.TYPE_USHORT || type == DataBuffer.TYPE_BYTE) {
            return grey(raster, 0, type == DataBuffer.TYPE_BYTE ? null : Samples.clipLut());
        }
        int w = raster.getWidth();
        return rows(w, raster.getHeight(), (y, grey) -> {
            // getSamples sign-extends shorts and truncates floats towards zero, as Pillow does.
            raster.getSamples(raster.getMinX(), raster.getMinY() + y, w, 1, 0, grey);
            for (int x = 0; x < w; x++) {
                grey[x] = grey[x] <= 0 ? 0 : Math.min(grey[x], 255);
            }
        });
    }

    /**
     * Premultiplied RGBA (Pillow's RGBa unpacker): each colour divided by alpha and clipped, alpha
     * 0 giving black, before the luma.
     */
    static BitImage premultiplied(Raster raster, int[] lut) throws IOException {
        Samples samples = new Samples(raster);
        int w = raster.getWidth();
        int[] g = new int[w];
        int[] b = new int[w];
        int[] a = new int[w];
        return rows(w, raster.getHeight(), (y, grey) -> {
            samples.row(y, 0, lut, grey);
            samples.row(y, 1, lut, g);
            samples.row(y, 2, lut, b);
            samples.row(y, 3, lut, a);
            for (int x = 0; x < w; x++) {
                int al = a[x];
                int rr = grey[x];
                int gg = g[x];
                int bb = b[x];
                if (al == 0) {
                    rr = gg = bb = 0;
                } else if (al != 255) {
                    rr = Math.min(rr * 255 / al, 255);
                    gg = Math.min(gg * 255 / al, 255);
                    bb = Math.min(bb * 255 / al, 255);
                }
                grey[x] = (rr * 299 + gg * 587 + bb * 114) / 1000;
            }
        });
    }

    /** CMYK through Pillow's cmyk2rgb (no undercolour removal, MULDIV255 rounding), then luma. */
    static BitImage cmyk(Raster raster, int[] lut) throws IOException {
        Samples samples = new Samples(raster);
        int w = raster.getWidth();
        int[] m = new int[w];
        int[] ye = new int[w];
        int[] k = new int[w];
        return rows(w, raster.getHeight(), (y, grey) -> {
            samples.row(y, 0, lut, grey);
            samples.row(y, 1, lut, m);
            samples.row(y, 2, lut, ye);
            samples.row(y, 3, lut, k);
            for (int x = 0; x < w; x++) {
                int nk = 255 - k[x];
                int rr = clip8(nk - mulDiv255(grey[x], nk));
                int gg = clip8(nk - mulDiv255(m[x], nk));
                int bb = clip8(nk - mulDiv255(ye[x], nk));
                grey[x] = (rr * 299 + gg * 587 + bb * 114) / 1000;
            }
        });
    }

    /** Pillow's MULDIV255: a * b / 255, rounded, without a division. */
    private static int mulDiv255(int a, int b) {
        int tmp = a * b + 128;
        return ((tmp >> 8) + tmp) >> 8;
    }

    private static int clip8(int v) {
        return v <= 0 ? 0 : v < 256 ? v : 255;
    }
}
