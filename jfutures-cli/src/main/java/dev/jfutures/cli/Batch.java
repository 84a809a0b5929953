package dev.jfutures.cli;

import dev.jfutures.Futures;
import dev.jfutures.Task;
import dev.jfutures.TaskExecutor;
import dev.jfutures.TaskFailedException;
import dev.jfutures.TaskFuture;
import dev.jfutures.process.WorkerDiedException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.RejectedExecutionException;

/**
 * Runs one task per file on an executor, and reports each failure as it comes: the directory
 * mode of compress and decompress. Every task is submitted at once; results are taken in the
 * order they complete, so that the progress bar and the failures show up while the rest still
 * runs. A failure of one file, including its worker JVM dying or the executor breaking, is
 * reported and counted, and the other files go on.
 */
final class Batch {

    /**
     * One file's work.
     *
     * @param input the input as the user named it
     * @param output the output file
     * @param task does it all in the worker (reads, converts, writes); returns null on success,
     *     else the line to report ({@code INPUT: problem})
     */
    record Job(String input, Path output, Task<String> task) {
    }

    private Batch() {
    }

    /**
     * Runs every job, and prints a line per failure on {@code bar} (as {@code jfutures COMMAND: ...}).
     *
     * @param command the command's name, for the failure lines
     * @param executor the executor's name, for its failures
     * @param pool the executor
     * @param jobs the files
     * @param bar the progress bar (it may draw nothing); it counts done tasks from the executor's
     *     events if it was added to it as a listener, and the failures from here
     * @return how many failed
     */
    static int run(String command, String executor, TaskExecutor pool, List<Job> jobs, ProgressBar bar) {
        int failed = 0;
        Map<TaskFuture<String>, Job> running = new IdentityHashMap<>();
        List<TaskFuture<String>> futures = new ArrayList<>(jobs.size());
        for (Job job : jobs) {
            try {
                TaskFuture<String> f = pool.submit(job.task());
                running.put(f, job);
                futures.add(f);
            } catch (RejectedExecutionException e) {   // BrokenExecutorException among them
                failed++;
                bar.skipped();
                bar.println("jfutures " + command + ": " + Problems.ofTask(job.input(), executor, e));
            }
        }
        for (TaskFuture<String> f : Futures.asCompleted(futures)) {
            Job job = running.remove(f);
            String problem;
            try {
                problem = f.result();
            } catch (TaskFailedException e) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                if (cause instanceof WorkerDiedException) {
                    OutputFile.removeLeftovers(job.output());   // it may have died while writing
                }
                problem = Problems.ofTask(job.input(), executor, cause);
            } catch (CancellationException e) {
                problem = job.input() + ": cancelled";
            }
            if (problem != null) {
                failed++;
                bar.failed();
                bar.println("jfutures " + command + ": " + problem);
            }
        }
        bar.finish();
        return failed;
    }
}
