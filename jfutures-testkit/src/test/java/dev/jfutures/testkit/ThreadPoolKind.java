package dev.jfutures.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jfutures.TaskExecutor;
import dev.jfutures.ThreadPool;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The two {@link ThreadPool} kinds under test, platform and virtual threads. Their tasks run in
 * this JVM, so the default gates and logs serve; what one can leak is a thread.
 */
enum ThreadPoolKind implements ExecutorKind {

    /** {@code ThreadPool.builder()}: platform threads. */
    PLATFORM("platform", false),

    /** {@code ThreadPool.builder().virtualThreads()}: virtual threads (JDK 21+). */
    VIRTUAL("virtual", true);

    private static final AtomicInteger SEQ = new AtomicInteger();

    /** The kind's name, as {@link ExitProbe} takes it and in the pools' thread names. */
    private final String probeName;
    private final boolean virtualThreads;

    ThreadPoolKind(String probeName, boolean virtualThreads) {
        this.probeName = probeName;
        this.virtualThreads = virtualThreads;
    }

    /** A pool for the spec, named so that its threads can be found afterwards. */
    @Override
    public TaskExecutor newExecutor(ExecutorSpec spec) {
        ThreadPool.Builder b = virtualThreads ? ThreadPool.builder().virtualThreads() : ThreadPool.builder();
        b.workers(spec.workers())
                .threadNamePrefix("testkit-" + probeName + "-" + SEQ.incrementAndGet());
        if (spec.initializer() != null) {
            b.initializer(spec.initializer());
        }
        return b.build();
    }

    /** After shutdown(wait=true): no live thread of this pool remains. */
    @Override
    public void assertNoLeaks(TaskExecutor e) {
        ThreadPool pool = (ThreadPool) e;
        assertThat(pool.poolSize()).as("live threads of %s", pool).isZero();
        String prefix = pool.toString().substring("ThreadPool[".length(), pool.toString().indexOf(','));
        // Platform threads are visible through Thread.getAllStackTraces(); virtual ones are not, and
        // poolSize() (decremented as each worker's run ends) covers them.
        assertThat(Thread.getAllStackTraces().keySet())
                .as("threads of %s still alive", prefix)
                .noneMatch(t -> t.getName().startsWith(prefix + "_") && t.isAlive());
    }

    /** {@link ExitProbe} with this kind's pools. */
    @Override
    public List<String> exitProbe(String scenario) {
        return ExitProbe.command(probeName, scenario);
    }
}
