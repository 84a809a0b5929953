package dev.jfutures.cli.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * PNG, as Pillow 9.4's {@code PngImagePlugin} reads it: the file's pixels decoded into raw rows,
 * one at a time, and each row made black and white as {@code convert("1")} does for the mode Pillow
 * opens the file in ({@link #read}). The rows are the samples as the file holds them (big-endian
 * 16-bit samples, 1-, 2- and 4-bit samples packed most significant first), no colour model, no
 * expansion of tRNS or of short palettes.
 *
 * <p><b>Why not javax.imageio.</b> Its PNG reader decodes a whole image in one huge method
 * ({@code PNGImageReader.decodePass}) that C2 compiles again and again in a worker JVM, mostly as
 * on-stack-replacement compilations that are thrown away when the next image has another colour
 * type. Measured with JFR on the 100-image bench directory ({@code jfutures compress --executor
 * process}, 2 workers): 0.6 to 1.0 s of C2 time per worker JVM for that method alone, paid again
 * by each worker and competing with the work for the 2 cores; with this decoder, the largest C2
 * compilation of ours takes about 30 ms. Here the work is split into small methods called once per
 * row (inflate a row, undo its filter, scatter an Adam7 pass row, convert a row in the caller's
 * sink), each compiled once and early, whatever the mix of colour types; the loops over rows only
 * call them (a method called once an image runs interpreted for dozens of images before the JIT
 * takes it, so no per-image method may hold per-row work).
 *
 * <p><b>What Pillow 9.4 does, and what this does.</b> The header chunks (everything before the
 * first IDAT) are read as Pillow's {@code PngImageFile._open} reads them: every chunk's CRC is
 * checked (a bad one is an error, as in Pillow), a chunk type must be four of {@code [A-Za-z0-9_]},
 * the palette is the PLTE chunk's entries (at most 256), and a tRNS chunk too short for its colour
 * type is an error. The image data is fed to zlib as Pillow's {@code ImageFile.load} and
 * {@code ZipDecode.c} feed it (each IDAT chunk in pieces of at most 64 KiB, IDAT chunks' own CRCs
 * not checked, inflated one row at a time, the data ending at the first chunk that is not an
 * IDAT), so a zlib error, such as a bad Adler-32 check met while the last row is inflated, is met
 * where Pillow meets it, and data after the last row is ignored as Pillow ignores it; then the
 * chunks up to IEND are walked as Pillow's {@code load_end} walks them (a file that ends inside
 * one is refused, as there).
 *
 * <p><b>Broken files Pillow reads anyway</b> (each checked against Pillow 9.4 by the tests) are
 * read as Pillow reads them:
 * <ul>
 *   <li>a palette image without a PLTE chunk has Pillow's default palette, the grey ramp (entry i
 *       is (i, i, i)), so an index is white when it is 128 or more;
 *   <li>of several PLTE chunks the last wins, whole (the grey ramp again past its entries); a PLTE
 *       met while the image is not a palette image is ignored;
 *   <li>of several IHDR chunks before the image data the last gives the size, and the depth and
 *       colour type unless its pair is not a PNG one (then the earlier pair stays; with no good
 *       pair at all the file is refused); an Adam7 IHDR makes the image Adam7 whatever follows; a
 *       PLTE kept while an earlier IHDR said "palette" turns a later 8-bit grey image into a
 *       palette image of those indices, as Pillow's loading does; other colour types after such a
 *       PLTE are refused: Pillow fails on RGB, 16-bit and 1-bit grey ("unrecognized image mode"),
 *       but reads 2- and 4-bit grey and grey+alpha through the palette, which this does not
 *       reproduce;
 *   <li>an IHDR chunk longer than 13 bytes: the rest is ignored (a shorter one is refused, as
 *       Pillow refuses it, also after the image data, as is one there with a filter method other
 *       than 0);
 *   <li>the compression method byte is not looked at: the data is inflated whatever it says;
 *   <li>a zlib stream that ends right after a whole row before the last one: the rest of the image
 *       is left zero (raw zero samples, so palette index 0 in a palette image), as Pillow's
 *       {@code ZipDecode.c} stops there without an error, whatever
 *       {@code ImageFile.LOAD_TRUNCATED_IMAGES} says. Pillow sees the end only in the zlib call
 *       that inflates a row's last bytes, so a stream that ends inside a row, or before the first,
 *       or whose end comes in a later piece of data than its last row's bytes, is refused, as
 *       Pillow refuses it ("image file is truncated").
 * </ul>
 * Still refused though Pillow reads them: an interlace method above 1 (Pillow takes any nonzero
 * one for Adam7), and the colour types after a kept PLTE named above.
 *
 * <p>Not thread-safe: one decoder reads one file once.
 */
