package dev.jfutures.cli;

import dev.jfutures.Task;
import dev.jfutures.cli.image.BitImage;
import dev.jfutures.cli.rle.Rle;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * decompress's per-file task: read one {@code .rle}, decode it, write it as a 1-bit image. A whole
 * file is one task: the format has no row delimiters, so where a row starts is only known by
 * decoding every row before it.
 *
 * @param input the {@code .rle} file, as the user named it (relative to the working directory,
 *     which worker JVMs share)
 * @param output the image file, likewise
 * @param format "bmp" or "png"
 * @param force whether an existing output is replaced
 */
record DecompressFile(String input, String output, String format, boolean force) implements Task<String> {
    private static final long serialVersionUID = 1L;

    /**
     * Decompresses the file.
     *
     * @return null when done, else {@code INPUT: problem} (errors are returned as data, so that a
     *     bad file is a line in the report and never a failed future)
     */
    @Override
    public String call() {
        try {
            Path out = Path.of(output);
            OutputFile.checkAbsent(out, output, force);
            BitImage image = Rle.decode(Files.readAllBytes(Path.of(input)));
            BufferedImage picture = ImageFiles.toBufferedImage(image);
            OutputFile.write(out, output, force, s -> ImageFiles.write(picture, format, s));
            return null;
        } catch (IOException e) {
            return Problems.of(input, e);
        }
    }
}
