package dev.jfutures;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The write side is separate from the read side. */
class TaskPromiseTest {

    /** A future handed out cannot be completed through any public type it implements. */
    @Test
    void futureIsNotAPromise() {
        TaskPromise<String> p = new TaskPromise<>();
        TaskFuture<String> f = p.future();
        assertThat(f).isNotInstanceOf(TaskPromise.class);
        assertThat(f.getClass().getModifiers() & java.lang.reflect.Modifier.PUBLIC).isZero();
    }

    /** A second completion is refused and the first outcome stands. */
    @Test
    void secondCompletionRefused() {
        TaskPromise<String> p = new TaskPromise<>();
        p.setResult("first");
        assertThatThrownBy(() -> p.setResult("second")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already done");
        assertThat(p.trySetException(new RuntimeException())).isFalse();
        assertThat(p.future().result()).isEqualTo("first");
    }
}
