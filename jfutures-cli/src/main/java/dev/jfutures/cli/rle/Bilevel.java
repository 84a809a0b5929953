package dev.jfutures.cli.rle;

import java.awt.image.BufferedImage;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferUShort;
import java.awt.image.IndexColorModel;
import java.awt.image.MultiPixelPackedSampleModel;
import java.awt.image.Raster;
import java.awt.image.SampleModel;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.Locale;
import java.util.Objects;
import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.FileImageInputStream;
import javax.imageio.stream.ImageInputStream;

/**
 * Reads an image file as the book's program sees it: Pillow 9.4's {@code Image.open(f).convert("1")}.
 *
 * <p>Pillow first opens a file in a <em>mode</em> that depends on the format and on details of the
 * file (a BMP whose palette is exactly black and white opens as "1", one whose palette is the grey
 * ramp opens as "L", any other palette as "P"; a 2-bit grey PNG opens as "L" with its samples
 * scaled by 85; a 16-bit grey PNG opens as "I"; ...), and {@code convert("1")} then does one of three
 * things, which this class reproduces bit for bit:
 * <ul>
 *   <li>mode "1": the pixels are taken as they are;
 *   <li>mode "P" (palette): each pixel is white if its palette entry's luma
 *       {@code 299 R + 587 G + 114 B} is at least 128000 &mdash; a threshold, <em>no</em> dithering;
 *   <li>every other mode: the pixels are reduced to 8-bit grey (mode "L"), by a route that depends
 *       on the mode ("RGB"/"RGBA": {@code (299 R + 587 G + 114 B) / 1000}, alpha ignored; "LA":
 *       the grey band; "I" and "I;16": the value clipped to 0..255; "CMYK": through Pillow's
 *       {@code cmyk2rgb}), and then Floyd-Steinberg dithered with Pillow's integer arithmetic
 *       ({@code tobilevel} in {@code libImaging/Convert.c}: errors in sixteenths, truncating
 *       division, a pixel white if its corrected value is above 128).
 * </ul>
 * The pixels are read as raw samples from the decoded raster (and raw palette entries), never
 * through {@link BufferedImage#getRGB}, which would colour-convert grey images.
 *
 * <p><b>Where the result is identical to Pillow's, and where not.</b> For the lossless formats
 * (BMP, PNG, GIF, TIFF in the layouts Pillow reads) the bits are those of Pillow 9.4. JPEG is
 * read too, but Java's JPEG decoder and the libjpeg(-turbo) Pillow uses may round some samples
 * differently by one, which dithering can spread into a few differing pixels, so byte identity is
 * not promised for JPEG. WBMP, which Pillow cannot open at all, is read as its bits say (1 white).
 * A layout Pillow 9.4 refuses (a 2-bit BMP, a BMP with unusual bit-field masks, ...) but
 * javax.imageio reads is converted as Pillow would convert the decoded pixels, with nothing to be
 * identical to. A CMYK JPEG, which javax.imageio cannot decode, is refused.
 *
 * <p>A 1-bit BMP, the common case for the RLE compressor, is read without javax.imageio: its rows
 * are copied straight into the {@link BitImage}.
 */
public final class Bilevel {
    /** The formats named in error messages: those javax.imageio reads out of the box. */
    private static final String FORMATS = "BMP, PNG, GIF, JPEG, TIFF, WBMP";

    private Bilevel() {
    }

