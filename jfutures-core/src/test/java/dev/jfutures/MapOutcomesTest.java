package dev.jfutures;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@link MapResults#outcomes()} on a {@link ThreadPool}: a for-each loop walks every element's
 * outcome to the end, failed ones included, in input order with the input's index; it shares the
 * results' iteration, buffering and close.
 */
class MapOutcomesTest {

    private static int failOnThrees(int x) {
        if (x % 3 == 1) {
            throw new IllegalStateException("element " + x + " fails");
        }
        return x * 10;
    }

    /** With chunks of 4, the failing elements fail alone, each at its own index; the loop ends normally. */
    @Test
    void forEachWalksPastFailedElementsOfAChunkedMap() {
        try (ThreadPool pool = ThreadPool.builder().workers(2).build();
             MapResults<Integer> results = pool.map(MapOutcomesTest::failOnThrees, range(10),
                     MapOptions.defaults().chunkSize(4))) {
            List<String> seen = new ArrayList<>();
            for (Outcome<Integer> o : results.outcomes()) {
                seen.add(o.index() + (o.isSuccess() ? "=" + o.value() : " failed: " + o.exception().getMessage()));
                if (!o.isSuccess()) {
                    assertThat(o.exception()).isInstanceOf(IllegalStateException.class);
                    assertThatThrownBy(o::value).isInstanceOf(TaskFailedException.class).cause().isSameAs(o.exception());
                }
            }
            assertThat(seen).containsExactly("0=0", "1 failed: element 1 fails", "2=20", "3=30",
                    "4 failed: element 4 fails", "5=50", "6=60", "7 failed: element 7 fails", "8=80", "9=90");
            assertThat(results.hasNext()).isFalse();
            assertThatThrownBy(() -> results.outcomes().iterator().next()).isInstanceOf(NoSuchElementException.class);
        }
    }

    /** The view continues the results' iteration: indexes count every element, whichever view took it. */
    @Test
    void outcomesAndNextShareOneIteration() {
        try (ThreadPool pool = ThreadPool.builder().workers(2).build();
             MapResults<Integer> results = pool.map(MapOutcomesTest::failOnThrees, range(4))) {
            assertThat(results.next()).isEqualTo(0);
            Iterator<Outcome<Integer>> outcomes = results.outcomes().iterator();
            Outcome<Integer> second = outcomes.next();
            assertThat(second.index()).isEqualTo(1);
            assertThat(second.isSuccess()).isFalse();
            assertThat(second.toString()).isEqualTo("Outcome[1: failed: java.lang.IllegalStateException: element 1 fails]");
            assertThat(results.next()).isEqualTo(20);
            Outcome<Integer> last = results.outcomes().iterator().next();
            assertThat(last.index()).isEqualTo(3);
            assertThat(last.value()).isEqualTo(30);
            assertThat(last.exception()).isNull();
            assertThat(outcomes.hasNext()).isFalse();
        }
    }

    /** The view is as lazy as the results: bufferSize inputs at the call, one more per outcome taken. */
    @Test
    void outcomesPullTheInputAsLazilyAsTheResults() {
        AtomicInteger pulled = new AtomicInteger();
        Iterable<Integer> counting = () -> new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public Integer next() {
                pulled.incrementAndGet();
                return next++;
            }
        };
        try (ThreadPool pool = ThreadPool.builder().workers(2).build();
             MapResults<Integer> results = pool.map((Integer x) -> x, counting, MapOptions.defaults().bufferSize(2))) {
            assertThat(pulled).hasValue(2);
            Iterator<Outcome<Integer>> outcomes = results.outcomes().iterator();
            assertThat(outcomes.next().value()).isEqualTo(0);
            assertThat(pulled).hasValue(3);
            assertThat(outcomes.next().value()).isEqualTo(1);
            assertThat(pulled).hasValue(4);
        }
    }

    /** Closing the results ends the view, and the tasks not started are cancelled: an outcome-walk never sees them. */
    @Test
    void closeEndsTheOutcomesAndCancelsWhatHasNotStarted() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        ThreadPool pool = ThreadPool.builder().workers(1).build();
        try {
            TaskFuture<?> blocker = pool.submit(() -> {
                release.await();
                return null;
            });
            MapResults<Integer> results = pool.map((Integer x) -> x, range(3));
            Iterator<Outcome<Integer>> outcomes = results.outcomes().iterator();
            assertThat(outcomes.hasNext()).isTrue();
            results.close();
            assertThat(outcomes.hasNext()).isFalse();
            assertThatThrownBy(outcomes::next).isInstanceOf(NoSuchElementException.class);
            release.countDown();
            blocker.result();
        } finally {
            release.countDown();
            pool.shutdown(true, false);
        }
    }

    /** A cancelled element is an outcome too: exception() returns the CancellationException, value() throws one. */
    @Test
    void aCancelledElementIsAnOutcome() {
        CountDownLatch release = new CountDownLatch(1);
        ThreadPool pool = ThreadPool.builder().workers(1).build();
        try {
            pool.submit(() -> {
                release.await();
                return null;
            });
            MapResults<Integer> results = pool.map((Integer x) -> x, range(2));
            pool.shutdown(false, true); // cancels both queued map tasks
            release.countDown();
            List<Outcome<Integer>> all = new ArrayList<>();
            results.outcomes().forEach(all::add);
            assertThat(all).hasSize(2);
            assertThat(all).allSatisfy(o -> {
                assertThat(o.isSuccess()).isFalse();
                assertThat(o.exception()).isInstanceOf(java.util.concurrent.CancellationException.class);
                assertThatThrownBy(o::value).isInstanceOf(java.util.concurrent.CancellationException.class);
            });
            assertThat(all.get(1).toString()).isEqualTo("Outcome[1: cancelled]");
        } finally {
            release.countDown();
            pool.shutdown(true, false);
        }
    }

    private static List<Integer> range(int n) {
        List<Integer> l = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            l.add(i);
        }
        return l;
    }
}
