package dev.jfutures.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.jfutures.MapOptions;
import dev.jfutures.MapResults;
import dev.jfutures.Outcome;
import dev.jfutures.Task;
import dev.jfutures.TaskFailedException;
import dev.jfutures.TaskFunction;
import dev.jfutures.TaskFuture;
import dev.jfutures.TaskStatus;
import dev.jfutures.WaitTimeoutException;
import java.io.Serializable;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * CPython's {@code executor.py} {@code ExecutorTest} (T31-T42 of the spec, as on CPython's main
 * branch), plus test_thread_pool.py's {@code test_map_submits_without_iteration} (T43), which is
 * about {@code map} and so holds for every executor here. Each method is named as the CPython test
 * it ports.
 *
 * <p>Where CPython's {@code map} takes several iterables ({@code map(pow, xs, ys)}), the Java
 * {@code map} takes one: the ports zip the iterables into pairs ({@code List.of(x, y)}) lazily.
 * CPython's {@code next(i)} is {@code next()}, its {@code StopIteration} is {@code hasNext() ==
 * false} plus {@link NoSuchElementException}, and an exception raised at an element's position is
 * a {@link TaskFailedException} whose cause is the element's exception.
 *
 * <p>T37's {@code test_map_buffersize_type_validation} and {@code
 * test_map_buffersize_value_validation} check {@link MapOptions} alone, with no executor: they run
 * once, in the testkit's own {@code MapOptionsTest}.
 */
public abstract class ExecutorTests extends ExecutorTestBase {

    /**
     * For the test class of one executor kind, which passes that kind.
     *
     * @param kind the executor kind under test
     * @since 0.1
     */
    protected ExecutorTests(ExecutorKind kind) {
        super(kind);
    }

    // ------------------------------------------------------------------------------- T31 submit

    /**
     * Port of executor.py ExecutorTest.test_submit: a submitted call's result comes back through
     * its future, for each way to submit: a {@link Task}, a {@link Callable}, a {@link Runnable}
     * (result null) and a {@code Runnable} with a given result.
     */
    @Test
    void test_submit() {
        TaskFuture<Long> future = executor.submit((Task<Long>) () -> Tasks.pow(2, 8));
        assertThat(future.result()).isEqualTo(256L);

        TaskFuture<Long> callable = executor.submit((Callable<Long> & Serializable) () -> Tasks.pow(2, 8));
        assertThat(callable.result()).isEqualTo(256L);

        SharedLog log = newLog();
        TaskFuture<?> runnable = executor.submit((Runnable & Serializable) () -> log.append("runnable ran"));
        assertThat(runnable.result()).isNull();
        assertThat(runnable.status()).isEqualTo(TaskStatus.SUCCEEDED);

        TaskFuture<String> withResult =
                executor.submit((Runnable & Serializable) () -> log.append("runnable with result ran"), "done");
        assertThat(withResult.result()).isEqualTo("done");
        assertThat(log.entries()).containsExactly("runnable ran", "runnable with result ran");
    }

    /**
     * Port of executor.py ExecutorTest.test_submit_keyword: arguments reach the call unchanged
     * ({@code submit(mul, 2, y=8)}), and a submit without a callable is refused at once. Java has
     * no keyword arguments: a lambda captures its arguments, so CPython's {@code self=}/{@code fn=}
     * clash cannot happen; its {@code TypeError} for a missing {@code fn} is a {@link
     * NullPointerException} for a null task of every kind, thrown by {@code submit} itself.
     */
    @Test
    void test_submit_keyword() {
        int x = 2;
        int y = 8;
        TaskFuture<Integer> future = executor.submit(() -> Tasks.mul(x, y));
        assertThat(future.result()).isEqualTo(16);

        assertThatNullPointerException().isThrownBy(() -> executor.submit((Task<Object>) null));
        assertThatNullPointerException().isThrownBy(() -> executor.submit((Callable<Object>) null));
        assertThatNullPointerException().isThrownBy(() -> executor.submit((Runnable) null));
        assertThatNullPointerException().isThrownBy(() -> executor.submit((Runnable) null, "result"));
        assertThatNullPointerException().isThrownBy(() -> executor.map(null, List.of(1)));
    }

