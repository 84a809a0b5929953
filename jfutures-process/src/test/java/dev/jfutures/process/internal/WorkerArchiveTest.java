package dev.jfutures.process.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jfutures.TaskExecutor;
import dev.jfutures.process.ProcessPool;
import dev.jfutures.process.Worker;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.net.URISyntaxException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link WorkerArchive} and {@link WorkerArchiveTrainer}: the key; when there is no archive; the
 * make (one trainer per key, its failure record, its lifeline); its use by a later pool; and that
 * an archive that is broken or does not match costs only speed: nothing extra in the workers'
 * output, and tasks run. Every test waits for the trainers it caused, and none may be left.
 *
 * <p>The workers' classpath is jars made here (jfutures-process, jfutures-core, and {@link
 * ArchiveTasks}): a classpath with a directory, as the rest of the suite's, gets no archive.
 */
class WorkerArchiveTest {

    /** The most a wait may take (a make, a worker): a bound for a hang, never a delay. */
    private static final Duration HANG = Duration.ofMinutes(3);
    private static final String JAVA = ProcessHandle.current().info().command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    private static final boolean PROC = Files.isDirectory(Path.of("/proc/self"));

    @TempDir
    static Path shared;
    private static Path core;
    private static Path process;
    private static Path tasks;
    /** The workers' classpath: the three jars. */
    private static String cp;
    /** An archive made once for {@link #cp}, in a directory of its own; tests copy it. */
    private static Path made;

    @TempDir
    Path dir;

    @BeforeAll
    static void jarsAndOneArchive() throws Exception {
        Path lib = Files.createDirectories(shared.resolve("lib"));
        process = asJar(location(Worker.class), lib.resolve("process.jar"));
        core = asJar(location(TaskExecutor.class), lib.resolve("core.jar"));
        tasks = lib.resolve("tasks.jar");
        jar(tasks, manifest(null), Map.of(ArchiveTasks.class.getName().replace('.', '/') + ".class",
                classBytes(ArchiveTasks.class)));
        cp = join(tasks, core, process);
        Path madeDir = shared.resolve("made");
        made = archive(madeDir, cp, List.of());
        try (ProcessPool pool = builder(cp, madeDir).build()) {
            assertThat(pool.submit(ArchiveTasks.answer()).result(HANG)).isEqualTo(42);
        }
        awaitTrainerOf(made).onExit().get(HANG.toMillis(), TimeUnit.MILLISECONDS);
        assertMade(made);
    }

    /** After each test: every trainer this JVM started has exited; no trainer process is left. */
    @AfterEach
    void noTrainerLeft() throws Exception {
        for (Process p : WorkerArchive.runningTrainers()) {
            p.onExit().get(HANG.toMillis(), TimeUnit.MILLISECONDS);
        }
        assertThat(trainerProcesses()).as("trainer JVMs left").isEmpty();
    }

    // ============================================================================== the key

    /** The same inputs give the same key; the classpath, a jar's mtime, the options, the JDK change it. */
    @Test
    void keyChangesWithClasspathJarMtimeOptionsAndJdk() throws Exception {
        Path jar = Files.copy(core, dir.resolve("core.jar"));
        String cp1 = join(tasks, jar, process);
        String k = key(JAVA, cp1, List.of());
        assertThat(key(JAVA, cp1, List.of())).as("same inputs").isEqualTo(k);
        assertThat(key(JAVA, join(jar, tasks, process), List.of())).as("another order").isNotEqualTo(k);
        assertThat(key(JAVA, join(tasks, jar), List.of())).as("fewer jars").isNotEqualTo(k);

        FileTime was = Files.getLastModifiedTime(jar);
        Files.setLastModifiedTime(jar, FileTime.fromMillis(was.toMillis() + 10_000));
        assertThat(key(JAVA, cp1, List.of())).as("a rebuilt jar (mtime)").isNotEqualTo(k);
        Files.setLastModifiedTime(jar, was);
        assertThat(key(JAVA, cp1, List.of())).as("the mtime back").isEqualTo(k);
        Files.write(jar, new byte[] {0}, StandardOpenOption.APPEND);
        Files.setLastModifiedTime(jar, was);
        assertThat(key(JAVA, cp1, List.of())).as("a rebuilt jar (size)").isNotEqualTo(k);

        assertThat(key(JAVA, cp, List.of("-Xmx64m"))).as("a user option").isNotEqualTo(key(JAVA, cp, List.of()));
        assertThat(WorkerArchive.key(JAVA, cp, List.of(), Map.of("JAVA_TOOL_OPTIONS", "-Xmx64m")))
                .as("options in the environment").isNotEqualTo(WorkerArchive.key(JAVA, cp, List.of(),
                        Map.of("JAVA_TOOL_OPTIONS", "-Xmx32m")));
    }

