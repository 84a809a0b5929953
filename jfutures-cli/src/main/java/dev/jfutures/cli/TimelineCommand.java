package dev.jfutures.cli;

import dev.jfutures.TraceRenderer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code jfutures timeline}: draws a trace file ({@code --trace} of find, compress and
 * decompress, or any Chrome trace-event JSON) as an SVG picture with {@link TraceRenderer}.
 */
@Command(name = "timeline",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        exitCodeOnInvalidInput = ExitCodes.USAGE,
        exitCodeOnExecutionException = ExitCodes.SOFTWARE,
        description = {
            "Draw TRACE, a timeline that --trace wrote (or any Chrome trace-event JSON file), as an SVG picture:"
                + " a row per worker, a bar per task colored by its outcome, a mark per worker event (died,"
                + " recycled, tasks stolen). Each bar's tooltip names its task and times."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:the picture was written",
            "1:TRACE is not a trace (the line and column are named), or the picture could not be written",
            "2:usage error (a bad option or argument)",
            "66:TRACE does not exist",
            "70:an internal error (a bug: please report it)"})
public final class TimelineCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "TRACE", description = "The trace file (JSON).")
    String trace;

    @Option(names = {"-o", "--output"}, paramLabel = "SVG",
            description = "Where the picture goes (default: TRACE with .svg for .json or .trace.json).")
    String output;

    @Option(names = {"-f", "--force"}, description = "Replace SVG if it exists (default: refuse).")
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
        Path in;
        Path out;
        try {
            in = Path.of(trace);
            out = Path.of(output != null ? output : defaultOutput(trace));
        } catch (InvalidPathException e) {
            throw new CommandLine.ParameterException(cmd, "not a valid path: " + e.getInput());
        }
        String shownOut = output != null ? output : out.toString();
        String json;
        try {
            json = Files.readString(in, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return fail(err, "'" + trace + "': No such file or directory", ExitCodes.NO_INPUT);
        } catch (IOException e) {
            return fail(err, "cannot read " + trace + ": " + ListDirectory.reason(e), ExitCodes.FAILED);
        }
        String svg;
        try {
            svg = TraceRenderer.toSvg(json);
        } catch (IllegalArgumentException e) {
            return fail(err, trace + ": " + e.getMessage(), ExitCodes.FAILED);
        }
        try {
            OutputFile.write(out, shownOut, force, s -> s.write(svg.getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            return fail(err, e.getMessage(), ExitCodes.FAILED);
        }
        err.println("drew " + trace + " in " + shownOut);
        err.flush();
        return ExitCodes.OK;
    }

    /** {@code run.trace.json} and {@code run.json} draw to {@code run.svg}; other names get {@code .svg} added. */
    static String defaultOutput(String trace) {
        for (String ext : new String[] {".trace.json", ".json"}) {
            if (trace.endsWith(ext) && trace.length() > ext.length()) {
                return trace.substring(0, trace.length() - ext.length()) + ".svg";
            }
        }
        return trace + ".svg";
    }

    private static int fail(PrintWriter err, String message, int code) {
        err.println("jfutures timeline: " + message);
        err.flush();
        return code;
    }
}
