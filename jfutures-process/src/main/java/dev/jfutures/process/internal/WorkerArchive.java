package dev.jfutures.process.internal;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringTokenizer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.zip.CRC32C;

/**
 * The class-data archive of a pool's worker JVMs: a dynamic CDS archive ({@code
 * -XX:ArchiveClassesAtExit}) of the classes a worker loads, made once per JDK, classpath and JVM
 * options by a background JVM ({@link WorkerArchiveTrainer}), kept in a cache directory, and given
 * to every later worker with the same key ({@code -XX:SharedArchiveFile}). Not API: the module
 * {@code dev.jfutures.process} does not export this package.
 *
 * <p>{@link #options} is all a pool calls, at {@code build()}: it returns the options to add to the
 * worker command line, empty when there is no usable archive yet (and then, once per key per
 * machine, it starts the making in the background; the pool never waits for it). A broken or
 * mismatched archive costs only speed: it is checked before use, and what the JVM itself rejects
 * it rejects silently.
 *
 * @since 0.1
 */
public final class WorkerArchive {

    /*
     * Implementation notes.
     *
     * The cache directory holds, per key K (a hash of what makes an archive valid, below):
     *   worker-K.jsa     the archive, renamed into place whole (never written in place)
     *   worker-K.ok      written (renamed into place) after it: the archive's size and CRC-32C,
     *                    and the jars that a classpath jar's manifest Class-Path brought in, with
     *                    their size and mtime. No .ok, no use: a .jsa alone is a make under way or
     *                    one that died between the two renames.
     *   worker-K.lock    held (FileChannel.tryLock) by the JVM that started the trainer, until the
     *                    trainer exits: one trainer per key per machine
     *   worker-K.failed  why the last make failed; no new attempt for a day after its mtime
     *   worker-K.log     the trainer's output (its own, and its worker's), for a failure
     *   worker-K.*.tmp   a make under way; older than an hour, stale
     *
     * Why the checks before use. The JVM validates an archive's header and its classpath (each
     * jar's size and mtime) and, under -Xlog:cds*=off, falls back silently when they do not match.
     * But measured here: a truncated dynamic archive crashes JDK 17 at start (SIGBUS in
     * FileMapInfo::relocate_pointers_in_core_regions), and a few bytes overwritten inside one crash
     * JDK 17 and 25 alike (SIGSEGV). -XX:+VerifySharedSpaces would catch both, but it checksums
     * the JDK's base archive too, at every start: +7..20 ms on 17, +40..50 ms on 25. So the pool
     * checks the archive's size against its .ok at every build() (one stat) and its CRC-32C once
     * per JVM and file (size, mtime): a read of a few MB from the page cache.
     *
     * What the JVM prints for an archive it rejects goes to the worker's stdout (unified logging,
     * [warning][cds] and [error][cds]: JDK 17 for a mismatched classpath, JDK 25 also for a
     * truncated, foreign or unreadable file), which the pool forwards to the user. -Xlog:cds*=off
     * turns off exactly the tag sets with cds in them, on 17 and 25 alike (the aot tag of 25 does
     * not exist on 17, where -Xlog:aot=off stops the JVM); every other warning and error of the
     * worker stays where it was. The user's own -Xlog options come after it and win.
     *
     * The key: the java command and its JDK (home, release file, lib/modules, libjvm.so: size and
     * mtime; java.vm.version when it is this JVM's JDK), the classpath string and every entry's
     * size and mtime (a wildcard's jars, by name), the user's JVM options (all of them: most
     * cannot change an archive's validity, but -Xmx can turn compressed oops off, GC and -XX:
     * flags can), and JAVA_TOOL_OPTIONS, JDK_JAVA_OPTIONS and _JAVA_OPTIONS as the workers will
     * see them. The pool's own options need no line: they come from jfutures-process's jar, whose
     * size and mtime are in the key. A classpath with a directory gets no archive: a dynamic dump
     * refuses a non-empty directory on the classpath. A jar that a manifest's Class-Path brings in
     * is not in the key (finding it would open every jar at every build()); the trainer lists
     * those in the .ok and build() checks them (one stat each), making the archive again when one
     * changed.
     *
     * At most one make per archive per JVM (ATTEMPTS), whatever its outcome: an archive deleted as
     * unusable after this JVM made it is made again by the next JVM, not by this one, so nothing can
     * loop on makes. Across JVMs the lock, and the .failed record for a day.
     *
     * Cost at build(): the key is one stat per classpath entry and a SHA-256 of some lines; use is
     * a read of the .ok and a stat of the archive: some 60-100 us here. The first use in a JVM adds
     * the CRC, about 2 ms for the 2.6 MB of a worker archive plus the first use of FileChannel
     * (measured here: 2 shared cores). The first SHA-256 initializes the JDK's security providers,
     * some 20 ms, which the pool's SecureRandom right after would otherwise pay (it then takes 1 ms).
     * The hot path has no lambda and no regex (see WorkerClasspath: their first use costs some
     * 15 ms).
     */

