package dev.jfutures;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A lazy map whose results are abandoned, neither consumed to the end nor closed, logs a WARNING
 * naming the call site of {@code map} once the results become unreachable; one consumed, closed,
 * or eager logs nothing. Deterministic: each test waits for an event (the log record, or a weak
 * reference clearing) while asking for collections with {@code System.gc()}, within a deadline,
 * never for a time.
 */
class MapAbandonedTest {

    private static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final ReferenceQueue<Object> QUEUE = new ReferenceQueue<>();
    private static final List<Integer> INPUTS = IntStream.range(0, 100).boxed().collect(Collectors.toList());

    private final Logger logger = Logger.getLogger("dev.jfutures");
    private final List<LogRecord> records = new ArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            synchronized (records) {
                records.add(record);
                records.notifyAll();
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private ThreadPool pool;

    @BeforeEach
    void setUp() {
        logger.addHandler(capture);
        pool = ThreadPool.builder().workers(2).build();
    }

    @AfterEach
    void tearDown() {
        logger.removeHandler(capture);
        pool.shutdown(true, true);
    }

    /** Dropped without iteration: the warning names this method as the call site, and says the rest never ran. */
    @Test
    void anAbandonedMapWarnsNamingItsCallSite() throws InterruptedException {
        pool.map((Integer x) -> x, INPUTS, MapOptions.defaults().bufferSize(4)); // dropped at once

        LogRecord r = awaitRecord(naming("anAbandonedMapWarnsNamingItsCallSite"));

        assertThat(r).as("a warning for the abandoned map").isNotNull();
        assertThat(r.getLevel()).isEqualTo(Level.WARNING);
        assertThat(r.getMessage())
                .contains("dev.jfutures.MapAbandonedTest.anAbandonedMapWarnsNamingItsCallSite(MapAbandonedTest.java:")
                .contains("0 result(s) were taken")
                .contains("only 4 input(s) were submitted")
                .contains("MapOptions.eager()");
    }

    /** Partly iterated, then dropped: still abandoned; the count of results taken is in the message. */
    @Test
    void aPartlyIteratedMapIsAbandonedToo() throws InterruptedException {
        MapResults<Integer> results = pool.map((Integer x) -> x, INPUTS, MapOptions.defaults().bufferSize(4));
        assertThat(results.next()).isZero();
        assertThat(results.next()).isEqualTo(1);
        results = null; // dropped

        LogRecord r = awaitRecord(naming("aPartlyIteratedMapIsAbandonedToo"));

        assertThat(r).as("a warning for the abandoned map").isNotNull();
        assertThat(r.getMessage()).contains("2 result(s) were taken");
    }

    /**
     * Consumed to the end, closed, closed by try-with-resources, walked through outcomes(), or
     * eager: no warning. Each is dropped and seen collected; then an abandoned map made after them
     * (in {@link #abandonAnother()}) is reported, which the Cleaner does after any report of the
     * earlier ones, and none names this method.
     */
    @Test
    void consumedClosedOrEagerMapsLogNothing() throws InterruptedException {
        List<WeakReference<MapResults<?>>> dropped = new ArrayList<>();

        MapResults<Integer> consumed = pool.map((Integer x) -> x, INPUTS, MapOptions.defaults().bufferSize(4));
        consumed.forEachRemaining(x -> { });
        dropped.add(weak(consumed));
        consumed = null;

        MapResults<Integer> closed = pool.map((Integer x) -> x, INPUTS, MapOptions.defaults().bufferSize(4));
        closed.next();
        closed.close();
        dropped.add(weak(closed));
        closed = null;

        try (MapResults<Integer> tried = pool.map((Integer x) -> x, INPUTS, MapOptions.defaults().bufferSize(4))) {
            tried.next();
            dropped.add(weak(tried));
        }

        MapResults<Integer> walked = pool.map((Integer x) -> x, INPUTS, MapOptions.defaults().chunkSize(7));
        walked.outcomes().forEach(o -> { });
        dropped.add(weak(walked));
        walked = null;

        MapResults<Integer> eager = pool.map((Integer x) -> x, INPUTS, MapOptions.defaults().eager());
        dropped.add(weak(eager));
        eager = null;

        assertThat(awaitCollected(dropped)).as("the dropped results were collected").isTrue();
        abandonAnother();
        assertThat(awaitRecord(naming("abandonAnother"))).as("the later, abandoned map was reported").isNotNull();

        synchronized (records) {
            assertThat(records).noneMatch(naming("consumedClosedOrEagerMapsLogNothing"));
        }
    }

    private void abandonAnother() {
        pool.map((Integer x) -> x, INPUTS, MapOptions.defaults().bufferSize(4));
    }

    private static Predicate<LogRecord> naming(String method) {
        return r -> r.getMessage() != null && r.getMessage().contains("MapAbandonedTest." + method + "(");
    }

    /** Collects until a record matches, or the deadline; null if none came. */
    private LogRecord awaitRecord(Predicate<LogRecord> matches) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        while (System.nanoTime() - deadline < 0) {
            System.gc();
            synchronized (records) {
                for (LogRecord r : records) {
                    if (matches.test(r)) {
                        return r;
                    }
                }
                records.wait(100); // woken by the record's arrival; the bound only repeats the gc
            }
        }
        return null;
    }

    /** Collects until every reference is cleared (each enqueued on {@link #QUEUE}), or the deadline. */
    private static boolean awaitCollected(List<WeakReference<MapResults<?>>> refs) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        while (System.nanoTime() - deadline < 0) {
            if (refs.stream().allMatch(r -> r.get() == null)) {
                return true;
            }
            System.gc();
            QUEUE.remove(100); // woken by a clearing; the bound only repeats the gc
        }
        return false;
    }

    private static <T extends MapResults<?>> WeakReference<MapResults<?>> weak(T results) {
        return new WeakReference<>(results, QUEUE);
    }
}
