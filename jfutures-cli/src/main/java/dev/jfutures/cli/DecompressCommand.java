package dev.jfutures.cli;

import dev.jfutures.Task;
import dev.jfutures.TaskExecutor;
import dev.jfutures.process.ProcessPool;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code jfutures decompress}: {@code .rle} files back to 1-bit images (BMP or PNG, black and white
 * palette). One task per file on the executor, in directory mode and for a single file alike: a
 * file cannot be split by rows before it is decoded, since the format has no row delimiters.
 */
public final class DecompressCommand extends FileCommand {

    /** The formats {@code --format} offers. */
    enum Format { bmp, png }

    /** {@code --format}, or null. */
    Format format;

    /**
     * {@code decompress}'s picocli model, built in code, not read from annotations (see {@link
     * Models} for the start-up time that saves), bound to the fields of a new command object.
     *
     * @param factory makes the command object (tests pass one with seams) and is the model's factory
     * @return the model
     * @throws CommandLine.InitializationException if the factory cannot make the object
     */
    static CommandSpec model(CommandLine.IFactory factory) {
        DecompressCommand c = Models.create(factory, DecompressCommand.class);
        CommandSpec spec = c.newModel("decompress", factory,
                "Decompress the book's .rle files to 1-bit black-and-white BMP or PNG images.",
                "INPUT a file: one task on the executor. INPUT a directory: every .rle file in it (not in"
                    + " subdirectories) is decompressed into OUTDIR, one task per file.",
                "A .rle file is checked strictly: a short header, a zero width or height, a zero-length run, a run"
                    + " across a row's end, missing pixels or bytes after the last pixel are each reported with the byte"
                    + " offset and row. Outputs are written to a temporary file and renamed, so a failure leaves no"
                    + " partial file; in directory mode the other files go on, and a summary line ends the run.");
        c.addInputAndOutput("A .rle file, or a directory of them.",
                "INPUT a file: the image to write (default: INPUT with its extension replaced by the"
                    + " format's), or an existing directory to write it into. INPUT a directory: the directory for"
                    + " the images (required; created if missing): a.rle -> OUTPUT/a.bmp.");
        spec.addOption(OptionSpec.builder("--format").paramLabel("FORMAT").type(Format.class)
                .description("The image format: ${COMPLETION-CANDIDATES}. Default: from OUTPUT's extension (.bmp or .png),"
                        + " else bmp.")
                .setter(Models.into((Format v) -> c.format = v)).build());
        c.addSharedOptions();
        return spec;
    }

    /** The format the run writes, settled by {@link #validate}. */
    private String chosen;

    /** The command as {@code jfutures decompress} runs it. */
    public DecompressCommand() {
        this(null);
    }

    DecompressCommand(Consumer<ProcessPool.Builder> processOptions) {
        super(processOptions);
    }

    @Override
    String name() {
        return "decompress";
    }

    @Override
    void validate(CommandLine cmd) {
        if (format != null) {
            chosen = format.name();
            return;
        }
        // OUTPUT's extension names the format only when OUTPUT is to be a file.
        String extension = output == null || isDirectory(input) || isDirectory(output) ? ""
                : ImageFiles.extension(output.substring(output.lastIndexOf('/') + 1));
        if (extension.equals("bmp") || extension.equals("png")) {
            chosen = extension;
        } else if (extension.isEmpty()) {
            chosen = Format.bmp.name();
        } else {
            throw new CommandLine.ParameterException(cmd, "cannot tell the format from OUTPUT " + output
                    + ": decompress writes bmp or png; name it .bmp or .png, or give --format");
        }
    }

    @Override
    String noun() {
        return "files";
    }

    @Override
    String done() {
        return "decompressed";
    }

    @Override
    boolean accepts(String fileName) {
        return ImageFiles.extension(fileName).equals("rle");
    }

    @Override
    String accepted() {
        return ".rle files";
    }

    @Override
    String outputName(String inputName) {
        return ImageFiles.withExtension(inputName, chosen);
    }

    @Override
    Task<String> task(String in, String out) {
        return new DecompressFile(in, out, chosen, force);
    }

    @Override
    int file(String in, String out, PrintWriter err) {
        try (TaskExecutor pool = executor.create("decompress", processOptions)) {
            ProgressBar quiet = new ProgressBar(err, noun(), 1, false, System::nanoTime);
            return Batch.run(name(), executor.kind.name(), pool,
                    List.of(new Batch.Job(in, Path.of(out), task(in, out))), quiet);
        }
    }
}