    /** The format of the .ok file, and of the training: a change makes every archive again. */
    static final String FORMAT = "jfutures-worker-archive 1";
    /** What keeps a rejected archive silent: the tag sets with cds, on 17 and 25. */
    static final String SILENT = "-Xlog:cds*=off";
    /** How long a failed make keeps the next attempt away. */
    static final long RETRY_AFTER_MILLIS = TimeUnit.DAYS.toMillis(1);
    /** A temporary file older than this is left over from a trainer that died. */
    static final long STALE_TEMP_MILLIS = TimeUnit.HOURS.toMillis(1);
    /** Archives kept in one directory; the trainer deletes the least recently made beyond this. */
    static final int KEPT_ARCHIVES = 16;
    /** The trainer's own JVM: light, as it runs beside the user's work. */
    private static final String[] TRAINER_JVM_OPTIONS = {"-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-XX:-UsePerfData", "-Xmx64m", "-Xss512k"};
    /** Run the trainer under {@code nice} where there is one, below the user's work. */
    private static final Path NICE = Path.of("/usr/bin/nice");
    /**
     * Prefixes of the user's options with which the pool adds no archive: those that manage
     * class-data sharing themselves (theirs, or off), and agents, with which the JVM refuses to
     * dump one ("CDS dumping does not support native JVMTI agent", "Must enable
     * AllowArchivingWithJavaAgent").
     */
    private static final String[] NO_ARCHIVE_OPTIONS = {"-Xshare", "-XX:SharedArchiveFile",
        "-XX:ArchiveClassesAtExit", "-XX:+AutoCreateSharedArchive", "-XX:SharedClassListFile",
        "-XX:DumpLoadedClassList", "-XX:AOT", "-XX:+UseSharedSpaces", "-XX:-UseSharedSpaces",
        "-javaagent", "-agentlib", "-agentpath"};
    /** Environment variables the java launcher or the JVM read options from. */
    private static final String[] OPTION_VARIABLES = {"JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS"};
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /**
     * The makes this JVM decided on, by archive: at most one each per JVM. Each completes with the
     * trainer it started, or null when it started none (made meanwhile, failed recently, the lock
     * held by another JVM's make, the directory not writable); guarded by itself.
     */
    private static final Map<Path, CompletableFuture<Process>> ATTEMPTS = new HashMap<>();
    /** How many trainers this JVM started (for tests). */
    private static final AtomicInteger TRAINERS_STARTED = new AtomicInteger();
    /** Archives whose CRC this JVM checked, with the "size mtime crc" they had then. */
    private static final Map<Path, String> VERIFIED = new HashMap<>();
    /** The trainers this JVM runs, with what is held for each: stdin (the lifeline) and the lock. */
    private static final Map<Process, Launch> RUNNING = new HashMap<>();
    /** The default directory, once found (null: none usable); guarded by the class. */
    private static Path defaultDirectory;
    private static boolean defaultDirectoryFound;

