package dev.jfutures.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.jfutures.MapOptions;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The two ports of CPython's {@code executor.py} {@code ExecutorTest} (of T37 of the spec) that
 * check {@link MapOptions} alone, before any executor sees them: they run once and not per
 * executor kind. {@link ExecutorTests} has the rest, each named as the CPython test it ports.
 */
class MapOptionsTest {

    /**
     * Port of executor.py ExecutorTest.test_map_buffersize_type_validation: only an integer buffer
     * size, or none, is accepted. CPython rejects {@code "foo"} and {@code 2.0} at run time; in Java
     * the compiler does, since the only {@code bufferSize} setter takes an {@code int} (checked here
     * by reflection, so that a looser overload would fail this test), and CPython's {@code None} is
     * the unset default.
     */
    @Test
    void test_map_buffersize_type_validation() {
        List<Method> setters = Arrays.stream(MapOptions.class.getMethods())
                .filter(m -> m.getName().equals("bufferSize") && m.getParameterCount() == 1)
                .collect(Collectors.toList());
        assertThat(setters).hasSize(1);
        assertThat(setters.get(0).getParameterTypes()).containsExactly(int.class);
        assertThat(MapOptions.defaults().bufferSize()).as("None: the executor's default").isEmpty();
    }

    /**
     * Port of executor.py ExecutorTest.test_map_buffersize_value_validation: a buffer size of 0 or
     * -1 is refused with an {@link IllegalArgumentException} naming {@code bufferSize} (CPython's
     * {@code ValueError("buffersize must be None or > 0")}), before any task is submitted.
     */
    @Test
    void test_map_buffersize_value_validation() {
        for (int buffersize : new int[] {0, -1}) {
            assertThatIllegalArgumentException().as("buffersize=%d", buffersize)
                    .isThrownBy(() -> MapOptions.defaults().bufferSize(buffersize))
                    .withMessageContaining("bufferSize");
        }
    }
}
