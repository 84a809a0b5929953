package dev.jfutures.cluster;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import dev.jfutures.AbstractTaskExecutor;
import dev.jfutures.Task;
import dev.jfutures.TaskAction;
import dev.jfutures.TaskFuture;
import dev.jfutures.cluster.internal.HazelcastSetup;
import dev.jfutures.cluster.internal.MemberProcess;
import dev.jfutures.cluster.internal.Signer;
import dev.jfutures.remote.Codec;
import dev.jfutures.remote.JavaSerializationCodec;
import dev.jfutures.remote.SerializationFilter;
import dev.jfutures.remote.TaskNotSerializableException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * A {@link dev.jfutures.TaskExecutor} whose tasks run on the worker members of a Hazelcast
 * cluster: the same serializable lambdas as on a {@code ThreadPool} or a {@code ProcessPool}.
 *
 * <pre>{@code
 * try (ClusterPool pool = ClusterPool.local(2)) {          // this JVM plus 2 worker member JVMs
 *     TaskFuture<Integer> f = pool.submit(() -> expensive(42));
 *     System.out.println(f.result());
 * }
 * }</pre>
 *
 * <p>What it guarantees, beyond Hazelcast's executor: a future is RUNNING only once a member has
 * started the task; a successful cancel means the task never ran anywhere; a task that had not
 * started on a member that died or left runs on another member; one that had started fails with
 * a {@link MemberLostException} naming the member, unless it was given {@link
 * TaskOptions#retries(int) retries}; a task under which three members were lost fails as
 * poisonous. Each task is decided through one record in the caller's JVM, which the worker must
 * claim before it runs the task and a cancel must claim before it succeeds.
 *
 * <p>Topologies: {@link #local(int)} (an embedded cluster on 127.0.0.1: this JVM as a lite member
 * plus worker JVMs it starts and owns), {@link Builder#members(String...)} (join a running
 * cluster of {@link Member}s as a lite member), {@link Builder#instance(HazelcastInstance)}
 * (a pool on a Hazelcast member this application already runs).
 *
 * <p>Tasks, arguments and results go through the same codec and deserialization filter as the
 * process pool's ({@code dev.jfutures.remote}); each task is signed with the cluster's shared key,
 * and a member runs only tasks signed with its key.
 *
 * @since 0.1
 */
public final class ClusterPool extends AbstractTaskExecutor {

    private final ClusterRuntime runtime;

    private ClusterPool(ClusterRuntime runtime, boolean daemon) {
        this.runtime = runtime;
        // JVM exit waits for the pool's tasks, as CPython joins its executors at exit; a daemon
        // pool's do not hold it (a local cluster's workers end with this JVM).
        if (!daemon) {
            if (!holdJvmExit()) {
                runtime.shutdown(false, true);
                throw new java.util.concurrent.RejectedExecutionException("cannot build a ClusterPool: the JVM is exiting");
            }
            runtime.settings().onTerminated = this::releaseJvmExit;
        }
    }

    /**
     * An embedded cluster on 127.0.0.1: this JVM joins as a lite member (it holds no data and
     * runs no tasks), and {@code members} worker member JVMs are started beside it, each running
     * as many tasks at once as this machine has CPUs divided among them (at least 1). The workers
     * end with the pool, and with this JVM however it ends.
     *
     * @param members how many worker JVMs
     * @return the pool, once every worker has joined
     * @throws IllegalArgumentException if {@code members} is less than 1
     * @throws IllegalStateException if the workers do not all join within the start timeout
     * @since 0.1
     */
    public static ClusterPool local(int members) {
        return builder().localMembers(members).build();
    }

    /**
     * A builder.
     *
     * @return a builder for a local cluster of one worker, until told otherwise
     * @since 0.1
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Submits a task, with no retry and the pool's default timeout.
     *
     * @param task a serializable task
     * @param <T> the result type
     * @return its future
     * @throws TaskNotSerializableException if the task cannot be encoded
     * @throws java.util.concurrent.RejectedExecutionException if the pool is shut down
     * @throws dev.jfutures.WaitInterruptedException if interrupted while waiting for room (the
     *     pool holds at most {@link Builder#maxInFlight(int)} unfinished tasks)
     * @since 0.1
     */
    @Override
    public <T> TaskFuture<T> submit(Callable<T> task) {
        return runtime.submit(task, task, TaskOptions.defaults());
    }

    /**
     * Submits a task with options (retries, timeout).
     *
     * @param task a serializable task
     * @param options its options
     * @param <T> the result type
     * @return its future
     * @throws TaskNotSerializableException if the task cannot be encoded
     * @throws java.util.concurrent.RejectedExecutionException if the pool is shut down
     * @throws dev.jfutures.WaitInterruptedException if interrupted while waiting for room
     * @since 0.1
     */
    public <T> TaskFuture<T> submit(Task<T> task, TaskOptions options) {
        return runtime.submit(task, task, Objects.requireNonNull(options, "options"));
    }

    /**
     * A snapshot of this pool: tasks queued (not yet sent to a member), running and done, and
     * each worker member ({@code "host:port (pid N)"}) with the tasks it runs, those sent to it
     * not yet started, and the outcomes it answered.
     *
     * @return the snapshot
     * @since 0.1
     */
    @Override
    public dev.jfutures.ExecutorStats stats() {
        return runtime.stats();
    }

    /**
     * Adds a listener for this pool's task and worker events (see {@link
     * dev.jfutures.ExecutorListener}); a task's worker is its member, {@code "host:port (pid N)"}.
     *
     * @param listener the listener
     * @return closes to remove it
     * @throws NullPointerException if {@code listener} is null
     * @since 0.1
     */
    @Override
    public AutoCloseable addListener(dev.jfutures.ExecutorListener listener) {
        return runtime.addListener(listener);
    }

    /**
     * {@inheritDoc}
     *
     * @throws TaskNotSerializableException if the task is not serializable
     * @since 0.1
     */
    @Override
    public TaskFuture<?> submit(Runnable task) {
        checkRunnable(task);
        return super.submit(task);
    }

    /**
     * {@inheritDoc}
     *
     * @throws TaskNotSerializableException if the task is not serializable
     * @since 0.1
     */
    @Override
    public <T> TaskFuture<T> submit(Runnable task, T result) {
        checkRunnable(task);
        return super.submit(task, result);
    }

    /**
     * {@inheritDoc}
     *
     * @throws TaskNotSerializableException if the command is not serializable
     * @since 0.1
     */
    @Override
    public void execute(Runnable command) {
        Objects.requireNonNull(command, "command");
        checkRunnable(command);
        super.execute(command);
    }

    private static void checkRunnable(Runnable task) {
        Objects.requireNonNull(task, "task");
        if (!(task instanceof java.io.Serializable)) {
            throw new TaskNotSerializableException("the task " + task.getClass().getName() + " does not implement"
                    + " java.io.Serializable, so it cannot be sent to a cluster member; submit a dev.jfutures.TaskAction"
                    + " or Task lambda, or make the class Serializable", null);
        }
    }

    /**
     * {@inheritDoc}
     *
     * @since 0.1
     */
    @Override
    public void shutdown(boolean wait, boolean cancelFutures) {
        runtime.shutdown(wait, cancelFutures);
    }

    /**
     * Shuts down, cancels every task that has not started and interrupts those that run.
     *
     * @return the tasks that never started, in no particular order (their futures are
     *     cancelled); running one of them runs nothing (they are not kept in this JVM)
     * @since 0.1
     */
    @Override
    public List<Runnable> shutdownNow() {
        List<Runnable> never = new ArrayList<>();
        for (long id : runtime.shutdownNow()) {
            never.add(new NeverStarted(id));
        }
        return never;
    }

    /** A task that never started, as shutdownNow reports it. */
    private static final class NeverStarted implements Runnable {
        private final long id;

        NeverStarted(long id) {
            this.id = id;
        }

        @Override
        public void run() {
            throw new UnsupportedOperationException("cluster task " + id + " never started; it is not kept to run here");
        }

        @Override
        public String toString() {
            return "cluster task " + id + " (never started)";
        }
    }

    /**
     * {@inheritDoc}
     *
     * @since 0.1
     */
    @Override
    public boolean isShutdown() {
        return runtime.isShutdown();
    }

    /**
     * {@inheritDoc}
     *
     * @since 0.1
     */
    @Override
    public boolean isTerminated() {
        return runtime.isTerminated();
    }

    /**
     * {@inheritDoc}
     *
     * @since 0.1
     */
    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return runtime.awaitTermination(unit.toNanos(timeout));
    }

    @Override
    protected int parallelism() {
        return runtime.parallelism();
    }

    /**
     * The worker members the pool sends tasks to now.
     *
     * @return one line per member: its UUID, address and threads
     * @since 0.1
     */
    public List<String> members() {
        return runtime.members();
    }

    /**
     * The Hazelcast node this pool runs on in this JVM: for a second pool on the same cluster
     * ({@link Builder#instance}), or the application's own use of the cluster. A pool that
     * started the node ends it when it terminates.
     *
     * @return the node
     * @since 0.1
     */
    public HazelcastInstance hazelcastInstance() {
        return runtime.settings().hz;
    }

    /**
     * The pids of the worker JVMs this pool started and are still alive (a local cluster); empty
     * for a cluster the pool joined.
     *
     * @return the pids
     * @since 0.1
     */
    public List<Long> memberPids() {
        List<Long> pids = new ArrayList<>();
        for (MemberProcess m : runtime.settings().processes) {
            if (m.isAlive()) {
                pids.add(m.pid());
            }
        }
        return pids;
    }

    /**
     * Whether the pool is broken (its initializer failed on a member).
     *
     * @return true if broken
     * @since 0.1
     */
    public boolean isBroken() {
        return runtime.isBroken();
    }

    /** The pool's name, which its threads' names start with; for this package's tests. */
    String runtimeName() {
        return runtime.settings().name;
    }

    /** The cluster key, for this package's tests. */
    byte[] runtimeKey() {
        return runtime.settings().key.clone();
    }

    @Override
    public String toString() {
        return "ClusterPool[" + runtime.settings().name + (isShutdown() ? ", shut down" : "") + "]";
    }

    /**
     * Builds a {@link ClusterPool}.
     *
     * @since 0.1
     */
    public static final class Builder {
        private int localMembers = 1;
        private int threadsPerMember;
        private List<String> join = List.of();
        private HazelcastInstance instance;
        private String clusterName;
        private byte[] key;
        private Duration taskTimeout;
        private int maxInFlight = 10_000;
        private int maxParallel = Integer.MAX_VALUE;
        private SerializationFilter filter = SerializationFilter.defaults();
        private Codec codec;
        private TaskAction initializer;
        private Duration failureDetection = Duration.ofSeconds(10);
        private Duration startTimeout = Duration.ofMinutes(2);
        private List<String> memberJvmOptions = List.of();
        private String name;
        private String bind = "127.0.0.1";
        private boolean daemon;

        private Builder() {
        }

        /**
         * An embedded cluster with this many worker JVMs (the default topology, with 1).
         *
         * @param n worker JVMs, at least 1
         * @return this
         * @throws IllegalArgumentException if {@code n} is less than 1
         * @since 0.1
         */
        public Builder localMembers(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("localMembers must be at least 1, not " + n);
            }
            this.localMembers = n;
            this.join = List.of();
            this.instance = null;
            return this;
        }

        /**
         * For a local cluster: how many tasks each worker runs at once.
         *
         * @param n threads, at least 1; the default divides this machine's CPUs among the workers
         * @return this
         * @throws IllegalArgumentException if {@code n} is less than 1
         * @since 0.1
         */
        public Builder threadsPerMember(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("threadsPerMember must be at least 1, not " + n);
            }
            this.threadsPerMember = n;
            return this;
        }

        /**
         * Joins a running cluster of {@link Member}s at these addresses, as a lite member;
         * needs {@link #clusterName} and {@link #key}.
         *
         * @param addresses host:port of one or more members
         * @return this
         * @throws IllegalArgumentException if no address is given
         * @since 0.1
         */
        public Builder members(String... addresses) {
            if (addresses.length == 0) {
                throw new IllegalArgumentException("members(...) needs at least one host:port");
            }
            this.join = List.copyOf(Arrays.asList(addresses));
            this.instance = null;
            return this;
        }

        /**
         * Runs on a Hazelcast member this application already runs (the pool does not shut it
         * down); its cluster's worker members must be {@link Member}s with the same key.
         *
         * @param hz the instance
         * @return this
         * @since 0.1
         */
        public Builder instance(HazelcastInstance hz) {
            this.instance = Objects.requireNonNull(hz, "instance");
            this.join = List.of();
            return this;
        }

        /**
         * The cluster's name (a local cluster makes a random one).
         *
         * @param name the name
         * @return this
         * @since 0.1
         */
        public Builder clusterName(String name) {
            this.clusterName = Objects.requireNonNull(name, "clusterName");
            return this;
        }

        /**
         * The cluster's shared key: members run only tasks signed with it (a local cluster makes
         * a random one and hands it to its workers).
         *
         * @param key at least 16 bytes
         * @return this
         * @throws IllegalArgumentException if shorter
         * @since 0.1
         */
        public Builder key(byte[] key) {
            new Signer(key);
            this.key = key.clone();
            return this;
        }

        /**
         * The default timeout of a task once started (none by default).
         *
         * @param d the timeout, or null for none
         * @return this
         * @since 0.1
         */
        public Builder taskTimeout(Duration d) {
            this.taskTimeout = d;
            return this;
        }

        /**
         * The most unfinished tasks the pool holds; a submit beyond it blocks until one finishes.
         *
         * @param n at least 1 (default 10,000)
         * @return this
         * @throws IllegalArgumentException if less than 1
         * @since 0.1
         */
        public Builder maxInFlight(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("maxInFlight must be at least 1, not " + n);
            }
            this.maxInFlight = n;
            return this;
        }

        /**
         * The most tasks of this pool on workers at once (running, or sent and waiting for a
         * thread there): for a pool that must not take more of a shared cluster than that, or
         * whose tasks must not run more than n at a time. The default is what the workers hold.
         *
         * @param n at least 1
         * @return this
         * @throws IllegalArgumentException if less than 1
         * @since 0.1
         */
        public Builder maxParallel(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("maxParallel must be at least 1, not " + n);
            }
            this.maxParallel = n;
            return this;
        }

        /**
         * The deserialization filter (this JVM's results, and a local cluster's workers).
         *
         * @param f the filter
         * @return this
         * @since 0.1
         */
        public Builder serializationFilter(SerializationFilter f) {
            this.filter = Objects.requireNonNull(f, "serializationFilter");
            return this;
        }

        /**
         * Runs once on each worker before the pool's first task there; if it fails, the pool
         * is broken (as CPython's initializer).
         *
         * @param a the initializer, or null
         * @return this
         * @since 0.1
         */
        public Builder initializer(TaskAction a) {
            this.initializer = a;
            return this;
        }

        /**
         * How long a member that stopped answering is given before it counts as dead.
         *
         * @param d at least 2 seconds (default 10)
         * @return this
         * @throws IllegalArgumentException if shorter than 2 seconds
         * @since 0.1
         */
        public Builder failureDetection(Duration d) {
            if (d.compareTo(Duration.ofSeconds(2)) < 0) {
                throw new IllegalArgumentException("failureDetection must be at least 2 s, not " + d);
            }
            this.failureDetection = d;
            return this;
        }

        /**
         * How long a local cluster's workers may take to join.
         *
         * @param d the timeout (default 2 minutes)
         * @return this
         * @since 0.1
         */
        public Builder startTimeout(Duration d) {
            this.startTimeout = Objects.requireNonNull(d, "startTimeout");
            return this;
        }

        /**
         * Options for a local cluster's worker JVMs ({@code -Xmx512m}, ...).
         *
         * @param options JVM options
         * @return this
         * @since 0.1
         */
        public Builder memberJvmOptions(String... options) {
            this.memberJvmOptions = List.copyOf(Arrays.asList(options));
            return this;
        }

        /**
         * The address this JVM's node binds to and advertises: 127.0.0.1 by default (a local
         * cluster stays there); to join members on other hosts, this host's address on their
         * network.
         *
         * @param address an address of this host
         * @return this
         * @since 0.1
         */
        public Builder bind(String address) {
            this.bind = Objects.requireNonNull(address, "bind");
            return this;
        }

        /**
         * Whether JVM exit leaves the pool's tasks behind (true) or waits for them (false, the
         * default, as for the other executors).
         *
         * @param daemon true for a pool that does not hold JVM exit
         * @return this
         * @since 0.1
         */
        public Builder daemon(boolean daemon) {
            this.daemon = daemon;
            return this;
        }

        /**
         * The pool's name, in thread names and messages.
         *
         * @param name the name
         * @return this
         * @since 0.1
         */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * Builds the pool: for a local cluster, starts it and waits for its workers.
         *
         * @return the pool
         * @throws IllegalStateException if the workers do not join in time, or a setting is
         *     missing (a joined cluster needs its name and key)
         * @throws java.io.UncheckedIOException if a worker JVM cannot be started
         * @since 0.1
         */
        public ClusterPool build() {
            ClusterRuntime.Settings s = new ClusterRuntime.Settings();
            s.name = name != null ? name : "cluster-pool-" + Integer.toHexString(System.identityHashCode(this));
            s.codec = codec != null ? codec : new JavaSerializationCodec(filter);
            s.maxInFlight = maxInFlight;
            s.maxParallel = maxParallel;
            s.daemon = daemon;
            s.depthPerThread = 2;
            s.defaultTimeout = taskTimeout;
            if (initializer != null) {
                try {
                    s.initializer = s.codec.encode(initializer);
                } catch (IOException e) {
                    throw new TaskNotSerializableException("the initializer " + initializer.getClass().getName()
                            + " cannot be encoded: " + e.getMessage(), e);
                }
            }
            Member.quietHazelcastLogging();
            if (instance != null) {
                requireKey("instance(...)");
                s.hz = instance;
                s.key = key;
                return new ClusterPool(new ClusterRuntime(s), daemon);
            }
            if (!join.isEmpty()) {
                requireKey("members(...)");
                if (clusterName == null) {
                    throw new IllegalStateException("members(...) needs the cluster's name: clusterName(\"...\")");
                }
                s.key = key;
                s.hz = Hazelcast.newHazelcastInstance(HazelcastSetup.config(clusterName, bind, 5701, join, true,
                        0, List.of(), failureDetection));
                s.ownsInstance = true;
                return new ClusterPool(new ClusterRuntime(s), daemon);
            }
            return local(s);
        }

        private void requireKey(String topology) {
            if (key == null) {
                throw new IllegalStateException(topology + " needs the cluster's shared key: key(bytes), the key its"
                        + " members were started with (JFUTURES_CLUSTER_KEY)");
            }
        }

        private ClusterPool local(ClusterRuntime.Settings s) {
            String cluster = clusterName != null ? clusterName : "jfutures-" + UUID.randomUUID();
            s.key = key != null ? key : Signer.newKey();
            int threads = threadsPerMember > 0 ? threadsPerMember
                    : Math.max(1, Runtime.getRuntime().availableProcessors() / localMembers);
            HazelcastInstance hz = HazelcastSetup.startOnFreePort(port -> HazelcastSetup.config(cluster, "127.0.0.1",
                    port, List.of("127.0.0.1:" + port), true, 0, List.of(), failureDetection));
            List<MemberProcess> processes = new ArrayList<>();
            try {
                String self = "127.0.0.1:" + hz.getCluster().getLocalMember().getAddress().getPort();
                for (int i = 0; i < localMembers; i++) {
                    List<String> args = new ArrayList<>(List.of("--cluster", cluster, "--bind", "127.0.0.1",
                            "--port", "0", "--join", self, "--threads", String.valueOf(threads),
                            "--failure-detection", String.valueOf(failureDetection.toSeconds()), "--lifeline"));
                    args.addAll(filter.toArguments());
                    processes.add(MemberProcess.start(s.name + "-member-" + (i + 1), Member.class.getName(), args,
                            memberJvmOptions, s.key));
                }
                awaitWorkers(hz, processes);
            } catch (IOException | RuntimeException e) {
                for (MemberProcess m : processes) {
                    m.kill();
                }
                hz.getLifecycleService().terminate();
                if (e instanceof IOException) {
                    throw new java.io.UncheckedIOException("could not start a worker member JVM: " + e.getMessage(),
                            (IOException) e);
                }
                throw (RuntimeException) e;
            }
            s.hz = hz;
            s.ownsInstance = true;
            s.processes = List.copyOf(processes);
            return new ClusterPool(new ClusterRuntime(s), daemon);
        }

        private void awaitWorkers(HazelcastInstance hz, List<MemberProcess> processes) {
            long deadline = System.nanoTime() + startTimeout.toNanos();
            Object signal = new Object();
            UUID reg = hz.getCluster().addMembershipListener(new com.hazelcast.cluster.MembershipListener() {
                @Override
                public void memberAdded(com.hazelcast.cluster.MembershipEvent e) {
                    synchronized (signal) {
                        signal.notifyAll();
                    }
                }

                @Override
                public void memberRemoved(com.hazelcast.cluster.MembershipEvent e) {
                    synchronized (signal) {
                        signal.notifyAll();
                    }
                }
            });
            try {
                synchronized (signal) {
                    for (;;) {
                        long workers = hz.getCluster().getMembers().stream()
                                .filter(m -> "worker".equals(m.getAttribute(HazelcastSetup.ROLE))).count();
                        if (workers >= processes.size()) {
                            return;
                        }
                        for (MemberProcess m : processes) {
                            if (!m.isAlive()) {
                                throw new IllegalStateException("worker member " + m.name() + " (pid " + m.pid()
                                        + ") exited before it joined the cluster; its output is above, on stderr");
                            }
                        }
                        long left = deadline - System.nanoTime();
                        if (left <= 0) {
                            throw new IllegalStateException(workers + " of " + processes.size() + " worker members"
                                    + " joined within the start timeout of " + startTimeout
                                    + "; raise it with ClusterPool.builder().startTimeout(...)");
                        }
                        // Also woken by the membership listener; the bounded wait notices a dead JVM.
                        signal.wait(Math.min(TimeUnit.NANOSECONDS.toMillis(left) + 1, 200));
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new dev.jfutures.WaitInterruptedException(e);
            } finally {
                hz.getCluster().removeMembershipListener(reg);
            }
        }
    }
}
