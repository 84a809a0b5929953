package dev.jfutures.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jfutures.cli.rle.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * What keeps the start of {@code find}, {@code compress} and {@code decompress} short (see {@link
 * Models}): their picocli models are built in code, so no annotation is read; picocli's default
 * factory is not made; and picocli's java.time and java.sql converters are not registered. Each
 * command runs in a JVM of its own, whose class-load log shows what the start did: every
 * annotation a JVM reads is an instance of a dynamic proxy class (one per annotation type), which
 * that log names.
 */
class StartUpTest {

    @TempDir
    Path tmp;

    @Test
    void findCompressAndDecompressReadNoAnnotations() throws Exception {
        Path image = tmp.resolve("in/a.bmp");
        Files.createDirectories(image.getParent());
        assertThat(ImageIO.write(ImageFiles.toBufferedImage(TestImages.noise(40, 30, 0.5, new Random(1))), "bmp",
                image.toFile())).isTrue();
        Path rle = tmp.resolve("a.rle");
        Path back = tmp.resolve("b.bmp");

        assertStartIsLean(run("find", "find", s(tmp), "a.bmp"));
        assertStartIsLean(run("compress", "compress", s(image), "-o", s(rle), "--no-progress"));
        assertThat(rle).isNotEmptyFile();
        assertStartIsLean(run("decompress", "decompress", s(rle), "-o", s(back), "--executor", "thread"));
        assertThat(back).isNotEmptyFile();
    }

    @Test
    void theCheckSeesTheAnnotationsOfAnAnnotatedCommand() throws Exception {
        // samples is still read from annotations (it is not timed): the log must show it, or the
        // test above would pass whatever the commands do.
        Run samples = run("samples", "samples", s(tmp.resolve("samples")), "--count", "1", "--size", "4x4");
        assertThat(samples.proxies()).as("dynamic proxies loaded by samples").isNotEmpty();
        assertThat(samples.loaded("picocli.CommandLine$DefaultFactory")).isTrue();
    }

    @Test
    void noOptionOfAnyCommandNeedsAConverterMainLeavesOut() {
        // Every subcommand: with no arguments the command line has them all, samples and bench too.
        CommandLine all = Main.commandLine(new Main.Factory());
        List<String> types = new ArrayList<>();
        collectTypes(all.getCommandSpec(), types);
        assertThat(types).contains("java.lang.String", "dev.jfutures.cli.ExecutorOptions$Kind", "java.nio.file.Path");
        for (String regex : Main.UNUSED_CONVERTERS.split(",")) {
            assertThat(types).as("option types matching %s", regex).noneMatch(t -> t.matches(regex));
        }
    }

    @Test
    void theLaunchersFactoryMakesWhatTheAnnotatedCommandsAskFor() {
        // bench's --only is a List: picocli asks the factory for one.
        CommandLine cmd = Main.commandLine(new Main.Factory(), "bench", "--only", "find,core");
        CommandLine.ParseResult r = cmd.parseArgs("bench", "--only", "find,core");
        assertThat(r.subcommand().matchedOptionValue("--only", List.of())).hasToString("[find, core]");
    }

    // ------------------------------------------------------------------ harness

    private static void collectTypes(CommandSpec spec, List<String> types) {
        for (ArgSpec arg : spec.args()) {
            types.add(arg.type().getName());
            for (Class<?> aux : arg.auxiliaryTypes()) {
                types.add(aux.getName());
            }
        }
        for (CommandLine sub : spec.subcommands().values()) {
            collectTypes(sub.getCommandSpec(), types);
        }
    }

    private static void assertStartIsLean(Run run) {
        assertThat(run.code()).as("exit code of %s; stderr: %s", run.name(), run.err()).isZero();
        assertThat(run.proxies()).as("dynamic proxy classes (annotations read) loaded by %s", run.name()).isEmpty();
        assertThat(run.loaded("picocli.CommandLine$DefaultFactory"))
                .as("%s made picocli's default factory (a search for Groovy)", run.name()).isFalse();
        // Sentinels of picocli's converter registry, loaded by Class.forName unless excluded: no
        // command uses java.sql, nor java.time.MonthDay.
        assertThat(run.classes()).as("java.sql and java.time converters registered by %s", run.name())
                .noneMatch(c -> c.startsWith("java.sql.") || c.equals("java.time.MonthDay"));
    }

    /** A command's run in a JVM of its own: its exit code, stderr and the classes it loaded. */
    private record Run(String name, int code, String err, List<String> log) {
        /** The names of the classes loaded. */
        List<String> classes() {
            return log.stream().map(l -> l.split(" "))
                    .filter(f -> f.length > 1 && f[0].endsWith("[class,load]"))
                    .map(f -> f[1]).collect(Collectors.toList());
        }

        List<String> proxies() {
            return log.stream().filter(l -> l.contains("source: __dynamic_proxy__")).collect(Collectors.toList());
        }

        boolean loaded(String className) {
            return classes().contains(className);
        }
    }

    /** Runs {@code jfutures args} as the launcher's jar would: Main.main, in a new JVM. */
    private Run run(String name, String... args) throws IOException, InterruptedException {
        Path log = tmp.resolve(name + ".classes");
        Path err = tmp.resolve(name + ".err");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xlog:class+load=info:file=" + log,
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(err.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(name + " did not end in 60 s");
        }
        return new Run(name, p.exitValue(), Files.readString(err), Files.readAllLines(log));
    }

    private static String s(Path p) {
        return p.toString();
    }
}
