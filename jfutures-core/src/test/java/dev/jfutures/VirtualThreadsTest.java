package dev.jfutures;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;

/** Virtual threads where the JVM has them, and a clear error where it does not. */
class VirtualThreadsTest {

    /** On JDK 17-20, asking for virtual threads fails at once, saying what to change. */
    @Test
    @EnabledForJreRange(max = JRE.JAVA_20)
    void virtualThreadsOnOldJdkFailWithAClearMessage() {
        assertThatThrownBy(ThreadPool::virtual)
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("Java 21 or later")
                .hasMessageContaining("platform threads");
        assertThatThrownBy(() -> ThreadPool.builder().virtualThreads().workers(2).build())
                .isInstanceOf(UnsupportedOperationException.class);
    }

    /** On JDK 21+, a virtual pool runs its tasks on virtual threads named after the prefix. */
    @Test
    @EnabledForJreRange(min = JRE.JAVA_21)
    void virtualPoolRunsOnVirtualThreads() throws Exception {
        try (ThreadPool pool = ThreadPool.builder().virtualThreads().threadNamePrefix("vt").build()) {
            assertThat(pool.isVirtual()).isTrue();
            String info = pool.submit(() -> {
                Thread t = Thread.currentThread();
                boolean virtual = (boolean) Thread.class.getMethod("isVirtual").invoke(t);
                return virtual + " " + t.getName();
            }).result();
            assertThat(info).startsWith("true vt_");
        }
    }
}
