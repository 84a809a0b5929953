package consumer;

import dev.jfutures.Futures;
import dev.jfutures.TaskExecutor;
import dev.jfutures.TaskFuture;
import dev.jfutures.ThreadPool;
import dev.jfutures.process.ProcessPool;
import dev.jfutures.remote.TaskTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The README's two examples, as a user writes them; prints what .ci/consumer-check checks. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        List<String> paths = List.of(args);
        // The README's first example: call, then answer as completed.
        long total = 0;
        try (TaskExecutor pool = ThreadPool.builder().workers(4).build()) {
            List<TaskFuture<Long>> answers = new ArrayList<>();
            for (String path : paths) {
                answers.add(pool.submit(() -> Files.size(Path.of(path))));       // call
            }
            for (TaskFuture<Long> answer : Futures.asCompleted(answers)) {        // answer, as completed
                total += answer.result();
            }
        }
        System.out.println("thread pool: " + paths.size() + " files, " + total + " bytes");

        // The README's runaway task: its timeout costs one worker JVM, not the pool.
        try (ProcessPool pool = ProcessPool.builder().workers(2).jvmOptions("-Xmx256m").build()) {
            TaskFuture<Integer> stuck = pool.submit(() -> { while (true) { Thread.onSpinWait(); } }, Duration.ofSeconds(2));
            TaskFuture<Integer> fine = pool.submit(() -> 6 * 7);
            System.out.println("process pool: " + fine.result());
            Throwable e = stuck.exception();
            System.out.println("runaway: " + (e instanceof TaskTimeoutException ? "timed out" : String.valueOf(e)));
            long here = ProcessHandle.current().pid();
            long there = pool.submit(() -> ProcessHandle.current().pid()).result();
            System.out.println("worker is another JVM: " + (there != here));
        }
        System.out.println("module: " + Main.class.getModule().getName());
    }
}
