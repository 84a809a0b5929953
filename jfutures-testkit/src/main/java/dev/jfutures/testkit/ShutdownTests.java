package dev.jfutures.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.jfutures.BrokenExecutorException;
import dev.jfutures.TaskExecutor;
import dev.jfutures.TaskFuture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * CPython's {@code test_shutdown.py} {@code ExecutorShutdownTest} (T51-T57 of the spec), for every
 * executor kind; each method is named as the CPython test it ports.
 *
 * <p>The subprocess tests ({@code assert_python_ok('-c', ...)} in CPython) start a JVM that plays
 * an exit scenario with the executor kind under test; the kind's {@link ExecutorKind#exitProbe}
 * says which program does that (for thread pools, {@link ExitProbe}).
 */
public abstract class ShutdownTests extends ExecutorTestBase {

    /**
     * For the test class of one executor kind, which passes that kind.
     *
     * @param kind the executor kind under test
     * @since 0.1
     */
    protected ShutdownTests(ExecutorKind kind) {
        super(kind);
    }

    /**
     * Port of test_shutdown.py ExecutorShutdownTest.test_run_after_shutdown: after {@code
     * shutdown()}, {@code submit} (and {@code map}) throw {@link RejectedExecutionException}
     * (CPython's {@code RuntimeError}), not a {@link BrokenExecutorException}.
     */
    @Test
    void test_run_after_shutdown() {
        executor.shutdown();
        assertThatThrownBy(() -> executor.submit(() -> Tasks.pow(2, 5)))
                .isInstanceOf(RejectedExecutionException.class)
                .isNotInstanceOf(BrokenExecutorException.class);
        assertThatThrownBy(() -> executor.map(x -> Tasks.pow(2, x), List.of(5)))
                .isInstanceOf(RejectedExecutionException.class)
                .isNotInstanceOf(BrokenExecutorException.class);
    }

    /**
     * Port of test_shutdown.py ExecutorShutdownTest.test_interpreter_shutdown: (subprocess) a JVM
     * whose {@code main} submits {@code sleep_and_print(.., "apple")} to a 5-worker executor and
     * returns without shutting it down: JVM exit waits for the task, so stdout is {@code apple},
     * stderr is empty and the exit code 0.
     */
    @Test
    void test_interpreter_shutdown() throws Exception {
        ExitProbe.Outcome o = ExitProbe.run(kind().exitProbe(ExitProbe.INTERPRETER_SHUTDOWN), SHORT_TIMEOUT);
        assertThat(o.stderr()).as("stderr").isEmpty();
        assertThat(o.stdout().strip()).as("stdout").isEqualTo("apple");
        assertThat(o.exitCode()).as("exit code").isZero();
    }

    /**
     * Port of test_shutdown.py ExecutorShutdownTest.test_submit_after_interpreter_shutdown:
     * (subprocess) a submit from a shutdown hook (CPython: an {@code atexit} handler). For an
     * executor that never ran a task (CPython's thread-pool form) it is rejected with {@link
     * RejectedExecutionException}: the hook prints {@code runtime-error} and rethrows, so the
     * exception reaches stderr, and the exit code stays 0. For one that did (its process-pool form,
     * three times): differs from CPython on purpose, because JVM shutdown hooks run concurrently in
     * no set order (CPython runs its executors' exit hook before any {@code atexit} handler): the
     * submit is rejected if jfutures' exit hook has begun, and otherwise accepted and then run to
     * completion before the JVM exits ({@code accepted 7}); either way it is never silently lost.
     */
    @Test
    void test_submit_after_interpreter_shutdown() throws Exception {
        ExitProbe.Outcome never = ExitProbe.run(kind().exitProbe(ExitProbe.SUBMIT_AFTER_INTERPRETER_SHUTDOWN), SHORT_TIMEOUT);
        assertThat(never.stderr()).as("stderr").contains("java.util.concurrent.RejectedExecutionException");
        assertThat(never.stdout().strip()).as("stdout").isEqualTo("runtime-error");
        assertThat(never.exitCode()).as("exit code").isZero();
        for (int i = 0; i < 3; i++) {
            ExitProbe.Outcome o = ExitProbe.run(kind().exitProbe(ExitProbe.SUBMIT_AFTER_INTERPRETER_SHUTDOWN_STARTED), SHORT_TIMEOUT);
            assertThat(o.stdout().strip()).as("stdout").isIn("runtime-error", "accepted 7");
            if (o.stdout().strip().equals("runtime-error")) {
                assertThat(o.stderr()).as("stderr").contains("java.util.concurrent.RejectedExecutionException");
            } else {
                assertThat(o.stderr()).as("stderr").isEmpty();
            }
            assertThat(o.exitCode()).as("exit code").isZero();
        }
    }

