package dev.jfutures.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.file.Path;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** dev.jfutures.cluster, as built, exports its API package only and opens nothing. */
class ClusterModuleTest {

    @Test
    void clusterExportsOnlyItsApi() throws Exception {
        Path location = Path.of(ClusterPool.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        ModuleDescriptor d = ModuleFinder.of(location).find("dev.jfutures.cluster")
                .orElseThrow(() -> new AssertionError("no module dev.jfutures.cluster at " + location)).descriptor();
        assertThat(d.isAutomatic()).isFalse();
        assertThat(d.exports().stream().map(e -> e.source() + (e.isQualified() ? " to " + e.targets() : ""))
                .collect(Collectors.toList())).containsExactly("dev.jfutures.cluster");
        assertThat(d.opens()).isEmpty();
        assertThat(d.packages()).contains("dev.jfutures.cluster.internal");
        assertThat(d.requires()).anySatisfy(r -> {
            assertThat(r.name()).isEqualTo("dev.jfutures");
            assertThat(r.modifiers()).contains(ModuleDescriptor.Requires.Modifier.TRANSITIVE);
        });
    }
}