    // ------------------------------------------------------------------------------- T32 map

    /**
     * Port of executor.py ExecutorTest.test_map: {@code map(pow, range(10), range(10))} gives the
     * builtin results, in input order, with and without {@code chunkSize(3)}.
     */
    @Test
    void test_map() {
        List<Long> expected = range(0, 10).stream().map(i -> Tasks.pow(i, i)).collect(Collectors.toList());

        assertThat(drain(executor.map(p -> Tasks.pow(p.get(0), p.get(1)), zip(range(0, 10), range(0, 10)))))
                .isEqualTo(expected);
        assertThat(drain(executor.map(p -> Tasks.pow(p.get(0), p.get(1)), zip(range(0, 10), range(0, 10)),
                MapOptions.defaults().chunkSize(3))))
                .isEqualTo(expected);
    }

    // ------------------------------------------------------------------------------- T33

    /**
     * Port of executor.py ExecutorTest.test_map_exception: a failed element raises at its own
     * position and iteration continues with the next; then the results are exhausted, twice
     * (CPython main's form, gh-108518). With {@code chunkSize(3)} the same holds, and there our chunks
     * fail per element: the failing element's chunk-mates {@code (1, 2)} still yield, where
     * CPython's process pool would lose the whole chunk.
     */
    @Test
    void test_map_exception() {
        MapResults<List<Integer>> i = executor.map(p -> Tasks.divmod(p.get(0), p.get(1)),
                zip(List.of(5, 5, 5, 5), List.of(2, 3, 0, 5)));
        assertThat(i.next()).containsExactly(2, 1);
        assertThat(i.next()).containsExactly(1, 2);
        assertThatThrownBy(i::next).isInstanceOf(TaskFailedException.class)
                .hasCauseInstanceOf(ArithmeticException.class);
        assertThat(i.next()).containsExactly(1, 0);
        assertExhausted(i);

        i = executor.map(p -> Tasks.divmod(p.get(0), p.get(1)),
                zip(List.of(5, 5, 5, 5), List.of(2, 0, 3, 5)), MapOptions.defaults().chunkSize(3));
        assertThat(i.next()).containsExactly(2, 1);
        assertThatThrownBy(i::next).isInstanceOf(TaskFailedException.class)
                .hasCauseInstanceOf(ArithmeticException.class);
        assertThat(i.next()).containsExactly(1, 2);
        assertThat(i.next()).containsExactly(1, 0);
        assertExhausted(i);
    }

    /**
     * {@link MapResults#outcomes()}: a for-each loop walks past the failed element to the end,
     * each outcome at its input's index, with and without {@code chunkSize(3)}; the failed one's
     * exception is the element's own.
     */
    @Test
    void outcomesWalkPastAFailedElementToTheEnd() {
        for (MapOptions options : List.of(MapOptions.defaults(), MapOptions.defaults().chunkSize(3))) {
            List<String> seen = new ArrayList<>();
            try (MapResults<List<Integer>> i = executor.map(p -> Tasks.divmod(p.get(0), p.get(1)),
                    zip(List.of(5, 5, 5, 5), List.of(2, 0, 3, 5)), options)) {
                for (Outcome<List<Integer>> o : i.outcomes()) {
                    seen.add(o.index() + (o.isSuccess() ? "=" + o.value() : ":" + o.exception().getClass().getSimpleName()));
                }
                assertExhausted(i);
            }
            assertThat(seen).as("%s", options).containsExactly("0=[2, 1]", "1:ArithmeticException", "2=[1, 2]", "3=[1, 0]");
        }
    }

    // ------------------------------------------------------------------------------- T35

