package dev.jfutures.cli.image;

import java.awt.color.ColorSpace;
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
import java.util.Arrays;
import java.util.Iterator;
import java.util.Locale;
import java.util.Objects;
import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.plugins.tiff.TIFFDirectory;
import javax.imageio.plugins.tiff.TIFFField;
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
 * The pixels are read as raw samples from the decoded file or raster (and raw palette entries),
 * never through {@link BufferedImage#getRGB}, which would colour-convert grey images.
 *
 * <p>Where Pillow's own decoder behaves differently from javax.imageio's, the file is decoded
 * here as Pillow decodes it: uncompressed and RLE BMPs (Pillow's RLE4 decoder drops the last pixel
 * of odd-length absolute runs; a palette of exactly black and white makes it read 4- and 8-bit
 * rows as 1-bit ones) and GIFs (javax.imageio loses rows of interlaced GIFs a few rows high; Pillow
 * fills the canvas outside the first frame with the transparent index, and thresholds through the
 * global table when a local one is the identity grey ramp). PNGs are decoded here too, by
 * {@link PngDecoder}, row by row, which also keeps javax.imageio's PNG reader out of the JIT's way
 * (see that class). TIFF and JPEG pixels come from javax.imageio, and the TIFF tags decide what
 * Pillow would do with them. A file Pillow refuses to read (too few pixels in an RLE BMP or a GIF,
 * an LZW code out of range, a PNG chunk with a bad CRC, ...) is refused here too, with an
 * IOException. Broken PNGs Pillow reads anyway (no PLTE, several PLTE or IHDR chunks, a long
 * IHDR, an unknown compression method, a zlib stream that ends early) are read as Pillow reads
 * them; the few left that are refused though Pillow reads them are listed in {@link PngDecoder}.
 *
 * <p><b>Where the result is identical to Pillow's, and where it may not be.</b>
 * <ul>
 *   <li>BMP, PNG, GIF and TIFF, in every layout Pillow 9.4 reads: bit for bit (the tests compare
 *       thousands of generated files with Pillow's output).
 *   <li>JPEG (grey, YCbCr at any subsampling, progressive, and CMYK): Java's JPEG decoder (IJG
 *       libjpeg 6b) and the libjpeg-turbo Pillow links may in principle round a sample differently
 *       by one, which dithering can spread into differing pixels, so identity is not promised.
 *       Measured against Debian's Pillow 9.4 with libjpeg-turbo 2.1.5, no pixel differed.
 *   <li>WBMP, which Pillow cannot open at all: read as its bits say (1 white).
 *   <li>Layouts Pillow 9.4 refuses but javax.imageio reads (BMPs with unusual bit-field masks or
 *       JPEG/PNG compression, TIFFs outside Pillow's mode table, images over Pillow's
 *       decompression-bomb limit of 178,956,970 pixels): converted as Pillow would convert pixels
 *       of that kind, with nothing to be identical to. A YCbCr TIFF is converted by javax.imageio,
 *       which may round differently from libtiff.
 *   <li>A JPEG in a colour space javax.imageio cannot decode (YCCK, ...) is refused.
 * </ul>
 *
 * <p>A 1-bit BMP, the common case for the RLE compressor, is read without javax.imageio: its rows
 * are copied straight into the {@link BitImage} (inverted if palette entry 0 is the white one).
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
            // ImageIO's messages ("Error reading TIFF image data") do not name the file.
            throw new IOException(file + ": corrupt or truncated image (" + describe(e) + ")", e);
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
    static final class ImageException extends IOException {
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
            if (startsWith(head, 'G', 'I', 'F', '8', '7', 'a') || startsWith(head, 'G', 'I', 'F', '8', '9', 'a')) {
                return Gif.read(this);
            }
            if (startsWith(head, 'I', 'I', 42, 0) || startsWith(head, 'M', 'M', 0, 42)) {
                return Tiff.read(this);
            }
            if (startsWith(head, 0xff, 0xd8, 0xff)) {
                return Generic.read(this, "jpeg");
            }
            return Generic.read(this, null);
        }

        /** The byte at {@code pos}, or -1 past the end. */
        int byteAt(long pos) throws IOException {
            byte[] b = bytes(pos, 1);
            return b.length == 0 ? -1 : b[0] & 0xff;
        }

        /** The bytes at {@code [pos, pos + n)}; fewer if the file ends first. */
        byte[] bytes(long pos, int n) throws IOException {
            ByteBuffer buf = ByteBuffer.allocate(n);
            while (buf.hasRemaining()) {
                if (channel.read(buf, pos + buf.position()) < 0) {
                    break;
                }
            }
            return buf.position() == n ? buf.array() : Arrays.copyOf(buf.array(), buf.position());
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
        ImageReader imageReader(ImageInputStream in, String formatName, boolean ignoreMetadata)
                throws IOException {
            Iterator<ImageReader> readers = formatName != null
                    ? ImageIO.getImageReadersByFormatName(formatName) : ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new ImageException("not an image javax.imageio reads (" + FORMATS
                        + "); convert it to PNG or BMP first");
            }
            ImageReader reader = readers.next();
            reader.setInput(in, true, ignoreMetadata);
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
     * Pillow's {@code tobilevel} for an "L" image, {@code rows} supplying the grey values row by row.
     * See {@link Dither} for the arithmetic.
     */
    static BitImage dither(int width, int height, GreyRows rows) throws IOException {
        Dither d = new Dither(width, height);
        int[] in = new int[width];
        for (int y = 0; y < height; y++) {
            rows.row(y, in);
            d.row(in);
        }
        return d.image();
    }

    /**
     * Pillow's {@code tobilevel} for an "L" image, one row at a time: Floyd-Steinberg with the error
     * kept in sixteenths, C's truncating division (Java's is the same), values clipped to 0..255
     * after the error is added, and a pixel white when above 128. The statements mirror Convert.c's
     * so that the arithmetic is identical; {@code errors[x + 1]} holds the error carried from the
     * row above. The work for a row is one method, so that the JIT compiles it once, small, whatever
     * loop over rows calls it (see {@link PngDecoder}).
     */
    static final class Dither {
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
            long pos;
            if (headerSize == 12) {
                byte[] h = r.exactly(18, 8, "BMP header");
                width = u16le(h, 0);
                height = u16le(h, 2);
                bits = u16le(h, 6);
                padding = 3;
                pos = 26;
            } else if (headerSize == 40 || headerSize == 64 || headerSize == 108 || headerSize == 124) {
                byte[] h = r.exactly(18, headerSize - 4, "BMP header");
                width = i32le(h, 0);
                // Pillow: a height whose top byte is 0xFF is a top-down image of 2^32 - height rows.
                topDown = (h[7] & 0xff) == 0xff;
                long hv = i32le(h, 4) & 0xffffffffL;
                height = (int) Math.min(topDown ? (1L << 32) - hv : hv, Integer.MAX_VALUE);
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
            r.checkDimensions(width, height);
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
                boolean[] white = mode.equals("1") ? new boolean[] {false, true} : paletteWhite(palette, n, 2);
                return copyRows(data, first, strideI, !topDown, width, height, white[0], white[1]);
            }
            if (mode.equals("L")) {
                int w = width;
                return dither(width, height, (y, grey) -> {
                    int i = first + y * step;
                    for (int x = 0; x < w; x++) {
                        grey[x] = data[i + x] & 0xff;
                    }
                });
            }
            boolean[] white = paletteWhite(palette, n, 1 << bits);
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
                packRow(row, width, white, out, y * outStride);
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

        /**
         * An RLE4 or RLE8 BMP, decoded as Pillow 9.4's {@code BmpRleDecoder} does, quirks included
         * (javax.imageio's decoder differs from it on RLE4 absolute runs of odd length, which Pillow
         * reads a pixel short): one byte a pixel, bottom row first; too few pixels is an error.
         */
        static BitImage rle(Reader r, long offset, int width, int height, boolean topDown, boolean rle4,
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
                return dither(width, height, (y, grey) -> {
                    int i = firstRow + y * step;
                    for (int xx = 0; xx < width; xx++) {
                        grey[xx] = data[i + xx] & 0xff;
                    }
                });
            }
            boolean[] white = paletteWhite(palette, n, 256);
            int outStride = (width + 7) >>> 3;
            byte[] out = new byte[outStride * height];
            int[] row = new int[width];
            for (int y = 0; y < height; y++) {
                int i = firstRow + y * step;
                for (int xx = 0; xx < width; xx++) {
                    row[xx] = data[i + xx] & 0xff;
                }
                packRow(row, width, white, out, y * outStride);
            }
            return new BitImage(width, height, out);
        }

        /**
         * 16-, 24- and 32-bit BMPs: javax.imageio decodes them (into raw 5/6/8-bit samples), and
         * the samples are scaled and weighed as Pillow's BGR;15, BGR;16, BGR and BGRX unpackers
         * and tobilevel would. Alpha, if any, is ignored, as Pillow drops it on the way to "1".
         */
        static BitImage trueColour(Reader r, int bits, int width, int height) throws IOException {
            BufferedImage image = Generic.decodeImage(r, "bmp");
            Raster raster = image.getRaster();
            if (image.getColorModel() instanceof IndexColorModel || raster.getNumBands() < 3) {
                return Generic.convert(image);
            }
            SampleModel sm = raster.getSampleModel();
            if (sm.getSampleSize(0) == 8 && sm.getSampleSize(1) == 8 && sm.getSampleSize(2) == 8) {
                return ditherRgb(raster, null);
            }
            // 16-bit BMPs hold 5- or 6-bit samples; Pillow scales them by 255 / 31 or 255 / 63,
            // truncating (BGR;15, BGR;16).
            Samples samples = new Samples(raster);
            int w = raster.getWidth();
            int[][] luts = new int[3][];
            for (int b = 0; b < 3; b++) {
                luts[b] = scaleLut(sm.getSampleSize(b));
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
    // PNG: decoded here (PngDecoder); the header says which mode Pillow opens it in.
    // ------------------------------------------------------------------------------------------

    private static final class Png {
        /**
         * Pillow's modes for PNG (its {@code _MODES} table) and what {@code convert("1")} makes of
         * them, from the raw samples: grey 1-bit is "1" (the bits as they are); grey 2- and 4-bit is
         * "L" scaled by 85 and 17; grey 16-bit is "I", clipped to 0..255; RGB and RGBA keep the high
         * byte of a 16-bit sample, and their luma is dithered (alpha dropped); grey+alpha is "LA"
         * (the grey band dithered), or for 16 bits "RGBA" with R = G = B = the grey's high byte, whose
         * luma is itself; a palette image is "P", thresholded through its own entries (then the grey
         * ramp). A tRNS chunk changes none of it: Pillow keeps the mode and drops the transparency
         * on the way to "1".
         */
        static BitImage read(Reader r) throws IOException {
            PngDecoder png = PngDecoder.open(r.channel, r.size);
            int w = png.width();
            int h = png.height();
            int depth = png.depth();
            RowImage sink;
            switch (png.colorType()) {
                case PngDecoder.GREY:
                    sink = depth == 1 ? new PackedRows(w, h, false, true)
                            : new GreyRowsOf(w, h, depth == 16 ? GreyRowsOf.CLIP16
                                    : depth == 8 ? GreyRowsOf.BYTES : GreyRowsOf.SCALED, depth, 1);
                    break;
                case PngDecoder.RGB:
                case PngDecoder.RGBA:
                    int samples = png.colorType() == PngDecoder.RGB ? 3 : 4;
                    sink = new GreyRowsOf(w, h, GreyRowsOf.LUMA, depth / 8, samples * depth / 8);
                    break;
                case PngDecoder.GREY_ALPHA:
                    // the grey sample's (high) byte, every 2 or 4 bytes
                    sink = new GreyRowsOf(w, h, GreyRowsOf.BYTES, 8, 2 * depth / 8);
                    break;
                default: // PngDecoder.PALETTE (open() allows no other)
                    int[] palette = png.palette();
                    boolean[] white = paletteWhite(palette, palette.length / 3, 1 << depth);
                    sink = depth == 1 ? new PackedRows(w, h, white[0], white[1]) : new IndexRows(w, h, depth, white);
                    break;
            }
            png.decode(sink);
            return sink.image();
        }
    }

    /** Takes decoded rows and makes the bilevel image of them. */
    private interface RowImage extends PngDecoder.RowSink {
        /** @return the image, once every row has been taken */
        BitImage image();
    }

    /**
     * Packed 1-bit rows (mode "1", or "P" with two entries): copied, inverted if value 0 is the
     * white one, constant if both are; the padding bits of each row's last byte zeroed.
     */
    private static final class PackedRows implements RowImage {
        private final int width;
        private final int stride;
        private final byte[] bits;
        private final boolean zeroWhite;
        private final boolean oneWhite;
        private final int lastMask;
        private int base;

        PackedRows(int width, int height, boolean zeroWhite, boolean oneWhite) {
            this.width = width;
            this.stride = (width + 7) >>> 3;
            this.bits = new byte[stride * height];
            this.zeroWhite = zeroWhite;
            this.oneWhite = oneWhite;
            this.lastMask = (0xff00 >>> (((width - 1) & 7) + 1)) & 0xff;
        }

        @Override
        public void row(byte[] row, int off) {
            copyRow(row, off, bits, base, stride, lastMask, zeroWhite, oneWhite);
            base += stride;
        }

        @Override
        public BitImage image() {
            return new BitImage(width, bits.length / stride, bits);
        }
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

    /** Palette indices of 2, 4 or 8 bits (mode "P"): each pixel white or black by its entry. */
    private static final class IndexRows implements RowImage {
        private final int width;
        private final int stride;
        private final byte[] bits;
        private final int depth;
        private final boolean[] white;
        private final int[] indices;
        private int base;

        IndexRows(int width, int height, int depth, boolean[] white) {
            this.width = width;
            this.stride = (width + 7) >>> 3;
            this.bits = new byte[stride * height];
            this.depth = depth;
            this.white = white;
            this.indices = new int[width];
        }

        @Override
        public void row(byte[] row, int off) {
            unpack(row, off, depth, 1, width, indices);
            packRow(indices, width, white, bits, base);
            base += stride;
        }

        @Override
        public BitImage image() {
            return new BitImage(width, bits.length / stride, bits);
        }
    }

    /** Rows reduced to 8-bit grey and dithered: every mode but "1" and "P". */
    private static final class GreyRowsOf implements RowImage {
        /** Sub-byte grey samples ({@code a} bits), scaled to 0..255 as Pillow's L;2 and L;4 do. */
        static final int SCALED = 0;
        /** One byte taken every {@code b} bytes: 8-bit grey, or the high byte of a 16-bit sample. */
        static final int BYTES = 1;
        /** 16-bit grey (mode "I") clipped to 0..255. */
        static final int CLIP16 = 2;
        /**
         * The luma of R, G, B samples {@code a} bytes apart (1, or 2 keeping the high byte), pixels
         * {@code b} bytes apart.
         */
        static final int LUMA = 3;

        private final int width;
        private final int kind;
        private final int a;
        private final int b;
        private final int[] grey;
        private final Dither dither;

        GreyRowsOf(int width, int height, int kind, int a, int b) {
            this.width = width;
            this.kind = kind;
            this.a = a;
            this.b = b;
            this.grey = new int[width];
            this.dither = new Dither(width, height);
        }

        @Override
        public void row(byte[] row, int off) {
            switch (kind) {
                case SCALED:
                    unpack(row, off, a, 255 / ((1 << a) - 1), width, grey);
                    break;
                case BYTES:
                    everyNth(row, off, b, width, grey);
                    break;
                case CLIP16:
                    clip16(row, off, width, grey);
                    break;
                default:
                    luma(row, off, a, b, width, grey);
                    break;
            }
            dither.row(grey);
        }

        @Override
        public BitImage image() {
            return dither.image();
        }
    }

    /** Unpacks {@code w} samples of 1, 2 or 4 bits (most significant first), each times {@code scale}. */
    static void unpack(byte[] row, int off, int bits, int scale, int w, int[] out) {
        if (bits == 8) {
            everyNth(row, off, 1, w, out);
            return;
        }
        int mask = (1 << bits) - 1;
        for (int x = 0; x < w; x++) {
            int s = x * bits;
            out[x] = ((row[off + (s >>> 3)] >>> (8 - bits - (s & 7))) & mask) * scale;
        }
    }

    /** {@code out[x] = row[off + x * step]}, unsigned. */
    static void everyNth(byte[] row, int off, int step, int w, int[] out) {
        for (int x = 0, i = off; x < w; x++, i += step) {
            out[x] = row[i] & 0xff;
        }
    }

    /** Big-endian 16-bit samples clipped to 255, as Pillow's "I" to "L" does. */
    static void clip16(byte[] row, int off, int w, int[] out) {
        for (int x = 0, i = off; x < w; x++, i += 2) {
            out[x] = row[i] != 0 ? 255 : row[i + 1] & 0xff;
        }
    }

    /** Pillow's luma {@code (299 R + 587 G + 114 B) / 1000} of the first byte of each R, G, B sample. */
    static void luma(byte[] row, int off, int sampleBytes, int pixelBytes, int w, int[] out) {
        for (int x = 0, i = off; x < w; x++, i += pixelBytes) {
            int r = row[i] & 0xff;
            int g = row[i + sampleBytes] & 0xff;
            int b = row[i + 2 * sampleBytes] & 0xff;
            out[x] = (r * 299 + g * 587 + b * 114) / 1000;
        }
    }

    // ------------------------------------------------------------------------------------------
    // GIF: the header walk (Pillow's _open and _seek(0)) decides the mode and the canvas;
    // javax.imageio decodes the first frame's indices.
    // ------------------------------------------------------------------------------------------

    private static final class Gif {
        static BitImage read(Reader r) throws IOException {
            byte[] h = r.exactly(0, 13, "GIF header");
            int screenWidth = u16le(h, 6);
            int screenHeight = u16le(h, 8);
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
            int x0 = u16le(d, 0);
            int y0 = u16le(d, 2);
            int frameWidth = u16le(d, 4);
            int frameHeight = u16le(d, 6);
            // Pillow's canvas is the logical screen, grown to hold the frame if it sticks out.
            int width = Math.max(screenWidth, x0 + frameWidth);
            int height = Math.max(screenHeight, y0 + frameHeight);
            r.checkDimensions(width, height);
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
            GreyRows indices = (y, row) -> {
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
                return dither(width, height, indices);
            }
            boolean[] white = paletteWhite(palette, palette.length / 3, 256);
            int stride = (width + 7) >>> 3;
            byte[] bits = new byte[stride * height];
            int[] row = new int[width];
            for (int y = 0; y < height; y++) {
                indices.row(y, row);
                packRow(row, width, white, bits, y * stride);
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
        static byte[] lzw(Reader r, long pos, int width, int height, boolean interlaced) throws IOException {
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
        static final class Stream {
            private final Reader r;
            private long pos;
            private byte[] buf = new byte[0];
            private int at;

            Stream(Reader r, long pos) {
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
        static boolean paletteNeeded(byte[] p) {
            for (int i = 0; i + 2 < p.length; i += 3) {
                int v = i / 3;
                if ((p[i] & 0xff) != v || (p[i + 1] & 0xff) != v || (p[i + 2] & 0xff) != v) {
                    return true;
                }
            }
            return false;
        }

        static int[] rgb(byte[] p) {
            int[] rgb = new int[p.length];
            for (int i = 0; i < p.length; i++) {
                rgb[i] = p[i] & 0xff;
            }
            return rgb;
        }
    }

    // ------------------------------------------------------------------------------------------
    // TIFF: the tags (Pillow's OPEN_INFO key) decide the mode; javax.imageio decodes the samples.
    // ------------------------------------------------------------------------------------------

    private static final class Tiff {
        static final int BITS_PER_SAMPLE = 258;
        static final int COMPRESSION = 259;
        static final int PHOTOMETRIC = 262;
        static final int COLOR_MAP = 320;
        static final int EXTRA_SAMPLES = 338;

        static BitImage read(Reader r) throws IOException {
            try (ImageInputStream in = new FileImageInputStream(r.file.toFile())) {
                ImageReader reader = r.imageReader(in, "tiff", false);
                try {
                    r.checkDimensions(reader.getWidth(0), reader.getHeight(0));
                    TIFFDirectory dir = TIFFDirectory.createFromMetadata(reader.getImageMetadata(0));
                    BufferedImage image = Generic.readImage(reader);
                    return convert(dir, image);
                } finally {
                    reader.dispose();
                }
            }
        }

        static BitImage convert(TIFFDirectory dir, BufferedImage image) throws IOException {
            Raster raster = image.getRaster();
            int compression = intTag(dir, COMPRESSION, 1);
            // Pillow: old-style JPEG compression means YCbCr whatever the tag says.
            int photo = compression == 6 ? 6 : intTag(dir, PHOTOMETRIC, 0);
            int bits = intTag(dir, BITS_PER_SAMPLE, 1);
            int[] extra = ints(dir, EXTRA_SAMPLES);
            int bands = raster.getNumBands();
            switch (photo) {
                case 0: // WhiteIsZero
                case 1: // BlackIsZero
                    if (bits <= 8 && image.getColorModel() instanceof IndexColorModel) {
                        // javax.imageio's colour model says what each raw sample means (for CCITT
                        // data it has already turned WhiteIsZero around, for raw data it maps the
                        // samples backwards), and its grey levels are Pillow's: i * 255 / (2^bits - 1)
                        // is exact for 1, 2, 4 and 8 bits, as are Pillow's x 0x55 and x 0x11.
                        IndexColorModel icm = (IndexColorModel) image.getColorModel();
                        int[] lut = new int[icm.getMapSize()];
                        for (int i = 0; i < lut.length; i++) {
                            lut[i] = icm.getRed(i);
                        }
                        if (bits == 1) {
                            // Mode "1" (rawmode "1;I" for WhiteIsZero): a bit is white when it says so.
                            if (raster.getSampleModel() instanceof MultiPixelPackedSampleModel) {
                                return packedBits(raster, lut[0] >= 128, lut[1] >= 128);
                            }
                            return threshold(raster, new boolean[] {lut[0] >= 128, lut[1] >= 128});
                        }
                        // Mode "L" (L;2, L;4, L, and the inverting L;2I, L;4I, L;I).
                        return ditherGrey(raster, 0, lut);
                    }
                    if (bits <= 8) {
                        // Grey samples ("L", or "LA" whose grey band is taken as is), which
                        // javax.imageio has already inverted if WhiteIsZero, as Pillow's L;I does.
                        return ditherGrey(raster, 0, bits == 8 ? null : scaleLut(bits));
                    }
                    if (photo == 0 && bits == 16 && raster.getDataBuffer().getDataType() == DataBuffer.TYPE_USHORT) {
                        // javax.imageio inverts 16-bit WhiteIsZero too, but Pillow does not (its
                        // rawmode is plain "I;16"): undo it, then clip as below.
                        int[] lut = new int[65536];
                        for (int i = 0; i < lut.length; i++) {
                            lut[i] = Math.min(65535 - i, 255);
                        }
                        return ditherGrey(raster, 0, lut);
                    }
                    // 12-, 16- and 32-bit grey: modes "I;16", "I;16B", "I" or "F", which reach "L"
                    // clipped to 0..255 (not inverted, even for WhiteIsZero: Pillow's table has
                    // no inverting 16-bit rawmode).
                    return ditherClipped(raster);
                case 2: // RGB
                case 6: // YCbCr: javax.imageio has converted it to RGB (Pillow's libjpeg does too)
                    if (bands < 3) {
                        return Generic.convert(image);
                    }
                    int[] lut = bits == 16 ? highByteLut() : null;
                    if (extra.length > 0 && extra[0] == 1 && bands >= 4) {
                        // Associated alpha: Pillow's RGBa unpacker divides it out before dropping it.
                        return ditherPremultiplied(raster, lut);
                    }
                    return ditherRgb(raster, lut);
                case 3: // palette: Pillow keeps each 16-bit colour map entry's high byte
                    int[] map = ints(dir, COLOR_MAP);
                    int n = map.length / 3;
                    int[] rgb = new int[3 * n];
                    for (int i = 0; i < n; i++) {
                        rgb[3 * i] = (map[i] & 0xffff) >>> 8;
                        rgb[3 * i + 1] = (map[n + i] & 0xffff) >>> 8;
                        rgb[3 * i + 2] = (map[2 * n + i] & 0xffff) >>> 8;
                    }
                    return threshold(raster, paletteWhite(rgb, n, 1 << Math.min(bits, 16)));
                case 5: // CMYK
                    if (bands < 4) {
                        return Generic.convert(image);
                    }
                    return ditherCmyk(raster, bits == 16 ? highByteLut() : null);
                default:
                    return Generic.convert(image);
            }
        }

        static int intTag(TIFFDirectory dir, int tag, int absent) {
            TIFFField f = dir.getTIFFField(tag);
            return f == null || f.getCount() == 0 ? absent : f.getAsInt(0);
        }

        static int[] ints(TIFFDirectory dir, int tag) {
            TIFFField f = dir.getTIFFField(tag);
            if (f == null) {
                return new int[0];
            }
            int[] v = new int[f.getCount()];
            for (int i = 0; i < v.length; i++) {
                v[i] = f.getAsInt(i);
            }
            return v;
        }
    }

    /** Grey samples of any depth and type clipped to 0..255, as Pillow's i2l, I16L_L and f2l do. */
    static BitImage ditherClipped(Raster raster) throws IOException {
        int type = raster.getDataBuffer().getDataType();
        if (type == DataBuffer.TYPE_USHORT || type == DataBuffer.TYPE_BYTE) {
            return ditherGrey(raster, 0, type == DataBuffer.TYPE_BYTE ? null : clipLut());
        }
        int w = raster.getWidth();
        return dither(w, raster.getHeight(), (y, grey) -> {
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
    static BitImage ditherPremultiplied(Raster raster, int[] lut) throws IOException {
        Samples samples = new Samples(raster);
        int w = raster.getWidth();
        int[] g = new int[w];
        int[] b = new int[w];
        int[] a = new int[w];
        return dither(w, raster.getHeight(), (y, grey) -> {
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
    static BitImage ditherCmyk(Raster raster, int[] lut) throws IOException {
        Samples samples = new Samples(raster);
        int w = raster.getWidth();
        int[] m = new int[w];
        int[] ye = new int[w];
        int[] k = new int[w];
        return dither(w, raster.getHeight(), (y, grey) -> {
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
    static int mulDiv255(int a, int b) {
        int tmp = a * b + 128;
        return ((tmp >> 8) + tmp) >> 8;
    }

    static int clip8(int v) {
        return v <= 0 ? 0 : v < 256 ? v : 255;
    }

    // ------------------------------------------------------------------------------------------
    // Anything else javax.imageio reads (JPEG, WBMP, layouts Pillow refuses).
    // ------------------------------------------------------------------------------------------

    private static final class Generic {
        /** Decodes image 0 with javax.imageio ({@code format} null: sniffed), after checking its size. */
        static BufferedImage decodeImage(Reader r, String format) throws IOException {
            try (ImageInputStream in = new FileImageInputStream(r.file.toFile())) {
                ImageReader reader = r.imageReader(in, format, true);
                try {
                    r.checkDimensions(reader.getWidth(0), reader.getHeight(0));
                    return readImage(reader);
                } finally {
                    reader.dispose();
                }
            }
        }

        /** {@code reader.read(0)}, with a useful message for the CMYK JPEGs javax.imageio refuses. */
        static BufferedImage readImage(ImageReader reader) throws IOException {
            try {
                return reader.read(0);
            } catch (IIOException e) {
                String name = reader.getFormatName().toLowerCase(Locale.ROOT);
                if (name.startsWith("jp") && String.valueOf(e.getMessage()).contains("Unsupported Image Type")) {
                    throw new ImageException("a JPEG in a colour space javax.imageio cannot decode (YCCK, or "
                            + "CMYK it does not recognise); convert it to an RGB JPEG or a PNG first", e);
                }
                throw e;
            }
        }

        static BitImage read(Reader r, String format) throws IOException {
            return convert(decodeImage(r, format));
        }

        /**
         * By the decoded image's layout, what Pillow does with the equivalent mode: a palette is
         * thresholded ("P"), grey is dithered ("L"; deeper samples clipped as "I"), colour is
         * dithered by its luma ("RGB", alpha ignored).
         */
        static BitImage convert(BufferedImage image) throws IOException {
            Raster raster = image.getRaster();
            if (image.getColorModel() instanceof IndexColorModel) {
                IndexColorModel icm = (IndexColorModel) image.getColorModel();
                int n = Math.min(icm.getMapSize(), 256);
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
            if (bands == 4 && bits == 8 && image.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_CMYK) {
                // A CMYK JPEG: javax.imageio hands over the samples Adobe-inverted back, as
                // Pillow's "CMYK;I" rawmode does; then cmyk2rgb.
                return ditherCmyk(raster, null);
            }
            if (bands >= 3) {
                return ditherRgb(raster, bits == 8 ? null : bits == 16 ? highByteLut() : scaleLut(bits));
            }
            return bits <= 8 ? ditherGrey(raster, 0, bits == 8 ? null : scaleLut(bits)) : ditherClipped(raster);
        }
    }
}
