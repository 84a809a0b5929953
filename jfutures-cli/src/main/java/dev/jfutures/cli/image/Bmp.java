package dev.jfutures.cli.image;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.SampleModel;
import java.io.IOException;

/**
 * BMP, as Pillow 9.4's {@code BmpImagePlugin} reads it. Uncompressed and RLE-compressed palette
 * images are decoded here: Pillow's raw decoder is easy to mirror exactly (and the 1-bit case is
 * then one copy), and its RLE decoder has quirks javax.imageio's lacks. 16-, 24- and 32-bit images
 * are decoded by javax.imageio, and their samples converted with Pillow's arithmetic.
 */
final class Bmp {
    private static final int RAW = 0;
    private static final int RLE8 = 1;
    private static final int RLE4 = 2;
    private static final int BITFIELDS = 3;

    private Bmp() {
    }

    /**
     * Reads a BMP (the file starts with "BM").
     *
     * @param r the file
     * @return the image
     * @throws ImageException if the file is truncated or corrupt, or a layout Pillow refuses
     * @throws IOException if the file cannot be read
     */
    static BitImage read(ImageFile r) throws IOException {
        byte[] fh = r.exactly(0, 18, "BMP header");
        long offset = ImageFile.i32le(fh, 10) & 0xffffffffL;
        int headerSize = ImageFile.i32le(fh, 14);
        int width;
        int height;
        boolean topDown = false;
        int bits;
        int compression = RAW;
        long colors = 0;
        int padding;
        long pos;
        if (headerSize == 12) {
            byte[] h = r.exactly(18, 8, "BMP header");
            width = ImageFile.u16le(h, 0);
            height = ImageFile.u16le(h, 2);
            bits = ImageFile.u16le(h, 6);
            padding = 3;
            pos = 26;
        } else if (headerSize == 40 || headerSize == 64 || headerSize == 108 || headerSize == 124) {
            byte[] h = r.exactly(18, headerSize - 4, "BMP header");
            width = ImageFile.i32le(h, 0);
            // Pillow: a height whose top byte is 0xFF is a top-down image of 2^32 - height rows.
            topDown = (h[7] & 0xff) == 0xff;
            long hv = ImageFile.i32le(h, 4) & 0xffffffffL;
            height = (int) Math.min(topDown ? (1L << 32) - hv : hv, Integer.MAX_VALUE);
            bits = ImageFile.u16le(h, 10);
            compression = ImageFile.i32le(h, 12);
            colors = ImageFile.i32le(h, 28) & 0xffffffffL;
            padding = 4;
            pos = 14 + headerSize;
        } else {
            // Pillow 9.4 refuses these too ("Unsupported BMP header type").
            throw new ImageException("a BMP with a " + headerSize
                    + "-byte header, which Pillow does not read; re-save it as a standard BMP or PNG");
        }
        ImageFile.checkDimensions(width, height);
        boolean paletted = bits == 1 || bits == 4 || bits == 8;
        if (!paletted || !(compression == RAW || compression == RLE8 || compression == RLE4)) {
            // True colour (javax.imageio's samples, Pillow's arithmetic), or a layout Pillow
            // does not read at all (2-bit, JPEG- or PNG-compressed BMPs).
            return trueColour(r, bits, width, height);
        }
        if (colors == 0) {
            colors = 1L << bits;
        }
        if (colors > 256) {
            // Pillow cannot put more than 256 entries in a palette either.
            throw new ImageException("a BMP palette of " + colors + " colours (at most 256 make sense)");
        }
        int n = (int) colors;
        int[] palette = palette(r.exactly(pos, padding * n, "BMP palette"), padding, n);
        // Pillow's quirk: an offset pointing right after the header, with a palette, means
        // "after the palette" (some writers leave it so).
        if (offset == 14 + headerSize) {
            offset += 4L * n;
        }
        String mode = pillowMode(palette, n);
        if (compression != RAW) {
            return rle(r, offset, width, height, topDown, compression == RLE4, mode, palette, n);
        }
        // Pillow's raw decoder reads each row's first ceil(width * bits(rawmode) / 8) bytes,
        // rows stride bytes apart, the stride from the file's own depth. The rawmode follows
        // the mode, so a 4- or 8-bit BMP with a black-and-white palette is read as 1-bit
        // rows, which this mirrors.
        int rawBits = mode.equals("1") ? 1 : mode.equals("L") ? 8 : bits;
        long stride = ((long) width * bits + 31 >>> 3) & ~3L;
        long rowBytes = ((long) width * rawBits + 7) / 8;
        if (rowBytes > stride) {
            // Pillow's raw decoder refuses (a negative skip): "decoder error -8".
            throw new ImageException("a " + bits + "-bit BMP whose grey palette makes Pillow read it as "
                    + "8-bit grey, which it then cannot decode; re-save it as a standard BMP or PNG");
        }
        long need = offset + stride * (height - 1) + rowBytes;
        if (need > r.size) {
            throw new ImageException("truncated BMP: the pixels need " + need + " bytes, the file has "
                    + r.size);
        }
        if (need - offset > Integer.MAX_VALUE - 8) {
            throw new ImageException("too large: " + (need - offset) + " bytes of BMP pixels");
        }
        byte[] data = r.bytes(offset, (int) (need - offset));
        int strideI = (int) stride;
        int first = topDown ? 0 : (height - 1) * strideI;
        int step = topDown ? strideI : -strideI;
        if (rawBits == 1) {
            boolean[] white = mode.equals("1") ? new boolean[] {false, true} : Palette.white(palette, n, 2);
            return Palette.copyRows(data, first, strideI, !topDown, width, height, white[0], white[1]);
        }
        if (mode.equals("L")) {
            int w = width;
            return Dither.rows(width, height, (y, grey) -> {
                int i = first + y * step;
                for (int x = 0; x < w; x++) {
                    grey[x] = data[i + x] & 0xff;
                }
            });
        }
        boolean[] white = Palette.white(palette, n, 1 << bits);
        int outStride = (width + 7) >>> 3;
        byte[] out = new byte[outStride * height];
        int[] row = new int[width];
        for (int y = 0; y < height; y++) {
            int i = first + y * step;
            if (bits == 8) {
                for (int x = 0; x < width; x++) {
                    row[x] = data[i + x] & 0xff;
                }
            } else {
                for (int x = 0; x < width; x++) {
                    row[x] = (data[i + (x >>> 1)] >>> ((x & 1) == 0 ? 4 : 0)) & 0x0f;
                }
            }
            Palette.packRow(row, width, white, out, y * outStride);
        }
        return new BitImage(width, height, out);
    }

