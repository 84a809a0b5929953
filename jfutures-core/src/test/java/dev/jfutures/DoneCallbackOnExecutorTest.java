package dev.jfutures;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * {@link TaskFuture#addDoneCallback(java.util.function.Consumer, java.util.concurrent.Executor)} on
 * a {@link ThreadPool} future: the callback runs on the given executor, not on the pool's worker;
 * an executor that refuses it is logged and does not stop the callbacks after it.
 */
class DoneCallbackOnExecutorTest {

    /** The callback runs on the executor's thread, after the future is done, seeing its result. */
    @Test
    void callbackRunsOnTheGivenExecutorNotOnThePoolWorker() throws Exception {
        ExecutorService callbacks = Executors.newSingleThreadExecutor(r -> new Thread(r, "the-callback-thread"));
        CountDownLatch release = new CountDownLatch(1);
        try (ThreadPool pool = ThreadPool.builder().workers(1).threadNamePrefix("cb-pool").build()) {
            TaskFuture<String> f = pool.submit(() -> {
                release.await();
                return "v";
            });
            List<String> seen = Collections.synchronizedList(new ArrayList<>());
            CountDownLatch ran = new CountDownLatch(1);
            f.addDoneCallback(done -> {
                seen.add(Thread.currentThread().getName() + ":" + done.result());
                ran.countDown();
            }, callbacks);
            release.countDown();
            assertThat(ran.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(seen).containsExactly("the-callback-thread:v");
        } finally {
            release.countDown();
            callbacks.shutdown();
        }
    }

    /** A shut-down executor refuses the callback: logged at ERROR naming it and the future; the next callback runs. */
    @Test
    void aRefusedCallbackIsLoggedAndTheNextOneRuns() throws Exception {
        ExecutorService shutDown = Executors.newSingleThreadExecutor();
        shutDown.shutdown();
        List<LogRecord> records = Collections.synchronizedList(new ArrayList<>());
        Logger logger = Logger.getLogger("dev.jfutures");
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(capture);
        CountDownLatch release = new CountDownLatch(1);
        try (ThreadPool pool = ThreadPool.builder().workers(1).build()) {
            TaskFuture<String> f = pool.submit(() -> {
                release.await();
                return "v";
            });
            java.util.function.Consumer<TaskFuture<?>> named = new java.util.function.Consumer<>() {
                @Override
                public void accept(TaskFuture<?> done) {
                    throw new AssertionError("a refused callback must not run");
                }

                @Override
                public String toString() {
                    return "callback-named-for-the-log";
                }
            };
            CountDownLatch next = new CountDownLatch(1);
            f.addDoneCallback(named, shutDown);
            f.addDoneCallback(done -> next.countDown());
            release.countDown();
            assertThat(next.await(30, TimeUnit.SECONDS)).as("the callback after the refused one ran").isTrue();
            assertThat(records).anySatisfy(r -> {
                assertThat(r.getLevel()).isEqualTo(Level.SEVERE);
                assertThat(r.getMessage()).contains("callback-named-for-the-log").contains(f.toString());
                assertThat(r.getThrown()).isInstanceOf(RejectedExecutionException.class);
            });
        } finally {
            release.countDown();
            logger.removeHandler(capture);
        }
    }
}
