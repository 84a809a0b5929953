package dev.jfutures;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TraceRecorder: a run of a pool as trace-event JSON, one track per worker, one slice per task. */
class TraceRecorderTest {

    @TempDir
    Path dir;

    private static int count(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    @Test
    void aPoolsRunIsOneSlicePerTaskOnItsWorkersTrack() throws Exception {
        Path file = dir.resolve("run.trace.json");
        ThreadPool p = ThreadPool.builder().workers(2).threadNamePrefix("traced").build();
        CountDownLatch stopped = new CountDownLatch(2);
        try (TraceRecorder trace = TraceRecorder.to(file)) {
            p.addListener(trace);
            p.addListener(new ExecutorListener() {
                @Override
                public void workerEvent(WorkerEvent e) {
                    if (e.kind() == WorkerEvent.Kind.STOPPED) {
                        stopped.countDown();
                    }
                }
            });
            List<TaskFuture<Integer>> fs = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                int x = i;
                fs.add(p.submit(() -> x == 5 ? Integer.parseInt("five") : x));
            }
            for (TaskFuture<Integer> f : fs) {
                f.exception(Duration.ofSeconds(60));
            }
            p.shutdown(true, false);
            // The recorder hears events on the pool's event thread: the last is each worker's STOPPED.
            assertThat(stopped.await(60, TimeUnit.SECONDS)).isTrue();
            assertThat(Files.exists(file)).as("nothing is written before close").isFalse();
        }
        String json = Files.readString(file);
        assertThat(json).startsWith("{\"displayTimeUnit\":\"ms\",\"traceEvents\":[").endsWith("]}\n");
        assertThat(count(json, "\"ph\":\"X\"")).isEqualTo(40);
        assertThat(count(json, "\"outcome\":\"FAILED\"")).isEqualTo(1);
        assertThat(count(json, "\"name\":\"thread_name\"")).isBetween(1, 2);
        assertThat(json).contains("\"name\":\"traced (thread)\"").contains("\"name\":\"traced_");
        assertThat(count(json, "\"name\":\"STOPPED\",\"cat\":\"worker\",\"ph\":\"i\"")).isBetween(1, 2);
        assertThat(json).doesNotContain(",\n]");
    }

    @Test
    void aWorkersDeathIsAMarkWithItsCause() throws Exception {
        Path file = dir.resolve("death.json");
        TraceRecorder trace = TraceRecorder.to(file);
        trace.workerEvent(new WorkerEvent(WorkerEvent.Kind.DIED, "pid 42", "pool", "process", Instant.now(),
                "exited with code 3: \"out of memory\"\n", 0));
        trace.close();
        String json = Files.readString(file);
        assertThat(json).contains("\"name\":\"DIED\"").contains("\"cause\":\"exited with code 3: \\\"out of memory\\\"\\n\"")
                .contains("\"name\":\"pid 42\"");
    }

    @Test
    void aFolderThatIsMissingIsAClearErrorAndLeavesNothing() {
        Path file = dir.resolve("missing").resolve("run.json");
        TraceRecorder trace = TraceRecorder.to(file);
        assertThatThrownBy(trace::close).isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("cannot write the trace").hasMessageContaining("folder");
        assertThat(Files.exists(file)).isFalse();
    }

    /** The trace gets the mode any new file gets (the umask's), not the owner-only mode of a temp file */
    @Test
    void theTraceHasTheModeOfANewFile() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                dir.getFileSystem().supportedFileAttributeViews().contains("posix"), "POSIX file modes");
        Path file = dir.resolve("mode.json");
        TraceRecorder.to(file).close();
        Path plain = Files.createFile(dir.resolve("plain"));
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(Files.getPosixFilePermissions(plain));
        try (var leftovers = Files.list(dir)) {
            assertThat(leftovers.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("mode.json", "plain");
        }
    }
}
