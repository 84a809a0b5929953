package dev.jfutures.cli;

import dev.jfutures.process.ProcessPool;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine;

/** Runs {@code jfutures} in-process, as FindCommandTest does, with the commands' test seams. */
final class Cli {

    /** What a run printed and returned. */
    record Result(int code, String out, String err) {
        /** The stderr lines, without the progress bar's carriage-return redraws. */
        List<String> errLines() {
            // Not String.lines(): it splits at the bar's carriage returns too.
            return Arrays.stream(err.split("\n")).map(l -> l.substring(l.lastIndexOf('\r') + 1))
                    .filter(l -> !l.isBlank())
                    .collect(Collectors.toList());
        }

        /** The printed paths (find's output), whichever separator. */
        List<String> paths() {
            if (out.isEmpty()) {
                return List.of();
            }
            String sep = out.indexOf('\0') >= 0 ? "\0" : "\n";
            return List.of(out.split(sep));
        }
    }

    private Cli() {
    }

    static Result run(String... args) {
        return run(null, args);
    }

    /**
     * @param processOptions applied to the process pool's builder of compress and decompress
     */
    static Result run(Consumer<ProcessPool.Builder> processOptions, String... args) {
        CommandLine.IFactory factory = new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> cls) throws Exception {
                if (processOptions != null && cls == CompressCommand.class) {
                    return cls.cast(new CompressCommand(processOptions));
                }
                if (processOptions != null && cls == DecompressCommand.class) {
                    return cls.cast(new DecompressCommand(processOptions));
                }
                return CommandLine.defaultFactory().create(cls);
            }
        };
        return runWith(factory, args);
    }

    /**
     * Runs {@code args} with the command objects {@code factory} makes (the commands' test seams).
     *
     * @param factory makes the command objects
     * @param args the command line
     * @return what it printed and returned
     */
    static Result runWith(CommandLine.IFactory factory, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = Main.commandLine(factory, args)
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true));
        int code = cmd.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    /** The names in a directory, sorted, hidden ones (temporary files) included. */
    static List<String> names(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
