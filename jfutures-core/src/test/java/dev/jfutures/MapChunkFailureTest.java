package dev.jfutures;

import static org.assertj.core.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * A chunked {@code map} whose chunk task fails as a whole (not one element: the chunk's own future,
 * as when a worker process dies with it) still gives every input its own outcome at its own
 * position: each input of that chunk fails on its own with the chunk's failure as the cause, and
 * the inputs after it keep their places. One exception standing for the whole chunk makes every
 * later result shift by the chunk's size.
 *
 * <p>A thread pool's chunk task never fails as a whole (it catches each element's exception), so
 * the executor here is a ThreadPool behind a wrapper that fails the third task submitted without
 * running it: the chunk of inputs 20 to 29.
 */
class MapChunkFailureTest {

    private static final int INPUTS = 100;
    private static final int CHUNK = 10;
    private static final int LOST_FROM = 20;

    /** A ThreadPool, except that the third task submitted fails at once, as a whole, without running. */
    private static final class ThirdTaskFails extends AbstractTaskExecutor {
        static final String LOST = "the third task was lost as a whole";
        private final ThreadPool delegate = ThreadPool.builder().workers(2).build();
        private final AtomicInteger submitted = new AtomicInteger();

        @Override
        public <T> TaskFuture<T> submit(Callable<T> task) {
            if (submitted.incrementAndGet() == 3) {
                TaskPromise<T> lost = new TaskPromise<>();
                lost.setException(new IllegalStateException(LOST));
                return lost.future();
            }
            return delegate.submit(task);
        }

        @Override
        protected int parallelism() {
            return 2;
        }

        @Override
        public void shutdown(boolean wait, boolean cancelFutures) {
            delegate.shutdown(wait, cancelFutures);
        }

        @Override
        public List<Runnable> shutdownNow() {
            return delegate.shutdownNow();
        }

        @Override
        public boolean isShutdown() {
            return delegate.isShutdown();
        }

        @Override
        public boolean isTerminated() {
            return delegate.isTerminated();
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
            return delegate.awaitTermination(timeout, unit);
        }
    }

    /** Each input of a chunk whose task failed as a whole fails at its own position, caused by that failure. */
    @Test
    void aChunkFailedAsAWholeFailsEachOfItsInputsInPlace() {
        List<Integer> inputs = IntStream.range(0, INPUTS).boxed().collect(Collectors.toList());
        List<String> outcomes = new ArrayList<>();
        try (ThirdTaskFails executor = new ThirdTaskFails();
             MapResults<Integer> results = executor.map((Integer i) -> i, inputs,
                     MapOptions.defaults().chunkSize(CHUNK))) {
            while (results.hasNext() && outcomes.size() <= INPUTS) {
                try {
                    outcomes.add(outcomes.size() + ": " + results.next());
                } catch (TaskFailedException e) {
                    Throwable cause = e.getCause();
                    outcomes.add(outcomes.size() + ": failed, cause "
                            + (cause == null ? "none" : cause.getClass().getSimpleName() + ": " + cause.getMessage()));
                }
            }
        }
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < INPUTS; i++) {
            expected.add(i >= LOST_FROM && i < LOST_FROM + CHUNK
                    ? i + ": failed, cause IllegalStateException: " + ThirdTaskFails.LOST
                    : i + ": " + i);
        }
        assertSameOutcomes(outcomes, expected);
    }

    /**
     * Through {@link MapResults#outcomes()}: each input of the lost chunk has its own failed
     * outcome at its own index, caused by the chunk's failure; a for-each walks all 100 to the end.
     */
    @Test
    void outcomesOfAChunkFailedAsAWholeFailEachOfItsInputsInPlace() {
        List<Integer> inputs = IntStream.range(0, INPUTS).boxed().collect(Collectors.toList());
        List<String> outcomes = new ArrayList<>();
        try (ThirdTaskFails executor = new ThirdTaskFails();
             MapResults<Integer> results = executor.map((Integer i) -> i, inputs,
                     MapOptions.defaults().chunkSize(CHUNK))) {
            for (Outcome<Integer> o : results.outcomes()) {
                if (o.isSuccess()) {
                    outcomes.add(o.index() + ": " + o.value());
                } else {
                    Throwable cause = o.exception();
                    outcomes.add(o.index() + ": failed, cause " + cause.getClass().getSimpleName() + ": "
                            + cause.getMessage());
                    org.assertj.core.api.Assertions.assertThatThrownBy(o::value)
                            .isInstanceOf(TaskFailedException.class)
                            .hasMessageContaining("failed as a whole")
                            .cause().isSameAs(cause);
                }
            }
        }
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < INPUTS; i++) {
            expected.add(i >= LOST_FROM && i < LOST_FROM + CHUNK
                    ? i + ": failed, cause IllegalStateException: " + ThirdTaskFails.LOST
                    : i + ": " + i);
        }
        assertSameOutcomes(outcomes, expected);
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
}
