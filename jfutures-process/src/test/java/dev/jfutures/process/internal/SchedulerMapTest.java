package dev.jfutures.process.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jfutures.AbstractTaskExecutor;
import dev.jfutures.MapOptions;
import dev.jfutures.MapResults;
import dev.jfutures.TaskFailedException;
import dev.jfutures.TaskFuture;
import dev.jfutures.TaskPromise;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * {@code map} over the scheduler while workers die: in every schedule, each input gets its own
 * outcome at its own position (its value, or a failure exactly when the chunk holding it was lost
 * with a worker that had started it), and nothing shifts.
 */
class SchedulerMapTest {

    private static final int INPUTS = 30;

    /** An executor whose calls go into the model's scheduler. */
    private static final class ModelExecutor extends AbstractTaskExecutor {
        final SchedulerModel model;
        final List<TaskFuture<?>> handedOut = new ArrayList<>();
        final List<Call> calls = new ArrayList<>();

        ModelExecutor(SchedulerModel model) {
            this.model = model;
        }

        @Override
        protected int parallelism() {
            return 2;
        }

        @Override
        public <T> TaskFuture<T> submit(Callable<T> task) {
            TaskPromise<T> p = new TaskPromise<>();
            Call c = model.submitTask(task, p);
            if (c == null) {
                throw new RejectedExecutionException("the model pool is shut down");
            }
            handedOut.add(p.future());
            calls.add(c);
            return p.future();
        }

        @Override
        public void shutdown(boolean wait, boolean cancelFutures) {
            model.requestShutdown();
        }

        @Override
        public java.util.List<Runnable> shutdownNow() {
            model.requestShutdown();
            return List.of();
        }

        @Override
        public boolean isShutdown() {
            return false;
        }

        @Override
        public boolean isTerminated() {
            return false;
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) {
            return false;
        }
    }

    /** Chunks of 4 over 30 inputs, a buffer of 3, two workers, up to two deaths, many seeds. */
    @Test
    void everyInputGetsItsOwnOutcomeAtItsPosition() {
        for (int seed = 1; seed <= 1500; seed++) {
            runOnce(seed, 4);
        }
    }

    /** The same with one input per task. */
    @Test
    void everyInputGetsItsOwnOutcomeUnchunked() {
        for (int seed = 1; seed <= 500; seed++) {
            runOnce(seed, 1);
        }
    }

    private static void runOnce(int seed, int chunk) {
        SchedulerModel.Config cfg = new SchedulerModel.Config();
        cfg.calls = 0;
        cfg.cancels = 0;
        cfg.gaveUp = 0;
        cfg.interrupts = 0;
        cfg.timeouts = false;
        cfg.autoShutdown = false;
        cfg.idle = false;
        cfg.startFailures = 0;
        SchedulerModel model = new SchedulerModel(cfg);
        ModelExecutor exec = new ModelExecutor(model);
        List<Integer> inputs = IntStream.range(0, INPUTS).boxed().collect(Collectors.toList());
        MapResults<Integer> results = exec.map(x -> x * 3, inputs, MapOptions.defaults().chunkSize(chunk).bufferSize(3));
        List<Object> outcomes = new ArrayList<>();
        int[] consumed = {0};
        model.afterStep(() -> {
            // A chunk is taken only while every future handed out is done, so that next() can
            // never block this single thread, even on an iterator that loses count.
            while (outcomes.size() < INPUTS && consumed[0] < exec.handedOut.size()
                    && exec.handedOut.stream().allMatch(TaskFuture::isDone)) {
                int size = Math.min(chunk, INPUTS - consumed[0] * chunk);
                for (int j = 0; j < size; j++) {
                    try {
                        outcomes.add(results.next());
                    } catch (TaskFailedException e) {
                        outcomes.add(e);
                    }
                }
                consumed[0]++;
            }
            if (outcomes.size() == INPUTS) {
                model.requestShutdown();
            }
        });
        Random rnd = new Random(seed * 31L + chunk);
        try {
            model.run(rnd::nextInt, 400);
            assertThat(outcomes).as("outcomes").hasSize(INPUTS);
            assertThat(results.hasNext()).isFalse();
            for (int i = 0; i < INPUTS; i++) {
                Object o = outcomes.get(i);
                Call holder = exec.calls.get(i / chunk);
                SchedulerModel.Ghost g = model.ghosts().stream().filter(x -> x.call == holder).findFirst().get();
                if (o instanceof TaskFailedException) {
                    assertThat(g.lostWithWorker).as("input %d failed, so its chunk was lost with a worker", i).isTrue();
                } else {
                    assertThat(o).as("outcome at position %d", i).isEqualTo(i * 3);
                }
            }
        } catch (AssertionError e) {
            throw new AssertionError("seed " + seed + ", chunk " + chunk + ": " + e.getMessage(), e);
        }
    }
}
