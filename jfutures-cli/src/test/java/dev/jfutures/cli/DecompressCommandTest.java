package dev.jfutures.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.jfutures.cli.image.BitImage;
import dev.jfutures.cli.rle.Rle;
import dev.jfutures.cli.rle.TestImages;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
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

/** {@code jfutures decompress}: every option, both modes, every executor, every refusal. */
class DecompressCommandTest {

    /** Random per run, printed in every failure; set -Djfutures.test.seed=S to repeat one. */
    private static final long SEED = Long.getLong("jfutures.test.seed", System.nanoTime());

    @TempDir
    Path tmp;

    private final Random random = new Random(SEED);

    // ------------------------------------------------------------------ helpers

    private BitImage someImage() {
        return TestImages.runs(1 + random.nextInt(300), 1 + random.nextInt(40), 1 + random.nextInt(200), random);
    }

    private Path rle(String name, BitImage image) throws IOException {
        Path p = tmp.resolve(name);
        Files.createDirectories(p.getParent());
        Files.write(p, Rle.encode(image));
        return p;
    }

    private static Path rleBytes(Path p, int... bytes) throws IOException {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) bytes[i];
        }
        Files.createDirectories(p.getParent());
        return Files.write(p, b);
    }

    /** The pixels of a 1-bit image file, as a BitImage (white where the pixel is white). */
    static BitImage readBack(Path file) throws IOException {
        BufferedImage image = ImageIO.read(file.toFile());
        assertThat(image).as("%s is an image javax.imageio reads", file).isNotNull();
        BitImage bits = BitImage.black(image.getWidth(), image.getHeight());
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y) & 0xffffff;
                assertThat(rgb).as("pixel (%d, %d) of %s is black or white", x, y, file).isIn(0, 0xffffff);
                bits.setWhite(x, y, rgb == 0xffffff);
            }
        }
        return bits;
    }

    /** BMP: biBitCount (offset 28) is 1; PNG: IHDR bit depth (offset 24) is 1. */
    private static void assertOneBit(Path file, String format) throws IOException {
        byte[] b = Files.readAllBytes(file);
        if (format.equals("bmp")) {
            assertThat(new String(b, 0, 2, "ISO-8859-1")).as("%s is a BMP", file).isEqualTo("BM");
            assertThat(b[28]).as("%s bits per pixel", file).isEqualTo((byte) 1);
        } else {
            assertThat(Arrays.copyOfRange(b, 1, 4)).as("%s is a PNG", file).isEqualTo("PNG".getBytes("ISO-8859-1"));
            assertThat(b[24]).as("%s bit depth", file).isEqualTo((byte) 1);
        }
    }

    private static String s(Path p) {
        return p.toString();
    }

    // ------------------------------------------------------------------ single file

    @Test
    void aFileBecomesA1BitBmpBesideItWithTheSamePixels() throws IOException {
        BitImage image = someImage();
        Path in = rle("a.rle", image);
        Cli.Result r = Cli.run("decompress", s(in));
        assertThat(r.code()).as("seed %d: %s", SEED, r.err()).isZero();
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEmpty();
        Path out = tmp.resolve("a.bmp");
        assertOneBit(out, "bmp");
        assertThat(readBack(out)).as("seed %d", SEED).isEqualTo(image);
        assertThat(Cli.names(tmp)).containsExactly("a.bmp", "a.rle");
    }

    @Test
    void formatPngWritesA1BitPng() throws IOException {
        BitImage image = someImage();
        Path in = rle("b.rle", image);
        assertThat(Cli.run("decompress", s(in), "--format", "png").code()).isZero();
        assertOneBit(tmp.resolve("b.png"), "png");
        assertThat(readBack(tmp.resolve("b.png"))).as("seed %d", SEED).isEqualTo(image);
    }

    @Test
    void theFormatComesFromOutputsExtensionElseBmp() throws IOException {
        BitImage image = someImage();
        Path in = rle("c.rle", image);
        assertThat(Cli.run("decompress", s(in), "-o", s(tmp.resolve("x.png"))).code()).isZero();
        assertOneBit(tmp.resolve("x.png"), "png");
        assertThat(Cli.run("decompress", s(in), "--output", s(tmp.resolve("y.BMP"))).code()).isZero();
        assertOneBit(tmp.resolve("y.BMP"), "bmp");
        assertThat(Cli.run("decompress", s(in), "-o", s(tmp.resolve("noextension"))).code()).isZero();
        assertOneBit(tmp.resolve("noextension"), "bmp");
        // --format wins over the extension.
        assertThat(Cli.run("decompress", s(in), "-o", s(tmp.resolve("z.bmp")), "--format", "png").code()).isZero();
        assertOneBit(tmp.resolve("z.bmp"), "png");
        assertThat(readBack(tmp.resolve("x.png"))).isEqualTo(image);
    }

    @Test
    void anOutputExtensionThatIsNeitherBmpNorPngIsAUsageErrorWithoutFormat() throws IOException {
        Path in = rle("d.rle", someImage());
        assertUsageError("cannot tell the format from OUTPUT " + tmp.resolve("d.jpg")
                + ": decompress writes bmp or png; name it .bmp or .png, or give --format",
                "decompress", s(in), "-o", s(tmp.resolve("d.jpg")));
        assertThat(Cli.run("decompress", s(in), "-o", s(tmp.resolve("d.jpg")), "--format", "bmp").code()).isZero();
    }

    @Test
    void anOutputThatIsADirectoryGetsTheFileInIt() throws IOException {
        BitImage image = someImage();
        Path in = rle("e.rle", image);
        Files.createDirectory(tmp.resolve("into"));
        assertThat(Cli.run("decompress", s(in), "-o", s(tmp.resolve("into")), "--format", "png").code()).isZero();
        assertThat(readBack(tmp.resolve("into/e.png"))).isEqualTo(image);
    }

    @Test
    void anExistingOutputIsRefusedUnlessForce() throws IOException {
        BitImage image = someImage();
        Path in = rle("f.rle", image);
        Path out = Files.writeString(tmp.resolve("f.bmp"), "precious");
        Cli.Result r = Cli.run("decompress", s(in));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("jfutures decompress: " + in + ": " + out
                + " already exists (use --force to replace it)\n");
        assertThat(Files.readString(out)).isEqualTo("precious");
        assertThat(Cli.run("decompress", s(in), "--force").code()).isZero();
        assertThat(readBack(out)).isEqualTo(image);
        assertThat(Cli.run("decompress", s(in), "-f").code()).isZero();
        assertThat(Cli.names(tmp)).containsExactly("f.bmp", "f.rle");
    }

    // ------------------------------------------------------------------ bad .rle files: one line each, exit 1

    @Test
    void truncatedOverlongAndMalformedFilesAreOneLineEachNamingTheProblem() throws IOException {
        ByteArrayOutputStream truncated = new ByteArrayOutputStream();
        truncated.writeBytes(new byte[] {100, 0, 60, 0});
        for (int y = 0; y < 48; y++) {
            truncated.write(100);
        }
        Path b = Files.write(tmp.resolve("b.rle"), truncated.toByteArray());
        assertBadFile(b, "truncated: 1200 of 6000 pixels missing (width 100, height 60); the data ends at byte offset"
                + " 52, in row 48");
        assertBadFile(rleBytes(tmp.resolve("over.rle"), 3, 0, 1, 0, 3, 1, 1), "overlong: 2 bytes after the last pixel"
                + " (the end of row 0), from byte offset 5 (width 3, height 1)");
        assertBadFile(rleBytes(tmp.resolve("zero-width.rle"), 0, 0, 1, 0, 1), "width 0 in the header (byte offset 0)");
        assertBadFile(rleBytes(tmp.resolve("zero-height.rle"), 4, 0, 0, 0), "height 0 in the header (byte offset 2)");
        assertBadFile(rleBytes(tmp.resolve("short.rle"), 4, 0), "header too short: 2 bytes");
        assertBadFile(rleBytes(tmp.resolve("empty.rle")), "header too short: 0 bytes");
        assertBadFile(rleBytes(tmp.resolve("zero-run.rle"), 4, 0, 1, 0, 2, 0x80, 2),
                "byte offset 5 (row 0, column 2): a run of length 0 (0x80)");
        assertBadFile(rleBytes(tmp.resolve("across.rle"), 4, 0, 2, 0, 3, 0x82, 2),
                "byte offset 5 (row 0): a run of 2 white pixels from column 3 crosses the end of the row (width 4)");
        assertThat(Cli.names(tmp)).as("no output, no temporary file").allMatch(n -> n.endsWith(".rle"));
    }

    private void assertBadFile(Path in, String problem) {
        Cli.Result r = Cli.run("decompress", s(in));
        assertThat(r.code()).as("exit code for %s", in).isEqualTo(1);
        assertThat(r.err()).startsWith("jfutures decompress: " + in + ": " + problem).endsWith("\n");
        assertThat(r.err().lines().count()).as("one line").isEqualTo(1);
        assertThat(r.out()).isEmpty();
    }

    @Test
    void anUnreadableFileIsOneLine() throws IOException {
        Path in = rle("locked.rle", someImage());
        Files.setPosixFilePermissions(in, PosixFilePermissions.fromString("---------"));
        assumeFalse(Files.isReadable(in), "running as root: chmod 000 does not stop root from reading");
        Cli.Result r = Cli.run("decompress", s(in));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("jfutures decompress: " + in + ": Permission denied\n");
    }

    @Test
    void aMissingInputIsExitCode66NamingIt() {
        Path missing = tmp.resolve("nope.rle");
        Cli.Result r = Cli.run("decompress", s(missing));
        assertThat(r.code()).isEqualTo(66);
        assertThat(r.err()).isEqualTo("jfutures decompress: '" + missing + "': No such file or directory\n");
        assertThat(Cli.run("decompress", "").code()).isEqualTo(66);
    }

    // ------------------------------------------------------------------ directory mode

    /** 3 good files, 2 bad ones, and things directory mode skips. */
    private List<BitImage> mixedDirectory(Path in) throws IOException {
        List<BitImage> good = new ArrayList<>();
        for (String name : new String[] {"g1.rle", "g2.RLE", "g3.rle"}) {
            BitImage image = someImage();
            good.add(image);
            Files.createDirectories(in);
            Files.write(in.resolve(name), Rle.encode(image));
        }
        rleBytes(in.resolve("bad-truncated.rle"), 10, 0, 10, 0, 10);
        rleBytes(in.resolve("bad-overlong.rle"), 1, 0, 1, 0, 1, 1);
        Files.writeString(in.resolve("notes.txt"), "not an .rle file: skipped");
        Files.createDirectories(in.resolve("sub"));
        Files.write(in.resolve("sub/deeper.rle"), Rle.encode(someImage()));   // not recursive
        return good;
    }

    private void assertMixedDirectoryResult(Cli.Result r, Path in, Path outDir, List<BitImage> good, String ext)
            throws IOException {
        assertThat(r.code()).as("seed %d: %s: some files failed is 1, not their count", SEED, r.err()).isEqualTo(1);
        assertThat(Cli.names(outDir)).as("only the good outputs: no partial or temporary file")
                .containsExactly("g1." + ext, "g2." + ext, "g3." + ext);
        assertThat(readBack(outDir.resolve("g1." + ext))).isEqualTo(good.get(0));
        assertThat(readBack(outDir.resolve("g2." + ext))).isEqualTo(good.get(1));
        assertThat(readBack(outDir.resolve("g3." + ext))).isEqualTo(good.get(2));
        assertThat(r.errLines()).containsExactlyInAnyOrder(
                "jfutures decompress: " + in + "/bad-truncated.rle: truncated: 90 of 100 pixels missing (width 10,"
                        + " height 10); the data ends at byte offset 5, in row 1",
                "jfutures decompress: " + in + "/bad-overlong.rle: overlong: 1 byte after the last pixel (the end of"
                        + " row 0), from byte offset 5 (width 1, height 1)",
                "decompressed 3 of 5 files; 2 failed");
        assertThat(r.errLines()).last().isEqualTo("decompressed 3 of 5 files; 2 failed");
    }

    @Test
    void aDirectoryIsDecompressedIntoOutdirAndBadFilesDoNotStopTheOthers() throws IOException {
        Path in = tmp.resolve("in");
        List<BitImage> good = mixedDirectory(in);
        Path outDir = tmp.resolve("out/nested");
        Cli.Result r = Cli.run("decompress", s(in), "-o", s(outDir));
        assertMixedDirectoryResult(r, in, outDir, good, "bmp");
        assertThat(r.err()).doesNotContain("\r");
    }

    @Test
    void theProcessExecutorDecompressesTheSame() throws IOException {
        Path in = tmp.resolve("in");
        List<BitImage> good = mixedDirectory(in);
        Path outDir = tmp.resolve("out");
        Cli.Result r = Cli.run("decompress", s(in), "-o", s(outDir), "--executor", "process", "--workers", "2",
                "--format", "png");
        assertMixedDirectoryResult(r, in, outDir, good, "png");
    }

    @Test
    void oneWorkerThreadDecompressesTheSame() throws IOException {
        Path in = tmp.resolve("in");
        List<BitImage> good = mixedDirectory(in);
        Path outDir = tmp.resolve("out");
        assertMixedDirectoryResult(Cli.run("decompress", s(in), "-o", s(outDir), "--executor", "thread", "--workers", "1"),
                in, outDir, good, "bmp");
    }

    @Test
    @EnabledForJreRange(min = JRE.JAVA_21)
    void virtualThreadsDecompressTheSameOnJava21() throws IOException {
        Path in = tmp.resolve("in");
        List<BitImage> good = mixedDirectory(in);
        Path outDir = tmp.resolve("out");
        assertMixedDirectoryResult(Cli.run("decompress", s(in), "-o", s(outDir), "--executor", "virtual"),
                in, outDir, good, "bmp");
    }

    @Test
    @EnabledForJreRange(max = JRE.JAVA_20)
    void virtualBeforeJava21IsAClearError() throws IOException {
        Path in = rle("v.rle", someImage());
        Cli.Result r = Cli.run("decompress", s(in), "--executor", "virtual");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("jfutures decompress: --executor virtual needs Java 21 or later")
                .contains(Runtime.version().toString());
        assertThat(Cli.names(tmp)).containsExactly("v.rle");
    }

    @Test
    void existingOutputsInADirectoryAreFailuresUnlessForce() throws IOException {
        Path in = tmp.resolve("in");
        Files.createDirectories(in);
        BitImage a = someImage();
        Files.write(in.resolve("a.rle"), Rle.encode(a));
        Files.write(in.resolve("b.rle"), Rle.encode(someImage()));
        Path outDir = Files.createDirectories(tmp.resolve("out"));
        Files.writeString(outDir.resolve("a.bmp"), "precious");
        Cli.Result r = Cli.run("decompress", s(in), "-o", s(outDir));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.errLines()).containsExactly("jfutures decompress: " + in + "/a.rle: " + outDir
                + "/a.bmp already exists (use --force to replace it)", "decompressed 1 of 2 files; 1 failed");
        assertThat(Files.readString(outDir.resolve("a.bmp"))).isEqualTo("precious");
        Cli.Result forced = Cli.run("decompress", s(in), "-o", s(outDir), "--force");
        assertThat(forced.code()).isZero();
        assertThat(forced.errLines()).containsExactly("decompressed 2 of 2 files");
        assertThat(readBack(outDir.resolve("a.bmp"))).isEqualTo(a);
    }

    @Test
    void twoInputsForOneOutputBothFail() throws IOException {
        Path in = tmp.resolve("in");
        Files.createDirectories(in);
        Files.write(in.resolve("a.rle"), Rle.encode(someImage()));
        Files.write(in.resolve("a.RLE"), Rle.encode(someImage()));
        Path outDir = tmp.resolve("out");
        Cli.Result r = Cli.run("decompress", s(in), "-o", s(outDir));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.errLines()).contains("jfutures decompress: " + in + "/a.rle: a.RLE in the same directory would"
                + " also write " + outDir + "/a.bmp; rename one of them", "decompressed 0 of 2 files; 2 failed");
        assertThat(Cli.names(outDir)).isEmpty();
    }

    @Test
    void anEmptyDirectoryIsASummaryAndExit0() throws IOException {
        Path in = Files.createDirectories(tmp.resolve("empty"));
        Cli.Result r = Cli.run("decompress", s(in), "-o", s(tmp.resolve("out")));
        assertThat(r.code()).isZero();
        assertThat(r.err()).isEqualTo("decompressed 0 of 0 files (" + in + " has no .rle files)\n");
    }

    @Test
    void anyNumberOfFailedFilesIsExitCode1NeverTheirCount() throws IOException {
        Path in = tmp.resolve("in");
        for (int i = 0; i < 70; i++) {
            rleBytes(in.resolve(String.format("bad-%02d.rle", i)), 1);
        }
        Cli.Result r = Cli.run("decompress", s(in), "-o", s(tmp.resolve("out")));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.errLines()).hasSize(71).last().isEqualTo("decompressed 0 of 70 files; 70 failed");
    }

    @Test
    void anOutdirThatCannotBeCreatedIsExitCode73() throws IOException {
        Path in = tmp.resolve("in");
        mixedDirectory(in);
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        Cli.Result r = Cli.run("decompress", s(in), "-o", s(file));
        assertThat(r.code()).isEqualTo(73);
        assertThat(r.err()).isEqualTo("jfutures decompress: the output directory " + file
                + " is a file: give a directory with -o\n");
        Cli.Result below = Cli.run("decompress", s(in), "-o", s(file.resolve("sub")));
        assertThat(below.code()).isEqualTo(73);
        assertThat(below.err()).isEqualTo("jfutures decompress: cannot create the output directory "
                + file.resolve("sub") + ": Not a directory\n");
    }

    // ------------------------------------------------------------------ the progress bar

    @Test
    void progressForcesTheBarAndNoProgressTurnsItOff() throws IOException {
        Path in = tmp.resolve("in");
        mixedDirectory(in);
        Cli.Result bar = Cli.run("decompress", s(in), "-o", s(tmp.resolve("out1")), "--progress");
        assertThat(bar.err()).contains("\r[", "5/5 files, 2 failed").endsWith("decompressed 3 of 5 files; 2 failed\n");
        assertThat(bar.errLines()).hasSize(3);
        Cli.Result none = Cli.run("decompress", s(in), "-o", s(tmp.resolve("out2")), "--no-progress");
        assertThat(none.err()).doesNotContain("\r", "[");
        assertThat(none.code()).isEqualTo(bar.code()).isEqualTo(1);
    }

    // ------------------------------------------------------------------ worker JVMs that die, executors that break

    @Test
    void aWorkerJvmThatDiesFailsOnlyItsFile() throws IOException {
        // 30000 x 30000 white: a 7 MB .rle that decodes to 112 MB, in a worker with a 32 MB heap
        // (workers run with -XX:+ExitOnOutOfMemoryError: the JVM exits).
        Path in = tmp.resolve("in");
        Files.createDirectories(in);
        ByteArrayOutputStream huge = new ByteArrayOutputStream();
        huge.writeBytes(new byte[] {(byte) 0x30, (byte) 0x75, (byte) 0x30, (byte) 0x75});
        byte[] row = new byte[237];
        Arrays.fill(row, (byte) 0xff);
        row[236] = (byte) (0x80 | (30000 - 236 * 127));
        for (int y = 0; y < 30000; y++) {
            huge.writeBytes(row);
        }
        Files.write(in.resolve("huge.rle"), huge.toByteArray());
        BitImage small = someImage();
        Files.write(in.resolve("small.rle"), Rle.encode(small));
        Path outDir = tmp.resolve("out");
        Cli.Result r = Cli.run(b -> b.jvmOptions("-Xmx32m"), "decompress", s(in), "-o", s(outDir),
                "--executor", "process", "--workers", "1");
        assertThat(r.code()).as(r.err()).isEqualTo(1);
        assertThat(r.errLines()).hasSize(2);
        assertThat(r.errLines().get(0)).startsWith("jfutures decompress: " + in + "/huge.rle: the worker JVM running"
                + " the task (pid ");
        assertThat(r.errLines().get(1)).isEqualTo("decompressed 1 of 2 files; 1 failed");
        assertThat(Cli.names(outDir)).containsExactly("small.bmp");
        assertThat(readBack(outDir.resolve("small.bmp"))).isEqualTo(small);
    }

    @Test
    void aBrokenExecutorFailsEveryFileWithoutHanging() throws IOException {
        Path in = tmp.resolve("in");
        mixedDirectory(in);
        Path outDir = tmp.resolve("out");
        Cli.Result r = Cli.run(b -> b.javaCommand("/bin/false"), "decompress", s(in), "-o", s(outDir),
                "--executor", "process", "--workers", "1");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.errLines()).hasSize(6).last().isEqualTo("decompressed 0 of 5 files; 5 failed");
        assertThat(r.errLines().subList(0, 5)).allMatch(l -> l.startsWith("jfutures decompress: " + in + "/")
                && l.contains(": the process executor is broken: "));
        assertThat(Cli.names(outDir)).isEmpty();
    }

    // ------------------------------------------------------------------ usage

    @Test
    void usageErrorsAreExitCode64() throws IOException {
        Path in = rle("u.rle", someImage());
        Path dir = Files.createDirectories(tmp.resolve("dir"));
        assertUsageError("INPUT " + dir + " is a directory: give -o OUTDIR", "decompress", s(dir));
        assertUsageError("--workers must be a positive number, was 0", "decompress", s(in), "--workers", "0");
        assertUsageError("--workers must be a positive number, was -2", "decompress", s(in), "--workers=-2");
        assertUsageError("Invalid value for option '--workers'", "decompress", s(in), "--workers", "many");
        assertUsageError("Invalid value for option '--executor'", "decompress", s(in), "--executor", "grid");
        assertUsageError("Invalid value for option '--format'", "decompress", s(in), "--format", "jpg");
        assertUsageError("Missing required parameter: 'INPUT'", "decompress");
        assertUsageError("Unknown option: '--bogus'", "decompress", s(in), "--bogus");
        assertUsageError("the output " + in + " would replace INPUT " + in, "decompress", s(in), "-o", s(in),
                "--format", "bmp");
        assertThat(Cli.names(tmp)).containsExactly("dir", "u.rle");
    }

    private static void assertUsageError(String message, String... args) {
        Cli.Result r = Cli.run(args);
        assertThat(r.code()).as("exit code of %s", List.of(args)).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains(message).endsWith("Try 'jfutures decompress --help' for more information.\n")
                .doesNotContain("Usage:");
    }

    @Test
    void helpListsEveryOptionAndTheExitCodes() {
        Cli.Result help = Cli.run("decompress", "--help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("INPUT", "-o, --output=OUTPUT", "--format=FORMAT", "bmp, png", "--executor",
                "thread, virtual, process", "--workers=N", "-f, --force", "--[no-]progress", "Exit codes", "usage error", "66");
    }
}
