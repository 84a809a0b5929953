package dev.jfutures.process.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One worker JVM as a process: started with the pool's token on its stdin, which then stays open
 * as its lifeline; its stdout and stderr forwarded by two {@link OutputPump}s; and, once it is
 * gone, what became of it ({@link #awaitExit}: its exit code, its last stderr lines, an
 * out-of-memory line from either stream, its heap limit, and what the pool did to it).
 *
 * <p>Thread-safe: the pool's threads start, kill and reap it; the fields the pool notes (the heap
 * limit, why it killed it) are volatile.
 */
public final class WorkerProcess {

    /** stderr lines kept for the diagnosis. */
    private static final int STDERR_TAIL_LINES = 20;
    /** stdout lines kept: only the out-of-memory line is looked for there. */
    private static final int STDOUT_TAIL_LINES = 0;

    private final Process process;
    private final long pid;
    /** Kept open: the lifeline. Closing it, or the pool's JVM dying, ends the worker. */
    private final OutputStream stdin;
    private final OutputPump outPump;
    private final OutputPump errPump;
    private final Thread outThread;
    private final Thread errThread;
    private volatile long heapLimit = ExitDiagnosis.UNKNOWN_HEAP_LIMIT;
    /** What the pool did to it, for the diagnosis ("killWorkers() was called"); null if nothing. */
    private volatile String killContext;

    private WorkerProcess(Process process, String threadPrefix, PrintStream out, PrintStream err) {
        this.process = process;
        this.pid = process.pid();
        this.stdin = process.getOutputStream();
        this.outPump = new OutputPump(threadPrefix + " pid " + pid + " stdout", process.getInputStream(), out,
                STDOUT_TAIL_LINES);
        this.errPump = new OutputPump(threadPrefix + " pid " + pid + " stderr", process.getErrorStream(), err,
                STDERR_TAIL_LINES);
        this.outThread = daemon(outPump, threadPrefix + "-stdout");
        this.errThread = daemon(errPump, threadPrefix + "-stderr");
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /**
     * Starts a worker JVM and gives it the token, the first line of its stdin.
     *
     * @param command the whole command line
     * @param environment added to this JVM's environment
     * @param workingDirectory its directory, or null for this JVM's
     * @param token the pool's token
     * @param threadPrefix the prefix of its pump threads' names
     * @param out where its stdout goes
     * @param err where its stderr goes
     * @return the running process
     * @throws IOException if the process cannot be started
     */
    public static WorkerProcess start(List<String> command, Map<String, String> environment, Path workingDirectory,
                                      byte[] token, String threadPrefix, PrintStream out, PrintStream err)
            throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(environment);
        if (workingDirectory != null) {
            pb.directory(workingDirectory.toFile());
        }
        Process process = pb.start();
        WorkerProcess w = new WorkerProcess(process, threadPrefix, out, err);
        w.outThread.start();
        w.errThread.start();
        try {
            w.stdin.write((HexFormat.of().formatHex(token) + "\n").getBytes(StandardCharsets.US_ASCII));
            w.stdin.flush();
        } catch (IOException e) {
            // It died at once; its exit and stderr say why, when the pool reaps it.
        }
        return w;
    }

    /**
     * Its process id.
     *
     * @return the pid
     */
    public long pid() {
        return pid;
    }

    /**
     * Whether it is running.
     *
     * @return true until it has exited
     */
    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Completes when the process has exited.
     *
     * @return the process's exit, as {@link Process#onExit()}
     */
    public java.util.concurrent.CompletableFuture<Process> onExit() {
        return process.onExit();
    }

    /**
     * Notes the heap limit it reported at INIT_OK.
     *
     * @param bytes its {@code Runtime.maxMemory()}
     */
    public void heapLimit(long bytes) {
        this.heapLimit = bytes;
    }

    /** Asks it to end (SIGTERM): its shutdown hooks run. */
    public void terminate() {
        process.toHandle().destroy();
    }

    /**
     * Kills it (SIGKILL), noting why for the diagnosis.
     *
     * @param context what the pool did, e.g. "killWorkers() was called"; null if the cause is
     *     told elsewhere (a timeout, whose exception says so)
     */
    public void kill(String context) {
        if (context != null && killContext == null) {
            killContext = context;
        }
        process.toHandle().destroyForcibly();
    }

    /**
     * Notes what the pool did before it ends the worker in another way (terminate).
     *
     * @param context what the pool did
     */
    public void context(String context) {
        if (killContext == null) {
            killContext = context;
        }
    }

    /**
     * Waits until it has exited (its channel ended, so it is on its way), killing it if it has not
     * within {@code graceMillis}, then lets the pumps drain what it wrote, closes its lifeline,
     * and says what became of it.
     *
     * @param graceMillis how long it may take to exit by itself (its shutdown hooks run)
     * @return the diagnosis
     */
    public ExitDiagnosis awaitExit(long graceMillis) {
        int code;
        try {
            if (!process.waitFor(graceMillis, TimeUnit.MILLISECONDS)) {
                kill(null);
            }
            code = process.waitFor();
            outThread.join(1000);
            errThread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.toHandle().destroyForcibly();
            code = ExitDiagnosis.UNKNOWN_EXIT_CODE;
        }
        closeLifeline();
        ExitDiagnosis d = ExitDiagnosis.of(pid, code).withStderrTail(errPump.tail())
                .withOutOfMemory(outPump.outOfMemory().or(errPump::outOfMemory)).withHeapLimit(heapLimit);
        String context = killContext;
        return context != null ? d.withContext(context) : d;
    }

    /** Closes the lifeline: the worker exits at once. */
    public void closeLifeline() {
        try {
            stdin.close();
        } catch (IOException ignored) {
            // the lifeline of a dead worker
        }
    }

    /** The pump threads, for a check that nothing outlives the pool. */
    List<Thread> threads() {
        List<Thread> ts = new ArrayList<>();
        ts.add(outThread);
        ts.add(errThread);
        return ts;
    }

    @Override
    public String toString() {
        return "worker JVM pid " + pid;
    }
}
