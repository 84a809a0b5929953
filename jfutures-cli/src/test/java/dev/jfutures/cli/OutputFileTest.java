package dev.jfutures.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link OutputFile}: all or nothing, never over an existing file without force. */
class OutputFileTest {

    @TempDir
    Path tmp;

    /** The contents arrive whole, under the final name, and no temporary file is left */
    @Test
    void writesThroughATemporaryFileAndLeavesOnlyTheOutput() throws IOException {
        Path out = tmp.resolve("a.rle");
        OutputFile.write(out, "a.rle", false, s -> {
            assertThat(Files.exists(out)).as("not there while being written").isFalse();
            assertThat(Cli.names(tmp)).singleElement().asString().startsWith(".a.rle.").endsWith(".tmp");
            s.write("hello".getBytes(StandardCharsets.US_ASCII));
        });
        assertThat(Files.readString(out)).isEqualTo("hello");
        assertThat(Cli.names(tmp)).containsExactly("a.rle");
    }

    /** A failure while writing leaves neither the output nor the temporary file */
    @Test
    void aFailureLeavesNothing() {
        Path out = tmp.resolve("b.rle");
        assertThatThrownBy(() -> OutputFile.write(out, "b.rle", false, s -> {
            s.write(new byte[100_000]);
            throw new IOException("disk full");
        })).hasMessage("disk full");
        assertThat(Cli.names(tmp)).isEmpty();
        assertThatThrownBy(() -> OutputFile.write(out, "b.rle", false, s -> {
            throw new IllegalStateException("a row task failed");
        })).hasMessage("a row task failed");
        assertThat(Cli.names(tmp)).isEmpty();
    }

    /** An existing output is refused, naming it and --force, and kept; with force it is replaced */
    @Test
    void anExistingOutputIsRefusedUnlessForce() throws IOException {
        Path out = Files.writeString(tmp.resolve("c.rle"), "old");
        assertThatThrownBy(() -> OutputFile.write(out, "shown/c.rle", false, s -> s.write('x')))
                .isInstanceOf(IOException.class).hasMessage("shown/c.rle already exists (use --force to replace it)");
        assertThat(Files.readString(out)).isEqualTo("old");
        OutputFile.write(out, "c.rle", true, s -> s.write("new".getBytes(StandardCharsets.US_ASCII)));
        assertThat(Files.readString(out)).isEqualTo("new");
        assertThat(Cli.names(tmp)).containsExactly("c.rle");
    }

    /** An output that appears while the contents are written is not replaced */
    @Test
    void anOutputThatAppearsMeanwhileIsNotReplaced() throws IOException {
        Path out = tmp.resolve("d.rle");
        assertThatThrownBy(() -> OutputFile.write(out, "d.rle", false, s -> Files.writeString(out, "theirs")))
                .hasMessageContaining("d.rle already exists");
        assertThat(Files.readString(out)).isEqualTo("theirs");
        assertThat(Cli.names(tmp)).containsExactly("d.rle");
    }

    /** The output gets the umask's mode, not a temporary file's 0600 */
    @Test
    void theOutputIsNotPrivateLikeATemporaryFile() throws IOException {
        Path out = tmp.resolve("e.rle");
        OutputFile.write(out, "e.rle", false, s -> s.write(1));
        Path plain = Files.createFile(tmp.resolve("plain"));
        assertThat(Files.getPosixFilePermissions(out)).isEqualTo(Files.getPosixFilePermissions(plain));
    }

    /** A directory that cannot be written is a message naming the output and the reason */
    @Test
    void anUnwritableDirectoryNamesTheOutput() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("ro"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-x------"));
        try {
            assumeFalse(Files.isWritable(dir), "running as root: a read-only directory is writable");
            assertThatThrownBy(() -> OutputFile.write(dir.resolve("f.rle"), "ro/f.rle", false, s -> s.write(1)))
                    .hasMessage("cannot write ro/f.rle: Permission denied");
        } finally {
            Files.setPosixFilePermissions(dir, java.util.EnumSet.allOf(PosixFilePermission.class));
        }
    }

    /** Leftovers of a killed writer are removed, and nothing else */
    @Test
    void leftoversOfOneOutputAreRemoved() throws IOException {
        Files.writeString(tmp.resolve(".g.rle.abc.tmp"), "half");
        Files.writeString(tmp.resolve(".h.rle.abc.tmp"), "another output's");
        Files.writeString(tmp.resolve("g.rle"), "kept");
        OutputFile.removeLeftovers(tmp.resolve("g.rle"));
        assertThat(Cli.names(tmp)).containsExactly(".h.rle.abc.tmp", "g.rle");
    }
}
