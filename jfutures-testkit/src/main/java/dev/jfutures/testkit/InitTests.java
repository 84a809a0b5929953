package dev.jfutures.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.jfutures.BrokenExecutorException;
import dev.jfutures.TaskExecutor;
import dev.jfutures.TaskFuture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * CPython's {@code test_init.py} (T90-T92 of the spec): the pool initializer, for every executor
 * kind, with {@code worker_count = 2}. CPython has two classes with a method {@code
 * test_initializer} each ({@code InitializerMixin} and {@code FailingInitializerMixin}); they are
 * the two {@link Nested} classes here, so that both keep the exact name.
 */
public abstract class InitTests extends ExecutorTestBase {

    /**
     * For the test class of one executor kind, which passes that kind.
     *
     * @param kind the executor kind under test
     * @since 0.1
     */
    protected InitTests(ExecutorKind kind) {
        super(kind);
    }

    /** CPython's global {@code INITIALIZER_STATUS}, per JVM (per worker process, for processes). */
    private static volatile String initializerStatus = "uninitialized";

    @Override
    protected int workerCount() {
        return 2;
    }

    /**
     * CPython's {@code init(x)}.
     *
     * @param x the status to set
     */
    static void init(String x) {
        initializerStatus = x;
    }

    /**
     * CPython's {@code get_init_status()}.
     *
     * @return the status
     */
    static String getInitStatus() {
        return initializerStatus;
    }

    /**
     * CPython's {@code init_fail()}: waits until the test has submitted (CPython sleeps 0.1 s "to
     * let some futures be scheduled"), then fails like {@code ValueError('error in initializer')}.
     *
     * @param release opened by the test once it has submitted
     * @throws Exception always, an {@link IllegalArgumentException}
     */
    static void initFail(Gate release) throws Exception {
        release.await();
        throw new IllegalArgumentException("error in initializer");
    }

    /**
     * Opens {@code started}, then waits for {@code release} and returns {@code value}.
     *
     * @param started opened once the task runs
     * @param release the gate to wait for
     * @param value the result
     * @param <T> the result type
     * @return value
     * @throws InterruptedException if interrupted
     */
    static <T> T startThenAwait(Gate started, Gate release, T value) throws InterruptedException {
        started.open();
        release.await();
        return value;
    }

    /** CPython's {@code setUp}: {@code INITIALIZER_STATUS = 'uninitialized'}. */
    @BeforeEach
    void resetInitializerStatus() {
        initializerStatus = "uninitialized";
    }

    /** CPython's {@code InitializerMixin}: {@code initializer=init, initargs=('initialized',)}. */
    @Nested
    class InitializerMixin {

        /**
         * Port of test_init.py InitializerMixin.test_initializer: the initializer runs before the
         * first task of each worker, so tasks on both workers see the status it set.
         */
        @Test
        void test_initializer() {
            TaskExecutor e = extraExecutor(
                    ExecutorSpec.workers(workerCount()).withInitializer(() -> init("initialized")));
            List<TaskFuture<String>> futures = new ArrayList<>();
            for (int i = 0; i < workerCount(); i++) {
                futures.add(e.submit(() -> getInitStatus()));
            }
            for (TaskFuture<String> f : futures) {
                assertThat(f.result()).isEqualTo("initialized");
            }
        }

        /**
         * Extra: the initializer runs exactly once in each worker, before that worker's first task,
         * and not again for later tasks (two tasks held at a gate occupy both workers).
         */
        @Test
        void initializer_runs_once_in_each_worker() throws InterruptedException {
            SharedLog log = newLog();
            Gate release = newGate();
            TaskExecutor e = extraExecutor(
                    ExecutorSpec.workers(workerCount()).withInitializer(() -> Tasks.record(log, "init")));
            List<TaskFuture<String>> futures = new ArrayList<>();
            try {
                for (int i = 0; i < workerCount(); i++) {
                    Gate started = newGate();
                    futures.add(e.submit(() -> Tasks.record(log, startThenAwait(started, release, "task"))));
                    assertThat(started.await(SHORT_TIMEOUT)).as("task %d started", i).isTrue();
                }
                assertThat(log.entries()).as("each busy worker ran the initializer before its task")
                        .isEqualTo(Collections.nCopies(workerCount(), "init"));
            } finally {
                release.open();
            }
            for (TaskFuture<String> f : futures) {
                assertThat(f.result()).isEqualTo("task");
            }
            for (int i = 0; i < 4; i++) {
                assertThat(e.submit(() -> Tasks.record(log, "later")).result()).isEqualTo("later");
            }
            assertThat(log.entries()).as("no initializer ran again").filteredOn("init"::equals).hasSize(workerCount());
        }
    }

