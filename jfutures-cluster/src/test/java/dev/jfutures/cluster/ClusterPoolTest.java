package dev.jfutures.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jfutures.TaskFailedException;
import dev.jfutures.TaskFuture;
import dev.jfutures.TaskStatus;
import dev.jfutures.remote.RemoteTaskException;
import dev.jfutures.remote.TaskNotSerializableException;
import dev.jfutures.remote.TaskTimeoutException;
import dev.jfutures.testkit.Gate;
import dev.jfutures.testkit.LoopbackChannels;
import dev.jfutures.testkit.SharedLog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A local cluster of two worker JVMs, shared by the tests of this class (a cluster takes
 * seconds to start): results, failures, RUNNING only once a member claimed the task, cancels
 * that mean the task never ran, cancel(true), timeouts, and the submit-time errors.
 */
class ClusterPoolTest {

    static final Duration WAIT = Duration.ofSeconds(60);
    static ClusterPool pool;

    @BeforeAll
    static void start() {
        pool = ClusterPool.builder().localMembers(2).threadsPerMember(2).name("cluster-test").build();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (pool != null) {
            pool.shutdown(true, true);
            assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        }
    }

    static int square(int x) {
        return x * x;
    }

    @Test
    void aTaskRunsOnAMemberAndItsResultComesBack() {
        assertThat(pool.members()).hasSize(2);
        TaskFuture<Long> f = pool.submit(() -> ProcessHandle.current().pid());
        assertThat(f.result(WAIT)).isNotEqualTo(ProcessHandle.current().pid());
        assertThat(pool.submit(() -> square(12)).result(WAIT)).isEqualTo(144);
    }

