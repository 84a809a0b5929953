package dev.jfutures.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The examples run and give the right answers. */
class ExamplesTest {

    /** CallAndAnswer prints one answer per call, and the answers are the prime counts. */
    @Test
    void callAndAnswerAnswersEveryCall() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        long total = CallAndAnswer.run(3, new PrintStream(buf, true, StandardCharsets.UTF_8));
        String out = buf.toString(StandardCharsets.UTF_8);
        assertThat(out.lines()).hasSize(3);
        // pi(50000) = 5133, pi(100000) = 9592, pi(150000) = 13848
        assertThat(out).contains("call 1: 5133 primes", "call 2: 9592 primes", "call 3: 13848 primes");
        assertThat(total).isEqualTo(5133 + 9592 + 13848);
    }

    /** RunawayTask: the stuck task ends with a timeout that killed its worker, and the pool goes on. */
    @Test
    void runawayTaskIsKilledByItsTimeout() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Throwable e = RunawayTask.run(new PrintStream(buf, true, StandardCharsets.UTF_8));
        assertThat(e).isInstanceOf(dev.jfutures.remote.TaskTimeoutException.class).hasMessageContaining("was killed");
        assertThat(buf.toString(StandardCharsets.UTF_8)).contains("fine: 42", "after: the pool goes on");
    }

    /** FindLoop prints exactly the paths whose absolute path contains the pattern, as a walk would. */
    @Test
    void findLoopMatchesAWalk(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("a/bFuture/c"));
        Files.createDirectories(dir.resolve("d/e"));
        Files.writeString(dir.resolve("a/Future.txt"), "x");
        Files.writeString(dir.resolve("d/e/notes"), "x");
        Files.writeString(dir.resolve("a/bFuture/c/inner"), "x");
        Files.createSymbolicLink(dir.resolve("d/loop"), dir);   // not followed

        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int found = FindLoop.find(dir, "Future", new PrintStream(buf, true, StandardCharsets.UTF_8));

        Set<String> printed = new TreeSet<>(Arrays.asList(buf.toString(StandardCharsets.UTF_8).split("\n")));
        Set<String> expected;
        try (Stream<Path> walk = Files.walk(dir)) {
            expected = walk.filter(p -> !p.equals(dir)).map(Path::toString)
                    .filter(p -> p.contains("Future")).collect(Collectors.toCollection(TreeSet::new));
        }
        assertThat(printed).isEqualTo(expected).hasSize(4);
        assertThat(found).isEqualTo(4);
    }

    /** RleCompressor: the file a process pool writes decompresses to the drawing, and equals the thread pool's. */
    @Test
    void rleCompressorRoundTripsOnBothPools() {
        boolean[][] image = RleCompressor.draw(300, 41);
        byte[] viaProcesses;
        try (dev.jfutures.TaskExecutor pool = dev.jfutures.process.ProcessPool.builder().workers(2).build()) {
            viaProcesses = RleCompressor.compress(pool, image);
        }
        byte[] viaThreads;
        try (dev.jfutures.TaskExecutor pool = dev.jfutures.ThreadPool.builder().workers(2).build()) {
            viaThreads = RleCompressor.compress(pool, image);
        }
        assertThat(viaProcesses).isEqualTo(viaThreads);
        assertThat(viaProcesses[0] & 0xff | (viaProcesses[1] & 0xff) << 8).isEqualTo(300);
        assertThat(viaProcesses[2] & 0xff | (viaProcesses[3] & 0xff) << 8).isEqualTo(41);
        assertThat(RleCompressor.decompress(viaProcesses)).isDeepEqualTo(image);
    }

    /** A row of 300 pixels: 127 + 127 + 46, and a run never crosses a chunk. */
    @Test
    void rleRowsSplitIntoChunksOf127() {
        boolean[] white = new boolean[300];
        java.util.Arrays.fill(white, true);
        assertThat(RleCompressor.compressRow(white)).containsExactly(0x80 | 127, 0x80 | 127, 0x80 | 46);
        assertThat(RleCompressor.compressRow(new boolean[] {false, true, true, false}))
                .containsExactly(1, 0x80 | 2, 1);
    }
}