final class Png {
    /** Colour type 0: grey. */
    static final int GREY = 0;
    /** Colour type 2: RGB. */
    static final int RGB = 2;
    /** Colour type 3: palette indices. */
    static final int PALETTE = 3;
    /** Colour type 4: grey and alpha. */
    static final int GREY_ALPHA = 4;
    /** Colour type 6: RGB and alpha. */
    static final int RGBA = 6;

    private static final int IHDR = type("IHDR");
    private static final int PLTE = type("PLTE");
    private static final int IDAT = type("IDAT");
    private static final int IEND = type("IEND");
    private static final int TRNS = type("tRNS");

    /** Adam7: each pass's first column and row, and its column and row steps. */
    private static final int[] PASS_X = {0, 4, 0, 2, 0, 1, 0};
    private static final int[] PASS_Y = {0, 0, 4, 0, 2, 0, 1};
    private static final int[] PASS_DX = {8, 8, 4, 4, 2, 2, 1};
    private static final int[] PASS_DY = {8, 8, 8, 4, 4, 2, 2};

    /** Pillow reads an IDAT chunk's data in pieces of at most this many bytes (decodermaxblock). */
    private static final int PIECE = 65536;

    /** Receives decoded rows, top to bottom. */
    @FunctionalInterface
    interface RowSink {
        /**
         * Takes the next row.
         *
         * @param row the row's bytes as a non-interlaced PNG lays them out (no filter byte), from {@code off}
         * @param off where the row starts in {@code row}
         * @throws IOException if the row cannot be used
         */
        void row(byte[] row, int off) throws IOException;
    }

    private final FileChannel channel;
    private final long size;
    private final int width;
    private final int height;
    private final int depth;
    private final int colorType;
    private final boolean interlaced;
    /** Bits a pixel: depth times the samples a pixel. */
    private final int pixelBits;
    /** The PLTE chunk's bytes (R, G, B an entry), or null if there was none before the first IDAT. */
    private final byte[] palette;
    /** The offset of the first IDAT chunk (its length field). */
    private final long firstIdat;

    // The image data's reading state.
    private Inflater inflater;
    private byte[] piece;
    /** The offset of the next unread byte of the current IDAT chunk's data. */
    private long dataPos;
    /** How many bytes of the current IDAT chunk's data are unread. */
    private long dataLeft;
    /** The offset just past the current IDAT chunk's data (its CRC). */
    private long dataEnd;
    /** The current pass's row: its bytes after the filter byte, and the bytes a pixel (at least 1). */
    private int rowLength;
    private int bpp;
    /** The row being decoded and the one before it, unfiltered; each with its filter byte first. */
    private byte[] cur;
    private byte[] prev;
    /** For messages: the Adam7 pass (-1 if not interlaced), the row in it and how many it has. */
    private int pass = -1;
    private int row;
    private int rows;
    /**
     * Whether the zlib stream ended right after a whole row before the last one: Pillow's
     * {@code ZipDecode.c} then stops without an error, the rest of the image left zero.
     */
    private boolean ended;

    private Png(FileChannel channel, long size, int[] header, byte[] palette, long firstIdat) {
        this.channel = channel;
        this.size = size;
        this.width = header[0];
        this.height = header[1];
        this.depth = header[2];
        this.colorType = header[3];
        this.interlaced = header[4] != 0;
        this.pixelBits = depth * samples(colorType);
        this.palette = palette;
        this.firstIdat = firstIdat;
    }

    /** @return the width in pixels, 1 to 65535 */
    int width() {
        return width;
    }

    /** @return the height in pixels, 1 to 65535 */
    int height() {
        return height;
    }

    /** @return the bit depth of a sample: 1, 2, 4, 8 or 16, as allowed for {@link #colorType()} */
    int depth() {
        return depth;
    }

    /** @return the colour type: {@link #GREY}, {@link #RGB}, {@link #PALETTE}, {@link #GREY_ALPHA} or {@link #RGBA} */
    int colorType() {
        return colorType;
    }

    /** @return whether the image data is Adam7-interlaced */
    boolean interlaced() {
        return interlaced;
    }

