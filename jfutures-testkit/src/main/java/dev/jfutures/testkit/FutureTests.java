package dev.jfutures.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.jfutures.BrokenExecutorException;
import dev.jfutures.DoneAndNotDone;
import dev.jfutures.Futures;
import dev.jfutures.TaskExecutor;
import dev.jfutures.TaskFailedException;
import dev.jfutures.TaskFuture;
import dev.jfutures.TaskPromise;
import dev.jfutures.TaskStatus;
import dev.jfutures.WaitTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * The future semantics that need futures of the executor under test, beyond CPython: each failed
 * future carries its own exception instance (also when the executor breaks), a task's own {@link
 * TimeoutException} is a task failure and not a wait timeout, and done-callbacks are handed to an
 * executor of the caller's choice once a future of the executor under test completes.
 *
 * <p>The future's own state machine, CPython's {@code test_future.py} FutureTests (T1-T16 of
 * {@code cpython-spec.md}), is tested on bare futures from {@link TaskPromise} and {@link
 * CannedFutures}: no executor is involved, so those tests are not in this suite but run once, in
 * the testkit's own {@code PromiseFutureTest}.
 */
public abstract class FutureTests extends ExecutorTestBase {

    /**
     * For the test class of one executor kind, which passes that kind.
     *
     * @param kind the executor kind under test
     * @since 0.1
     */
    protected FutureTests(ExecutorKind kind) {
        super(kind);
    }

    // ------------------------------------------------------------------------------ exceptions

    /**
     * Each failed future carries its own exception instance (CPython defect D2 shares one among
     * futures): {@code exception()} is distinct between futures, the same instance on every call,
     * and the cause of every {@link TaskFailedException} from {@code result()}; reporting it again
     * adds nothing to it (CPython's tracebacks accumulate on a re-raised instance).
     */
    @Test
    void failedFuturesCarryDistinctExceptionInstances() {
        List<TaskFuture<Object>> fs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            fs.add(executor.submit(() -> Tasks.sleepAndRaise(Duration.ZERO)));
        }
        DoneAndNotDone<TaskFuture<Object>> r = Futures.wait(fs, SHORT_TIMEOUT);
        assertThat(r.notDone()).isEmpty();

