package dev.jfutures.process.internal;

import dev.jfutures.process.WorkerDiedException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What is known of a dead worker JVM, and the message that says so: for the {@link
 * WorkerDiedException} of the task it was running ({@link #taskDeathMessage()}) and for a worker
 * that died before it was ready ({@link #startFailureMessage()}). Each message is one line (the CLI
 * prints each failure as one line) and says what happened, to which process, and where it helps,
 * what to change:
 *
 * <pre>
 * the worker JVM running the task (pid 1234) ran out of memory (java.lang.OutOfMemoryError: Java heap
 * space) with a heap limit of 64 MiB and exited with code 3; raise the limit with jvmOptions("-Xmx...")
 * or use less memory per task; its stderr ends with: loading | sorting
 * </pre>
 *
 * <p>Immutable: each {@code with...} method returns a new diagnosis. Start from {@link #of(long,
 * int)}; the stderr tail, the out-of-memory line (from either stream's {@link OutputPump}), the heap
 * limit and the pool's own part (what it did to the worker) are each optional.
 */
public final class ExitDiagnosis {

    /* Implementation notes.
     *
     * A message is: subject, what happened to it, the pool's part ("after ..."), a hint, the stderr
     * tail. The out-of-memory line decides over the exit code: HotSpot prints it right before it
     * exits (-XX:+ExitOnOutOfMemoryError: code 3; -XX:+CrashOnOutOfMemoryError: SIGABRT), and code 3
     * alone proves nothing (System.exit(3); Worker halts with 3 when the pool sends no WELCOME).
     * A hint is given only where the cause is clear from what we know: an out-of-memory line; a
     * SIGKILL or SIGTERM the pool did not send (someone else's, often the kernel's OOM killer); a
     * crash signal; a plain exit while a task ran (the task or its code exited). */

    /** {@link #heapLimit()} when the worker never said its {@code Runtime.maxMemory()}. */
    public static final long UNKNOWN_HEAP_LIMIT = -1;

    /** The exit code for a worker whose exit status could not be collected. */
    public static final int UNKNOWN_EXIT_CODE = -1;

    private final long pid;
    private final int exitCode;
    private final List<String> stderrTail;
    private final String outOfMemory;
    private final long heapLimit;
    private final String context;

    private ExitDiagnosis(long pid, int exitCode, List<String> stderrTail, String outOfMemory, long heapLimit,
            String context) {
        this.pid = pid;
        this.exitCode = exitCode;
        this.stderrTail = stderrTail;
        this.outOfMemory = outOfMemory;
        this.heapLimit = heapLimit;
        this.context = context;
    }

    /**
     * A diagnosis of a worker that exited, with no stderr tail, no out-of-memory line, an unknown
     * heap limit and no part of the pool's.
     *
     * @param pid the worker's process id
     * @param exitCode its exit code as {@link Process#exitValue()} gives it ({@code 128 + n} for a
     *     death by signal n), or {@link #UNKNOWN_EXIT_CODE}
     * @return the diagnosis
     */
    public static ExitDiagnosis of(long pid, int exitCode) {
        return new ExitDiagnosis(pid, exitCode, List.of(), null, UNKNOWN_HEAP_LIMIT, null);
    }

    /**
     * The same, with the worker's last stderr lines ({@link OutputPump#tail()}).
     *
     * @param lines the lines, oldest first; may be empty
     * @return a new diagnosis
     */
    public ExitDiagnosis withStderrTail(List<String> lines) {
        return new ExitDiagnosis(pid, exitCode, List.copyOf(lines), outOfMemory, heapLimit, context);
    }

    /**
     * The same, with HotSpot's out-of-memory line if a pump saw one ({@link
     * OutputPump#outOfMemory()}; ask the stdout pump and the stderr pump: {@code
     * out.outOfMemory().or(err::outOfMemory)}).
     *
     * @param error e.g. {@code java.lang.OutOfMemoryError: Java heap space}, or empty
     * @return a new diagnosis
     */
    public ExitDiagnosis withOutOfMemory(Optional<String> error) {
        return new ExitDiagnosis(pid, exitCode, stderrTail, error.orElse(null), heapLimit, context);
    }

    /**
     * The same, with the worker's heap limit, its {@code Runtime.maxMemory()} (somewhat below
     * {@code -Xmx} with the serial collector, which leaves one survivor space out).
     *
     * @param bytes the limit in bytes, or {@link #UNKNOWN_HEAP_LIMIT}
     * @return a new diagnosis
     */
    public ExitDiagnosis withHeapLimit(long bytes) {
        return new ExitDiagnosis(pid, exitCode, stderrTail, outOfMemory, bytes < 0 ? UNKNOWN_HEAP_LIMIT : bytes, context);
    }

    /**
     * The same, with what the pool did to the worker, read after "after" in the message: {@code
     * "killWorkers() was called"}, {@code "the task ran past its timeout of 5 s"}, {@code "it did
     * not connect within the start timeout of 30 s"}. Every kill of the pool's must come with its
     * part: without one, a SIGKILL or SIGTERM is reported as someone else's.
     *
     * @param afterWhat the clause, without a final period
     * @return a new diagnosis
     */
    public ExitDiagnosis withContext(String afterWhat) {
        return new ExitDiagnosis(pid, exitCode, stderrTail, outOfMemory, heapLimit, Objects.requireNonNull(afterWhat));
    }

    /**
     * The worker's process id.
     *
     * @return the pid
     */
    public long pid() {
        return pid;
    }

    /**
     * The worker's exit code ({@code 128 + n} for a death by signal n).
     *
     * @return the code, or {@link #UNKNOWN_EXIT_CODE}
     */
    public int exitCode() {
        return exitCode;
    }

    /**
     * The signal that killed the worker, if its exit code says one did (as {@link
     * WorkerDiedException#signal()} reads it).
     *
     * @return the signal number, e.g. 9
     */
    public OptionalInt signal() {
        return exitCode > 128 && exitCode < 128 + 65 ? OptionalInt.of(exitCode - 128) : OptionalInt.empty();
    }

    /**
     * The worker's last stderr lines.
     *
     * @return the lines, oldest first
     */
    public List<String> stderrTail() {
        return stderrTail;
    }

    /**
     * HotSpot's out-of-memory line, after "Terminating due to ".
     *
     * @return e.g. {@code java.lang.OutOfMemoryError: Java heap space}, or empty
     */
    public Optional<String> outOfMemory() {
        return Optional.ofNullable(outOfMemory);
    }

    /**
     * The worker's heap limit.
     *
     * @return bytes, or {@link #UNKNOWN_HEAP_LIMIT}
     */
    public long heapLimit() {
        return heapLimit;
    }

    /**
     * Whether the worker died of an {@code OutOfMemoryError}: HotSpot said so on its way out.
     *
     * @return true if an out-of-memory line was seen
     */
    public boolean isOutOfMemory() {
        return outOfMemory != null;
    }

    /**
     * The message for the task the worker was running, as {@link #toException()} uses it, e.g.
     * {@code the worker JVM running the task (pid 1234) was killed by signal 9 (SIGKILL) after
     * killWorkers() was called}.
     *
     * @return one line
     */
    public String taskDeathMessage() {
        return message("the worker JVM running the task (pid " + pid + ")", "", true);
    }

    /**
     * The message for the worker itself, as a worker event says it, e.g. {@code the worker JVM
     * (pid 1234) was killed by signal 9 (SIGKILL) after killWorkers() was called}.
     *
     * @return one line
     */
    public String workerDeathMessage() {
        return message("the worker JVM (pid " + pid + ")", "", false);
    }

    /**
     * The message for a worker that died before it was ready, e.g. {@code the worker JVM (pid 1234)
     * exited with code 1 before it was ready; its stderr ends with: Unrecognized VM option 'Foo' |
     * Error: Could not create the Java Virtual Machine.}
     *
     * @return one line
     */
    public String startFailureMessage() {
        return message("the worker JVM (pid " + pid + ")", " before it was ready", false);
    }

    /**
     * The exception for the task the worker was running: {@link #taskDeathMessage()}, with the
     * pid, exit code and stderr tail.
     *
     * @return a new exception
     */
    public WorkerDiedException toException() {
        return new WorkerDiedException(taskDeathMessage(), pid, exitCode, stderrTail);
    }

    /**
     * The name of a common signal.
     *
     * @param signal the signal number (Linux numbering)
     * @return e.g. "SIGKILL" for 9, or empty for one not named here
     */
    public static Optional<String> signalName(int signal) {
        return Optional.ofNullable(switch (signal) {
            case 2 -> "SIGINT";
            case 6 -> "SIGABRT";
            case 7 -> "SIGBUS";
            case 9 -> "SIGKILL";
            case 11 -> "SIGSEGV";
            case 15 -> "SIGTERM";
            default -> null;
        });
    }

    // ------------------------------------------------------------------------------ wording

    private String message(String subject, String when, boolean runningTask) {
        StringBuilder m = new StringBuilder(subject);
        if (outOfMemory != null) {
            m.append(" ran out of memory (").append(outOfMemory).append(')');
            if (heapLimit >= 0 && isHeapSpace()) {
                m.append(" with a heap limit of ").append(size(heapLimit));
            }
            m.append(" and");
        }
        m.append(' ').append(how()).append(when);
        if (context != null) {
            m.append(when.isEmpty() ? " after " : ", after ").append(context);
        }
        String hint = hint(runningTask);
        if (hint != null) {
            m.append("; ").append(hint);
        }
        if (!stderrTail.isEmpty()) {
            m.append("; its stderr ends with: ").append(String.join(" | ", stderrTail));
        }
        return m.toString();
    }

    private String how() {
        if (exitCode == UNKNOWN_EXIT_CODE) {
            return "ended with an exit code that could not be collected";
        }
        OptionalInt signal = signal();
        if (signal.isPresent()) {
            int n = signal.getAsInt();
            return "was killed by signal " + n + signalName(n).map(s -> " (" + s + ")").orElse("");
        }
        return "exited with code " + exitCode;
    }

    /** What to change, where what we know makes the cause clear; else null. */
    private String hint(boolean runningTask) {
        if (outOfMemory != null) {
            return outOfMemoryHint();
        }
        int signal = signal().orElse(0);
        if (signal == 6 || signal == 7 || signal == 11) {
            return "the JVM crashed: look for its crash report, hs_err_pid" + pid + ".log, in the workers' working"
                    + " directory (or /tmp)";
        }
        if (context != null) {
            return null;   // the pool's part says why
        }
        if (signal == 9) {
            return "the pool did not kill it: something else did, often the kernel's out-of-memory killer when the"
                    + " machine runs short of memory (see dmesg); run fewer workers or give them a lower -Xmx";
        }
        if (signal == 15) {
            return "the pool did not terminate it: something else did";
        }
        if (signal == 2) {
            return "an interrupt reached it (Ctrl-C in a terminal interrupts the workers too)";
        }
        if (signal == 0 && runningTask && exitCode != UNKNOWN_EXIT_CODE) {
            return "System.exit or Runtime.halt, in the task or in code it calls, ends the worker JVM";
        }
        return null;
    }

    /** The message of HotSpot's OutOfMemoryError says which limit was hit; each has its own option. */
    private String outOfMemoryHint() {
        if (isHeapSpace()) {
            return "raise the limit with jvmOptions(\"-Xmx...\") or use less memory per task";
        }
        if (outOfMemory.contains("Requested array size exceeds VM limit")) {
            return "the task asked for an array longer than any JVM allows (about 2^31 elements), which no"
                    + " -Xmx changes";
        }
        if (outOfMemory.contains("Compressed class space")) {
            return "raise it with jvmOptions(\"-XX:CompressedClassSpaceSize=...\") or load fewer classes per worker"
                    + " (maxTasksPerWorker(n) replaces workers that keep loading them)";
        }
        if (outOfMemory.contains("Metaspace")) {
            return "raise it with jvmOptions(\"-XX:MaxMetaspaceSize=...\") or load fewer classes per worker"
                    + " (maxTasksPerWorker(n) replaces workers that keep loading them)";
        }
        return "raise the worker's memory limits with jvmOptions(...) or use less memory per task";
    }

    /** Java heap space, or the collector giving up (-XX:+UseGCOverheadLimit): both -Xmx matters. */
    private boolean isHeapSpace() {
        return outOfMemory.contains("Java heap space") || outOfMemory.contains("GC overhead limit exceeded");
    }

    /** Bytes in binary units, whole or to one decimal: "64 MiB", "61.9 MiB", "1.5 GiB". */
    static String size(long bytes) {
        String[] units = {"bytes", "KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        if (u == 0) {
            return bytes + " bytes";
        }
        double tenths = Math.round(v * 10) / 10.0;
        return (tenths == Math.rint(tenths) ? String.valueOf((long) tenths) : String.format(Locale.ROOT, "%.1f", tenths))
                + " " + units[u];
    }
}
