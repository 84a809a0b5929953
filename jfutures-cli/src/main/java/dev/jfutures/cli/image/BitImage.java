package dev.jfutures.cli.image;

import java.io.Serializable;
import java.util.Arrays;

/**
 * A black-and-white image, packed one bit per pixel: row-major, each row {@link #stride()} bytes,
 * the leftmost pixel in the most significant bit (as in a 1-bit BMP or PNG), a set bit white.
 * Bits past the width in a row's last byte are zero.
 *
 * <p>The array is shared, not copied: an image is built once (decoded or converted) and then only
 * read, by as many row tasks as there are rows.
 *
 * @since 0.1
 */
public final class BitImage implements Serializable {
    private static final long serialVersionUID = 1L;

    /**
     * The largest width or height the RLE format's 2-byte header can carry.
     *
     * @since 0.1
     */
    public static final int MAX_DIMENSION = 65535;

    /** The width in pixels, 1 to 65535. */
    private final int width;
    /** The height in pixels, 1 to 65535. */
    private final int height;
    /** The bytes a row takes, {@code (width + 7) / 8}. */
    private final int stride;
    /** The packed rows, {@code height * stride} bytes, shared. */
    private final byte[] bits;

    /**
     * An image over {@code bits}, which it keeps (no copy).
     *
     * @param width the width in pixels, 1 to 65535
     * @param height the height in pixels, 1 to 65535
     * @param bits {@code height * ((width + 7) / 8)} bytes, packed as the class describes
     * @throws IllegalArgumentException if a dimension is out of range or {@code bits} has the wrong length
     * @since 0.1
     */
    public BitImage(int width, int height, byte[] bits) {
        checkDimensions(width, height);
        this.width = width;
        this.height = height;
        this.stride = (width + 7) >>> 3;
        if (bits.length != (long) stride * height) {
            throw new IllegalArgumentException("a " + width + "x" + height + " image packs into "
                    + (long) stride * height + " bytes, got " + bits.length);
        }
        this.bits = bits;
    }

    /**
     * A new all-black image.
     *
     * @param width the width in pixels, 1 to 65535
     * @param height the height in pixels, 1 to 65535
     * @return the image
     * @throws IllegalArgumentException if a dimension is out of range
     * @since 0.1
     */
    public static BitImage black(int width, int height) {
        checkDimensions(width, height);
        return new BitImage(width, height, new byte[((width + 7) >>> 3) * height]);
    }

    /**
     * Checks that a width and height fit the RLE format.
     *
     * @param width the width in pixels
     * @param height the height in pixels
     * @throws IllegalArgumentException naming the dimension if either is not in 1..65535
     * @since 0.1
     */
    public static void checkDimensions(long width, long height) {
        if (width < 1 || width > MAX_DIMENSION || height < 1 || height > MAX_DIMENSION) {
            throw new IllegalArgumentException("image size " + width + "x" + height
                    + " is outside 1..65535 in " + (width < 1 || width > MAX_DIMENSION ? "width" : "height")
                    + " (the .rle header holds each in 2 bytes)");
        }
    }

    /**
     * The width.
     *
     * @return the width in pixels
     * @since 0.1
     */
    public int width() {
        return width;
    }

    /**
     * The height.
     *
     * @return the height in pixels
     * @since 0.1
     */
    public int height() {
        return height;
    }

    /**
     * The bytes a row takes, {@code (width + 7) / 8}.
     *
     * @return the bytes per row
     * @since 0.1
     */
    public int stride() {
        return stride;
    }

    /**
     * The packed pixels, not copied.
     *
     * @return the packed pixels, shared with this image (do not modify after publishing it)
     * @since 0.1
     */
    public byte[] bits() {
        return bits;
    }

    /**
     * Whether a pixel is white.
     *
     * @param x the column, 0-based
     * @param y the row, 0-based
     * @return whether the pixel is white
     * @throws IndexOutOfBoundsException if (x, y) is outside the image
     * @since 0.1
     */
    public boolean isWhite(int x, int y) {
        checkIndex(x, y);
        return (bits[y * stride + (x >>> 3)] & (0x80 >>> (x & 7))) != 0;
    }

    /**
     * Sets one pixel.
     *
     * @param x the column, 0-based
     * @param y the row, 0-based
     * @param white whether the pixel is white
     * @throws IndexOutOfBoundsException if (x, y) is outside the image
     * @since 0.1
     */
    public void setWhite(int x, int y, boolean white) {
        checkIndex(x, y);
        int i = y * stride + (x >>> 3);
        int mask = 0x80 >>> (x & 7);
        bits[i] = (byte) (white ? bits[i] | mask : bits[i] & ~mask);
    }

    private void checkIndex(int x, int y) {
        if (x < 0 || x >= width || y < 0 || y >= height) {
            throw new IndexOutOfBoundsException("pixel (" + x + ", " + y + ") is outside " + width + "x" + height);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BitImage && ((BitImage) o).width == width && ((BitImage) o).height == height
                && Arrays.equals(((BitImage) o).bits, bits);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * width + height) + Arrays.hashCode(bits);
    }

    @Override
    public String toString() {
        return "BitImage[" + width + "x" + height + "]";
    }
}
