package dev.jfutures.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jfutures.TaskFuture;
import dev.jfutures.testkit.Gate;
import dev.jfutures.testkit.LoopbackChannels;
import dev.jfutures.testkit.SharedLog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A worker member killed with SIGKILL under running and queued tasks, each test on a cluster
 * of its own (two workers, one thread each): a started task fails with a MemberLostException
 * naming the member and runs nowhere again; a task sent to the dead member but not started
 * runs on the other; a task with a retry runs again elsewhere as attempt 2, with the same id.
 */
class ClusterMemberLossTest {

    static final Duration WAIT = Duration.ofSeconds(90);
    private ClusterPool pool;

    private ClusterPool pool() {
        pool = ClusterPool.builder().localMembers(2).threadsPerMember(1).failureDetection(Duration.ofSeconds(5))
                .name("loss-test").build();
        return pool;
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (pool != null) {
            pool.shutdownNow();
            pool.shutdown(true, true);
            assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
            assertThat(pool.memberPids()).as("no worker JVM outlives its pool").isEmpty();
        }
    }

    /** A task that logs "start:i@pid" and then waits on the gate; returns i. */
    static TaskFuture<Integer> blocker(ClusterPool p, int i, SharedLog log, Gate gate, TaskOptions o) {
        return p.submit(() -> {
            log.append("start:" + i + "@" + ProcessHandle.current().pid() + "#" + TaskContext.current().attempt()
                    + "/" + TaskContext.current().taskId());
            gate.await();
            return i;
        }, o);
    }

    static long pidOf(String entry) {
        return Long.parseLong(entry.substring(entry.indexOf('@') + 1, entry.indexOf('#')));
    }

    static void awaitEntries(SharedLog log, int n) throws InterruptedException {
        ClusterPoolTest.awaitEntries(log, n);
    }

    @Test
    void startedTasksFailNamingTheMemberAndQueuedOnesRunElsewhere() throws Exception {
        ClusterPool p = pool();
        SharedLog log = LoopbackChannels.newLog();
        Gate never = LoopbackChannels.newGate();
        Gate release = LoopbackChannels.newGate();
        // One blocker per worker thread: both start.
        List<TaskFuture<Integer>> blockers = new ArrayList<>();
        blockers.add(blocker(p, 0, log, never, TaskOptions.defaults()));
        blockers.add(blocker(p, 1, log, release, TaskOptions.defaults()));
        awaitEntries(log, 2);
        // Queued behind them: sent to the workers (two deep per thread) or kept in the backlog.
        List<TaskFuture<Integer>> queued = new ArrayList<>();
        for (int i = 2; i < 8; i++) {
            int x = i;
            queued.add(p.submit(() -> {
                log.append("start:" + x + "@" + ProcessHandle.current().pid() + "#1/-");
                return x;
            }));
        }
        String first = log.entries().stream().filter(e -> e.startsWith("start:0@")).findFirst().orElseThrow();
        long victim = pidOf(first);
        ProcessHandle.of(victim).orElseThrow().destroyForcibly();

        Throwable lost = blockers.get(0).exception(WAIT);
        assertThat(lost).isInstanceOf(MemberLostException.class).hasMessageContaining("had started (attempt 1)")
                .hasMessageContaining(" at 127.0.0.1:").hasMessageContaining("(pid " + victim + ")");
        assertThat(((MemberLostException) lost).attempts()).isEqualTo(1);
        assertThat(((MemberLostException) lost).poisonous()).isFalse();
        release.open();
        assertThat(blockers.get(1).result(WAIT)).isEqualTo(1);
        for (int i = 0; i < queued.size(); i++) {
            assertThat(queued.get(i).result(WAIT)).as("queued task %d, whatever member it was sent to", i + 2)
                    .isEqualTo(i + 2);
        }
        // Every task started exactly once; none ran on the dead member after it was lost.
        List<String> starts = log.entries();
        for (int i = 0; i < 8; i++) {
            String prefix = "start:" + i + "@";
            assertThat(starts.stream().filter(e -> e.startsWith(prefix)).count()).as("starts of task %d", i).isEqualTo(1);
        }
        assertThat(starts.stream().filter(e -> !e.startsWith("start:0@") && pidOf(e) == victim).count())
                .as("tasks that started on the killed member besides the first").isZero();
    }

    @Test
    void aTaskWithARetryRunsAgainElsewhereWithTheSameId() throws Exception {
        ClusterPool p = pool();
        SharedLog log = LoopbackChannels.newLog();
        Gate gate = LoopbackChannels.newGate();
        TaskFuture<String> f = p.submit(() -> {
            TaskContext c = TaskContext.current();
            log.append("start:0@" + ProcessHandle.current().pid() + "#" + c.attempt() + "/" + c.taskId());
            if (c.attempt() == 1) {
                gate.await();
            }
            return c.attempt() + "/" + c.taskId();
        }, TaskOptions.defaults().retries(1));
        awaitEntries(log, 1);
        String first = log.entries().get(0);
        ProcessHandle.of(pidOf(first)).orElseThrow().destroyForcibly();
        String result = f.result(WAIT);
        String id = first.substring(first.indexOf('/') + 1);
        assertThat(result).isEqualTo("2/" + id);
        assertThat(log.entries()).hasSize(2);
        assertThat(pidOf(log.entries().get(1))).isNotEqualTo(pidOf(first));
    }
}
