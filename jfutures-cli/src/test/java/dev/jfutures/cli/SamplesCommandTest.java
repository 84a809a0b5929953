package dev.jfutures.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jfutures.cli.image.BitImage;
import dev.jfutures.cli.rle.Rle;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code jfutures samples}: names, kinds, formats, sizes, determinism, refusals. */
class SamplesCommandTest {

    @TempDir
    Path tmp;

    private static String s(Path p) {
        return p.toString();
    }

    private static BufferedImage read(Path file) throws IOException {
        BufferedImage image = ImageIO.read(file.toFile());
        assertThat(image).as("%s is an image javax.imageio reads", file).isNotNull();
        return image;
    }

    @Test
    void theDefaultsAreEight800x600BmpsOfEachKindInTurn() throws IOException {
        Path out = tmp.resolve("out");
        Cli.Result r = Cli.run("samples", s(out));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo("wrote 8 images (800x600, mixed, bmp, seed 1) to " + out + "\n");
        assertThat(Cli.names(out)).containsExactly("sample-001.bmp", "sample-002.bmp", "sample-003.bmp",
                "sample-004.bmp", "sample-005.bmp", "sample-006.bmp", "sample-007.bmp", "sample-008.bmp");
        int[] bitsPerPixel = {1, 8, 24, 1, 8, 24, 1, 8};
        for (int i = 1; i <= 8; i++) {
            Path file = out.resolve(String.format("sample-%03d.bmp", i));
            assertThat(Files.readAllBytes(file)[28]).as("bits per pixel of %s", file).isEqualTo((byte) bitsPerPixel[i - 1]);
            BufferedImage image = read(file);
            assertThat(image.getWidth()).isEqualTo(800);
            assertThat(image.getHeight()).isEqualTo(600);
        }
        assertThat(read(out.resolve("sample-001.bmp")).getType()).isEqualTo(BufferedImage.TYPE_BYTE_BINARY);
        assertThat(read(out.resolve("sample-003.bmp")).getColorModel().getNumComponents()).isEqualTo(3);
    }

    @ParameterizedTest(name = "--format {0}")
    @ValueSource(strings = {"bmp", "png", "gif"})
    void everyFormatAndKindIsReadableAtTheGivenSize(String format) throws IOException {
        for (String kind : List.of("bilevel", "gray", "color")) {
            Path out = tmp.resolve(format + "-" + kind);
            Cli.Result r = Cli.run("samples", s(out), "--count", "2", "--size", "97x41", "--format", format,
                    "--kind", kind);
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(Cli.names(out)).containsExactly("sample-001." + format, "sample-002." + format);
            BufferedImage image = read(out.resolve("sample-002." + format));
            assertThat(image.getWidth()).isEqualTo(97);
            assertThat(image.getHeight()).isEqualTo(41);
            if (kind.equals("gray") && !format.equals("gif")) {
                assertThat(image.getType()).as("%s %s", format, kind).isEqualTo(BufferedImage.TYPE_BYTE_GRAY);
            }
            if (kind.equals("bilevel")) {
                assertThat(image.getColorModel().getPixelSize()).as("%s %s", format, kind).isEqualTo(1);
            }
        }
    }

    @Test
    void theSameSeedDrawsTheSameBytesAndAnotherSeedOtherOnes() throws IOException {
        Cli.run("samples", s(tmp.resolve("a")), "--count", "3", "--size", "300x200", "--seed", "42");
        Cli.run("samples", s(tmp.resolve("b")), "--count", "3", "--size", "300x200", "--seed", "42");
        Cli.run("samples", s(tmp.resolve("c")), "--count", "3", "--size", "300x200", "--seed", "43");
        for (int i = 1; i <= 3; i++) {
            String name = String.format("sample-%03d.bmp", i);
            assertThat(Files.readAllBytes(tmp.resolve("a").resolve(name)))
                    .isEqualTo(Files.readAllBytes(tmp.resolve("b").resolve(name)))
                    .isNotEqualTo(Files.readAllBytes(tmp.resolve("c").resolve(name)));
        }
    }

    @Test
    void aBilevelImageIsTheSamePixelsInEveryFormat() throws IOException {
        for (String format : List.of("bmp", "png", "gif")) {
            assertThat(Cli.run("samples", s(tmp.resolve(format)), "--count", "1", "--size", "131x77", "--kind",
                    "bilevel", "--format", format).code()).isZero();
        }
        BitImage bmp = DecompressCommandTest.readBack(tmp.resolve("bmp/sample-001.bmp"));
        assertThat(DecompressCommandTest.readBack(tmp.resolve("png/sample-001.png"))).isEqualTo(bmp);
        assertThat(DecompressCommandTest.readBack(tmp.resolve("gif/sample-001.gif"))).isEqualTo(bmp);
    }