    /** CPython's {@code FailingInitializerMixin}: {@code initializer=init_fail}. */
    @Nested
    class FailingInitializerMixin {

        /**
         * Port of test_init.py FailingInitializerMixin.test_initializer: a failing initializer
         * breaks the executor. A task submitted before that either is refused at once with {@link
         * BrokenExecutorException} or its future fails with one (its cause the initializer's
         * exception); within {@link ExecutorTestBase#SHORT_TIMEOUT} the executor is broken, and
         * from then on every {@code submit} throws {@link BrokenExecutorException}. The failure is logged at ERROR
         * (JUL {@link Level#SEVERE}) with the initializer's exception, CPython's {@code
         * 'ValueError: error in initializer'} at CRITICAL. Also T92 ({@code
         * FailingInitializerResourcesTest}, gh-104090): once the broken executor is shut down it
         * leaves nothing behind ({@link ExecutorTestBase#assertNoLeaks}).
         */
        @Test
        void test_initializer() throws InterruptedException {
            Gate release = newGate();
            try (LogCapture log = LogCapture.start()) {
                TaskExecutor e = extraExecutor(
                        ExecutorSpec.workers(workerCount()).withInitializer(() -> initFail(release)));
                TaskFuture<String> future = null;
                try {
                    future = e.submit(() -> getInitStatus());
                } catch (BrokenExecutorException perhapsAlreadyBroken) {
                    // Perhaps the executor is already broken
                } finally {
                    release.open();
                }
                if (future != null) {
                    TaskFuture<String> f = future;
                    assertThatThrownBy(f::result).hasCauseInstanceOf(BrokenExecutorException.class);
                    assertThat(f.exception()).isInstanceOf(BrokenExecutorException.class)
                            .hasRootCauseInstanceOf(IllegalArgumentException.class)
                            .hasRootCauseMessage("error in initializer");
                }

                // At some point, the executor should break
                awaitBroken(e, SHORT_TIMEOUT);

                // ... and from this point submit() is guaranteed to fail
                for (int i = 0; i < 3; i++) {
                    assertThatThrownBy(() -> e.submit(() -> getInitStatus()))
                            .isInstanceOf(BrokenExecutorException.class);
                }
                assertThatThrownBy(() -> e.map(x -> x, List.of(1, 2))).isInstanceOf(BrokenExecutorException.class);

                assertThat(log.records()).as("log records").anySatisfy(r -> {
                    assertThat(r.getLevel()).isEqualTo(Level.SEVERE);
                    assertThat(r.getThrown()).isInstanceOf(IllegalArgumentException.class)
                            .hasMessage("error in initializer");
                });
                assertThat(log.text()).contains("IllegalArgumentException: error in initializer");

                // T92: the broken executor shuts down and leaves nothing behind.
                assertTimeoutPreemptively(SHORT_TIMEOUT, () -> e.shutdown(true, false));
                assertNoLeaks(e);
            }
        }
    }

    /**
     * CPython's {@code sleeping_retry(SHORT_TIMEOUT, "executor not broken")} on {@code
     * executor._broken}, without sleeping: submits until a submit is refused with {@link
     * BrokenExecutorException}, waiting on each accepted future, which must itself fail with one.
     */
    private static void awaitBroken(TaskExecutor e, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() - deadline < 0) {
            TaskFuture<String> f;
            try {
                f = e.submit(() -> getInitStatus());
            } catch (BrokenExecutorException broken) {
                return;
            }
            assertThat(f.exception(Duration.ofNanos(Math.max(0, deadline - System.nanoTime()))))
                    .as("a task accepted while the executor was breaking").isInstanceOf(BrokenExecutorException.class);
        }
        fail("executor not broken within %s", timeout);
    }
}
