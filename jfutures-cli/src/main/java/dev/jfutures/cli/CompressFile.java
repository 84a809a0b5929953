package dev.jfutures.cli;

import dev.jfutures.Task;
import dev.jfutures.cli.image.Bilevel;
import dev.jfutures.cli.image.BitImage;
import dev.jfutures.cli.rle.Rle;
import java.io.IOException;
import java.nio.file.Path;

/**
 * compress's per-image task in directory mode: read and convert one image, encode all its rows,
 * write its {@code .rle}. A record of strings, so that on the process executor only two names
 * cross to the worker and nothing but a status line comes back; the image never leaves the JVM
 * that reads it.
 *
 * @param input the image file, as the user named it (relative to the working directory, which
 *     worker JVMs share)
 * @param output the {@code .rle} file, likewise
 * @param force whether an existing output is replaced
 */
record CompressFile(String input, String output, boolean force) implements Task<String> {
    private static final long serialVersionUID = 1L;

    /**
     * Compresses the file.
     *
     * @return null when done, else {@code INPUT: problem} (errors are returned as data, so that a
     *     bad file is a line in the report and never a failed future)
     */
    @Override
    public String call() {
        try {
            Path out = Path.of(output);
            OutputFile.checkAbsent(out, output, force);   // before the work, to refuse fast
            BitImage image = Bilevel.read(Path.of(input));
            byte[] rle = Rle.encode(image);
            OutputFile.write(out, output, force, s -> s.write(rle));
            return null;
        } catch (IOException e) {
            return Problems.of(input, e);
        }
    }
}