    /** The palette as R, G, B ints (BMP stores B, G, R, and a pad byte unless OS/2 v1). */
    private static int[] palette(byte[] raw, int padding, int n) {
        int[] rgb = new int[3 * n];
        for (int i = 0; i < n; i++) {
            rgb[3 * i] = raw[i * padding + 2] & 0xff;
            rgb[3 * i + 1] = raw[i * padding + 1] & 0xff;
            rgb[3 * i + 2] = raw[i * padding] & 0xff;
        }
        return rgb;
    }

    /**
     * Pillow's BmpImagePlugin: a palette that is exactly black then white (2 colours) makes mode
     * "1"; one whose every entry i is (i, i, i) makes mode "L" (so an 8-bit grey-ramp BMP is
     * dithered); any other palette makes mode "P" (thresholded).
     */
    private static String pillowMode(int[] palette, int n) {
        boolean grey = true;
        for (int i = 0; i < n && grey; i++) {
            int v = n == 2 ? (i == 0 ? 0 : 255) : i & 0xff;
            grey = palette[3 * i] == v && palette[3 * i + 1] == v && palette[3 * i + 2] == v;
        }
        return grey ? (n == 2 ? "1" : "L") : "P";
    }

    /**
     * An RLE4 or RLE8 BMP, decoded as Pillow 9.4's {@code BmpRleDecoder} does, quirks included
     * (javax.imageio's decoder differs from it on RLE4 absolute runs of odd length, which Pillow
     * reads a pixel short): one byte a pixel, bottom row first; too few pixels is an error.
     */
    private static BitImage rle(ImageFile r, long offset, int width, int height, boolean topDown, boolean rle4,
            String mode, int[] palette, int n) throws IOException {
        if (mode.equals("1")) {
            // Pillow hands the decoded "P" bytes to a "1" image and fails.
            throw new ImageException("an RLE-compressed BMP with a black-and-white palette, which Pillow "
                    + "cannot decode; re-save it uncompressed");
        }
        long pixels = (long) width * height;
        if (pixels > Integer.MAX_VALUE - 8 || offset > r.size || r.size - offset > Integer.MAX_VALUE - 8) {
            throw new ImageException("too large for an RLE BMP: " + width + "x" + height);
        }
        byte[] in = r.bytes(offset, (int) (r.size - offset));
        byte[] data = new byte[(int) pixels];
        int need = data.length;
        long len = 0; // Pillow's len(data); it may overshoot need within one step
        int p = 0;
        int x = 0;
        while (len < need) {
            if (p + 2 > in.length) {
                break;
            }
            int count = in[p] & 0xff;
            int b = in[p + 1] & 0xff;
            p += 2;
            if (count != 0) {
                if (x + count > width) {
                    count = Math.max(0, width - x);
                }
                for (int i = 0; i < count; i++) {
                    int v = rle4 ? ((i & 1) == 0 ? b >>> 4 : b & 0x0f) : b;
                    if (len < need) {
                        data[(int) len] = (byte) v;
                    }
                    len++;
                }
                x += count;
            } else if (b == 0) {
                // End of line: pad with index 0 to a multiple of the width.
                while (len % width != 0) {
                    len++;
                }
                x = 0;
            } else if (b == 1) {
                break;
            } else if (b == 2) {
                // Delta. Pillow reads two bytes, checks them, then reads the two after them
                // for (right, up): a quirk mirrored here.
                if (p + 2 > in.length) {
                    break;
                }
                p += 2;
                if (p + 2 > in.length) {
                    throw new ImageException("corrupt RLE BMP: the file ends inside a delta");
                }
                int right = in[p] & 0xff;
                int up = in[p + 1] & 0xff;
                p += 2;
                len += right + (long) up * width;
                x = (int) (len % width);
            } else {
                // Absolute run of b pixels; RLE4 reads b / 2 bytes, dropping an odd last pixel.
                int byteCount = rle4 ? b / 2 : b;
                int got = Math.min(byteCount, in.length - p);
                for (int i = 0; i < got; i++) {
                    int v = in[p + i] & 0xff;
                    if (rle4) {
                        if (len < need) {
                            data[(int) len] = (byte) (v >>> 4);
                        }
                        len++;
                        v &= 0x0f;
                    }
                    if (len < need) {
                        data[(int) len] = (byte) v;
                    }
                    len++;
                }
                p += got;
                if (got < byteCount) {
                    break;
                }
                x += b;
                if ((offset + p) % 2 != 0) {
                    p++;
                }
            }
        }
        if (len < need) {
            // Pillow: "not enough image data".
            throw new ImageException("truncated or corrupt RLE BMP: " + len + " of " + need + " pixels");
        }
        // Rows as Pillow's raw decoder lays them: the first decoded row is the bottom one.
        int firstRow = topDown ? 0 : (height - 1) * width;
        int step = topDown ? width : -width;
        if (mode.equals("L")) {
            // One index byte a pixel, taken as the grey level.
            return Dither.rows(width, height, (y, grey) -> {
                int i = firstRow + y * step;
                for (int xx = 0; xx < width; xx++) {
                    grey[xx] = data[i + xx] & 0xff;
                }
            });
        }
        boolean[] white = Palette.white(palette, n, 256);
        int outStride = (width + 7) >>> 3;
        byte[] out = new byte[outStride * height];
        int[] row = new int[width];
        for (int y = 0; y < height; y++) {
            int i = firstRow + y * step;
            for (int xx = 0; xx < width; xx++) {
                row[xx] = data[i + xx] & 0xff;
            }
            Palette.packRow(row, width, white, out, y * outStride);
        }
        return new BitImage(width, height, out);
    }