    /**
     * Port of executor.py ExecutorTest.test_map_timeout_from_callable: a timeout exception thrown
     * BY the function is that element's failure ({@link TaskFailedException}), not the map's
     * deadline, with or without a map timeout; iteration continues (gh-155852). Checked for
     * {@link TimeoutException} and for the library's own {@link WaitTimeoutException}, the
     * exception of the map deadline itself.
     */
    @Test
    void test_map_timeout_from_callable() {
        List<TaskFunction<Integer, Integer>> fns = List.of(x -> Tasks.timeoutOnOne(x), x -> Tasks.waitTimeoutOnOne(x));
        List<Class<? extends Exception>> raised = List.of(TimeoutException.class, WaitTimeoutException.class);
        for (int k = 0; k < fns.size(); k++) {
            for (Duration timeout : Arrays.asList(null, SHORT_TIMEOUT)) {
                MapOptions options = timeout == null ? MapOptions.defaults() : MapOptions.defaults().timeout(timeout);
                MapResults<Integer> i = executor.map(fns.get(k), List.of(0, 1, 2, 3), options);
                String subTest = "callable raising " + raised.get(k).getSimpleName() + ", timeout=" + timeout;
                assertThat(i.next()).as(subTest).isEqualTo(0);
                assertThatThrownBy(i::next).as(subTest).isInstanceOf(TaskFailedException.class)
                        .hasCauseExactlyInstanceOf(raised.get(k));
                assertThat(i.next()).as(subTest).isEqualTo(2);
                assertThat(i.next()).as(subTest).isEqualTo(3);
                assertExhausted(i);
            }
        }
    }

    // ------------------------------------------------------------------------------- T34

    /**
     * Port of executor.py ExecutorTest.test_map_timeout: the map's deadline ({@link
     * MapOptions#timeout}) raises {@link WaitTimeoutException} while the caller waits for a slow
     * element; the results before it are in {@code ([0, 1], [0], [])} (slow starts tolerated,
     * gh-110097); afterwards the rest is cancelled and the results are exhausted, twice. CPython's
     * {@code sleep(6)} element with {@code timeout=5} is an element blocked on a gate with a 300 ms
     * deadline.
     */
    @Test
    void test_map_timeout() {
        Gate gate = newGate();
        try {
            List<Integer> results = new ArrayList<>();
            MapResults<Integer> i = executor.map(x -> x == 2 ? Tasks.awaitThen(gate, x) : x, List.of(0, 1, 2),
                    MapOptions.defaults().timeout(Duration.ofMillis(300)));
            assertThatThrownBy(() -> {
                while (i.hasNext()) {
                    results.add(i.next());
                }
            }).isInstanceOf(WaitTimeoutException.class);
            assertThat(results).isIn(List.of(0, 1), List.of(0), List.of());
            assertExhausted(i);
        } finally {
            gate.open();
        }
    }

    /**
     * A negative map timeout is zero (CPython's {@code map(fn, xs, timeout=-1)} times out at the
     * first result not already there): {@code MapOptions.timeout()} reports zero, and waiting for
     * an element still blocked throws {@link WaitTimeoutException} and ends the iteration. It is
     * never refused with {@link IllegalArgumentException}.
     */
    @Test
    void negativeMapTimeoutIsZero() {
        MapOptions options = MapOptions.defaults().timeout(Duration.ofSeconds(-1));
        assertThat(options.timeout()).hasValue(Duration.ZERO);
        Gate gate = newGate();
        try {
            MapResults<Integer> i = executor.map(x -> Tasks.awaitThen(gate, x), List.of(0, 1), options);
            assertThatThrownBy(i::next).isExactlyInstanceOf(WaitTimeoutException.class);
            assertExhausted(i);
        } finally {
            gate.open();
        }
    }

    // ------------------------------------------------------------------------------- T36

