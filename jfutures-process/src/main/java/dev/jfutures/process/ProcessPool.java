package dev.jfutures.process;

import dev.jfutures.AbstractTaskExecutor;
import dev.jfutures.BrokenExecutorException;
import dev.jfutures.Task;
import dev.jfutures.TaskAction;
import dev.jfutures.TaskFuture;
import dev.jfutures.WaitInterruptedException;
import dev.jfutures.process.internal.Call;
import dev.jfutures.process.internal.PoolRuntime;
import dev.jfutures.process.internal.WorkerArchive;
import dev.jfutures.process.internal.WorkerClasspath;
import dev.jfutures.remote.Codec;
import dev.jfutures.remote.JavaSerializationCodec;
import dev.jfutures.remote.SerializationFilter;
import dev.jfutures.remote.TaskNotSerializableException;
import dev.jfutures.remote.TaskTimeoutException;
import java.io.IOException;
import java.nio.channels.spi.SelectorProvider;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link dev.jfutures.TaskExecutor} whose workers are JVM processes: the isolation that threads
 * cannot give. A runaway task can be killed (per-task {@link Builder#taskTimeout timeout}, or
 * {@code cancel(true)}); a task that calls {@code System.exit}, runs out of memory or crashes the
 * JVM costs one task, not the pool; a worker's heap can be capped ({@code jvmOptions("-Xmx256m")});
 * workers can be recycled after N tasks.
 *
 * <pre>{@code
 * try (ProcessPool pool = ProcessPool.builder().workers(4).taskTimeout(Duration.ofSeconds(30)).build()) {
 *     TaskFuture<Integer> f = pool.submit(() -> expensive(42));   // a serializable lambda
 *     System.out.println(f.result());
 * }
 * }</pre>
 *
 * <p>Tasks, their results and exceptions cross the process boundary through a {@link Codec} (JDK
 * serialization by default): a task must be serializable, and one that is not is refused at
 * {@code submit}, in the caller, with a {@link TaskNotSerializableException} naming the class and
 * what to write instead. Worker classes come from this JVM's classpath, found at {@code build()},
 * unless {@link Builder#classpath} says otherwise.
 *
 * <p>A future is PENDING until its worker has started the task (the worker says so before any of
 * the task's code runs), RUNNING from then on; its timeout runs from that moment. A successful
 * {@code cancel} means the task never ran, in every interleaving: a task sent ahead to a worker is
 * cancelled only once the worker confirms it dropped it. Done-callbacks run on a thread of the
 * pool's own, never on the thread that reads a worker's answers, so a slow callback cannot hold up
 * other results.
 *
 * <p>Failures, each with its own exception, the pool staying usable:
 * <ul>
 *   <li>the task throws: its exception (type, message, stack trace) is the future's exception; a
 *       class this JVM cannot load, or an exception that cannot even be printed, becomes a {@link
 *       dev.jfutures.remote.RemoteTaskException} naming its class;
 *   <li>the worker dies: the task it was running fails with {@link WorkerDiedException} (pid, exit
 *       code or signal, last stderr lines, and whether it ran out of memory, with its heap limit);
 *       tasks sent to it but not started run elsewhere; a new worker starts;
 *   <li>the task runs longer than its timeout: its worker is killed and the task fails with
 *       {@link TaskTimeoutException};
 *   <li>the pool becomes broken ({@link BrokenExecutorException}) only when workers cannot start
 *       several times in a row, or the initializer fails.
 * </ul>
 *
 * <p>Memory consistency effects: actions in a thread before it submits a task happen-before the
 * task's result is set, and setting it happens-before a successful wait on its future returns.
 *
 * @since 0.1
 */
public final class ProcessPool extends AbstractTaskExecutor {

    /*
     * Implementation notes. This class is the facade and its builder. The machinery is in
     * dev.jfutures.process.internal, a room each (docs/process-pool.md has the data-flow diagram
     * and the state tables):
     *   Scheduler, Call, WorkerSlot  the scheduling and every state of a call and a worker: pure,
     *                                no I/O, no threads, tested alone (SchedulerModelTest)
     *   PoolRuntime                  the running pool: lock, scheduler events, their effects,
     *                                the threads, shutdown and its escalation
     *   WorkerProcess                one worker JVM: spawn, lifeline, OutputPumps, exit and its
     *                                ExitDiagnosis
     *   Protocol                     the wire format and every message, both ends
     *   Connection, PoolSocket       the pool's side of a worker's socket; the socket, its
     *                                directory and lock, the handshake and its authentication
     *   WorkerClasspath              where the worker classpath comes from
     *   WorkerArchive                the workers' class-data archive: its key, use and making
     */

    private static final AtomicInteger POOL_NUMBER = new AtomicInteger();

    private final PoolRuntime runtime;
    private final Duration defaultTimeout;
    private final Duration exitGrace;

    private ProcessPool(Builder b) {
        String name = "ProcessPool-" + POOL_NUMBER.incrementAndGet();
        int maxWorkers = b.workers > 0 ? b.workers : Runtime.getRuntime().availableProcessors();
        Codec codec = b.codec != null ? b.codec : new JavaSerializationCodec(b.filter);
        byte[] initializer;
        try {
            initializer = b.initializer == null ? new byte[0] : codec.encode(b.initializer);
        } catch (IOException e) {
            throw new TaskNotSerializableException("the initializer cannot be sent to worker processes: "
                    + e.getMessage(), e);
        }
        String java = b.javaCommand != null ? b.javaCommand : defaultJava();
        String classpath = WorkerClasspath.resolve(b.classpath);
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.add("-cp");
        cmd.add(classpath);
        cmd.addAll(ownJvmOptions(b.javaCommand == null, b.jvmOptions));
        if (b.classDataArchive) {
            cmd.addAll(WorkerArchive.options(b.classDataArchiveDirectory, java, classpath, b.jvmOptions,
                    b.environment));
        }
        cmd.addAll(b.jvmOptions);
        cmd.add(Worker.class.getName());
        this.defaultTimeout = b.taskTimeout;
        this.exitGrace = b.exitGracePeriod;
        List<String> workerArgs = new ArrayList<>();
        workerArgs.add(codec.getClass().getName());
        if (codec instanceof JavaSerializationCodec) {
            workerArgs.addAll(((JavaSerializationCodec) codec).filter().toArguments());
        }
        PoolRuntime.Settings settings = new PoolRuntime.Settings(name, maxWorkers, List.copyOf(cmd),
                List.copyOf(workerArgs), Map.copyOf(b.environment), b.workingDirectory, b.prestart, b.idleTimeout, b.maxTasksPerWorker,
                initializer, b.taskTimeout, b.cancelGracePeriod, b.startTimeout, b.pipelineDepth, b.maxStartFailures,
                codec, b.daemon, b.exitGracePeriod);
        this.runtime = new PoolRuntime(settings, new PoolRuntime.Host() {
            @Override
            public boolean holdJvmExit() {
                return ProcessPool.this.holdJvmExit();
            }

            @Override
            public void releaseJvmExit() {
                ProcessPool.this.releaseJvmExit();
            }
        });
    }

    /**
     * The pool's own options for worker JVMs, before the user's: exit on {@code OutOfMemoryError}
     * (the pool reports it); the serial collector, small and without GC threads, unless the user's
     * options choose a collector (two would stop the JVM); and, for a worker on this JVM's own JDK
     * whose default {@code SelectorProvider} this JVM uses, that provider by name, which spares
     * each worker a {@code ServiceLoader} scan of every jar on its classpath (some 10 ms of its
     * start). A user's own {@code -Djava.nio.channels.spi.SelectorProvider} comes later and wins.
     */
    static List<String> ownJvmOptions(boolean ownJdk, List<String> userOptions) {
        List<String> own = new ArrayList<>();
        own.add("-XX:+ExitOnOutOfMemoryError");
        boolean collectorChosen = false;
        for (String o : userOptions) {
            if (o.startsWith("-XX:+Use") && o.endsWith("GC")) {
                collectorChosen = true;
            }
        }
        if (!collectorChosen) {
            own.add("-XX:+UseSerialGC");
        }
        if (ownJdk) {
            Class<?> provider = SelectorProvider.provider().getClass();
            if (provider.getModule() == Object.class.getModule()) {
                own.add("-Djava.nio.channels.spi.SelectorProvider=" + provider.getName());
            }
        }
        return own;
    }

    private static String defaultJava() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /**
     * A builder.
     *
     * @return a new builder
     * @since 0.1
     */
    public static Builder builder() {
        return new Builder();
    }

    // ============================================================================== submit

    /**
     * Submits a task, with the pool's default timeout. Through an {@code ExecutorService}-typed
     * reference too: {@code invokeAll}, {@code invokeAny} and {@code submit} take serializable
     * callables (a lambda cast to {@link Task}, or declared as one).
     *
     * @param task the task
     * @param <T> the result type
     * @return its future
     * @throws NullPointerException if {@code task} is null
     * @throws TaskNotSerializableException if the task cannot be serialized; the message says what
     *     to write instead
     * @throws RejectedExecutionException if the pool is shut down
     * @throws BrokenExecutorException if the pool is broken
     * @since 0.1
     */
    @Override
    public <T> TaskFuture<T> submit(Callable<T> task) {
        Objects.requireNonNull(task, "task");
        return runtime.submit(task, defaultTimeout);
    }

    /**
     * Submits a task with its own timeout: if it runs longer, its worker is killed and the future
     * fails with {@link TaskTimeoutException}. The clock starts when its worker starts the task.
     *
     * @param task the task
     * @param timeout the most it may run
     * @param <T> the result type
     * @return its future
     * @throws NullPointerException if {@code task} or {@code timeout} is null
     * @throws IllegalArgumentException if {@code timeout} is not positive
     * @throws TaskNotSerializableException if the task cannot be serialized
     * @throws RejectedExecutionException if the pool is shut down
     * @throws BrokenExecutorException if the pool is broken
     * @since 0.1
     */
    public <T> TaskFuture<T> submit(Task<T> task, Duration timeout) {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
        return runtime.submit(task, timeout);
    }

    /**
     * Submits an action; the runnable must be serializable (a lambda cast to {@code (Runnable &
     * Serializable)}); one that is not is refused with a message saying what to write instead.
     *
     * @param task the action
     * @return its future, whose result is null
     * @throws NullPointerException if {@code task} is null
     * @throws TaskNotSerializableException if the runnable cannot be serialized
     * @throws RejectedExecutionException if the pool is shut down
     * @throws BrokenExecutorException if the pool is broken
     * @since 0.1
     */
    @Override
    public TaskFuture<?> submit(Runnable task) {
        checkRunnable(task);
        return super.submit(task);
    }

    /**
     * Submits an action with a given result; the runnable must be serializable.
     *
     * @param task the action
     * @param result the future's result once the action has run
     * @param <T> the result type
     * @return its future
     * @throws NullPointerException if {@code task} is null
     * @throws TaskNotSerializableException if the runnable cannot be serialized
     * @throws RejectedExecutionException if the pool is shut down
     * @throws BrokenExecutorException if the pool is broken
     * @since 0.1
     */
    @Override
    public <T> TaskFuture<T> submit(Runnable task, T result) {
        checkRunnable(task);
        return super.submit(task, result);
    }

    /**
     * Runs {@code command} in a worker; it must be serializable. {@code
     * CompletableFuture.supplyAsync(..., pool)} cannot be served (it hands over a
     * CompletableFuture's own task): the exception says to write {@code
     * pool.submit(task).toCompletableFuture()}.
     *
     * @param command the work
     * @throws NullPointerException if {@code command} is null
     * @throws TaskNotSerializableException if it cannot be serialized
     * @throws RejectedExecutionException if the pool is shut down
     * @since 0.1
     */
    @Override
    public void execute(Runnable command) {
        Objects.requireNonNull(command, "command");
        runtime.checkSerializable(command);
        super.execute(command);
    }

    private void checkRunnable(Runnable task) {
        Objects.requireNonNull(task, "task");
        runtime.checkSerializable(task);
    }

    // ============================================================================== shutdown

    @Override
    public void shutdown(boolean wait, boolean cancelFutures) {
        runtime.shutdown(wait, cancelFutures);
    }

    /**
     * Shuts down and gives the tasks {@code grace} to finish, then escalates: cancels what has not
     * started, terminates the workers (SIGTERM, so their shutdown hooks run), waits a second more,
     * and kills them (SIGKILL). Tasks that did not finish fail with {@link WorkerDiedException}.
     *
     * @param grace how long to wait for the tasks before terminating the workers
     * @return true if everything finished within {@code grace}
     * @throws NullPointerException if {@code grace} is null
     * @throws WaitInterruptedException if interrupted
     * @since 0.1
     */
    public boolean shutdown(Duration grace) {
        Objects.requireNonNull(grace, "grace");
        runtime.shutdown(false, false);
        try {
            if (runtime.awaitTermination(nanos(grace))) {
                return true;
            }
            runtime.escalate("shutdown(" + grace + ") ran out of time", TimeUnit.SECONDS.toNanos(1));
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WaitInterruptedException(e);
        }
    }

    private static long nanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }

    /**
     * A snapshot of this pool: tasks queued (not yet sent to a worker), running and done, and
     * each worker JVM ({@code "pid N"}) with what it runs, what it was sent and has not started,
     * and how many answers it gave.
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
     * dev.jfutures.ExecutorListener}); a task's worker is {@code "pid N"}.
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
     * Stops everything now, as CPython's {@code kill_workers}: shuts down, cancels the tasks not
     * started, and kills every worker; running tasks fail with {@link WorkerDiedException}.
     *
     * @since 0.1
     */
    public void killWorkers() {
        runtime.killWorkers();
    }

    /**
     * Shuts down, cancels every task not started (a task sent ahead to a worker once the worker
     * gives it back), and interrupts the running ones in their workers; a worker whose task has
     * not ended {@link Builder#cancelGracePeriod} later is killed.
     *
     * @return the tasks that never started (their futures are cancelled), in submit order: each
     *     one, run, decodes the task in this JVM and calls it
     * @since 0.1
     */
    @Override
    public List<Runnable> shutdownNow() {
        List<Runnable> never = new ArrayList<>();
        for (Call c : runtime.shutdownNow()) {
            never.add(new NeverStarted(c));
        }
        return never;
    }

    /** A task handed back by shutdownNow: decoded and called in this JVM when run. */
    private final class NeverStarted implements Runnable {
        private final Call call;

        NeverStarted(Call call) {
            this.call = call;
        }

        @Override
        public void run() {
            try {
                ((Callable<?>) runtime.decodeTask(call)).call();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        }

        @Override
        public String toString() {
            return runtime.settings().name() + " task " + call.id() + " (never started)";
        }
    }

    /**
     * At JVM exit (SIGTERM, {@code System.exit}, the last non-daemon thread ending) a non-daemon
     * pool waits for its tasks, but at most {@link Builder#exitGracePeriod}: then it cancels what
     * has not started and ends its workers (SIGTERM, then SIGKILL a second later), so that a
     * runaway task cannot keep the JVM from exiting.
     *
     * @since 0.1
     */
    @Override
    protected void awaitJvmExit() {
        try {
            if (runtime.awaitTermination(nanos(exitGrace))) {
                return;
            }
            System.getLogger("dev.jfutures.process").log(System.Logger.Level.WARNING, runtime.settings().name()
                    + ": the JVM is exiting and tasks still run after the exit grace period of " + exitGrace
                    + "; ending its workers");
            runtime.escalate("the JVM exited and the pool's exitGracePeriod of " + exitGrace + " ran out",
                    TimeUnit.SECONDS.toNanos(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean isShutdown() {
        return runtime.isShutdown();
    }

    @Override
    public boolean isTerminated() {
        return runtime.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return runtime.awaitTermination(unit.toNanos(timeout));
    }

    // ============================================================================== info

    @Override
    protected int parallelism() {
        return runtime.settings().maxWorkers();
    }

    /**
     * The most worker JVMs the pool runs at once.
     *
     * @return the {@code workers} setting
     * @since 0.1
     */
    public int workers() {
        return runtime.settings().maxWorkers();
    }

    /**
     * The process ids of the live workers (started, not yet dead).
     *
     * @return the pids
     * @since 0.1
     */
    public List<Long> workerPids() {
        return runtime.workerPids();
    }

    /**
     * Whether the pool is broken.
     *
     * @return true once broken
     * @since 0.1
     */
    public boolean isBroken() {
        return runtime.isBroken();
    }

    @Override
    public String toString() {
        return runtime.toString();
    }

    // ============================================================================== builder

    /**
     * Builds a {@link ProcessPool}.
     *
     * @since 0.1
     */
    public static final class Builder {
        private int workers;
        private String javaCommand;
        private String classpath;
        private final List<String> jvmOptions = new ArrayList<>();
        private final Map<String, String> environment = new LinkedHashMap<>();
        private Path workingDirectory;
        private boolean prestart;
        private Duration idleTimeout;
        private int maxTasksPerWorker;
        private TaskAction initializer;
        private Duration taskTimeout;
        private Duration cancelGracePeriod = Duration.ofSeconds(1);
        private Duration startTimeout = Duration.ofSeconds(30);
        private int pipelineDepth = 16;
        private int maxStartFailures = 3;
        private Codec codec;
        private SerializationFilter filter = SerializationFilter.defaults();
        private boolean daemon;
        private Duration exitGracePeriod = Duration.ofSeconds(5);
        private boolean classDataArchive = true;
        private Path classDataArchiveDirectory;

        private Builder() {
        }

        /**
         * Whether workers start from a class-data archive (CDS) of what a worker loads, which the
         * pool makes for them by itself. Default: on. The archive is kept per JDK, classpath and
         * JVM options in a cache directory ({@code $XDG_CACHE_HOME/jfutures/cds}, else {@code
         * ~/.cache/jfutures/cds}, else {@code java.io.tmpdir/jfutures-cds-USER}; see {@link
         * #classDataArchive(Path)}), and made again when one of them changes. The first pool of a
         * new key starts its workers without one and makes it in the background, in a JVM of its
         * own; later pools, in this JVM or another, use it. No pool waits for it, and an archive
         * that is broken or does not match only costs speed. Workers get none when the classpath
         * has a directory (a dynamic archive takes jars only), when {@link #jvmOptions} (or {@code
         * JAVA_TOOL_OPTIONS}) manage class-data sharing themselves ({@code -Xshare:...}, {@code
         * -XX:SharedArchiveFile=...}), or load an agent ({@code -javaagent}, {@code -agentlib}),
         * with which the JVM cannot make one.
         *
         * @param enabled false to start workers without an archive, and never make one
         * @return this builder
         * @since 0.1
         */
        public Builder classDataArchive(boolean enabled) {
            this.classDataArchive = enabled;
            return this;
        }

        /**
         * Keeps the workers' class-data archives in {@code directory} instead of the default cache
         * directory, and turns them on (see {@link #classDataArchive(boolean)}). It is created
         * (mode {@code 0700}) when the first archive is made there; a directory that cannot be
         * written still serves the archives already in it.
         *
         * @param directory where the archives are kept; relative to this JVM's working directory
         * @return this builder
         * @throws NullPointerException if null
         * @since 0.1
         */
        public Builder classDataArchive(Path directory) {
            this.classDataArchiveDirectory = Objects.requireNonNull(directory, "classDataArchive directory")
                    .toAbsolutePath();
            this.classDataArchive = true;
            return this;
        }

        /**
         * How long, at JVM exit, the pool waits for its tasks before it ends its workers (SIGTERM,
         * then SIGKILL a second later): a runaway task cannot keep the JVM from exiting. Default: 5
         * seconds. Has no effect on a {@link #daemon} pool, which JVM exit does not wait for.
         *
         * @param grace a positive duration
         * @return this builder
         * @throws NullPointerException if null
         * @throws IllegalArgumentException if not positive
         * @since 0.1
         */
        public Builder exitGracePeriod(Duration grace) {
            this.exitGracePeriod = positive(grace, "exitGracePeriod");
            return this;
        }

        /**
         * Whether JVM exit may abandon this pool's tasks. Default false: at exit the JVM shuts the
         * pool down and waits for every task already submitted, as CPython does, but at most
         * {@link #exitGracePeriod}.
         *
         * @param daemon true to not wait at JVM exit
         * @return this builder
         * @since 0.1
         */
        public Builder daemon(boolean daemon) {
            this.daemon = daemon;
            return this;
        }

        /**
         * The most worker JVMs at once. Default: the number of available processors.
         *
         * @param workers at least 1
         * @return this builder
         * @throws IllegalArgumentException if not positive
         * @since 0.1
         */
        public Builder workers(int workers) {
            if (workers < 1) {
                throw new IllegalArgumentException("workers must be at least 1, was " + workers);
            }
            this.workers = workers;
            return this;
        }

        /**
         * The {@code java} executable for workers. Default: the one running this JVM.
         *
         * @param javaCommand a path to {@code java}
         * @return this builder
         * @throws NullPointerException if null
         * @since 0.1
         */
        public Builder javaCommand(String javaCommand) {
            this.javaCommand = Objects.requireNonNull(javaCommand, "javaCommand");
            return this;
        }

        /**
         * The workers' classpath ({@code java -cp}); it must hold jfutures-core, jfutures-process
         * and the task classes. Relative entries are taken from this JVM's working directory (they
         * are made absolute, so {@link #workingDirectory} does not change them); {@code dir/*}
         * stays a wildcard for the workers' launcher. {@link #build()} checks that the directories
         * and jars of it (with the jars their manifests' {@code Class-Path} names) hold
         * {@code dev/jfutures/process/Worker.class} and {@code dev/jfutures/TaskExecutor.class},
         * and throws {@link IllegalStateException} naming what is missing if not.
         *
         * <p>Default: this JVM's own, found at {@link #build()}: its class path, the modules of its
         * module path (which workers run in the unnamed module), and the {@code file:} URLs of the
         * {@link java.net.URLClassLoader}s that loaded jfutures or are the thread's context class
         * loader (as under {@code mvn exec:java}), in that order, every entry absolute. Set this
         * when jfutures was loaded from no plain directory or jar (a Spring Boot fat jar, a class
         * loader of another kind): {@link #build()} then throws {@link IllegalStateException}
         * saying where jfutures was loaded from and that this setting is needed.
         *
         * @param classpath a classpath string, entries separated by {@link java.io.File#pathSeparator}
         * @return this builder
         * @throws NullPointerException if null
         * @since 0.1
         */
        public Builder classpath(String classpath) {
            this.classpath = Objects.requireNonNull(classpath, "classpath");
            return this;
        }

        /**
         * Extra JVM options for workers, after the pool's own ({@code -XX:+ExitOnOutOfMemoryError
         * -XX:+UseSerialGC}, and the JDK's default {@code SelectorProvider} by name), so they can
         * override them; e.g. {@code -Xmx256m}. An option that chooses a collector ({@code
         * -XX:+UseG1GC}, ...) replaces the pool's {@code -XX:+UseSerialGC}.
         *
         * @param options the options
         * @return this builder
         * @throws NullPointerException if null
         * @since 0.1
         */
        public Builder jvmOptions(String... options) {
            for (String o : options) {
                jvmOptions.add(Objects.requireNonNull(o, "jvmOptions element"));
            }
            return this;
        }

        /**
         * An environment variable for workers, on top of this JVM's environment.
         *
         * @param key the name
         * @param value the value
         * @return this builder
         * @throws NullPointerException if either is null
         * @since 0.1
         */
        public Builder environment(String key, String value) {
            environment.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * The workers' working directory. Default: this JVM's.
         *
         * @param dir the directory
         * @return this builder
         * @throws NullPointerException if null
         * @since 0.1
         */
        public Builder workingDirectory(Path dir) {
            this.workingDirectory = Objects.requireNonNull(dir, "workingDirectory");
            return this;
        }

        /**
         * Start every worker at {@code build()}, instead of on demand.
         *
         * @param prestart true to start them all at once
         * @return this builder
         * @since 0.1
         */
        public Builder prestart(boolean prestart) {
            this.prestart = prestart;
            return this;
        }

        /**
         * End a worker that has been idle this long (it is started again when needed). Default:
         * workers stay until shutdown.
         *
         * @param idleTimeout a positive duration
         * @return this builder
         * @throws IllegalArgumentException if not positive
         * @since 0.1
         */
        public Builder idleTimeout(Duration idleTimeout) {
            this.idleTimeout = positive(idleTimeout, "idleTimeout");
            return this;
        }

        /**
         * Replace a worker after it has run this many tasks (for leaks and static state). Default:
         * never.
         *
         * @param maxTasksPerWorker at least 1
         * @return this builder
         * @throws IllegalArgumentException if not positive
         * @since 0.1
         */
        public Builder maxTasksPerWorker(int maxTasksPerWorker) {
            if (maxTasksPerWorker < 1) {
                throw new IllegalArgumentException("maxTasksPerWorker must be at least 1, was " + maxTasksPerWorker);
            }
            this.maxTasksPerWorker = maxTasksPerWorker;
            return this;
        }

        /**
         * Runs once in each worker before its first task. If it throws, the pool is broken.
         *
         * @param initializer a serializable action
         * @return this builder
         * @throws NullPointerException if null
         * @since 0.1
         */
        public Builder initializer(TaskAction initializer) {
            this.initializer = Objects.requireNonNull(initializer, "initializer");
            return this;
        }

        /**
         * The default per-task timeout: a task running longer has its worker killed and fails with
         * {@link TaskTimeoutException}. Default: none.
         *
         * @param taskTimeout a positive duration
         * @return this builder
         * @throws IllegalArgumentException if not positive
         * @since 0.1
         */
        public Builder taskTimeout(Duration taskTimeout) {
            this.taskTimeout = positive(taskTimeout, "taskTimeout");
            return this;
        }

        /**
         * How long {@code cancel(true)} lets an interrupted task end before it kills the worker.
         * Default: 1 second.
         *
         * @param grace a positive duration
         * @return this builder
         * @throws IllegalArgumentException if not positive
         * @since 0.1
         */
        public Builder cancelGracePeriod(Duration grace) {
            this.cancelGracePeriod = positive(grace, "cancelGracePeriod");
            return this;
        }

        /**
         * How long a new worker JVM may take to connect. Default: 30 seconds.
         *
         * @param startTimeout a positive duration
         * @return this builder
         * @throws IllegalArgumentException if not positive
         * @since 0.1
         */
        public Builder startTimeout(Duration startTimeout) {
            this.startTimeout = positive(startTimeout, "startTimeout");
            return this;
        }

        /**
         * How many tasks may be sent ahead to one worker once the pool is at full size, to hide the
         * socket round trip under running tasks. Default: 16. Lower it for long tasks of uneven
         * length, which can otherwise wait behind a long one while another worker is free.
         *
         * @param depth at least 1
         * @return this builder
         * @throws IllegalArgumentException if not positive
         * @since 0.1
         */
        public Builder pipelineDepth(int depth) {
            if (depth < 1) {
                throw new IllegalArgumentException("pipelineDepth must be at least 1, was " + depth);
            }
            this.pipelineDepth = depth;
            return this;
        }

        /**
         * The deserialization filter of the default codec.
         *
         * @param filter the filter
         * @return this builder
         * @throws NullPointerException if null
         * @since 0.1
         */
        public Builder serializationFilter(SerializationFilter filter) {
            this.filter = Objects.requireNonNull(filter, "serializationFilter");
            return this;
        }

        /**
         * A codec other than JDK serialization; it needs a public no-arg constructor.
         *
         * @param codec the codec
         * @return this builder
         * @throws NullPointerException if null
         * @since 0.1
         */
        public Builder codec(Codec codec) {
            this.codec = Objects.requireNonNull(codec, "codec");
            return this;
        }

        private static Duration positive(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, was " + d);
            }
            return d;
        }

        /**
         * Builds the pool: opens its socket and, with {@link #prestart}, starts the workers.
         *
         * @return the pool
         * @throws TaskNotSerializableException if the initializer cannot be serialized
         * @throws IllegalStateException if the socket cannot be opened, or no worker classpath can
         *     be found (the message names {@link #classpath})
         * @since 0.1
         */
        public ProcessPool build() {
            return new ProcessPool(this);
        }
    }
}
