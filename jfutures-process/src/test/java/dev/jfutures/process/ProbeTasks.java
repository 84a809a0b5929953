package dev.jfutures.process;

import dev.jfutures.testkit.Gate;
import dev.jfutures.testkit.SharedLog;
import java.io.IOException;
import java.util.concurrent.locks.LockSupport;

/**
 * What the process-pool tests run in worker JVMs, as static methods, so that task lambdas capture
 * only their (serializable) arguments. Everything that ends a JVM refuses to run in the test's
 * own JVM: it takes the test JVM's pid and throws instead if it finds itself there.
 */
final class ProbeTasks {

    private ProbeTasks() {
    }

    /** The pid of the JVM running the task. */
    static long pid() {
        return ProcessHandle.current().pid();
    }

    /** Whether this JVM registered {@link #hookWritesOnExit}'s hook already. */
    private static boolean exitHook;

    /**
     * Registers (once per JVM) a shutdown hook that creates {@code dir/hook-PID}.
     *
     * @return this JVM's pid
     */
    static synchronized long hookWritesOnExit(String dir) {
        long pid = pid();
        if (!exitHook) {
            exitHook = true;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    java.nio.file.Files.createFile(java.nio.file.Path.of(dir, "hook-" + pid));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }));
        }
        return pid;
    }

    /** The pid of the test JVM, to pass to the methods below. */
    static long testPid() {
        return ProcessHandle.current().pid();
    }

    /** Throws if called in the test JVM: a guard for every method that ends its JVM. */
    static void refuseIn(long testPid, String what) {
        if (ProcessHandle.current().pid() == testPid) {
            throw new IllegalStateException(what + " was about to run in the test JVM itself; refused");
        }
    }

    /** Sends SIGKILL to the JVM running it (a native crash, as the JVM sees one), and never returns. */
    static Object crash(long testPid) {
        refuseIn(testPid, "crash()");
        try {
            new ProcessBuilder("kill", "-9", Long.toString(ProcessHandle.current().pid())).start().waitFor();
        } catch (IOException | InterruptedException e) {
            Runtime.getRuntime().halt(134);
        }
        for (;;) {
            LockSupport.park();
        }
    }

    /** {@code System.exit(code)} in the JVM running it. */
    static Object exit(long testPid, int code) {
        refuseIn(testPid, "System.exit()");
        System.exit(code);
        return null;
    }

    /** Writes a line to stderr, then {@code Runtime.halt(code)}: CPython's {@code os._exit}. */
    static Object halt(long testPid, int code, String lastWords) {
        refuseIn(testPid, "Runtime.halt()");
        System.err.println(lastWords);
        System.err.flush();
        Runtime.getRuntime().halt(code);
        return null;
    }

    /** Appends this JVM's pid to {@code log}, opens {@code started}, waits on {@code release}, returns the pid. */
    static long reportPidThenAwait(SharedLog log, Gate started, Gate release) throws InterruptedException {
        long pid = pid();
        log.append(Long.toString(pid));
        started.open();
        release.await();
        return pid;
    }

    /** CPython's {@code _put_wait_put}: logs "started", waits on a gate, logs "finished". */
    static Object putWaitPut(SharedLog log, Gate gate) throws InterruptedException {
        log.append("started");
        gate.await();
        log.append("finished");
        return null;
    }

    /** CPython's {@code _test_traceback}: {@code raise RuntimeError(123) # some comment}. */
    static Object raiseRuntimeError123() {
        throw new RuntimeException("123"); // some comment
    }
}
