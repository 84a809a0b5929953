package dev.jfutures.cli.rle;

import java.io.IOException;

/**
 * A {@code .rle} byte array that {@link Rle#decode} refuses: its message says what is wrong and
 * where (the byte offset, and the row when the header has been read), without the file's name,
 * which the caller knows and prefixes.
 */
public final class RleFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final long offset;
    private final int row;

    /**
     * @param message what is wrong and where, without the file's name
     * @param offset the byte offset of the problem, from the start of the file
     * @param row the row (from 0) the problem is in, or -1 for the header
     */
    public RleFormatException(String message, long offset, int row) {
        super(message);
        this.offset = offset;
        this.row = row;
    }

    /** @return the byte offset of the problem, from the start of the file */
    public long offset() {
        return offset;
    }

    /** @return the row (from 0) the problem is in, or -1 for a problem in the header */
    public int row() {
        return row;
    }
}