    private WorkerArchive() {
    }

    /**
     * The options that give a worker its class-data archive: {@code -XX:SharedArchiveFile} and
     * what keeps a rejected archive silent, when an archive for this key is made and checks out.
     * Otherwise none, and the making is started in the background, once per key per machine (not
     * again for a day after it failed); the caller never waits for it. None either for a classpath
     * with a directory (or an empty entry), or when the user's options (or the option variables of
     * the environment) manage class-data sharing themselves ({@code -Xshare:...}, {@code
     * -XX:SharedArchiveFile}, ...) or load an agent.
     *
     * @param directory the cache directory, or null for the default ({@code
     *     $XDG_CACHE_HOME/jfutures/cds}, else {@code ~/.cache/jfutures/cds}, else {@code
     *     java.io.tmpdir/jfutures-cds-USER})
     * @param java the workers' java command
     * @param classpath the workers' classpath, entries absolute
     * @param jvmOptions the user's JVM options for workers (the pool's own are fixed by its jar)
     * @param environment what the pool adds to the workers' environment
     * @return the options to put before the user's JVM options; empty if none
     * @since 0.1
     */
    public static List<String> options(Path directory, String java, String classpath, List<String> jvmOptions,
                                       Map<String, String> environment) {
        try {
            // The key first: a classpath with a directory goes no further, not even to the directory.
            String key = key(java, classpath, jvmOptions, environment);
            if (key == null) {
                return List.of();
            }
            Path dir = directory != null ? directory.toAbsolutePath() : defaultDirectory();
            if (dir == null) {
                return List.of();
            }
            Path archive = archiveFile(dir, key);
            if (usable(archive)) {
                return List.of("-XX:SharedArchiveFile=" + archive, SILENT);
            }
            maybeMake(dir, archive, java, classpath, jvmOptions, environment);
        } catch (IOException | RuntimeException e) {
            // An archive is only speed: whatever goes wrong here, the worker starts without one.
            log(System.Logger.Level.DEBUG, "no class-data archive for the workers: " + e);
        }
        return List.of();
    }

    // ============================================================================== the key

    /**
     * The key of an archive: a hash of what makes it valid (see the implementation notes).
     *
     * @return 32 hex digits, or null when these workers can have no archive
     */
    static String key(String java, String classpath, List<String> jvmOptions, Map<String, String> environment)
            throws IOException {
        StringBuilder s = new StringBuilder(512);
        s.append(FORMAT).append('\n');
        for (String o : jvmOptions) {
            if (rulesOutAnArchive(o)) {
                return null;
            }
            s.append("option ").append(o).append('\n');
        }
        for (String name : OPTION_VARIABLES) {
            String value = environment.containsKey(name) ? environment.get(name) : System.getenv(name);
            if (value != null) {
                for (StringTokenizer t = new StringTokenizer(value); t.hasMoreTokens(); ) {
                    if (rulesOutAnArchive(t.nextToken())) {
                        return null;
                    }
                }
                s.append("env ").append(name).append('=').append(value).append('\n');
            }
        }
        // An empty entry (two separators in a row, or one at an end) is the working directory.
        String sep = File.pathSeparator;
        if (classpath.isEmpty() || classpath.startsWith(sep) || classpath.endsWith(sep)
                || classpath.contains(sep + sep)) {
            return null;
        }
        appendJdk(s, java);
        s.append("classpath ").append(classpath).append('\n');
        for (StringTokenizer t = new StringTokenizer(classpath, sep); t.hasMoreTokens(); ) {
            if (!appendEntry(s, t.nextToken())) {
                return null;
            }
        }
        return hash(s);
    }