    /**
     * 16-, 24- and 32-bit BMPs: javax.imageio decodes them (into raw 5/6/8-bit samples), and
     * the samples are scaled and weighed as Pillow's BGR;15, BGR;16, BGR and BGRX unpackers
     * and tobilevel would. Alpha, if any, is ignored, as Pillow drops it on the way to "1".
     */
    private static BitImage trueColour(ImageFile r, int bits, int width, int height) throws IOException {
        BufferedImage image = ImageIoFormats.decode(r, "bmp");
        Raster raster = image.getRaster();
        if (image.getColorModel() instanceof IndexColorModel || raster.getNumBands() < 3) {
            return ImageIoFormats.convert(image);
        }
        SampleModel sm = raster.getSampleModel();
        if (sm.getSampleSize(0) == 8 && sm.getSampleSize(1) == 8 && sm.getSampleSize(2) == 8) {
            return Dither.rgb(raster, null);
        }
        // 16-bit BMPs hold 5- or 6-bit samples; Pillow scales them by 255 / 31 or 255 / 63,
        // truncating (BGR;15, BGR;16).
        Samples samples = new Samples(raster);
        int w = raster.getWidth();
        int[][] luts = new int[3][];
        for (int b = 0; b < 3; b++) {
            luts[b] = Samples.scaleLut(sm.getSampleSize(b));
        }
        int[] g = new int[w];
        int[] bl = new int[w];
        return Dither.rows(w, raster.getHeight(), (y, grey) -> {
            samples.row(y, 0, luts[0], grey);
            samples.row(y, 1, luts[1], g);
            samples.row(y, 2, luts[2], bl);
            for (int x = 0; x < w; x++) {
                grey[x] = (grey[x] * 299 + g[x] * 587 + bl[x] * 114) / 1000;
            }
        });
    }
}
