package dev.jfutures.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.jfutures.cli.image.BitImage;
import dev.jfutures.cli.rle.Rle;
import dev.jfutures.cli.rle.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code jfutures compress}: every option, both modes, every executor, every refusal; on 1-bit
 * inputs, whose pixels the conversion keeps, the output is the book's bytes and decompresses to
 * the same pixels.
 */
class CompressCommandTest {

    /** Random per run, printed in every failure; set -Djfutures.test.seed=S to repeat one. */
    private static final long SEED = Long.getLong("jfutures.test.seed", System.nanoTime());

    @TempDir
    Path tmp;

    private final Random random = new Random(SEED);

    // ------------------------------------------------------------------ helpers

    private BitImage someImage() {
        return random.nextBoolean()
                ? TestImages.runs(1 + random.nextInt(400), 1 + random.nextInt(60), 1 + random.nextInt(300), random)
                : TestImages.noise(1 + random.nextInt(400), 1 + random.nextInt(60), random.nextDouble(), random);
    }

    /** Writes a 1-bit image file in a format javax.imageio writes (bmp, png, gif, tif, wbmp). */
    private Path image(String name, BitImage image) throws IOException {
        Path p = tmp.resolve(name);
        Files.createDirectories(p.getParent());
        String ext = ImageFiles.extension(name);
        String format = ext.equals("tif") ? "tiff" : ext;
        assertThat(ImageIO.write(ImageFiles.toBufferedImage(image), format, p.toFile()))
                .as("javax.imageio writes 1-bit %s", format).isTrue();
        return p;
    }

    private static void assertCompressedTo(Path rle, BitImage image) throws IOException {
        byte[] bytes = Files.readAllBytes(rle);
        assertThat(bytes).as("seed %d: %s has the book's bytes for %s", SEED, rle, image)
                .isEqualTo(TestImages.reference(image));
        assertThat(Rle.decode(bytes)).isEqualTo(image);
    }

    private static String s(Path p) {
        return p.toString();
    }

    // ------------------------------------------------------------------ single file

    @ParameterizedTest(name = "a 1-bit {0}")
    @ValueSource(strings = {"bmp", "png", "gif", "tif", "wbmp"})
    void aOneBitImageBecomesTheBooksBytesBesideIt(String format) throws IOException {
        BitImage image = someImage();
        Path in = image("pic." + format, image);
        Cli.Result r = Cli.run("compress", s(in));
        assertThat(r.code()).as("seed %d: %s", SEED, r.err()).isZero();
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEmpty();
        assertCompressedTo(tmp.resolve("pic.rle"), image);
        assertThat(Cli.names(tmp)).containsExactlyInAnyOrder("pic." + format, "pic.rle");
    }

    @Test
    void theOutputIsNamedAfterTheInputOrAsGiven() throws IOException {
        BitImage image = someImage();
        Path in = image("photos/a.b.PNG", image);
        assertThat(Cli.run("compress", s(in)).code()).isZero();
        assertCompressedTo(tmp.resolve("photos/a.b.rle"), image);
        Path noExtension = Files.copy(in, tmp.resolve("photos/noext"));
        assertThat(Cli.run("compress", s(noExtension)).code()).isZero();
        assertCompressedTo(tmp.resolve("photos/noext.rle"), image);
        assertThat(Cli.run("compress", s(in), "-o", s(tmp.resolve("x.bin"))).code()).isZero();
        assertCompressedTo(tmp.resolve("x.bin"), image);
        Path into = Files.createDirectory(tmp.resolve("into"));
        assertThat(Cli.run("compress", s(in), "--output", s(into)).code()).isZero();
        assertCompressedTo(into.resolve("a.b.rle"), image);
    }

    @Test
    void aRelativeInputIsNamedAsGiven() throws IOException {
        Path in = image("rel/r.png", someImage());
        String relative = Path.of("").toAbsolutePath().relativize(in).toString();
        Files.delete(in);
        Cli.Result r = Cli.run("compress", relative);
        assertThat(r.code()).isEqualTo(66);
        assertThat(r.err()).isEqualTo("jfutures compress: '" + relative + "': No such file or directory\n");
    }

