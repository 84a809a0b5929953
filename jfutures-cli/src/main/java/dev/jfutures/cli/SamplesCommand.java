package dev.jfutures.cli;

import dev.jfutures.Task;
import dev.jfutures.TaskExecutor;
import dev.jfutures.ThreadPool;
import java.awt.image.RenderedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code jfutures samples}: draws test images for compress ({@link SampleImages}), one task per
 * image on a thread pool. The same options and seed draw the same pixels on any machine.
 */
@Command(name = "samples",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        exitCodeOnInvalidInput = ExitCodes.USAGE,
        exitCodeOnExecutionException = 70,
        description = {
            "Draw sample images for compress into OUTDIR: sample-001.bmp, sample-002.bmp, ... Each has shapes, text,"
                + " a Mandelbrot set, stripes and noise, so it has long runs and short ones.",
            "bilevel images are 1-bit; gray (8-bit grey) and color (24-bit RGB) ones exercise compress's conversion to"
                + " black and white (a dithered gradient behind everything). The same options and --seed draw the same"
                + " pixels on any machine (no fonts or Java2D are used)."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:every image was written",
            "1:some images could not be written (each is a line on stderr), e.g. they exist and --force was not given",
            "2:usage error (a bad option or argument)",
            "70:an internal error (a bug: please report it)",
            "73:OUTDIR cannot be created"})
public final class SamplesCommand implements Callable<Integer> {

    /** The formats {@code --format} offers. */
    enum Format { bmp, png, gif }

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "OUTDIR", description = "Where to write the images (created if missing).")
    String outDir;

    @Option(names = "--count", paramLabel = "N", defaultValue = "8",
            description = "How many images (default: ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--size", paramLabel = "WxH", defaultValue = "800x600",
            description = "Their width and height in pixels, each 1 to 65535 (default: ${DEFAULT-VALUE}).")
    String size;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "bmp",
            description = "The file format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Format format;

    @Option(names = "--kind", paramLabel = "KIND", defaultValue = "mixed",
            description = "${COMPLETION-CANDIDATES}: 1-bit, 8-bit grey, 24-bit colour, or those three in turn"
                    + " (default: ${DEFAULT-VALUE}).")
    SampleImages.Kind kind;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1",
            description = "Draws the images: the same seed draws the same images (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = {"-f", "--force"}, description = "Replace images that exist (default: refuse them, each a failure).")
    boolean force;

    /**
     * Runs the command.
     *
     * @return the exit code
     * @throws CommandLine.ParameterException on a usage error (exit code 2)
     */
    @Override
    public Integer call() {
        CommandLine cmd = spec.commandLine();
        PrintWriter err = cmd.getErr();
        if (count < 1) {
            throw new CommandLine.ParameterException(cmd, "--count must be a positive number, was " + count);
        }
        int[] wh = parseSize(cmd, size);
        int width = wh[0];
        int height = wh[1];
        Path dir;
        try {
            dir = Path.of(outDir);
            Files.createDirectories(dir);
        } catch (IOException | InvalidPathException e) {
            String why = e instanceof IOException ? ListDirectory.reason((IOException) e) : e.getMessage();
            err.println("jfutures samples: cannot create the output directory " + outDir + ": " + why);
            err.flush();
            return ExitCodes.CANNOT_CREATE;
        }
        List<Batch.Job> jobs = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            String name = String.format(Locale.ROOT, "sample-%03d.%s", i, format);
            String shown = FindCommand.join(outDir, name);
            jobs.add(new Batch.Job(shown, dir.resolve(name), drawTask(i, width, height, shown)));
        }
        ProgressBar quiet = new ProgressBar(err, "images", count, false, System::nanoTime);
        int failed;
        try (TaskExecutor pool = ThreadPool.builder().threadNamePrefix("samples").daemon(true)
                .workers(Runtime.getRuntime().availableProcessors()).build()) {
            failed = Batch.run("samples", "thread", pool, jobs, quiet);
        }
        err.println((failed == 0 ? "wrote " + count : "wrote " + (count - failed) + " of " + count)
                + (count == 1 ? " image" : " images") + " (" + width + "x" + height + ", " + kind + ", " + format
                + ", seed " + seed + ") to " + outDir + (failed > 0 ? "; " + failed + " failed" : ""));
        err.flush();
        return ExitCodes.failed(failed);
    }

    private Task<String> drawTask(int index, int width, int height, String shown) {
        SampleImages.Kind k = SampleImages.kindOf(kind, index);
        String fmt = format.name();
        boolean replace = force;
        long s = seed;
        return () -> {
            Path out = Path.of(shown);
            try {
                OutputFile.checkAbsent(out, shown, replace);
                RenderedImage image = SampleImages.draw(index, width, height, k, s);
                OutputFile.write(out, shown, replace, stream -> ImageFiles.write(image, fmt, stream));
                return null;
            } catch (IOException e) {
                return Problems.of(shown, e);
            }
        };
    }

    /** WIDTHxHEIGHT, each 1 to 65535. */
    private static int[] parseSize(CommandLine cmd, String size) {
        String[] parts = size.toLowerCase(Locale.ROOT).split("x", -1);
        try {
            if (parts.length == 2) {
                int w = Integer.parseInt(parts[0].trim());
                int h = Integer.parseInt(parts[1].trim());
                if (w >= 1 && w <= 65535 && h >= 1 && h <= 65535) {
                    return new int[] {w, h};
                }
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new CommandLine.ParameterException(cmd, "--size must be WIDTHxHEIGHT, each 1 to 65535 (e.g. 800x600),"
                + " was '" + size + "'");
    }
}
