package dev.jfutures.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.fail;

import dev.jfutures.DoneAndNotDone;
import dev.jfutures.Futures;
import dev.jfutures.ReturnWhen;
import dev.jfutures.TaskExecutor;
import dev.jfutures.TaskFailedException;
import dev.jfutures.TaskFuture;
import dev.jfutures.TaskStatus;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Many futures completing at once while waiters, callbacks and cancels race with them: every
 * future must end exactly once, in exactly one terminal state, and everything that watches it
 * must see that one state.
 *
 * <p>Each test runs once per seed, 1 to {@value #SEEDS}; {@code -Djfutures.stress.seed=N} runs
 * seed N alone. The seed drives every random choice (which tasks fail, which are cancelled and
 * how, the orders threads walk the futures in); the thread interleavings themselves are not
 * reproducible, so a failure names its seed, and a rerun with that seed repeats the same plan.
 *
 * <p>Tasks are serializable lambdas over {@link Tasks}; the waiter, canceller and callback threads
 * run in this JVM. Every thread is joined and its failure fails the test.
 *
 * <p>The race of a bare promise's own completions involves no executor: it runs once, in the
 * testkit's own {@code PromiseStressTest}, with these seeds.
 */
public abstract class StressTests extends ExecutorTestBase {

    /**
     * For the test class of one executor kind, which passes that kind.
     *
     * @param kind the executor kind under test
     * @since 0.1
     */
    protected StressTests(ExecutorKind kind) {
        super(kind);
    }

    /** Seeds run by default, 1 to this. */
    public static final int SEEDS = 10;
    /** Futures in each round. */
    protected static final int FUTURES = 2000;
    /** The most times a racing thread yields after the start, so threads overlap differently each round. */
    private static final int START_YIELDS = 2000;
    /** Futures each result-taking thread samples. */
    private static final int SAMPLE = 200;

    /**
     * The seeds to run: {@code jfutures.stress.seed} if set, else 1 to {@code jfutures.stress.seeds}
     * (default {@value #SEEDS}; executors with costly tasks run fewer).
     *
     * @return the seeds
     */
    static LongStream seeds() {
        String fixed = System.getProperty("jfutures.stress.seed");
        if (fixed != null && !fixed.isBlank()) {
            return LongStream.of(Long.parseLong(fixed.trim()));
        }
        return LongStream.rangeClosed(1, Integer.getInteger("jfutures.stress.seeds", SEEDS));
    }

    // ------------------------------------------------------------------------------ executor futures

    /** Futures completing at once while waiters, callbacks and cancels race: each ends once, in one state that every observer sees. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void everyFutureEndsOnceWhileWaitersCallbacksAndCancelsRace(long seed) throws Exception {
        announce("everyFutureEndsOnceWhileWaitersCallbacksAndCancelsRace", seed);
        // Gated tasks, a random quarter failing, released at once while threads wait (wait in every
        // mode, asCompleted timed and not, result, exception, get), take completable views, add
        // callbacks and cancel a random subset. Then: each future is in one terminal state that
        // matches its task and its cancels, its task ran at most once (once if not cancelled),
        // each callback ran once and saw that state, each view completed the same way, every
        // waiter returned, and the counts add up.
        Random rnd = new Random(seed);
        int n = FUTURES;
        int callbacksPerFuture = 3;
        Gate gate = newGate();
        SharedLog ran = newLog();
        boolean[] fails = new boolean[n];
        List<TaskFuture<Integer>> fs = new ArrayList<>(n);
        AtomicIntegerArray callbackCalls = new AtomicIntegerArray(n * callbacksPerFuture);
        AtomicReferenceArray<TaskStatus> callbackSaw = new AtomicReferenceArray<>(n * callbacksPerFuture);
        AtomicIntegerArray cancelWins = new AtomicIntegerArray(n);
        Race race = new Race(rnd, START_YIELDS);
        try {
            for (int i = 0; i < n; i++) {
                fails[i] = rnd.nextInt(4) == 0;
                fs.add(submitGated(i, fails[i], gate, ran));
            }
            // Callback 0 is added before the race, 1 and 2 by two threads during it.
            for (int i = 0; i < n; i++) {
                addCountingCallback(fs.get(i), i * callbacksPerFuture, callbackCalls, callbackSaw);
            }
            for (int k = 1; k < callbacksPerFuture; k++) {
                int slot = k;
                int[] order = permutation(n, rnd);
                race.thread("callbacks-" + k, () -> {
                    for (int i : order) {
                        addCountingCallback(fs.get(i), i * callbacksPerFuture + slot, callbackCalls, callbackSaw);
                    }
                });
            }
            // Two cancellers over overlapping random subsets, each cancel(true) or cancel(false).
            for (int c = 0; c < 2; c++) {
                List<Integer> targets = new ArrayList<>();
                List<Boolean> interrupt = new ArrayList<>();
                for (int i : permutation(n, rnd)) {
                    if (rnd.nextInt(10) == 0) {
                        targets.add(i);
                        interrupt.add(rnd.nextBoolean());
                    }
                }
                race.thread("canceller-" + c, () -> {
                    for (int j = 0; j < targets.size(); j++) {
                        int i = targets.get(j);
                        if (fs.get(i).cancel(interrupt.get(j))) {
                            cancelWins.incrementAndGet(i);
                        }
                    }
                });
            }
            race.thread("wait-ALL_COMPLETED", () -> {
                DoneAndNotDone<TaskFuture<Integer>> r = Futures.wait(fs, ReturnWhen.ALL_COMPLETED);
                assertThat(r.notDone()).isEmpty();
                assertThat(r.done()).hasSize(n).allMatch(TaskFuture::isDone, "is done");
            });
            race.thread("timed-wait-FIRST_COMPLETED", () -> {
                DoneAndNotDone<TaskFuture<Integer>> r = Futures.wait(fs, LONG_TIMEOUT, ReturnWhen.FIRST_COMPLETED);
                assertThat(r.done()).isNotEmpty().allMatch(TaskFuture::isDone, "is done");
                assertThat(r.done().size() + r.notDone().size()).isEqualTo(n);
            });
            race.thread("wait-FIRST_EXCEPTION", () -> {
                DoneAndNotDone<TaskFuture<Integer>> r = Futures.wait(fs, ReturnWhen.FIRST_EXCEPTION);
                assertThat(r.done()).allMatch(TaskFuture::isDone, "is done");
                assertThat(r.done().size() + r.notDone().size()).isEqualTo(n);
                if (!r.notDone().isEmpty()) {
                    assertThat(r.done()).as("returned early, so some future failed")
                            .anyMatch(f -> f.status() == TaskStatus.FAILED);
                }
            });
            for (int a = 0; a < 2; a++) {
                boolean timed = a == 1;
                race.thread((timed ? "timed-" : "") + "asCompleted", () -> {
                    Set<TaskFuture<Integer>> seen = new HashSet<>();
                    for (TaskFuture<Integer> f : timed ? Futures.asCompleted(fs, LONG_TIMEOUT) : Futures.asCompleted(fs)) {
                        assertThat(f.isDone()).as("yielded future is done: %s", f).isTrue();
                        assertThat(seen.add(f)).as("yielded twice: %s", f).isTrue();
                    }
                    assertThat(seen).hasSize(n);
                });
            }
            for (int w = 0; w < 2; w++) {
                int[] sample = sample(n, SAMPLE, rnd);
                int[] ways = rnd.ints(SAMPLE, 0, 4).toArray();
                race.thread("results-" + w, () -> {
                    for (int j = 0; j < sample.length; j++) {
                        int i = sample[j];
                        checkObservedOutcome(fs.get(i), i, fails[i], ways[j]);
                    }
                });
            }
            // Completable views taken while the futures complete.
            AtomicReferenceArray<CompletableFuture<Integer>> views = new AtomicReferenceArray<>(n);
            int[] viewOrder = permutation(n, rnd);
            race.thread("toCompletableFuture", () -> {
                for (int i : viewOrder) {
                    views.set(i, fs.get(i).toCompletableFuture());
                }
            });
            int yields = rnd.nextInt(START_YIELDS);

            race.go();
            for (int y = 0; y < yields; y++) {
                Thread.yield();
            }
            gate.open();
            race.joinAll();
            // A waiter may wake while the thread that completed a future is still running that
            // future's callbacks; once the executor has terminated, every completion has ended.
            executor.shutdown();
            assertThat(executor.awaitTermination(SHORT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();

            int succeeded = 0;
            int failed = 0;
            int cancelled = 0;
            int[] runs = runsPerTask(ran, n);
            for (int i = 0; i < n; i++) {
                TaskFuture<Integer> f = fs.get(i);
                TaskStatus s = f.status();
                switch (s) {
                    case SUCCEEDED -> {
                        succeeded++;
                        assertThat(fails[i]).as("task %d succeeded but was to fail", i).isFalse();
                        assertThat(f.result()).isEqualTo(i);
                        assertThat(runs[i]).as("runs of succeeded task %d", i).isEqualTo(1);
                    }
                    case FAILED -> {
                        failed++;
                        assertThat(fails[i]).as("task %d failed but was to succeed", i).isTrue();
                        assertThat(f.exception()).isInstanceOf(IllegalStateException.class).hasMessage(failureMessage(i));
                        assertThat(runs[i]).as("runs of failed task %d", i).isEqualTo(1);
                    }
                    case CANCELLED -> {
                        cancelled++;
                        assertThat(cancelWins.get(i)).as("cancelled future %d, but no cancel returned true", i)
                                .isPositive();
                        assertThat(runs[i]).as("runs of cancelled task %d", i).isLessThanOrEqualTo(1);
                    }
                    default -> fail("future %d not done after every waiter returned: %s", i, f);
                }
                if (cancelWins.get(i) > 0) {
                    assertThat(s).as("a cancel of future %d returned true", i).isEqualTo(TaskStatus.CANCELLED);
                }
                checkView(views.get(i), f, i);
                for (int k = 0; k < callbacksPerFuture; k++) {
                    assertThat(callbackCalls.get(i * callbacksPerFuture + k))
                            .as("calls of callback %d of future %d", k, i).isEqualTo(1);
                    assertThat(callbackSaw.get(i * callbacksPerFuture + k))
                            .as("status callback %d of future %d saw", k, i).isEqualTo(s);
                }
            }
            assertThat(succeeded + failed + cancelled).isEqualTo(n);
            int totalCalls = 0;
            for (int j = 0; j < callbackCalls.length(); j++) {
                totalCalls += callbackCalls.get(j);
            }
            assertThat(totalCalls).isEqualTo(n * callbacksPerFuture);
        } finally {
            gate.open();
            race.abandon();
        }
    }

    /** shutdown(cancelFutures=true) racing with a mass completion wakes every waiter, and no cancelled future's task ran. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void shutdownCancellingFuturesWhileTheyCompleteWakesEveryWaiter(long seed) throws Exception {
        announce("shutdownCancellingFuturesWhileTheyCompleteWakesEveryWaiter", seed);
        Random rnd = new Random(seed);
        int n = FUTURES;
        Gate gate = newGate();
        SharedLog ran = newLog();
        List<TaskFuture<Integer>> fs = new ArrayList<>(n);
        AtomicIntegerArray callbackCalls = new AtomicIntegerArray(n);
        AtomicReferenceArray<TaskStatus> callbackSaw = new AtomicReferenceArray<>(n);
        boolean[] fails = new boolean[n];
        Race race = new Race(rnd, START_YIELDS);
        try {
            for (int i = 0; i < n; i++) {
                fails[i] = rnd.nextInt(4) == 0;
                fs.add(submitGated(i, fails[i], gate, ran));
                addCountingCallback(fs.get(i), i, callbackCalls, callbackSaw);
            }
            race.thread("wait-ALL_COMPLETED", () -> {
                DoneAndNotDone<TaskFuture<Integer>> r = Futures.wait(fs, ReturnWhen.ALL_COMPLETED);
                assertThat(r.notDone()).isEmpty();
            });
            race.thread("asCompleted", () -> {
                int count = 0;
                for (TaskFuture<Integer> f : Futures.asCompleted(fs)) {
                    assertThat(f.isDone()).isTrue();
                    count++;
                }
                assertThat(count).isEqualTo(n);
            });
            int[] sample = sample(n, SAMPLE, rnd);
            int[] ways = rnd.ints(SAMPLE, 0, 4).toArray();
            race.thread("results", () -> {
                for (int j = 0; j < sample.length; j++) {
                    checkObservedOutcome(fs.get(sample[j]), sample[j], fails[sample[j]], ways[j]);
                }
            });
            boolean shutdownFirst = rnd.nextBoolean();
            int yields = rnd.nextInt(START_YIELDS);
            TaskExecutor e = executor;
            race.thread("shutdown", () -> {
                if (!shutdownFirst) {
                    for (int y = 0; y < yields; y++) {
                        Thread.yield();
                    }
                }
                e.shutdown(false, true);
            });

            race.go();
            if (shutdownFirst) {
                for (int y = 0; y < yields; y++) {
                    Thread.yield();
                }
            }
            gate.open();
            race.joinAll();

            assertThat(executor.awaitTermination(SHORT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            int[] runs = runsPerTask(ran, n);
            int ended = 0;
            for (int i = 0; i < n; i++) {
                TaskFuture<Integer> f = fs.get(i);
                TaskStatus s = f.status();
                assertThat(s.isDone()).as("future %d done: %s", i, f).isTrue();
                if (s == TaskStatus.CANCELLED) {
                    assertThat(runs[i]).as("runs of cancelled task %d", i).isZero();
                } else {
                    assertThat(s).isEqualTo(fails[i] ? TaskStatus.FAILED : TaskStatus.SUCCEEDED);
                    assertThat(runs[i]).as("runs of task %d", i).isEqualTo(1);
                }
                assertThat(callbackCalls.get(i)).as("callback calls of future %d", i).isEqualTo(1);
                assertThat(callbackSaw.get(i)).as("status the callback of future %d saw", i).isEqualTo(s);
                ended++;
            }
            assertThat(ended).isEqualTo(n);
        } finally {
            gate.open();
            race.abandon();
        }
    }

    // ------------------------------------------------------------------------------ oracles

    static void announce(String test, long seed) {
        System.out.println(test + ": seed " + seed + " (rerun alone with -Djfutures.stress.seed=" + seed + ")");
    }

    static String failureMessage(int i) {
        return "stress failure " + i;
    }

    /** Submits task i: waits on the gate, logs its index, then returns i or fails. */
    private TaskFuture<Integer> submitGated(int i, boolean fail, Gate gate, SharedLog ran) {
        String entry = Integer.toString(i);
        if (fail) {
            Exception failure = new IllegalStateException(failureMessage(i));
            return executor.submit(() -> Tasks.awaitThenLogAndThrow(gate, ran, entry, failure));
        }
        return executor.submit(() -> Tasks.awaitThenLog(gate, ran, entry, i));
    }

    /** How often each task logged that it ran to its end. */
    private static int[] runsPerTask(SharedLog ran, int n) {
        int[] runs = new int[n];
        for (String entry : ran.entries()) {
            runs[Integer.parseInt(entry)]++;
        }
        return runs;
    }

    /** Adds a callback that counts its calls in {@code calls[slot]} and records the status it saw. */
    static void addCountingCallback(TaskFuture<Integer> f, int slot, AtomicIntegerArray calls,
                                            AtomicReferenceArray<TaskStatus> saw) {
        f.addDoneCallback(done -> {
            saw.set(slot, done.status());
            calls.incrementAndGet(slot);
        });
    }

    /** The completable view of a done future has completed the same way, at once. */
    private static void checkView(CompletableFuture<Integer> view, TaskFuture<Integer> f, int i) {
        assertThat(view).as("view of future %d", i).isNotNull();
        assertThat(view.isDone()).as("view of done future %d is done", i).isTrue();
        switch (f.status()) {
            case SUCCEEDED -> assertThat(view.join()).isEqualTo(i);
            case FAILED -> {
                assertThat(view.isCancelled()).isFalse();
                assertThat(view.isCompletedExceptionally()).isTrue();
                Throwable e = catchThrowable(view::join);
                assertThat(e).isInstanceOf(CompletionException.class);
                assertThat(e.getCause()).isSameAs(f.exception());
            }
            default -> assertThat(view.isCancelled()).as("view of cancelled future %d is cancelled", i).isTrue();
        }
    }

    /**
     * Waits for future i in one of four ways and checks that what it returned or threw agrees
     * with the status the future has after the wait (a done future's status never changes).
     */
    private static void checkObservedOutcome(TaskFuture<Integer> f, int i, boolean fails, int way) throws Exception {
        Object value = null;
        Throwable thrown = null;
        try {
            switch (way) {
                case 0 -> value = f.result();
                case 1 -> {
                    Throwable e = f.exception();
                    value = e == null ? f.result() : null;
                    thrown = e == null ? null : new TaskFailedException(e);
                }
                case 2 -> value = f.get();
                default -> value = f.result(SHORT_TIMEOUT);
            }
        } catch (TaskFailedException | ExecutionException | CancellationException e) {
            thrown = e;
        }
        TaskStatus s = f.status();
        assertThat(s.isDone()).as("future %d done after a wait on it returned: %s", i, f).isTrue();
        if (thrown instanceof CancellationException) {
            assertThat(s).as("status of future %d whose wait threw %s", i, thrown).isEqualTo(TaskStatus.CANCELLED);
        } else if (thrown != null) {
            assertThat(s).as("status of future %d whose wait threw %s", i, thrown).isEqualTo(TaskStatus.FAILED);
            assertThat(fails).as("task %d failed but was to succeed", i).isTrue();
            assertThat(thrown.getCause()).hasMessage(failureMessage(i));
        } else {
            assertThat(s).as("status of future %d whose wait returned %s", i, value).isEqualTo(TaskStatus.SUCCEEDED);
            assertThat(value).isEqualTo(i);
        }
    }

    static int[] permutation(int n, Random rnd) {
        List<Integer> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            list.add(i);
        }
        Collections.shuffle(list, rnd);
        return list.stream().mapToInt(Integer::intValue).toArray();
    }

    private static int[] sample(int n, int k, Random rnd) {
        int[] p = permutation(n, rnd);
        int[] s = new int[k];
        System.arraycopy(p, 0, s, 0, k);
        return s;
    }

    /**
     * Threads that start together on {@link #go()}, each after its own seeded number of yields (so
     * that from round to round they overlap differently with the completions), and are all joined
     * by {@link #joinAll()}, which reports the first failure (and names every thread that failed or
     * hung).
     */
    static final class Race {
        /** A thread body: may throw anything, assertion errors included. */
        interface Body {
            void run() throws Throwable;
        }

        private final Random rnd;
        private final int maxStartYields;
        private final CountDownLatch go = new CountDownLatch(1);
        private final List<Thread> threads = new ArrayList<>();
        private final List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());

        /** Threads that each yield up to {@code maxStartYields} times (drawn from {@code rnd}) after go. */
        Race(Random rnd, int maxStartYields) {
            this.rnd = rnd;
            this.maxStartYields = maxStartYields;
        }

        void thread(String name, Body body) {
            int startYields = maxStartYields == 0 ? 0 : rnd.nextInt(maxStartYields);
            Thread t = new Thread(() -> {
                try {
                    if (!go.await(SHORT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                        throw new AssertionError("the race never started");
                    }
                    for (int y = 0; y < startYields; y++) {
                        Thread.yield();
                    }
                    body.run();
                } catch (Throwable e) {
                    failures.add(new AssertionError(Thread.currentThread().getName() + " failed: " + e, e));
                }
            }, "stress-" + name);
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }

        void go() {
            go.countDown();
        }

        boolean hasFailed() {
            return !failures.isEmpty();
        }

        void joinAll() throws InterruptedException {
            long deadline = System.nanoTime() + SHORT_TIMEOUT.toNanos();
            List<String> hung = new ArrayList<>();
            for (Thread t : threads) {
                t.join(Math.max(1L, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                if (t.isAlive()) {
                    hung.add(t.getName() + " " + t.getState());
                }
            }
            if (!hung.isEmpty()) {
                abandon();
                fail("threads still running after %s (a lost wake-up?): %s; failures: %s", SHORT_TIMEOUT, hung, failures);
            }
            if (!failures.isEmpty()) {
                AssertionError e = new AssertionError(failures.size() + " thread(s) failed, first: " + failures.get(0),
                        failures.get(0));
                for (int i = 1; i < failures.size(); i++) {
                    e.addSuppressed(failures.get(i));
                }
                throw e;
            }
        }

        /** Releases and interrupts every thread still alive, after a failure; then joins them. */
        void abandon() throws InterruptedException {
            go.countDown();
            for (Thread t : threads) {
                if (t.isAlive()) {
                    t.interrupt();
                }
            }
            for (Thread t : threads) {
                t.join(SHORT_TIMEOUT.toMillis());
            }
        }
    }
}
