package dev.jfutures.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A worker that runs out of heap says so: the task's {@link WorkerDiedException} names the
 * {@code OutOfMemoryError} and the heap limit the worker had, so that the user knows which
 * setting to raise, instead of a bare exit code 3 (what {@code -XX:+ExitOnOutOfMemoryError} exits
 * with).
 *
 * <p>The heap limit may be stated either as the option ({@code -Xmx64m}) or as a figure in MiB. As
 * a figure, {@code -Xmx64m} is 64 MiB, but a worker's {@code Runtime.maxMemory()} under the pool's
 * {@code -XX:+UseSerialGC} reports 61.875 MiB (one survivor space is not counted); so any figure from
 * 60 to 64 MiB, whole or with decimals, counts as stating it.
 */
class ProcessOutOfMemoryTest extends ProcessTestBase {

    private static final int MIB = 1 << 20;

    /** The heap limit of {@code -Xmx64m}, as the option or as a figure of 60 to 64 MiB. */
    private static final Pattern HEAP_LIMIT_64M = Pattern.compile("-Xmx64m|\\b6[0-4](\\.\\d+)? ?MiB");

    /** Fills the heap until the JVM runs out of memory. */
    static Object allocateForever() {
        List<byte[]> hog = new ArrayList<>();
        for (;;) {
            hog.add(new byte[MIB]);
        }
    }

    /** A task exhausting a {@code -Xmx64m} heap fails with WorkerDiedException naming the OOM and the heap limit. */
    @Test
    void outOfMemoryDeathNamesTheErrorAndTheHeapLimit() {
        ProcessPool p = pool(ProcessPool.builder().workers(1).jvmOptions("-Xmx64m"));
        Throwable e = p.submit(() -> allocateForever()).exception(HANG);
        assertThat(e).isInstanceOf(WorkerDiedException.class);
        assertThat(e.getMessage()).as("it says the worker ran out of memory").contains("OutOfMemoryError");
        assertThat(HEAP_LIMIT_64M.matcher(e.getMessage()).find())
                .as("it states the heap limit (-Xmx64m, or 60-64 MiB): %s", e.getMessage()).isTrue();
    }
}
