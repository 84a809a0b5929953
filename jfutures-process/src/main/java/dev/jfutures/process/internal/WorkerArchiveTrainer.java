package dev.jfutures.process.internal;

import dev.jfutures.MapOptions;
import dev.jfutures.MapResults;
import dev.jfutures.Task;
import dev.jfutures.TaskFuture;
import dev.jfutures.process.ProcessPool;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Serializable;
import java.math.BigDecimal;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The JVM that makes a {@link WorkerArchive}: started by a pool in the background, never by hand.
 * It runs a real pool of one worker with {@code -XX:ArchiveClassesAtExit}, sends it the kinds of
 * task a worker runs, then a task that exits the worker (which dumps the archive on its way out),
 * checks that a worker starts with the archive under {@code -Xshare:on}, and renames it into place.
 *
 * <pre>
 * java ... -cp WORKER_CLASSPATH dev.jfutures.process.internal.WorkerArchiveTrainer
 * stdin: ARCHIVE \n JAVA \n CLASSPATH \n N \n OPTION_1 \n ... OPTION_N \n, then kept open
 * </pre>
 *
 * <p>Exit codes: 0 the archive is made; 1 it could not be (why is in the ".failed" file, the
 * output in the ".log"); 2 abandoned: the pool's JVM went away (stdin ended) and the make did not
 * finish within {@link #GRACE_AFTER_POOL_MILLIS}.
 *
 * @since 0.1
 */
public final class WorkerArchiveTrainer {

    /*
     * Implementation notes.
     *
     * A real pool, not a look-alike: the training worker is started by ProcessPool with the
     * workers' own command line (java, classpath, the pool's options and the user's) plus
     * -XX:ArchiveClassesAtExit, so the archive holds what a worker of that pool loads, down to
     * the handshake, the started slot, the selector and the codec's fast paths, and its classpath
     * is the one the workers will have. No user code runs: no initializer, no task of theirs.
     *
     * Lifetime. stdin is the lifeline, as a worker's is: the pool's JVM holds the pipe and never
     * writes after the job; at end-of-file (that JVM exited, or died) the make may go on for
     * GRACE_AFTER_POOL_MILLIS, so that a short program still gets its archive made (a make takes
     * 1.5-4 s here), and is then abandoned; its training worker, whose own lifeline is this JVM,
     * follows within a second. The whole make is bounded by MAKE_TIMEOUT_MILLIS too. A watchdog
     * thread enforces both; the commit (two renames) runs under COMMIT, which the watchdog takes
     * before it deletes the temporary files, so it never cuts a commit in half.
     */

    /** The most a make may take; then it fails (and is not tried again for a day). */
    static final long MAKE_TIMEOUT_MILLIS = TimeUnit.MINUTES.toMillis(2);
    /** How long a make may go on once the pool's JVM is gone. */
    static final long GRACE_AFTER_POOL_MILLIS = TimeUnit.SECONDS.toMillis(10);
    /** The most one step (a worker's start, a task, a worker's exit) may take. */
    private static final Duration STEP = Duration.ofSeconds(60);

    private static final Object CLOCK = new Object();
    /** When the watchdog ends the make (System.nanoTime); guarded by CLOCK. */
    private static long deadline;
    /** Whether the pool's JVM went away (stdin ended); guarded by CLOCK. */
    private static boolean poolGone;
    /** Held while the archive is renamed into place; the watchdog waits for it. */
    private static final Object COMMIT = new Object();
    /** The pool running now (training or checking), for the watchdog to kill. */
    private static volatile ProcessPool current;
    private static Path archive;
    private static Path archiveTemp;
    private static Path okTemp;

    private WorkerArchiveTrainer() {
    }

    /**
     * Makes one archive; the job comes on stdin.
     *
     * @param args none
     */
    public static void main(String[] args) {
        synchronized (CLOCK) {
            deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MAKE_TIMEOUT_MILLIS);
        }
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String java;
        String classpath;
        List<String> options = new ArrayList<>();
        try {
            archive = Path.of(in.readLine());
            java = in.readLine();
            classpath = in.readLine();
            for (int n = Integer.parseInt(in.readLine()); n > 0; n--) {
                options.add(in.readLine());
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("jfutures worker archive: no job on stdin: " + e);
            Runtime.getRuntime().halt(1);
            return;
        }
        long pid = ProcessHandle.current().pid();
        archiveTemp = WorkerArchive.temp(archive, "jsa", pid);
        okTemp = WorkerArchive.temp(archive, "ok", pid);
        daemon(() -> {
            try {
                while (in.read() >= 0) {
                    // the pool never writes after the job; anything read is ignored
                }
            } catch (IOException e) {
                // a broken stdin is the pool's JVM gone too
            }
            synchronized (CLOCK) {
                long graceEnd = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(GRACE_AFTER_POOL_MILLIS);
                if (graceEnd - deadline < 0) {
                    deadline = graceEnd;
                }
                poolGone = true;
                CLOCK.notifyAll();
            }
        }, "jfutures-archive-lifeline");
        daemon(WorkerArchiveTrainer::watchdog, "jfutures-archive-watchdog");
        try {
            make(java, classpath, options);
            System.out.println("jfutures worker archive: made " + archive);
            System.out.flush();
            Runtime.getRuntime().halt(0);
        } catch (Exception e) {
            fail(e.getMessage() != null ? e.getMessage() : e.toString());
            Runtime.getRuntime().halt(1);
        }
    }

    private static void make(String java, String classpath, List<String> options) throws Exception {
        // Before the training: the jars as the dump sees them (one changed later is made again).
        List<String> manifestJars = WorkerArchive.manifestJars(classpath);
        long dumpMillis;
        try (ProcessPool pool = pool(java, classpath, options, "-XX:ArchiveClassesAtExit=" + archiveTemp)
                .initializer(() -> { })
                .build()) {
            current = pool;
            exercise(pool);
            List<Long> pids = pool.workerPids();
            // The worker ends itself, by System.exit in a task; its socket stays open while the JVM
            // dumps the archive on its way out. Not by close(): a worker that closed its channel
            // (as STOP does) gets 2 s to exit before the pool kills it, and on a busy machine the
            // dump can take longer: it would be killed, and leave nothing.
            long t0 = System.nanoTime();
            Task<Object> exit = () -> {
                System.exit(0);
                return null;
            };
            TaskFuture<Object> exited = pool.submit(exit);
            for (long pid : pids) {
                Optional<ProcessHandle> h = ProcessHandle.of(pid);
                if (h.isPresent()) {
                    h.get().onExit().get(STEP.toMillis(), TimeUnit.MILLISECONDS);
                }
            }
            dumpMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            exited.exception(STEP);   // WorkerDiedException: the exit is its end
        }
        System.out.println("jfutures worker archive: the training worker dumped it in " + dumpMillis + " ms");
        if (!Files.isRegularFile(archiveTemp) || Files.size(archiveTemp) == 0) {
            throw new IOException("the training worker wrote no archive (-XX:ArchiveClassesAtExit=" + archiveTemp
                    + "); its output is in " + WorkerArchive.sibling(archive, ".log"));
        }
        // -Xshare:on fails instead of falling back when the archive does not map or match.
        try (ProcessPool check = pool(java, classpath, options, "-Xshare:on", "-XX:SharedArchiveFile=" + archiveTemp)
                .build()) {
            current = check;
            Task<Integer> answer = () -> 42;
            Integer got;
            try {
                got = check.submit(answer).result(STEP);
            } catch (RuntimeException e) {
                throw new IOException("a worker does not start with the archive under -Xshare:on: " + e, e);
            }
            if (got != 42) {
                throw new IOException("a worker with the archive answered " + got + " instead of 42");
            }
        }
        current = null;
        WorkerArchive.writeOk(okTemp, archiveTemp, manifestJars);
        // On disk before the renames: after a power loss a renamed file may otherwise hold zeros.
        // Read-only (JDK 17 makes it so, 25 does not): nothing is to write to it in place.
        sync(archiveTemp);
        sync(okTemp);
        try {
            Files.setPosixFilePermissions(archiveTemp, PosixFilePermissions.fromString("r--r--r--"));
        } catch (UnsupportedOperationException notPosix) {
            archiveTemp.toFile().setReadOnly();
        }
        synchronized (COMMIT) {
            WorkerArchive.moveIntoPlace(archiveTemp, archive);
            WorkerArchive.moveIntoPlace(okTemp, WorkerArchive.sibling(archive, ".ok"));
            Files.deleteIfExists(WorkerArchive.sibling(archive, ".failed"));
        }
        cleanUp(archive.getParent());
        try {
            Files.deleteIfExists(WorkerArchive.sibling(archive, ".log"));
        } catch (IOException stillOpen) {
            // where an open file cannot be deleted (Windows) it stays; it is overwritten next time
        }
    }

    /** Flushes a file to disk; opened for reading, as JDK 17 writes an archive read-only. */
    private static void sync(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /** A pool like the user's for the workers' command line: same java, classpath and options. */
    private static ProcessPool.Builder pool(String java, String classpath, List<String> options, String... more) {
        return ProcessPool.builder()
                .workers(1)
                .classDataArchive(false)
                .daemon(true)
                .startTimeout(STEP)
                .javaCommand(java)
                .classpath(classpath)
                .jvmOptions(options.toArray(new String[0]))
                .jvmOptions(more);
    }

    // ============================================================================== training

    /** A value of the kinds a task captures and returns: a record, collections, JDK value types. */
    record Sample(String name, List<Integer> values, Map<String, Long> counts, Duration took, Instant at,
                  BigDecimal amount) implements Serializable {
    }

    /** Sends the kinds of task a worker runs; each answer is checked. */
    private static void exercise(ProcessPool pool) throws Exception {
        expect(pool.submit(() -> 1).result(STEP), 1);
        String text = "jfutures";
        long big = 1L << 40;
        double half = 0.5;
        boolean yes = true;
        byte[] bytes = {1, 2, 3};
        expect(pool.submit(() -> text.length() + big + (long) (half * 2) + (yes ? 1 : 0) + bytes.length)
                .result(STEP), 8L + big + 1 + 1 + 3);
        Map<String, Long> counts = new HashMap<>();
        counts.put("a", 1L);
        Sample sample = new Sample("s", List.of(1, 2, 3), counts, Duration.ofMillis(5), Instant.EPOCH, BigDecimal.TEN);
        expect(pool.submit(() -> new Sample(sample.name() + "!", new ArrayList<>(sample.values()), sample.counts(),
                sample.took(), sample.at(), sample.amount())).result(STEP).name(), "s!");
        TaskFuture<Object> failing = pool.submit(() -> {
            throw new IllegalStateException("jfutures worker archive: an expected failure");
        });
        expect(failing.exception(STEP).getClass(), IllegalStateException.class);
        expect(pool.submit((Runnable & Serializable) () -> System.out.print("")).result(STEP), null);
        expect(pool.submit(() -> {
            Thread.sleep(20);   // past Protocol.REPORT_DELAY_NANOS: the STARTED report and the take-over
            return "slept";
        }).result(STEP), "slept");
        List<Integer> inputs = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            inputs.add(i);
        }
        long sum = 0;
        try (MapResults<Integer> doubled = pool.map(x -> 2 * x, inputs, MapOptions.defaults().chunkSize(8))) {
            for (int x : doubled) {
                sum += x;
            }
        }
        expect(sum, 2L * 63 * 64 / 2);
        List<TaskFuture<Integer>> many = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            int n = i;
            many.add(pool.submit(() -> n + 1));
        }
        for (int i = 0; i < many.size(); i++) {
            expect(many.get(i).result(STEP), i + 1);
        }
    }

    private static void expect(Object got, Object expected) throws IOException {
        if (expected == null ? got != null : !expected.equals(got)) {
            throw new IOException("a training task answered " + got + " instead of " + expected);
        }
    }

    // ============================================================================== ending

    /** Ends the make at its deadline: kills what runs, removes what it wrote, and halts. */
    private static void watchdog() {
        boolean gone;
        synchronized (CLOCK) {
            for (long left; (left = deadline - System.nanoTime()) > 0; ) {
                try {
                    CLOCK.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException ignored) {
                    // nobody interrupts it; the deadline stands
                }
            }
            gone = poolGone;
        }
        synchronized (COMMIT) {
            ProcessPool p = current;
            if (p != null) {
                p.killWorkers();
            }
            if (gone) {
                deleteTemps();
                System.out.println("jfutures worker archive: abandoned, the pool's JVM is gone");
                System.out.flush();
                Runtime.getRuntime().halt(2);
            }
            fail("the make took longer than " + MAKE_TIMEOUT_MILLIS / 1000 + " s");
            Runtime.getRuntime().halt(1);
        }
    }

    /**
     * Records why the make failed (no new attempt for a day), and removes what it wrote. Once the
     * pool's JVM is gone, a failure is not recorded: it may be the abandonment's own doing.
     */
    private static void fail(String why) {
        deleteTemps();
        System.out.println("jfutures worker archive: failed: " + why);
        System.out.flush();
        synchronized (CLOCK) {
            if (poolGone) {
                return;
            }
        }
        try {
            Files.writeString(WorkerArchive.sibling(archive, ".failed"), why + "\n");
        } catch (IOException e) {
            System.out.println("jfutures worker archive: cannot record the failure: " + e);
        }
    }

    private static void deleteTemps() {
        try {
            Files.deleteIfExists(archiveTemp);
            Files.deleteIfExists(okTemp);
        } catch (IOException e) {
            System.out.println("jfutures worker archive: cannot delete " + archiveTemp + ": " + e);
        }
    }

    /**
     * Removes, in the cache directory, temporary files older than an hour (of trainers that died);
     * failure records, logs, and the locks of keys without an archive, older than a day; and the
     * archives beyond the {@link WorkerArchive#KEPT_ARCHIVES} most recently made, with their other
     * files.
     */
    private static void cleanUp(Path dir) throws IOException {
        long now = System.currentTimeMillis();
        List<Path> oks = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "worker-*")) {
            for (Path f : ds) {
                String n = f.getFileName().toString();
                long age = now - Files.getLastModifiedTime(f).toMillis();
                boolean old = age > WorkerArchive.RETRY_AFTER_MILLIS;
                if (n.endsWith(".tmp") && age > WorkerArchive.STALE_TEMP_MILLIS
                        || (n.endsWith(".failed") || n.endsWith(".log")) && old
                        || n.endsWith(".lock") && old && !Files.exists(f.resolveSibling(
                                n.substring(0, n.length() - ".lock".length()) + ".ok"))) {
                    Files.deleteIfExists(f);
                } else if (n.endsWith(".ok")) {
                    oks.add(f);
                }
            }
        }
        if (oks.size() <= WorkerArchive.KEPT_ARCHIVES) {
            return;
        }
        Map<Path, Long> made = new HashMap<>();
        for (Path ok : oks) {
            made.put(ok, Files.getLastModifiedTime(ok).toMillis());
        }
        oks.sort((a, b) -> Long.compare(made.get(b), made.get(a)));
        for (Path ok : oks.subList(WorkerArchive.KEPT_ARCHIVES, oks.size())) {
            String n = ok.getFileName().toString();
            Path jsa = ok.resolveSibling(n.substring(0, n.length() - ".ok".length()) + ".jsa");
            Files.deleteIfExists(ok);
            Files.deleteIfExists(jsa);
            Files.deleteIfExists(WorkerArchive.sibling(jsa, ".lock"));
        }
    }

    private static void daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
    }
}
