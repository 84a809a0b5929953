package dev.jfutures.process;

import dev.jfutures.Task;
import dev.jfutures.TaskFuture;
import dev.jfutures.TaskStatus;
import dev.jfutures.remote.RemoteTaskException;
import dev.jfutures.remote.SerializationFilter;
import dev.jfutures.remote.TaskNotSerializableException;
import dev.jfutures.remote.TaskTimeoutException;
import dev.jfutures.testkit.Gate;
import dev.jfutures.testkit.SharedLog;
import dev.jfutures.testkit.Tasks;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.management.ObjectName;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What worker JVMs give that threads cannot, and what crossing the process boundary costs: large
 * payloads, forwarded output, serialization errors and the deserialization filter, killing a
 * runaway task (timeout, {@code cancel(true)}), capped heaps, the workers' environment, and the
 * pool's worker life cycle (prestart, idle timeout, shutdown with a grace period).
 */
class ProcessIsolationTest extends ProcessTestBase {

    private static final long TEST_PID = ProbeTasks.testPid();
    private static final int MIB = 1 << 20;

    // ------------------------------------------------------------------------------ payloads

    /** Every byte plus one: a result as big as the argument, computed in the worker. */
    static byte[] incrementAll(byte[] data) {
        byte[] out = new byte[data.length];
        for (int i = 0; i < data.length; i++) {
            out[i] = (byte) (data[i] + 1);
        }
        return out;
    }