    /**
     * Port of test_shutdown.py ExecutorShutdownTest.test_hang_issue12364: 50 short tasks, then
     * {@code shutdown(wait=true)} returns (bounded here by {@link #SHORT_TIMEOUT}) and every result
     * is there. CPython's tasks sleep 0.1 s; these sleep 20 ms.
     */
    @Test
    void test_hang_issue12364() {
        List<TaskFuture<Object>> fs = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            fs.add(executor.submit(() -> Tasks.sleep(Duration.ofMillis(20))));
        }
        assertTimeoutPreemptively(SHORT_TIMEOUT, () -> executor.shutdown(true, false));
        for (TaskFuture<Object> f : fs) {
            assertThat(f.result()).isNull();
        }
    }

    /**
     * Port of test_shutdown.py ExecutorShutdownTest.test_cancel_futures: 5 workers, 50 tasks of
     * 0.1 s, {@code shutdown(wait=true, cancelFutures=true)}: more than 20 futures are cancelled,
     * and every other one is done without an exception, and there is at least one. Unlike CPython,
     * the test waits until some task has started before shutting down (a gate the tasks open), so
     * "at least one finished" cannot fail by a race.
     */
    @Test
    void test_cancel_futures() throws InterruptedException {
        assertThat(workerCount()).as("test needs few workers").isLessThanOrEqualTo(5);
        Gate started = newGate();
        List<TaskFuture<Object>> fs = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            fs.add(executor.submit(() -> Tasks.signalThenSleep(started, Duration.ofMillis(100))));
        }
        assertThat(started.await(SHORT_TIMEOUT)).as("some task started").isTrue();
        assertTimeoutPreemptively(SHORT_TIMEOUT, () -> executor.shutdown(true, true));

        List<TaskFuture<Object>> cancelled = fs.stream().filter(TaskFuture::isCancelled).collect(Collectors.toList());
        assertThat(cancelled).hasSizeGreaterThan(20);

        List<TaskFuture<Object>> others = fs.stream().filter(f -> !f.isCancelled()).collect(Collectors.toList());
        for (TaskFuture<Object> fut : others) {
            assertThat(fut.isDone()).as("done: %s", fut).isTrue();
            assertThat(fut.exception()).as("exception of %s", fut).isNull();
        }
        assertThat(others).isNotEmpty();
    }

    /**
     * Port of test_shutdown.py ExecutorShutdownTest.test_hang_gh83386: (subprocess) a JVM whose
     * {@code main} submits {@code sleep_and_print(.., "apple")} to a 3-worker executor, calls
     * {@code shutdown(false, false)} and returns: the exit does not hang, waits for the task
     * (stdout {@code apple}), stderr is empty and the exit code 0.
     */
    @Test
    void test_hang_gh83386() throws Exception {
        ExitProbe.Outcome o = ExitProbe.run(kind().exitProbe(ExitProbe.HANG_GH83386), SHORT_TIMEOUT);
        assertThat(o.stderr()).as("stderr").isEmpty();
        assertThat(o.stdout().strip()).as("stdout").isEqualTo("apple");
        assertThat(o.exitCode()).as("exit code").isZero();
    }

    /**
     * Port of test_shutdown.py ExecutorShutdownTest.test_hang_gh94440: on a 1-worker executor that
     * has run a task, a task submitted and at once cancelled does not make {@code
     * shutdown(wait=true)} hang: it returns within 5 s (CPython's SIGALRM).
     */
    @Test
    void test_hang_gh94440() {
        TaskExecutor e = extraExecutor(ExecutorSpec.workers(1));
        assertThat(e.submit(() -> 0).result()).isEqualTo(0);
        e.submit(() -> 0).cancel(false);
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> e.shutdown(true, false),
                "timed out waiting for shutdown");
        assertThat(e.isTerminated()).isTrue();
    }
}