    @Test
    void anExistingOutputIsRefusedUnlessForce() throws IOException {
        BitImage image = someImage();
        Path in = image("f.png", image);
        Path out = Files.writeString(tmp.resolve("f.rle"), "precious");
        Cli.Result r = Cli.run("compress", s(in));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("jfutures compress: " + in + ": " + out
                + " already exists (use --force to replace it)\n");
        assertThat(Files.readString(out)).isEqualTo("precious");
        assertThat(Cli.run("compress", s(in), "--force").code()).isZero();
        assertCompressedTo(out, image);
        assertThat(Cli.run("compress", s(in), "-f").code()).isZero();
        assertThat(Cli.names(tmp)).containsExactly("f.png", "f.rle");
    }

    @Test
    void everyExecutorEncodesTheRowsToTheSameBytes() throws IOException {
        BitImage image = TestImages.runs(1000, 301, 400, random);
        Path in = image("big.png", image);
        for (String[] options : List.of(new String[] {"--executor", "thread"},
                new String[] {"--executor", "thread", "--workers", "1"},
                new String[] {"--executor", "thread", "--workers", "7"},
                new String[] {"--executor", "process", "--workers", "2"},
                new String[] {"--executor", "process", "--workers", "1"})) {
            Path out = tmp.resolve(String.join("", options) + ".rle");
            List<String> args = new ArrayList<>(List.of("compress", s(in), "-o", s(out)));
            args.addAll(Arrays.asList(options));
            Cli.Result r = Cli.run(args.toArray(String[]::new));
            assertThat(r.code()).as("%s: %s", args, r.err()).isZero();
            assertCompressedTo(out, image);
        }
    }

    @Test
    @EnabledForJreRange(min = JRE.JAVA_21)
    void virtualThreadsEncodeTheSameOnJava21() throws IOException {
        BitImage image = someImage();
        Path in = image("v.png", image);
        assertThat(Cli.run("compress", s(in), "--executor", "virtual").code()).isZero();
        assertCompressedTo(tmp.resolve("v.rle"), image);
    }

    @Test
    @EnabledForJreRange(max = JRE.JAVA_20)
    void virtualBeforeJava21IsAClearError() throws IOException {
        Path in = image("v.png", someImage());
        Cli.Result r = Cli.run("compress", s(in), "--executor", "virtual");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("jfutures compress: --executor virtual needs Java 21 or later")
                .contains(Runtime.version().toString());
        assertThat(Cli.names(tmp)).containsExactly("v.png");
    }

    @Test
    void compressThenDecompressGivesTheOriginalPixels() throws IOException {
        for (int i = 0; i < 5; i++) {
            BitImage image = someImage();
            Path in = image("rt" + i + ".bmp", image);
            assertThat(Cli.run("compress", s(in), "-o", s(tmp.resolve("rt" + i + ".rle"))).code()).isZero();
            assertThat(Cli.run("decompress", s(tmp.resolve("rt" + i + ".rle")), "-o",
                    s(tmp.resolve("back" + i + ".png"))).code()).isZero();
            assertThat(DecompressCommandTest.readBack(tmp.resolve("back" + i + ".png"))).as("seed %d", SEED)
                    .isEqualTo(image);
        }
    }

    // ------------------------------------------------------------------ bad inputs: one line each, exit 1

    @Test
    void aCorruptImageIsOneLineNamingIt() throws IOException {
        byte[] garbage = new byte[500];
        random.nextBytes(garbage);
        Path in = Files.write(tmp.resolve("corrupt.png"), garbage);
        assertBadFile(in);
        byte[] png = Files.readAllBytes(image("whole.png", TestImages.noise(300, 300, 0.5, random)));
        Path truncated = Files.write(tmp.resolve("truncated.png"), Arrays.copyOf(png, png.length / 2));
        assertBadFile(truncated);
        Path text = Files.writeString(tmp.resolve("text.gif"), "not a GIF at all");
        assertBadFile(text);
    }

    @Test
    void dimensionsTheHeaderCannotHoldAreOneLine() throws IOException {
        Path wide = Pngs.grey(tmp.resolve("wide.png"), 70_000, 1, 200, 1);
        String line = assertBadFile(wide);
        assertThat(line).contains("65535");
        Path zero = Pngs.grey(tmp.resolve("zero.png"), 0, 10, 200, 10);
        assertBadFile(zero);
    }

