package dev.jfutures.cli.rle;

import dev.jfutures.cli.image.BitImage;
import java.util.Arrays;

/**
 * The book's run-length encoding of black-and-white images ({@code .rle}), both ways.
 *
 * <p>The format: a 2-byte little-endian width, a 2-byte little-endian height, then, for each row
 * from the top and each chunk of 127 pixels of that row from the left (the last chunk of a row may
 * be shorter; a chunk never crosses a row), one byte per run of equal pixels in that chunk: bit 7
 * the colour (1 white), bits 0-6 the run's length, 1 to 127. There are no row delimiters: a
 * decoder finds the end of a row by counting pixels.
 *
 * <p>The encoder produces exactly the bytes of the book's Python ({@code compress_chunk} over each
 * chunk of each row). The decoder is strict about everything that would make the pixels ambiguous
 * (see {@link #decode}), and lenient about one thing the book's encoder never writes but that
 * decodes to well-defined pixels: a run that crosses a 127-pixel chunk boundary within a row, and
 * two neighbouring runs of the same colour, are accepted as they are.
 *
 * <p>Rows and columns count from 0 in every message, as byte offsets do.
 */
public final class Rle {

    /* Implementation notes
     *
     * Encoding never looks at one pixel at a time. encodeRow() loads 64 pixels of the row as one
     * big-endian long (the packing puts the leftmost pixel in the most significant bit, so a
     * big-endian load keeps pixel order) and XORs it with the current run's colour, so that the
     * pixels that differ become 1 bits; numberOfLeadingZeros() is then the run's length within the
     * word. The next run has the other colour, so the same word, inverted and shifted past the run,
     * serves for it: a word is loaded again only when a run outlasts it. A long run costs one load
     * per 57 to 64 pixels, and noise about one bit operation per run. A load may read past the row's
     * last pixel (into the next row, or zeros past the array's end); every run is cut at the width,
     * so whatever lies there cannot matter.
     *
     * The 127-pixel chunks are handled while writing a run (put()): a run is cut where it crosses a
     * chunk boundary. That gives the book's bytes exactly, because compress_chunk only ever ends a
     * run at a colour change or at the end of its chunk.
     */

    /** The longest run one byte holds, and the chunk length: 7 bits. */
    public static final int MAX_RUN = 127;

    /** The header's length: width and height, 2 bytes each, little-endian. */
    public static final int HEADER_BYTES = 4;

    private Rle() {
    }

    // ------------------------------------------------------------------ encoding

    /**
     * The most bytes a row of {@code width} pixels can encode to: one per pixel, when they
     * alternate.
     *
     * @param width the width in pixels
     * @return {@code width}
     * @throws IllegalArgumentException if {@code width} is outside 1..65535
     */
    public static int maxRowBytes(int width) {
        BitImage.checkDimensions(width, 1);
        return width;
    }

    /**
     * Encodes one packed row into {@code out}.
     *
     * @param bits packed pixels, as {@link BitImage} packs them
     * @param rowOffset the index in {@code bits} of the row's first byte
     * @param width the row's width in pixels
     * @param out where the runs go; needs room for {@link #maxRowBytes maxRowBytes(width)} bytes
     *     from {@code outOffset} unless the caller knows the row encodes shorter
     * @param outOffset where in {@code out} the first run goes
     * @return the index in {@code out} after the last run written
     * @throws IllegalArgumentException if {@code width} is outside 1..65535
     * @throws IndexOutOfBoundsException if the row does not lie within {@code bits}, or {@code out}
     *     has no room
     */
    public static int encodeRow(byte[] bits, int rowOffset, int width, byte[] out, int outOffset) {
        BitImage.checkDimensions(width, 1);
        if (rowOffset < 0 || (long) rowOffset + ((width + 7) >>> 3) > bits.length) {
            throw new IndexOutOfBoundsException("a row of " + width + " pixels at byte " + rowOffset
                    + " does not fit in " + bits.length + " bytes");
        }
        int pos = outOffset;
        int chunkEnd = Math.min(MAX_RUN, width);
        int white = (bits[rowOffset] >>> 7) & 1;
        int runStart = 0;
        int x = 0;
        while (true) {
            // The next 64 pixels from x, as "differs from the run's colour" bits. The pixels before
            // x in its byte are shifted out; the zeros shifted in at the right are not pixels, so
            // only the first 64 - skip bits are trusted.
            int skip = x & 7;
            int valid = 64 - skip;
            long differs = (load(bits, rowOffset + (x >>> 3)) ^ -white) << skip;
            while (true) {
                int n = Long.numberOfLeadingZeros(differs);   // 64 when nothing differs
                if (n >= valid) {                              // the run goes on past these pixels
                    x += valid;
                    if (x >= width) {
                        return put(out, pos, white, runStart, width, chunkEnd);
                    }
                    break;
                }
                x += n;
                if (x >= width) {
                    return put(out, pos, white, runStart, width, chunkEnd);
                }
                pos = put(out, pos, white, runStart, x, chunkEnd);
                while (chunkEnd <= x) {
                    chunkEnd = Math.min(chunkEnd + MAX_RUN, width);
                }
                // The next run has the other colour: what differed from the old colour is the
                // same as the new one, and the other way round.
                white ^= 1;
                runStart = x;
                differs = ~differs << n;
                valid -= n;
            }
        }
    }