    private static boolean rulesOutAnArchive(String option) {
        for (String p : NO_ARCHIVE_OPTIONS) {
            if (option.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    /** The JDK of {@code java}: its home and the files a JDK update changes. */
    private static void appendJdk(StringBuilder s, String java) throws IOException {
        s.append("java ").append(java).append('\n');
        Path command = command(java);
        if (command == null) {
            return;
        }
        Path bin = command.getParent();
        Path home = bin == null ? null : bin.getParent();
        if (home == null) {
            return;
        }
        s.append("home ").append(home).append('\n');
        if (home.equals(real(Path.of(System.getProperty("java.home"))))) {
            s.append("vm ").append(System.getProperty("java.vm.version")).append('\n');
        }
        appendStat(s, home.resolve("release"));
        appendStat(s, home.resolve("lib").resolve("modules"));
        appendStat(s, home.resolve("lib").resolve("server").resolve("libjvm.so"));
    }

    /** The real path of the java command, looked up on PATH if it has no directory; null if not found. */
    private static Path command(String java) {
        Path p = Path.of(java);
        if (p.getParent() == null) {
            String path = System.getenv("PATH");
            if (path == null) {
                return null;
            }
            for (StringTokenizer t = new StringTokenizer(path, File.pathSeparator); t.hasMoreTokens(); ) {
                Path candidate = Path.of(t.nextToken(), java);
                if (Files.isExecutable(candidate)) {
                    return real(candidate);
                }
            }
            return null;
        }
        return Files.exists(p) ? real(p) : null;
    }

    /** One classpath entry; false if it is a directory (no archive then). */
    private static boolean appendEntry(StringBuilder s, String entry) throws IOException {
        if (entry.endsWith(File.separator + "*") || entry.equals("*")) {
            // The launcher expands it to the directory's jars; the key has them by name.
            Path dir = Path.of(entry.substring(0, entry.length() - 1));
            List<String> names = new ArrayList<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
                for (Path f : ds) {
                    String n = f.getFileName().toString();
                    if (n.endsWith(".jar") || n.endsWith(".JAR")) {
                        names.add(n);
                    }
                }
            } catch (NoSuchFileException missing) {
                s.append("missing ").append(entry).append('\n');
                return true;
            }
            Collections.sort(names);
            for (String n : names) {
                if (!appendStat(s, dir.resolve(n))) {
                    return false;
                }
            }
            return true;
        }
        return appendStat(s, Path.of(entry));
    }

    /** A file's size and mtime, or that it is missing; false if it is a directory. */
    private static boolean appendStat(StringBuilder s, Path p) throws IOException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(p, BasicFileAttributes.class);
        } catch (NoSuchFileException missing) {
            s.append("missing ").append(p).append('\n');
            return true;
        }
        if (a.isDirectory()) {
            return false;
        }
        s.append("file ").append(a.size()).append(' ').append(a.lastModifiedTime().toMillis()).append(' ')
                .append(p).append('\n');
        return true;
    }

