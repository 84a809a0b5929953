package dev.jfutures.process;

import dev.jfutures.MapOptions;
import dev.jfutures.MapResults;
import dev.jfutures.Task;
import dev.jfutures.TaskFailedException;
import dev.jfutures.TaskFuture;
import dev.jfutures.TaskStatus;
import dev.jfutures.WaitTimeoutException;
import dev.jfutures.process.BadPayloads.AtRead;
import dev.jfutures.process.BadPayloads.AtWrite;
import dev.jfutures.process.BadPayloads.Fault;
import dev.jfutures.process.BadPayloads.PicklingError;
import dev.jfutures.process.BadPayloads.SerializationCrash;
import dev.jfutures.process.BadPayloads.UnpicklingError;
import dev.jfutures.remote.RemoteTaskException;
import dev.jfutures.remote.TaskNotSerializableException;
import dev.jfutures.testkit.Gate;
import dev.jfutures.testkit.Tasks;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * Ports of CPython's {@code test_deadlock.py} ({@code ExecutorDeadlockTest}, T74-T89 of the spec):
 * the crash matrix (a crash, an exit or an error while serializing or deserializing a task or a
 * result, in the pool or in the worker) mapped to the JVM as the spec's "Java mapping" says, each
 * asserting our outcome, which is never a hang and never a broken pool:
 *
 * <ul>
 *   <li>an error serializing a task in the pool: {@code submit} throws {@link
 *       TaskNotSerializableException} in the caller, and nothing is queued (CPython sets the
 *       PicklingError on the future from its feeder thread);
 *   <li>an exit or a crash in the worker, at any step: that future fails with {@link
 *       WorkerDiedException} (exit code or signal) and a new worker takes the dead one's place
 *       ({@code System.exit} ends a JVM, so T79 and T82, {@code SystemExit} in CPython, are worker
 *       deaths here);
 *   <li>an error deserializing the task in the worker, serializing the result in the worker or
 *       deserializing it in the pool: that future fails with an {@link IOException} saying which
 *       step failed, with the serializer's exception as its cause, and the same worker serves the
 *       next task (CPython breaks the pool for T75-T77, T84, T85).
 * </ul>
 *
 * <p>T85 (exit while deserializing the result in the pool) has no safe analog: it is mapped to a
 * deserializer that throws an {@link Error}. T89 (a full wake-up pipe) has no counterpart: the
 * pool's dispatcher is woken through a condition; {@link #submitReturnsWhileItsWorkerDoesNotRead}
 * covers what it protects, that {@code submit} never blocks.
 */
class ProcessDeadlockTest extends ProcessTestBase {

    private static final long TEST_PID = ProbeTasks.testPid();
    /** CPython's {@code TIMEOUT} of {@code _check_error} (LONG_TIMEOUT there): beyond it, a deadlock. */
    private static final Duration CRASH_TIMEOUT = SHORT_TIMEOUT;

    /** What {@link #checkError} saw: the pool (still running) and the future's exception. */
    private record Outcome(ProcessPool pool, Throwable exception) {
    }

    /**
     * CPython's {@code _check_error}: a fresh pool of 2 workers runs the task; its outcome must come
     * within {@link #CRASH_TIMEOUT} (else a deadlock: the pool's threads are dumped, its workers killed, and
     * the test fails). Also checks that the pool is not broken and runs the next task.
     */
    private Outcome checkError(Task<?> task) {
        ProcessPool p = pool(ProcessPool.builder().workers(2));
        TaskFuture<?> res = p.submit(task);
        Throwable e = null;
        try {
            e = res.exception(CRASH_TIMEOUT);
        } catch (WaitTimeoutException deadlock) {
            failOnDeadlock(p);
        }
        assertThat(p.isBroken()).as("pool broken").isFalse();
        assertThat(p.submit(() -> Tasks.mul(6, 7)).result(HANG)).as("the pool runs the next task").isEqualTo(42);
        return new Outcome(p, e);
    }

