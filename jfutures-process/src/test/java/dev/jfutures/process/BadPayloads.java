package dev.jfutures.process;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamException;
import java.io.Serializable;

/**
 * CPython test_deadlock.py's bad objects ({@code CrashAtPickle}, {@code ExitAtUnpickle}, {@code
 * ErrorAtPickle}, ...) mapped to Java serialization: pickling is {@code writeObject}, unpickling is
 * {@code readObject}; a crash is the JVM sending itself SIGKILL, an exit is {@code System.exit(1)},
 * an error is a {@link PicklingError} or {@link UnpicklingError}. A crash or an exit never happens in
 * the test JVM: each object carries the test JVM's pid and throws instead there.
 */
final class BadPayloads {

    private BadPayloads() {
    }

    /** What a bad object does when it is written or read. */
    enum Fault {
        /** The JVM kills itself with SIGKILL (CPython: a segfault). */
        CRASH,
        /** {@code System.exit(1)}. */
        EXIT,
        /** Throws {@link PicklingError} when written, {@link UnpicklingError} when read. */
        ERROR,
        /** Throws an unchecked exception ({@link IllegalStateException}). */
        RUNTIME_EXCEPTION,
        /** Throws an {@link Error} ({@link SerializationCrash}). */
        ERROR_THROWABLE;

        void fire(long testPid, boolean writing) throws ObjectStreamException {
            switch (this) {
                case CRASH:
                    ProbeTasks.crash(testPid);
                    break;
                case EXIT:
                    ProbeTasks.exit(testPid, 1);
                    break;
                case ERROR:
                    throw writing ? new PicklingError("Error in pickle") : new UnpicklingError("Error in unpickle");
                case RUNTIME_EXCEPTION:
                    throw new IllegalStateException(writing ? "RuntimeException in pickle" : "RuntimeException in unpickle");
                case ERROR_THROWABLE:
                    throw new SerializationCrash(writing ? "Error thrown in pickle" : "Error thrown in unpickle");
                default:
                    throw new AssertionError(this);
            }
        }
    }

    /** CPython's {@code pickle.PicklingError}. */
    static final class PicklingError extends ObjectStreamException {
        private static final long serialVersionUID = 1L;

        PicklingError(String message) {
            super(message);
        }
    }

    /** CPython's {@code pickle.UnpicklingError}. */
    static final class UnpicklingError extends ObjectStreamException {
        private static final long serialVersionUID = 1L;

        UnpicklingError(String message) {
            super(message);
        }
    }

    /** An {@link Error} thrown by a serialization method: the nearest a deserializer gets to an exit. */
    static final class SerializationCrash extends Error {
        private static final long serialVersionUID = 1L;

        SerializationCrash(String message) {
            super(message);
        }
    }

    /** Misbehaves when serialized ({@code CrashAtPickle}, {@code ExitAtPickle}, {@code ErrorAtPickle}). */
    static final class AtWrite implements Serializable {
        private static final long serialVersionUID = 1L;
        private final Fault fault;
        private final long testPid;

        AtWrite(Fault fault, long testPid) {
            this.fault = fault;
            this.testPid = testPid;
        }

        private void writeObject(ObjectOutputStream out) throws IOException {
            fault.fire(testPid, true);
            out.defaultWriteObject();
        }
    }

    /** Misbehaves when deserialized ({@code CrashAtUnpickle}, {@code ExitAtUnpickle}, {@code ErrorAtUnpickle}). */
    static final class AtRead implements Serializable {
        private static final long serialVersionUID = 1L;
        private final Fault fault;
        private final long testPid;

        AtRead(Fault fault, long testPid) {
            this.fault = fault;
            this.testPid = testPid;
        }

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            fault.fire(testPid, false);
        }
    }

    /**
     * A task's exception that misbehaves when it is deserialized in the test JVM (the pool), and
     * only there: in the worker it is thrown and serialized as usual.
     */
    static final class ExceptionFailingInPool extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final Fault fault;
        private final long testPid;

        ExceptionFailingInPool(String message, Fault fault, long testPid) {
            super(message);
            this.fault = fault;
            this.testPid = testPid;
        }

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            if (ProcessHandle.current().pid() == testPid) {
                fault.fire(testPid, false);
            }
        }
    }

    /** Throws an {@link ExceptionFailingInPool}. */
    static Object throwExceptionFailingInPool(Fault fault, long testPid) {
        throw new ExceptionFailingInPool("thrown in the worker", fault, testPid);
    }
}
