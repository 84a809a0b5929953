package dev.jfutures;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * {@link MapOptions#eager()} on a {@link ThreadPool}: every input is submitted at the call, as
 * CPython's {@code Executor.map}, so code that maps for its side effects and never iterates runs
 * every input; the last of {@code eager()} and {@code bufferSize(int)} wins.
 */
class MapEagerTest {

    /** Filled by the tasks; a static set, so the lambdas capture nothing but their input. */
    private static final Set<Integer> RAN = ConcurrentHashMap.newKeySet();

    /** All 100 inputs run though the results are never iterated; the lazy default runs only its buffer. */
    @Test
    void everyInputRunsWithoutIteration() {
        List<Integer> inputs = IntStream.range(0, 100).boxed().collect(Collectors.toList());
        RAN.clear();
        ThreadPool pool = ThreadPool.builder().workers(2).build();
        Iterator<Integer> again = inputs.iterator();
        pool.map((Integer i) -> RAN.add(i), () -> again, MapOptions.defaults().eager());
        assertThat(again.hasNext()).as("map() pulled the whole input").isFalse();
        pool.shutdown(true, false);
        assertThat(RAN).containsExactlyInAnyOrderElementsOf(inputs);

        RAN.clear();
        ThreadPool lazy = ThreadPool.builder().workers(2).build();
        Iterator<Integer> lazyInput = inputs.iterator();
        lazy.map((Integer i) -> RAN.add(i), () -> lazyInput, MapOptions.defaults().eager().bufferSize(4));
        lazy.shutdown(true, false);
        assertThat(RAN).as("bufferSize after eager: lazy again").hasSize(4);
        assertThat(lazyInput.next()).isEqualTo(4);
    }

    /** The options report eagerness, and the last of eager() and bufferSize() wins. */
    @Test
    void lastOfEagerAndBufferSizeWins() {
        assertThat(MapOptions.defaults().isEager()).isFalse();
        MapOptions eager = MapOptions.defaults().bufferSize(8).eager();
        assertThat(eager.isEager()).isTrue();
        assertThat(eager.bufferSize()).isEmpty();
        assertThat(eager.chunkSize(5).timeout(java.time.Duration.ofSeconds(1)).isEager()).isTrue();
        assertThat(eager.bufferSize(3).isEager()).isFalse();
        assertThat(eager.bufferSize(3).bufferSize()).hasValue(3);
        assertThat(eager.toString()).contains("bufferSize=eager");
    }
}