    /**
     * Port of executor.py ExecutorTest.test_map_close: after {@code close()} the results are
     * exhausted (twice), the failing element is never raised; also with {@code chunkSize(3)}.
     */
    @Test
    void test_map_close() {
        MapResults<List<Integer>> i = executor.map(p -> Tasks.divmod(p.get(0), p.get(1)),
                zip(List.of(5, 5, 5, 5), List.of(2, 0, 3, 5)));
        assertThat(i.next()).containsExactly(2, 1);
        i.close();
        assertExhausted(i);

        i = executor.map(p -> Tasks.divmod(p.get(0), p.get(1)),
                zip(List.of(5, 5, 5, 5), List.of(2, 0, 3, 5)), MapOptions.defaults().chunkSize(3));
        assertThat(i.next()).containsExactly(2, 1);
        i.close();
        assertExhausted(i);
    }

    // ------------------------------------------------------------------------------- T37 buffersize

    /**
     * Port of executor.py ExecutorTest.test_map_buffersize: {@code map(str, range(4),
     * buffersize=b)} gives {@code ["0", "1", "2", "3"]} for b in 1, 2, 4, 8.
     */
    @Test
    void test_map_buffersize() {
        List<Integer> ints = range(0, 4);
        for (int buffersize : new int[] {1, 2, ints.size(), ints.size() * 2}) {
            assertThat(drain(executor.map(x -> String.valueOf(x), ints, MapOptions.defaults().bufferSize(buffersize))))
                    .as("buffersize=%d", buffersize).containsExactly("0", "1", "2", "3");
        }
    }

    /**
     * Port of executor.py ExecutorTest.test_map_buffersize_on_multiple_iterables: {@code map(add,
     * ints, ints, buffersize=b)} gives {@code [0, 2, 4, 6]} for b in 1, 2, 4, 8.
     */
    @Test
    void test_map_buffersize_on_multiple_iterables() {
        List<Integer> ints = range(0, 4);
        for (int buffersize : new int[] {1, 2, ints.size(), ints.size() * 2}) {
            assertThat(drain(executor.map(p -> Tasks.add(p.get(0), p.get(1)), zip(ints, ints),
                    MapOptions.defaults().bufferSize(buffersize))))
                    .as("buffersize=%d", buffersize).containsExactly(0, 2, 4, 6);
        }
    }

    /**
     * Port of executor.py ExecutorTest.test_map_buffersize_on_infinite_iterable: {@code map(str,
     * itertools.count(), buffersize=2)} yields {@code "0"}, {@code "1"}, {@code "2"}: the input is
     * pulled lazily.
     */
    @Test
    void test_map_buffersize_on_infinite_iterable() {
        try (MapResults<String> res =
                executor.map(x -> String.valueOf(x), count(), MapOptions.defaults().bufferSize(2))) {
            assertThat(res.next()).isEqualTo("0");
            assertThat(res.next()).isEqualTo("1");
            assertThat(res.next()).isEqualTo("2");
        }
    }

    /**
     * Port of executor.py ExecutorTest.test_map_buffersize_on_multiple_infinite_iterables: {@code
     * map(add, count(), count(), buffersize=2)} yields 0, 2, 4.
     */
    @Test
    void test_map_buffersize_on_multiple_infinite_iterables() {
        try (MapResults<Integer> res = executor.map(p -> Tasks.add(p.get(0), p.get(1)), zip(count(), count()),
                MapOptions.defaults().bufferSize(2))) {
            assertThat(res.next()).isEqualTo(0);
            assertThat(res.next()).isEqualTo(2);
            assertThat(res.next()).isEqualTo(4);
        }
    }

    /**
     * Port of executor.py ExecutorTest.test_map_buffersize_on_empty_iterable: an empty input gives
     * no result.
     */
    @Test
    void test_map_buffersize_on_empty_iterable() {
        MapResults<String> res =
                executor.map(x -> String.valueOf(x), List.<Integer>of(), MapOptions.defaults().bufferSize(2));
        assertExhausted(res);
    }

