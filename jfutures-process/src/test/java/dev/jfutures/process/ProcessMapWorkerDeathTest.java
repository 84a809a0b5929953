package dev.jfutures.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.jfutures.MapOptions;
import dev.jfutures.MapResults;
import dev.jfutures.TaskFailedException;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A chunked {@code map} whose chunk is lost with its worker still gives every input its own
 * outcome at its own position: each input of the lost chunk fails on its own (a {@link
 * TaskFailedException} whose cause is the {@link WorkerDiedException}), and the inputs after it
 * keep their places. One exception standing for the whole chunk makes the results after it shift
 * by the chunk's size, so the caller pairs results with the wrong inputs.
 *
 * <p>The function halts its worker JVM at input {@value #HALT_AT}, but only the first time (a
 * marker file records it): the pool never runs a started task twice, so the chunk of inputs 20 to
 * 29 fails; the marker only keeps a pool that did re-run it from halting worker after worker.
 */
class ProcessMapWorkerDeathTest extends ProcessTestBase {

    private static final long TEST_PID = ProbeTasks.testPid();
    private static final int INPUTS = 100;
    private static final int CHUNK = 10;
    private static final int HALT_AT = 25;
    /** The chunk holding {@link #HALT_AT}: inputs 20 to 29. */
    private static final int LOST_FROM = HALT_AT / CHUNK * CHUNK;

    /** Returns {@code i}; at {@code haltAt}, the first time only, halts the JVM running it. */
    static Integer haltOnceAt(Integer i, int haltAt, String marker, long testPid) throws IOException {
        if (i == haltAt) {
            try {
                Files.createFile(Path.of(marker));
            } catch (FileAlreadyExistsException ranBefore) {
                return i;
            }
            ProbeTasks.refuseIn(testPid, "Runtime.halt()");
            Runtime.getRuntime().halt(1);
        }
        return i;
    }

    /** Every input of a chunk lost with its worker fails at its own position; the other inputs keep theirs. */
    @Test
    void aChunkLostWithItsWorkerFailsEachOfItsInputsInPlace(@TempDir Path dir) {
        ProcessPool p = pool(ProcessPool.builder().workers(2));
        String marker = dir.resolve("halted").toString();
        long testPid = TEST_PID;
        List<Integer> inputs = IntStream.range(0, INPUTS).boxed().collect(Collectors.toList());
        List<Object> outcomes = new ArrayList<>();
        try (MapResults<Integer> results = p.map((Integer i) -> haltOnceAt(i, HALT_AT, marker, testPid), inputs,
                MapOptions.defaults().chunkSize(CHUNK).timeout(Duration.ofSeconds(60)))) {
            while (results.hasNext() && outcomes.size() <= INPUTS) {
                try {
                    outcomes.add(results.next());
                } catch (TaskFailedException e) {
                    outcomes.add(e);
                }
            }
        }
        assertThat(Files.exists(Path.of(marker))).as("input %d halted its worker", HALT_AT).isTrue();
        assertSameOutcomes(describe(outcomes), expected());
    }

    /** Fails naming how many outcomes came and the first positions that differ. */
    private static void assertSameOutcomes(List<String> actual, List<String> expected) {
        List<String> differ = new ArrayList<>();
        for (int i = 0; i < Math.max(actual.size(), expected.size()); i++) {
            String a = i < actual.size() ? actual.get(i) : "nothing";
            String e = i < expected.size() ? expected.get(i) : "nothing";
            if (!a.equals(e)) {
                differ.add("position " + i + ": expected [" + e + "], got [" + a + "]");
            }
        }
        if (!differ.isEmpty()) {
            fail("%d outcomes for %d inputs; %d positions differ, the first: %s", actual.size(), expected.size(),
                    differ.size(), String.join("; ", differ.subList(0, Math.min(3, differ.size()))));
        }
    }

    /** What each position should hold: its value, or a failure caused by the worker's death in the lost chunk. */
    private static List<String> expected() {
        List<String> e = new ArrayList<>();
        for (int i = 0; i < INPUTS; i++) {
            e.add(i >= LOST_FROM && i < LOST_FROM + CHUNK ? i + ": failed, cause WorkerDiedException" : i + ": " + i);
        }
        return e;
    }

    private static List<String> describe(List<Object> outcomes) {
        List<String> d = new ArrayList<>();
        for (int i = 0; i < outcomes.size(); i++) {
            Object o = outcomes.get(i);
            if (o instanceof TaskFailedException) {
                Throwable cause = ((TaskFailedException) o).getCause();
                d.add(i + ": failed, cause " + (cause == null ? "none" : cause.getClass().getSimpleName()));
            } else {
                d.add(i + ": " + o);
            }
        }
        return d;
    }
}