    @Test
    void anUnreadableFileIsOneLine() throws IOException {
        Path in = image("locked.png", someImage());
        Files.setPosixFilePermissions(in, PosixFilePermissions.fromString("---------"));
        assumeFalse(Files.isReadable(in), "running as root: chmod 000 does not stop root from reading");
        String line = assertBadFile(in);
        assertThat(line).contains("ermission denied");
    }

    /** @return the line */
    private String assertBadFile(Path in) {
        Cli.Result r = Cli.run("compress", s(in));
        assertThat(r.code()).as("exit code for %s: %s", in, r.err()).isEqualTo(1);
        assertThat(r.err()).startsWith("jfutures compress: " + in + ": ").endsWith("\n");
        assertThat(r.err().lines().count()).as("one line: %s", r.err()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(Cli.names(in.getParent())).as("no output, no temporary file").noneMatch(n -> n.endsWith(".rle")
                || n.endsWith(".tmp"));
        return r.err().strip();
    }

    @Test
    void aMissingInputIsExitCode66NamingIt() {
        Path missing = tmp.resolve("nope.png");
        Cli.Result r = Cli.run("compress", s(missing));
        assertThat(r.code()).isEqualTo(66);
        assertThat(r.err()).isEqualTo("jfutures compress: '" + missing + "': No such file or directory\n");
    }

    // ------------------------------------------------------------------ directory mode

    /** 4 good 1-bit images, 2 bad ones, and things directory mode skips. */
    private List<BitImage> mixedDirectory(Path in) throws IOException {
        List<BitImage> good = new ArrayList<>();
        for (String name : new String[] {"g1.bmp", "g2.PNG", "g3.gif", "g4.tiff"}) {
            BitImage image = someImage();
            good.add(image);
            image(tmp.relativize(in.resolve(name)).toString(), image);
        }
        byte[] garbage = new byte[300];
        random.nextBytes(garbage);
        Files.write(in.resolve("bad-corrupt.png"), garbage);
        Files.writeString(in.resolve("bad-text.jpg"), "not a JPEG");
        Files.writeString(in.resolve("notes.txt"), "not an image: skipped");
        Files.write(in.resolve("old.rle"), new byte[] {1, 0, 1, 0, 1});
        Files.createDirectories(in.resolve("sub"));
        image(tmp.relativize(in.resolve("sub/deeper.png")).toString(), someImage());   // not recursive
        return good;
    }

    private void assertMixedDirectoryResult(Cli.Result r, Path in, Path outDir, List<BitImage> good) throws IOException {
        assertThat(r.code()).as("seed %d: %s: some files failed is 1, not their count", SEED, r.err()).isEqualTo(1);
        assertThat(Cli.names(outDir)).as("only the good outputs: no partial or temporary file")
                .containsExactly("g1.rle", "g2.rle", "g3.rle", "g4.rle");
        for (int i = 0; i < 4; i++) {
            assertCompressedTo(outDir.resolve("g" + (i + 1) + ".rle"), good.get(i));
        }
        List<String> lines = r.errLines();
        assertThat(lines).hasSize(3);
        assertThat(lines.subList(0, 2)).anyMatch(l -> l.startsWith("jfutures compress: " + in + "/bad-corrupt.png: "))
                .anyMatch(l -> l.startsWith("jfutures compress: " + in + "/bad-text.jpg: "));
        assertThat(lines.get(2)).isEqualTo("compressed 4 of 6 images; 2 failed");
    }

    @Test
    void aDirectoryIsCompressedIntoOutdirAndBadImagesDoNotStopTheOthers() throws IOException {
        Path in = tmp.resolve("in");
        List<BitImage> good = mixedDirectory(in);
        Path outDir = tmp.resolve("out/nested");
        Cli.Result r = Cli.run("compress", s(in), "-o", s(outDir));
        assertMixedDirectoryResult(r, in, outDir, good);
        assertThat(r.err()).doesNotContain("\r");
    }

    @Test
    void theProcessExecutorCompressesTheSame() throws IOException {
        Path in = tmp.resolve("in");
        List<BitImage> good = mixedDirectory(in);
        Path outDir = tmp.resolve("out");
        assertMixedDirectoryResult(Cli.run("compress", s(in), "-o", s(outDir), "--executor", "process",
                "--workers", "2"), in, outDir, good);
    }

    @Test
    void oneWorkerThreadCompressesTheSame() throws IOException {
        Path in = tmp.resolve("in");
        List<BitImage> good = mixedDirectory(in);
        Path outDir = tmp.resolve("out");
        assertMixedDirectoryResult(Cli.run("compress", s(in), "-o", s(outDir), "--workers", "1"), in, outDir, good);
    }

    @Test
    @EnabledForJreRange(min = JRE.JAVA_21)
    void virtualThreadsCompressTheSameOnJava21() throws IOException {
        Path in = tmp.resolve("in");
        List<BitImage> good = mixedDirectory(in);
        Path outDir = tmp.resolve("out");
        assertMixedDirectoryResult(Cli.run("compress", s(in), "-o", s(outDir), "--executor", "virtual"),
                in, outDir, good);
    }

    @Test
    void existingOutputsInADirectoryAreFailuresUnlessForce() throws IOException {
        Path in = tmp.resolve("in");
        BitImage a = someImage();
        image("in/a.png", a);
        image("in/b.png", someImage());
        Path outDir = Files.createDirectories(tmp.resolve("out"));
        Files.writeString(outDir.resolve("a.rle"), "precious");
        Cli.Result r = Cli.run("compress", s(in), "-o", s(outDir));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.errLines()).containsExactly("jfutures compress: " + in + "/a.png: " + outDir
                + "/a.rle already exists (use --force to replace it)", "compressed 1 of 2 images; 1 failed");
        assertThat(Files.readString(outDir.resolve("a.rle"))).isEqualTo("precious");
        Cli.Result forced = Cli.run("compress", s(in), "-o", s(outDir), "--force");
        assertThat(forced.code()).isZero();
        assertThat(forced.errLines()).containsExactly("compressed 2 of 2 images");
        assertCompressedTo(outDir.resolve("a.rle"), a);
    }

