package dev.jfutures.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jfutures.TaskExecutor;
import dev.jfutures.ThreadPool;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code --executor} and {@code --workers}: the thread executor's default size, per command. */
class ExecutorOptionsTest {

    private static final int CPUS = Runtime.getRuntime().availableProcessors();

    private static int threads(ExecutorOptions options, String... args) {
        CommandLine.Model.CommandSpec spec = CommandLine.Model.CommandSpec.create();
        options.addOptions(spec);
        new CommandLine(spec).parseArgs(args);
        try (TaskExecutor pool = options.create("test", null)) {
            return ((ThreadPool) pool).workers();
        }
    }

    @Test
    void findsThreadExecutorHasOneThreadMoreThanThereAreProcessors() {
        assertThat(threads(new FindCommand().executor)).isEqualTo(CPUS + 1);
        assertThat(new CommandLine(FindCommand.model(new Main.Factory())).getUsageMessage().replaceAll("\\s+", " "))
                .contains("processors + 1 threads");
    }

    @Test
    void compressKeepsTheThreadPoolsDefault() {
        try (ThreadPool reference = ThreadPool.builder().build()) {
            assertThat(threads(new ExecutorOptions())).isEqualTo(reference.workers());
        }
    }

    @Test
    void workersOverridesEitherDefault() {
        assertThat(threads(new FindCommand().executor, "--workers", "7")).isEqualTo(7);
        assertThat(threads(new ExecutorOptions(), "--workers", "5")).isEqualTo(5);
    }
}
