package dev.jfutures.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.jfutures.DoneAndNotDone;
import dev.jfutures.Futures;
import dev.jfutures.TaskFuture;
import dev.jfutures.TaskStatus;
import dev.jfutures.process.internal.WorkerClasspath;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Worker deaths at random, and the death of the pool's own JVM.
 *
 * <p>The chaos test's seed is printed; rerun a failing one with {@code
 * -Djfutures.chaos.seed=<seed>}.
 */
@Tag("slow")
class ProcessChaosTest extends ProcessTestBase {

    private static final int TASKS = 20_000;
    private static final int WORKERS = 4;
    private static final int SUBMITTERS = 4;
    private static final Duration KILL_EVERY = Duration.ofMillis(200);
    private static final Duration ALL_DONE_WITHIN = Duration.ofSeconds(150);

    /**
     * A chaos task: marks its run by creating a file of its own under {@code tasks} (so a second
     * run of the same task fails with {@link FileAlreadyExistsException}), marks its worker as
     * serving under {@code workers}, and returns i squared.
     */
    static long runOnce(String dir, int i) throws IOException {
        Files.createFile(Path.of(dir, "tasks", Integer.toString(i)));
        Path served = Path.of(dir, "workers", Long.toString(ProcessHandle.current().pid()));
        if (!Files.exists(served)) {
            try {
                Files.createFile(served);
            } catch (FileAlreadyExistsException raced) {
                // another task of this worker marked it
            }
        }
        return (long) i * i;
    }

    /**
     * 20k tasks, submitted from 4 threads to a pool of 4 workers, while a seeded chaos thread kills
     * a random worker (SIGKILL) every 200 ms: every future ends exactly once, each with its own
     * right result or a {@link WorkerDiedException}; no task runs twice; nothing hangs (all done
     * within 150 s); no worker process remains after shutdown.
     */
    @Test
    void everyFutureEndsOnceWhileWorkersAreKilledAtRandom(@TempDir Path dir) throws Exception {
        runChaos(dir, TASKS, pid -> true);
    }

    /**
     * The same with 10k tasks, killing only workers that have run a task (so are connected and
     * serving): a pool under chaos that spares starting workers never breaks, and every future
     * ends exactly once with its right result or a {@link WorkerDiedException}.
     */
    @Test
    void everyFutureEndsOnceWhileServingWorkersAreKilledAtRandom(@TempDir Path dir) throws Exception {
        runChaos(dir, TASKS / 2, pid -> Files.exists(dir.resolve("workers").resolve(Long.toString(pid))));
    }

