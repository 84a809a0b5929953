package dev.jfutures.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jfutures.TaskExecutor;
import dev.jfutures.ThreadPool;
import java.util.concurrent.atomic.AtomicInteger;

/** The ThreadPool kinds under test, and their leak check. */
final class Pools {

    private static final AtomicInteger SEQ = new AtomicInteger();

    private Pools() {
    }

    /** A platform-thread pool for the spec, named so that its threads can be found afterwards. */
    static ThreadPool platform(ExecutorSpec spec) {
        ThreadPool.Builder b = ThreadPool.builder().workers(spec.workers())
                .threadNamePrefix("testkit-platform-" + SEQ.incrementAndGet());
        if (spec.initializer() != null) {
            b.initializer(spec.initializer());
        }
        return b.build();
    }

    /** A virtual-thread pool for the spec (JDK 21+). */
    static ThreadPool virtual(ExecutorSpec spec) {
        ThreadPool.Builder b = ThreadPool.builder().virtualThreads().workers(spec.workers())
                .threadNamePrefix("testkit-virtual-" + SEQ.incrementAndGet());
        if (spec.initializer() != null) {
            b.initializer(spec.initializer());
        }
        return b.build();
    }

    /** After shutdown(wait=true): no live thread of this pool remains. */
    static void assertNoThreadsLeft(TaskExecutor e) {
        ThreadPool pool = (ThreadPool) e;
        assertThat(pool.poolSize()).as("live threads of %s", pool).isZero();
        String prefix = pool.toString().substring("ThreadPool[".length(), pool.toString().indexOf(','));
        // Platform threads are visible through Thread.getAllStackTraces(); virtual ones are not, and
        // poolSize() (decremented as each worker's run ends) covers them.
        assertThat(Thread.getAllStackTraces().keySet())
                .as("threads of %s still alive", prefix)
                .noneMatch(t -> t.getName().startsWith(prefix + "_") && t.isAlive());
    }
}
