package dev.jfutures;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A promise made with a callback executor: its callbacks never run on the completing thread, its
 * waiters and internal listeners still wake there, and the executor's own cancel bypasses the gate.
 */
class CallbackExecutorTest {

    /** Runs each task on a new thread, and records them. */
    private static final class Recording implements Executor {
        final List<Thread> threads = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void execute(Runnable task) {
            Thread t = new Thread(task, "callback-executor-test");
            threads.add(t);
            t.start();
        }

        void join() throws InterruptedException {
            for (Thread t : new ArrayList<>(threads)) {
                t.join(TimeUnit.SECONDS.toMillis(30));
            }
        }
    }

    /** Callbacks added before completion run on the executor, in the order added, in one task. */
    @Test
    void callbacksRunOnTheExecutorInOrder() throws InterruptedException {
        Recording exec = new Recording();
        TaskPromise<String> p = new TaskPromise<>(exec);
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        AtomicReference<Thread> ran = new AtomicReference<>();
        for (int i = 0; i < 5; i++) {
            int n = i;
            p.future().addDoneCallback(f -> {
                ran.set(Thread.currentThread());
                seen.add("cb" + n + ":" + f.result());
            });
        }
        p.setResult("v");
        exec.join();
        assertThat(seen).containsExactly("cb0:v", "cb1:v", "cb2:v", "cb3:v", "cb4:v");
        assertThat(exec.threads).hasSize(1);
        assertThat(ran.get()).isSameAs(exec.threads.get(0)).isNotSameAs(Thread.currentThread());
    }

    /** A slow callback does not hold up the completing thread, and a waiter wakes before it ends. */
    @Test
    void slowCallbackDoesNotStallCompletion() throws Exception {
        Recording exec = new Recording();
        TaskPromise<Integer> p = new TaskPromise<>(exec);
        CountDownLatch release = new CountDownLatch(1);
        p.future().addDoneCallback(f -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        CountDownLatch waiterWoke = new CountDownLatch(1);
        Thread waiter = new Thread(() -> {
            p.future().result();
            waiterWoke.countDown();
        });
        waiter.start();
        p.setResult(7);   // returns although the callback blocks
        assertThat(waiterWoke.await(30, TimeUnit.SECONDS)).isTrue();
        release.countDown();
        waiter.join();
        exec.join();
    }

    /** Futures.wait's listener (internal) fires in the completing thread, not on the executor. */
    @Test
    void internalListenersFireInline() {
        Executor never = task -> {
            throw new AssertionError("no user callback was added: the executor must not be used");
        };
        TaskPromise<Integer> p = new TaskPromise<>(never);
        Thread completer = new Thread(() -> p.setResult(1));
        completer.start();
        DoneAndNotDone<TaskFuture<Integer>> r = Futures.wait(List.of(p.future()), Duration.ofSeconds(30),
                ReturnWhen.ALL_COMPLETED);
        assertThat(r.done()).containsExactly(p.future());
    }

    /** A callback added to a done future runs at once in the caller, as on any future. */
    @Test
    void callbackAddedAfterCompletionRunsInCaller() {
        Executor never = task -> {
            throw new AssertionError("must not be used for a done future");
        };
        TaskPromise<Integer> p = new TaskPromise<>(never);
        p.setResult(1);
        AtomicReference<Thread> ran = new AtomicReference<>();
        p.future().addDoneCallback(f -> ran.set(Thread.currentThread()));
        assertThat(ran.get()).isSameAs(Thread.currentThread());
    }

    /** An executor that refuses (it has shut down): the callbacks still run, in the completer. */
    @Test
    void refusingExecutorRunsCallbacksInline() {
        Executor refusing = task -> {
            throw new RejectedExecutionException("shut down");
        };
        TaskPromise<Integer> p = new TaskPromise<>(refusing);
        List<Thread> ran = new ArrayList<>();
        p.future().addDoneCallback(f -> ran.add(Thread.currentThread()));
        p.setResult(1);
        assertThat(ran).containsExactly(Thread.currentThread());
    }

    /** setCancelled cancels a pending future without asking its gate, and wakes its waiters. */
    @Test
    void setCancelledBypassesTheGate() {
        TaskPromise<Integer> p = new TaskPromise<>();
        p.setCancelGate(() -> {
            throw new AssertionError("the executor's own cancel must not ask the gate");
        });
        assertThat(p.setCancelled()).isTrue();
        assertThat(p.future().isCancelled()).isTrue();
        assertThat(p.setCancelled()).isFalse();
    }

    /** setCancelled refuses a running or done future. */
    @Test
    void setCancelledRefusesStartedFuture() {
        TaskPromise<Integer> p = new TaskPromise<>();
        assertThat(p.setRunning()).isTrue();
        assertThat(p.setCancelled()).isFalse();
        p.setResult(3);
        assertThat(p.setCancelled()).isFalse();
        assertThat(p.future().result()).isEqualTo(3);
    }

    /** toString of a future failed with an exception whose toString throws names the class. */
    @Test
    void toStringSurvivesAnExceptionWhoseToStringThrows() {
        TaskPromise<Integer> p = new TaskPromise<>();
        p.setException(new Unprintable());
        assertThat(p.future().toString()).contains("failed: " + Unprintable.class.getName());
    }

    /** An exception whose toString and getMessage throw. */
    static final class Unprintable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        @Override
        public String getMessage() {
            throw new IllegalStateException("getMessage");
        }

        @Override
        public String toString() {
            throw new IllegalStateException("toString");
        }
    }
}