    private void runChaos(Path dir, int tasks, java.util.function.LongPredicate victims) throws Exception {
        long seed = Long.getLong("jfutures.chaos.seed", System.nanoTime());
        System.out.println("chaos seed " + seed + " (rerun with -Djfutures.chaos.seed=" + seed + ")");
        System.err.println("chaos seed " + seed + " (rerun with -Djfutures.chaos.seed=" + seed + ")");
        Random random = new Random(seed);
        ProcessPool p = pool(ProcessPool.builder().workers(WORKERS));
        String marks = dir.toString();
        Files.createDirectories(dir.resolve("tasks"));
        Files.createDirectories(dir.resolve("workers"));

        AtomicReferenceArray<TaskFuture<Long>> futures = new AtomicReferenceArray<>(tasks);
        AtomicIntegerArray completions = new AtomicIntegerArray(tasks);
        List<Long> killed = new ArrayList<>();
        ScheduledExecutorService chaos = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "chaos");
            t.setDaemon(true);
            return t;
        });
        chaos.scheduleAtFixedRate(() -> {
            List<Long> pids = p.workerPids().stream().filter(victims::test).collect(Collectors.toList());
            if (!pids.isEmpty()) {
                long victim = pids.get(random.nextInt(pids.size()));
                synchronized (killed) {
                    killed.add(victim);
                }
                kill9(victim);
            }
        }, KILL_EVERY.toMillis(), KILL_EVERY.toMillis(), TimeUnit.MILLISECONDS);

        long t0 = System.nanoTime();
        List<Thread> submitters = new ArrayList<>();
        List<Throwable> submitFailures = new ArrayList<>();
        try {
            for (int s = 0; s < SUBMITTERS; s++) {
                int first = s;
                Thread t = new Thread(() -> {
                    for (int i = first; i < tasks; i += SUBMITTERS) {
                        int x = i;
                        TaskFuture<Long> f = p.submit(() -> runOnce(marks, x));
                        f.addDoneCallback(done -> completions.incrementAndGet(x));
                        futures.set(x, f);
                    }
                }, "chaos-submitter-" + s);
                t.setDaemon(true);
                t.setUncaughtExceptionHandler((th, e) -> {
                    synchronized (submitFailures) {
                        submitFailures.add(e);
                    }
                });
                submitters.add(t);
                t.start();
            }
            for (Thread t : submitters) {
                t.join(ALL_DONE_WITHIN.toMillis());
                assertThat(t.isAlive()).as("%s still submitting after %s", t.getName(), ALL_DONE_WITHIN).isFalse();
            }
            synchronized (submitFailures) {
                assertThat(submitFailures).as("submit() failures (seed %d)", seed).isEmpty();
            }
            List<TaskFuture<Long>> all = new ArrayList<>(tasks);
            for (int i = 0; i < tasks; i++) {
                all.add(futures.get(i));
            }
            Duration left = ALL_DONE_WITHIN.minusNanos(System.nanoTime() - t0);
            DoneAndNotDone<TaskFuture<Long>> waited = Futures.wait(all, left.isNegative() ? Duration.ZERO : left);
            if (!waited.notDone().isEmpty()) {
                fail("%d of %d futures not done %s after the start (seed %d); pool %s; first not done: %s%n%s",
                        waited.notDone().size(), tasks, ALL_DONE_WITHIN, seed, p,
                        waited.notDone().iterator().next(), threadDump(poolName(p)));
            }
        } finally {
            chaos.shutdownNow();
            chaos.awaitTermination(10, TimeUnit.SECONDS);
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

        int succeeded = 0;
        int died = 0;
        Map<String, Integer> unexpected = new LinkedHashMap<>();
        for (int i = 0; i < tasks; i++) {
            TaskFuture<Long> f = futures.get(i);
            if (f.status() == TaskStatus.SUCCEEDED) {
                assertThat(f.result()).as("result of task %d (seed %d)", i, seed).isEqualTo((long) i * i);
                succeeded++;
            } else if (f.status() == TaskStatus.FAILED && f.exception() instanceof WorkerDiedException) {
                died++;
            } else {
                String what = f.status() + " " + (f.status() == TaskStatus.FAILED ? f.exception() : "");
                unexpected.merge(what.length() > 300 ? what.substring(0, 300) : what, 1, Integer::sum);
            }
        }
        int kills;
        synchronized (killed) {
            kills = killed.size();
        }
        String stats = String.format("seed %d: %d tasks in %d ms, %d kills, %d succeeded, %d WorkerDiedException, "
                + "unexpected %s", seed, tasks, millis, kills, succeeded, died, unexpected);
        System.out.println(stats);
        assertThat(unexpected).as(stats).isEmpty();
        assertThat(kills).as("the chaos thread killed workers: " + stats).isPositive();
        // A callback runs once a future is done; give the last ones their moment, then count.
        awaitCondition(Duration.ofSeconds(10), "every done callback ran", () -> {
            for (int i = 0; i < tasks; i++) {
                if (completions.get(i) == 0) {
                    return false;
                }
            }
            return true;
        });
        for (int i = 0; i < tasks; i++) {
            assertThat(completions.get(i)).as("completions of task %d (%s)", i, stats).isEqualTo(1);
        }
        try (var files = Files.list(dir.resolve("tasks"))) {
            assertThat(files.count()).as("tasks that ran (each at most once): at least the %d that succeeded", succeeded)
                    .isBetween((long) succeeded, (long) succeeded + died);
        }
    }

    // ------------------------------------------------------------------------------ orphans

    /**
     * The workers of a pool whose JVM is killed with SIGKILL (so no shutdown code of it runs) end
     * within 2 s: their stdin lifeline closes when the parent dies.
     */
    @Test
    void workersEndWithinTwoSecondsOfTheirPoolJvmsKill9() throws Exception {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // The classpath a worker of this JVM gets: java.class.path alone lacks jfutures when the
        // tests run on the module path.
        Process child = new ProcessBuilder(java, "-cp", WorkerClasspath.resolve(null),
                OrphanPoolMain.class.getName()).redirectErrorStream(true).start();
        List<Long> workers = new ArrayList<>();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
                StringBuilder all = new StringBuilder();
                try {
                    for (String l; (l = out.readLine()) != null; ) {
                        if (l.startsWith("WORKERS ")) {
                            return l;
                        }
                        all.append(l).append('\n');
                    }
                } catch (IOException e) {
                    all.append(e);
                }
                return "ENDED " + all;
            });
            String workersLine;
            try {
                workersLine = line.get(HANG.toSeconds(), TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                fail("the child pool did not report its workers within %s", HANG);
                return;
            }
            assertThat(workersLine).startsWith("WORKERS ");
            for (String pid : workersLine.substring("WORKERS ".length()).trim().split(" ")) {
                workers.add(Long.parseLong(pid));
            }
            assertThat(workers).hasSize(2);
            List<Long> descendants = child.descendants().map(ProcessHandle::pid).collect(Collectors.toList());
            assertThat(descendants).as("the workers are the child JVM's children").containsAll(workers);

            long killedAt = System.nanoTime();
            child.toHandle().destroyForcibly();
            assertThat(child.waitFor(10, TimeUnit.SECONDS)).as("the pool's JVM died").isTrue();
            for (long pid : workers) {
                Duration left = Duration.ofSeconds(2).minusNanos(System.nanoTime() - killedAt);
                assertThat(awaitExit(pid, left.isNegative() ? Duration.ZERO : left))
                        .as("worker %d gone within 2 s of its pool JVM's death (workers %s)", pid, workers).isTrue();
            }
        } finally {
            child.destroyForcibly();
            for (long pid : workers) {
                kill9(pid);
            }
        }
    }
}