    private static String hash(CharSequence s) {
        byte[] d;
        try {
            d = MessageDigest.getInstance("SHA-256").digest(s.toString().getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        char[] hex = new char[32];
        for (int i = 0; i < 16; i++) {
            hex[2 * i] = HEX[(d[i] >> 4) & 0xf];
            hex[2 * i + 1] = HEX[d[i] & 0xf];
        }
        return new String(hex);
    }

    // ============================================================================== files

    /** The archive of a key in a directory. */
    static Path archiveFile(Path dir, String key) {
        return dir.resolve("worker-" + key + ".jsa");
    }

    /** Another file of the same archive: its ".ok", ".lock", ".failed", ".log". */
    static Path sibling(Path archive, String suffix) {
        String name = archive.getFileName().toString();
        return archive.resolveSibling(name.substring(0, name.length() - ".jsa".length()) + suffix);
    }

    /** A temporary file of the same archive, for process {@code pid}. */
    static Path temp(Path archive, String what, long pid) {
        return sibling(archive, "." + pid + "." + what + ".tmp");
    }

    // ============================================================================== use

    /**
     * Whether the archive is there, whole, as made, and its manifest jars unchanged: its .ok read,
     * its size compared, its CRC-32C once per JVM and file. One that is not is deleted with its
     * .ok, so that it is made again.
     */
    private static boolean usable(Path archive) throws IOException {
        Path okFile = sibling(archive, ".ok");
        List<String> ok;
        try {
            ok = Files.readAllLines(okFile, StandardCharsets.UTF_8);
        } catch (NoSuchFileException notMade) {
            return false;
        }
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(archive, BasicFileAttributes.class);
        } catch (NoSuchFileException gone) {
            discard(archive, "it is gone");
            return false;
        }
        String head = ok.isEmpty() ? "" : ok.get(0);
        String expected = head.startsWith(FORMAT + " ") ? head.substring(FORMAT.length() + 1) : null;
        int space = expected == null ? -1 : expected.indexOf(' ');
        if (space < 0 || !expected.substring(0, space).equals(Long.toString(a.size()))) {
            discard(archive, "its size is not the one it was made with");
            return false;
        }
        for (int i = 1; i < ok.size(); i++) {
            if (!jarUnchanged(ok.get(i))) {
                // The JVM would ignore it (and print why, unless silenced): make it again.
                discard(archive, "a jar that a manifest Class-Path names has changed: " + ok.get(i));
                return false;
            }
        }
        String state = a.size() + " " + a.lastModifiedTime().toMillis() + " " + expected.substring(space + 1);
        synchronized (VERIFIED) {
            if (state.equals(VERIFIED.get(archive))) {
                return true;
            }
        }
        if (!crc(archive).equals(expected.substring(space + 1))) {
            discard(archive, "its checksum is not the one it was made with");
            return false;
        }
        synchronized (VERIFIED) {
            VERIFIED.put(archive, state);
        }
        return true;
    }

    /** A ".ok" jar line, "jar SIZE MTIME PATH": whether that jar still has that size and mtime. */
    private static boolean jarUnchanged(String line) throws IOException {
        if (!line.startsWith("jar ")) {
            return true;
        }
        StringBuilder now = new StringBuilder();
        int path = line.indexOf(' ', line.indexOf(' ', 4) + 1) + 1;
        appendStat(now, Path.of(line.substring(path)));
        return now.toString().equals("file " + line.substring(4) + "\n");
    }

    /** Deletes an archive that must not be used, and its .ok, so that it is made again. */
    private static void discard(Path archive, String why) throws IOException {
        log(System.Logger.Level.DEBUG, "class-data archive " + archive + " deleted: " + why);
        Files.deleteIfExists(sibling(archive, ".ok"));
        Files.deleteIfExists(archive);
    }

    /** The CRC-32C of a file, as hex. */
    static String crc(Path file) throws IOException {
        CRC32C crc = new CRC32C();
        ByteBuffer buf = ByteBuffer.allocate(256 * 1024);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            while (ch.read(buf) >= 0) {
                buf.flip();
                crc.update(buf);
                buf.clear();
            }
        }
        return Long.toHexString(crc.getValue());
    }

    /**
     * Writes the ".ok" of an archive just made (to a temporary file; the caller renames it):
     * its size and CRC-32C, and the manifest jars with their size and mtime.
     */
    static void writeOk(Path okTemp, Path archiveTemp, List<String> manifestJars) throws IOException {
        StringBuilder s = new StringBuilder();
        s.append(FORMAT).append(' ').append(Files.size(archiveTemp)).append(' ').append(crc(archiveTemp))
                .append('\n');
        for (String jar : manifestJars) {
            s.append(jar).append('\n');
        }
        Files.writeString(okTemp, s);
    }