    @Test
    void twoImagesForOneOutputBothFail() throws IOException {
        image("in/a.png", someImage());
        image("in/a.bmp", someImage());
        image("in/c.png", someImage());
        Path in = tmp.resolve("in");
        Path outDir = tmp.resolve("out");
        Cli.Result r = Cli.run("compress", s(in), "-o", s(outDir));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.errLines()).containsExactly(
                "jfutures compress: " + in + "/a.bmp: a.png in the same directory would also write " + outDir
                        + "/a.rle; rename one of them",
                "jfutures compress: " + in + "/a.png: a.bmp in the same directory would also write " + outDir
                        + "/a.rle; rename one of them",
                "compressed 1 of 3 images; 2 failed");
        assertThat(Cli.names(outDir)).containsExactly("c.rle");
    }

    @Test
    void anEmptyDirectoryIsASummaryAndExit0() throws IOException {
        Path in = Files.createDirectories(tmp.resolve("empty"));
        Files.writeString(in.resolve("readme.txt"), "x");
        Cli.Result r = Cli.run("compress", s(in), "-o", s(tmp.resolve("out")));
        assertThat(r.code()).isZero();
        assertThat(r.err()).isEqualTo("compressed 0 of 0 images (" + in
                + " has no bmp, png, gif, jpg, jpeg, tif, tiff or wbmp files)\n");
    }

    @Test
    void progressForcesTheBarAndNoProgressTurnsItOff() throws IOException {
        Path in = tmp.resolve("in");
        mixedDirectory(in);
        Cli.Result bar = Cli.run("compress", s(in), "-o", s(tmp.resolve("out1")), "--progress");
        assertThat(bar.err()).contains("\r[", "6/6 images, 2 failed").endsWith("compressed 4 of 6 images; 2 failed\n");
        Cli.Result none = Cli.run("compress", s(in), "-o", s(tmp.resolve("out2")), "--no-progress");
        assertThat(none.err()).doesNotContain("\r", "[#");
        assertThat(none.code()).isEqualTo(bar.code()).isEqualTo(1);
    }

    @Test
    void aWorkerJvmThatDiesFailsOnlyItsImage() throws IOException {
        // A 9000 x 9000 grey PNG (100 KB) makes a 10 MB bilevel image (the PNG is decoded row by
        // row), whose dithered grey then RLE-encodes to 49 MB: more than a 32 MB worker has (workers run
        // with -XX:+ExitOnOutOfMemoryError: the JVM exits).
        Path in = Files.createDirectories(tmp.resolve("in"));
        Pngs.grey(in.resolve("huge.png"), 9000, 9000, 77, 9000);
        BitImage small = someImage();
        image("in/small.png", small);
        Path outDir = tmp.resolve("out");
        Cli.Result r = Cli.run(b -> b.jvmOptions("-Xmx32m"), "compress", s(in), "-o", s(outDir),
                "--executor", "process", "--workers", "1");
        assertThat(r.code()).as(r.err()).isEqualTo(1);
        assertThat(r.errLines()).hasSize(2);
        assertThat(r.errLines().get(0)).startsWith("jfutures compress: " + in + "/huge.png: the worker JVM running"
                + " the task (pid ");
        assertThat(r.errLines().get(1)).isEqualTo("compressed 1 of 2 images; 1 failed");
        assertThat(Cli.names(outDir)).containsExactly("small.rle");
        assertCompressedTo(outDir.resolve("small.rle"), small);
    }

    @Test
    void aBrokenExecutorFailsEveryImageWithoutHanging() throws IOException {
        Path in = tmp.resolve("in");
        mixedDirectory(in);
        Path outDir = tmp.resolve("out");
        Cli.Result r = Cli.run(b -> b.javaCommand("/bin/false"), "compress", s(in), "-o", s(outDir),
                "--executor", "process");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.errLines()).hasSize(7).last().isEqualTo("compressed 0 of 6 images; 6 failed");
        assertThat(r.errLines().subList(0, 6)).allMatch(l -> l.startsWith("jfutures compress: " + in + "/")
                && l.contains(": the process executor is broken: "));
        assertThat(Cli.names(outDir)).isEmpty();
    }

    @Test
    void aBrokenExecutorFailsASingleFileWithExitCode1() throws IOException {
        Path in = image("one.png", someImage());
        Cli.Result r = Cli.run(b -> b.javaCommand("/bin/false"), "compress", s(in), "--executor", "process");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith("jfutures compress: " + in + ": the process executor is broken: ");
        assertThat(Cli.names(tmp)).containsExactly("one.png");
    }

    // ------------------------------------------------------------------ usage

    @Test
    void usageErrorsAreExitCode64() throws IOException {
        Path in = image("u.png", someImage());
        Path dir = Files.createDirectories(tmp.resolve("dir"));
        assertUsageError("INPUT " + dir + " is a directory: give -o OUTDIR", "compress", s(dir));
        assertUsageError("--workers must be a positive number, was 0", "compress", s(in), "--workers", "0");
        assertUsageError("--workers must be a positive number, was -1", "compress", s(in), "--workers=-1");
        assertUsageError("Invalid value for option '--workers'", "compress", s(in), "--workers", "two");
        assertUsageError("Invalid value for option '--executor'", "compress", s(in), "--executor", "grid");
        assertUsageError("Missing required parameter: 'INPUT'", "compress");
        assertUsageError("Unmatched argument at index 2: 'extra'", "compress", s(in), "extra");
        assertUsageError("Unknown option: '--bogus'", "compress", s(in), "--bogus");
        Path rle = Files.write(tmp.resolve("x.rle"), new byte[] {1, 0, 1, 0, 1});
        assertUsageError("the output " + rle + " would replace INPUT " + rle, "compress", s(rle));
        assertThat(Cli.names(tmp)).containsExactly("dir", "u.png", "x.rle");
    }

    private static void assertUsageError(String message, String... args) {
        Cli.Result r = Cli.run(args);
        assertThat(r.code()).as("exit code of %s", List.of(args)).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains(message).endsWith("Try 'jfutures compress --help' for more information.\n")
                .doesNotContain("Usage:");
    }

    @Test
    void helpListsEveryOptionAndTheExitCodes() {
        Cli.Result help = Cli.run("compress", "--help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("INPUT", "-o, --output=OUTPUT", "--executor", "thread, virtual, process",
                "--workers=N", "-f, --force", "--[no-]progress", "Exit codes", "some input files failed", "usage error", "66", "73");
        Cli.Result top = Cli.run("--help");
        assertThat(top.out()).contains("find", "compress", "decompress", "samples");
    }
}