    /** CPython's {@code _fail_on_deadlock}: dumps the pool's threads, kills its workers, fails. */
    private void failOnDeadlock(ProcessPool p) {
        String dump = threadDump(poolName(p));
        String state = p.toString();
        abandon(p);
        fail("executor deadlock: no outcome within %s on %s%n%s", CRASH_TIMEOUT, state, dump);
    }

    /** The worker that failed the task is alive and runs the next task: the pool's only worker. */
    private static void assertWorkerLived(Outcome o) {
        List<Long> pids = o.pool().workerPids();
        assertThat(pids).as("one worker, still alive").hasSize(1);
        assertThat(isAlive(pids.get(0))).isTrue();
        assertThat(o.pool().submit(() -> ProbeTasks.pid()).result(HANG)).as("the same worker serves the next task")
                .isEqualTo(pids.get(0));
    }

    /** The task failed with WorkerDiedException for a death by SIGKILL (our "crash"), and that worker is gone. */
    private static void assertCrashed(Outcome o) {
        assertThat(o.exception()).isInstanceOf(WorkerDiedException.class);
        WorkerDiedException d = (WorkerDiedException) o.exception();
        assertThat(d.signal()).hasValue(9);
        assertThat(awaitExit(d.pid(), SHORT_TIMEOUT)).isTrue();
        assertThat(o.pool().workerPids()).doesNotContain(d.pid());
    }

    /** The task failed with WorkerDiedException for {@code System.exit(1)}. */
    private static void assertExited(Outcome o) {
        assertThat(o.exception()).isInstanceOf(WorkerDiedException.class);
        WorkerDiedException d = (WorkerDiedException) o.exception();
        assertThat(d.exitCode()).isEqualTo(1);
        assertThat(d.signal()).isEmpty();
        assertThat(d.getMessage()).contains("exited with code 1");
        assertThat(awaitExit(d.pid(), SHORT_TIMEOUT)).isTrue();
    }

    // ------------------------------------------------------------------------------ T74-T85

    /**
     * Port of test_deadlock.py ExecutorDeadlockTest.test_error_at_task_pickle: an argument whose
     * {@code writeObject} throws makes {@code submit} throw {@link TaskNotSerializableException} in
     * the caller, with that error as its cause; nothing is queued (no worker is even started) and
     * the pool goes on (CPython: the PicklingError is set on the future by the feeder thread).
     */
    @Test
    void test_error_at_task_pickle() {
        ProcessPool p = pool(ProcessPool.builder().workers(2));
        AtWrite bad = new AtWrite(Fault.ERROR, TEST_PID);
        assertThatThrownBy(() -> p.submit(() -> System.identityHashCode(bad)))
                .isInstanceOf(TaskNotSerializableException.class)
                .hasMessageContaining("Error in pickle")
                .hasRootCauseInstanceOf(PicklingError.class);
        assertThat(p.workerPids()).as("nothing was queued, so no worker started").isEmpty();
        assertThat(p.toString()).contains("backlog=0");
        assertThat(p.submit(() -> Tasks.mul(6, 7)).result(HANG)).isEqualTo(42);
    }

    /**
     * Port of test_deadlock.py ExecutorDeadlockTest.test_exit_at_task_unpickle: an argument whose
     * {@code readObject} calls {@code System.exit(1)} in the worker fails that task with {@link
     * WorkerDiedException} (exit code 1); the pool is not broken (CPython: BrokenProcessPool).
     */
    @Test
    void test_exit_at_task_unpickle() {
        AtRead bad = new AtRead(Fault.EXIT, TEST_PID);
        assertExited(checkError(() -> System.identityHashCode(bad)));
    }

    /**
     * Port of test_deadlock.py ExecutorDeadlockTest.test_error_at_task_unpickle: an argument whose
     * {@code readObject} throws in the worker fails that task with an {@link IOException} saying the
     * task could not be deserialized, caused by the error; the worker lives and serves the next
     * task (CPython: BrokenProcessPool).
     */
    @Test
    void test_error_at_task_unpickle() {
        AtRead bad = new AtRead(Fault.ERROR, TEST_PID);
        Outcome o = checkError(() -> System.identityHashCode(bad));
        assertThat(o.exception()).isInstanceOf(IOException.class)
                .hasMessageContaining("could not be deserialized in worker pid")
                .hasMessageContaining("Error in unpickle")
                .hasCauseInstanceOf(UnpicklingError.class);
        assertWorkerLived(o);
    }