    /**
     * Reads {@code file} and converts it to black and white exactly as Pillow's {@code convert("1")} does.
     *
     * @param file an image file javax.imageio reads
     * @return the image
     * @throws NoSuchFileException if {@code file} does not exist
     * @throws IOException if the file cannot be read, is a directory, is not an image javax.imageio
     *     reads, is corrupt or truncated, or is wider or taller than 65535 pixels (the message names
     *     the file and the problem)
     */
    public static BitImage read(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        if (Files.isDirectory(file)) {
            throw new IOException(file + ": is a directory, not an image file");
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return new Reader(file, channel).read();
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "no such file");
        } catch (AccessDeniedException e) {
            throw new AccessDeniedException(file.toString(), null, "permission denied");
        } catch (ImageException e) {
            throw new IOException(file + ": " + e.getMessage(), e.getCause());
        } catch (IOException e) {
            // ImageIO's messages ("Error reading PNG image data") do not name the file.
            throw new IOException(file + ": corrupt or unreadable image (" + describe(e) + ")", e);
        } catch (RuntimeException e) {
            // The decoders throw unchecked exceptions (IndexOutOfBounds, NegativeArraySize, ...) on
            // some corrupt inputs; a caller of an I/O method expects an IOException.
            throw new IOException(file + ": corrupt image (" + describe(e) + ")", e);
        } catch (OutOfMemoryError e) {
            // The dimensions were checked, but 65535 x 65535 RGB is still 12 GiB of raster.
            throw new IOException(file + ": too large to decode in this JVM's heap (raise -Xmx)", e);
        }
    }

    private static String describe(Throwable e) {
        StringBuilder s = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (s.length() > 0) {
                s.append(": ");
            }
            s.append(t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName());
            if (t instanceof EOFException && t.getMessage() == null) {
                s.setLength(s.length() - t.getClass().getSimpleName().length());
                s.append("unexpected end of file (truncated?)");
            }
        }
        return s.toString();
    }

    /** A problem with the file's contents; its message does not name the file (the catcher adds it). */
    private static final class ImageException extends IOException {
        private static final long serialVersionUID = 1L;

        ImageException(String message) {
            super(message);
        }

        ImageException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** One read: the file, its channel, and the format-specific steps. */
    private static final class Reader {
        private final Path file;
        private final FileChannel channel;
        private final long size;

        Reader(Path file, FileChannel channel) throws IOException {
            this.file = file;
            this.channel = channel;
            this.size = channel.size();
        }

        BitImage read() throws IOException {
            if (size == 0) {
                throw new ImageException("empty file, not an image");
            }
            byte[] head = bytes(0, (int) Math.min(size, 32));
            if (startsWith(head, 'B', 'M')) {
                return Bmp.read(this);
            }
            if (startsWith(head, 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n')) {
                return Png.read(this);
            }
            return Generic.read(this, null);
        }

        /** The bytes at {@code [pos, pos + n)}; fewer if the file ends first. */
        byte[] bytes(long pos, int n) throws IOException {
            ByteBuffer buf = ByteBuffer.allocate(n);
            while (buf.hasRemaining()) {
                if (channel.read(buf, pos + buf.position()) < 0) {
                    break;
                }
            }
            return buf.position() == n ? buf.array() : java.util.Arrays.copyOf(buf.array(), buf.position());
        }

        /** The bytes at {@code [pos, pos + n)}, or an error saying the file is truncated. */
        byte[] exactly(long pos, int n, String what) throws IOException {
            byte[] b = bytes(pos, n);
            if (b.length < n) {
                throw new ImageException("truncated: the file ends inside the " + what);
            }
            return b;
        }

        /** Opens javax.imageio's reader for this file: {@code formatName} to insist, or null to sniff. */
        ImageReader imageReader(ImageInputStream in, String formatName) throws IOException {
            Iterator<ImageReader> readers = formatName != null
                    ? ImageIO.getImageReadersByFormatName(formatName) : ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new ImageException("not an image javax.imageio reads (" + FORMATS
                        + "); convert it to PNG or BMP first");
            }
            ImageReader reader = readers.next();
            reader.setInput(in, true, formatName == null || !formatName.equals("tiff"));
            return reader;
        }

        /** Checks dimensions before anything big is allocated. */
        void checkDimensions(long width, long height) throws ImageException {
            try {
                BitImage.checkDimensions(width, height);
            } catch (IllegalArgumentException e) {
                throw new ImageException(e.getMessage());
            }
        }
    }

    private static boolean startsWith(byte[] head, int... magic) {
        if (head.length < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((head[i] & 0xff) != magic[i]) {
                return false;
            }
        }
        return true;
    }

    private static int u16le(byte[] b, int i) {
        return (b[i] & 0xff) | (b[i + 1] & 0xff) << 8;
    }

    private static int i32le(byte[] b, int i) {
        return u16le(b, i) | u16le(b, i + 2) << 16;
    }

    private static int i32be(byte[] b, int i) {
        return (b[i] & 0xff) << 24 | (b[i + 1] & 0xff) << 16 | (b[i + 2] & 0xff) << 8 | (b[i + 3] & 0xff);
    }

    // ------------------------------------------------------------------------------------------
    // Pillow's conversions
    // ------------------------------------------------------------------------------------------

    /**
     * Whether each palette index is white under Pillow's {@code p2bit}: luma {@code L(rgb) >= 128000}.
     * Pillow's palette starts as the grey ramp (entry i = (i, i, i)) and the file's entries overwrite
     * the first ones, so an index past the file's palette is white when it is 128 or more.
     *
     * @param rgb the file's palette, 3 bytes an entry (R, G, B)
     * @param entries how many entries {@code rgb} holds
     * @param size how many indices to map (1 &lt;&lt; bits, at least)
     */
    static boolean[] paletteWhite(int[] rgb, int entries, int size) {
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

    /** Produces one row of 8-bit grey values for {@link #dither}. */
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
     * Pillow's {@code tobilevel} for an "L" image: Floyd-Steinberg with the error kept in sixteenths,
     * C's truncating division (Java's is the same), values clipped to 0..255 after the error is
     * added, and a pixel white when above 128. The statements mirror Convert.c's so that the
     * arithmetic is identical; {@code errors[x + 1]} holds the error carried from the row above.
     */
    static BitImage dither(int width, int height, GreyRows rows) throws IOException {
        int stride = (width + 7) >>> 3;
        byte[] bits = new byte[stride * height];
        int[] errors = new int[width + 1];
        int[] in = new int[width];
        for (int y = 0; y < height; y++) {
            rows.row(y, in);
            int l = 0;
            int l0 = 0;
            int l1 = 0;
            int base = y * stride;
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
        }
        return new BitImage(width, height, bits);
    }

    /** Reads rows of one band's raw samples out of a raster, fast for the common layouts. */
    static final class Samples {
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
    }

    /** Pillow mode "L" (or a mode Pillow reduces to it): dither {@code lut[sample]} of one band. */
    static BitImage ditherGrey(Raster raster, int band, int[] lut) throws IOException {
        Samples samples = new Samples(raster);
        return dither(raster.getWidth(), raster.getHeight(), (y, grey) -> samples.row(y, band, lut, grey));
    }

    /**
     * Pillow mode "RGB" (or "RGBA", "RGBX": alpha is dropped, not composited, on the way to "1"):
     * dither the luma {@code (299 R + 587 G + 114 B) / 1000} of {@code lut[sample]} of bands 0..2.
     */
    static BitImage ditherRgb(Raster raster, int[] lut) throws IOException {
        Samples samples = new Samples(raster);
        int w = raster.getWidth();
        int[] g = new int[w];
        int[] b = new int[w];
        return dither(w, raster.getHeight(), (y, grey) -> {
            samples.row(y, 0, lut, grey);
            samples.row(y, 1, lut, g);
            samples.row(y, 2, lut, b);
            for (int x = 0; x < w; x++) {
                grey[x] = (grey[x] * 299 + g[x] * 587 + b[x] * 114) / 1000;
            }
        });
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
                    java.util.Arrays.fill(bits, y * stride, (y + 1) * stride, (byte) 0xff);
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

    static int[] identityLut(int size) {
        int[] lut = new int[size];
        for (int i = 0; i < size; i++) {
            lut[i] = i;
        }
        return lut;
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

    // ------------------------------------------------------------------------------------------
    // BMP: decoded here when uncompressed (Pillow's own raw decoder is easy to mirror exactly, and
    // the 1-bit case is then one copy), through javax.imageio when RLE-compressed.
    // ------------------------------------------------------------------------------------------

    private static final class Bmp {
        static final int RAW = 0;
        static final int RLE8 = 1;
        static final int RLE4 = 2;
        static final int BITFIELDS = 3;

        static BitImage read(Reader r) throws IOException {
            byte[] fh = r.exactly(0, 18, "BMP header");
            long offset = i32le(fh, 10) & 0xffffffffL;
            int headerSize = i32le(fh, 14);
            int width;
            int height;
            boolean topDown = false;
            int bits;
            int compression = RAW;
            long colors = 0;
            int padding;
            byte[] h;
            long pos;
            if (headerSize == 12) {
                h = r.exactly(18, 8, "BMP header");
                width = u16le(h, 0);
                height = u16le(h, 2);
                bits = u16le(h, 6);
                padding = 3;
                pos = 26;
            } else if (headerSize == 40 || headerSize == 64 || headerSize == 108 || headerSize == 124) {
                h = r.exactly(18, headerSize - 4, "BMP header");
                width = i32le(h, 0);
                // Pillow: a height whose top byte is 0xFF is a top-down image of 2^32 - height rows.
                topDown = (h[7] & 0xff) == 0xff;
                long hv = i32le(h, 4) & 0xffffffffL;
                height = (int) (topDown ? (1L << 32) - hv : Math.min(hv, Integer.MAX_VALUE));
                bits = u16le(h, 10);
                compression = i32le(h, 12);
                colors = i32le(h, 28) & 0xffffffffL;
                padding = 4;
                pos = 14 + headerSize;
            } else {
                // Pillow 9.4 refuses these too ("Unsupported BMP header type").
                throw new ImageException("a BMP with a " + headerSize
                        + "-byte header, which Pillow does not read; re-save it as a standard BMP or PNG");
            }
            if (compression == RLE8 || compression == RLE4 || bits == 16 || bits == 24 || bits == 32
                    || compression == BITFIELDS) {
                r.checkDimensions(width, height);
                return viaImageIo(r, bits, compression, colors, padding, pos, width, height);
            }
            if (compression != RAW) {
                return Generic.read(r, "bmp");
            }
            r.checkDimensions(width, height);
            if (bits != 1 && bits != 4 && bits != 8) {
                // Pillow: "Unsupported BMP pixel depth"; javax.imageio may still read it.
                return Generic.read(r, "bmp");
            }
            if (colors == 0) {
                colors = 1L << bits;
            }
            if (colors > 256) {
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
            // The raw decoder reads each row's first ceil(width * bits(rawmode) / 8) bytes, rows
            // stride bytes apart, where the stride comes from the file's own depth.
            int rawBits = mode.equals("1") ? 1 : mode.equals("L") ? 8 : bits;
            long stride = ((long) width * bits + 31 >>> 3) & ~3L;
            long rowBytes = ((long) width * rawBits + 7) / 8;
            if (rowBytes > stride) {
                // Pillow's raw decoder refuses (a negative skip): "decoder error -8".
                throw new ImageException("a " + bits + "-bit BMP whose palette makes Pillow read it as "
                        + "8-bit grey, which it cannot decode; re-save it as a standard BMP or PNG");
            }
            long need = offset + stride * (height - 1) + rowBytes;
            if (need > r.size) {
                throw new ImageException("truncated BMP: the pixels need " + need + " bytes, the file has "
                        + r.size);
            }
            int strideI = (int) stride;
            if (rawBits == 1) {
                boolean zeroWhite;
                boolean oneWhite;
                if (mode.equals("1")) {
                    zeroWhite = false;
                    oneWhite = true;
                } else {
                    boolean[] white = paletteWhite(palette, n, 2);
                    zeroWhite = white[0];
                    oneWhite = white[1];
                }
                byte[] data = r.bytes(offset, (int) (need - offset));
                int start = topDown ? 0 : (height - 1) * strideI;
                return copyRows(data, start, strideI, !topDown, width, height, zeroWhite, oneWhite);
            }
            byte[] data = r.bytes(offset, (int) (need - offset));
            int bottom = topDown ? 0 : (height - 1) * strideI;
            int step = topDown ? strideI : -strideI;
            if (mode.equals("L")) {
                // Only 8-bit data reaches here (rowBytes <= stride): the bytes are grey levels.
                int w = width;
                return dither(width, height, (y, grey) -> {
                    int i = bottom + y * step;
                    for (int x = 0; x < w; x++) {
                        grey[x] = data[i + x] & 0xff;
                    }
                });
            }
            boolean[] white = paletteWhite(palette, n, 1 << bits);
            int rowStride = (width + 7) >>> 3;
            byte[] out = new byte[rowStride * height];
            int[] row = new int[width];
            for (int y = 0; y < height; y++) {
                int i = bottom + y * step;
                if (bits == 8) {
                    for (int x = 0; x < width; x++) {
                        row[x] = data[i + x] & 0xff;
                    }
                } else {
                    for (int x = 0; x < width; x++) {
                        row[x] = (data[i + (x >>> 1)] >>> ((x & 1) == 0 ? 4 : 0)) & 0x0f;
                    }
                }
                packRow(row, width, white, out, y * rowStride);
            }
            return new BitImage(width, height, out);
        }

        /** The palette as R, G, B ints (BMP stores B, G, R, and a pad byte unless OS/2 v1). */
        static int[] palette(byte[] raw, int padding, int n) {
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
        static String pillowMode(int[] palette, int n) {
            boolean grey = true;
            for (int i = 0; i < n && grey; i++) {
                int v = n == 2 ? (i == 0 ? 0 : 255) : i & 0xff;
                grey = palette[3 * i] == v && palette[3 * i + 1] == v && palette[3 * i + 2] == v;
            }
            return grey ? (n == 2 ? "1" : "L") : "P";
        }

        /** RLE and true-colour BMPs: javax.imageio decodes, Pillow's mode rules convert. */
        static BitImage viaImageIo(Reader r, int bits, int compression, long colors, int padding, long pos,
                int width, int height) throws IOException {
            Raster raster = Generic.decode(r, "bmp", width, height);
            if (bits <= 8) {
                if (colors == 0) {
                    colors = 1L << bits;
                }
                if (colors > 256) {
                    throw new ImageException("a BMP palette of " + colors + " colours (at most 256 make sense)");
                }
                int n = (int) colors;
                int[] palette = palette(r.exactly(pos, padding * n, "BMP palette"), padding, n);
                String mode = pillowMode(palette, n);
                if (mode.equals("P")) {
                    return threshold(raster, paletteWhite(palette, n, 1 << bits));
                }
                if (mode.equals("L")) {
                    // Pillow's RLE decoder writes one index byte a pixel, taken as grey levels.
                    return ditherGrey(raster, 0, null);
                }
                // Mode "1" with RLE data: Pillow's decoder hands "P" bytes to a "1" image and fails.
                throw new ImageException("an RLE-compressed BMP with a black-and-white palette, which Pillow "
                        + "cannot decode; re-save it uncompressed");
            }
            int numBands = raster.getNumBands();
            if (numBands < 3) {
                throw new ImageException("an unexpected " + bits + "-bit BMP layout (" + numBands + " bands)");
            }
            SampleModel sm = raster.getSampleModel();
            if (sm.getSampleSize(0) == 8 && sm.getSampleSize(1) == 8 && sm.getSampleSize(2) == 8) {
                return ditherRgb(raster, null);
            }
            // 16-bit BMPs hold 5- or 6-bit samples; Pillow scales them by 255 / 31 or 255 / 63,
            // truncating (BGR;15, BGR;16). Java leaves the raw samples in the raster.
            return ditherRgbScaled(raster);
        }

        /** 16-bit BMP: each band scaled by its own depth. */
        static BitImage ditherRgbScaled(Raster raster) throws IOException {
            Samples samples = new Samples(raster);
            int w = raster.getWidth();
            int[][] luts = new int[3][];
            for (int b = 0; b < 3; b++) {
                luts[b] = scaleLut(raster.getSampleModel().getSampleSize(b));
            }
            int[] g = new int[w];
            int[] bl = new int[w];
            return dither(w, raster.getHeight(), (y, grey) -> {
                samples.row(y, 0, luts[0], grey);
                samples.row(y, 1, luts[1], g);
                samples.row(y, 2, luts[2], bl);
                for (int x = 0; x < w; x++) {
                    grey[x] = (grey[x] * 299 + g[x] * 587 + bl[x] * 114) / 1000;
                }
            });
        }
    }

    // ------------------------------------------------------------------------------------------
    // PNG: the header says which mode Pillow opens it in; javax.imageio decodes the samples.
    // ------------------------------------------------------------------------------------------

    private static final class Png {
        static BitImage read(Reader r) throws IOException {
            byte[] ihdr = r.exactly(8, 25, "PNG header");
            if (i32be(ihdr, 0) != 13 || ihdr[4] != 'I' || ihdr[5] != 'H' || ihdr[6] != 'D' || ihdr[7] != 'R') {
                throw new ImageException("corrupt PNG: it does not start with an IHDR chunk");
            }
            long width = i32be(ihdr, 8) & 0xffffffffL;
            long height = i32be(ihdr, 12) & 0xffffffffL;
            int depth = ihdr[16] & 0xff;
            int colorType = ihdr[17] & 0xff;
            r.checkDimensions(width, height);
            int[] palette = null;
            int entries = 0;
            if (colorType == 3) {
                // Walk the chunks to PLTE: Pillow's palette has exactly its entries (then the grey
                // ramp), while javax.imageio pads a short palette with its last entry.
                long pos = 8;
                while (pos + 8 <= r.size) {
                    byte[] ch = r.exactly(pos, 8, "PNG chunk header");
                    long len = i32be(ch, 0) & 0xffffffffL;
                    String type = new String(ch, 4, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
                    if (type.equals("PLTE")) {
                        entries = (int) Math.min(len / 3, 256);
                        byte[] p = r.exactly(pos + 8, entries * 3, "PNG palette");
                        palette = new int[entries * 3];
                        for (int i = 0; i < palette.length; i++) {
                            palette[i] = p[i] & 0xff;
                        }
                        break;
                    }
                    if (type.equals("IDAT") || type.equals("IEND")) {
                        break;
                    }
                    pos += 12 + len;
                }
                if (palette == null) {
                    throw new ImageException("corrupt PNG: a palette image without a PLTE chunk");
                }
            }
            Raster raster = Generic.decode(r, "png", (int) width, (int) height);
            switch (colorType) {
                case 0: // grey: "1", "L" (2- and 4-bit scaled), or "I" (16-bit, clipped on the way to "L")
                    if (depth == 1) {
                        return grey1(raster);
                    }
                    return ditherGrey(raster, 0, depth == 16 ? clipLut() : depth == 8 ? null : greyLut(raster, depth));
                case 2: // "RGB"; 16-bit keeps the high byte
                case 6: // "RGBA": alpha dropped
                    return ditherRgb(raster, depth == 16 ? highByteLut() : null);
                case 3: // "P": thresholded through the palette
                    return threshold(raster, paletteWhite(palette, entries, 1 << depth));
                case 4: // "LA" -> "L"; 16-bit opens as "RGBA" with R = G = B = the high byte, whose luma is itself
                    return ditherGrey(raster, 0, depth == 16 ? highByteLut() : null);
                default:
                    throw new ImageException("corrupt PNG: colour type " + colorType);
            }
        }

        /** A 1-bit grey PNG opens as "1"; javax.imageio gives its packed raster unless tRNS made it expand. */
        static BitImage grey1(Raster raster) throws IOException {
            if (raster.getSampleModel() instanceof MultiPixelPackedSampleModel) {
                return packedBits(raster, false, true);
            }
            // Expanded to 8-bit samples (0 or 255 presumably): white when non-zero.
            int[] lut = new int[1 << raster.getSampleModel().getSampleSize(0)];
            java.util.Arrays.fill(lut, 1, lut.length, 255);
            boolean[] white = new boolean[lut.length];
            java.util.Arrays.fill(white, 1, white.length, true);
            return threshold(raster, white);
        }

        /** 2- and 4-bit grey: the raster holds raw samples unless javax.imageio expanded them. */
        static int[] greyLut(Raster raster, int depth) {
            int size = raster.getSampleModel().getSampleSize(0);
            return size == depth ? scaleLut(depth) : null;
        }
    }

    // ------------------------------------------------------------------------------------------
    // Anything else javax.imageio reads.
    // ------------------------------------------------------------------------------------------

    private static final class Generic {
        /** Decodes image 0 with javax.imageio after checking its dimensions. */
        static Raster decode(Reader r, String format, int expectWidth, int expectHeight) throws IOException {
            try (ImageInputStream in = new FileImageInputStream(r.file.toFile())) {
                ImageReader reader = r.imageReader(in, format);
                try {
                    r.checkDimensions(reader.getWidth(0), reader.getHeight(0));
                    BufferedImage image = reader.read(0);
                    return image.getRaster();
                } finally {
                    reader.dispose();
                }
            }
        }

        static BitImage read(Reader r, String format) throws IOException {
            try (ImageInputStream in = new FileImageInputStream(r.file.toFile())) {
                ImageReader reader = r.imageReader(in, format);
                try {
                    String name = reader.getFormatName().toLowerCase(Locale.ROOT);
                    r.checkDimensions(reader.getWidth(0), reader.getHeight(0));
                    BufferedImage image;
                    try {
                        image = reader.read(0);
                    } catch (IIOException e) {
                        if (name.startsWith("jp") && String.valueOf(e.getMessage()).contains("Unsupported Image Type")) {
                            throw new ImageException("a CMYK or YCCK JPEG, which javax.imageio cannot decode; "
                                    + "convert it to an RGB JPEG or a PNG first", e);
                        }
                        throw e;
                    }
                    return convert(image);
                } finally {
                    reader.dispose();
                }
            }
        }

        /** By the decoded image's layout: what Pillow does with the equivalent mode. */
        static BitImage convert(BufferedImage image) throws IOException {
            Raster raster = image.getRaster();
            if (image.getColorModel() instanceof IndexColorModel) {
                IndexColorModel icm = (IndexColorModel) image.getColorModel();
                int n = icm.getMapSize();
                int[] rgb = new int[3 * n];
                for (int i = 0; i < n; i++) {
                    rgb[3 * i] = icm.getRed(i);
                    rgb[3 * i + 1] = icm.getGreen(i);
                    rgb[3 * i + 2] = icm.getBlue(i);
                }
                return threshold(raster, paletteWhite(rgb, n, 1 << raster.getSampleModel().getSampleSize(0)));
            }
            int bands = raster.getNumBands();
            int bits = raster.getSampleModel().getSampleSize(0);
            int[] lut = bits == 8 ? null : bits == 16 ? highByteLut() : scaleLut(bits);
            if (bands >= 3) {
                return ditherRgb(raster, lut);
            }
            return ditherGrey(raster, 0, bits == 16 ? clipLut() : lut);
        }
    }
}
