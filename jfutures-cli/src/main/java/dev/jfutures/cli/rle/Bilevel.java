package dev.jfutures.cli.rle;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Reads an image file as the book's program sees it: Pillow's {@code Image.open(f).convert("1")}.
 *
 * <p>PLACEHOLDER while the Pillow port is written on another branch: do not edit; it is replaced whole.
 */
public final class Bilevel {
    private Bilevel() {
    }

    /**
     * Reads {@code file} and converts it to black and white exactly as Pillow's {@code convert("1")} does.
     *
     * @param file an image file javax.imageio reads
     * @return the image
     * @throws IOException if the file cannot be read, or is not an image javax.imageio reads (the
     *     message names the file and the problem)
     */
    public static BitImage read(Path file) throws IOException {
        throw new IOException(file + ": the Pillow-exact reader is not merged yet");
    }
}