    /**
     * The palette: the PLTE chunk's entries, as ints 0..255, three an entry (R, G, B).
     *
     * @return the entries, or null for an image that is not a palette image
     */
    int[] palette() {
        if (palette == null || colorType != PALETTE) {
            return null;
        }
        int[] rgb = new int[palette.length / 3 * 3];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = palette[i] & 0xff;
        }
        return rgb;
    }

    /** How many samples a pixel of {@code colorType} has. */
    private static int samples(int colorType) {
        switch (colorType) {
            case RGB:
                return 3;
            case GREY_ALPHA:
                return 2;
            case RGBA:
                return 4;
            default:
                return 1;
        }
    }

    // ------------------------------------------------------------------------------------------
    // The header chunks
    // ------------------------------------------------------------------------------------------

    /**
     * Reads the header chunks, up to the first IDAT chunk, and checks them.
     *
     * @param channel the file, positioned anywhere (reads are positional)
     * @param size the file's size
     * @return the decoder, ready to {@link #decode}
     * @throws ImageException if the file is truncated, corrupt, or breaks the PNG rules
     *     listed in the class comment, or its dimensions are outside 1..65535 (the message says which)
     * @throws IOException if the file cannot be read
     */
    static Png open(FileChannel channel, long size) throws IOException {
        Header h = new Header(channel, size);
        return h.walk();
    }

    /** The walk over the header chunks. */
    private static final class Header {
        private final FileChannel channel;
        private final long size;
        private final CRC32 crc = new CRC32();

        Header(FileChannel channel, long size) {
            this.channel = channel;
            this.size = size;
        }

        Png walk() throws IOException {
            byte[] first = exactly(8, 8, "the PNG header");
            if (i32(first, 4) != IHDR) {
                throw corrupt("it does not start with an IHDR chunk");
            }
            // Pillow's chunk_IHDR, for each IHDR before the image data: the last one's size wins; its
            // depth and colour type only if Pillow's _MODES knows the pair (else the earlier pair stays);
            // a nonzero interlace byte is never undone by a later IHDR; the compression method byte
            // is not looked at (the data is inflated whatever it says).
            long width = 0;
            long height = 0;
            int depth = -1;
            int colorType = -1;
            String badPair = null;
            int interlace = 0;
            byte[] palette = null;
            long pos = 8;
            while (true) {
                byte[] head = bytes(pos, 8);
                if (head.length < 8) {
                    throw truncated("the file ends before the image data (no IDAT chunk)");
                }
                long length = i32(head, 0) & 0xffffffffL;
                int type = i32(head, 4);
                checkType(head, pos);
                if (length > Integer.MAX_VALUE) {
                    throw corrupt("the " + name(type) + " chunk at offset " + pos + " claims " + length
                            + " bytes (at most 2^31 - 1)");
                }
                if (type == IDAT) {
                    if (depth < 0) {
                        throw corrupt(badPair);
                    }
                    ImageFile.checkDimensions(width, height);
                    if (palette != null && colorType != PALETTE) {
                        if (colorType == GREY && depth == 8) {
                            // Pillow keeps a PLTE read while an earlier IHDR said "palette"; loading
                            // puts it on the grey image, which makes it a palette image whose indices
                            // are the grey samples.
                            colorType = PALETTE;
                        } else {
                            throw corrupt("a PLTE chunk read as a palette image's, then an IHDR making it colour"
                                    + " type " + colorType + " of depth " + depth + " (Pillow's reading of this"
                                    + " is not reproduced)");
                        }
                    }
                    if (colorType == PALETTE && palette == null) {
                        // Pillow's palette for a "P" image without PLTE: the grey ramp (an empty PLTE).
                        palette = new byte[0];
                    }
                    if (colorType == PALETTE && palette.length / 3 > 256) {
                        // Pillow: "invalid palette size".
                        throw corrupt("a PLTE chunk of " + palette.length / 3 + " entries (at most 256)");
                    }
                    return new Png(channel, size,
                            new int[] {(int) width, (int) height, depth, colorType, interlace}, palette, pos);
                }
                if (type == IEND) {
                    // The size is refused first, as the .rle format's limit, whatever else is wrong.
                    ImageFile.checkDimensions(width, height);
                    throw corrupt("no image data (IEND comes before any IDAT chunk)");
                }
                if (pos + 12 + length > size) {
                    throw truncated(pos == 8 ? "the file ends inside the PNG header"
                            : "the file ends inside the " + name(type) + " chunk");
                }
                if (type == IHDR) {
                    if (length < 13) {
                        // Pillow: ValueError "Truncated IHDR chunk".
                        throw corrupt("an IHDR chunk of " + length + " bytes (at least 13)");
                    }
                    byte[] ihdr = exactly(pos + 8, (int) length + 4, "the IHDR chunk");
                    width = i32(ihdr, 0) & 0xffffffffL;
                    height = i32(ihdr, 4) & 0xffffffffL;
                    String bad = checkDepth(ihdr[8] & 0xff, ihdr[9] & 0xff);
                    if (bad == null) {
                        depth = ihdr[8] & 0xff;
                        colorType = ihdr[9] & 0xff;
                    } else if (badPair == null) {
                        badPair = bad;
                    }
                    if (ihdr[11] != 0) {
                        throw corrupt("filter method " + (ihdr[11] & 0xff) + " (PNG defines only 0)");
                    }
                    if ((ihdr[12] & 0xff) > 1) {
                        throw corrupt("interlace method " + (ihdr[12] & 0xff) + " (PNG defines 0, none, and 1, Adam7)");
                    }
                    interlace |= ihdr[12];
                    checkCrc(IHDR, ihdr, (int) length, i32(ihdr, (int) length));
                } else if (type == PLTE || type == TRNS) {
                    byte[] data = exactly(pos + 8, (int) length + 4, "the " + name(type) + " chunk");
                    checkCrc(type, data, (int) length, i32(data, (int) length));
                    if (type == PLTE) {
                        // Pillow keeps a PLTE only while the image is a palette image; the last one wins.
                        if (colorType == PALETTE) {
                            palette = Arrays.copyOf(data, (int) length);
                        }
                    } else {
                        checkTrns(colorType, (int) length);
                    }
                } else {
                    checkCrc(type, pos + 8, length);
                }
                pos += 12 + length;
            }
        }

        /**
         * The depth/colour type pairs Pillow's {@code _MODES} table has, which are the PNG specification's.
         *
         * @return null if the pair is one, else what is wrong with it
         */
        static String checkDepth(int depth, int colorType) {
            boolean ok;
            String allowed;
            switch (colorType) {
                case GREY:
                    ok = depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16;
                    allowed = "a grey image has depth 1, 2, 4, 8 or 16";
                    break;
                case PALETTE:
                    ok = depth == 1 || depth == 2 || depth == 4 || depth == 8;
                    allowed = "a palette image has depth 1, 2, 4 or 8";
                    break;
                case RGB:
                case GREY_ALPHA:
                case RGBA:
                    ok = depth == 8 || depth == 16;
                    allowed = "colour type " + colorType + " has depth 8 or 16";
                    break;
                default:
                    return "colour type " + colorType + " (PNG defines 0, 2, 3, 4 and 6)";
            }
            return ok ? null : "bit depth " + depth + " with colour type " + colorType + " (" + allowed + ")";
        }

        /** Pillow unpacks a grey tRNS as one 16-bit value and an RGB one as three: shorter fails. */
        static void checkTrns(int colorType, int length) throws ImageException {
            int need = colorType == GREY ? 2 : colorType == RGB ? 6 : 0;
            if (length < need) {
                throw corrupt("a tRNS chunk of " + length + " bytes (colour type " + colorType + " needs " + need
                        + ")");
            }
        }

        static void checkType(byte[] head, long pos) throws ImageException {
            if (!isType(head)) {
                throw corrupt("not a chunk type at offset " + (pos + 4) + " ("
                        + HexFormat.of().formatHex(head, 4, 8) + "): the file is damaged");
            }
        }

        void checkCrc(int type, byte[] data, int length, int stored) throws ImageException {
            crc.reset();
            crc.update(typeBytes(type));
            crc.update(data, 0, length);
            if ((int) crc.getValue() != stored) {
                throw corrupt("bad CRC in the " + name(type) + " chunk (the file is damaged)");
            }
        }

        /** The CRC check of a chunk not otherwise read, in pieces (ancillary chunks can be large). */
        void checkCrc(int type, long dataPos, long length) throws IOException {
            crc.reset();
            crc.update(typeBytes(type));
            byte[] buf = new byte[(int) Math.min(PIECE, length + 4)];
            long left = length;
            long pos = dataPos;
            while (left > 0) {
                int n = (int) Math.min(buf.length, left);
                if (readAt(channel, pos, buf, 0, n) < n) {
                    throw truncated("the file ends inside the " + name(type) + " chunk");
                }
                crc.update(buf, 0, n);
                pos += n;
                left -= n;
            }
            byte[] stored = exactly(pos, 4, "the " + name(type) + " chunk");
            if ((int) crc.getValue() != i32(stored, 0)) {
                throw corrupt("bad CRC in the " + name(type) + " chunk (the file is damaged)");
            }
        }

        byte[] bytes(long pos, int n) throws IOException {
            byte[] b = new byte[n];
            int got = readAt(channel, pos, b, 0, n);
            return got == n ? b : Arrays.copyOf(b, got);
        }

        byte[] exactly(long pos, int n, String what) throws IOException {
            byte[] b = bytes(pos, n);
            if (b.length < n) {
                throw truncated("the file ends inside " + what);
            }
            return b;
        }
    }

    // ------------------------------------------------------------------------------------------
    // The image data
    // ------------------------------------------------------------------------------------------

    /**
     * Decodes the image data, handing each row, top to bottom, to {@code sink}.
     *
     * @param sink what takes the rows
     * @throws ImageException if the file ends inside the image data, the zlib stream is
     *     broken or ends short of a whole row (ending right after one leaves the rest zero, as in
     *     Pillow), the IDAT chunks stop before the last row, a row has an unknown
     *     filter type (the message names the row), or the file ends inside a chunk after the image
     *     data
     * @throws IOException if the file cannot be read, or {@code sink} fails
     */
    void decode(RowSink sink) throws IOException {
        inflater = new Inflater();
        piece = new byte[PIECE];
        dataEnd = firstIdat - 4;
        try {
            if (!interlaced) {
                decodePass(width, height, sink);
            } else {
                decodeInterlaced(sink);
            }
        } finally {
            inflater.end();
        }
        checkTrailingChunks();
    }

    /**
     * Pillow's {@code load_end}: after the last row it walks the chunks that follow, up to IEND, a
     * chunk header the file ends inside or one that is not a chunk type, reading each chunk's data
     * (their CRCs unchecked), and fails if the file ends inside a chunk's data. So does this.
     */
    private void checkTrailingChunks() throws IOException {
        byte[] head = new byte[8];
        long pos = dataEnd + 4;
        while (readAt(channel, pos, head, 0, 8) == 8 && isType(head) && i32(head, 4) != IEND) {
            long length = i32(head, 0) & 0xffffffffL;
            if (pos + 8 + length > size) {
                throw truncated("the file ends inside the " + name(i32(head, 4)) + " chunk after the image data");
            }
            if (i32(head, 4) == IHDR) {
                // load_end runs Pillow's chunk_IHDR on it, which fails as before the image data; the
                // size and mode it sets come too late to matter.
                if (length < 13) {
                    throw corrupt("an IHDR chunk of " + length + " bytes (at least 13) after the image data");
                }
                byte[] filter = new byte[1];
                readAt(channel, pos + 8 + 11, filter, 0, 1);
                if (filter[0] != 0) {
                    throw corrupt("filter method " + (filter[0] & 0xff) + " (PNG defines only 0) in an IHDR chunk"
                            + " after the image data");
                }
            }
            pos += 12 + length;
        }
    }

    /** Adam7: the seven passes scattered into a whole image, then its rows handed on. */
    private void decodeInterlaced(RowSink sink) throws IOException {
        int stride = rowBytes(width);
        byte[][] image = new byte[height][stride];
        Scatter scatter = new Scatter(image, pixelBits);
        for (int p = 0; p < 7 && !ended; p++) {
            int w = passSize(width, PASS_X[p], PASS_DX[p]);
            int h = passSize(height, PASS_Y[p], PASS_DY[p]);
            if (w == 0 || h == 0) {
                continue;
            }
            pass = p;
            scatter.start(PASS_X[p], PASS_DX[p], PASS_Y[p], PASS_DY[p], w);
            decodePass(w, h, scatter);
        }
        for (byte[] r : image) {
            sink.row(r, 0);
        }
    }

    /** The pixels of a pass along one axis: those at start, start + step, ... below size. */
    static int passSize(int size, int start, int step) {
        return size <= start ? 0 : (size - start + step - 1) / step;
    }

    /** The bytes of a row of {@code w} pixels, after its filter byte. */
    private int rowBytes(int w) {
        return (int) (((long) w * pixelBits + 7) >>> 3);
    }

    /**
     * One pass (the whole image if not interlaced): inflate, unfilter and hand on each row. The
     * loop only calls {@link #nextRow}: a method called once an image runs interpreted for dozens
     * of images before the JIT compiles it, so the work of a row must not be in its loop.
     */
    private void decodePass(int w, int h, RowSink sink) throws IOException {
        rowLength = rowBytes(w);
        bpp = Math.max(1, pixelBits >>> 3);
        // Each row's filter byte at [0], its bytes at [1..n]; the previous row starts as zeros.
        cur = new byte[rowLength + 1];
        prev = new byte[rowLength + 1];
        rows = h;
        for (row = 0; row < h && !ended; row++) {
            nextRow(sink);
        }
        if (ended && !interlaced) {
            // Pillow's image memory starts zeroed, and zero bytes are zero samples in every mode.
            byte[] zeros = new byte[rowLength + 1];
            for (; row < h; row++) {
                sink.row(zeros, 1);
            }
        }
    }

    /** Inflates the next row into {@link #cur}, undoes its filter, hands it on, and makes it {@link #prev}. */
    private void nextRow(RowSink sink) throws IOException {
        byte[] r = cur;
        int n = rowLength;
        inflateRow(r, n + 1);
        if (!unfilter(r, prev, n, bpp)) {
            throw corrupt("unknown filter type " + (r[0] & 0xff) + " " + where()
                    + " (PNG defines 0 to 4; the image data is damaged)");
        }
        sink.row(r, 1);
        cur = prev;
        prev = r;
        // zlib reports the end of the stream in the call that inflates its last bytes, if the end is
        // in the input it was given, as Pillow's decoder sees it: that call's row is its last.
        ended = inflater.finished();
    }

    /** Inflates exactly {@code n} bytes into {@code buf}, feeding IDAT data as zlib asks for it. */
    private void inflateRow(byte[] buf, int n) throws IOException {
        int off = 0;
        while (off < n) {
            int k;
            try {
                k = inflater.inflate(buf, off, n - off);
            } catch (DataFormatException e) {
                throw corrupt("bad zlib stream in the image data (" + e.getMessage() + ") " + where());
            }
            off += k;
            if (k == 0) {
                if (inflater.finished()) {
                    // Pillow waits for the rest of the row, which never comes: "image file is truncated".
                    throw corrupt("too little image data: the zlib stream ends short of a whole row, " + where());
                }
                if (inflater.needsDictionary()) {
                    throw corrupt("bad zlib stream in the image data (it asks for a preset dictionary,"
                            + " which PNG does not allow)");
                }
                if (!inflater.needsInput()) {
                    // zlib makes progress whenever it has input and room for output.
                    throw corrupt("bad zlib stream in the image data (it stops making progress) " + where());
                }
                feed();
            }
        }
    }

    /** Gives zlib the next piece of IDAT data: the rest of this chunk (64 KiB at most), or of the next. */
    private void feed() throws IOException {
        while (dataLeft == 0) {
            nextChunk();
        }
        int n = (int) Math.min(PIECE, dataLeft);
        int got = readAt(channel, dataPos, piece, 0, n);
        if (got <= 0) {
            throw truncated("the file ends inside the image data, " + where());
        }
        dataPos += got;
        // A short read means the file ends here: the next feed finds nothing and says so.
        dataLeft -= got;
        inflater.setInput(piece, 0, got);
    }

    /** Steps to the chunk after the current IDAT (skipping its CRC, as Pillow does): it must be an IDAT. */
    private void nextChunk() throws IOException {
        long pos = dataEnd + 4;
        byte[] head = new byte[8];
        if (readAt(channel, pos, head, 0, 8) < 8) {
            throw truncated("the file ends inside the image data, " + where());
        }
        if (i32(head, 4) != IDAT) {
            throw corrupt("too little image data: the IDAT chunks end " + where());
        }
        long length = i32(head, 0) & 0xffffffffL;
        if (length > Integer.MAX_VALUE) {
            throw corrupt("the IDAT chunk at offset " + pos + " claims " + length + " bytes (at most 2^31 - 1)");
        }
        dataPos = pos + 8;
        dataLeft = length;
        dataEnd = dataPos + length;
    }

    /** Where the decoding is, for messages: "in row 7 of 100" (and "of Adam7 pass 3"). */
    private String where() {
        return "in row " + (row + 1) + " of " + rows + (pass >= 0 ? " of Adam7 pass " + (pass + 1) : "");
    }

    // ------------------------------------------------------------------------------------------
    // The per-row steps: small methods, each compiled on its own.
    // ------------------------------------------------------------------------------------------

    /**
     * Undoes row {@code cur}'s filter (its type in {@code cur[0]}, its {@code n} bytes at
     * {@code cur[1..n]}), given the previous row, unfiltered, in {@code prev} (zeros for a pass's
     * first row).
     *
     * @param bpp the bytes a pixel, at least 1
     * @return false if the filter type is unknown
     */
    static boolean unfilter(byte[] cur, byte[] prev, int n, int bpp) {
        switch (cur[0]) {
            case 0:
                return true;
            case 1:
                sub(cur, n, bpp);
                return true;
            case 2:
                up(cur, prev, n);
                return true;
            case 3:
                average(cur, prev, n, bpp);
                return true;
            case 4:
                paeth(cur, prev, n, bpp);
                return true;
            default:
                return false;
        }
    }

    /** Filter 1, Sub: each byte plus the one a pixel to its left. */
    static void sub(byte[] cur, int n, int bpp) {
        for (int i = bpp + 1; i <= n; i++) {
            cur[i] += cur[i - bpp];
        }
    }

    /** Filter 2, Up: each byte plus the one above it. */
    static void up(byte[] cur, byte[] prev, int n) {
        for (int i = 1; i <= n; i++) {
            cur[i] += prev[i];
        }
    }

    /** Filter 3, Average: each byte plus the floor of the mean of the left and upper ones. */
    static void average(byte[] cur, byte[] prev, int n, int bpp) {
        int i = 1;
        for (; i <= bpp; i++) {
            cur[i] += (prev[i] & 0xff) >>> 1;
        }
        for (; i <= n; i++) {
            cur[i] += ((cur[i - bpp] & 0xff) + (prev[i] & 0xff)) >>> 1;
        }
    }

    /**
     * Filter 4, Paeth: each byte plus whichever of left, upper and upper-left is nearest to
     * left + upper - upper-left (ties in that order).
     */
    static void paeth(byte[] cur, byte[] prev, int n, int bpp) {
        int i = 1;
        for (; i <= bpp; i++) {
            cur[i] += prev[i];
        }
        for (; i <= n; i++) {
            int a = cur[i - bpp] & 0xff;
            int b = prev[i] & 0xff;
            int c = prev[i - bpp] & 0xff;
            int pa = Math.abs(b - c);
            int pb = Math.abs(a - c);
            int pc = Math.abs(a + b - 2 * c);
            cur[i] += (pa <= pb && pa <= pc) ? a : pb <= pc ? b : c;
        }
    }

    /** Puts each Adam7 pass row's pixels where they belong in the whole image (zeros until then). */
    private static final class Scatter implements RowSink {
        private final byte[][] image;
        private final int pixelBits;
        private int x0;
        private int dx;
        private int y;
        private int dy;
        private int w;

        Scatter(byte[][] image, int pixelBits) {
            this.image = image;
            this.pixelBits = pixelBits;
        }

        void start(int x0, int dx, int y0, int dy, int w) {
            this.x0 = x0;
            this.dx = dx;
            this.y = y0;
            this.dy = dy;
            this.w = w;
        }

        @Override
        public void row(byte[] row, int off) {
            byte[] dst = image[y];
            y += dy;
            if (pixelBits >= 8) {
                scatterBytes(row, off, dst, x0, dx, w, pixelBits >>> 3);
            } else {
                scatterBits(row, off, dst, x0, dx, w, pixelBits);
            }
        }
    }

    /** Pixels of {@code bytes} bytes from {@code src} to every {@code dx}-th pixel of {@code dst} from {@code x0}. */
    static void scatterBytes(byte[] src, int off, byte[] dst, int x0, int dx, int n, int bytes) {
        int d = x0 * bytes;
        int step = dx * bytes;
        if (bytes == 1) {
            for (int i = 0; i < n; i++, d += step) {
                dst[d] = src[off + i];
            }
            return;
        }
        for (int i = 0, s = off; i < n; i++, s += bytes, d += step) {
            for (int b = 0; b < bytes; b++) {
                dst[d + b] = src[s + b];
            }
        }
    }

    /**
     * As {@link #scatterBytes}, for pixels of 1, 2 or 4 bits packed most significant first;
     * {@code dst} starts zeroed.
     */
    static void scatterBits(byte[] src, int off, byte[] dst, int x0, int dx, int n, int bits) {
        int mask = (1 << bits) - 1;
        for (int i = 0; i < n; i++) {
            int s = i * bits;
            int v = (src[off + (s >>> 3)] >>> (8 - bits - (s & 7))) & mask;
            int d = (x0 + i * dx) * bits;
            dst[d >>> 3] |= (byte) (v << (8 - bits - (d & 7)));
        }
    }

    // ------------------------------------------------------------------------------------------
    // Helpers
    // ------------------------------------------------------------------------------------------

    /** Reads up to {@code n} bytes at {@code pos}; fewer only at the end of the file. */
    static int readAt(FileChannel channel, long pos, byte[] dst, int off, int n) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(dst, off, n);
        while (b.hasRemaining()) {
            if (channel.read(b, pos + b.position() - off) < 0) {
                break;
            }
        }
        return b.position() - off;
    }

    /** Pillow's {@code is_cid}: whether a chunk header's type (bytes 4..7) is four word characters. */
    static boolean isType(byte[] head) {
        for (int i = 4; i < 8; i++) {
            int c = head[i] & 0xff;
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_')) {
                return false;
            }
        }
        return true;
    }

    private static int i32(byte[] b, int i) {
        return (b[i] & 0xff) << 24 | (b[i + 1] & 0xff) << 16 | (b[i + 2] & 0xff) << 8 | (b[i + 3] & 0xff);
    }

    private static int type(String name) {
        return i32(name.getBytes(StandardCharsets.ISO_8859_1), 0);
    }

    private static byte[] typeBytes(int type) {
        return new byte[] {(byte) (type >>> 24), (byte) (type >>> 16), (byte) (type >>> 8), (byte) type};
    }

    private static String name(int type) {
        return new String(typeBytes(type), StandardCharsets.ISO_8859_1);
    }

    private static ImageException corrupt(String message) {
        return new ImageException("corrupt PNG: " + message);
    }

    private static ImageException truncated(String message) {
        return new ImageException("truncated PNG: " + message);
    }

    // ------------------------------------------------------------------------------------------
    // Pillow's modes: the decoded rows made black and white
    // ------------------------------------------------------------------------------------------

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
    static BitImage read(ImageFile r) throws IOException {
        Png png = open(r.channel, r.size);
        int w = png.width();
        int h = png.height();
        int depth = png.depth();
        RowImage sink;
        switch (png.colorType()) {
            case GREY:
                sink = depth == 1 ? new PackedRows(w, h, false, true)
                        : new GreyRowsOf(w, h, depth == 16 ? GreyRowsOf.CLIP16
                                : depth == 8 ? GreyRowsOf.BYTES : GreyRowsOf.SCALED, depth, 1);
                break;
            case RGB:
            case RGBA:
                int samples = png.colorType() == RGB ? 3 : 4;
                sink = new GreyRowsOf(w, h, GreyRowsOf.LUMA, depth / 8, samples * depth / 8);
                break;
            case GREY_ALPHA:
                // the grey sample's (high) byte, every 2 or 4 bytes
                sink = new GreyRowsOf(w, h, GreyRowsOf.BYTES, 8, 2 * depth / 8);
                break;
            default: // PALETTE (open() allows no other)
                int[] palette = png.palette();
                boolean[] white = Palette.white(palette, palette.length / 3, 1 << depth);
                sink = depth == 1 ? new PackedRows(w, h, white[0], white[1]) : new IndexRows(w, h, depth, white);
                break;
        }
        png.decode(sink);
        return sink.image();
    }

    /** Takes decoded rows and makes the bilevel image of them. */
    private interface RowImage extends RowSink {
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
            Palette.copyRow(row, off, bits, base, stride, lastMask, zeroWhite, oneWhite);
            base += stride;
        }

        @Override
        public BitImage image() {
            return new BitImage(width, bits.length / stride, bits);
        }
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
            Palette.packRow(indices, width, white, bits, base);
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
    private static void unpack(byte[] row, int off, int bits, int scale, int w, int[] out) {
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
    private static void everyNth(byte[] row, int off, int step, int w, int[] out) {
        for (int x = 0, i = off; x < w; x++, i += step) {
            out[x] = row[i] & 0xff;
        }
    }

    /** Big-endian 16-bit samples clipped to 255, as Pillow's "I" to "L" does. */
    private static void clip16(byte[] row, int off, int w, int[] out) {
        for (int x = 0, i = off; x < w; x++, i += 2) {
            out[x] = row[i] != 0 ? 255 : row[i + 1] & 0xff;
        }
    }

    /** Pillow's luma {@code (299 R + 587 G + 114 B) / 1000} of the first byte of each R, G, B sample. */
    private static void luma(byte[] row, int off, int sampleBytes, int pixelBytes, int w, int[] out) {
        for (int x = 0, i = off; x < w; x++, i += pixelBytes) {
            int r = row[i] & 0xff;
            int g = row[i + sampleBytes] & 0xff;
            int b = row[i + 2 * sampleBytes] & 0xff;
            out[x] = (r * 299 + g * 587 + b * 114) / 1000;
        }
    }
}
