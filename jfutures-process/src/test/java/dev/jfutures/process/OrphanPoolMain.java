package dev.jfutures.process;

import dev.jfutures.TaskFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * A JVM for {@link ProcessChaosTest}'s orphan test: builds a ProcessPool of 2 prestarted workers,
 * runs tasks until both have served one (so both are connected and idle), prints {@code WORKERS
 * <pid> <pid>}, and then waits to be killed.
 */
public final class OrphanPoolMain {

    private OrphanPoolMain() {
    }

    static long pidAfterPause() throws InterruptedException {
        Thread.sleep(20);
        return ProcessHandle.current().pid();
    }

    /**
     * Runs the pool.
     *
     * @param args unused
     * @throws Exception if the pool fails
     */
    public static void main(String[] args) throws Exception {
        ProcessPool pool = ProcessPool.builder().workers(2).prestart(true).build();
        Set<Long> seen = new TreeSet<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (seen.size() < 2) {
            if (System.nanoTime() - deadline > 0) {
                System.out.println("FAILED only saw workers " + seen + " of " + pool.workerPids());
                System.exit(2);
            }
            List<TaskFuture<Long>> futures = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                futures.add(pool.submit(() -> pidAfterPause()));
            }
            for (TaskFuture<Long> f : futures) {
                seen.add(f.result());
            }
        }
        StringBuilder line = new StringBuilder("WORKERS");
        for (long pid : seen) {
            line.append(' ').append(pid);
        }
        System.out.println(line);
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
