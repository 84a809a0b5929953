package dev.jfutures.cli.image;

import java.io.IOException;
import java.util.Arrays;

/**
 * GIF, as Pillow 9.4's {@code GifImagePlugin} reads it: the header walk (Pillow's {@code _open} and
 * {@code _seek(0)}) decides the mode and the canvas, and the first frame's indices are decoded here
 * as Pillow's {@code GifDecode.c} decodes them.
 */
final class Gif {
    private Gif() {
    }

    /**
     * Reads a GIF's first frame (the file starts with "GIF87a" or "GIF89a").
     *
     * @param r the file
     * @return the image
     * @throws ImageException if the file is truncated or corrupt where Pillow finds it so, or too large
     * @throws IOException if the file cannot be read
     */
    static BitImage read(ImageFile r) throws IOException {
        byte[] h = r.exactly(0, 13, "GIF header");
        int screenWidth = ImageFile.u16le(h, 6);
        int screenHeight = ImageFile.u16le(h, 8);
        int flags = h[10] & 0xff;
        long pos = 13;
        int[] global = null;
        if ((flags & 0x80) != 0) {
            int entries = 1 << ((flags & 7) + 1);
            byte[] p = r.exactly(pos, 3 * entries, "GIF colour table");
            pos += 3L * entries;
            global = paletteNeeded(p) ? rgb(p) : null;
        }
        int transparency = -1;
        int[] local = null;
        boolean localTable = false;
        byte[] d;
        for (;;) {
            int s = r.byteAt(pos++);
            if (s < 0 || s == ';') {
                throw new ImageException("a GIF without any image in it");
            }
            if (s == '!') {
                int label = r.byteAt(pos++);
                if (label < 0) {
                    throw new ImageException("truncated GIF: the file ends inside an extension");
                }
                boolean first = true;
                for (int len = r.byteAt(pos++); len > 0; len = r.byteAt(pos++)) {
                    byte[] block = r.bytes(pos, len);
                    pos += len;
                    // Pillow reads the transparency flag and index from the graphic control
                    // extension's first sub-block; the last such extension before the image wins.
                    if (first && label == 0xf9 && block.length >= 4 && (block[0] & 1) != 0) {
                        transparency = block[3] & 0xff;
                    }
                    first = false;
                }
            } else if (s == ',') {
                d = r.exactly(pos, 9, "GIF image descriptor");
                pos += 9;
                int f = d[8] & 0xff;
                if ((f & 0x80) != 0) {
                    int entries = 1 << ((f & 7) + 1);
                    byte[] p = r.exactly(pos, 3 * entries, "GIF colour table");
                    localTable = true;
                    local = paletteNeeded(p) ? rgb(p) : null;
                }
                break;
            }
            // Any other byte: Pillow skips it, and so does this.
        }
        int x0 = ImageFile.u16le(d, 0);
        int y0 = ImageFile.u16le(d, 2);
        int frameWidth = ImageFile.u16le(d, 4);
        int frameHeight = ImageFile.u16le(d, 6);
        // Pillow's canvas is the logical screen, grown to hold the frame if it sticks out.
        int width = Math.max(screenWidth, x0 + frameWidth);
        int height = Math.max(screenHeight, y0 + frameHeight);
        ImageFile.checkDimensions(width, height);
        // A local table replaces the global one. One that is the identity grey ramp Pillow
        // drops, and then says mode "L" but still attaches the global table, which
        // Image.load() puts into the C image, making it "P": so convert("1") thresholds
        // through the global table. Only with neither table is the frame dithered as "L".
        int[] palette = local != null ? local : global;
        if (localTable) {
            pos += 3L << ((d[8] & 7) + 1);
        }
        if (frameWidth == 0 || frameHeight == 0) {
            // Pillow: "tile cannot extend outside image".
            throw new ImageException("corrupt GIF: its first frame is " + frameWidth + "x" + frameHeight);
        }
        if ((long) frameWidth * frameHeight > Integer.MAX_VALUE - 8) {
            throw new ImageException("too large: a " + frameWidth + "x" + frameHeight + " GIF frame");
        }
        byte[] frame = lzw(r, pos, frameWidth, frameHeight, (d[8] & 0x40) != 0);
        // Outside the frame Pillow's canvas holds the transparent index, or 0.
        int background = Math.max(transparency, 0);
        Dither.GreyRows indices = (y, row) -> {
            if (y < y0 || y >= y0 + frameHeight) {
                Arrays.fill(row, background);
                return;
            }
            Arrays.fill(row, 0, x0, background);
            Arrays.fill(row, x0 + frameWidth, width, background);
            for (int x = 0, i = (y - y0) * frameWidth; x < frameWidth; x++, i++) {
                row[x0 + x] = frame[i] & 0xff;
            }
        };
        if (palette == null) {
            // Mode "L": the indices are the grey levels (the table, if any, said so).
            return Dither.rows(width, height, indices);
        }
        boolean[] white = Palette.white(palette, palette.length / 3, 256);
        int stride = (width + 7) >>> 3;
        byte[] bits = new byte[stride * height];
        int[] row = new int[width];
        for (int y = 0; y < height; y++) {
            indices.row(y, row);
            Palette.packRow(row, width, white, bits, y * stride);
        }
        return new BitImage(width, height, bits);
    }

