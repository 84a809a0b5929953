package dev.jfutures.bench.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The find section's parts; the section itself runs in the cli's BenchCommandTest. */
class BenchFindTest {

    /** The pattern is a name that occurs a few times; a name under which everything lies is not. */
    @Test
    void theChosenPatternMatchesAHandfulOfPaths() {
        List<String> paths = new ArrayList<>(List.of("/r", "/r/common-dir"));
        for (int i = 0; i < 30; i++) {
            paths.add("/r/common-dir/f" + i + "/payload");
            paths.add("/r/common-dir/f" + i + "/sample-" + (i % 10) + ".dat");
        }
        assertThat(BenchFind.choosePattern(paths)).isEqualTo("sample-0.dat");
        assertThat(BenchFind.choosePattern(List.of("/r", "/r/a", "/r/b"))).isNull();
    }
}
