package dev.jfutures.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end against the book: {@code jfutures compress} and the book's Python (Pillow's
 * {@code convert("1")}, then {@code compress_chunk} over each row) write byte-identical {@code .rle}
 * files for the same grey, colour and 1-bit images. Skipped where no Python with Pillow is found:
 * system property {@code jfutures.python}, then {@code python3} on the PATH, then
 * {@code /usr/bin/python3}.
 */
class PythonParityTest {

    /** The book's program, without bitarray: Pillow gives the pixels, compress_chunk the bytes. */
    private static final String BOOK = String.join("\n",
            "import sys",
            "from PIL import Image",
            "",
            "def compress_chunk(chunk):",
            "    compressed = bytearray(); count = 1; last = chunk[0]",
            "    for bit in chunk[1:]:",
            "        if bit != last:",
            "            compressed.append(count | (128 * last)); count = 0; last = bit",
            "        count += 1",
            "    compressed.append(count | (128 * last))",
            "    return compressed",
            "",
            "def compress_row(row):",
            "    compressed = bytearray()",
            "    for i in range(0, len(row), 127):",
            "        compressed.extend(compress_chunk(row[i:i + 127]))",
            "    return compressed",
            "",
            "for source, target in zip(sys.argv[1::2], sys.argv[2::2]):",
            "    image = Image.open(source)",
            "    w, h = image.size",
            "    bits = [1 if p else 0 for p in image.convert('1').getdata()]",
            "    out = bytearray(w.to_bytes(2, 'little') + h.to_bytes(2, 'little'))",
            "    for y in range(h):",
            "        out.extend(compress_row(bits[y * w:(y + 1) * w]))",
            "    with open(target, 'wb') as f:",
            "        f.write(out)",
            "");

    private static String python;

    @TempDir
    Path tmp;

    @BeforeAll
    static void findPython() {
        Set<String> candidates = new LinkedHashSet<>();
        if (System.getProperty("jfutures.python") != null) {
            candidates.add(System.getProperty("jfutures.python"));
        }
        candidates.add("python3");
        candidates.add("/usr/bin/python3");
        for (String candidate : candidates) {
            try {
                Process p = new ProcessBuilder(candidate, "-c", "import PIL")
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    python = candidate;
                    return;
                }
                p.destroyForcibly();
            } catch (IOException e) {
                // not there: try the next
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void assertSameBytesAsTheBook(String... samplesOptions) throws IOException, InterruptedException {
        assumeTrue(python != null, "no Python with Pillow: set -Djfutures.python=/path/to/python3");
        Path run = Files.createTempDirectory(tmp, "run");
        Path images = run.resolve("images");
        List<String> args = new ArrayList<>(List.of("samples", images.toString()));
        args.addAll(List.of(samplesOptions));
        assertThat(Cli.run(args.toArray(String[]::new)).code()).isZero();

        Path ours = run.resolve("ours");
        Cli.Result r = Cli.run("compress", images.toString(), "-o", ours.toString());
        assertThat(r.code()).as(r.err()).isZero();

        Path theirs = Files.createDirectories(run.resolve("theirs"));
        Path script = Files.writeString(run.resolve("book.py"), BOOK);
        List<String> command = new ArrayList<>(List.of(python, script.toString()));
        List<String> names = Cli.names(images);
        for (String name : names) {
            command.add(images.resolve(name).toString());
            command.add(theirs.resolve(ImageFiles.withExtension(name, "rle")).toString());
        }
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as("%s says: %s", python, output).isZero();

        for (String name : names) {
            String rle = ImageFiles.withExtension(name, "rle");
            assertThat(Files.readAllBytes(ours.resolve(rle)))
                    .as("%s (samples %s): jfutures compress and the book's Python", name, List.of(samplesOptions))
                    .isEqualTo(Files.readAllBytes(theirs.resolve(rle)));
        }
    }

    @Test
    void greyColourAndBilevelBmpsGiveTheBooksBytes() throws Exception {
        assertSameBytesAsTheBook("--count", "6", "--size", "320x240", "--kind", "mixed", "--format", "bmp",
                "--seed", "7");
    }

    @Test
    void greyColourAndBilevelPngsGiveTheBooksBytes() throws Exception {
        assertSameBytesAsTheBook("--count", "6", "--size", "257x131", "--kind", "mixed", "--format", "png",
                "--seed", "8");
    }

    @Test
    void widthsAroundTheChunkLengthGiveTheBooksBytes() throws Exception {
        for (String size : new String[] {"1x1", "126x9", "127x9", "128x9", "254x7", "255x7", "381x5", "1000x3"}) {
            assertSameBytesAsTheBook("--count", "3", "--size", size, "--kind", "mixed", "--format", "png",
                    "--seed", "12");
        }
    }

    @Test
    void colourAndBilevelGifsGiveTheBooksBytes() throws Exception {
        assertSameBytesAsTheBook("--count", "2", "--size", "200x150", "--kind", "color", "--format", "gif",
                "--seed", "9");
        assertSameBytesAsTheBook("--count", "2", "--size", "200x150", "--kind", "bilevel", "--format", "gif",
                "--seed", "10");
    }

    @Test
    void greyGifsGiveTheBooksBytes() throws Exception {
        assertSameBytesAsTheBook("--count", "2", "--size", "200x150", "--kind", "gray", "--format", "gif",
                "--seed", "11");
    }
}
