package dev.jfutures.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher script {@code ./jfutures}, run from a copy of it beside a stand-in {@code mvn}: what
 * its first build shows.
 */
class LauncherTest {

    /** The repository's launcher; the tests run in the module's directory. */
    private static final Path LAUNCHER = Path.of("..", "jfutures").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    /**
     * The first build prints a line per module as Maven starts it and Maven's errors, without the
     * escape sequences Maven writes even in batch mode, and no {@code /./} in the paths it prints
     * when run as {@code ./jfutures}.
     */
    @Test
    void theFirstBuildShowsEachModuleWithoutEscapesOrDotSegments() throws Exception {
        assumeTrue(Files.isRegularFile(LAUNCHER), "the launcher is not at " + LAUNCHER);
        assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "no bash to run the launcher");
        Path repo = Files.createDirectories(tmp.resolve("repo"));
        Files.copy(LAUNCHER, repo.resolve("jfutures"));
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        // Maven 3.8's output, as it starts: colour resets first, module banners, an error; then it fails.
        executable(bin.resolve("mvn"), """
                #!/bin/sh
                printf '\\033[0m\\033[0m[INFO] Scanning for projects...\\n'
                echo '[INFO] Building jfutures-core 0.1.0-SNAPSHOT                              [2/6]'
                echo '[INFO] --- maven-compiler-plugin:3.13.0:compile (default-compile) @ jfutures-core ---'
                echo '[INFO] Building jar: /somewhere/jfutures-core-0.1.0-SNAPSHOT.jar'
                echo '[INFO] Building jfutures-cli 0.1.0-SNAPSHOT                               [6/6]'
                printf '\\033[1;31m[ERROR] COMPILATION ERROR\\033[m\\n'
                exit 1
                """);
        ProcessBuilder pb = new ProcessBuilder("/bin/bash", "./jfutures", "find", ".", "x").directory(repo.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("PATH", bin + ":/usr/bin:/bin");
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().remove("JFUTURES_NO_BUILD");
        Process p = pb.start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("ended").isTrue();

        assertThat(p.exitValue()).as(err).isEqualTo(70);
        String real = repo.toRealPath().toString();
        assertThat(err).doesNotContain("\u001b", "/./")
                .contains("jfutures: building " + real + "/jfutures-cli/target/jfutures.jar",
                        "jfutures:   jfutures-core 0.1.0-SNAPSHOT [2/6]\n",
                        "jfutures:   jfutures-cli 0.1.0-SNAPSHOT [6/6]\n",
                        "[ERROR] COMPILATION ERROR\n",
                        "its whole output is in " + real + "/jfutures-cli/target/build.log")
                .doesNotContain("Building jar", "maven-compiler-plugin");
        assertThat(Files.readString(repo.resolve("jfutures-cli/target/build.log"))).contains("Building jar");
    }

    private static void executable(Path file, String text) throws IOException {
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