    /**
     * Port of test_deadlock.py ExecutorDeadlockTest.test_crash_at_task_unpickle: an argument whose
     * {@code readObject} kills the worker (SIGKILL) fails that task with {@link
     * WorkerDiedException} (signal 9); the pool is not broken (CPython: BrokenProcessPool).
     */
    @Test
    void test_crash_at_task_unpickle() {
        AtRead bad = new AtRead(Fault.CRASH, TEST_PID);
        assertCrashed(checkError(() -> System.identityHashCode(bad)));
    }

    /**
     * Port of test_deadlock.py ExecutorDeadlockTest.test_crash_during_func_exec_on_worker: a task
     * that kills its worker fails with {@link WorkerDiedException} (signal 9); the pool is not
     * broken (CPython: BrokenProcessPool).
     */
    @Test
    void test_crash_during_func_exec_on_worker() {
        long testPid = TEST_PID;
        assertCrashed(checkError(() -> ProbeTasks.crash(testPid)));
    }

    /**
     * Port of test_deadlock.py ExecutorDeadlockTest.test_exit_during_func_exec_on_worker: a task
     * that calls {@code System.exit(1)} ends its JVM, so it fails with {@link WorkerDiedException}
     * (exit code 1), not with an exception of its own (CPython: SystemExit, pool healthy).
     */
    @Test
    void test_exit_during_func_exec_on_worker() {
        long testPid = TEST_PID;
        assertExited(checkError(() -> ProbeTasks.exit(testPid, 1)));
    }

    /**
     * Port of test_deadlock.py ExecutorDeadlockTest.test_error_during_func_exec_on_worker: a task
     * that throws RuntimeException fails with exactly that type; the worker lives.
     */
    @Test
    void test_error_during_func_exec_on_worker() {
        Outcome o = checkError(() -> {
            throw new RuntimeException("raised in the worker");
        });
        assertThat(o.exception()).isExactlyInstanceOf(RuntimeException.class).hasMessage("raised in the worker");
        assertWorkerLived(o);
    }

    /**
     * Port of test_deadlock.py ExecutorDeadlockTest.test_crash_during_result_pickle_on_worker: a
     * result whose {@code writeObject} kills the worker fails the task with {@link
     * WorkerDiedException} (signal 9); the pool is not broken (CPython: BrokenProcessPool).
     */
    @Test
    void test_crash_during_result_pickle_on_worker() {
        long testPid = TEST_PID;
        assertCrashed(checkError(() -> new AtWrite(Fault.CRASH, testPid)));
    }

    /**
     * Port of test_deadlock.py ExecutorDeadlockTest.test_exit_during_result_pickle_on_worker: a
     * result whose {@code writeObject} calls {@code System.exit(1)} fails the task with {@link
     * WorkerDiedException} (exit code 1) (CPython: SystemExit sent back as the exception).
     */
    @Test
    void test_exit_during_result_pickle_on_worker() {
        long testPid = TEST_PID;
        assertExited(checkError(() -> new AtWrite(Fault.EXIT, testPid)));
    }

    /**
     * Port of test_deadlock.py ExecutorDeadlockTest.test_error_during_result_pickle_on_worker: a
     * result whose {@code writeObject} throws fails the task with an {@link IOException} saying the
     * result could not be serialized in the worker, caused by that error; the worker lives.
     */
    @Test
    void test_error_during_result_pickle_on_worker() {
        long testPid = TEST_PID;
        Outcome o = checkError(() -> new AtWrite(Fault.ERROR, testPid));
        assertThat(o.exception()).isInstanceOf(IOException.class)
                .hasMessageContaining("could not be serialized in worker pid")
                .hasMessageContaining("Error in pickle")
                .hasCauseInstanceOf(PicklingError.class);
        assertWorkerLived(o);
    }

