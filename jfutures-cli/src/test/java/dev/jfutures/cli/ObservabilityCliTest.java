package dev.jfutures.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jfutures.cli.rle.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the commands show of their work: {@code --trace FILE} on find, compress and decompress
 * writes the run's timeline (one slice per task, one track per worker), complete when the command
 * returns; a bad {@code --trace} is a usage error before any work; and a JFR recording of a run
 * holds jfutures' events, as {@code jfr print} (JDK Mission Control's reader) shows them.
 */
class ObservabilityCliTest {

    @TempDir
    Path tmp;

    private static final Pattern SLICE = Pattern.compile("\"ph\":\"X\"");
    private static final Pattern TRACK = Pattern.compile("\"name\":\"thread_name\"[^}]*\"args\":\\{\"name\":\"([^\"]*)\"");

    private Path images(int n) throws IOException {
        Path dir = tmp.resolve("in");
        Files.createDirectories(dir);
        for (int i = 0; i < n; i++) {
            assertThat(ImageIO.write(ImageFiles.toBufferedImage(TestImages.noise(40, 30, 0.5, new Random(i))), "bmp",
                    dir.resolve("img" + i + ".bmp").toFile())).isTrue();
        }
        return dir;
    }

    private static int count(Pattern p, String s) {
        Matcher m = p.matcher(s);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    private static List<String> tracks(String trace) {
        List<String> names = new ArrayList<>();
        Matcher m = TRACK.matcher(trace);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    /** compress DIR on worker JVMs: a slice per file, on tracks named by the workers' pids */
    @Test
    void compressADirectoryOnProcessesWritesASlicePerFile() throws Exception {
        Path in = images(6);
        Path trace = tmp.resolve("compress.trace.json");
        Cli.Result r = Cli.run("compress", in.toString(), "-o", tmp.resolve("out").toString(), "--executor", "process",
                "--workers", "2", "--no-progress", "--trace", trace.toString());
        assertThat(r.code()).as("stderr: %s", r.err()).isZero();
        String json = Files.readString(trace);
        assertThat(json).startsWith("{").contains("\"traceEvents\"");
        assertThat(count(SLICE, json)).as("slices, one per file").isEqualTo(6);
        assertThat(tracks(json)).isNotEmpty().allMatch(t -> t.matches("pid \\d+"));
        assertThat(json).contains("\"outcome\":\"SUCCEEDED\"").contains("\"name\":\"STARTED\"");
    }

    /** compress FILE and decompress FILE: their row tasks are on the trace too */
    @Test
    void compressAndDecompressAFileTraceTheirTasks() throws Exception {
        Path in = images(1).resolve("img0.bmp");
        Path rle = tmp.resolve("a.rle");
        Path trace = tmp.resolve("c.json");
        Cli.Result c = Cli.run("compress", in.toString(), "-o", rle.toString(), "--executor", "thread", "--workers",
                "2", "--trace", trace.toString());
        assertThat(c.code()).as("stderr: %s", c.err()).isZero();
        assertThat(count(SLICE, Files.readString(trace))).isPositive();
        Path trace2 = tmp.resolve("d.json");
        Cli.Result d = Cli.run("decompress", rle.toString(), "-o", tmp.resolve("b.bmp").toString(), "--executor",
                "thread", "--trace", trace2.toString());
        assertThat(d.code()).as("stderr: %s", d.err()).isZero();
        assertThat(count(SLICE, Files.readString(trace2))).isEqualTo(1);
    }

    /** find: a slice per directory listed */
    @Test
    void findTracesADirectoryPerTask() throws Exception {
        for (String d : List.of("a", "a/b", "a/c", "d")) {
            Files.createDirectories(tmp.resolve("root").resolve(d));
        }
        Path trace = tmp.resolve("find.json");
        Cli.Result r = Cli.run("find", tmp.resolve("root").toString(), "zzz", "--trace", trace.toString());
        assertThat(r.code()).as("stderr: %s", r.err()).isZero();
        assertThat(count(SLICE, Files.readString(trace))).as("one listing per directory").isEqualTo(5);
    }

    /** A --trace whose folder does not exist is a usage error, before any work, naming it */
    @Test
    void aTraceInAMissingFolderIsAUsageError() throws Exception {
        Path in = images(1);
        Path out = tmp.resolve("out");
        Cli.Result r = Cli.run("compress", in.toString(), "-o", out.toString(), "--trace",
                tmp.resolve("nope/t.json").toString());
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("nope").contains("does not exist");
        assertThat(out).doesNotExist();
        Cli.Result dir = Cli.run("find", in.toString(), "x", "--trace", tmp.toString());
        assertThat(dir.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(dir.err()).contains("is a directory");
    }

    /**
     * A JFR recording of a compress run on worker JVMs, with the task events asked for (they are
     * off by default), holds a TaskFinished per file naming its worker, and the workers' changes
     * (on by default), as {@code jfr print} reads them
     */
    @Test
    void aJfrRecordingOfARunHasItsTasksAndWorkers() throws Exception {
        Path in = images(4);
        Path jfr = tmp.resolve("run.jfr");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path jfrTool = Path.of(System.getProperty("java.home"), "bin", "jfr");
        List<String> command = List.of(java.toString(), "-XX:StartFlightRecording:dumponexit=true,filename=" + jfr
                + ",+dev.jfutures.TaskFinished#enabled=true",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "compress", in.toString(), "-o",
                tmp.resolve("out").toString(), "--executor", "process", "--workers", "2", "--no-progress");
        Path err = tmp.resolve("run.err");
        Process p = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(err.toFile()).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("the run ended").isTrue();
        assertThat(p.exitValue()).as("stderr: %s", Files.readString(err)).isZero();
        assertThat(jfr).isNotEmptyFile();

        Process print = new ProcessBuilder(jfrTool.toString(), "print", "--events",
                "dev.jfutures.TaskFinished,dev.jfutures.WorkerChanged", jfr.toString()).redirectErrorStream(true).start();
        String text = new String(print.getInputStream().readAllBytes(), UTF_8);
        assertThat(print.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(print.exitValue()).as("jfr print: %s", text).isZero();
        assertThat(count(Pattern.compile("dev\\.jfutures\\.TaskFinished \\{"), text)).as("tasks in: %s", text)
                .isEqualTo(4);
        assertThat(text).contains("executorKind = \"process\"").contains("outcome = \"SUCCEEDED\"")
                .containsPattern("worker = \"pid \\d+\"");
        assertThat(text).contains("dev.jfutures.WorkerChanged").contains("change = \"STARTED\"");
    }

    /** timeline draws what --trace wrote: an SVG beside it with a bar per file's task */
    @Test
    void timelineDrawsATraceBesideIt() throws Exception {
        Path in = images(3);
        Path trace = tmp.resolve("run.trace.json");
        assertThat(Cli.run("compress", in.toString(), "-o", tmp.resolve("out").toString(), "--no-progress", "--trace",
                trace.toString()).code()).isZero();
        Cli.Result r = Cli.run("timeline", trace.toString());
        assertThat(r.code()).as("stderr: %s", r.err()).isZero();
        Path svg = tmp.resolve("run.svg");
        String picture = Files.readString(svg);
        assertThat(picture).startsWith("<?xml").contains("<svg").contains("3 slices on ");
        assertThat(count(Pattern.compile("<rect [^>]*><title>task \\d+"), picture)).isEqualTo(3);
        assertThat(r.err()).contains("drew " + trace + " in " + svg);
        // Again: the picture exists, and is refused without --force.
        Cli.Result again = Cli.run("timeline", trace.toString());
        assertThat(again.code()).isEqualTo(ExitCodes.FAILED);
        assertThat(again.err()).contains("already exists (use --force");
        assertThat(Cli.run("timeline", trace.toString(), "--force").code()).isZero();
    }

    /** timeline of a file that is missing, or not a trace, says so and writes nothing */
    @Test
    void timelineOfAMissingOrBadFile() throws Exception {
        Cli.Result missing = Cli.run("timeline", tmp.resolve("none.json").toString());
        assertThat(missing.code()).isEqualTo(ExitCodes.NO_INPUT);
        assertThat(missing.err()).contains("none.json").contains("No such file");
        Path bad = tmp.resolve("bad.json");
        Files.writeString(bad, "{\"traceEvents\": [1,]}");
        Cli.Result r = Cli.run("timeline", bad.toString(), "-o", tmp.resolve("bad.svg").toString());
        assertThat(r.code()).isEqualTo(ExitCodes.FAILED);
        assertThat(r.err()).contains("bad.json").contains("line 1, column 20 expected a value");
        assertThat(tmp.resolve("bad.svg")).doesNotExist();
        assertThat(TimelineCommand.defaultOutput("a/run.trace.json")).isEqualTo("a/run.svg");
        assertThat(TimelineCommand.defaultOutput("x.json")).isEqualTo("x.svg");
        assertThat(TimelineCommand.defaultOutput("trace")).isEqualTo("trace.svg");
    }
}
