package dev.jfutures.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A failed write of stdout is an error, as in GNU tools: {@code jfutures: write error: REASON} and
 * exit code 1; a closed pipe stops {@code find} at once and exits 141, quietly.
 */
class OutputErrorsTest {

    private static final File DEV_FULL = new File("/dev/full");

    /** The most the process tests wait: a guard against a hang, not a measure of speed. */
    private static final long HANG_GUARD_MINUTES = 5;

    @TempDir
    Path tmp;

    /** {@code jfutures find ROOT x > /dev/full}: exit 1 and GNU's message, not 0 and silence. */
    @Test
    void findIntoAFullDiskIsAWriteErrorAndExitCode1() throws Exception {
        assumeTrue(DEV_FULL.exists(), "/dev/full is Linux's; there is no full device here to write into");
        Path root = Files.createDirectories(tmp.resolve("r/x-dir"));
        Files.writeString(root.resolve("x-file"), "x");
        Result r = run(Cli.process(Map.of(), "find", tmp.resolve("r").toString(), "x").redirectOutput(DEV_FULL));
        assertThat(r.code()).as(r.err()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("jfutures: write error: No space left on device\n");
    }

    /** Any command's output counts, help and version included. */
    @Test
    void versionIntoAFullDiskIsAWriteError() throws Exception {
        assumeTrue(DEV_FULL.exists(), "/dev/full is Linux's; there is no full device here to write into");
        Result r = run(Cli.process(Map.of(), "--version").redirectOutput(DEV_FULL));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("jfutures: write error: No space left on device\n");
    }

    /**
     * The reader of stdout goes away after the first write: the walk stops there. A chain of 300
     * nested directories is listed one directory at a time (each listing submits the next), so the
     * number listed is the work done; a full walk lists all 301.
     */
    @Test
    void aClosedPipeStopsTheWalkAtOnceAndExits141Quietly() throws IOException {
        int depth = 300;
        Path dir = tmp.resolve("chain");
        for (int i = 0; i < depth; i++) {
            dir = Files.createDirectories(dir.resolve("d"));
            Files.writeString(dir.resolve("f".repeat(200)), "x");
        }
        String root = tmp.resolve("chain").toString();

        AtomicInteger listed = new AtomicInteger();
        Cli.Result full = Cli.runWith(counting(listed), new Stdout(OutputStream.nullOutputStream(),
                StandardCharsets.UTF_8, 16), "find", root, "f");
        assertThat(full.code()).isZero();
        assertThat(listed.get()).as("a full walk lists every directory").isEqualTo(depth + 1);

        listed.set(0);
        AtomicInteger writes = new AtomicInteger();
        OutputStream closedAfterOneWrite = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (writes.incrementAndGet() > 1) {
                    throw new IOException(Stdout.BROKEN_PIPE);   // what the JDK throws on EPIPE
                }
            }
        };
        Cli.Result cut = Cli.runWith(counting(listed), new Stdout(closedAfterOneWrite, StandardCharsets.UTF_8, 16),
                "find", root, "f");
        assertThat(cut.code()).isEqualTo(ExitCodes.BROKEN_PIPE).isEqualTo(141);
        assertThat(cut.err()).as("quiet, as GNU find killed by SIGPIPE").isEmpty();
        // Two writes are two 8 KiB buffers of paths (the encoder's), some 50 levels deep; the bound
        // leaves room.
        assertThat(listed.get()).as("directories listed, of %d, when the pipe closed after one write", depth + 1)
                .isLessThan(depth / 3);
    }

    /** The same with a real pipe: {@code jfutures find ROOT x | head -1} ends, with 141 and nothing on stderr. */
    @Test
    void aProcessWritingIntoAPipeClosedAfterTheFirstLineEndsWith141() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("wide"));
        for (int i = 0; i < 20; i++) {
            Path d = Files.createDirectories(root.resolve("dir-" + i));
            for (int j = 0; j < 100; j++) {
                Files.writeString(d.resolve("file-" + j + "-" + "x".repeat(100)), "");
            }
        }
        // 2000 paths of about 160 bytes: several times the 64 KiB buffer, so writes follow the close.
        Process p = Cli.process(Map.of(), "find", root.toString(), "file").start();
        String first;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            first = in.readLine();
        }
        assertThat(first).contains("/file-");
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(HANG_GUARD_MINUTES, TimeUnit.MINUTES)).as("ended").isTrue();
        assertThat(p.exitValue()).as(err).isEqualTo(141);
        assertThat(err).isEmpty();
    }

    private static CommandLine.IFactory counting(AtomicInteger listed) {
        return new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> cls) throws Exception {
                if (cls == FindCommand.class) {
                    return cls.cast(new FindCommand(dir -> listed.incrementAndGet()));
                }
                return CommandLine.defaultFactory().create(cls);
            }
        };
    }

    private record Result(int code, String err) {
    }

    private static Result run(ProcessBuilder pb) throws Exception {
        Process p = pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        String err;
        try (InputStream e = p.getErrorStream()) {
            err = new String(e.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(p.waitFor(HANG_GUARD_MINUTES, TimeUnit.MINUTES)).as("ended").isTrue();
        return new Result(p.exitValue(), err);
    }
}
