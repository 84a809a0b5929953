package dev.jfutures.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jfutures.TaskExecutor;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The library's modules, as built, export their API packages and nothing else: no internal
 * package is exported, but for the remote-task internals that core exports to the two backends
 * only. (WorkerClasspathTest runs a program on the module path against them.)
 */
class ModuleExportsTest {

    private static ModuleDescriptor descriptor(Class<?> c, String module) throws URISyntaxException {
        Path location = Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
        ModuleReference ref = ModuleFinder.of(location).find(module)
                .orElseThrow(() -> new AssertionError("no module " + module + " at " + location));
        return ref.descriptor();
    }

    private static Set<String> exports(ModuleDescriptor d) {
        return d.exports().stream().map(e -> e.source() + (e.isQualified() ? " to " + new java.util.TreeSet<>(e.targets()) : ""))
                .collect(Collectors.toSet());
    }

    /** dev.jfutures exports its two API packages, the remote internals only to the backends, and opens nothing. */
    @Test
    void coreExportsOnlyItsApi() throws Exception {
        ModuleDescriptor d = descriptor(TaskExecutor.class, "dev.jfutures");
        assertThat(d.isAutomatic()).isFalse();
        assertThat(exports(d)).containsExactlyInAnyOrder("dev.jfutures", "dev.jfutures.remote",
                "dev.jfutures.remote.internal to [dev.jfutures.cluster, dev.jfutures.process]",
                        "dev.jfutures.internal to [dev.jfutures.cluster, dev.jfutures.process]");
        assertThat(d.opens()).isEmpty();
        assertThat(d.packages()).contains("dev.jfutures.internal");
    }

    /** dev.jfutures.process exports dev.jfutures.process only, and requires dev.jfutures transitively. */
    @Test
    void processExportsOnlyItsApi() throws Exception {
        ModuleDescriptor d = descriptor(ProcessPool.class, "dev.jfutures.process");
        assertThat(d.isAutomatic()).isFalse();
        assertThat(exports(d)).containsExactly("dev.jfutures.process");
        assertThat(d.opens()).isEmpty();
        assertThat(d.packages()).contains("dev.jfutures.process.internal");
        assertThat(d.requires()).anySatisfy(r -> {
            assertThat(r.name()).isEqualTo("dev.jfutures");
            assertThat(r.modifiers()).contains(ModuleDescriptor.Requires.Modifier.TRANSITIVE);
        });
    }
}
