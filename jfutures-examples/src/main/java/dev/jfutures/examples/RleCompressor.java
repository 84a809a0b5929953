package dev.jfutures.examples;

import dev.jfutures.MapOptions;
import dev.jfutures.MapResults;
import dev.jfutures.TaskExecutor;
import dev.jfutures.ThreadPool;
import dev.jfutures.process.ProcessPool;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The book's case study, the run-length image compressor, with {@code map}: every row of a
 * black-and-white image is compressed by a task, and {@code map} hands the results back in row
 * order, however the tasks finish, so the driver only has to write them one after the other.
 *
 * <p>The format: a 2-byte little-endian width and height, then for each row, for each chunk of
 * 127 pixels, one byte per run: bit 7 the colour (white = 1), bits 0-6 the run's length.
 * {@code jfutures compress} is the full tool (any image, Pillow's exact conversion, directories);
 * this is the shape of it.
 *
 * <pre>
 * java dev.jfutures.examples.RleCompressor [OUT.rle [thread|process]]   (defaults: drawing.rle, process)
 * </pre>
 */
public final class RleCompressor {

    private RleCompressor() {
    }

    /**
     * Runs the example: draws an image, compresses it on the chosen pool, writes the file.
     *
     * @param args the output file and the executor, both optional
     * @throws IOException if the file cannot be written
     */
    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "drawing.rle");
        boolean process = args.length < 2 || args[1].equals("process");
        boolean[][] image = draw(1000, 600);
        byte[] rle;
        try (TaskExecutor pool = process ? ProcessPool.builder().workers(2).build() : ThreadPool.builder().workers(2).build()) {
            rle = compress(pool, image);
        }
        Files.write(out, rle);
        System.out.println(out + ": " + image[0].length + "x" + image.length + " pixels in " + rle.length + " bytes");
    }

    /**
     * Compresses an image row by row on {@code pool}.
     *
     * @param pool where the rows are compressed
     * @param image the pixels, {@code image[y][x]}, true for white; every row as long as the first
     * @return the compressed file's bytes
     * @throws IllegalArgumentException if the image is empty or larger than 65535 in either dimension
     */
    public static byte[] compress(TaskExecutor pool, boolean[][] image) {
        int height = image.length;
        int width = height == 0 ? 0 : image[0].length;
        if (width < 1 || height < 1 || width > 65535 || height > 65535) {
            throw new IllegalArgumentException("an image of " + width + "x" + height
                    + " does not fit the format (1 to 65535 in each dimension)");
        }
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        file.write(width & 0xff);
        file.write(width >>> 8);
        file.write(height & 0xff);
        file.write(height >>> 8);
        // Rows go 32 to a task: one row is too little work to be worth a trip to a worker JVM.
        try (MapResults<byte[]> rows = pool.map(RleCompressor::compressRow, List.of(image),
                MapOptions.defaults().chunkSize(32))) {
            for (byte[] row : rows) {   // in row order
                file.writeBytes(row);
            }
        }
        return file.toByteArray();
    }

    /**
     * Compresses one row: chunks of 127 pixels, one byte per run within a chunk.
     *
     * @param row the row's pixels, true for white
     * @return the row's runs
     */
    static byte[] compressRow(boolean[] row) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int start = 0; start < row.length; start += 127) {
            int end = Math.min(start + 127, row.length);
            int count = 1;
            for (int x = start + 1; x < end; x++) {
                if (row[x] != row[x - 1]) {
                    out.write(count | (row[x - 1] ? 0x80 : 0));
                    count = 0;
                }
                count++;
            }
            out.write(count | (row[end - 1] ? 0x80 : 0));
        }
        return out.toByteArray();
    }

    /**
     * Decompresses a file of this format (for checking a round trip).
     *
     * @param rle the file's bytes
     * @return the pixels, {@code image[y][x]}
     * @throws IllegalArgumentException if the runs do not fill exactly width x height pixels
     */
    public static boolean[][] decompress(byte[] rle) {
        int width = (rle[0] & 0xff) | (rle[1] & 0xff) << 8;
        int height = (rle[2] & 0xff) | (rle[3] & 0xff) << 8;
        boolean[][] image = new boolean[height][width];
        long pixel = 0;
        for (int i = 4; i < rle.length; i++) {
            int run = rle[i] & 0x7f;
            boolean white = (rle[i] & 0x80) != 0;
            for (int k = 0; k < run; k++, pixel++) {
                if (pixel >= (long) width * height) {
                    throw new IllegalArgumentException("the runs overflow " + width + "x" + height + " at byte " + i);
                }
                image[(int) (pixel / width)][(int) (pixel % width)] = white;
            }
        }
        if (pixel != (long) width * height) {
            throw new IllegalArgumentException("the runs cover " + pixel + " of " + width + "x" + height + " pixels");
        }
        return image;
    }

    /**
     * Draws a black-and-white test image: circles and stripes, long runs and short ones.
     *
     * @param width the width
     * @param height the height
     * @return the pixels, {@code image[y][x]}
     */
    public static boolean[][] draw(int width, int height) {
        List<boolean[]> rows = new ArrayList<>();
        for (int y = 0; y < height; y++) {
            boolean[] row = new boolean[width];
            for (int x = 0; x < width; x++) {
                int dx = x - width / 2;
                int dy = y - height / 2;
                int ring = (int) Math.sqrt((double) dx * dx + (double) dy * dy) / 25;
                row[x] = (ring % 2 == 0) ^ (x % 97 < 3);
            }
            rows.add(row);
        }
        return rows.toArray(new boolean[0][]);
    }
}