    /**
     * The first frame's pixels, decoded as Pillow's {@code GifDecode.c} does. javax.imageio's
     * GIF reader is not used: it loses rows of interlaced images only a few rows high. As in
     * Pillow, decoding stops as soon as the last row is complete; an end code before that is
     * read past (Pillow's decoder returns and is called again with the following bytes), so
     * too little data is an error, as are codes that are out of range.
     */
    private static byte[] lzw(ImageFile r, long pos, int width, int height, boolean interlaced) throws IOException {
        int bits = r.byteAt(pos++);
        if (bits < 0) {
            throw new ImageException("truncated GIF: the file ends before the image data");
        }
        if (bits > 12) {
            throw new ImageException("corrupt GIF: LZW code size " + bits);
        }
        Stream in = new Stream(r, pos);
        byte[] out = new byte[width * height];
        final int table = 4096;
        byte[] data = new byte[table];
        short[] link = new short[table];
        byte[] buffer = new byte[table];
        int clear = 1 << bits;
        int end = clear + 1;
        int pass = interlaced ? 1 : 0;
        int step = interlaced ? 8 : 1;
        int x = 0;
        int y = 0;
        int state = 1;
        int next = 0;
        int codeSize = 0;
        int codeMask = 0;
        int bitBuffer = 0;
        int bitCount = 0;
        int blockSize = 0;
        int lastData = 0;
        int lastCode = 0;
        for (;;) {
            if (state == 1) {
                next = clear + 2;
                codeSize = bits + 1;
                codeMask = (1 << codeSize) - 1;
                state = 2;
            }
            while (bitCount < codeSize) {
                if (blockSize > 0) {
                    bitBuffer |= in.next() << bitCount;
                    bitCount += 8;
                    blockSize--;
                } else {
                    // A sub-block is decoded only once all of it is there.
                    int c = in.next();
                    if (c < 0 || !in.has(c)) {
                        throw new ImageException("truncated GIF: the image data ends before its last row");
                    }
                    blockSize = c;
                }
            }
            int c = bitBuffer & codeMask;
            bitBuffer >>>= codeSize;
            bitCount -= codeSize;
            if (c == clear) {
                if (state != 2) {
                    state = 1;
                }
                continue;
            }
            if (c == end) {
                continue;
            }
            int bufferIndex = table;
            if (state == 2) {
                if (c > clear) {
                    throw new ImageException("corrupt GIF: LZW code " + c + " right after a clear code");
                }
                lastData = c;
                lastCode = c;
                state = 3;
            } else {
                int thisCode = c;
                if (c > next) {
                    throw new ImageException("corrupt GIF: LZW code " + c + " not yet defined");
                }
                if (c == next) {
                    buffer[--bufferIndex] = (byte) lastData;
                    c = lastCode;
                }
                while (c >= clear) {
                    if (bufferIndex <= 0 || c >= table) {
                        throw new ImageException("corrupt GIF: an LZW string too long");
                    }
                    buffer[--bufferIndex] = data[c];
                    c = link[c];
                }
                lastData = c;
                if (next < table) {
                    data[next] = (byte) c;
                    link[next] = (short) lastCode;
                    if (next == codeMask && codeSize < 12) {
                        codeSize++;
                        codeMask = (1 << codeSize) - 1;
                    }
                    next++;
                }
                lastCode = thisCode;
            }
            // The string: its first byte, then the rest from the buffer.
            for (int k = bufferIndex - 1; k < table; k++) {
                out[y * width + x] = k < bufferIndex ? (byte) lastData : buffer[k];
                if (++x >= width) {
                    x = 0;
                    y += step;
                    while (y >= height) {
                        // Interlaced: rows 0, 8, ...; then 4, 12, ...; 2, 6, ...; 1, 3, ...
                        if (pass == 1) {
                            y = 4;
                            pass = 2;
                        } else if (pass == 2) {
                            step = 4;
                            y = 2;
                            pass = 3;
                        } else if (pass == 3) {
                            step = 2;
                            y = 1;
                            pass = 0;
                        } else {
                            return out;
                        }
                    }
                }
            }
        }
    }

    /** Sequential reads through a 64 KiB buffer. */
    private static final class Stream {
        private final ImageFile r;
        private long pos;
        private byte[] buf = new byte[0];
        private int at;

        Stream(ImageFile r, long pos) {
            this.r = r;
            this.pos = pos;
        }

        int next() throws IOException {
            if (at >= buf.length) {
                buf = r.bytes(pos, (int) Math.min(65536, Math.max(0, r.size - pos)));
                at = 0;
                if (buf.length == 0) {
                    return -1;
                }
            }
            pos++;
            return buf[at++] & 0xff;
        }

        /** Whether at least {@code n} more bytes follow. */
        boolean has(int n) {
            return r.size - pos >= n;
        }
    }

    /** Pillow's {@code _is_palette_needed}: false when every entry i is (i, i, i). */
    private static boolean paletteNeeded(byte[] p) {
        for (int i = 0; i + 2 < p.length; i += 3) {
            int v = i / 3;
            if ((p[i] & 0xff) != v || (p[i + 1] & 0xff) != v || (p[i + 2] & 0xff) != v) {
                return true;
            }
        }
        return false;
    }

    private static int[] rgb(byte[] p) {
        int[] rgb = new int[p.length];
        for (int i = 0; i < p.length; i++) {
            rgb[i] = p[i] & 0xff;
        }
        return rgb;
    }
}
