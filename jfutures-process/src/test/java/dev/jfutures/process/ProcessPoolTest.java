package dev.jfutures.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.fail;

import dev.jfutures.BrokenExecutorException;
import dev.jfutures.MapOptions;
import dev.jfutures.TaskFailedException;
import dev.jfutures.TaskFuture;
import dev.jfutures.TaskStatus;
import dev.jfutures.WaitTimeoutException;
import dev.jfutures.remote.RemoteTaskException;
import dev.jfutures.testkit.Gate;
import dev.jfutures.testkit.SharedLog;
import dev.jfutures.testkit.Tasks;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.PrintWriter;
import java.io.Serializable;
import java.io.StringWriter;
import java.lang.ref.Cleaner;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ports of CPython's {@code test_process_pool.py} ({@code ProcessPoolExecutorTest}, T59-T73 of the
 * spec) with our semantics, plus our own tests of the pool's worker management.
 *
 * <p>Where we differ on purpose: a dead worker fails only the task it was running, with a {@link
 * WorkerDiedException} carrying its pid, exit code or signal and stderr tail, and the pool goes on
 * (CPython breaks the whole pool with {@code BrokenProcessPool}; we do what Pebble does). Ports of
 * tests that need a multiprocessing start method, mocking of CPython internals or executor garbage
 * collection are left out: {@code test_max_tasks_per_child_defaults_to_spawn_context} (there is
 * one way to start a JVM), {@code test_python_finalization_error} (mocks thread creation), {@code
 * test_gc_during_max_tasks_worker_exit_gh152967} and the {@code drop_reference} half of {@code
 * test_shutdown_no_wait_max_tasks_gh119592} (a running pool is reachable from its own threads, so
 * it is never garbage collected), {@code test_terminate_workers}/{@code test_kill_workers}/{@code
 * test_force_shutdown_workers_invalid_op} (they check the dispatch to a private {@code
 * _force_shutdown(op)}; we have one {@code killWorkers()}).
 */
class ProcessPoolTest extends ProcessTestBase {

    // ------------------------------------------------------------------------------ T59, T60

    /**
     * Port of test_process_pool.py ProcessPoolExecutorTest.test_killed_child: a worker killed
     * (kill -9) while it runs a task fails that task with a {@link WorkerDiedException} carrying
     * its pid and signal 9 (exit code 137); we differ on purpose: the pool is not broken and the
     * next submit works, on a new worker (CPython breaks the pool, so its next submit raises
     * BrokenProcessPool).
     */
    @Test
    void test_killed_child() throws Exception {
        SharedLog log = newLog();
        Gate started = newGate();
        Gate release = newGate();
        TaskFuture<Long> f = executor.submit(() -> ProbeTasks.reportPidThenAwait(log, started, release));
        assertThat(started.await(HANG)).as("the task started").isTrue();
        long pid = Long.parseLong(log.entries().get(0));

        kill9(pid);

        Throwable e = f.exception(HANG);
        assertThat(e).isInstanceOf(WorkerDiedException.class);
        WorkerDiedException died = (WorkerDiedException) e;
        assertThat(died.pid()).isEqualTo(pid);
        assertThat(died.exitCode()).isEqualTo(137);
        assertThat(died.signal()).hasValue(9);
        assertThat(died.getMessage()).contains("pid " + pid).contains("signal 9");
        assertThat(executorPool().isBroken()).isFalse();
        assertThat(executor.submit(() -> Tasks.pow(2, 8)).result(HANG)).isEqualTo(256L);
        assertThat(executor.submit(() -> ProbeTasks.pid()).result(HANG)).isNotEqualTo(pid);
    }