    /** Another JDK is another key, and so is the same JDK updated in place (its lib/modules). */
    @Test
    void keyChangesWithTheJdk() throws Exception {
        Path javaA = fakeJava(dir.resolve("jdk-a"));
        Path javaB = fakeJava(dir.resolve("jdk-b"));
        String a = key(javaA.toString(), cp, List.of());
        assertThat(key(javaB.toString(), cp, List.of())).as("another JDK").isNotEqualTo(a);
        assertThat(key(JAVA, cp, List.of())).as("this JVM's JDK").isNotEqualTo(a);
        Path modules = javaA.getParent().getParent().resolve("lib").resolve("modules");
        Files.setLastModifiedTime(modules, FileTime.fromMillis(Files.getLastModifiedTime(modules).toMillis() + 10_000));
        assertThat(key(javaA.toString(), cp, List.of())).as("the JDK updated in place").isNotEqualTo(a);
    }

    /** A classpath with a directory (or an empty entry) gets no archive, quietly: nothing is made. */
    @Test
    void noArchiveForADirectoryOnTheClasspath() throws Exception {
        String withDir = join(tasks, core, process) + File.pathSeparator + dir;
        assertThat(key(JAVA, withDir, List.of())).isNull();
        assertThat(key(JAVA, cp + File.pathSeparator, List.of())).as("an empty entry: the working directory")
                .isNull();
        Path cache = dir.resolve("cache");
        assertThat(WorkerArchive.options(cache, JAVA, withDir, List.of(), Map.of())).isEmpty();
        assertThat(cache).as("nothing made, not even the directory").doesNotExist();
    }

    /**
     * Options that manage class-data sharing themselves, and agents (with which the JVM refuses to
     * dump an archive), leave the pool's archive out.
     */
    @Test
    void noArchiveWhenTheUserManagesSharing() throws Exception {
        for (String o : List.of("-Xshare:off", "-XX:SharedArchiveFile=/x.jsa", "-XX:ArchiveClassesAtExit=/x.jsa",
                "-javaagent:/agent.jar", "-agentlib:jdwp=transport=dt_socket")) {
            assertThat(key(JAVA, cp, List.of(o))).as(o).isNull();
        }
        assertThat(WorkerArchive.key(JAVA, cp, List.of(), Map.of("JDK_JAVA_OPTIONS", "-Xmx1g -Xshare:off")))
                .isNull();
    }

