package dev.jfutures.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jfutures.TaskExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The base of every conformance suite, CPython's {@code ExecutorMixin}: one executor with {@link
 * #workerCount()} workers per test, shut down (and checked for leaks) after it.
 *
 * <p>What differs between executor kinds is not in the suites but in one {@link ExecutorKind},
 * which each suite takes in its constructor: the test class of a kind holds one {@code @Nested}
 * line per suite that passes it that kind (see {@link ExecutorKind}). Tasks in the suites are
 * serializable lambdas that capture only serializable values (never the test instance), so the
 * same suites run on thread, process and cluster executors.
 *
 * @since 0.1
 */
public abstract class ExecutorTestBase {

    /** CPython's {@code SHORT_TIMEOUT}: the most a test should ever wait for something that happens. */
    public static final Duration SHORT_TIMEOUT = Duration.ofSeconds(30);
    /** CPython's {@code LONG_TIMEOUT}: beyond this a wait is a deadlock. */
    public static final Duration LONG_TIMEOUT = Duration.ofSeconds(300);
    /**
     * How long a task that stands for "slow work" blocks when a test needs it to still be
     * running (the suites prefer gates; this is for CPython's {@code sleep(1.5)}-style tasks).
     */
    public static final Duration SLOW_TASK = Duration.ofMillis(1500);

    /** The executor under test, fresh for each test. */
    protected TaskExecutor executor;

    private final List<TaskExecutor> extra = new ArrayList<>();

    /** The kind under test: makes {@link #executor} and every other executor of the test. */
    private final ExecutorKind kind;

    /**
     * For the suites and the other bases of per-kind tests, which pass on the kind under test.
     *
     * @param kind the executor kind under test
     * @throws NullPointerException if {@code kind} is null
     * @since 0.1
     */
    protected ExecutorTestBase(ExecutorKind kind) {
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    /**
     * The executor kind under test, for what a suite asks of it beyond executors, gates and logs
     * (the exit probe of {@link ShutdownTests}).
     *
     * @return the kind this suite was constructed with
     * @since 0.1
     */
    protected final ExecutorKind kind() {
        return kind;
    }

    /**
     * CPython's {@code worker_count}. A suite whose tests need another number overrides this; it
     * is a property of the suite, not of the executor kind.
     *
     * @return the workers of {@link #executor}
     * @since 0.1
     */
    protected int workerCount() {
        return 5;
    }

    /**
     * A closed gate that tasks on this executor can wait on: {@link ExecutorKind#newGate()}.
     *
     * @return a new gate
     * @since 0.1
     */
    protected final Gate newGate() {
        return kind.newGate();
    }

    /**
     * A log that tasks on this executor can append to: {@link ExecutorKind#newLog()}.
     *
     * @return a new log
     * @since 0.1
     */
    protected final SharedLog newLog() {
        return kind.newLog();
    }

    /**
     * Another executor of the kind under test for this test, shut down and checked for leaks
     * after it like {@link #executor}.
     *
     * @param spec workers and initializer
     * @return the executor
     * @since 0.1
     */
    protected final TaskExecutor extraExecutor(ExecutorSpec spec) {
        TaskExecutor e = kind.newExecutor(spec);
        extra.add(e);
        return e;
    }

    /**
     * Checks that an executor that was shut down left nothing behind: that it terminated, then
     * {@link ExecutorKind#assertNoLeaks} for what its kind can leak (threads, processes, files).
     *
     * @param e a shut-down executor
     * @throws AssertionError if {@code e} has not terminated or left something behind
     * @since 0.1
     */
    protected final void assertNoLeaks(TaskExecutor e) {
        assertThat(e.isTerminated()).as("executor terminated after shutdown(wait=true): %s", e).isTrue();
        kind.assertNoLeaks(e);
    }

    /** Creates {@link #executor}. */
    @BeforeEach
    void setUpExecutor() {
        executor = kind.newExecutor(ExecutorSpec.workers(workerCount()));
    }

    /**
     * Shuts down every executor of the test and checks for leaks; fails if shutdown does not end
     * within {@link #LONG_TIMEOUT} (a deadlock).
     *
     * @throws InterruptedException if interrupted
     */
    @AfterEach
    void tearDownExecutor() throws InterruptedException {
        List<TaskExecutor> all = new ArrayList<>(extra);
        if (executor != null) {
            all.add(executor);
        }
        for (TaskExecutor e : all) {
            e.shutdown(false, false);
        }
        for (TaskExecutor e : all) {
            assertThat(e.awaitTermination(LONG_TIMEOUT.toSeconds(), TimeUnit.SECONDS))
                    .as("executor terminated within %s (else a deadlock): %s", LONG_TIMEOUT, e).isTrue();
            e.close();
            assertNoLeaks(e);
        }
        extra.clear();
    }
}