    /**
     * Port of test_process_pool.py ProcessPoolExecutorTest.test_broken_process_pool_traceback:
     * each failed future has its own exception instance, which does not grow when its result is
     * read again (CPython shared one BrokenProcessPool whose traceback grew with each
     * {@code result()}); we differ on purpose: three tasks run on three workers, two workers are
     * killed, and only those two tasks fail, each with a {@link WorkerDiedException} of its own
     * worker's pid, while the third task goes on and succeeds.
     */
    @Test
    void test_broken_process_pool_traceback() throws Exception {
        SharedLog log = newLog();
        Gate release = newGate();
        List<TaskFuture<Long>> futures = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            // One after the other, each once the previous one runs: a busy pool below its size
            // starts a new worker for the next task, so each task gets a worker of its own.
            Gate started = newGate();
            futures.add(executor.submit(() -> ProbeTasks.reportPidThenAwait(log, started, release)));
            assertThat(started.await(HANG)).as("task %d started", i).isTrue();
        }
        List<Long> pids = log.entries().stream().map(Long::parseLong).collect(Collectors.toList());
        assertThat(new HashSet<>(pids)).as("each task on its own worker").hasSize(3);

        kill9(pids.get(0));
        kill9(pids.get(1));

        Throwable e0 = futures.get(0).exception(HANG);
        Throwable e1 = futures.get(1).exception(HANG);
        assertThat(e0).isInstanceOf(WorkerDiedException.class);
        assertThat(e1).isInstanceOf(WorkerDiedException.class);
        assertThat(e0).isNotSameAs(e1);
        assertThat(((WorkerDiedException) e0).pid()).isEqualTo(pids.get(0));
        assertThat(((WorkerDiedException) e1).pid()).isEqualTo(pids.get(1));
        for (TaskFuture<Long> f : futures.subList(0, 2)) {
            Throwable cause = f.exception();
            int frames = cause.getStackTrace().length;
            int suppressed = cause.getSuppressed().length;
            for (int i = 0; i < 3; i++) {
                Throwable thrown = catchThrowable(f::result);
                assertThat(thrown).isInstanceOf(TaskFailedException.class);
                assertThat(thrown.getCause()).isSameAs(cause);
            }
            assertThat(cause.getStackTrace()).as("the exception's trace does not grow").hasSize(frames);
            assertThat(cause.getSuppressed()).hasSize(suppressed);
        }
        assertThat(futures.get(2).status()).isEqualTo(TaskStatus.RUNNING);
        release.open();
        assertThat(futures.get(2).result(HANG)).isEqualTo(pids.get(2));
    }

    // ------------------------------------------------------------------------------ T61, T62, T63

    /**
     * Port of test_process_pool.py ProcessPoolExecutorTest.test_map_chunksize: {@code map} with
     * chunk sizes 6, 50 and 40 gives the same results as a plain loop, and a chunk size below 1 is
     * refused; ours is refused when the options are built ({@code MapOptions.chunkSize(-1)}),
     * before {@code map} is called (CPython raises when {@code map} is called).
     */
    @Test
    void test_map_chunksize() {
        List<Integer> xs = IntStream.range(0, 40).boxed().collect(Collectors.toList());
        List<Long> ref = xs.stream().map(i -> Tasks.pow(i, i)).collect(Collectors.toList());
        for (int chunk : new int[] {6, 50, 40}) {
            List<Long> got = executor.map((Integer i) -> Tasks.pow(i, i), xs,
                    MapOptions.defaults().chunkSize(chunk).timeout(HANG)).stream().collect(Collectors.toList());
            assertThat(got).as("chunk size %d", chunk).isEqualTo(ref);
        }
        assertThatIllegalArgumentException().isThrownBy(() -> MapOptions.defaults().chunkSize(-1));
    }

    /**
     * Port of test_process_pool.py ProcessPoolExecutorTest.test_traceback: the task's exception
     * comes back with its exact type and message and with the worker-side frames in its own stack
     * trace; CPython's {@code _RemoteTraceback} cause is, here, a suppressed {@link
     * RemoteTaskException} that records the worker's pid and the stack as the worker printed it,
     * and the printed trace shows the line that threw.
     */
    @Test
    void test_traceback() {
        TaskFuture<Object> future = executor.submit(() -> ProbeTasks.raiseRuntimeError123());
        Throwable exc = future.exception(HANG);
        assertThat(exc).isExactlyInstanceOf(RuntimeException.class).hasMessage("123");
        assertThat(exc.getStackTrace()).anySatisfy(frame -> {
            assertThat(frame.getClassName()).isEqualTo(ProbeTasks.class.getName());
            assertThat(frame.getMethodName()).isEqualTo("raiseRuntimeError123");
        });
        Throwable thrown = catchThrowable(future::result);
        assertThat(thrown).isInstanceOf(TaskFailedException.class);
        assertThat(thrown.getCause()).isSameAs(exc);

        List<Long> pids = executorPool().workerPids();
        assertThat(pids).hasSize(1);
        assertThat(exc.getSuppressed()).hasSize(1);
        assertThat(exc.getSuppressed()[0]).isInstanceOf(RemoteTaskException.class);
        RemoteTaskException remote = (RemoteTaskException) exc.getSuppressed()[0];
        assertThat(remote.getMessage()).contains("pid " + pids.get(0));
        assertThat(remote.remoteClassName()).isEqualTo(RuntimeException.class.getName());
        assertThat(remote.remoteStackTrace())
                .contains("java.lang.RuntimeException: 123")
                .contains(ProbeTasks.class.getName() + ".raiseRuntimeError123(ProbeTasks.java:");

        StringWriter printed = new StringWriter();
        exc.printStackTrace(new PrintWriter(printed));
        assertThat(printed.toString()).contains("raiseRuntimeError123(ProbeTasks.java:");
    }

    /**
     * Port of test_process_pool.py
     * ProcessPoolExecutorTest.test_traceback_when_child_process_terminates_abruptly: a worker that
     * ends with {@code Runtime.halt(99)} (CPython's {@code os._exit(99)}) fails its task with a
     * {@link WorkerDiedException} whose exit code is 99 and whose message and stderr tail hold the
     * last lines it wrote to stderr; the pool is not broken (CPython: BrokenProcessPool whose cause
     * says "terminated abruptly with exit code 99").
     */
    @Test
    void test_traceback_when_child_process_terminates_abruptly() {
        ProcessPool p = pool(ProcessPool.builder().workers(1));
        long testPid = ProbeTasks.testPid();
        TaskFuture<Object> future = p.submit(() -> ProbeTasks.halt(testPid, 99, "last words before halt(99)"));
        Throwable e = future.exception(HANG);
        assertThat(e).isInstanceOf(WorkerDiedException.class);
        WorkerDiedException died = (WorkerDiedException) e;
        assertThat(died.exitCode()).isEqualTo(99);
        assertThat(died.signal()).isEmpty();
        assertThat(died.stderrTail()).contains("last words before halt(99)");
        assertThat(died.getMessage()).contains("pid " + died.pid()).contains("exited with code 99")
                .contains("last words before halt(99)");
        assertThat(p.isBroken()).isFalse();
    }

    // ------------------------------------------------------------------------------ T64

    /**
     * A task argument that, once deserialized in a worker, records there when the worker's garbage
     * collector frees it (CPython's {@code EventfulGCObj}, whose {@code __del__} sets an event).
     */
    static final class EventfulGcObj implements Serializable {
        private static final long serialVersionUID = 1L;
        static final Set<String> COLLECTED = ConcurrentHashMap.newKeySet();
        private static final Cleaner CLEANER = Cleaner.create();

        private final String id;
        private final SharedLog log;

        EventfulGcObj(String id, SharedLog log) {
            this.id = id;
            this.log = log;
        }

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            String myId = id;
            SharedLog myLog = log;
            CLEANER.register(this, () -> {
                myLog.append("collected " + myId);
                COLLECTED.add(myId);
            });
        }

        /** Runs System.gc() in the worker until the object with this id was freed, at most 10 s. */
        static boolean awaitCollected(String id) throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!COLLECTED.contains(id)) {
                if (System.nanoTime() - deadline > 0) {
                    return false;
                }
                System.gc();
                Thread.sleep(10);
            }
            return true;
        }
    }

    /**
     * Port of test_process_pool.py ProcessPoolExecutorTest.test_ressources_gced_in_workers: a
     * worker keeps no reference to a task's arguments once the task is done. The JVM frees
     * objects only when its collector runs, so the check is a second task on the same worker that
     * runs {@code System.gc()} until the first task's argument has been freed (at most 10 s),
     * instead of CPython's reference-counting "within 1 s".
     */
    @Test
    void test_ressources_gced_in_workers() {
        ProcessPool p = pool(ProcessPool.builder().workers(1));
        SharedLog log = newLog();
        EventfulGcObj obj = new EventfulGcObj("obj-1", log);
        long pid = p.submit(() -> System.identityHashCode(obj) != 0 ? ProbeTasks.pid() : -1L).result(HANG);
        assertThat(p.submit(() -> EventfulGcObj.awaitCollected("obj-1")).result(HANG))
                .as("the task's argument was freed in the worker").isTrue();
        assertThat(log.entries()).containsExactly("collected obj-1");
        assertThat(p.submit(() -> ProbeTasks.pid()).result(HANG)).as("all on one worker").isEqualTo(pid);
    }

    // ------------------------------------------------------------------------------ T65, T66

    /**
     * Port of test_process_pool.py ProcessPoolExecutorTest.test_saturation: 15 times as many
     * blocked tasks as workers start exactly {@code workers} worker JVMs, never more; ours starts
     * them from the dispatcher, so the test waits for the count instead of reading it right after
     * the submits.
     */
    @Test
    void test_saturation() {
        ProcessPool p = executorPool();
        int max = p.workers();
        Gate release = newGate();
        List<TaskFuture<Object>> futures = new ArrayList<>();
        for (int i = 0; i < 15 * max; i++) {
            futures.add(executor.submit(() -> Tasks.awaitThen(release, null)));
        }
        awaitCondition(SHORT_TIMEOUT, max + " workers", () -> {
            int n = p.workerPids().size();
            assertThat(n).as("workers").isLessThanOrEqualTo(max);
            return n == max;
        });
        assertThat(Pools.workerProcesses()).hasSize(max);
        release.open();
        for (TaskFuture<Object> f : futures) {
            assertThat(f.result(HANG)).isNull();
        }
        assertThat(p.workerPids()).hasSize(max);
    }

    /**
     * Port of test_process_pool.py ProcessPoolExecutorTest.test_idle_process_reuse_one: three
     * tasks one after the other run on one worker; no other worker is started.
     */
    @Test
    void test_idle_process_reuse_one() {
        assertThat(executorPool().workers()).isGreaterThanOrEqualTo(4);
        assertThat(executor.submit(() -> Tasks.mul(21, 2)).result(HANG)).isEqualTo(42);
        assertThat(executor.submit(() -> Tasks.mul(6, 7)).result(HANG)).isEqualTo(42);
        assertThat(executor.submit(() -> Tasks.mul(3, 14)).result(HANG)).isEqualTo(42);
        assertThat(executorPool().workerPids()).hasSize(1);
    }

    /**
     * Port of test_process_pool.py ProcessPoolExecutorTest.test_idle_process_reuse_multiple:
     * interleaved submits, every second one not waited for, start at most three workers.
     */
    @Test
    void test_idle_process_reuse_multiple() {
        assertThat(executorPool().workers()).isLessThanOrEqualTo(5);
        executor.submit(() -> Tasks.mul(12, 7)).result(HANG);
        executor.submit(() -> Tasks.mul(33, 25));
        executor.submit(() -> Tasks.mul(25, 26)).result(HANG);
        executor.submit(() -> Tasks.mul(18, 29));
        executor.submit(() -> Tasks.mul(1, 2)).result(HANG);
        executor.submit(() -> Tasks.mul(0, 9));
        assertThat(executorPool().workerPids().size()).isLessThanOrEqualTo(3);
        executor.shutdown();
    }

    // ------------------------------------------------------------------------------ T67-T69

    /**
     * Port of test_process_pool.py ProcessPoolExecutorTest.test_max_tasks_per_child: with
     * {@code maxTasksPerWorker(3)} and one worker, tasks 1-3 run in the same JVM and the 4th in a
     * new one; the old worker exits and one worker remains. (CPython's fork-context
     * {@code ValueError} has no JVM counterpart.)
     */
    @Test
    void test_max_tasks_per_child() {
        ProcessPool p = pool(ProcessPool.builder().workers(1).maxTasksPerWorker(3));
        long originalPid = p.submit(() -> ProbeTasks.pid()).result(HANG);
        assertThat(p.submit(() -> ProbeTasks.pid()).result(HANG)).isEqualTo(originalPid);
        assertThat(p.workerPids()).containsExactly(originalPid);
        assertThat(p.submit(() -> ProbeTasks.pid()).result(HANG)).isEqualTo(originalPid);

        long newPid = p.submit(() -> ProbeTasks.pid()).result(HANG);
        assertThat(newPid).isNotEqualTo(originalPid);
        assertThat(awaitExit(originalPid, SHORT_TIMEOUT)).as("the retired worker exits").isTrue();
        awaitCondition(SHORT_TIMEOUT, "only the new worker is listed", () -> p.workerPids().equals(List.of(newPid)));
    }

    /**
     * Port of test_process_pool.py ProcessPoolExecutorTest.test_max_tasks_early_shutdown: with
     * three workers that each run one task, six tasks submitted right before {@code shutdown()}
     * all run and give the right results: workers are still replaced during shutdown.
     */
    @Test
    void test_max_tasks_early_shutdown() throws InterruptedException {
        ProcessPool p = pool(ProcessPool.builder().workers(3).maxTasksPerWorker(1));
        List<TaskFuture<Integer>> futures = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            int x = i;
            futures.add(p.submit(() -> Tasks.mul(x, x)));
        }
        p.shutdown(false, false);
        assertThat(p.awaitTermination(HANG.toSeconds(), java.util.concurrent.TimeUnit.SECONDS))
                .as("shutdown(wait=True) returns").isTrue();
        for (int i = 0; i < 6; i++) {
            assertThat(futures.get(i).result(Duration.ZERO)).isEqualTo(i * i);
        }
    }

    /**
     * Port of test_process_pool.py ProcessPoolExecutorTest.test_max_tasks_per_child_pending_tasks_gh115634:
     * with more tasks queued than the pool runs at once while workers reach their task limit, a
     * replacement is always started and every task completes ((1 worker, 2 tasks each, 6 tasks)
     * and (2, 2, 8)).
     */
    @Test
    void test_max_tasks_per_child_pending_tasks_gh115634() throws InterruptedException {
        int[][] cases = {{1, 2, 6}, {2, 2, 8}};
        for (int[] c : cases) {
            ProcessPool p = pool(ProcessPool.builder().workers(c[0]).maxTasksPerWorker(c[1]));
            List<TaskFuture<Integer>> futures = new ArrayList<>();
            for (int i = 0; i < c[2]; i++) {
                int x = i;
                futures.add(p.submit(() -> Tasks.mul(x, 2)));
            }
            List<Integer> results = new ArrayList<>();
            for (TaskFuture<Integer> f : futures) {
                results.add(f.result(SHORT_TIMEOUT));
            }
            assertThat(results).as("workers=%d maxTasks=%d", c[0], c[1])
                    .isEqualTo(IntStream.range(0, c[2]).map(i -> i * 2).boxed().collect(Collectors.toList()));
            p.shutdown(false, true);
            assertThat(p.awaitTermination(HANG.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        }
    }

    // ------------------------------------------------------------------------------ T70, T71

    /** CPython's {@code _report_wait_return}: opens {@code started}, waits on {@code gate}, returns value. */
    static int reportWaitReturn(Gate started, Gate gate, int value) throws InterruptedException {
        started.open();
        gate.await();
        return value;
    }

    /**
     * Port of test_process_pool.py ProcessPoolExecutorTest.test_shutdown_no_wait_max_tasks_gh119592
     * (drop_reference=False): one worker that runs one task, three tasks; {@code
     * shutdown(wait=False)} while the first runs still lets the retiring worker be replaced, and
     * all three results come back. (drop_reference=True needs the executor to be garbage
     * collected, which a running pool never is: its threads reach it.)
     */
    @Test
    void test_shutdown_no_wait_max_tasks_gh119592() {
        ProcessPool p = pool(ProcessPool.builder().workers(1).maxTasksPerWorker(1));
        Gate gate = newGate();
        List<Gate> started = new ArrayList<>();
        List<TaskFuture<Integer>> futures = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Gate s = newGate();
            started.add(s);
            int value = i;
            futures.add(p.submit(() -> reportWaitReturn(s, gate, value)));
        }
        assertThat(awaitGate(started.get(0))).isTrue();
        p.shutdown(false, false);
        gate.open();
        List<Integer> results = new ArrayList<>();
        for (TaskFuture<Integer> f : futures) {
            results.add(f.result(SHORT_TIMEOUT));
        }
        assertThat(results).containsExactly(0, 1, 2);
    }

    /**
     * Port of test_process_pool.py
     * ProcessPoolExecutorTest.test_force_shutdown_during_max_tasks_worker_exit: a forced shutdown
     * while a one-task worker runs its task starts no replacement that escapes it; we differ on
     * purpose: {@code killWorkers()} kills the running task's worker (its future fails with
     * {@link WorkerDiedException} naming {@code killWorkers()}) and cancels the queued tasks
     * (CPython lets the running task finish and fails the queued ones with "forcefully shut down").
     */
    @Test
    void test_force_shutdown_during_max_tasks_worker_exit() throws InterruptedException {
        ProcessPool p = pool(ProcessPool.builder().workers(1).maxTasksPerWorker(1));
        Gate gate = newGate();
        Gate started0 = newGate();
        List<TaskFuture<Integer>> futures = new ArrayList<>();
        futures.add(p.submit(() -> reportWaitReturn(started0, gate, 0)));
        for (int i = 1; i < 3; i++) {
            Gate s = newGate();
            int value = i;
            futures.add(p.submit(() -> reportWaitReturn(s, gate, value)));
        }
        assertThat(awaitGate(started0)).isTrue();
        List<Long> pids = p.workerPids();

        p.killWorkers();

        Throwable e = futures.get(0).exception(SHORT_TIMEOUT);
        assertThat(e).isInstanceOf(WorkerDiedException.class).hasMessageContaining("killWorkers()");
        for (TaskFuture<Integer> f : futures.subList(1, 3)) {
            assertThatThrownBy(() -> f.result(SHORT_TIMEOUT)).isInstanceOf(CancellationException.class);
        }
        assertThat(p.awaitTermination(HANG.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        for (long pid : pids) {
            assertThat(awaitExit(pid, SHORT_TIMEOUT)).isTrue();
        }
        assertThat(Pools.workerProcesses()).as("no replacement escaped the kill").isEmpty();
    }

    /**
     * Port of test_process_pool.py ProcessPoolExecutorTest.test_failed_worker_replacement_breaks_pool:
     * when a one-task worker cannot be replaced (here: a {@code javaCommand} that starts Java the
     * first time and fails every time after), the first task still succeeds and the queued tasks
     * fail with {@link BrokenExecutorException} saying workers failed to start, within 30 s.
     */
    @Test
    void test_failed_worker_replacement_breaks_pool(@TempDir Path dir) throws IOException {
        String realJava = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Path script = dir.resolve("java-once.sh");
        Files.writeString(script, "#!/bin/sh\n"
                + "if mkdir '" + dir.resolve("started-once") + "' 2>/dev/null; then exec '" + realJava + "' \"$@\"; fi\n"
                + "echo 'spawn failed' >&2\n"
                + "exit 1\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));

        ProcessPool p = pool(ProcessPool.builder().workers(1).maxTasksPerWorker(1).javaCommand(script.toString()));
        Gate gate = newGate();
        Gate started0 = newGate();
        List<TaskFuture<Integer>> futures = new ArrayList<>();
        futures.add(p.submit(() -> reportWaitReturn(started0, gate, 0)));
        for (int i = 1; i < 3; i++) {
            Gate s = newGate();
            int value = i;
            futures.add(p.submit(() -> reportWaitReturn(s, gate, value)));
        }
        assertThat(awaitGate(started0)).isTrue();
        gate.open();
        assertThat(futures.get(0).result(SHORT_TIMEOUT)).isEqualTo(0);
        for (TaskFuture<Integer> f : futures.subList(1, 3)) {
            assertThat(f.exception(SHORT_TIMEOUT)).isInstanceOf(BrokenExecutorException.class)
                    .hasMessageContaining("failed to start");
        }
        assertThat(p.isBroken()).isTrue();
        assertThatThrownBy(() -> p.submit(() -> 1)).isInstanceOf(BrokenExecutorException.class);
    }

    /**
     * A worker JVM that cannot be started at all (no such {@code java}) breaks the pool after
     * the configured number of attempts, so even a single submitted task fails with {@link
     * BrokenExecutorException} instead of waiting forever for a worker.
     */
    @Test
    void singleTaskFailsWhenNoWorkerCanStart() {
        ProcessPool p = pool(ProcessPool.builder().workers(1).javaCommand("/nonexistent/bin/java"));
        TaskFuture<Integer> f = p.submit(() -> 1);
        try {
            try {
                f.exception(Duration.ofSeconds(10));
            } catch (WaitTimeoutException stranded) {
                fail("10 s after submit the task is still %s on %s: no worker could start, and the pool"
                        + " neither tried again nor broke", f.status(), p);
            }
            assertThat(f.exception()).isInstanceOf(BrokenExecutorException.class)
                    .hasMessageContaining("/nonexistent/bin/java");
            assertThat(p.isBroken()).isTrue();
        } finally {
            p.shutdown(false, true);
        }
    }

    // ------------------------------------------------------------------------------ T73

    /**
     * Port of test_process_pool.py ProcessPoolExecutorTest.test_force_shutdown_workers (the
     * kill_workers case): {@code killWorkers()} while a task waits forever kills its worker, which
     * exits, and the task never gets to its second step; its future fails with {@link
     * WorkerDiedException} saying {@code killWorkers()} was called. (We have no separate
     * terminate_workers: {@code shutdown(Duration)} escalates through SIGTERM.)
     */
    @Test
    void test_force_shutdown_workers() {
        ProcessPool p = pool(ProcessPool.builder().workers(1));
        SharedLog q = newLog();
        Gate e = newGate();
        TaskFuture<Object> f = p.submit(() -> ProbeTasks.putWaitPut(q, e));
        awaitCondition(SHORT_TIMEOUT, "the task logs 'started'", () -> q.entries().contains("started"));
        List<Long> pids = p.workerPids();
        assertThat(pids).hasSize(1);

        p.killWorkers();

        assertThat(awaitExit(pids.get(0), SHORT_TIMEOUT)).as("the worker exits").isTrue();
        assertThat(f.exception(SHORT_TIMEOUT)).isInstanceOf(WorkerDiedException.class)
                .hasMessageContaining("killWorkers()");
        assertThat(((WorkerDiedException) f.exception()).signal()).hasValue(9);
        assertThat(q.entries()).containsExactly("started");
    }

    /**
     * Port of test_process_pool.py ProcessPoolExecutorTest.test_force_shutdown_workers_dead_workers:
     * after a worker died ({@code Runtime.halt(1)}, CPython's {@code os._exit(1)}), {@code
     * killWorkers()} does not throw.
     */
    @Test
    void test_force_shutdown_workers_dead_workers() throws InterruptedException {
        ProcessPool p = pool(ProcessPool.builder().workers(1));
        long testPid = ProbeTasks.testPid();
        TaskFuture<Object> f = p.submit(() -> ProbeTasks.halt(testPid, 1, "exiting with 1"));
        assertThat(f.exception(HANG)).isInstanceOf(WorkerDiedException.class);
        p.killWorkers();
        assertThat(p.awaitTermination(HANG.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    }

    /**
     * Port of test_process_pool.py ProcessPoolExecutorTest.test_force_shutdown_workers_not_started_yet:
     * {@code killWorkers()} on a pool that never started a worker does nothing but shut it down:
     * no error, no process, and it terminates.
     */
    @Test
    void test_force_shutdown_workers_not_started_yet() throws InterruptedException {
        ProcessPool p = pool(ProcessPool.builder().workers(1));
        p.killWorkers();
        assertThat(p.awaitTermination(SHORT_TIMEOUT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(p.workerPids()).isEmpty();
        assertThat(Pools.workerProcesses()).isEmpty();
    }

    /**
     * Port of test_process_pool.py ProcessPoolExecutorTest.test_force_shutdown_workers_stops_pool:
     * after {@code killWorkers()} the pool takes no more tasks ({@link
     * RejectedExecutionException}, CPython's RuntimeError) and its worker is gone within 30 s.
     */
    @Test
    void test_force_shutdown_workers_stops_pool() {
        ProcessPool p = pool(ProcessPool.builder().workers(1));
        assertThat(p.submit(() -> Tasks.sleep(Duration.ZERO)).result(HANG)).isNull();
        List<Long> pids = p.workerPids();
        assertThat(pids).hasSize(1);

        p.killWorkers();

        assertThatThrownBy(() -> p.submit(() -> Tasks.sleep(Duration.ZERO)))
                .isInstanceOf(RejectedExecutionException.class);
        assertThat(awaitExit(pids.get(0), SHORT_TIMEOUT)).as("the worker is gone").isTrue();
    }

    // ------------------------------------------------------------------------------ ours

    /**
     * On a fresh pool, as many blocking tasks as workers, submitted at once, all run at the same
     * time, each on its own worker (none waits behind another while a worker is idle or starting).
     */
    @Test
    void burstOfWorkersTasksRunsAtOnceOnAFreshPool() throws Exception {
        assertBurstRunsAtOnce(pool(ProcessPool.builder().workers(3)));
    }

    /**
     * On a pool built with {@code prestart(true)}, as many blocking tasks as workers, submitted
     * right after {@code build()}, all run at the same time, each on its own worker.
     */
    @Test
    void burstOfWorkersTasksRunsAtOnceOnAPrestartedPool() throws Exception {
        assertBurstRunsAtOnce(pool(ProcessPool.builder().workers(3).prestart(true)));
    }

    private void assertBurstRunsAtOnce(ProcessPool p) throws Exception {
        SharedLog log = newLog();
        Gate release = newGate();
        List<Gate> started = new ArrayList<>();
        List<TaskFuture<Long>> futures = new ArrayList<>();
        for (int i = 0; i < p.workers(); i++) {
            Gate s = newGate();
            started.add(s);
            futures.add(p.submit(() -> ProbeTasks.reportPidThenAwait(log, s, release)));
        }
        try {
            for (int i = 0; i < started.size(); i++) {
                assertThat(started.get(i).await(Duration.ofSeconds(15)))
                        .as("task %d started while the others run (pool %s, workers %s)", i, p, p.workerPids())
                        .isTrue();
            }
        } finally {
            release.open();
        }
        Set<Long> pids = new HashSet<>();
        for (TaskFuture<Long> f : futures) {
            pids.add(f.result(HANG));
        }
        assertThat(pids).hasSize(p.workers());
    }

    /** The builder refuses settings out of range (CPython's ValueError for max_workers/max_tasks_per_child). */
    @Test
    void builderRefusesSettingsOutOfRange() {
        ProcessPool.Builder b = ProcessPool.builder();
        assertThatIllegalArgumentException().isThrownBy(() -> b.workers(0));
        assertThatIllegalArgumentException().isThrownBy(() -> b.maxTasksPerWorker(0));
        assertThatIllegalArgumentException().isThrownBy(() -> b.pipelineDepth(0));
        assertThatIllegalArgumentException().isThrownBy(() -> b.taskTimeout(Duration.ZERO));
        assertThatIllegalArgumentException().isThrownBy(() -> b.idleTimeout(Duration.ofSeconds(-1)));
        assertThatIllegalArgumentException().isThrownBy(() -> b.cancelGracePeriod(Duration.ZERO));
        ProcessPool p = pool(ProcessPool.builder().workers(1));
        assertThatIllegalArgumentException().isThrownBy(() -> p.submit(() -> 1, Duration.ZERO));
    }

    private static boolean awaitGate(Gate g) {
        try {
            return g.await(HANG);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