    private static byte[] pattern(int size, int seed) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }

    /** A 64 MiB argument goes to a worker and a 64 MiB result comes back, intact. */
    @Test
    void argumentAndResultOf64MiBPassBothWays() {
        ProcessPool p = pool(ProcessPool.builder().workers(1));
        byte[] data = pattern(64 * MIB, 1);
        byte[] result = p.submit(() -> incrementAll(data)).result(HANG);
        assertThat(Arrays.equals(result, incrementAll(data))).as("the 64 MiB result is right").isTrue();
    }

    /**
     * Three 64 MiB tasks sent at once to one worker do not deadlock: the pool writes the next
     * argument while the worker writes the previous result, both far bigger than the socket
     * buffer, and every result is right.
     */
    @Test
    void big64MiBPayloadsInBothDirectionsAtOnceDoNotDeadlock() {
        ProcessPool p = pool(ProcessPool.builder().workers(1));
        List<TaskFuture<byte[]>> futures = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            byte[] data = pattern(64 * MIB, i);
            futures.add(p.submit(() -> incrementAll(data)));
        }
        for (int i = 0; i < 3; i++) {
            assertThat(Arrays.equals(futures.get(i).result(HANG), incrementAll(pattern(64 * MIB, i))))
                    .as("result %d", i).isTrue();
        }
    }

    // ------------------------------------------------------------------------------ output

    private static final String LINE_TAIL = "x".repeat(300);

    /**
     * Prints {@code n} lines to stdout and to stderr, each in three pieces with a flush between
     * them, so that the pool's forwarding sees partial lines.
     */
    static Object printLines(String tag, int n) {
        for (int i = 0; i < n; i++) {
            for (PrintStream s : new PrintStream[] {System.out, System.err}) {
                String line = "JFUT-LINE " + tag + (s == System.out ? " out " : " err ") + i + " " + LINE_TAIL;
                s.print(line.substring(0, 7));
                s.flush();
                s.print(line.substring(7, 40));
                s.flush();
                s.println(line.substring(40));
            }
        }
        return null;
    }

    /** Prints a last stderr line without a newline: it can only come out whole when the worker exits. */
    static Object printTailWithoutNewline() {
        System.err.print("JFUT-TAIL without a newline");
        System.err.flush();
        return null;
    }

    /**
     * What tasks print to {@code System.out} and {@code System.err} reaches this JVM's stdout and
     * stderr as whole lines: lines written in pieces by two workers at once, while this JVM prints
     * too, never mix, and a last line without a newline comes out whole when its worker exits.
     */
    @Test
    void workerOutputReachesParentStdoutAndStderrAsWholeLines() throws Exception {
        PrintStream realOut = System.out;
        PrintStream realErr = System.err;
        ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
        ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);
        int n = 300;
        System.setOut(out);
        System.setErr(err);
        try {
            ProcessPool p = pool(ProcessPool.builder().workers(2).prestart(true));
            TaskFuture<Object> a = p.submit(() -> printLines("A", n));
            TaskFuture<Object> b = p.submit(() -> printLines("B", n));
            for (int i = 0; i < n; i++) {
                out.println("JFUT-LINE P out " + i + " " + LINE_TAIL);
                err.println("JFUT-LINE P err " + i + " " + LINE_TAIL);
            }
            assertThat(a.result(HANG)).isNull();
            assertThat(b.result(HANG)).isNull();
            assertThat(p.submit(() -> printTailWithoutNewline()).result(HANG)).isNull();
            p.shutdown(false, false);
            assertThat(p.awaitTermination(HANG.toSeconds(), TimeUnit.SECONDS)).isTrue();
            awaitCondition(Duration.ofSeconds(10), "the last stderr line forwarded", () -> {
                synchronized (err) {
                    return errBytes.toString(StandardCharsets.UTF_8).contains("JFUT-TAIL");
                }
            });
        } finally {
            System.setOut(realOut);
            System.setErr(realErr);
        }
        String stdout;
        String stderr;
        synchronized (out) {
            stdout = outBytes.toString(StandardCharsets.UTF_8);
        }
        synchronized (err) {
            stderr = errBytes.toString(StandardCharsets.UTF_8);
        }
        assertWholeLines(stdout, "out", n);
        assertWholeLines(stderr, "err", n);
        assertThat(stderr.lines().filter(l -> l.contains("JFUT-TAIL")))
                .as("the line without a newline, whole, once the worker exited").containsExactly("JFUT-TAIL without a newline");
    }

    private static void assertWholeLines(String text, String stream, int n) {
        Pattern whole = Pattern.compile("JFUT-LINE ([ABP]) " + stream + " (\\d+) " + LINE_TAIL);
        Map<String, List<Integer>> seen = Map.of("A", new ArrayList<>(), "B", new ArrayList<>(), "P", new ArrayList<>());
        for (String line : text.split("\n", -1)) {
            if (!line.contains("JFUT-LINE")) {
                continue;
            }
            Matcher m = whole.matcher(line);
            assertThat(m.matches()).as("a whole line on std%s: %s", stream, line).isTrue();
            seen.get(m.group(1)).add(Integer.parseInt(m.group(2)));
        }
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            all.add(i);
        }
        for (Map.Entry<String, List<Integer>> e : seen.entrySet()) {
            assertThat(e.getValue()).as("lines of %s on std%s, in order", e.getKey(), stream).isEqualTo(all);
        }
    }

    // ------------------------------------------------------------------------------ serialization

    /** Not serializable; its lambda reads a field, so it captures {@code this}. */
    static final class NotSerializableHolder {
        private final int base = 41;

        Task<Integer> task() {
            return () -> base + 1;
        }
    }

    private final int instanceField = 41;

    /**
     * A task that captures a non-serializable object (a lambda capturing {@code this}) fails at
     * {@code submit}, in the caller, with {@link TaskNotSerializableException} naming the offending
     * class and saying what to change; nothing is queued.
     */
    @Test
    void taskCapturingNonSerializableObjectFailsAtSubmit() {
        ProcessPool p = pool(ProcessPool.builder().workers(1));
        assertThatThrownBy(() -> p.submit(new NotSerializableHolder().task()))
                .isInstanceOf(TaskNotSerializableException.class)
                .hasMessageContaining(NotSerializableHolder.class.getName())
                .hasMessageContaining("capture only serializable values")
                .hasMessageContaining("'this'");
        assertThatThrownBy(() -> p.submit(() -> instanceField + 1))
                .isInstanceOf(TaskNotSerializableException.class)
                .hasMessageContaining(ProcessIsolationTest.class.getName())
                .hasMessageContaining("'this'");
        assertThat(p.workerPids()).as("nothing queued, no worker started").isEmpty();
        assertThat(p.toString()).contains("backlog=0");
    }

    /**
     * A lambda of a non-serializable interface ({@code Runnable}) fails at {@code submit} and
     * {@code execute} with {@link TaskNotSerializableException} saying to write it as a Task,
     * TaskFunction or TaskAction.
     */
    @Test
    void nonSerializableRunnableLambdaFailsAtSubmit() {
        ProcessPool p = pool(ProcessPool.builder().workers(1));
        Runnable r = () -> System.out.println("never runs");
        assertThatThrownBy(() -> p.submit(r))
                .isInstanceOf(TaskNotSerializableException.class)
                .hasMessageContaining("$$Lambda")
                .hasMessageContaining("not Serializable")
                .hasMessageContaining("(Runnable & java.io.Serializable) () -> ...");
        assertThatThrownBy(() -> p.execute(r)).isInstanceOf(TaskNotSerializableException.class);
        assertThat(p.workerPids()).isEmpty();
    }

    /** Compiles a RuntimeException subclass into {@code dir}, outside every classpath of this test. */
    private static void compileHiddenException(Path dir) throws IOException {
        Path src = dir.resolve("src/hidden/WorkerOnlyException.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, "package hidden;\n"
                + "public class WorkerOnlyException extends RuntimeException {\n"
                + "    private static final long serialVersionUID = 1L;\n"
                + "    public WorkerOnlyException(String message) { super(message); }\n"
                + "}\n");
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertThat(javac).as("a JDK with javac runs the tests").isNotNull();
        int rc = javac.run(null, null, null, "-d", dir.resolve("classes").toString(), src.toString());
        assertThat(rc).as("javac").isZero();
    }

    /** Loads {@code hidden.WorkerOnlyException} from {@code classes} and throws one: in the worker only. */
    static Object throwWorkerOnlyException(String classes) throws Exception {
        URLClassLoader loader = new URLClassLoader(new URL[] {Path.of(classes).toUri().toURL()},
                ProcessIsolationTest.class.getClassLoader());
        Class<?> c = loader.loadClass("hidden.WorkerOnlyException");
        throw (RuntimeException) c.getConstructor(String.class).newInstance("secret message");
    }

    /**
     * A task's exception of a class the pool's JVM cannot load becomes a {@link
     * RemoteTaskException} carrying the class name, the message and the worker-side stack.
     */
    @Test
    void exceptionOfClassUnknownToPoolBecomesRemoteTaskException(@TempDir Path dir) throws IOException {
        compileHiddenException(dir);
        String classes = dir.resolve("classes").toString();
        ProcessPool p = pool(ProcessPool.builder().workers(1));
        Throwable e = p.submit(() -> throwWorkerOnlyException(classes)).exception(HANG);
        assertThat(e).isInstanceOf(RemoteTaskException.class)
                .hasMessageContaining("hidden.WorkerOnlyException")
                .hasMessageContaining("secret message");
        RemoteTaskException r = (RemoteTaskException) e;
        assertThat(r.remoteClassName()).isEqualTo("hidden.WorkerOnlyException");
        assertThat(r.remoteStackTrace()).contains("hidden.WorkerOnlyException: secret message")
                .contains("throwWorkerOnlyException");
        assertThat(p.submit(() -> Tasks.mul(6, 7)).result(HANG)).isEqualTo(42);
    }

    /** An exception that holds a non-serializable object. */
    static final class HoldsAPlainObject extends RuntimeException {
        private static final long serialVersionUID = 1L;
        @SuppressWarnings("unused")
        private final Object notSerializable = new Object();

        HoldsAPlainObject(String message) {
            super(message);
        }
    }

    static Object throwHoldsAPlainObject() {
        throw new HoldsAPlainObject("cannot travel");
    }

    /**
     * A task's exception that cannot be serialized in the worker becomes a {@link
     * RemoteTaskException} with its class name, message and stack, saying why it was not rebuilt.
     */
    @Test
    void exceptionThatWillNotSerializeBecomesRemoteTaskException() {
        ProcessPool p = pool(ProcessPool.builder().workers(1));
        Throwable e = p.submit(() -> throwHoldsAPlainObject()).exception(HANG);
        assertThat(e).isInstanceOf(RemoteTaskException.class)
                .hasMessageContaining(HoldsAPlainObject.class.getName())
                .hasMessageContaining("cannot travel")
                .hasMessageContaining("would not serialize");
        assertThat(((RemoteTaskException) e).remoteStackTrace()).contains("throwHoldsAPlainObject");
    }

    static ObjectName objectName() throws Exception {
        return new ObjectName("jfutures:type=Test");
    }

    /**
     * The deserialization filter rejects a class outside its allow-list in both directions: a
     * result of a JMX class in the pool, a task capturing one in the worker; each message names
     * the class and the setting that allows it, and the worker lives.
     */
    @Test
    void serializationFilterRejectsNonAllowedClassBothWays() throws Exception {
        ProcessPool p = pool(ProcessPool.builder().workers(1));
        String setting = "serializationFilter(SerializationFilter.defaults().allow(\"javax.management.ObjectName\"))";

        Throwable result = p.submit(() -> objectName()).exception(HANG);
        assertThat(result).isInstanceOf(IOException.class)
                .hasMessageContaining("result could not be deserialized")
                .hasMessageContaining("javax.management.ObjectName")
                .hasMessageContaining(setting)
                .hasRootCauseInstanceOf(InvalidClassException.class);

        ObjectName name = objectName();
        Throwable task = p.submit(() -> name.getDomain()).exception(HANG);
        assertThat(task).isInstanceOf(IOException.class)
                .hasMessageContaining("could not be deserialized in worker pid")
                .hasMessageContaining("javax.management.ObjectName")
                .hasMessageContaining(setting);

        long pid = p.workerPids().get(0);
        assertThat(p.submit(() -> ProbeTasks.pid()).result(HANG)).as("the worker lives").isEqualTo(pid);
    }

    /** {@code allow(...)} lets the same class through in both directions. */
    @Test
    void serializationFilterAllowLetsTheClassThrough() throws Exception {
        ProcessPool p = pool(ProcessPool.builder().workers(1)
                .serializationFilter(SerializationFilter.defaults().allow("javax.management.ObjectName")));
        assertThat(p.submit(() -> objectName()).result(HANG)).isEqualTo(objectName());
        ObjectName name = objectName();
        assertThat(p.submit(() -> name.getDomain()).result(HANG)).isEqualTo("jfutures");
    }

    static Object bytesInAList(int size) {
        return new ArrayList<>(List.of(new byte[size]));
    }

    /**
     * The filter's byte limit holds for every payload: results of 2 MiB are rejected under a 1 MiB
     * limit, whether a list holding the bytes or the byte array itself, with a message that names
     * the setting to raise.
     */
    @Test
    void serializationFilterByteLimitHoldsForEveryPayload() {
        ProcessPool p = pool(ProcessPool.builder().workers(1)
                .serializationFilter(SerializationFilter.defaults().limits(1000, 100_000, MIB)));
        TaskFuture<Object> inList = p.submit(() -> bytesInAList(2 * MIB));
        assertThat(inList.exception(HANG)).as("a list holding 2 MiB under a 1 MiB limit (status %s)", inList.status())
                .isInstanceOf(IOException.class);
        assertThat(inList.exception()).hasMessageContaining("limits(");
        TaskFuture<byte[]> bare = p.submit(() -> new byte[2 * MIB]);
        assertThat(bare.exception(HANG)).as("a bare 2 MiB byte[] (status %s)", bare.status())
                .isInstanceOf(IOException.class);
        assertThat(bare.exception()).hasMessageContaining("limits(");
    }

    // ------------------------------------------------------------------------------ stopping work

    /**
     * A task that runs past its own timeout ({@code submit(task, Duration)}) has its worker killed
     * and fails with {@link TaskTimeoutException}; the next task runs on a new worker.
     */
    @Test
    void perTaskTimeoutKillsTheWorker() {
        ProcessPool p = pool(ProcessPool.builder().workers(1));
        // The worker's pid from the pool, not from the task: on a loaded machine the task may not
        // get to report anything within its timeout, and that must not fail the test.
        long pid = p.submit(() -> ProbeTasks.pid()).result(HANG);
        Gate never = newGate();
        Duration timeout = Duration.ofMillis(500);
        TaskFuture<Integer> f = p.submit(() -> Tasks.awaitThen(never, 1), timeout);
        Throwable e = f.exception(HANG);
        assertThat(e).isInstanceOf(TaskTimeoutException.class);
        assertThat(((TaskTimeoutException) e).timeout()).isEqualTo(timeout);
        assertThat(e.getMessage()).contains("pid " + pid);
        assertThat(awaitExit(pid, SHORT_TIMEOUT)).as("the worker was killed").isTrue();
        assertThat(p.submit(() -> ProbeTasks.pid()).result(HANG)).isNotEqualTo(pid);
    }

    /** The pool's default {@code taskTimeout} applies to every task that runs too long. */
    @Test
    void poolTaskTimeoutAppliesToEveryTask() {
        ProcessPool p = pool(ProcessPool.builder().workers(1).taskTimeout(Duration.ofMillis(500)));
        Gate never = newGate();
        assertThat(p.submit(() -> Tasks.mul(6, 7)).result(HANG)).isEqualTo(42);
        assertThat(p.submit(() -> Tasks.awaitThen(never, 1)).exception(HANG)).isInstanceOf(TaskTimeoutException.class);
        assertThat(p.submit(() -> Tasks.mul(6, 7)).result(HANG)).isEqualTo(42);
    }

    /**
     * A task's timeout counts from when the task starts, not from submit: a task with a 1 s
     * timeout queued behind a 2 s task on the only worker succeeds.
     */
    @Test
    void timeoutCountsFromTheTaskStart() {
        ProcessPool p = pool(ProcessPool.builder().workers(1));
        assertThat(p.submit(() -> ProbeTasks.pid()).result(HANG)).isPositive();
        TaskFuture<Object> slow = p.submit(() -> Tasks.sleep(Duration.ofSeconds(2)));
        TaskFuture<Integer> behind = p.submit(() -> Tasks.mul(6, 7), Duration.ofSeconds(1));
        assertThat(slow.result(HANG)).isNull();
        assertThat(behind.result(HANG)).isEqualTo(42);
    }

    /**
     * {@code cancel(true)} on a running task that ignores interrupts cancels its future at once,
     * interrupts the task in its worker, and kills the worker after {@code cancelGracePeriod};
     * the next task runs on a new worker.
     */
    @Test
    void cancelTrueKillsTheWorkerOfATaskThatIgnoresInterrupts() throws Exception {
        ProcessPool p = pool(ProcessPool.builder().workers(1).cancelGracePeriod(Duration.ofSeconds(2)));
        Gate started = newGate();
        Gate never = newGate();
        SharedLog log = newLog();
        TaskFuture<String> f = p.submit(() -> Tasks.signalThenAwaitIgnoringInterrupts(started, never, log, "done"));
        assertThat(started.await(HANG)).isTrue();
        long pid = p.workerPids().get(0);

        assertThat(f.cancel(true)).isTrue();

        assertThat(f.status()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(awaitExit(pid, SHORT_TIMEOUT)).as("the worker is killed after the grace period").isTrue();
        assertThat(log.entries()).as("the task was interrupted before the kill").contains("interrupted");
        assertThat(p.submit(() -> ProbeTasks.pid()).result(HANG)).isNotEqualTo(pid);
    }

    /** Fills the heap until the JVM runs out of memory. */
    static Object allocateForever() {
        List<byte[]> hog = new ArrayList<>();
        for (;;) {
            hog.add(new byte[MIB]);
        }
    }

    /**
     * A worker whose capped heap ({@code -Xmx64m}) runs out exits ({@code
     * ExitOnOutOfMemoryError}, exit code 3): that task fails with {@link WorkerDiedException} and
     * the pool goes on with a new worker.
     */
    @Test
    void outOfMemoryUnderAHeapCapCostsOneWorker() {
        ProcessPool p = pool(ProcessPool.builder().workers(1).jvmOptions("-Xmx64m"));
        Throwable e = p.submit(() -> allocateForever()).exception(HANG);
        assertThat(e).isInstanceOf(WorkerDiedException.class);
        assertThat(((WorkerDiedException) e).exitCode()).isEqualTo(3);
        assertThat(p.isBroken()).isFalse();
        assertThat(p.submit(() -> Tasks.mul(6, 7)).result(HANG)).isEqualTo(42);
    }

    /** The names of this JVM's garbage collectors. */
    static List<String> collectors() {
        List<String> names = new ArrayList<>();
        for (java.lang.management.GarbageCollectorMXBean b : java.lang.management.ManagementFactory
                .getGarbageCollectorMXBeans()) {
            names.add(b.getName());
        }
        return names;
    }

    /** The class of this JVM's SelectorProvider, and the property that may have named it. */
    static List<String> selectorProvider() {
        return List.of(java.nio.channels.spi.SelectorProvider.provider().getClass().getName(),
                String.valueOf(System.getProperty("java.nio.channels.spi.SelectorProvider")));
    }

    /** Workers run the serial collector by default; a collector in jvmOptions replaces it. */
    @Test
    void aCollectorInJvmOptionsReplacesTheSerialOne() {
        ProcessPool serial = pool(ProcessPool.builder().workers(1));
        assertThat(serial.submit(() -> collectors()).result(HANG)).containsExactly("Copy", "MarkSweepCompact");
        ProcessPool g1 = pool(ProcessPool.builder().workers(1).jvmOptions("-XX:+UseG1GC"));
        assertThat(g1.submit(() -> collectors()).result(HANG)).anyMatch(n -> n.startsWith("G1"));
    }

    /**
     * A worker on this JDK uses this JVM's (the JDK's default) SelectorProvider, named on its
     * command line rather than looked up as a service over its classpath.
     */
    @Test
    void workersUseTheJdksSelectorProviderByName() {
        String own = java.nio.channels.spi.SelectorProvider.provider().getClass().getName();
        ProcessPool p = pool(ProcessPool.builder().workers(1));
        assertThat(p.submit(() -> selectorProvider()).result(HANG)).containsExactly(own, own);
    }

    static List<String> environmentAndDirectory() {
        return List.of(String.valueOf(System.getenv("JFUTURES_TEST_VAR")), System.getProperty("user.dir"),
                Path.of("").toAbsolutePath().toString());
    }

    /** {@code environment(...)} and {@code workingDirectory(...)} reach the worker. */
    @Test
    void environmentAndWorkingDirectoryReachTheWorker(@TempDir Path dir) throws IOException {
        Path real = dir.toRealPath();
        ProcessPool p = pool(ProcessPool.builder().workers(1).environment("JFUTURES_TEST_VAR", "value 42")
                .workingDirectory(real));
        assertThat(p.submit(() -> environmentAndDirectory()).result(HANG))
                .containsExactly("value 42", real.toString(), real.toString());
    }

    /** {@code prestart(true)} starts every worker JVM during {@code build()}. */
    @Test
    void prestartStartsEveryWorkerAtBuild() {
        ProcessPool p = pool(ProcessPool.builder().workers(3).prestart(true));
        List<Long> pids = p.workerPids();
        assertThat(pids).hasSize(3);
        assertThat(pids).allMatch(ProcessTestBase::isAlive);
        assertThat(Pools.workerProcesses()).extracting(ProcessHandle::pid).containsExactlyInAnyOrderElementsOf(pids);
        assertThat(pids).contains(p.submit(() -> ProbeTasks.pid()).result(HANG));
    }

    /** A worker idle for longer than {@code idleTimeout} exits; the next task starts a new one. */
    @Test
    void idleTimeoutEndsIdleWorkers() {
        ProcessPool p = pool(ProcessPool.builder().workers(2).idleTimeout(Duration.ofMillis(300)));
        long pid = p.submit(() -> ProbeTasks.pid()).result(HANG);
        assertThat(awaitExit(pid, SHORT_TIMEOUT)).as("the idle worker exits").isTrue();
        awaitCondition(SHORT_TIMEOUT, "no worker listed", () -> p.workerPids().isEmpty());
        assertThat(p.submit(() -> ProbeTasks.pid()).result(HANG)).isNotEqualTo(pid);
    }

    /**
     * A clean shutdown is an orderly exit of each worker JVM: the STOP path wakes the threads
     * blocked in native reads (so HotSpot's exit need not wait 300 ms for them) and then calls
     * System.exit, so the workers' shutdown hooks still run, with every earlier answer delivered.
     */
    @Test
    void shutdownRunsTheWorkersShutdownHooksAfterTheirLastAnswers(@TempDir Path dir) throws IOException {
        ProcessPool p = pool(ProcessPool.builder().workers(2).prestart(true));
        String marker = dir.toString();
        List<TaskFuture<Long>> pids = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            pids.add(p.submit(() -> ProbeTasks.hookWritesOnExit(marker)));
        }
        Set<Long> seen = new HashSet<>();
        for (TaskFuture<Long> f : pids) {
            seen.add(f.result(HANG));
        }
        p.shutdown(true, false);
        assertThat(p.isTerminated()).isTrue();
        for (long pid : seen) {
            assertThat(dir.resolve("hook-" + pid)).as("worker %d's shutdown hook ran", pid).exists();
        }
        assertThat(Pools.workerProcesses()).isEmpty();
    }

    /** {@code shutdown(grace)} returns true when every task ends within the grace period. */
    @Test
    void shutdownWithGraceReturnsTrueWhenTasksFinish() {
        ProcessPool p = pool(ProcessPool.builder().workers(1));
        TaskFuture<Integer> f = p.submit(() -> Tasks.mul(6, 7));
        assertThat(p.shutdown(Duration.ofSeconds(30))).isTrue();
        assertThat(f.result(Duration.ZERO)).isEqualTo(42);
        assertThat(p.isTerminated()).isTrue();
    }

    /**
     * {@code shutdown(grace)} with a task that does not end in time terminates its worker
     * (SIGTERM), returns false, and fails the task with {@link WorkerDiedException}; no worker is
     * left.
     */
    @Test
    void shutdownWithGraceTerminatesATaskThatDoesNotEnd() throws Exception {
        ProcessPool p = pool(ProcessPool.builder().workers(1));
        Gate started = newGate();
        Gate never = newGate();
        TaskFuture<Object> f = p.submit(() -> Tasks.signalThenAwait(started, never, null));
        assertThat(started.await(HANG)).isTrue();
        long pid = p.workerPids().get(0);

        assertThat(p.shutdown(Duration.ofMillis(500))).isFalse();

        assertThat(p.isTerminated()).isTrue();
        assertThat(f.exception(Duration.ZERO)).isInstanceOf(WorkerDiedException.class);
        assertThat(((WorkerDiedException) f.exception()).signal()).as("%s", f.exception()).hasValue(15);
        assertThat(awaitExit(pid, Duration.ofSeconds(2))).isTrue();
        assertThat(Pools.workerProcesses()).isEmpty();
    }

    /** Registers a shutdown hook that never ends (so SIGTERM cannot end this JVM), then waits on a gate. */
    static Object surviveSigtermThenAwait(long testPid, Gate started, Gate never) throws InterruptedException {
        ProbeTasks.refuseIn(testPid, "a never-ending shutdown hook");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (;;) {
                java.util.concurrent.locks.LockSupport.park();
            }
        }));
        started.open();
        never.await();
        return null;
    }

    /**
     * {@code shutdown(grace)} escalates to SIGKILL when a worker survives SIGTERM (a shutdown
     * hook that never ends): it returns false, the task fails with {@link WorkerDiedException}
     * for signal 9, and no worker is left.
     */
    @Test
    void shutdownWithGraceKillsAWorkerThatSurvivesSigterm() throws Exception {
        ProcessPool p = pool(ProcessPool.builder().workers(1));
        Gate started = newGate();
        Gate never = newGate();
        long testPid = TEST_PID;
        TaskFuture<Object> f = p.submit(() -> surviveSigtermThenAwait(testPid, started, never));
        assertThat(started.await(HANG)).isTrue();
        long pid = p.workerPids().get(0);

        assertThat(p.shutdown(Duration.ofMillis(500))).isFalse();

        assertThat(p.isTerminated()).isTrue();
        assertThat(f.exception(Duration.ZERO)).isInstanceOf(WorkerDiedException.class);
        assertThat(((WorkerDiedException) f.exception()).signal()).as("%s", f.exception()).hasValue(9);
        assertThat(awaitExit(pid, Duration.ofSeconds(2))).isTrue();
        assertThat(Pools.workerProcesses()).isEmpty();
    }
}