    /**
     * A default cache directory must be ours alone (an archive planted there would be code in
     * every worker): made with mode 0700; one that others can write, or a link, is not used.
     */
    @Test
    void aCacheDirectoryThatIsNotOursAloneIsNotUsed() throws Exception {
        assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"), "POSIX permissions");
        Path ours = dir.resolve("a").resolve("cds");
        assertThat(WorkerArchive.privateDirectory(ours)).isTrue();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(ours))).isEqualTo("rwx------");
        Path open = Files.createDirectory(dir.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThat(WorkerArchive.privateDirectory(open)).as("writable by others").isFalse();
        Path link = Files.createSymbolicLink(dir.resolve("link"), ours);
        assertThat(WorkerArchive.privateDirectory(link)).as("a link").isFalse();
    }

    // ============================================================================== the make and its use

    /**
     * The first pool's make gives an archive that a later pool's workers start with: it is on their
     * command line, and mapped into them (the JVM took it); nothing extra in their output. The
     * make removed a stale temporary file of that key.
     */
    @Test
    void theMadeArchiveIsUsedByALaterPool() throws Exception {
        Path archive = archive(dir, cp, List.of());
        Files.createDirectories(dir);
        Path stale = WorkerArchive.temp(archive, "jsa", 1);
        Files.write(stale, new byte[] {1});
        try (ProcessPool first = builder(cp, dir).build()) {
            assertThat(first.submit(ArchiveTasks.answer()).result(HANG)).isEqualTo(42);
        }
        awaitTrainerOf(archive).onExit().get(HANG.toMillis(), TimeUnit.MILLISECONDS);
        assertMade(archive);
        assertThat(stale).as("a stale temporary file").doesNotExist();

        String out = captured(() -> {
            try (ProcessPool later = builder(cp, dir).build()) {
                assertThat(later.submit(ArchiveTasks.answer()).result(HANG)).isEqualTo(42);
                assumeTrue(PROC, "/proc shows a worker's command line and mappings");
                for (long pid : later.workerPids()) {
                    assertThat(cmdline(pid)).contains("-XX:SharedArchiveFile=" + archive);
                    assertThat(Files.readString(Path.of("/proc", Long.toString(pid), "maps")))
                            .as("the archive mapped into worker %s", pid).contains(archive.toString());
                }
            }
        });
        assertThat(out).as("the workers' output").isEmpty();
    }

    /**
     * The jars that a classpath jar's manifest Class-Path names (a {@code java -jar app.jar}
     * layout) are not in the key but in the ".ok": one that changes makes the archive unusable,
     * and it is deleted so that it is made again.
     */
    @Test
    void aJarThatAManifestNamesIsCheckedToo() throws Exception {
        Path lib = Files.createDirectories(dir.resolve("lib"));
        Path libCore = Files.copy(core, lib.resolve("core.jar"));
        Files.copy(process, lib.resolve("process.jar"));
        Files.copy(tasks, lib.resolve("tasks.jar"));
        Path app = dir.resolve("app.jar");
        jar(app, manifest("lib/core.jar lib/process.jar lib/tasks.jar"), Map.of());
        Path cache = dir.resolve("cache");
        Path archive = archive(cache, app.toString(), List.of());
        try (ProcessPool pool = builder(app.toString(), cache).build()) {
            assertThat(pool.submit(ArchiveTasks.answer()).result(HANG)).isEqualTo(42);
        }
        awaitTrainerOf(archive).onExit().get(HANG.toMillis(), TimeUnit.MILLISECONDS);
        assertMade(archive);
        assertThat(Files.readAllLines(WorkerArchive.sibling(archive, ".ok"))).filteredOn(l -> l.startsWith("jar "))
                .hasSize(3).anySatisfy(l -> assertThat(l).endsWith(" " + libCore));
        assertThat(WorkerArchive.options(cache, JAVA, app.toString(), List.of(), Map.of())).isNotEmpty();

        Files.setLastModifiedTime(libCore, FileTime.fromMillis(Files.getLastModifiedTime(libCore).toMillis() + 10_000));
        assertThat(WorkerArchive.options(cache, JAVA, app.toString(), List.of(), Map.of())).isEmpty();
        assertThat(WorkerArchive.sibling(archive, ".ok")).as("deleted, to be made again").doesNotExist();
    }

    /** Two pools built at once, with a key that has no archive yet, start one trainer between them. */
    @Test
    void twoPoolsAtOnceStartOneTrainer() throws Exception {
        Path archive = archive(dir, cp, List.of());
        int before = WorkerArchive.trainersStarted();
        CyclicBarrier together = new CyclicBarrier(2);
        List<CompletableFuture<ProcessPool>> pools = new ArrayList<>();
        // Two threads of their own: the common pool may have one thread on a 2-CPU machine, and
        // the two builds must be under way at once for the barrier to open.
        java.util.concurrent.ExecutorService two = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            for (int i = 0; i < 2; i++) {
                pools.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        together.await(HANG.toMillis(), TimeUnit.MILLISECONDS);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    return builder(cp, dir).build();
                }, two));
            }
            for (CompletableFuture<ProcessPool> f : pools) {
                f.get(HANG.toMillis(), TimeUnit.MILLISECONDS).close();
            }
        } finally {
            two.shutdownNow();
        }
        awaitTrainerOf(archive).onExit().get(HANG.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(WorkerArchive.trainersStarted() - before).isEqualTo(1);
        assertMade(archive);
    }

    /** While another JVM holds the key's lock (its make runs), a pool starts no trainer. */
    @Test
    void aMakeInAnotherJvmIsLeftToIt() throws Exception {
        Path archive = archive(dir, cp, List.of());
        Files.createDirectories(dir);
        Process holder = new ProcessBuilder(JAVA, "-cp", classesOf(LockHolder.class), LockHolder.class.getName(),
                WorkerArchive.sibling(archive, ".lock").toString()).redirectErrorStream(true).start();
        try {
            assertThat(new String(holder.getInputStream().readNBytes("locked\n".length()), UTF_8))
                    .isEqualTo("locked\n");
            int before = WorkerArchive.trainersStarted();
            try (ProcessPool pool = builder(cp, dir).build()) {
                assertThat(pool.submit(ArchiveTasks.answer()).result(HANG)).isEqualTo(42);
            }
            assertThat(WorkerArchive.attempt(archive).get(HANG.toMillis(), TimeUnit.MILLISECONDS)).isNull();
            assertThat(WorkerArchive.trainersStarted()).isEqualTo(before);
        } finally {
            holder.getOutputStream().close();
            holder.onExit().get(HANG.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * A make that fails records why and leaves nothing behind, and no new make starts within a day
     * of it. Here the training worker cannot start: a dynamic dump needs the JDK's base archive,
     * which -XX:-UseCompressedClassPointers rules out (workers with it start, without an archive).
     */
    @Test
    void aFailedMakeIsRecordedAndNotRetriedForADay() throws Exception {
        List<String> noBase = List.of("-XX:-UseCompressedClassPointers");
        Path archive = archive(dir, cp, noBase);
        try (ProcessPool pool = builder(cp, dir).jvmOptions(noBase.toArray(new String[0])).build()) {
            assertThat(pool.submit(ArchiveTasks.answer()).result(HANG)).isEqualTo(42);
        }
        Process trainer = awaitTrainerOf(archive);
        assertThat(trainer.onExit().get(HANG.toMillis(), TimeUnit.MILLISECONDS).exitValue()).isEqualTo(1);
        // Why, in the JDK's words, which differ: 17 refuses to start the training worker
        // ("DynamicDumpSharedSpaces is unsupported when base CDS archive is not loaded": the pool
        // is broken), 25 starts it and writes no archive.
        assertThat(Files.readString(WorkerArchive.sibling(archive, ".failed"))).isNotBlank();
        assertThat(WorkerArchive.sibling(archive, ".log")).isNotEmptyFile();
        assertThat(archive).doesNotExist();
        assertThat(tempFiles(dir)).isEmpty();

        assertThat(WorkerArchive.failedRecently(archive)).isTrue();
        Files.setLastModifiedTime(WorkerArchive.sibling(archive, ".failed"),
                FileTime.fromMillis(System.currentTimeMillis() - WorkerArchive.RETRY_AFTER_MILLIS - 60_000));
        assertThat(WorkerArchive.failedRecently(archive)).as("a day later").isFalse();
    }

    /**
     * A classpath jar whose manifest Class-Path names a directory (as in a build's tests) can have
     * no archive: that is recorded without starting a trainer.
     */
    @Test
    void aManifestNamingADirectoryIsRecordedWithoutATrainer() throws Exception {
        Path pathJar = dir.resolve("path.jar");
        jar(pathJar, manifest(dir.resolve("classes").toUri() + "/"), Map.of());
        Files.createDirectories(dir.resolve("classes").resolve("x"));
        Files.write(dir.resolve("classes").resolve("x").resolve("X.class"), new byte[] {0});
        String withManifest = join(pathJar, tasks, core, process);
        Path cache = dir.resolve("cache");
        Path archive = archive(cache, withManifest, List.of());
        int before = WorkerArchive.trainersStarted();
        try (ProcessPool pool = builder(withManifest, cache).build()) {
            assertThat(pool.submit(ArchiveTasks.answer()).result(HANG)).isEqualTo(42);
        }
        assertThat(WorkerArchive.attempt(archive).get(HANG.toMillis(), TimeUnit.MILLISECONDS)).isNull();
        assertThat(WorkerArchive.trainersStarted()).isEqualTo(before);
        assertThat(Files.readString(WorkerArchive.sibling(archive, ".failed"))).contains("names the directory");
        assertThat(WorkerArchive.failedRecently(archive)).isTrue();
    }

    /**
     * A trainer whose pool's JVM is gone (its stdin ended) gives up once the grace is over, leaving
     * no process, no temporary file and no failure record. Its training worker here pauses at its
     * start until a file is deleted (-XX:+PauseAtStartup), so the make cannot finish first.
     */
    @Test
    void theTrainerEndsSoonAfterItsPoolsJvm() throws Exception {
        List<String> paused = List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:+PauseAtStartup");
        Path archive = archive(dir, cp, paused);
        Process trainer = new ProcessBuilder(JAVA, "-cp", cp, WorkerArchiveTrainer.class.getName())
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("trainer.log").toFile())
                .start();
        try (OutputStream stdin = trainer.getOutputStream()) {
            stdin.write((archive + "\n" + JAVA + "\n" + cp + "\n" + paused.size() + "\n" + String.join("\n", paused)
                    + "\n").getBytes(UTF_8));
        }
        long start = System.nanoTime();
        trainer.onExit().get(HANG.toMillis(), TimeUnit.MILLISECONDS);
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(trainer.exitValue()).as("abandoned; %s", Files.readString(dir.resolve("trainer.log")))
                .isEqualTo(2);
        assertThat(tookMillis).isBetween(WorkerArchiveTrainer.GRACE_AFTER_POOL_MILLIS,
                WorkerArchiveTrainer.GRACE_AFTER_POOL_MILLIS + 15_000);
        // Its training worker (orphaned now, so found by its command line) follows it by its own lifeline.
        for (ProcessHandle h : processesNaming(dir.toString())) {
            h.onExit().get(10, TimeUnit.SECONDS);
        }
        assertThat(processesNaming(dir.toString())).isEmpty();
        assertThat(tempFiles(dir)).isEmpty();
        assertThat(WorkerArchive.sibling(archive, ".failed")).as("an abandoned make is no failure").doesNotExist();
    }

    // ============================================================================== broken archives

    /**
     * An archive whose bytes were changed (same size) is not used (its checksum) and is deleted;
     * tasks run, and nothing reaches the workers' output. (Such a file crashes JDK 17 and 25.)
     */
    @Test
    void anArchiveWithChangedBytesIsNotUsedAndIsSilent() throws Exception {
        Path archive = copyMade(dir);
        try (RandomAccessFile f = new RandomAccessFile(archive.toFile(), "rw")) {
            f.seek(f.length() / 2);
            f.write(new byte[4096]);
        }
        assertThat(WorkerArchive.options(dir, JAVA, cp, List.of(), Map.of())).isEmpty();
        assertThat(archive).as("deleted, to be made again").doesNotExist();
        assertRunsSilently(dir, cp, null);
    }

    /** A truncated archive is not used (its size); tasks run, silently. (It crashes JDK 17.) */
    @Test
    void aTruncatedArchiveIsNotUsedAndIsSilent() throws Exception {
        Path archive = copyMade(dir);
        try (FileChannel ch = FileChannel.open(archive, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() / 2);
        }
        assertThat(WorkerArchive.options(dir, JAVA, cp, List.of(), Map.of())).isEmpty();
        assertRunsSilently(dir, cp, null);
    }

    /**
     * An archive that the JVM itself rejects (made for another classpath, its ".ok" matching) is
     * given to the workers, and they run tasks without a word of it in their output.
     */
    @Test
    void anArchiveTheJvmRejectsIsSilent() throws Exception {
        String other = join(core, process, tasks);
        Path archive = foreignArchive(dir, other);
        assertThat(WorkerArchive.options(dir, JAVA, other, List.of(), Map.of()))
                .contains("-XX:SharedArchiveFile=" + archive);
        assertRunsSilently(dir, other, archive);
    }

    /**
     * The same rejected archive makes the JVM print warnings without {@link WorkerArchive#SILENT}
     * and nothing with it: the check of the test above can fail.
     */
    @Test
    void withoutTheSilentOptionTheJvmWouldSpeak() throws Exception {
        String other = join(core, process, tasks);
        Path archive = foreignArchive(dir, other);
        String plain = run(JAVA, "-cp", other, "-version");
        assertThat(run(JAVA, "-XX:SharedArchiveFile=" + archive, "-cp", other, "-version")).contains("cds")
                .isNotEqualTo(plain);
        assertThat(run(JAVA, "-XX:SharedArchiveFile=" + archive, WorkerArchive.SILENT, "-cp", other, "-version"))
                .isEqualTo(plain);
    }

    // ============================================================================== helpers

    /** The archive path of a key, as a pool with this classpath and options finds it in {@code dir}. */
    private static Path archive(Path dir, String classpath, List<String> options) throws IOException {
        return WorkerArchive.archiveFile(dir, key(JAVA, classpath, options));
    }

    private static String key(String java, String classpath, List<String> options) throws IOException {
        return WorkerArchive.key(java, classpath, options, Map.of());
    }

    private static ProcessPool.Builder builder(String classpath, Path cache) {
        return ProcessPool.builder().workers(2).classpath(classpath).classDataArchive(cache);
    }

    /** The trainer this JVM started for {@code archive}, once it is started. */
    private static Process awaitTrainerOf(Path archive) throws Exception {
        CompletableFuture<Process> attempt = WorkerArchive.attempt(archive);
        assertThat(attempt).as("a make decided on for %s", archive).isNotNull();
        Process p = attempt.get(HANG.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(p).as("a trainer started for %s", archive).isNotNull();
        return p;
    }

    /** The archive and its ".ok" are in place; if not, the message has the make's record and output. */
    private static void assertMade(Path archive) throws IOException {
        Path failed = WorkerArchive.sibling(archive, ".failed");
        Path log = WorkerArchive.sibling(archive, ".log");
        assertThat(WorkerArchive.sibling(archive, ".ok")).as("made; failed: %s; log: %s",
                Files.exists(failed) ? Files.readString(failed) : "-", Files.exists(log) ? Files.readString(log) : "-")
                .exists();
        assertThat(archive).exists();
    }

    /** {@link #made} and its ".ok", copied into {@code dir}: valid there too (the key has no directory). */
    private static Path copyMade(Path dir) throws IOException {
        Path archive = WorkerArchive.archiveFile(dir, key(JAVA, cp, List.of()));
        Files.copy(made, archive);
        Files.copy(WorkerArchive.sibling(made, ".ok"), WorkerArchive.sibling(archive, ".ok"));
        return archive;
    }

    /** {@link #made} under the key of another classpath, with a ".ok" that matches its bytes. */
    private static Path foreignArchive(Path dir, String classpath) throws IOException {
        Path archive = archive(dir, classpath, List.of());
        Files.copy(made, archive);
        WorkerArchive.writeOk(WorkerArchive.sibling(archive, ".ok"), archive, List.of());
        return archive;
    }

    /**
     * A pool on {@code classpath} with its archives in {@code dir} runs a task, its workers'
     * output empty; with {@code archive} not null, the workers were given it.
     */
    private static void assertRunsSilently(Path dir, String classpath, Path archive) throws Exception {
        String out = captured(() -> {
            try (ProcessPool pool = builder(classpath, dir).build()) {
                assertThat(pool.submit(ArchiveTasks.answer()).result(HANG)).isEqualTo(42);
                if (archive != null && PROC) {
                    for (long pid : pool.workerPids()) {
                        assertThat(cmdline(pid)).contains("-XX:SharedArchiveFile=" + archive);
                    }
                }
            }
        });
        assertThat(out).as("the workers' output").isEmpty();
    }

    private interface Body {
        void run() throws Exception;
    }

    /** What reaches System.out and System.err while {@code body} runs (the pools forward workers' output there). */
    private static synchronized String captured(Body body) throws Exception {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(bytes, true, UTF_8);
        System.setOut(capture);
        System.setErr(capture);
        try {
            body.run();
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        return bytes.toString(UTF_8);
    }

    private static String cmdline(long pid) throws IOException {
        return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), UTF_8)
                .replace('\0', ' ');
    }

    /** Runs a command to its end; its stdout and stderr together. */
    private static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), UTF_8);
        assertThat(p.waitFor(HANG.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        assertThat(p.exitValue()).as("%s: %s", List.of(cmd), out).isZero();
        return out;
    }

    /** The live processes whose command line has {@code text}. */
    private static List<ProcessHandle> processesNaming(String text) {
        return ProcessHandle.allProcesses()
                .filter(h -> h.isAlive() && h.pid() != ProcessHandle.current().pid()
                        && h.info().commandLine().orElse("").contains(text))
                .collect(Collectors.toList());
    }

    /** The trainer JVMs among this JVM's descendants. */
    private static List<ProcessHandle> trainerProcesses() {
        return ProcessHandle.current().descendants()
                .filter(h -> h.isAlive() && h.info().commandLine().orElse("")
                        .contains(WorkerArchiveTrainer.class.getName()))
                .collect(Collectors.toList());
    }

    private static List<Path> tempFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".tmp")).collect(Collectors.toList());
        }
    }

    /** A java command in a JDK home of its own: bin/java, release, lib/modules, lib/server/libjvm.so. */
    private static Path fakeJava(Path home) throws IOException {
        Path java = Files.createDirectories(home.resolve("bin")).resolve("java");
        Files.write(java, new byte[] {1});
        Files.writeString(home.resolve("release"), "JAVA_VERSION=\"" + home.getFileName() + "\"\n");
        Files.write(Files.createDirectories(home.resolve("lib")).resolve("modules"), new byte[] {2});
        Files.write(Files.createDirectories(home.resolve("lib").resolve("server")).resolve("libjvm.so"),
                new byte[] {3});
        return java;
    }

    /** Holds a file's lock (FileChannel, as a pool's make does) until its stdin ends. */
    static final class LockHolder {
        public static void main(String[] args) throws IOException {
            try (FileChannel ch = FileChannel.open(Path.of(args[0]), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE); FileLock lock = ch.lock()) {
                System.out.print(lock.isValid() ? "locked\n" : "not locked\n");
                System.out.flush();
                while (System.in.read() >= 0) {
                    // until the test closes stdin
                }
            }
        }
    }

    /** A directory with the class files of {@code c} (and its nested classes), for a child JVM. */
    private static String classesOf(Class<?> c) throws IOException {
        Path out = Files.createDirectories(shared.resolve("classes-" + c.getSimpleName()));
        String name = c.getName().replace('.', '/') + ".class";
        Path f = out.resolve(name);
        Files.createDirectories(f.getParent());
        Files.write(f, classBytes(c));
        return out.toString();
    }

    private static byte[] classBytes(Class<?> c) throws IOException {
        try (InputStream in = c.getResourceAsStream(c.getName().substring(c.getName().lastIndexOf('.') + 1)
                + ".class")) {
            assertThat(in).as("the class file of %s", c).isNotNull();
            return in.readAllBytes();
        }
    }

    private static Path location(Class<?> c) throws URISyntaxException {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    private static String join(Path... paths) {
        return Stream.of(paths).map(Path::toString).collect(Collectors.joining(File.pathSeparator));
    }

    private static Manifest manifest(String classPath) {
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (classPath != null) {
            mf.getMainAttributes().put(Attributes.Name.CLASS_PATH, classPath);
        }
        return mf;
    }

    private static void jar(Path jar, Manifest mf, Map<String, byte[]> entries) throws IOException {
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), mf)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                out.putNextEntry(new JarEntry(e.getKey()));
                out.write(e.getValue());
                out.closeEntry();
            }
        }
    }

    /** {@code location} (a directory of classes, or a jar) as the jar {@code target}, without module-info. */
    private static Path asJar(Path location, Path target) throws IOException {
        if (!Files.isDirectory(location)) {
            return Files.copy(location, target);
        }
        Map<String, byte[]> entries = new TreeMap<>();
        try (Stream<Path> files = Files.walk(location)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                String name = location.relativize(f).toString().replace(File.separatorChar, '/');
                if (!name.equals("module-info.class")) {
                    entries.put(name, Files.readAllBytes(f));
                }
            }
        }
        jar(target, manifest(null), entries);
        return target;
    }
}
