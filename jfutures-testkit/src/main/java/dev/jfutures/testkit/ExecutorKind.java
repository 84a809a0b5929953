package dev.jfutures.testkit;

import dev.jfutures.TaskExecutor;
import java.util.List;

/**
 * One kind of executor under test, and what the conformance suites need to know of it: how to
 * make one, how tasks on it wait and report back, what it can leak, and which program plays the
 * JVM-exit scenarios with it. This is the testkit's extension point: an executor of your own gets
 * one implementation of this interface, and one test class that runs every suite with it, each
 * suite a {@code @Nested} class of one line:
 *
 * <pre>{@code
 * class MyPoolConformanceTest {
 *     static final ExecutorKind KIND = new MyPoolKind();
 *
 *     @Nested class FutureTest extends FutureTests { FutureTest() { super(KIND); } }
 *     @Nested class WaitTest extends WaitTests { WaitTest() { super(KIND); } }
 *     @Nested class ShutdownTest extends ShutdownTests { ShutdownTest() { super(KIND); } }
 *     // ... one line per suite
 * }
 * }</pre>
 *
 * <p>The suites do the rest: each test gets a fresh executor from {@link #newExecutor} (plus any
 * it asks for), and after the test every one of them is shut down, awaited, checked for
 * termination, and then handed to {@link #assertNoLeaks}. Tasks in the suites are serializable
 * lambdas that capture only serializable values, so that a kind may run them in other processes
 * or on other machines; the kind's {@link #newGate} and {@link #newLog} must then reach across.
 *
 * <p>An implementation holds no per-test state: one instance serves every test of every suite.
 *
 * @since 0.1
 */
public interface ExecutorKind {

    /**
     * Makes a new executor of this kind.
     *
     * @param spec the number of workers and the initializer
     * @return a new executor, not yet shut down
     * @since 0.1
     */
    TaskExecutor newExecutor(ExecutorSpec spec);

    /**
     * A closed gate that tasks on executors of this kind can wait on, and that the test opens.
     * The default serves executors that run tasks in this JVM; a kind that runs them elsewhere
     * returns a gate that works from there (for processes on this machine, {@link
     * LoopbackChannels#newGate()}).
     *
     * @return a new closed gate
     * @since 0.1
     */
    default Gate newGate() {
        return LocalChannels.newGate();
    }

    /**
     * An empty log that tasks on executors of this kind can append to, and that the test reads.
     * The default serves executors that run tasks in this JVM; see {@link #newGate()}.
     *
     * @return a new empty log
     * @since 0.1
     */
    default SharedLog newLog() {
        return LocalChannels.newLog();
    }

    /**
     * Checks that an executor of this kind left nothing behind once it terminated: threads,
     * processes, files, members, whatever it can leak. The suites call it only after they have
     * checked that {@code e} terminated, so this need not check that again.
     *
     * @param e a terminated executor made by {@link #newExecutor}
     * @throws AssertionError if something of {@code e} is left
     * @since 0.1
     */
    void assertNoLeaks(TaskExecutor e);

    /**
     * The main class and arguments of a program that plays one of {@link ExitProbe}'s scenarios
     * ({@link ExitProbe#INTERPRETER_SHUTDOWN}, {@link ExitProbe#SUBMIT_AFTER_INTERPRETER_SHUTDOWN},
     * {@link ExitProbe#SUBMIT_AFTER_INTERPRETER_SHUTDOWN_STARTED}, {@link ExitProbe#HANG_GH83386})
     * with an executor of this kind, for {@link ShutdownTests}. It runs with this JVM's {@code
     * java} and class path ({@link ExitProbe#run}).
     *
     * @param scenario the scenario
     * @return main class and arguments, e.g. {@code ExitProbe.command("platform", scenario)}; JVM
     *     options may come first
     * @since 0.1
     */
    List<String> exitProbe(String scenario);
}
