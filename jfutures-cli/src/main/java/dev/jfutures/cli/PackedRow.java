package dev.jfutures.cli;

import dev.jfutures.TaskFunction;
import dev.jfutures.cli.image.BitImage;
import dev.jfutures.cli.rle.Rle;
import java.io.Serializable;
import java.util.AbstractList;
import java.util.Arrays;

/**
 * One row of an image, on its own: what compress sends to a worker JVM to encode. It carries that
 * row's bytes and nothing else; a lambda capturing the image would send the whole image with
 * every row.
 *
 * @param width the row's width in pixels
 * @param bits the row's packed pixels, {@code (width + 7) / 8} bytes
 */
record PackedRow(int width, byte[] bits) implements Serializable {
    private static final long serialVersionUID = 1L;

    /**
     * The rows of an image as a list, each copied out of the image when it is asked for, so that
     * {@code map}, which pulls its inputs lazily, holds only the rows in flight.
     *
     * @param image the image
     * @return a list of its rows, top to bottom
     */
    static AbstractList<PackedRow> rowsOf(BitImage image) {
        return new AbstractList<>() {
            @Override
            public PackedRow get(int y) {
                int from = y * image.stride();
                return new PackedRow(image.width(), Arrays.copyOfRange(image.bits(), from, from + image.stride()));
            }

            @Override
            public int size() {
                return image.height();
            }
        };
    }

    /** Encodes a row: the function {@code map} runs in the worker. An enum, so it crosses as a name. */
    enum Encode implements TaskFunction<PackedRow, byte[]> {
        INSTANCE;

        /**
         * Encodes the row.
         *
         * @param row the row
         * @return its runs
         * @throws IllegalArgumentException if the row's width is outside 1..65535
         * @throws IndexOutOfBoundsException if its bytes are too few for its width
         */
        @Override
        public byte[] apply(PackedRow row) {
            return Rle.encodeRow(row.bits(), row.width());
        }
    }
}
