package dev.jfutures.process;

import dev.jfutures.Task;
import dev.jfutures.remote.TaskNotSerializableException;

import java.io.Serializable;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A ProcessPool used through an {@code ExecutorService}-typed reference, as code written for
 * {@code java.util.concurrent} uses it: serializable callables work in {@code submit}, {@code
 * invokeAll} and {@code invokeAny}; a task that is not serializable fails at once with a message
 * that says exactly what to write instead, and nothing is queued.
 */
class ProcessExecutorServiceTypedTest extends ProcessTestBase {

    private ExecutorService service() {
        return pool(ProcessPool.builder().workers(2));
    }

    /** submit of a lambda cast to Task returns its result through a plain Future. */
    @Test
    void submitOfASerializableCallableWorks() throws Exception {
        ExecutorService es = service();
        Future<Integer> f = es.submit((Task<Integer>) () -> 6 * 7);
        assertThat(f.get(HANG.toSeconds(), TimeUnit.SECONDS)).isEqualTo(42);
    }

    /** invokeAll of serializable callables returns every result, in order. */
    @Test
    void invokeAllOfSerializableCallablesWorks() throws Exception {
        ExecutorService es = service();
        List<Callable<Integer>> tasks = List.of((Task<Integer>) () -> 1, (Task<Integer>) () -> 2,
                (Callable<Integer> & Serializable) () -> 3);
        List<Future<Integer>> fs = es.invokeAll(tasks);
        assertThat(fs).hasSize(3);
        assertThat(fs.get(0).get()).isEqualTo(1);
        assertThat(fs.get(1).get()).isEqualTo(2);
        assertThat(fs.get(2).get()).isEqualTo(3);
    }

    /** invokeAny of serializable callables returns the result of one that succeeded. */
    @Test
    void invokeAnyOfSerializableCallablesWorks() throws Exception {
        ExecutorService es = service();
        List<Callable<String>> tasks = List.of((Task<String>) () -> {
            throw new IllegalStateException("this one fails");
        }, (Task<String>) () -> "ok");
        assertThat(es.invokeAny(tasks, HANG.toSeconds(), TimeUnit.SECONDS)).isEqualTo("ok");
    }

    /** A Callable lambda (not Serializable) fails at submit, saying how to write it as a Task. */
    @Test
    void plainCallableLambdaIsRefusedWithTheCastToWrite() {
        ExecutorService es = service();
        Callable<Integer> plain = () -> 1;
        assertThatThrownBy(() -> es.submit(plain))
                .isInstanceOf(TaskNotSerializableException.class)
                .hasMessageContaining(plain.getClass().getName())
                .hasMessageContaining("(Task<T>) () -> ...");
        assertThatThrownBy(() -> es.invokeAll(List.of(plain))).isInstanceOf(TaskNotSerializableException.class);
        assertThat(((ProcessPool) es).workerPids()).as("nothing was started for it").isEmpty();
    }

    /** A Runnable lambda (not Serializable) fails at submit and execute, saying how to cast it. */
    @Test
    void plainRunnableLambdaIsRefusedWithTheCastToWrite() {
        ExecutorService es = service();
        Runnable plain = () -> { };
        assertThatThrownBy(() -> es.submit(plain))
                .isInstanceOf(TaskNotSerializableException.class)
                .hasMessageContaining("(Runnable & java.io.Serializable) () -> ...");
        assertThatThrownBy(() -> es.execute(plain))
                .isInstanceOf(TaskNotSerializableException.class)
                .hasMessageContaining("(Runnable & java.io.Serializable) () -> ...");
    }

    /** A serializable Runnable runs, through submit and execute. */
    @Test
    void serializableRunnableRuns() throws Exception {
        ExecutorService es = service();
        Runnable r = (Runnable & Serializable) () -> { };
        assertThat(es.submit(r).get(HANG.toSeconds(), TimeUnit.SECONDS)).isNull();
        assertThat(es.submit(r, "done").get(HANG.toSeconds(), TimeUnit.SECONDS)).isEqualTo("done");
    }

    /**
     * CompletableFuture.supplyAsync(..., pool) hands the pool a task of CompletableFuture's own,
     * which cannot cross to a worker: it fails at once, and the message says what to write instead;
     * what it says works.
     */
    @Test
    void supplyAsyncIsRefusedNamingToCompletableFuture() throws Exception {
        ExecutorService es = service();
        assertThatThrownBy(() -> CompletableFuture.supplyAsync(() -> 1, es))
                .isInstanceOf(TaskNotSerializableException.class)
                .hasMessageContaining("pool.submit(task).toCompletableFuture()");
        CompletableFuture<Integer> cf = ((ProcessPool) es).submit(() -> 41 + 1).toCompletableFuture();
        assertThat(cf.get(HANG.toSeconds(), TimeUnit.SECONDS)).isEqualTo(42);
    }
}