    /**
     * Port of test_deadlock.py ExecutorDeadlockTest.test_error_during_result_unpickle_in_result_handler:
     * a result whose {@code readObject} throws in the pool fails that task with an {@link
     * IOException} saying the result could not be deserialized, caused by that error; the worker
     * lives and serves the next task (CPython: BrokenProcessPool).
     */
    @Test
    void test_error_during_result_unpickle_in_result_handler() {
        long testPid = TEST_PID;
        Outcome o = checkError(() -> new AtRead(Fault.ERROR, testPid));
        assertThat(o.exception()).isInstanceOf(IOException.class)
                .hasMessageContaining("result could not be deserialized")
                .hasMessageContaining("Error in unpickle")
                .hasCauseInstanceOf(UnpicklingError.class);
        assertWorkerLived(o);
    }

    /**
     * Port of test_deadlock.py ExecutorDeadlockTest.test_exit_during_result_unpickle_in_result_handler,
     * mapped as the spec says (an exit in the pool's own JVM has no safe analog): a result whose
     * {@code readObject} throws an {@link Error} in the pool is contained: that task fails with an
     * {@link IOException} caused by the error, and the worker lives (CPython: BrokenProcessPool).
     */
    @Test
    void test_exit_during_result_unpickle_in_result_handler() {
        long testPid = TEST_PID;
        Outcome o = checkError(() -> new AtRead(Fault.ERROR_THROWABLE, testPid));
        assertThat(o.exception()).isInstanceOf(IOException.class)
                .hasMessageContaining("result could not be deserialized")
                .hasCauseInstanceOf(SerializationCrash.class);
        assertWorkerLived(o);
    }

    /**
     * An argument whose {@code writeObject} throws an unchecked exception also makes {@code submit}
     * throw {@link TaskNotSerializableException} in the caller, with that exception as the cause,
     * and queues nothing.
     */
    @Test
    void uncheckedExceptionWhileSerializingTaskFailsAtSubmit() {
        ProcessPool p = pool(ProcessPool.builder().workers(2));
        AtWrite bad = new AtWrite(Fault.RUNTIME_EXCEPTION, TEST_PID);
        assertThatThrownBy(() -> p.submit(() -> System.identityHashCode(bad)))
                .isInstanceOf(TaskNotSerializableException.class)
                .hasMessageContaining("RuntimeException in pickle")
                .hasRootCauseInstanceOf(IllegalStateException.class);
        assertThat(p.workerPids()).isEmpty();
        assertThat(p.toString()).contains("backlog=0");
    }

    /**
     * A task's exception whose {@code readObject} throws an exception in the pool is contained:
     * the task fails with a {@link RemoteTaskException} naming the exception's class and carrying
     * its message and worker-side stack; the worker lives.
     */
    @Test
    void exceptionFailingToDeserializeInPoolBecomesRemoteTaskException() {
        long testPid = TEST_PID;
        Outcome o = checkError(() -> BadPayloads.throwExceptionFailingInPool(Fault.ERROR, testPid));
        assertThat(o.exception()).isInstanceOf(RemoteTaskException.class)
                .hasMessageContaining(BadPayloads.ExceptionFailingInPool.class.getName())
                .hasMessageContaining("thrown in the worker");
        RemoteTaskException r = (RemoteTaskException) o.exception();
        assertThat(r.remoteClassName()).isEqualTo(BadPayloads.ExceptionFailingInPool.class.getName());
        assertThat(r.remoteStackTrace()).contains("throwExceptionFailingInPool");
        assertWorkerLived(o);
    }

    /**
     * A task's exception whose {@code readObject} throws an {@link Error} in the pool is contained
     * as well: the task fails (with a {@link RemoteTaskException} naming the class), nothing hangs,
     * and the worker lives.
     */
    @Test
    void errorWhileDeserializingTaskExceptionInPoolIsContained() {
        long testPid = TEST_PID;
        Outcome o = checkError(() -> BadPayloads.throwExceptionFailingInPool(Fault.ERROR_THROWABLE, testPid));
        assertThat(o.exception()).isInstanceOf(RemoteTaskException.class)
                .hasMessageContaining(BadPayloads.ExceptionFailingInPool.class.getName());
        assertWorkerLived(o);
    }

