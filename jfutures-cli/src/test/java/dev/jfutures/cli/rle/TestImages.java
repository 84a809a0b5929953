package dev.jfutures.cli.rle;

import dev.jfutures.cli.image.BitImage;
import java.io.ByteArrayOutputStream;
import java.util.Random;
import java.util.function.IntBinaryOperator;

/** Images for tests, and the book's encoder written pixel by pixel as the reference. */
public final class TestImages {

    private TestImages() {
    }

    // ------------------------------------------------------------------ the reference: the book's Python, pixel by pixel

    /** compress_chunk, as the book writes it. */
    private static void compressChunk(int[] chunk, ByteArrayOutputStream out) {
        int count = 1;
        int last = chunk[0];
        for (int i = 1; i < chunk.length; i++) {
            int bit = chunk[i];
            if (bit != last) {
                out.write(count | (128 * last));
                count = 0;
                last = bit;
            }
            count += 1;
        }
        out.write(count | (128 * last));
    }

    /** The book's compress: header, then each row in chunks of 127 pixels. */
    public static byte[] reference(BitImage image) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int w = image.width();
        int h = image.height();
        out.write(w & 0xff);
        out.write(w >>> 8);
        out.write(h & 0xff);
        out.write(h >>> 8);
        for (int y = 0; y < h; y++) {
            for (int x0 = 0; x0 < w; x0 += 127) {
                int[] chunk = new int[Math.min(127, w - x0)];
                for (int i = 0; i < chunk.length; i++) {
                    chunk[i] = image.isWhite(x0 + i, y) ? 1 : 0;
                }
                compressChunk(chunk, out);
            }
        }
        return out.toByteArray();
    }

    // ------------------------------------------------------------------ images

    public static BitImage image(int width, int height, IntBinaryOperator white) {
        BitImage image = BitImage.black(width, height);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setWhite(x, y, white.applyAsInt(x, y) != 0);
            }
        }
        return image;
    }

    /** Noise with the given chance of white per pixel. */
    public static BitImage noise(int width, int height, double white, Random random) {
        return image(width, height, (x, y) -> random.nextDouble() < white ? 1 : 0);
    }

    /** Runs of random lengths (1 to maxRun) and colours, crossing rows. */
    public static BitImage runs(int width, int height, int maxRun, Random random) {
        BitImage image = BitImage.black(width, height);
        long n = (long) width * height;
        boolean white = random.nextBoolean();
        for (long i = 0; i < n; ) {
            long end = Math.min(n, i + 1 + random.nextInt(maxRun));
            for (; i < end; i++) {
                image.setWhite((int) (i % width), (int) (i / width), white);
            }
            white = !white;
        }
        return image;
    }
}
