package dev.jfutures.cli;

import dev.jfutures.MapOptions;
import dev.jfutures.MapResults;
import dev.jfutures.Task;
import dev.jfutures.TaskExecutor;
import dev.jfutures.TaskFailedException;
import dev.jfutures.TaskFunction;
import dev.jfutures.cli.image.Bilevel;
import dev.jfutures.cli.image.BitImage;
import dev.jfutures.cli.rle.Rle;
import dev.jfutures.process.ProcessPool;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.AbstractList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code jfutures compress}: the book's RLE case study on the library. An image is converted to
 * black and white as Pillow's {@code convert("1")} does ({@link Bilevel}) and written as {@code
 * .rle} ({@link Rle}).
 *
 * <p>As in the book, the parallelism depends on the input. One file: its rows are encoded on the
 * executor with {@code map} and a chunk size, so that the rows come back in order and are written
 * as they come. A directory: one task per image, which reads, converts, encodes (its rows one
 * after the other) and writes its own output, so that on the process executor only file names
 * cross to the workers.
 */
public final class CompressCommand extends FileCommand {

    /**
     * {@code compress}'s picocli model, built in code, not read from annotations (see {@link Models}
     * for the start-up time that saves), bound to the fields of a new command object.
     *
     * @param factory makes the command object (tests pass one with seams) and is the model's factory
     * @return the model
     * @throws CommandLine.InitializationException if the factory cannot make the object
     */
    static CommandSpec model(CommandLine.IFactory factory) {
        CompressCommand c = Models.create(factory, CompressCommand.class);
        CommandSpec spec = c.newModel("compress", factory,
                "Compress images to the book's run-length encoding (.rle): each image is converted to black and white"
                    + " exactly as Pillow's convert(\"1\") does, then every row is encoded in runs of at most 127 pixels.",
                "INPUT a file: its rows are encoded in parallel on the executor. INPUT a directory: every bmp, png, gif,"
                    + " jpg, jpeg, tif, tiff and wbmp file in it (not in subdirectories) is compressed into OUTDIR, one"
                    + " task per image.",
                "Outputs are written to a temporary file and renamed, so a failure leaves no partial file. Each failure"
                    + " is one line on stderr; in directory mode the other images go on, and a summary line ends the run.");
        c.addInputAndOutput("An image file, or a directory of them.",
                "INPUT a file: the .rle file to write (default: INPUT with its extension replaced by .rle),"
                    + " or an existing directory to write it into. INPUT a directory: the directory for the .rle"
                    + " files (required; created if missing), each named after its image: a.png -> OUTPUT/a.rle.");
        c.addSharedOptions();
        return spec;
    }

    /** The command as {@code jfutures compress} runs it. */
    public CompressCommand() {
        this(null);
    }

    CompressCommand(Consumer<ProcessPool.Builder> processOptions) {
        super(processOptions);
    }

    @Override
    String name() {
        return "compress";
    }

    @Override
    void validate(CommandLine cmd) {
        // nothing beyond the shared options
    }

    @Override
    String noun() {
        return "images";
    }

    @Override
    String done() {
        return "compressed";
    }

    @Override
    boolean accepts(String fileName) {
        return ImageFiles.READABLE.contains(ImageFiles.extension(fileName));
    }

    @Override
    String accepted() {
        return "bmp, png, gif, jpg, jpeg, tif, tiff or wbmp files";
    }

    @Override
    String outputName(String inputName) {
        return ImageFiles.withExtension(inputName, "rle");
    }

    @Override
    Task<String> task(String in, String out) {
        return new CompressFile(in, out, force);
    }

    @Override
    int file(String in, String out, PrintWriter err) {
        try {
            OutputFile.checkAbsent(Path.of(out), out, force);
            BitImage image = Bilevel.read(Path.of(in));
            try (TaskExecutor pool = executor.create("compress", processOptions)) {
                OutputFile.write(Path.of(out), out, force, s -> writeRows(pool, image, s));
            }
            return ExitCodes.OK;
        } catch (IOException e) {
            return fail(err, Problems.of(in, e), 1);
        } catch (TaskFailedException e) {   // a row's task did not return: its worker JVM died
            return fail(err, Problems.ofTask(in, executor.kind.name(), e.getCause() != null ? e.getCause() : e), 1);
        } catch (RejectedExecutionException e) {   // the executor is broken (workers cannot start)
            return fail(err, Problems.ofTask(in, executor.kind.name(), e), 1);
        }
    }

    /**
     * Writes the header, then the rows as {@code map} returns them, in order. Rows go in chunks
     * of about a quarter of a worker's share, so that each worker gets a few tasks (and a slow one
     * holds up little) while a task's fixed cost is paid per chunk, not per row. On the process
     * executor each row travels as a {@link PackedRow} of its own bytes; on threads a task reads
     * its rows from the shared image.
     */
    private void writeRows(TaskExecutor pool, BitImage image, OutputStream out) throws IOException {
        out.write(Rle.header(image.width(), image.height()));
        int chunk = Math.max(1, (int) Math.ceil(image.height() / (4.0 * executor.parallelism())));
        MapOptions options = MapOptions.defaults().chunkSize(chunk);
        if (executor.remote()) {
            try (MapResults<byte[]> rows = pool.map(PackedRow.Encode.INSTANCE, PackedRow.rowsOf(image), options)) {
                for (byte[] row : rows) {
                    out.write(row);
                }
            }
        } else {
            TaskFunction<Integer, byte[]> encode = y -> Rle.encodeRow(image, y);
            try (MapResults<byte[]> rows = pool.map(encode, rowNumbers(image.height()), options)) {
                for (byte[] row : rows) {
                    out.write(row);
                }
            }
        }
    }

    private static List<Integer> rowNumbers(int height) {
        return new AbstractList<>() {
            @Override
            public Integer get(int y) {
                return y;
            }

            @Override
            public int size() {
                return height;
            }
        };
    }
}
