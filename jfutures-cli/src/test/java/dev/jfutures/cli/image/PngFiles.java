package dev.jfutures.cli.image;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Hand-made PNGs for the tests: any colour type and depth, random samples, every filter type (or
 * one chosen), Adam7 or not, the zlib stream split over IDAT chunks any way, and extra chunks; each
 * step can be replaced to make a damaged file. The samples are written independently of
 * {@link Png} (pixel by pixel, no shared code), so a decoder that gives {@link #rows} back
 * decodes correctly.
 */
final class PngFiles {
    static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    /** Every colour type and bit depth PNG allows: {colour type, depth}. */
    static final int[][] PNG_TYPES = {
        {0, 1}, {0, 2}, {0, 4}, {0, 8}, {0, 16}, {2, 8}, {2, 16}, {3, 1}, {3, 2}, {3, 4}, {3, 8}, {4, 8}, {4, 16},
        {6, 8}, {6, 16},
    };

    private static final int[] PASS_X = {0, 4, 0, 2, 0, 1, 0};
    private static final int[] PASS_Y = {0, 0, 4, 0, 2, 0, 1};
    private static final int[] PASS_DX = {8, 8, 4, 4, 2, 2, 1};
    private static final int[] PASS_DY = {8, 8, 8, 4, 4, 2, 2};

    final int width;
    final int height;
    final int colorType;
    final int depth;
    /** The rows as a non-interlaced PNG lays them out, padding bits zero: what a decoder must give back. */
    final byte[][] rows;
    /** Adam7 or not. */
    boolean interlaced;
    /** The filter type of every row (0..4), or -1 for a random one a row. */
    int filter = -1;
    /** 0: one IDAT chunk; n: chunks of 1..n bytes, at random, and an empty one after the first. */
    int split;
    /** The Deflater level. */
    int level = Deflater.DEFAULT_COMPRESSION;
    /** The PLTE chunk's data, or null for none. */
    byte[] plte;
    /** The tRNS chunk's data, or null for none. */
    byte[] trns;
    /** Chunks (type and data) written between the header chunks and the first IDAT. */
    final List<Object[]> extra = new ArrayList<>();
    private final Random rnd;

    /** Random samples; for a palette image, indices mostly below {@code paletteEntries}. */
    PngFiles(int width, int height, int colorType, int depth, Random rnd, int paletteEntries) {
        this.width = width;
        this.height = height;
        this.colorType = colorType;
        this.depth = depth;
        this.rnd = rnd;
        this.rows = new byte[height][rowBytes(width)];
        int max = (1 << Math.min(depth, 16)) - 1;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                for (int s = 0; s < samples(); s++) {
                    int v = rnd.nextInt(max + 1);
                    if (colorType == 3 && paletteEntries > 0 && rnd.nextInt(4) != 0) {
                        v = rnd.nextInt(Math.min(paletteEntries, max + 1));
                    }
                    setSample(rows[y], x * samples() + s, v);
                }
            }
        }
    }

    int samples() {
        return colorType == 2 ? 3 : colorType == 4 ? 2 : colorType == 6 ? 4 : 1;
    }

    int pixelBits() {
        return samples() * depth;
    }

    int rowBytes(int w) {
        return (w * pixelBits() + 7) / 8;
    }

    /** Sample {@code i} of a row (pixel i / samples, band i % samples). */
    int sample(byte[] row, int i) {
        if (depth == 16) {
            return (row[2 * i] & 0xff) << 8 | (row[2 * i + 1] & 0xff);
        }
        if (depth == 8) {
            return row[i] & 0xff;
        }
        int bit = i * depth;
        return (row[bit / 8] >> (8 - depth - bit % 8)) & ((1 << depth) - 1);
    }

    void setSample(byte[] row, int i, int v) {
        if (depth == 16) {
            row[2 * i] = (byte) (v >>> 8);
            row[2 * i + 1] = (byte) v;
        } else if (depth == 8) {
            row[i] = (byte) v;
        } else {
            int bit = i * depth;
            int shift = 8 - depth - bit % 8;
            int mask = ((1 << depth) - 1) << shift;
            row[bit / 8] = (byte) ((row[bit / 8] & ~mask) | (v << shift));
        }
    }

    /** The filtered scanlines: what the zlib stream holds. */
    byte[] scanlines() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!interlaced) {
            filterRows(rows, out);
            return out.toByteArray();
        }
        for (int p = 0; p < 7; p++) {
            int pw = width <= PASS_X[p] ? 0 : (width - PASS_X[p] + PASS_DX[p] - 1) / PASS_DX[p];
            int ph = height <= PASS_Y[p] ? 0 : (height - PASS_Y[p] + PASS_DY[p] - 1) / PASS_DY[p];
            if (pw == 0 || ph == 0) {
                continue;
            }
            byte[][] pass = new byte[ph][rowBytes(pw)];
            for (int y = 0; y < ph; y++) {
                for (int x = 0; x < pw; x++) {
                    for (int s = 0; s < samples(); s++) {
                        int v = sample(rows[PASS_Y[p] + y * PASS_DY[p]], (PASS_X[p] + x * PASS_DX[p]) * samples() + s);
                        setSample(pass[y], x * samples() + s, v);
                    }
                }
            }
            filterRows(pass, out);
        }
        return out.toByteArray();
    }

    private void filterRows(byte[][] image, ByteArrayOutputStream out) {
        int bpp = Math.max(1, pixelBits() / 8);
        byte[] prev = new byte[image.length == 0 ? 0 : image[0].length];
        for (byte[] row : image) {
            int type = filter >= 0 ? filter : rnd.nextInt(5);
            out.write(type);
            for (int i = 0; i < row.length; i++) {
                int a = i >= bpp ? row[i - bpp] & 0xff : 0;
                int b = prev[i] & 0xff;
                int c = i >= bpp ? prev[i - bpp] & 0xff : 0;
                int predictor;
                switch (type) {
                    case 1:
                        predictor = a;
                        break;
                    case 2:
                        predictor = b;
                        break;
                    case 3:
                        predictor = (a + b) / 2;
                        break;
                    case 4:
                        int p = a + b - c;
                        int pa = Math.abs(p - a);
                        int pb = Math.abs(p - b);
                        int pc = Math.abs(p - c);
                        predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
                        break;
                    default:
                        predictor = 0;
                        break;
                }
                out.write((row[i] - predictor) & 0xff);
            }
            prev = row;
        }
    }

    /** The deflated scanlines. */
    byte[] zlib() {
        return deflate(scanlines(), level);
    }

    static byte[] deflate(byte[] data, int level) {
        Deflater deflater = new Deflater(level);
        deflater.setInput(data);
        deflater.finish();
        ByteArrayOutputStream z = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        while (!deflater.finished()) {
            z.write(buf, 0, deflater.deflate(buf));
        }
        deflater.end();
        return z.toByteArray();
    }

    /** The whole file. */
    byte[] build() {
        return build(zlib());
    }

    /** The whole file, with {@code zlib} as the image data. */
    byte[] build(byte[] zlib) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(header());
        out.writeBytes(idat(zlib));
        out.writeBytes(chunk("IEND", new byte[0]));
        return out.toByteArray();
    }

    /** The signature and the chunks before the first IDAT. */
    byte[] header() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(SIGNATURE);
        out.writeBytes(chunk("IHDR", ihdr(width, height, depth, colorType, interlaced ? 1 : 0)));
        if (plte != null) {
            out.writeBytes(chunk("PLTE", plte));
        }
        if (trns != null) {
            out.writeBytes(chunk("tRNS", trns));
        }
        for (Object[] c : extra) {
            out.writeBytes(chunk((String) c[0], (byte[]) c[1]));
        }
        return out.toByteArray();
    }

    /** {@code zlib} as IDAT chunks, split as {@link #split} says. */
    byte[] idat(byte[] zlib) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (split <= 0) {
            out.writeBytes(chunk("IDAT", zlib));
            return out.toByteArray();
        }
        boolean first = true;
        for (int i = 0; i < zlib.length || first; ) {
            int n = Math.min(zlib.length - i, 1 + rnd.nextInt(split));
            out.writeBytes(chunk("IDAT", Arrays.copyOfRange(zlib, i, i + n)));
            i += n;
            if (first) {
                out.writeBytes(chunk("IDAT", new byte[0]));
                first = false;
            }
        }
        return out.toByteArray();
    }

    static byte[] ihdr(int w, int h, int depth, int colorType, int interlace) {
        return ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) depth).put((byte) colorType)
                .put((byte) 0).put((byte) 0).put((byte) interlace).array();
    }

    /** A chunk: length, type, data, CRC. */
    static byte[] chunk(String type, byte[] data) {
        byte[] typed = new byte[4 + data.length];
        System.arraycopy(type.getBytes(StandardCharsets.ISO_8859_1), 0, typed, 0, 4);
        System.arraycopy(data, 0, typed, 4, data.length);
        CRC32 crc = new CRC32();
        crc.update(typed);
        return ByteBuffer.allocate(12 + data.length).putInt(data.length).put(typed).putInt((int) crc.getValue())
                .array();
    }

    /** Random palette entries, 3 bytes each. */
    static byte[] randomPalette(Random rnd, int entries) {
        byte[] p = new byte[3 * entries];
        rnd.nextBytes(p);
        return p;
    }

    /**
     * A hand-made PNG of random samples, filters random a row; pattern 1: the image data in IDAT
     * chunks of 1..7 bytes; pattern 2: stored (deflate level 0), with a tRNS chunk and, for a
     * palette image, a palette shorter than the indices reach.
     */
    static PngFiles handMadePng(int w, int h, int colorType, int depth, boolean adam7, Random r, int pattern) {
        int entries = colorType != 3 ? 0 : pattern == 2 ? 1 + r.nextInt(1 << depth) : 1 << depth;
        PngFiles png = new PngFiles(w, h, colorType, depth, r, entries);
        png.interlaced = adam7;
        if (colorType == 3) {
            png.plte = randomPalette(r, entries);
        }
        if (pattern == 1) {
            png.split = 7;
        } else if (pattern == 2) {
            png.level = 0;
            if (colorType == 0 || colorType == 2) {
                png.trns = new byte[colorType == 0 ? 2 : 6];
                for (int i = 0; i < png.trns.length; i += 2) {
                    int v = r.nextInt(1 << depth);
                    png.trns[i] = (byte) (v >>> 8);
                    png.trns[i + 1] = (byte) v;
                }
            } else if (colorType == 3) {
                png.trns = new byte[1 + r.nextInt(entries)];
                r.nextBytes(png.trns);
            }
        }
        return png;
    }

    /**
     * {@code png} with its IHDR chunk replaced by {@code real} (any length), an IHDR chunk
     * {@code first} before it and one {@code after} it (each unless null).
     */
    static byte[] withIhdrs(PngFiles png, byte[] first, byte[] real, byte[] after) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(SIGNATURE);
        if (first != null) {
            out.writeBytes(chunk("IHDR", first));
        }
        out.writeBytes(chunk("IHDR", real));
        if (after != null) {
            out.writeBytes(chunk("IHDR", after));
        }
        byte[] rest = png.build();
        out.writeBytes(Arrays.copyOfRange(rest, 33, rest.length));
        return out.toByteArray();
    }

    /** Where each row (each Adam7 pass row) of {@code png}'s scanlines ends, filter bytes counted. */
    static int[] rowEnds(PngFiles png) {
        int[][] passes = png.interlaced
                ? new int[][] {{0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4}, {0, 2, 2, 4}, {1, 0, 2, 2}, {0, 1, 1, 2}}
                : new int[][] {{0, 0, 1, 1}};
        List<Integer> ends = new ArrayList<>();
        int end = 0;
        for (int[] q : passes) {
            int pw = png.width <= q[0] ? 0 : (png.width - q[0] + q[2] - 1) / q[2];
            int ph = png.height <= q[1] ? 0 : (png.height - q[1] + q[3] - 1) / q[3];
            for (int y = 0; pw > 0 && y < ph; y++) {
                end += 1 + png.rowBytes(pw);
                ends.add(end);
            }
        }
        return ends.stream().mapToInt(Integer::intValue).toArray();
    }

    /** A palette image of the given depth with {@code plte} as its PLTE chunk, whatever its length. */
    static PngFiles palettePng(int w, int h, int depth, Random r, byte[] plte) {
        PngFiles png = new PngFiles(w, h, 3, depth, r, Math.max(1, plte.length / 3));
        png.plte = plte;
        return png;
    }

    /** {@code png} with one bit of chunk {@code type}'s CRC flipped. */
    static byte[] badCrc(byte[] png, String type) {
        String s = new String(png, StandardCharsets.ISO_8859_1);
        int at = s.indexOf(type);
        int length = ByteBuffer.wrap(png, at - 4, 4).getInt();
        png[at + 4 + length] ^= 1;
        return png;
    }

    /**
     * A PNG built by hand: random samples of the given colour type and depth (filter 0), an
     * optional PLTE, and a tRNS chunk of {@code trnsBytes} random bytes (0: none).
     */
    static byte[] png(int w, int h, int colorType, int depth, Random rnd, byte[] plte, int trnsBytes) {
        int channels = colorType == 2 ? 3 : colorType == 6 ? 4 : colorType == 4 ? 2 : 1;
        int stride = (w * channels * depth + 7) / 8;
        byte[] raw = new byte[(stride + 1) * h];
        for (int y = 0; y < h; y++) {
            byte[] row = new byte[stride];
            rnd.nextBytes(row);
            if (colorType == 3 && plte != null) {
                // indices mostly inside the palette, some past it
                int max = 1 << depth;
                for (int x = 0; x < w; x++) {
                    int v = rnd.nextInt(4) == 0 ? rnd.nextInt(max) : rnd.nextInt(plte.length / 3);
                    int bit = x * depth;
                    row[bit / 8] = (byte) ((row[bit / 8] & ~(((1 << depth) - 1) << (8 - depth - bit % 8)))
                            | v << (8 - depth - bit % 8));
                }
            }
            System.arraycopy(row, 0, raw, y * (stride + 1) + 1, stride);
        }
        byte[] compressed = deflate(raw, Deflater.DEFAULT_COMPRESSION);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(SIGNATURE);
        out.writeBytes(chunk("IHDR", ihdr(w, h, depth, colorType, 0)));
        if (plte != null) {
            out.writeBytes(chunk("PLTE", plte));
        }
        if (trnsBytes > 0) {
            byte[] t = new byte[trnsBytes];
            rnd.nextBytes(t);
            if (colorType != 3) {
                // a sample value that fits the depth
                for (int i = 0; i < t.length; i += 2) {
                    int v = rnd.nextInt(1 << Math.min(depth, 16));
                    t[i] = (byte) (v >>> 8);
                    t[i + 1] = (byte) v;
                }
            }
            out.writeBytes(chunk("tRNS", t));
        }
        out.writeBytes(chunk("IDAT", compressed));
        out.writeBytes(chunk("IEND", new byte[0]));
        return out.toByteArray();
    }

    /** A PNG signature and an IHDR chunk (correct CRC) claiming {@code w x h} RGB, then IEND. */
    static byte[] pngHeaderOnly(int w, int h) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(SIGNATURE);
        out.writeBytes(chunk("IHDR", ihdr(w, h, 8, 2, 0)));
        out.writeBytes(chunk("IEND", new byte[0]));
        return out.toByteArray();
    }
}
