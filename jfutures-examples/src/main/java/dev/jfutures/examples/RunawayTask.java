package dev.jfutures.examples;

import dev.jfutures.TaskFuture;
import dev.jfutures.process.ProcessPool;
import java.io.PrintStream;
import java.time.Duration;

/**
 * What threads cannot do: stop a runaway task. On a {@link ProcessPool} a task that runs past its
 * timeout has its worker JVM killed; the pool replaces the worker and the other tasks go on.
 *
 * <pre>
 * java dev.jfutures.examples.RunawayTask
 * </pre>
 */
public final class RunawayTask {

    private RunawayTask() {
    }

    /**
     * Runs the example.
     *
     * @param args none
     */
    public static void main(String[] args) {
        run(System.out);
    }

    /**
     * Submits a task that never ends, with a 2-second timeout, next to one that does.
     *
     * @param out where to print
     * @return the exception the runaway task ended with
     */
    public static Throwable run(PrintStream out) {
        try (ProcessPool pool = ProcessPool.builder().workers(2).jvmOptions("-Xmx256m").build()) {
            TaskFuture<Integer> stuck = pool.submit(() -> {
                while (true) {
                    Thread.onSpinWait();
                }
            }, Duration.ofSeconds(2));
            TaskFuture<Integer> fine = pool.submit(() -> 6 * 7);
            out.println("fine: " + fine.result());
            Throwable e = stuck.exception();
            out.println("stuck: " + e);
            out.println("after: " + pool.submit(() -> "the pool goes on").result());
            return e;
        }
    }
}