    /**
     * Port of executor.py ExecutorTest.test_map_buffersize_without_iterable: CPython's {@code
     * map(str)} zips no iterable at all; the Java {@code map} always takes one, so the analog is
     * an {@link Iterable} whose iterator is empty from the start: no result.
     */
    @Test
    void test_map_buffersize_without_iterable() {
        Iterable<Integer> none = Collections::emptyIterator;
        MapResults<String> res = executor.map(x -> String.valueOf(x), none, MapOptions.defaults().bufferSize(2));
        assertExhausted(res);
    }

    /**
     * Port of executor.py ExecutorTest.test_map_buffersize_when_buffer_is_full: when the results
     * are never iterated, the input is advanced exactly {@code bufferSize} times (checked after
     * {@code shutdown(wait=true)}: the next input is the third).
     */
    @Test
    void test_map_buffersize_when_buffer_is_full() {
        Iterator<Integer> ints = range(0, 4).iterator();
        int buffersize = 2;
        executor.map(x -> String.valueOf(x), () -> ints, MapOptions.defaults().bufferSize(buffersize));
        executor.shutdown(true, false); // wait for tasks to complete
        assertThat(ints.next()).as("should have fetched only `buffersize` elements from `ints`.").isEqualTo(buffersize);
    }

    /**
     * Port of test_thread_pool.py ThreadPoolExecutorTest.test_map_submits_without_iteration: a map
     * that is never iterated still runs what it submitted (issue 11777). Differs from CPython on
     * purpose: map is lazy and bounded (cpython#74028), so it submits exactly {@code bufferSize}
     * inputs (here 4 of 10), which all run before {@code shutdown(wait=true)} returns, and the rest
     * are never pulled nor run. CPython's default map is eager and runs all 10: {@link
     * MapOptions#eager()} does that, in {@link #test_map_submits_without_iteration_eager()}.
     */
    @Test
    void test_map_submits_without_iteration() {
        SharedLog finished = newLog();
        Iterator<Integer> input = range(0, 10).iterator();
        executor.map(n -> Tasks.record(finished, n), () -> input, MapOptions.defaults().bufferSize(4));
        executor.shutdown(true, false);
        assertThat(finished.entries()).containsExactlyInAnyOrder("0", "1", "2", "3");
        assertThat(input.next()).as("the next input, never pulled").isEqualTo(4);
    }