        List<Throwable> seen = new ArrayList<>();
        for (TaskFuture<Object> f : fs) {
            Throwable e = f.exception();
            assertThat(e).isInstanceOf(Exception.class).hasMessage("this is an exception");
            assertThat(f.exception()).isSameAs(e);
            int frames = e.getStackTrace().length;
            int suppressed = e.getSuppressed().length;
            Throwable first = catchThrowable(f::result);
            Throwable second = catchThrowable(f::result);
            assertThat(first).isInstanceOf(TaskFailedException.class).cause().isSameAs(e);
            assertThat(second).isInstanceOf(TaskFailedException.class).cause().isSameAs(e);
            assertThat(second).as("a fresh TaskFailedException per call").isNotSameAs(first);
            assertThat(e.getStackTrace()).as("the original's stack trace is unchanged").hasSize(frames);
            assertThat(e.getSuppressed()).as("result() adds nothing to the original").hasSize(suppressed);
            for (Throwable other : seen) {
                assertThat(e).as("exception of another future").isNotSameAs(other);
            }
            seen.add(e);
        }
    }

    /**
     * Each pending future of a broken executor fails with its own {@link BrokenExecutorException}
     * instance (CPython defect D2, cpython#101267: one BrokenProcessPool is shared by all).
     */
    @Test
    void brokenExecutorGivesEachPendingFutureItsOwnException() throws Exception {
        Gate g = newGate();
        TaskExecutor ex = extraExecutor(ExecutorSpec.workers(1).withInitializer(() -> {
            g.await();
            throw new IllegalStateException("initializer failed");
        }));
        List<TaskFuture<Integer>> fs = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                int n = i;
                fs.add(ex.submit(() -> Tasks.mul(n, 2)));
            }
        } finally {
            g.open();
        }
        DoneAndNotDone<TaskFuture<Integer>> r = Futures.wait(fs, SHORT_TIMEOUT);
        assertThat(r.notDone()).isEmpty();

        List<Throwable> seen = new ArrayList<>();
        for (TaskFuture<Integer> f : fs) {
            Throwable e = f.exception();
            assertThat(e).isInstanceOf(BrokenExecutorException.class);
            for (Throwable other : seen) {
                assertThat(e).as("exception of another future").isNotSameAs(other);
            }
            seen.add(e);
        }
    }

    /**
     * A task that itself throws {@link TimeoutException} fails with {@link TaskFailedException}
     * (cause: that exception), never {@link WaitTimeoutException}; {@code get} reports it as an
     * {@link ExecutionException}, never as a get timeout (cpython gh-155852 confused the two).
     */
    @Test
    void taskThrowingTimeoutExceptionFailsWithTaskFailedException() throws Exception {
        TaskFuture<Object> f = executor.submit(FutureTests::raiseTimeout);

        Throwable thrown = catchThrowable(() -> f.result(SHORT_TIMEOUT));
        assertThat(thrown).isExactlyInstanceOf(TaskFailedException.class).isNotInstanceOf(WaitTimeoutException.class);
        assertThat(thrown.getCause()).isInstanceOf(TimeoutException.class).hasMessage("raised by the task");
        assertThat(catchThrowable(f::result)).isExactlyInstanceOf(TaskFailedException.class);
        assertThat(f.exception()).isInstanceOf(TimeoutException.class).hasMessage("raised by the task");
        assertThat(f.status()).isEqualTo(TaskStatus.FAILED);
        assertThatThrownBy(() -> f.get(1, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(TimeoutException.class).hasMessage("raised by the task");
    }

    // ------------------------------------------------------------------------------ callbacks on an executor

    /**
     * {@code addDoneCallback(callback, executor)} hands the callback to the executor once the
     * future is done: it runs on the executor's thread, sees the done future, and the plain
     * callbacks added around it still run in the order added.
     */
    @Test
    void callbackWithExecutorRunsOnThatExecutorOnceDone() throws Exception {
        Gate gate = newGate();
        ThreadPerTask exec = new ThreadPerTask("callback-on-executor");
        try {
            TaskFuture<Integer> f = executor.submit(() -> Tasks.awaitThen(gate, 7));
            List<String> order = new CopyOnWriteArrayList<>();
            CountDownLatch ran = new CountDownLatch(2);
            AtomicReference<Thread> ranOn = new AtomicReference<>();
            AtomicReference<Object> seen = new AtomicReference<>();
            f.addDoneCallback(done -> order.add("plain before"));
            f.addDoneCallback(done -> {
                ranOn.set(Thread.currentThread());
                seen.set(done.result());
                ran.countDown();
            }, exec);
            f.addDoneCallback(done -> {
                order.add("plain after");
                ran.countDown();
            });
            assertThat(exec.started()).as("handed over before the future was done").isZero();

            gate.open();

            assertThat(ran.await(SHORT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).as("both callbacks ran").isTrue();
            assertThat(seen.get()).isEqualTo(7);
            assertThat(ranOn.get().getName()).isEqualTo("callback-on-executor");
            assertThat(exec.started()).isEqualTo(1);
            assertThat(order).containsExactly("plain before", "plain after");
        } finally {
            gate.open();
            exec.join();
        }
    }

    /**
     * Added to a future that is already done, the callback is handed to the executor at once,
     * before {@code addDoneCallback} returns, and runs only when the executor runs it.
     */
    @Test
    void callbackWithExecutorOnDoneFutureIsHandedOverAtOnce() {
        TaskFuture<Integer> f = executor.submit(() -> Tasks.mul(6, 7));
        assertThat(f.result(SHORT_TIMEOUT)).isEqualTo(42);
        List<Runnable> handedOver = new ArrayList<>();
        AtomicReference<Object> seen = new AtomicReference<>();

        f.addDoneCallback(done -> seen.set(done.result()), handedOver::add);

        assertThat(handedOver).as("handed over before addDoneCallback returned").hasSize(1);
        assertThat(seen.get()).as("not run until the executor runs it").isNull();
        handedOver.get(0).run();
        assertThat(seen.get()).isEqualTo(42);
    }

    /**
     * An executor that refuses the callback: the refusal is logged at ERROR naming the callback
     * and the future, the callback does not run, and the other callbacks of the future still run;
     * on a pending future completed by the executor under test and on one already done.
     */
    @Test
    void callbackRefusedByItsExecutorIsLoggedAndTheOthersStillRun() throws Exception {
        java.util.concurrent.Executor refusing = task -> {
            throw new java.util.concurrent.RejectedExecutionException("refusing executor");
        };
        try (LogCapture log = LogCapture.start()) {
            Gate gate = newGate();
            try {
                TaskFuture<Integer> f = executor.submit(() -> Tasks.awaitThen(gate, 1));
                NamedCallback refused = new NamedCallback("the-refused-callback");
                CountDownLatch after = new CountDownLatch(1);
                f.addDoneCallback(refused, refusing);
                f.addDoneCallback(done -> after.countDown());

                gate.open();

                assertThat(after.await(SHORT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
                        .as("the callback after the refused one ran").isTrue();
                assertThat(refused.calls).as("a refused callback never runs").hasValue(0);
                assertThat(log.records()).anySatisfy(r -> {
                    assertThat(r.getLevel()).isEqualTo(java.util.logging.Level.SEVERE);
                    assertThat(r.getMessage()).contains("the-refused-callback").contains(f.toString())
                            .contains("refused");
                    assertThat(r.getThrown()).isInstanceOf(java.util.concurrent.RejectedExecutionException.class);
                });
            } finally {
                gate.open();
            }

            TaskFuture<Object> done = CannedFutures.successful();
            NamedCallback refusedLate = new NamedCallback("refused-on-a-done-future");
            AtomicBoolean laterRan = new AtomicBoolean();
            assertThatCode(() -> done.addDoneCallback(refusedLate, refusing)).doesNotThrowAnyException();
            done.addDoneCallback(x -> laterRan.set(true));
            assertThat(laterRan).isTrue();
            assertThat(refusedLate.calls).hasValue(0);
            assertThat(log.text()).contains("refused-on-a-done-future").contains(done.toString());
        }
    }

    /** A callback with a name of its own, that counts its calls. */
    private static final class NamedCallback implements java.util.function.Consumer<TaskFuture<?>> {
        final AtomicInteger calls = new AtomicInteger();
        private final String name;

        NamedCallback(String name) {
            this.name = name;
        }

        @Override
        public void accept(TaskFuture<?> f) {
            calls.incrementAndGet();
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** Runs each task on a new thread of the given name; joins them. */
    private static final class ThreadPerTask implements java.util.concurrent.Executor {
        private final String name;
        private final List<Thread> threads = new CopyOnWriteArrayList<>();

        ThreadPerTask(String name) {
            this.name = name;
        }

        @Override
        public void execute(Runnable task) {
            Thread t = new Thread(task, name);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }

        int started() {
            return threads.size();
        }

        void join() throws InterruptedException {
            for (Thread t : threads) {
                t.join(SHORT_TIMEOUT.toMillis());
            }
        }
    }

    // ------------------------------------------------------------------------------ helpers

    /** A task that throws {@link TimeoutException}, as a static method so the lambda captures nothing. */
    private static Object raiseTimeout() throws TimeoutException {
        throw new TimeoutException("raised by the task");
    }

    /** An action of a {@link Side} thread. */
    @FunctionalInterface
    interface SideAction {
        /**
         * Runs the action.
         *
         * @throws Exception anything; it fails the test when the side thread is joined
         */
        void run() throws Exception;
    }

    /**
     * What the test thread does while a side thread waits for it to block.
     *
     * @param <T> the result type
     */
    @FunctionalInterface
    interface BlockingBody<T> {
        /**
         * Runs the blocking call.
         *
         * @return its result
         * @throws Exception what the call throws
         */
        T call() throws Exception;
    }

    /**
     * A thread started by a test and always joined; what it throws fails the test. It synchronises
     * by observing another thread's state ({@link Thread#getState()} WAITING or TIMED_WAITING),
     * never by sleeping. Shared by the suites of this package.
     */
    static final class Side {
        private final Thread thread;
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private volatile boolean sawBlocked;
        /** Set once the watched thread is past the blocking call, so that its later waits do not count. */
        private volatile boolean targetPast;

        private Side(SideAction action, Thread target) {
            this.thread = new Thread(() -> {
                try {
                    if (target != null) {
                        sawBlocked = awaitBlocked(target, SHORT_TIMEOUT, () -> targetPast);
                    }
                    action.run();
                } catch (Throwable e) {
                    failure.set(e);
                }
            }, "testkit-side");
            thread.setDaemon(true);
            thread.start();
        }

        /**
         * Starts a thread that runs {@code action} at once.
         *
         * @param action what to run
         * @return the started side thread; join it with {@link #join()}
         */
        static Side start(SideAction action) {
            return new Side(action, null);
        }

        /**
         * Runs {@code body} in this thread while a side thread runs {@code action} once this
         * thread is parked (WAITING or TIMED_WAITING) inside {@code body}; joins the side thread;
         * then returns what {@code body} returned or rethrows what it threw. Fails if this thread
         * was not seen parked inside {@code body} (within {@link #SHORT_TIMEOUT}; the action then
         * runs anyway), so the wake-up path under test is known to have been taken.
         *
         * @param action what wakes this thread: completes, cancels, opens a gate
         * @param body the blocking call
         * @param <T> the result type
         * @return the result of {@code body}
         * @throws Exception what {@code body} throws
         */
        static <T> T whileBlocked(SideAction action, BlockingBody<T> body) throws Exception {
            Side side = new Side(action, Thread.currentThread());
            T value = null;
            Throwable thrown = null;
            try {
                value = body.call();
            } catch (Throwable e) {
                thrown = e;
            } finally {
                side.targetPast = true;
            }
            side.join();
            if (!side.sawBlocked) {
                AssertionError e = new AssertionError("the test thread did not block in the call under test");
                if (thrown != null) {
                    e.addSuppressed(thrown);
                }
                throw e;
            }
            if (thrown instanceof Exception) {
                throw (Exception) thrown;
            }
            if (thrown instanceof Error) {
                throw (Error) thrown;
            }
            return value;
        }

        /**
         * Polls {@code t}'s state until it is parked, ended, or {@code timeout} passed.
         *
         * @param t the thread
         * @param timeout the deadline
         * @return true if it was seen WAITING or TIMED_WAITING
         */
        static boolean awaitBlocked(Thread t, Duration timeout) {
            return awaitBlocked(t, timeout, () -> false);
        }

        private static boolean awaitBlocked(Thread t, Duration timeout, BooleanSupplier giveUp) {
            long deadline = System.nanoTime() + timeout.toNanos();
            for (;;) {
                if (giveUp.getAsBoolean()) {
                    return false;
                }
                Thread.State s = t.getState();
                if (s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING) {
                    return !giveUp.getAsBoolean();
                }
                if (s == Thread.State.TERMINATED || System.nanoTime() - deadline > 0
                        || Thread.currentThread().isInterrupted()) {
                    return false;
                }
                LockSupport.parkNanos(20_000L);
            }
        }

        /**
         * The side thread.
         *
         * @return the thread
         */
        Thread thread() {
            return thread;
        }

        /**
         * Joins the thread (interrupting it if it has not ended within {@link #SHORT_TIMEOUT}) and
         * rethrows what it threw.
         *
         * @throws InterruptedException if interrupted while joining
         */
        void join() throws InterruptedException {
            thread.join(SHORT_TIMEOUT.toMillis());
            boolean hung = thread.isAlive();
            if (hung) {
                abort();
            }
            Throwable e = failure.get();
            if (e != null) {
                throw new AssertionError("side thread failed", e);
            }
            if (hung) {
                throw new AssertionError("side thread did not end within " + SHORT_TIMEOUT);
            }
        }

        /**
         * Joins a thread that a wake-up should have ended (a waiter woken by a cancel, say); if it
         * has not ended within {@link #SHORT_TIMEOUT}, interrupts it, joins it and fails with
         * {@code message}.
         *
         * @param message what did not happen
         * @throws InterruptedException if interrupted while joining
         */
        void joinWoken(String message) throws InterruptedException {
            thread.join(SHORT_TIMEOUT.toMillis());
            if (thread.isAlive()) {
                abort();
                throw new AssertionError(message);
            }
            join();
        }

        /**
         * Interrupts the thread and joins it, ignoring what it threw: for a test that is already
         * failing.
         *
         * @throws InterruptedException if interrupted while joining
         */
        void abort() throws InterruptedException {
            thread.interrupt();
            thread.join();
        }
    }
}