    /**
     * The jars that the manifests' Class-Path of the classpath's jars bring in, and not already on
     * it, as ".ok" lines "jar SIZE MTIME PATH", followed transitively, as the JVM follows them.
     *
     * @throws IOException if one of them is a directory (no dynamic archive then), or unreadable
     */
    static List<String> manifestJars(String classpath) throws IOException {
        Set<Path> seen = new HashSet<>();
        List<Path> queue = new ArrayList<>();
        for (StringTokenizer t = new StringTokenizer(classpath, File.pathSeparator); t.hasMoreTokens(); ) {
            String e = t.nextToken();
            if (e.endsWith("*")) {
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of(e.substring(0, e.length() - 1)))) {
                    for (Path f : ds) {
                        String n = f.getFileName().toString();
                        if (n.endsWith(".jar") || n.endsWith(".JAR")) {
                            queue.add(f);
                        }
                    }
                } catch (NoSuchFileException missing) {
                    // nothing expanded, nothing to follow
                }
            } else {
                queue.add(Path.of(e));
            }
        }
        seen.addAll(queue);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < queue.size(); i++) {
            Path jar = queue.get(i);
            if (!Files.isRegularFile(jar)) {
                continue;
            }
            for (Path named : manifestClassPath(jar)) {
                if (seen.add(named)) {
                    if (Files.isDirectory(named)) {
                        throw new IOException("the manifest Class-Path of " + jar + " names the directory " + named
                                + "; a class-data archive needs jars only");
                    }
                    queue.add(named);
                    StringBuilder stat = new StringBuilder();
                    appendStat(stat, named);
                    if (stat.charAt(0) == 'f') {
                        lines.add("jar " + stat.substring("file ".length(), stat.length() - 1));
                    }
                }
            }
        }
        return lines;
    }

    /** The local entries of a jar's manifest Class-Path, resolved against the jar, as the JVM does. */
    private static List<Path> manifestClassPath(Path jar) throws IOException {
        List<Path> out = new ArrayList<>();
        try (JarFile f = new JarFile(jar.toFile(), false)) {
            Manifest mf = f.getManifest();
            String cp = mf == null ? null : mf.getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
            if (cp == null) {
                return out;
            }
            URI base = jar.toUri();
            for (StringTokenizer t = new StringTokenizer(cp); t.hasMoreTokens(); ) {
                try {
                    URI u = base.resolve(t.nextToken());
                    if ("file".equals(u.getScheme())) {
                        out.add(Path.of(u).normalize());
                    }
                } catch (IllegalArgumentException malformed) {
                    // the JVM skips an entry it cannot read as a URL too
                }
            }
        }
        return out;
    }

    // ============================================================================== make

    /**
     * Starts making the archive in the background, unless this JVM already tried, or a make failed
     * less than a day ago. The rest (the lock, the trainer) happens on a thread of its own.
     */
    private static void maybeMake(Path dir, Path archive, String java, String classpath, List<String> jvmOptions,
                                  Map<String, String> environment) throws IOException {
        CompletableFuture<Process> attempt = new CompletableFuture<>();
        synchronized (ATTEMPTS) {
            if (ATTEMPTS.putIfAbsent(archive, attempt) != null) {
                return;
            }
        }
        if (failedRecently(archive)) {
            attempt.complete(null);
            return;
        }
        Thread t = new Thread(new Launch(dir, archive, java, classpath, List.copyOf(jvmOptions),
                Map.copyOf(environment), attempt), "jfutures-worker-archive");
        t.setDaemon(true);
        t.start();
    }

    /** Whether a make of this archive failed less than {@link #RETRY_AFTER_MILLIS} ago. */
    static boolean failedRecently(Path archive) throws IOException {
        try {
            FileTime failed = Files.getLastModifiedTime(sibling(archive, ".failed"));
            return System.currentTimeMillis() - failed.toMillis() < RETRY_AFTER_MILLIS;
        } catch (NoSuchFileException never) {
            return false;
        }
    }

    /**
     * One make, from this JVM: takes the key's lock (or leaves it to whoever holds it), starts the
     * trainer, and holds the lock and the trainer's stdin until the trainer exits.
     */
    private static final class Launch implements Runnable {
        private final Path dir;
        private final Path archive;
        private final String java;
        private final String classpath;
        private final List<String> jvmOptions;
        private final Map<String, String> environment;
        private final CompletableFuture<Process> attempt;
        private FileChannel lockChannel;
        private FileLock lock;
        private OutputStream lifeline;

        Launch(Path dir, Path archive, String java, String classpath, List<String> jvmOptions,
               Map<String, String> environment, CompletableFuture<Process> attempt) {
            this.attempt = attempt;
            this.dir = dir;
            this.archive = archive;
            this.java = java;
            this.classpath = classpath;
            this.jvmOptions = jvmOptions;
            this.environment = environment;
        }

        @Override
        public void run() {
            try {
                createDirectory(dir);
                lockChannel = FileChannel.open(sibling(archive, ".lock"), StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE);
                try {
                    lock = lockChannel.tryLock();
                } catch (OverlappingFileLockException heldHere) {
                    lock = null;
                }
                if (lock == null || Files.exists(sibling(archive, ".ok")) || failedRecently(archive)) {
                    release();
                    attempt.complete(null);
                    return;
                }
                // Its mtime says when it was last used: the trainer's clean-up spares a recent one.
                Files.setLastModifiedTime(sibling(archive, ".lock"), FileTime.fromMillis(System.currentTimeMillis()));
                deleteTemps(archive);
                try {
                    manifestJars(classpath);
                } catch (IOException noArchive) {
                    // A manifest names a directory (a build's tests do): no JVM started to find that out.
                    Files.writeString(sibling(archive, ".failed"), noArchive.getMessage() + "\n");
                    release();
                    attempt.complete(null);
                    return;
                }
                attempt.complete(start());
            } catch (IOException | RuntimeException e) {
                log(System.Logger.Level.DEBUG, "cannot start making the workers' class-data archive " + archive
                        + ": " + e);
                release();
                attempt.complete(null);
            }
        }

        private Process start() throws IOException {
            List<String> cmd = new ArrayList<>();
            if (Files.isExecutable(NICE)) {
                cmd.add(NICE.toString());
                cmd.add("-n");
                cmd.add("10");
            }
            cmd.add(java);
            Collections.addAll(cmd, TRAINER_JVM_OPTIONS);
            cmd.add("-cp");
            cmd.add(classpath);
            cmd.add(WorkerArchiveTrainer.class.getName());
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(sibling(archive, ".log").toFile());
            pb.environment().putAll(environment);
            long startedAt = System.currentTimeMillis();
            Process p = pb.start();
            TRAINERS_STARTED.incrementAndGet();
            lifeline = p.getOutputStream();
            synchronized (RUNNING) {
                RUNNING.put(p, this);
            }
            StringBuilder job = new StringBuilder();
            job.append(archive).append('\n').append(java).append('\n').append(classpath).append('\n')
                    .append(jvmOptions.size()).append('\n');
            for (String o : jvmOptions) {
                job.append(o).append('\n');
            }
            try {
                lifeline.write(job.toString().getBytes(StandardCharsets.UTF_8));
                lifeline.flush();
            } catch (IOException trainerGone) {
                // it died at once; its exit below says so
            }
            p.onExit().whenComplete((done, e) -> exited(p, startedAt));
            return p;
        }

        /** The trainer exited: release what was held; record a failure the trainer could not. */
        private void exited(Process p, long startedAt) {
            synchronized (RUNNING) {
                RUNNING.remove(p);
            }
            int code = p.exitValue();
            try {
                // 1: the trainer recorded why; 2: abandoned, no failure. Anything else: it could not.
                if (code != 0 && code != 2 && !Files.exists(sibling(archive, ".ok"))) {
                    Path failed = sibling(archive, ".failed");
                    if (!Files.exists(failed) || Files.getLastModifiedTime(failed).toMillis() < startedAt) {
                        Files.writeString(failed, "the trainer exited with code " + code + "; its output: "
                                + sibling(archive, ".log") + "\n");
                    }
                }
            } catch (IOException e) {
                log(System.Logger.Level.DEBUG, "cannot record the failed make of " + archive + ": " + e);
            }
            release();
        }

        private void release() {
            try {
                if (lifeline != null) {
                    lifeline.close();
                }
                if (lock != null) {
                    lock.release();
                }
                if (lockChannel != null) {
                    lockChannel.close();
                }
            } catch (IOException ignored) {
                // closing only lets the next make take the lock; the JVM's exit would too
            }
        }
    }

    /** Deletes the temporary files of an archive's earlier makes (its lock is held: none runs). */
    private static void deleteTemps(Path archive) throws IOException {
        String prefix = sibling(archive, ".").getFileName().toString();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(archive.getParent())) {
            for (Path f : ds) {
                String n = f.getFileName().toString();
                if (n.startsWith(prefix) && n.endsWith(".tmp")) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }

    /** The make this JVM decided on for an archive (for tests); null if none. */
    static CompletableFuture<Process> attempt(Path archive) {
        synchronized (ATTEMPTS) {
            return ATTEMPTS.get(archive);
        }
    }

    /** How many trainers this JVM has started (for tests). */
    static int trainersStarted() {
        return TRAINERS_STARTED.get();
    }

    /** The trainers this JVM runs now (for tests: none may outlive them). */
    static List<Process> runningTrainers() {
        synchronized (RUNNING) {
            return new ArrayList<>(RUNNING.keySet());
        }
    }

    // ============================================================================== directory

    /** The default cache directory, found once per JVM; null if none is usable. */
    private static synchronized Path defaultDirectory() {
        if (!defaultDirectoryFound) {
            defaultDirectory = findDefaultDirectory();
            defaultDirectoryFound = true;
        }
        return defaultDirectory;
    }

    private static Path findDefaultDirectory() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path cache = xdg != null && !xdg.isEmpty() && Path.of(xdg).isAbsolute() ? Path.of(xdg)
                : Path.of(System.getProperty("user.home"), ".cache");
        Path dir = cache.resolve("jfutures").resolve("cds");
        if (privateDirectory(dir)) {
            return dir;
        }
        String user = System.getProperty("user.name", "user");
        StringBuilder safe = new StringBuilder();
        for (int i = 0; i < user.length(); i++) {
            char c = user.charAt(i);
            safe.append(Character.isLetterOrDigit(c) || c == '-' || c == '_' || c == '.' ? c : '_');
        }
        dir = Path.of(System.getProperty("java.io.tmpdir"), "jfutures-cds-" + safe);
        return privateDirectory(dir) ? dir : null;
    }

    /**
     * Makes the directory if need be, and says whether it is ours alone: a directory (not a link),
     * writable, and, where the file system has owners, owned by this user and not writable by
     * others. A planted archive would be code in every worker.
     */
    static boolean privateDirectory(Path dir) {
        try {
            createDirectory(dir);
            if (!Files.isWritable(dir)) {
                return false;
            }
            PosixFileAttributes a;
            try {
                a = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (UnsupportedOperationException notPosix) {
                return Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS);
            }
            Set<PosixFilePermission> perms = a.permissions();
            return a.isDirectory() && a.owner().getName().equals(System.getProperty("user.name"))
                    && !perms.contains(PosixFilePermission.GROUP_WRITE)
                    && !perms.contains(PosixFilePermission.OTHERS_WRITE);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Creates a directory and its missing parents, mode 0700 where there are modes. */
    static void createDirectory(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        try {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (UnsupportedOperationException notPosix) {
            Files.createDirectories(dir);
        }
    }

    /** Renames a file into place whole: atomically where the file system can. */
    static void moveIntoPlace(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (java.nio.file.AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    static void log(System.Logger.Level level, String message) {
        System.getLogger("dev.jfutures.process").log(level, message);
    }

    /** The real path, or the path itself if it cannot be resolved. */
    private static Path real(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p.toAbsolutePath();
        }
    }
}