    /**
     * Port of test_thread_pool.py ThreadPoolExecutorTest.test_map_submits_without_iteration as
     * CPython has it, with {@link MapOptions#eager()}: a map that is never iterated runs all 10
     * inputs, every one pulled and submitted before {@code map} returned.
     */
    @Test
    void test_map_submits_without_iteration_eager() {
        SharedLog finished = newLog();
        Iterator<Integer> input = range(0, 10).iterator();
        executor.map(n -> Tasks.record(finished, n), () -> input, MapOptions.defaults().bufferSize(2).eager());
        assertThat(input.hasNext()).as("the whole input pulled by map() itself").isFalse();
        executor.shutdown(true, false);
        assertThat(finished.entries()).containsExactlyInAnyOrder("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
    }

    /**
     * An eager map still yields in input order, a failed element at its own position, with and
     * without chunks.
     */
    @Test
    void eagerMapYieldsInInputOrder() {
        for (MapOptions options : List.of(MapOptions.defaults().eager(), MapOptions.defaults().eager().chunkSize(3))) {
            MapResults<List<Integer>> i = executor.map(p -> Tasks.divmod(p.get(0), p.get(1)),
                    zip(List.of(5, 5, 5, 5, 5), List.of(2, 3, 0, 5, 1)), options);
            assertThat(i.next()).as("%s", options).containsExactly(2, 1);
            assertThat(i.next()).as("%s", options).containsExactly(1, 2);
            assertThatThrownBy(i::next).as("%s", options).isInstanceOf(TaskFailedException.class)
                    .hasCauseInstanceOf(ArithmeticException.class);
            assertThat(i.next()).as("%s", options).containsExactly(1, 0);
            assertThat(i.next()).as("%s", options).containsExactly(5, 0);
            assertExhausted(i);
        }
    }

    // ------------------------------------------------------------------------------- T38-T42

    /**
     * Port of executor.py ExecutorTest.test_shutdown_race_issue12456: a map of {@code workers + 1}
     * tasks whose results are ignored, then {@code shutdown(wait=true)}, must not hang (bounded
     * here by {@link #SHORT_TIMEOUT}); the executor is then terminated.
     */
    @Test
    void test_shutdown_race_issue12456() {
        executor.map(x -> String.valueOf(x), Collections.nCopies(workerCount() + 1, 2));
        assertTimeoutPreemptively(SHORT_TIMEOUT, () -> executor.shutdown(true, false));
        assertThat(executor.isTerminated()).isTrue();
    }

    /**
     * Port of executor.py ExecutorTest.test_no_stale_references: (issue 16284) once a task whose
     * future was discarded has run, the executor holds no reference to it, so the object it is
     * bound to ({@code my_object.my_method}) is garbage-collected within {@link #SHORT_TIMEOUT}
     * ({@code System.gc()} with bounded retries).
     */
    @Test
    void test_no_stale_references() throws InterruptedException {
        MyObject myObject = new MyObject();
        ReferenceQueue<Object> queue = new ReferenceQueue<>();
        WeakReference<MyObject> myObjectCallback = new WeakReference<>(myObject, queue);
        // Deliberately discarding the future.
        executor.submit((Runnable & Serializable) myObject::myMethod);
        myObject = null;
        assertThat(awaitCollected(myObjectCallback, queue, SHORT_TIMEOUT))
                .as("Stale reference not collected within timeout.").isTrue();
    }

    /**
     * Port of executor.py ExecutorTest.test_free_reference: (issue 14406) the results iterator
     * keeps no reference to a result it has yielded, so each one is collectable as soon as the
     * caller drops it. (CPython main's version only retries, without asserting; this one asserts.)
     */
    @Test
    void test_free_reference() throws InterruptedException {
        try (MapResults<MyObject> results = executor.map(n -> makeDummyObject(n), range(0, 10))) {
            int yielded = 0;
            while (results.hasNext()) {
                ReferenceQueue<Object> queue = new ReferenceQueue<>();
                WeakReference<MyObject> wr = new WeakReference<>(results.next(), queue);
                yielded++;
                assertThat(awaitCollected(wr, queue, SHORT_TIMEOUT)).as("result %d collected", yielded).isTrue();
            }
            assertThat(yielded).isEqualTo(10);
        }
    }

    /**
     * Port of executor.py ExecutorTest.test_swallows_falsey_exceptions: (gh-132063, D7) an
     * exception that looks like nothing (Python: {@code __bool__} False or {@code __len__} 0; Java:
     * a null or empty message and an empty or null {@code toString()}) is still the task's failure:
     * {@code result()} raises it as the cause, {@code exception()} returns it.
     */
    @Test
    void test_swallows_falsey_exceptions() {
        String msg = "boolbool";
        TaskFuture<Object> f = executor.submit(() -> FalseyBoolException.raise(msg));
        assertThatThrownBy(f::result).isInstanceOf(TaskFailedException.class)
                .cause().isInstanceOf(FalseyBoolException.class)
                .satisfies(e -> assertThat(((FalseyBoolException) e).tag).isEqualTo(msg));
        assertThat(f.status()).isEqualTo(TaskStatus.FAILED);
        assertThat(f.exception()).isInstanceOf(FalseyBoolException.class);

        String msg2 = "lenlen";
        TaskFuture<Object> g = executor.submit(() -> FalseyLenException.raise(msg2));
        assertThatThrownBy(g::result).isInstanceOf(TaskFailedException.class)
                .cause().isInstanceOf(FalseyLenException.class)
                .satisfies(e -> assertThat(((FalseyLenException) e).tag).isEqualTo(msg2));
        assertThat(g.status()).isEqualTo(TaskStatus.FAILED);
        assertThat(g.exception()).isInstanceOf(FalseyLenException.class);
    }

    // ------------------------------------------------------------------------------- helpers

    /** CPython's {@code MyObject}. */
    static final class MyObject implements Serializable {
        private static final long serialVersionUID = 1L;

        void myMethod() {
        }
    }

    /**
     * CPython's {@code make_dummy_object}.
     *
     * @param ignored the input
     * @return a new object
     */
    static MyObject makeDummyObject(Object ignored) {
        return new MyObject();
    }

    /** Python's {@code FalseyBoolException}: no message, and prints as the empty string. */
    static final class FalseyBoolException extends Exception {
        private static final long serialVersionUID = 1L;
        final String tag;

        FalseyBoolException(String tag) {
            super((String) null);
            this.tag = tag;
        }

        static Object raise(String tag) throws FalseyBoolException {
            throw new FalseyBoolException(tag);
        }

        @Override
        public String toString() {
            return "";
        }
    }

    /** Python's {@code FalseyLenException}: an empty message, and a {@code toString()} of null. */
    static final class FalseyLenException extends Exception {
        private static final long serialVersionUID = 1L;
        final String tag;

        FalseyLenException(String tag) {
            super("");
            this.tag = tag;
        }

        static Object raise(String tag) throws FalseyLenException {
            throw new FalseyLenException(tag);
        }

        @Override
        public String toString() {
            return null;
        }
    }

    /**
     * {@code list(range(from, to))}.
     *
     * @param from first
     * @param to last, exclusive
     * @return the list
     */
    static List<Integer> range(int from, int to) {
        return IntStream.range(from, to).boxed().collect(Collectors.toList());
    }

    /**
     * {@code itertools.count()}: 0, 1, 2, ... without end.
     *
     * @return an endless iterable
     */
    static Iterable<Integer> count() {
        return () -> new Iterator<Integer>() {
            private int next;

            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public Integer next() {
                return next++;
            }
        };
    }

    /**
     * Python's {@code zip(a, b)}, lazily, as pairs {@code List.of(x, y)} (serializable).
     *
     * @param a the first iterable
     * @param b the second iterable
     * @return the pairs, as long as both have elements
     */
    static Iterable<List<Integer>> zip(Iterable<Integer> a, Iterable<Integer> b) {
        return () -> new Iterator<List<Integer>>() {
            private final Iterator<Integer> ia = a.iterator();
            private final Iterator<Integer> ib = b.iterator();

            @Override
            public boolean hasNext() {
                return ia.hasNext() && ib.hasNext();
            }

            @Override
            public List<Integer> next() {
                return List.of(ia.next(), ib.next());
            }
        };
    }

    /**
     * {@code list(results)}, closing them.
     *
     * @param results map results
     * @param <R> the result type
     * @return all of them
     */
    static <R> List<R> drain(MapResults<R> results) {
        try (results) {
            List<R> out = new ArrayList<>();
            results.forEachRemaining(out::add);
            return out;
        }
    }

    /**
     * CPython's double {@code assertRaises(StopIteration, next, i)}.
     *
     * @param i the results
     */
    static void assertExhausted(MapResults<?> i) {
        assertThat(i.hasNext()).as("hasNext() after the end").isFalse();
        assertThatThrownBy(i::next).isInstanceOf(NoSuchElementException.class);
        assertThat(i.hasNext()).as("hasNext() after the end, again").isFalse();
        assertThatThrownBy(i::next).isInstanceOf(NoSuchElementException.class);
    }

    /**
     * Runs {@code System.gc()} until {@code ref} is cleared, at most {@code timeout}, waiting on
     * its queue between tries (not sleeping).
     *
     * @param ref a weak reference registered with {@code queue}
     * @param queue its queue
     * @param timeout the longest wait
     * @return true once cleared
     * @throws InterruptedException if interrupted
     */
    static boolean awaitCollected(Reference<?> ref, ReferenceQueue<Object> queue, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            System.gc();
            if (queue.remove(100) == ref || ref.get() == null) {
                return true;
            }
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
        }
    }
}
