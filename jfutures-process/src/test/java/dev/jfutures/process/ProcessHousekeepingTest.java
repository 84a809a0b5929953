package dev.jfutures.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** What a pool leaves on disk. */
class ProcessHousekeepingTest extends ProcessTestBase {

    /** A socket directory left by a JVM that died without closing its pool is removed by the next pool. */
    @Test
    void socketDirectoryOfADeadJvmIsSwept() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path base = Path.of(System.getProperty("java.io.tmpdir"));
        Path stale = Files.createDirectory(base.resolve("jfutures-" + gone.pid() + "-test" + System.nanoTime()));
        Files.createFile(stale.resolve("pool.sock"));
        Path live = Files.createDirectory(base.resolve("jfutures-" + ProcessHandle.current().pid() + "-test" + System.nanoTime()));
        try {
            ProcessPool p = pool(ProcessPool.builder().workers(1));
            assertThat(p.submit(() -> 1).result(SHORT_TIMEOUT)).isEqualTo(1);
            assertThat(stale).as("the dead JVM's directory").doesNotExist();
            assertThat(live).as("a live JVM's directory").exists();
        } finally {
            Files.deleteIfExists(stale.resolve("pool.sock"));
            Files.deleteIfExists(stale);
            Files.deleteIfExists(live);
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
}
