package dev.jfutures.process.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jfutures.process.WorkerDiedException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link ExitDiagnosis}: what the messages say for each kind of death (out of memory with and
 * without a known heap limit, signals, exit codes, the pool's own kills), with and without a
 * stderr tail, for a running task and for a worker that was starting.
 */
class ExitDiagnosisTest {

    private static final long PID = 1234;
    private static final long MIB = 1 << 20;
    private static final Optional<String> HEAP = Optional.of("java.lang.OutOfMemoryError: Java heap space");
    private static final String TASK = "the worker JVM running the task (pid 1234) ";

    /** Every message is one line: the CLI prints each failure as one. */
    private static String oneLine(String message) {
        assertThat(message).doesNotContain("\n");
        return message;
    }

    // ------------------------------------------------------------------------------ out of memory

    /** Out of memory with a known heap limit: what, which limit, the exit, what to change, the tail. */
    @Test
    void outOfMemoryWithKnownHeapLimit() {
        ExitDiagnosis d = ExitDiagnosis.of(PID, 3).withOutOfMemory(HEAP).withHeapLimit(64 * MIB)
                .withStderrTail(List.of("loading", "sorting"));
        assertThat(d.isOutOfMemory()).isTrue();
        assertThat(oneLine(d.taskDeathMessage())).isEqualTo(TASK + "ran out of memory (java.lang.OutOfMemoryError: Java"
                + " heap space) with a heap limit of 64 MiB and exited with code 3; raise the limit with"
                + " jvmOptions(\"-Xmx...\") or use less memory per task; its stderr ends with: loading | sorting");
    }

    /** Out of memory with an unknown heap limit says no limit but the same remedy. */
    @Test
    void outOfMemoryWithUnknownHeapLimit() {
        ExitDiagnosis d = ExitDiagnosis.of(PID, 3).withOutOfMemory(HEAP);
        assertThat(d.heapLimit()).isEqualTo(ExitDiagnosis.UNKNOWN_HEAP_LIMIT);
        assertThat(oneLine(d.taskDeathMessage())).isEqualTo(TASK + "ran out of memory (java.lang.OutOfMemoryError: Java"
                + " heap space) and exited with code 3; raise the limit with jvmOptions(\"-Xmx...\") or use less memory"
                + " per task");
    }

    /** A heap limit that is not a whole number of MiB (Runtime.maxMemory() of -Xmx64m, serial GC) gets a decimal. */
    @Test
    void heapLimitOfSerialGcIsShownToOneDecimal() {
        assertThat(ExitDiagnosis.of(PID, 3).withOutOfMemory(HEAP).withHeapLimit(64_880_640).taskDeathMessage())
                .contains("with a heap limit of 61.9 MiB and");
    }

    /** Sizes in binary units, whole or to one decimal. */
    @ParameterizedTest
    @CsvSource({"512, 512 bytes", "1536, 1.5 KiB", "67108864, 64 MiB", "16252928, 15.5 MiB",
        "1610612736, 1.5 GiB", "1037959168, 989.9 MiB"})
    void sizesAreInBinaryUnits(long bytes, String shown) {
        assertThat(ExitDiagnosis.size(bytes)).isEqualTo(shown);
    }

    /** A negative heap limit is unknown. */
    @Test
    void negativeHeapLimitIsUnknown() {
        assertThat(ExitDiagnosis.of(PID, 3).withHeapLimit(-5).heapLimit()).isEqualTo(ExitDiagnosis.UNKNOWN_HEAP_LIMIT);
    }

    /** Metaspace: its own option and maxTasksPerWorker, and no heap limit even when known. */
    @Test
    void outOfMetaspaceNamesMaxMetaspaceSize() {
        String m = ExitDiagnosis.of(PID, 3).withOutOfMemory(Optional.of("java.lang.OutOfMemoryError: Metaspace"))
                .withHeapLimit(64 * MIB).taskDeathMessage();
        assertThat(oneLine(m)).isEqualTo(TASK + "ran out of memory (java.lang.OutOfMemoryError: Metaspace) and exited"
                + " with code 3; raise it with jvmOptions(\"-XX:MaxMetaspaceSize=...\") or load fewer classes per worker"
                + " (maxTasksPerWorker(n) replaces workers that keep loading them)");
    }

    /** Compressed class space: its own option. */
    @Test
    void outOfCompressedClassSpaceNamesItsOption() {
        assertThat(ExitDiagnosis.of(PID, 3)
                .withOutOfMemory(Optional.of("java.lang.OutOfMemoryError: Compressed class space")).taskDeathMessage())
                .contains("-XX:CompressedClassSpaceSize=").doesNotContain("MaxMetaspaceSize");
    }

    /** An array too long for any JVM: no -Xmx advice, and no heap limit shown. */
    @Test
    void arrayTooLongSaysNoXmxHelps() {
        String m = ExitDiagnosis.of(PID, 3)
                .withOutOfMemory(Optional.of("java.lang.OutOfMemoryError: Requested array size exceeds VM limit"))
                .withHeapLimit(64 * MIB).taskDeathMessage();
        assertThat(m).contains("longer than any JVM allows").contains("which no -Xmx changes")
                .doesNotContain("heap limit of").doesNotContain("raise the limit");
    }

    /** GC overhead limit counts as the heap: the limit is shown and -Xmx advised. */
    @Test
    void gcOverheadLimitIsAboutTheHeap() {
        assertThat(ExitDiagnosis.of(PID, 3)
                .withOutOfMemory(Optional.of("java.lang.OutOfMemoryError: GC overhead limit exceeded"))
                .withHeapLimit(256 * MIB).taskDeathMessage())
                .contains("with a heap limit of 256 MiB").contains("jvmOptions(\"-Xmx...\")");
    }

    /**
     * The out-of-memory line decides over the exit code: -XX:+CrashOnOutOfMemoryError aborts
     * (SIGABRT), and that is no crash to look for a report of.
     */
    @Test
    void outOfMemoryThenSigabrtIsOutOfMemoryNotACrash() {
        String m = ExitDiagnosis.of(PID, 134).withOutOfMemory(HEAP).taskDeathMessage();
        assertThat(m).contains("ran out of memory (java.lang.OutOfMemoryError: Java heap space) and was killed by"
                + " signal 6 (SIGABRT); raise the limit").doesNotContain("hs_err");
    }

    /** Exit code 3 alone is no out-of-memory death (System.exit(3); Worker's own halt(3)). */
    @Test
    void exitCode3WithoutTheLineIsAPlainExit() {
        ExitDiagnosis d = ExitDiagnosis.of(PID, 3);
        assertThat(d.isOutOfMemory()).isFalse();
        assertThat(d.taskDeathMessage()).contains("exited with code 3").doesNotContain("memory");
    }

    // ------------------------------------------------------------------------------ signals

    /** A SIGKILL the pool did not send: named, and the usual culprit (the kernel's OOM killer) said. */
    @Test
    void sigkillFromOutsideNamesTheOomKiller() {
        ExitDiagnosis d = ExitDiagnosis.of(PID, 137);
        assertThat(d.signal()).hasValue(9);
        assertThat(d.isOutOfMemory()).isFalse();
        assertThat(oneLine(d.taskDeathMessage())).isEqualTo(TASK + "was killed by signal 9 (SIGKILL); the pool did not"
                + " kill it: something else did, often the kernel's out-of-memory killer when the machine runs short of"
                + " memory (see dmesg); run fewer workers or give them a lower -Xmx");
    }

    /** A SIGTERM the pool did not send. */
    @Test
    void sigtermFromOutside() {
        assertThat(ExitDiagnosis.of(PID, 143).taskDeathMessage())
                .isEqualTo(TASK + "was killed by signal 15 (SIGTERM); the pool did not terminate it: something else did");
    }

    /** A crash signal points to HotSpot's crash report for that pid. */
    @ParameterizedTest
    @CsvSource({"134, 6, SIGABRT", "135, 7, SIGBUS", "139, 11, SIGSEGV"})
    void crashSignalPointsToTheCrashReport(int code, int signal, String name) {
        assertThat(oneLine(ExitDiagnosis.of(PID, code).taskDeathMessage())).isEqualTo(TASK + "was killed by signal "
                + signal + " (" + name + "); the JVM crashed: look for its crash report, hs_err_pid1234.log, in the"
                + " workers' working directory (or /tmp)");
    }

    /** SIGINT says where an interrupt comes from. */
    @Test
    void sigintFromTheTerminal() {
        assertThat(ExitDiagnosis.of(PID, 130).taskDeathMessage())
                .isEqualTo(TASK + "was killed by signal 2 (SIGINT); an interrupt reached it (Ctrl-C in a terminal"
                        + " interrupts the workers too)");
    }

    /** A signal without a name here is given by number only, with no guess. */
    @Test
    void unnamedSignalByNumberOnly() {
        assertThat(ExitDiagnosis.of(PID, 128 + 10).taskDeathMessage()).isEqualTo(TASK + "was killed by signal 10");
    }

    /** The common signals' names. */
    @ParameterizedTest
    @CsvSource({"2, SIGINT", "6, SIGABRT", "7, SIGBUS", "9, SIGKILL", "11, SIGSEGV", "15, SIGTERM"})
    void commonSignalsAreNamed(int signal, String name) {
        assertThat(ExitDiagnosis.signalName(signal)).hasValue(name);
    }

    /** Codes 128 and above 192 are exit codes, not signals, as WorkerDiedException reads them. */
    @ParameterizedTest
    @CsvSource({"128", "193", "255"})
    void codesOutsideTheSignalRangeArePlainExits(int code) {
        ExitDiagnosis d = ExitDiagnosis.of(PID, code);
        assertThat(d.signal()).isEmpty();
        assertThat(d.signal()).isEqualTo(d.toException().signal());
        assertThat(d.taskDeathMessage()).contains("exited with code " + code);
    }

    // ------------------------------------------------------------------------------ exits and the pool's part

    /** A plain exit while a task ran: the code, and what ends a worker so. */
    @Test
    void plainExitCodeNamesSystemExit() {
        ExitDiagnosis d = ExitDiagnosis.of(PID, 7);
        assertThat(d.signal()).isEmpty();
        assertThat(oneLine(d.taskDeathMessage())).isEqualTo(TASK + "exited with code 7; System.exit or Runtime.halt, in"
                + " the task or in code it calls, ends the worker JVM");
    }

    /** An exit code that could not be collected says so. */
    @Test
    void unknownExitCode() {
        assertThat(ExitDiagnosis.of(PID, ExitDiagnosis.UNKNOWN_EXIT_CODE).taskDeathMessage())
                .isEqualTo(TASK + "ended with an exit code that could not be collected");
    }

    /** Killed by killWorkers(): the pool's part, and no guess about someone else. */
    @Test
    void killedByKillWorkersSaysSoAndGuessesNothing() {
        String m = ExitDiagnosis.of(PID, 137).withContext("killWorkers() was called")
                .withStderrTail(List.of("working")).taskDeathMessage();
        assertThat(oneLine(m)).isEqualTo(TASK + "was killed by signal 9 (SIGKILL) after killWorkers() was called; its"
                + " stderr ends with: working");
    }

    /** Killed for a timeout: the pool's part. */
    @Test
    void killedForATimeout() {
        assertThat(ExitDiagnosis.of(PID, 137).withContext("the task ran past its timeout of 5 s").taskDeathMessage())
                .isEqualTo(TASK + "was killed by signal 9 (SIGKILL) after the task ran past its timeout of 5 s");
    }

    /** The pool's part does not hide what a crash or an out-of-memory death says to change. */
    @Test
    void contextKeepsOutOfMemoryAdvice() {
        assertThat(ExitDiagnosis.of(PID, 3).withOutOfMemory(HEAP).withContext("killWorkers() was called")
                .taskDeathMessage()).contains("exited with code 3 after killWorkers() was called; raise the limit");
    }

    // ------------------------------------------------------------------------------ stderr tail

    /** A stderr tail is joined with " | " at the end of the message. */
    @Test
    void stderrTailPresent() {
        assertThat(ExitDiagnosis.of(PID, 1).withStderrTail(List.of("a", "b", "c")).taskDeathMessage())
                .endsWith("; its stderr ends with: a | b | c");
    }

    /** An empty stderr tail says nothing of stderr. */
    @Test
    void stderrTailAbsent() {
        assertThat(ExitDiagnosis.of(PID, 1).withStderrTail(List.of()).taskDeathMessage()).doesNotContain("stderr");
    }

    // ------------------------------------------------------------------------------ start failures

    /** A worker that exited before it was ready: one line, the exit, its stderr; no task advice. */
    @Test
    void startFailureIsOneLineWithTheTail() {
        ExitDiagnosis d = ExitDiagnosis.of(PID, 1).withStderrTail(List.of("Unrecognized VM option 'Foo'",
                "Error: Could not create the Java Virtual Machine."));
        assertThat(oneLine(d.startFailureMessage())).isEqualTo("the worker JVM (pid 1234) exited with code 1 before it"
                + " was ready; its stderr ends with: Unrecognized VM option 'Foo' | Error: Could not create the Java"
                + " Virtual Machine.");
    }

    /** A worker that ran out of memory while starting (its initializer): the same advice. */
    @Test
    void startFailureOutOfMemory() {
        assertThat(ExitDiagnosis.of(PID, 3).withOutOfMemory(HEAP).withHeapLimit(16 * MIB).startFailureMessage())
                .isEqualTo("the worker JVM (pid 1234) ran out of memory (java.lang.OutOfMemoryError: Java heap space)"
                        + " with a heap limit of 16 MiB and exited with code 3 before it was ready; raise the limit with"
                        + " jvmOptions(\"-Xmx...\") or use less memory per task");
    }

    /** A worker the pool killed while starting: the pool's part. */
    @Test
    void startFailureWithContext() {
        assertThat(ExitDiagnosis.of(PID, 137).withContext("it did not connect within the start timeout of 30 s")
                .startFailureMessage()).isEqualTo("the worker JVM (pid 1234) was killed by signal 9 (SIGKILL) before it"
                        + " was ready, after it did not connect within the start timeout of 30 s");
    }

    // ------------------------------------------------------------------------------ the exception

    /** toException carries the message, pid, exit code and tail. */
    @Test
    void toExceptionCarriesEverything() {
        ExitDiagnosis d = ExitDiagnosis.of(PID, 137).withStderrTail(List.of("x"));
        WorkerDiedException e = d.toException();
        assertThat(e).hasMessage(d.taskDeathMessage());
        assertThat(e.pid()).isEqualTo(PID);
        assertThat(e.exitCode()).isEqualTo(137);
        assertThat(e.signal()).hasValue(9);
        assertThat(e.stderrTail()).containsExactly("x");
    }

    /** with... returns a new diagnosis and leaves the first as it was. */
    @Test
    void withersLeaveTheOriginalAlone() {
        ExitDiagnosis plain = ExitDiagnosis.of(PID, 3);
        ExitDiagnosis oom = plain.withOutOfMemory(HEAP).withHeapLimit(MIB).withStderrTail(List.of("x")).withContext("c");
        assertThat(plain.isOutOfMemory()).isFalse();
        assertThat(plain.heapLimit()).isEqualTo(ExitDiagnosis.UNKNOWN_HEAP_LIMIT);
        assertThat(plain.stderrTail()).isEmpty();
        assertThat(plain.taskDeathMessage()).doesNotContain("after c");
        assertThat(oom.outOfMemory()).isEqualTo(HEAP);
        assertThat(oom.pid()).isEqualTo(PID);
        assertThat(oom.exitCode()).isEqualTo(3);
    }
}
