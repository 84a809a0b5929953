package dev.jfutures.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What a pool leaves on disk: its socket directory goes with it, and the directories of pools
 * whose JVM died are swept by the next pool, but never one whose lock a live process holds, even
 * when its pid is not one we can see (another PID namespace sharing /tmp).
 */
class ProcessHousekeepingTest extends ProcessTestBase {

    /**
     * A directory like a pool's: pool.sock and pool.lock, last changed two minutes ago if {@code
     * old} (a sweep may take it from then on), else now.
     */
    private static Path poolLikeDirectory(String name, boolean old) throws Exception {
        Path base = Path.of(System.getProperty("java.io.tmpdir"));
        Path dir = Files.createDirectory(base.resolve(name));
        Files.createFile(dir.resolve("pool.sock"));
        Files.createFile(dir.resolve("pool.lock"));
        if (old) {
            Files.setLastModifiedTime(dir, FileTime.from(Instant.now().minusSeconds(120)));
        }
        return dir;
    }

    private static void deleteQuietly(Path dir) throws Exception {
        Files.deleteIfExists(dir.resolve("pool.sock"));
        Files.deleteIfExists(dir.resolve("pool.lock"));
        Files.deleteIfExists(dir);
    }

    /** A socket directory whose lock nobody holds (its JVM died by SIGKILL) is removed by the next pool. */
    @Test
    void socketDirectoryOfADeadJvmIsSwept() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path stale = poolLikeDirectory("jfutures-" + gone.pid() + "-test" + System.nanoTime(), true);
        try {
            ProcessPool p = pool(ProcessPool.builder().workers(1));
            assertThat(p.submit(() -> 1).result(SHORT_TIMEOUT)).isEqualTo(1);
            assertThat(stale).as("the dead JVM's directory").doesNotExist();
        } finally {
            deleteQuietly(stale);
        }
    }

    /**
     * A directory whose lock another process holds is left alone, although the pid in its name
     * is of no live process we can see: as for a live pool in another PID namespace.
     */
    @Test
    void socketDirectoryLockedByALiveProcessIsKept() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        // Fresh until the other process holds its lock: no pool may sweep it before.
        Path live = poolLikeDirectory("jfutures-" + gone.pid() + "-test" + System.nanoTime(), false);
        String javaCommand = ProcessHandle.current().info().command().orElseThrow();
        Process holder = new ProcessBuilder(javaCommand, "-cp", System.getProperty("java.class.path") + java.io.File.pathSeparator
                + System.getProperty("jdk.module.path", ""), LockHolder.class.getName(),
                live.resolve("pool.lock").toString()).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            assertThat(out.readLine()).as("the lock holder's first line").isEqualTo("locked");
            Files.setLastModifiedTime(live, FileTime.from(Instant.now().minusSeconds(120)));
            ProcessPool p = pool(ProcessPool.builder().workers(1));
            assertThat(p.submit(() -> 1).result(SHORT_TIMEOUT)).isEqualTo(1);
            assertThat(live).as("a directory whose lock a live process holds").exists();
        } finally {
            holder.getOutputStream().close();
            if (!holder.waitFor(10, TimeUnit.SECONDS)) {
                holder.destroyForcibly();
            }
            deleteQuietly(live);
        }
    }

    /** A directory changed in the last minute is left alone: a pool may be making it right now. */
    @Test
    void freshSocketDirectoryIsKept() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path fresh = poolLikeDirectory("jfutures-" + gone.pid() + "-test" + System.nanoTime(), false);
        try {
            ProcessPool p = pool(ProcessPool.builder().workers(1));
            assertThat(p.submit(() -> 1).result(SHORT_TIMEOUT)).isEqualTo(1);
            assertThat(fresh).as("a directory changed a moment ago").exists();
        } finally {
            deleteQuietly(fresh);
        }
    }

    /** A closed pool removes its own socket directory. */
    @Test
    void closedPoolRemovesItsSocketDirectory() throws Exception {
        ProcessPool p = pool(ProcessPool.builder().workers(1));
        assertThat(p.submit(() -> 1).result(SHORT_TIMEOUT)).isEqualTo(1);
        String mine = "jfutures-" + ProcessHandle.current().pid() + "-";
        Path base = Path.of(System.getProperty("java.io.tmpdir"));
        long before;
        try (var s = Files.list(base)) {
            before = s.filter(d -> d.getFileName().toString().startsWith(mine)).count();
        }
        assertThat(before).isGreaterThanOrEqualTo(1);
        p.close();
        try (var s = Files.list(base)) {
            assertThat(s.filter(d -> d.getFileName().toString().startsWith(mine)).count()).isEqualTo(before - 1);
        }
    }

    /** Holds an fcntl lock on a file (as a pool holds its pool.lock) until its stdin ends. */
    public static final class LockHolder {
        private LockHolder() {
        }

        /**
         * Locks the file, says "locked", and waits for end of stdin.
         *
         * @param args the file
         * @throws Exception if it cannot
         */
        public static void main(String[] args) throws Exception {
            try (FileChannel c = FileChannel.open(Path.of(args[0]), StandardOpenOption.WRITE);
                 FileLock l = c.lock()) {
                System.out.println("locked");
                System.out.flush();
                while (System.in.read() >= 0) {
                    // until the test closes our stdin
                }
            }
        }
    }
}
