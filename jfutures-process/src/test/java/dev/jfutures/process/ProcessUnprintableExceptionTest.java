package dev.jfutures.process;

import dev.jfutures.Task;
import dev.jfutures.TaskFuture;
import dev.jfutures.TaskStatus;
import dev.jfutures.WaitTimeoutException;
import dev.jfutures.remote.RemoteTaskException;
import dev.jfutures.testkit.Tasks;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * A task whose exception cannot be described (its {@code getMessage()}, {@code toString()} or
 * {@code printStackTrace()} throws) still fails its future, within a bounded wait, with an
 * exception that names the thrown class; and the worker that ran it goes on to run the next task.
 * A worker must never lose its task thread to an exception it was only trying to report.
 *
 * <p>What "names the thrown class" accepts: the future's exception is an instance of the thrown
 * class (rebuilt in this JVM), or its message contains the thrown class's name (a stand-in such as
 * {@link RemoteTaskException}). The message of the future's exception is read defensively: for the
 * class whose {@code getMessage()} throws, only a stand-in can carry a message at all.
 */
class ProcessUnprintableExceptionTest extends ProcessTestBase {

    /** An exception whose {@code getMessage()} throws (and so its {@code toString()} and stack trace too). */
    static final class MessageThrows extends RuntimeException {
        private static final long serialVersionUID = 1L;

        MessageThrows() {
            super("never read");
        }

        @Override
        public String getMessage() {
            throw new IllegalStateException("getMessage() of MessageThrows refuses");
        }
    }

    /** An exception whose {@code toString()} throws (and so its stack trace's first line). */
    static final class ToStringThrows extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ToStringThrows() {
            super("a plain message");
        }

        @Override
        public String toString() {
            throw new IllegalStateException("toString() of ToStringThrows refuses");
        }
    }

    /** An exception whose {@code printStackTrace} throws, whichever stream it is given. */
    static final class StackTraceThrows extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StackTraceThrows() {
            super("a plain message");
        }

        @Override
        public void printStackTrace(PrintStream s) {
            throw new IllegalStateException("printStackTrace() of StackTraceThrows refuses");
        }

        @Override
        public void printStackTrace(PrintWriter s) {
            throw new IllegalStateException("printStackTrace() of StackTraceThrows refuses");
        }
    }

    static Object throwMessageThrows() {
        throw new MessageThrows();
    }

    static Object throwToStringThrows() {
        throw new ToStringThrows();
    }

    static Object throwStackTraceThrows() {
        throw new StackTraceThrows();
    }

    /** A task whose exception's {@code getMessage()} throws fails its future; its worker runs the next task. */
    @Test
    void exceptionWhoseGetMessageThrowsFailsTheTaskAndTheWorkerLives() {
        assertFailsAndWorkerLives(() -> throwMessageThrows(), MessageThrows.class);
    }

    /** A task whose exception's {@code toString()} throws fails its future; its worker runs the next task. */
    @Test
    void exceptionWhoseToStringThrowsFailsTheTaskAndTheWorkerLives() {
        assertFailsAndWorkerLives(() -> throwToStringThrows(), ToStringThrows.class);
    }

    /** A task whose exception's {@code printStackTrace()} throws fails its future; its worker runs the next task. */
    @Test
    void exceptionWhosePrintStackTraceThrowsFailsTheTaskAndTheWorkerLives() {
        assertFailsAndWorkerLives(() -> throwStackTraceThrows(), StackTraceThrows.class);
    }

    /**
     * Runs {@code task} on a 1-worker pool: its future fails within {@link #HANG} with an exception
     * naming {@code thrown}, and the same worker then runs the next task.
     */
    private void assertFailsAndWorkerLives(Task<Object> task, Class<? extends Throwable> thrown) {
        ProcessPool p = pool(ProcessPool.builder().workers(1).prestart(true));
        List<Long> before = p.workerPids();
        assertThat(before).hasSize(1);

        TaskFuture<Object> f = p.submit(task);
        Throwable e;
        try {
            e = f.exception(HANG);
        } catch (WaitTimeoutException hung) {
            TaskStatus status = f.status();
            String state = p.toString();
            abandon(p);
            throw new AssertionError("a task throwing " + thrown.getName() + " was still " + status + " after " + HANG
                    + "; pool " + state, hung);
        }
        assertThat(f.status()).isEqualTo(TaskStatus.FAILED);
        if (!thrown.isInstance(e)) {
            String message = safeMessage(e);
            if (message == null || !message.contains(thrown.getName())) {
                fail("the future's exception neither is a %s nor names it in its message: %s: %s", thrown.getName(),
                        e.getClass().getName(), message);
            }
        }

        assertThat(p.submit(() -> Tasks.mul(6, 7)).result(HANG)).as("the next task's result").isEqualTo(42);
        assertThat(p.submit(() -> ProbeTasks.pid()).result(HANG)).as("the worker that ran it").isEqualTo(before.get(0));
        assertThat(p.workerPids()).as("the same worker, alone").isEqualTo(before);
    }

    /** The exception's message, or a note saying that reading it threw. */
    private static String safeMessage(Throwable e) {
        try {
            return e.getMessage();
        } catch (RuntimeException refused) {
            return "(its getMessage() threw " + refused.getClass().getName() + ")";
        }
    }
}