    /**
     * Writes the run [from, to) of one colour, one byte per piece of it in each chunk it touches,
     * as compress_chunk writes it.
     *
     * @param chunkEnd the end of the chunk that {@code from} is in
     * @return the index in {@code out} after the last byte written
     */
    private static int put(byte[] out, int pos, int white, int from, int to, int chunkEnd) {
        int colour = white << 7;
        while (to > chunkEnd) {
            out[pos++] = (byte) (colour | (chunkEnd - from));
            from = chunkEnd;
            chunkEnd += MAX_RUN;
        }
        out[pos++] = (byte) (colour | (to - from));
        return pos;
    }

    /**
     * Encodes one packed row.
     *
     * @param row the row's packed pixels: at least {@code (width + 7) / 8} bytes
     * @param width the row's width in pixels
     * @return the row's runs
     * @throws IllegalArgumentException if {@code width} is outside 1..65535
     * @throws IndexOutOfBoundsException if {@code row} is too short for {@code width}
     */
    public static byte[] encodeRow(byte[] row, int width) {
        byte[] out = scratch(maxRowBytes(width));
        return Arrays.copyOf(out, encodeRow(row, 0, width, out, 0));
    }

    /**
     * Per thread, room for the longest row's runs (one byte per pixel at worst), reused: a row
     * mostly encodes to far fewer bytes than it has pixels, and allocating the worst case for each
     * row was most of a command-line compress's encoding time (a 7200x5600 image: 40 MB of fresh
     * pages, 10k page faults, ~40 ms of a ~170 ms run). At most 64 KiB per thread.
     */
    private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[0]);

    private static byte[] scratch(int bytes) {
        byte[] s = SCRATCH.get();
        if (s.length < bytes) {
            s = new byte[bytes];
            SCRATCH.set(s);
        }
        return s;
    }

    /**
     * Encodes one row of an image.
     *
     * @param image the image
     * @param y the row, from 0
     * @return the row's runs
     * @throws IndexOutOfBoundsException if {@code y} is not a row of the image
     */
    public static byte[] encodeRow(BitImage image, int y) {
        if (y < 0 || y >= image.height()) {
            throw new IndexOutOfBoundsException("row " + y + " is outside 0.." + image.height() + " of " + image);
        }
        byte[] out = scratch(maxRowBytes(image.width()));
        return Arrays.copyOf(out, encodeRow(image.bits(), y * image.stride(), image.width(), out, 0));
    }

    /**
     * Encodes rows {@code fromRow} (inclusive) to {@code toRow} (exclusive) of an image, one after
     * the other, as they follow each other in the file.
     *
     * @param image the image
     * @param fromRow the first row, from 0
     * @param toRow the row after the last
     * @return the rows' runs
     * @throws IndexOutOfBoundsException if the range is not within the image's rows
     */
    public static byte[] encodeRows(BitImage image, int fromRow, int toRow) {
        if (fromRow < 0 || toRow > image.height() || fromRow > toRow) {
            throw new IndexOutOfBoundsException("rows " + fromRow + ".." + toRow + " are outside 0.."
                    + image.height() + " of " + image);
        }
        Output out = new Output(Math.max(16, (toRow - fromRow) * 8));
        appendRows(image, fromRow, toRow, out);
        return out.toByteArray();
    }

    /**
     * The 4-byte header of an image of this size.
     *
     * @param width the width in pixels
     * @param height the height in pixels
     * @return the header
     * @throws IllegalArgumentException if a dimension is outside 1..65535, which the header's
     *     2 bytes each cannot hold (the message names the dimension)
     */
    public static byte[] header(int width, int height) {
        BitImage.checkDimensions(width, height);
        return new byte[] {(byte) width, (byte) (width >>> 8), (byte) height, (byte) (height >>> 8)};
    }

    /**
     * Encodes a whole image: the header, then every row.
     *
     * @param image the image
     * @return the {@code .rle} file's bytes
     * @throws NullPointerException if {@code image} is null
     */
    public static byte[] encode(BitImage image) {
        Output out = new Output(HEADER_BYTES + image.height() * 8);
        out.append(header(image.width(), image.height()));
        appendRows(image, 0, image.height(), out);
        return out.toByteArray();
    }

    private static void appendRows(BitImage image, int fromRow, int toRow, Output out) {
        int width = image.width();
        int stride = image.stride();
        byte[] bits = image.bits();
        byte[] row = scratch(maxRowBytes(width));
        for (int y = fromRow; y < toRow; y++) {
            out.append(row, encodeRow(bits, y * stride, width, row, 0));
        }
    }

    /**
     * 8 bytes from {@code i}, big-endian, zeros past the array's end. Assembled from bytes, not
     * read through a byte-array-view VarHandle: C2 compiles both to about the same code, but a
     * command-line run is mostly spent before C2 (a 7200x5600 image is encoded in the time the
     * JIT takes to warm up), and there the VarHandle costs 4 times as much (measured: the whole
     * image in 460 ms interpreted instead of 1900, in 31 ms with C1 instead of 43).
     */
    private static long load(byte[] bits, int i) {
        if (i <= bits.length - 8) {
            return (bits[i] & 0xffL) << 56 | (bits[i + 1] & 0xffL) << 48 | (bits[i + 2] & 0xffL) << 40
                    | (bits[i + 3] & 0xffL) << 32 | (bits[i + 4] & 0xffL) << 24 | (bits[i + 5] & 0xffL) << 16
                    | (bits[i + 6] & 0xffL) << 8 | (bits[i + 7] & 0xffL);
        }
        long v = 0;
        for (int k = 0; k < 8; k++) {
            v = (v << 8) | (i + k < bits.length ? bits[i + k] & 0xffL : 0);
        }
        return v;
    }

    // ------------------------------------------------------------------ decoding

    /**
     * Decodes a whole {@code .rle} file, strictly: the pixels must fill the image exactly, row by
     * row. Refused, each with an {@link RleFormatException} whose message names the byte offset
     * (and the row, once past the header):
     * <ul>
     *   <li>a header shorter than 4 bytes;
     *   <li>a width or height of 0;
     *   <li>a run of length 0 (byte {@code 0x00} or {@code 0x80});
     *   <li>a run that crosses the end of a row (the format has no row delimiters, so such a byte
     *       is corrupt, not a run that continues on the next row);
     *   <li>truncated data: fewer pixels than width x height (the message says how many are missing);
     *   <li>overlong data: bytes after the last pixel (the message says how many).
     * </ul>
     * Accepted although the book's encoder never writes them: a run that crosses a 127-pixel chunk
     * boundary within a row, and neighbouring runs of the same colour. Both describe the pixels
     * unambiguously, so refusing them would only make the decoder fussier than the format.
     *
     * @param rle the file's bytes
     * @return the image
     * @throws RleFormatException if the bytes are not a valid {@code .rle} file, as above
     * @throws NullPointerException if {@code rle} is null
     */
    public static BitImage decode(byte[] rle) throws RleFormatException {
        if (rle.length < HEADER_BYTES) {
            throw new RleFormatException("header too short: " + rle.length + (rle.length == 1 ? " byte" : " bytes")
                    + ", and the header alone takes 4 (width and height, 2 bytes each, little-endian)", rle.length, -1);
        }
        int width = (rle[0] & 0xff) | (rle[1] & 0xff) << 8;
        int height = (rle[2] & 0xff) | (rle[3] & 0xff) << 8;
        if (width == 0 || height == 0) {
            throw new RleFormatException((width == 0 ? "width" : "height") + " 0 in the header (byte offset "
                    + (width == 0 ? 0 : 2) + "): an image needs at least 1 pixel each way", width == 0 ? 0 : 2, -1);
        }
        // Each byte holds at most 127 pixels of one row, so a row takes at least ceil(width / 127)
        // bytes. Fewer bytes than that cannot be a whole image: find the precise error without
        // allocating pixels for a header that may claim 65535 x 65535.
        long fewest = (long) height * ((width + MAX_RUN - 1) / MAX_RUN);
        if (rle.length - HEADER_BYTES < fewest) {
            scan(rle, width, height, null);
            throw new AssertionError("scan accepted " + rle.length + " bytes for " + width + "x" + height);
        }
        BitImage image = BitImage.black(width, height);
        scan(rle, width, height, image.bits());
        return image;
    }

    /** Validates the runs, and sets the white ones in {@code bits} unless it is null. */
    private static void scan(byte[] rle, int width, int height, byte[] bits) throws RleFormatException {
        int stride = (width + 7) >>> 3;
        int x = 0;
        int y = 0;
        int rowOffset = 0;
        for (int p = HEADER_BYTES; p < rle.length; p++) {
            int b = rle[p] & 0xff;
            int length = b & 0x7f;
            if (length == 0) {
                throw new RleFormatException(String.format("byte offset %d (row %d, column %d): a run of length 0"
                        + " (0x%02x); a run is 1 to 127 pixels", p, y, x, b), p, y);
            }
            if (x + length > width) {
                throw new RleFormatException(String.format("byte offset %d (row %d): a run of %d %s pixels from"
                        + " column %d crosses the end of the row (width %d)", p, y, length,
                        b >= 0x80 ? "white" : "black", x, width), p, y);
            }
            if (b >= 0x80 && bits != null) {
                setRun(bits, rowOffset, x, x + length);
            }
            x += length;
            if (x == width) {
                x = 0;
                y++;
                rowOffset += stride;
                if (y == height) {
                    int extra = rle.length - p - 1;
                    if (extra > 0) {
                        throw new RleFormatException(String.format("overlong: %d %s after the last pixel (the end of"
                                + " row %d), from byte offset %d (width %d, height %d)", extra,
                                extra == 1 ? "byte" : "bytes", y - 1, p + 1, width, height), p + 1, y - 1);
                    }
                    return;
                }
            }
        }
        long missing = (long) (height - y) * width - x;
        throw new RleFormatException(String.format("truncated: %d of %d pixels missing (width %d, height %d);"
                + " the data ends at byte offset %d, in row %d", missing, (long) width * height, width, height,
                rle.length, y), rle.length, y);
    }

    /** Sets the bits of columns [from, to) of the row at {@code rowOffset}. */
    private static void setRun(byte[] bits, int rowOffset, int from, int to) {
        int first = rowOffset + (from >>> 3);
        int last = rowOffset + ((to - 1) >>> 3);
        int head = 0xff >>> (from & 7);
        int tail = (0xff00 >>> (((to - 1) & 7) + 1)) & 0xff;
        if (first == last) {
            bits[first] |= (byte) (head & tail);
            return;
        }
        bits[first] |= (byte) head;
        for (int i = first + 1; i < last; i++) {
            bits[i] = (byte) 0xff;
        }
        bits[last] |= (byte) tail;
    }

    /** A growable byte array: the encoder writes rows straight into it. */
    private static final class Output {
        byte[] bytes;
        int length;

        Output(int capacity) {
            bytes = new byte[capacity];
        }

        void ensure(int more) {
            if (bytes.length - length < more) {
                bytes = Arrays.copyOf(bytes, (int) Math.min(Integer.MAX_VALUE - 8,
                        Math.max((long) bytes.length * 2, (long) length + more)));
            }
        }

        void append(byte[] b) {
            append(b, b.length);
        }

        void append(byte[] b, int count) {
            ensure(count);
            System.arraycopy(b, 0, bytes, length, count);
            length += count;
        }

        byte[] toByteArray() {
            return length == bytes.length ? bytes : Arrays.copyOf(bytes, length);
        }
    }
}
