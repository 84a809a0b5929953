package dev.jfutures.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jfutures.TaskExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The base of every conformance suite, CPython's {@code ExecutorMixin}: one executor with {@link
 * #workerCount()} workers per test, shut down (and checked for leaks) after it.
 *
 * <p>A subclass for one executor kind implements {@link #newExecutor(ExecutorSpec)} and, where
 * tasks run outside this JVM, {@link #newGate()} and {@link #newLog()}. Tasks in the suites are
 * serializable lambdas that capture only serializable values (never the test instance), so the
 * same suites run on thread, process and cluster executors.
 */
public abstract class ExecutorTestBase {

    /** For the executor-specific subclasses, which say how to make the executor under test. */
    protected ExecutorTestBase() {
    }

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

    /**
     * Makes an executor of the kind under test.
     *
     * @param spec workers and initializer
     * @return a new executor
     */
    protected abstract TaskExecutor newExecutor(ExecutorSpec spec);

    /**
     * CPython's {@code worker_count}.
     *
     * @return the workers of {@link #executor}
     */
    protected int workerCount() {
        return 5;
    }

    /**
     * A closed gate that tasks on this executor can wait on.
     *
     * @return a new gate
     */
    protected Gate newGate() {
        return LocalChannels.newGate();
    }

    /**
     * A log that tasks on this executor can append to.
     *
     * @return a new log
     */
    protected SharedLog newLog() {
        return LocalChannels.newLog();
    }

    /**
     * Another executor for this test, shut down after it like {@link #executor}.
     *
     * @param spec workers and initializer
     * @return the executor
     */
    protected TaskExecutor extraExecutor(ExecutorSpec spec) {
        TaskExecutor e = newExecutor(spec);
        extra.add(e);
        return e;
    }

    /**
     * Checks that an executor that was shut down left nothing behind (threads, processes, files).
     * The default checks only termination; subclasses add what their kind can leak.
     *
     * @param e a shut-down executor
     */
    protected void assertNoLeaks(TaskExecutor e) {
        assertThat(e.isTerminated()).as("executor terminated after shutdown(wait=true): %s", e).isTrue();
    }

    /** Creates {@link #executor}. */
    @BeforeEach
    void setUpExecutor() {
        executor = newExecutor(ExecutorSpec.workers(workerCount()));
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
