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
        Result r = runWith(factory, new PrintWriter(out, true), args);
        return new Result(r.code(), out.toString(), r.err());
    }

    /**
     * Runs {@code args} writing stdout into {@code out}, and ends as {@link Main#main} does: a write
     * error of {@code out} (a {@link Stdout}) decides the exit code. The result's {@code out} is empty.
     */
    static Result runWith(CommandLine.IFactory factory, PrintWriter out, String... args) {
        StringWriter err = new StringWriter();
        PrintWriter errWriter = new PrintWriter(err, true);
        CommandLine cmd = Main.commandLine(factory, args).setOut(out).setErr(errWriter);
        int code = cmd.execute(args);
        out.flush();
        return new Result(Stdout.exitCode(out, errWriter, code), "", err.toString());
    }

    /**
     * Starts {@code jfutures ARGS} in a JVM of its own ({@link Main}, this test's class path).
     *
     * @param environment added to the process's environment
     * @param args the command line
     * @return the builder, to redirect and start
     */
    static ProcessBuilder process(java.util.Map<String, String> environment, String... args) {
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(environment);
        return pb;
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