    @Test
    void manyTasksAllComplete() {
        List<TaskFuture<Integer>> fs = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            int x = i;
            fs.add(pool.submit(() -> square(x)));
        }
        for (int i = 0; i < fs.size(); i++) {
            assertThat(fs.get(i).result(WAIT)).isEqualTo(i * i);
        }
        List<Integer> mapped = new ArrayList<>();
        pool.map(ClusterPoolTest::square, List.of(1, 2, 3, 4)).forEach(mapped::add);
        assertThat(mapped).containsExactly(1, 4, 9, 16);
    }

    @Test
    void aTaskFailureKeepsItsTypeAndSaysWhereItRan() {
        TaskFuture<Object> f = pool.submit(() -> {
            throw new IllegalArgumentException("bad input 7");
        });
        assertThatThrownBy(() -> f.result(WAIT)).isInstanceOf(TaskFailedException.class);
        Throwable e = f.exception(WAIT);
        assertThat(e).isInstanceOf(IllegalArgumentException.class).hasMessage("bad input 7");
        assertThat(e.getSuppressed()).singleElement().isInstanceOf(RemoteTaskException.class)
                .satisfies(s -> assertThat(s.getMessage()).contains("cluster member"));
    }

    @Test
    void aFutureIsRunningOnlyOnceAMemberStartedIt() throws Exception {
        Gate started = LoopbackChannels.newGate();
        Gate release = LoopbackChannels.newGate();
        TaskFuture<String> f = pool.submit(() -> {
            started.open();
            release.await();
            return "done";
        });
        assertThat(started.await(WAIT)).isTrue();
        awaitStatus(f, TaskStatus.RUNNING);
        assertThat(f.cancel(false)).as("a started task cannot be cancelled").isFalse();
        release.open();
        assertThat(f.result(WAIT)).isEqualTo("done");
    }

    @Test
    void aCancelledTaskNeverRuns() throws Exception {
        // Fill every thread of both workers, then queue more: the queued ones are cancelled.
        Gate release = LoopbackChannels.newGate();
        SharedLog ran = LoopbackChannels.newLog();
        List<TaskFuture<Integer>> blockers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            int x = i;
            blockers.add(pool.submit(() -> {
                release.await();
                return x;
            }));
        }
        List<TaskFuture<Integer>> queued = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            int x = i;
            queued.add(pool.submit(() -> {
                ran.append("q" + x);
                return x;
            }));
        }
        List<String> cancelled = new ArrayList<>();
        for (TaskFuture<Integer> q : queued) {
            if (q.cancel(false)) {
                cancelled.add(q.toString());
            }
        }
        release.open();
        for (TaskFuture<Integer> b : blockers) {
            b.result(WAIT);
        }
        int notCancelled = 0;
        for (int i = 0; i < queued.size(); i++) {
            TaskFuture<Integer> q = queued.get(i);
            if (q.isCancelled()) {
                assertThatThrownBy(() -> q.result(WAIT)).isInstanceOf(CancellationException.class);
            } else {
                notCancelled++;
                assertThat(q.result(WAIT)).isEqualTo(i);
            }
        }
        // Every task that was not cancelled ran exactly once; no cancelled one ran.
        assertThat(ran.entries()).hasSize(notCancelled).doesNotHaveDuplicates();
        assertThat(cancelled).hasSize(queued.size() - notCancelled).isNotEmpty();
    }

    @Test
    void cancelTrueInterruptsTheRunningTask() throws Exception {
        Gate started = LoopbackChannels.newGate();
        SharedLog log = LoopbackChannels.newLog();
        TaskFuture<String> f = pool.submit(() -> {
            started.open();
            try {
                Thread.sleep(TimeUnit.MINUTES.toMillis(5));
                return "slept";
            } catch (InterruptedException e) {
                log.append("interrupted");
                return "interrupted";
            }
        });
        assertThat(started.await(WAIT)).isTrue();
        awaitStatus(f, TaskStatus.RUNNING);
        assertThat(f.cancel(true)).isTrue();
        assertThat(f.isCancelled()).isTrue();
        awaitEntries(log, 1);
        assertThat(log.entries()).containsExactly("interrupted");
    }

    @Test
    void aTaskPastItsTimeoutFailsAndIsInterrupted() throws Exception {
        SharedLog log = LoopbackChannels.newLog();
        TaskFuture<String> f = pool.submit(() -> {
            try {
                Thread.sleep(TimeUnit.MINUTES.toMillis(5));
                return "slept";
            } catch (InterruptedException e) {
                log.append("interrupted");
                return "interrupted";
            }
        }, TaskOptions.defaults().timeout(Duration.ofMillis(300)));
        assertThat(f.exception(WAIT)).isInstanceOf(TaskTimeoutException.class).hasMessageContaining("PT0.3S");
        awaitEntries(log, 1);
    }

    @Test
    void aTaskCanReadItsAttemptAndId() {
        TaskFuture<String> f = pool.submit(() -> TaskContext.current().attempt() + ":" + TaskContext.current().taskId());
        assertThat(f.result(WAIT)).startsWith("1:");
        assertThatThrownBy(TaskContext::current).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("only for a task running on a ClusterPool member");
    }

    @Test
    void aTaskThatIsNotSerializableIsRefusedAtSubmit() {
        Callable<Integer> plain = new Callable<>() {
            @Override
            public Integer call() {
                return 1;
            }
        };
        assertThatThrownBy(() -> pool.submit(plain)).isInstanceOf(TaskNotSerializableException.class)
                .hasMessageContaining("does not implement java.io.Serializable")
                .hasMessageContaining("cluster member");
    }

    @Test
    void aPoolWithAnotherKeyIsRefusedByEveryMemberAndNothingRuns() throws Exception {
        SharedLog ran = LoopbackChannels.newLog();
        byte[] wrong = new byte[32];
        java.util.Arrays.fill(wrong, (byte) 7);
        ClusterPool other = ClusterPool.builder().instance(pool.hazelcastInstance()).key(wrong).name("wrong-key").build();
        try {
            List<TaskFuture<Integer>> fs = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                fs.add(other.submit(() -> {
                    ran.append("ran");
                    return 1;
                }));
            }
            for (TaskFuture<Integer> f : fs) {
                assertThat(f.exception(WAIT)).isInstanceOf(SecurityException.class)
                        .hasMessageContaining("refused a task not signed with its cluster key")
                        .hasMessageContaining("give the pool and the members the same key");
            }
            assertThat(ran.entries()).isEmpty();
        } finally {
            other.shutdown(true, true);
        }
        assertThat(other.isTerminated()).isTrue();
        assertThat(pool.submit(() -> 2).result(WAIT)).as("the cluster and its own pool are unharmed").isEqualTo(2);
    }

    @Test
    void submitBlocksWhileMaxInFlightTasksAreUnfinished() throws Exception {
        byte[] key = keyOf(pool);
        Gate release = LoopbackChannels.newGate();
        ClusterPool small = ClusterPool.builder().instance(pool.hazelcastInstance()).key(key).maxInFlight(2)
                .name("bounded").build();
        try {
            TaskFuture<Integer> a = small.submit(() -> {
                release.await();
                return 1;
            });
            TaskFuture<Integer> b = small.submit(() -> {
                release.await();
                return 2;
            });
            java.util.concurrent.CompletableFuture<TaskFuture<Integer>> third = new java.util.concurrent.CompletableFuture<>();
            Thread submitter = new Thread(() -> third.complete(small.submit(() -> 3)));
            submitter.start();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (submitter.getState() != Thread.State.WAITING) {
                assertThat(System.nanoTime()).as("the third submit blocks").isLessThan(deadline);
                Thread.sleep(5);
            }
            assertThat(third).isNotDone();
            release.open();
            assertThat(a.result(WAIT) + b.result(WAIT)).isEqualTo(3);
            assertThat(third.get(WAIT.toSeconds(), TimeUnit.SECONDS).result(WAIT)).isEqualTo(3);
            submitter.join();
        } finally {
            small.shutdown(true, true);
        }
    }

    @Test
    void theInitializerRunsOnceOnEachMemberBeforeItsTasks() {
        SharedLog log = LoopbackChannels.newLog();
        ClusterPool init = ClusterPool.builder().instance(pool.hazelcastInstance()).key(keyOf(pool))
                .initializer(() -> log.append("init@" + ProcessHandle.current().pid())).name("init").build();
        try {
            List<TaskFuture<Long>> fs = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                fs.add(init.submit(() -> ProcessHandle.current().pid()));
            }
            java.util.Set<Long> pids = new java.util.HashSet<>();
            for (TaskFuture<Long> f : fs) {
                pids.add(f.result(WAIT));
            }
            List<String> inits = log.entries();
            assertThat(inits).doesNotHaveDuplicates();
            for (long pid : pids) {
                assertThat(inits).contains("init@" + pid);
            }
        } finally {
            init.shutdown(true, true);
        }
    }

    @Test
    void aFailingInitializerBreaksThePool() {
        ClusterPool broken = ClusterPool.builder().instance(pool.hazelcastInstance()).key(keyOf(pool))
                .initializer(() -> {
                    throw new IllegalStateException("no database");
                }).name("broken").build();
        try {
            TaskFuture<Integer> f = broken.submit(() -> 1);
            assertThat(f.exception(WAIT)).isInstanceOf(dev.jfutures.BrokenExecutorException.class)
                    .hasMessageContaining("the initializer failed on cluster member")
                    .hasMessageContaining("no database");
            assertThat(broken.isBroken()).isTrue();
            assertThatThrownBy(() -> broken.submit(() -> 2)).isInstanceOf(dev.jfutures.BrokenExecutorException.class);
        } finally {
            broken.shutdown(true, true);
        }
    }

    @Test
    void labelledTasksRunOnlyOnWorkersWithTheLabels() throws Exception {
        com.hazelcast.core.HazelcastInstance hz = pool.hazelcastInstance();
        List<String> cmd = new ArrayList<>(List.of(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", System.getProperty("java.class.path") + java.io.File.pathSeparator
                + System.getProperty("jdk.module.path", ""), Member.class.getName(), "--cluster",
                hz.getConfig().getClusterName(), "--bind", "127.0.0.1", "--port", "0", "--join",
                "127.0.0.1:" + hz.getCluster().getLocalMember().getAddress().getPort(), "--threads", "1",
                "--label", "gpu", "--label", "big"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("JFUTURES_CLUSTER_KEY", java.util.HexFormat.of().formatHex(keyOf(pool)));
        Process gpu = pb.start();
        try (dev.jfutures.testkit.LogCapture log = dev.jfutures.testkit.LogCapture.start()) {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (pool.members().size() < 3) {
                assertThat(gpu.isAlive()).as("the labelled worker runs").isTrue();
                assertThat(System.nanoTime()).as("the labelled worker joins").isLessThan(deadline);
                Thread.sleep(20);   // a membership change has no future to wait on from here
            }
            List<TaskFuture<Long>> fs = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                fs.add(pool.submit(() -> ProcessHandle.current().pid(), TaskOptions.defaults().labels("gpu")));
            }
            TaskFuture<Long> nowhere = pool.submit(() -> ProcessHandle.current().pid(),
                    TaskOptions.defaults().labels("gpu", "tpu"));
            List<TaskFuture<Long>> plain = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                plain.add(pool.submit(() -> ProcessHandle.current().pid()));
            }
            for (TaskFuture<Long> f : fs) {
                assertThat(f.result(WAIT)).as("a gpu task's worker").isEqualTo(gpu.pid());
            }
            for (TaskFuture<Long> f : plain) {
                assertThat(f.result(WAIT)).as("the unlabelled tasks behind the one that waits still run").isPositive();
            }
            assertThat(nowhere.status()).isEqualTo(TaskStatus.PENDING);
            assertThat(log.text()).contains("waits for a worker with the labels [gpu, tpu]");
            assertThat(nowhere.cancel(false)).isTrue();
        } finally {
            gpu.destroyForcibly();
            gpu.waitFor(30, TimeUnit.SECONDS);
            // The other tests count the shared cluster's two workers: wait until it is gone.
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (pool.members().size() > 2 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
        }
    }

    /**
     * A worker whose class path lacks this test's classes: the caller warns when it joins, naming
     * it and both digests, and a task whose class it cannot load fails saying so, while the
     * pool's other workers go on.
     */
    @Test
    void aMemberWithOtherClassesIsNamedAndItsDecodeFailureSaysWhy() throws Exception {
        com.hazelcast.core.HazelcastInstance hz = pool.hazelcastInstance();
        String testClasses = java.nio.file.Path.of(ClusterPoolTest.class.getProtectionDomain().getCodeSource()
                .getLocation().toURI()).toString();
        List<String> entries = new ArrayList<>();
        for (String e : (System.getProperty("java.class.path") + java.io.File.pathSeparator
                + System.getProperty("jdk.module.path", "")).split(java.io.File.pathSeparator)) {
            if (!e.isEmpty() && !e.equals(testClasses)) {
                entries.add(e);
            }
        }
        List<String> cmd = new ArrayList<>(List.of(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", String.join(java.io.File.pathSeparator, entries), Member.class.getName(), "--cluster",
                hz.getConfig().getClusterName(), "--bind", "127.0.0.1", "--port", "0", "--join",
                "127.0.0.1:" + hz.getCluster().getLocalMember().getAddress().getPort(), "--threads", "1",
                "--label", "stranger"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("JFUTURES_CLUSTER_KEY", java.util.HexFormat.of().formatHex(keyOf(pool)));
        // The warning is the event to wait for: a handler opens the latch when it is logged.
        java.util.concurrent.CountDownLatch warned = new java.util.concurrent.CountDownLatch(1);
        java.util.logging.Handler onWarning = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                if (r.getMessage() != null && r.getMessage().contains("has other classes than this JVM")) {
                    warned.countDown();
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Logger clusterLog = java.util.logging.Logger.getLogger("dev.jfutures.cluster");
        clusterLog.addHandler(onWarning);
        try (dev.jfutures.testkit.LogCapture log = dev.jfutures.testkit.LogCapture.start()) {
            Process stranger = pb.start();
            try {
                assertThat(warned.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the caller warns of the stranger").isTrue();
                assertThat(log.text()).contains("(pid " + stranger.pid() + ")").contains("jfutures member --classpath");
                TaskFuture<Integer> f = pool.submit(() -> square(7), TaskOptions.defaults().labels("stranger"));
                assertThat(f.exception(WAIT)).isInstanceOf(java.io.IOException.class)
                        .hasMessageContaining("could not be deserialized on")
                        .hasMessageContaining("(pid " + stranger.pid() + ")")
                        .hasMessageContaining("has other classes than this JVM")
                        .hasMessageContaining("ClusterPoolTest");
                assertThat(pool.submit(() -> square(8)).result(WAIT)).as("the other workers go on").isEqualTo(64);
            } finally {
                // The other tests count the shared cluster's two workers: wait for the stranger's leave.
                java.util.concurrent.CountDownLatch left = new java.util.concurrent.CountDownLatch(1);
                java.util.UUID registration = hz.getCluster().addMembershipListener(new com.hazelcast.cluster.MembershipListener() {
                    @Override
                    public void memberAdded(com.hazelcast.cluster.MembershipEvent e) {
                    }

                    @Override
                    public void memberRemoved(com.hazelcast.cluster.MembershipEvent e) {
                        if (String.valueOf(stranger.pid()).equals(e.getMember().getAttribute("jfutures.pid"))) {
                            left.countDown();
                        }
                    }
                });
                try {
                    stranger.destroyForcibly();
                    stranger.waitFor(30, TimeUnit.SECONDS);
                    boolean stillThere = hz.getCluster().getMembers().stream()
                            .anyMatch(m -> String.valueOf(stranger.pid()).equals(m.getAttribute("jfutures.pid")));
                    if (stillThere) {
                        assertThat(left.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the stranger left").isTrue();
                    }
                } finally {
                    hz.getCluster().removeMembershipListener(registration);
                }
            }
        } finally {
            clusterLog.removeHandler(onWarning);
        }
    }

    /**
     * The pool's events and statistics: each task's SUBMITTED, STARTED, FINISHED naming the
     * member it ran on; the counts grow by what ran and failed.
     */
    @Test
    void tasksAreFollowedToTheirMemberAndCounted() throws Exception {
        dev.jfutures.ExecutorStats before = pool.stats();
        java.util.concurrent.BlockingQueue<dev.jfutures.TaskEvent> events = new java.util.concurrent.LinkedBlockingQueue<>();
        try (AutoCloseable l = pool.addListener(new dev.jfutures.ExecutorListener() {
            @Override
            public void taskEvent(dev.jfutures.TaskEvent e) {
                events.add(e);
            }
        })) {
            List<TaskFuture<Integer>> fs = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                int x = i;
                fs.add(pool.submit(() -> {
                    if (x == 4) {
                        throw new IllegalStateException("four");
                    }
                    return square(x);
                }));
            }
            for (TaskFuture<Integer> f : fs) {
                f.exception(WAIT);
            }
            java.util.Map<Long, List<dev.jfutures.TaskEvent>> byTask = new java.util.LinkedHashMap<>();
            for (int i = 0; i < 30; i++) {
                dev.jfutures.TaskEvent e = events.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertThat(e).as("event %d within the wait", i).isNotNull();
                byTask.computeIfAbsent(e.taskId(), k -> new ArrayList<>()).add(e);
            }
            List<String> members = pool.stats().workers().stream().map(dev.jfutures.ExecutorStats.Worker::name).toList();
            assertThat(members).hasSize(2).allSatisfy(m -> assertThat(m).startsWith("127.0.0.1:").contains("(pid "));
            for (List<dev.jfutures.TaskEvent> es : byTask.values()) {
                assertThat(es).extracting(dev.jfutures.TaskEvent::kind).containsExactly(dev.jfutures.TaskEvent.Kind.SUBMITTED,
                        dev.jfutures.TaskEvent.Kind.STARTED, dev.jfutures.TaskEvent.Kind.FINISHED);
                assertThat(es.get(2).executorKind()).isEqualTo("cluster");
                assertThat(es.get(2).worker()).isIn(members);
            }
            dev.jfutures.ExecutorStats after = pool.stats();
            assertThat(after.completed() - before.completed()).isEqualTo(9);
            assertThat(after.failed() - before.failed()).isEqualTo(1);
            assertThat(after.queued()).isZero();
        }
    }

    /** The key of a local pool, read through its settings (the test's view into the package). */
    static byte[] keyOf(ClusterPool p) {
        return p.runtimeKey();
    }

    static void awaitStatus(TaskFuture<?> f, TaskStatus status) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (f.status() != status) {
            assertThat(System.nanoTime()).as("status %s within %s: %s", status, WAIT, f).isLessThan(deadline);
            // The claim reaches this JVM on a Hazelcast thread; there is no event to wait on
            // but the status itself, so it is polled, with a deadline.
            Thread.sleep(5);
        }
    }

    static void awaitEntries(SharedLog log, int n) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (log.entries().size() < n) {
            assertThat(System.nanoTime()).as("%d log entries within %s", n, WAIT).isLessThan(deadline);
            Thread.sleep(5);
        }
    }
}