    // ------------------------------------------------------------------------------ T86-T88

    /**
     * Port of test_deadlock.py ExecutorDeadlockTest.test_shutdown_deadlock: a worker that crashes
     * after shutdown began is still noticed: shutdown completes and the task fails with {@link
     * WorkerDiedException} (CPython: BrokenProcessPool). CPython's {@code shutdown(wait=True)} is
     * split into {@code shutdown(false, false)} and {@code awaitTermination}, so that the test opens
     * the gate that lets the task crash after shutdown began, not after a 0.1 s sleep.
     */
    @Test
    void test_shutdown_deadlock() throws InterruptedException {
        ProcessPool p = pool(ProcessPool.builder().workers(2));
        Gate go = newGate();
        long testPid = TEST_PID;
        TaskFuture<Object> f = p.submit(() -> {
            go.await();
            return ProbeTasks.crash(testPid);
        });
        p.shutdown(false, false);
        go.open();
        if (!p.awaitTermination(HANG.toSeconds(), TimeUnit.SECONDS)) {
            failOnDeadlock(p);
        }
        assertThat(f.exception(Duration.ZERO)).isInstanceOf(WorkerDiedException.class);
    }

    /**
     * Port of test_deadlock.py ExecutorDeadlockTest.test_shutdown_deadlock_pickle (bpo-39104): a
     * task that fails to serialize right before {@code shutdown(wait=False)} deadlocks nothing:
     * ours fails at {@code submit} with {@link TaskNotSerializableException} (CPython: on the
     * future), the pool terminates, and its threads end (its timer, the one that lives as long as
     * the pool).
     */
    @Test
    void test_shutdown_deadlock_pickle() throws InterruptedException {
        ProcessPool p = pool(ProcessPool.builder().workers(2));
        assertThat(p.submit(() -> System.identityHashCode(42) != 0).result(HANG)).isTrue();
        List<Thread> timer = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals(poolName(p) + "-timer")) {
                timer.add(t);
            }
        }
        assertThat(timer).as("the pool's timer thread").hasSize(1);

        AtWrite bad = new AtWrite(Fault.ERROR, TEST_PID);
        assertThatThrownBy(() -> p.submit(() -> System.identityHashCode(bad)))
                .isInstanceOf(TaskNotSerializableException.class)
                .hasRootCauseInstanceOf(PicklingError.class);
        p.shutdown(false, false);

        assertThat(p.awaitTermination(HANG.toSeconds(), TimeUnit.SECONDS)).isTrue();
        timer.get(0).join(HANG.toMillis());
        assertThat(timer.get(0).isAlive()).as("the timer ended").isFalse();
    }

    /** CPython's {@code _crash_with_data}: kills its worker; the data only has to get there. */
    static Object crashWithData(long testPid, String data) {
        return data.isEmpty() ? null : ProbeTasks.crash(testPid);
    }

    /**
     * Port of test_deadlock.py ExecutorDeadlockTest.test_crash_big_data (gh-94777): {@code map} over
     * ten 4 MiB + 1 arguments whose task kills its worker ends without a deadlock; we differ on
     * purpose: each element fails at its position with {@link WorkerDiedException} as the cause,
     * and the iteration goes on (CPython: BrokenProcessPool for the whole map).
     */
    @Test
    void test_crash_big_data() {
        ProcessPool p = pool(ProcessPool.builder().workers(2));
        String data = "a".repeat(4 * 1024 * 1024 + 1);
        long testPid = TEST_PID;
        int failed = 0;
        try (MapResults<Object> results = p.map((String s) -> crashWithData(testPid, s),
                Collections.nCopies(10, data), MapOptions.defaults().timeout(Duration.ofSeconds(120)))) {
            while (results.hasNext()) {
                try {
                    results.next();
                    fail("a task that kills its worker succeeded");
                } catch (TaskFailedException e) {
                    assertThat(e.getCause()).isInstanceOf(WorkerDiedException.class);
                    failed++;
                } catch (WaitTimeoutException e) {
                    failOnDeadlock(p);
                }
            }
        }
        assertThat(failed).isEqualTo(10);
        assertThat(p.isBroken()).isFalse();
        assertThat(p.submit(() -> Tasks.mul(6, 7)).result(HANG)).isEqualTo(42);
    }

    /**
     * The JVM mapping of test_crash_big_data that the spec asks for: a worker killed while the
     * pool is in the middle of writing it a frame far bigger than the socket buffer (the worker is
     * stopped with SIGSTOP, so it reads nothing, then killed; the submit returned at once, its
     * writes are non-blocking, and the rest of the frame waits for the socket) deadlocks nothing:
     * the task never started, so it runs on a new worker (or, if it had, fails with {@link
     * WorkerDiedException}), within the deadlock bound, and the pool runs the next task.
     */
    @Test
    void crashWhileThePoolWritesAFrameBiggerThanTheSocketBuffer() throws Exception {
        ProcessPool p = pool(ProcessPool.builder().workers(1));
        long pid = p.submit(() -> ProbeTasks.pid()).result(HANG);
        signal("STOP", pid);
        try {
            byte[] big = new byte[64 << 20];
            big[big.length - 1] = 7;
            CompletableFuture<TaskFuture<Integer>> submitted =
                    CompletableFuture.supplyAsync(() -> p.submit(() -> big.length + big[big.length - 1]));
            TaskFuture<Integer> f = submitted.get(HANG.toSeconds(), TimeUnit.SECONDS);
            assertThat(f.status()).as("a task its stopped worker cannot even read").isEqualTo(TaskStatus.PENDING);

            kill9(pid);

            Throwable e = null;
            try {
                e = f.exception(HANG);
            } catch (WaitTimeoutException hang) {
                failOnDeadlock(p);
            }
            if (e != null) {
                assertThat(e).isInstanceOf(WorkerDiedException.class);
                assertThat(((WorkerDiedException) e).pid()).isEqualTo(pid);
            } else {
                assertThat(f.result()).isEqualTo((64 << 20) + 7);
            }
        } finally {
            kill9(pid);
        }
        assertThat(p.submit(() -> ProbeTasks.pid()).result(HANG)).isNotEqualTo(pid);
    }

    /**
     * {@code submit} does not block while the worker it would hand the task to reads nothing (a
     * stopped or stalled JVM): a 64 MiB task submitted then returns within 10 s (CPython's T89,
     * gh-105829: submit must never block).
     */
    @Test
    void submitReturnsWhileItsWorkerDoesNotRead() throws Exception {
        ProcessPool p = pool(ProcessPool.builder().workers(1));
        long pid = p.submit(() -> ProbeTasks.pid()).result(HANG);
        signal("STOP", pid);
        try {
            byte[] big = new byte[64 << 20];
            CompletableFuture<TaskFuture<Integer>> submitted =
                    CompletableFuture.supplyAsync(() -> p.submit(() -> big.length));
            try {
                submitted.get(10, TimeUnit.SECONDS);
            } catch (TimeoutException blocked) {
                fail("submit() of a 64 MiB task did not return within 10 s while its worker (pid %d) reads"
                        + " nothing; the submitting thread:%n%s", pid, blockedWriters());
            }
        } finally {
            kill9(pid);
        }
    }

    // ------------------------------------------------------------------------------ helpers

    /** Sends a signal ({@code STOP}, {@code CONT}, ...) to a process with {@code kill}. */
    static void signal(String name, long pid) throws IOException, InterruptedException {
        Process k = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start();
        assertThat(k.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(k.exitValue()).as("kill -%s %d", name, pid).isZero();
    }

    private static String blockedWriters() {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
            boolean pool = false;
            boolean writing = false;
            for (StackTraceElement s : e.getValue()) {
                pool |= s.getClassName().startsWith("dev.jfutures.process.");
                writing |= s.getClassName().startsWith("sun.nio.ch.") && s.getMethodName().startsWith("write");
            }
            if (pool && writing) {
                sb.append('"').append(e.getKey().getName()).append("\"\n");
                for (StackTraceElement s : e.getValue()) {
                    sb.append("    at ").append(s).append('\n');
                }
            }
        }
        return sb.toString();
    }
}