    @Test
    void aSampleHasLongRunsAndShortOnes() throws IOException {
        Cli.run("samples", s(tmp), "--count", "1", "--kind", "bilevel");
        byte[] rle = Rle.encode(DecompressCommandTest.readBack(tmp.resolve("sample-001.bmp")));
        int longest = 0;
        int ones = 0;
        for (int i = Rle.HEADER_BYTES; i < rle.length; i++) {
            int length = rle[i] & 0x7f;
            longest = Math.max(longest, length);
            ones += length == 1 ? 1 : 0;
        }
        assertThat(longest).isEqualTo(127);
        assertThat(ones).as("runs of one pixel").isGreaterThan(1000);
        assertThat(rle.length).as("it compresses").isLessThan(800 * 600 / 8);
    }

    @Test
    void theBenchmarkImagesCanBeMade() throws IOException {
        Path big = tmp.resolve("big");
        Cli.Result r = Cli.run("samples", s(big), "--count", "1", "--size", "7200x5600", "--kind", "bilevel");
        assertThat(r.code()).as(r.err()).isZero();
        byte[] bmp = Files.readAllBytes(big.resolve("sample-001.bmp"));
        assertThat(bmp[28]).as("1 bit per pixel").isEqualTo((byte) 1);
        assertThat(bmp.length).isEqualTo(62 + 5600 * 900);   // 7200 / 8 = 900 bytes a row, a multiple of 4
        Path hundred = tmp.resolve("hundred");
        assertThat(Cli.run("samples", s(hundred), "--count", "100", "--size", "160x120").code()).isZero();
        assertThat(Cli.names(hundred)).hasSize(100).contains("sample-100.bmp");
    }

    @Test
    void existingImagesAreRefusedUnlessForce() throws IOException {
        Path out = tmp.resolve("out");
        Cli.run("samples", s(out), "--count", "3", "--size", "20x20");
        Files.writeString(out.resolve("sample-002.bmp"), "precious");
        Cli.Result r = Cli.run("samples", s(out), "--count", "3", "--size", "20x20");
        assertThat(r.code()).as("one image failed: 1, as for any number").isEqualTo(1);
        assertThat(r.errLines()).contains("jfutures samples: " + out + "/sample-002.bmp: " + out
                + "/sample-002.bmp already exists (use --force to replace it)")
                .last().isEqualTo("wrote 0 of 3 images (20x20, mixed, bmp, seed 1) to " + out + "; 3 failed");
        assertThat(Files.readString(out.resolve("sample-002.bmp"))).isEqualTo("precious");
        Cli.Result forced = Cli.run("samples", s(out), "--count", "3", "--size", "20x20", "--force");
        assertThat(forced.code()).isZero();
        assertThat(read(out.resolve("sample-002.bmp")).getWidth()).isEqualTo(20);
        assertThat(Cli.names(out)).containsExactly("sample-001.bmp", "sample-002.bmp", "sample-003.bmp");
    }

    @Test
    void anOutdirThatCannotBeCreatedIsExitCode73() throws IOException {
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        Cli.Result r = Cli.run("samples", s(file.resolve("sub")));
        assertThat(r.code()).isEqualTo(73);
        assertThat(r.err()).startsWith("jfutures samples: cannot create the output directory " + file.resolve("sub"));
    }

    @Test
    void usageErrorsAreExitCode64() {
        String out = s(tmp.resolve("out"));
        assertUsageError("--count must be a positive number, was 0", "samples", out, "--count", "0");
        assertUsageError("--size must be WIDTHxHEIGHT, each 1 to 65535 (e.g. 800x600), was '0x10'", "samples", out,
                "--size", "0x10");
        assertUsageError("was '70000x1'", "samples", out, "--size", "70000x1");
        assertUsageError("was '640'", "samples", out, "--size", "640");
        assertUsageError("was 'axb'", "samples", out, "--size", "axb");
        assertUsageError("Invalid value for option '--format'", "samples", out, "--format", "jpg");
        assertUsageError("Invalid value for option '--kind'", "samples", out, "--kind", "sepia");
        assertUsageError("Invalid value for option '--seed'", "samples", out, "--seed", "x");
        assertUsageError("Missing required parameter: 'OUTDIR'", "samples");
        assertThat(Files.exists(tmp.resolve("out"))).isFalse();
    }

    private static void assertUsageError(String message, String... args) {
        Cli.Result r = Cli.run(args);
        assertThat(r.code()).as("exit code of %s", List.of(args)).isEqualTo(2);
        assertThat(r.err()).contains(message).endsWith("Try 'jfutures samples --help' for more information.\n")
                .doesNotContain("Usage:");
    }

    @Test
    void helpListsEveryOption() {
        Cli.Result help = Cli.run("samples", "--help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("OUTDIR", "--count=N", "--size=WxH", "--format=FORMAT", "bmp, png, gif",
                "--kind=KIND", "bilevel, gray, color, mixed", "--seed=S", "-f, --force", "Exit codes");
    }
}
