package dev.jfutures.cli.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import javax.imageio.ImageIO;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Png} on its own: every layout decoded back to the samples written (no Pillow
 * needed; {@link BilevelTest} compares the converted bits with Pillow's), and each kind of damage
 * refused with a message that names it.
 */
class PngTest {

    @TempDir
    Path tmp;

    private static final int[][] SIZES = {{1, 1}, {2, 3}, {5, 1}, {7, 9}, {8, 8}, {9, 2}, {17, 13}, {33, 5}, {130, 4}};

    // ------------------------------------------------------------------------------------------
    // Decoding
    // ------------------------------------------------------------------------------------------

    @Test
    void decodesEveryTypeDepthFilterAndInterlaceBackToItsSamples() throws IOException {
        Random rnd = new Random(42);
        int files = 0;
        for (int[] cd : PngFiles.PNG_TYPES) {
            for (int[] size : SIZES) {
                for (boolean adam7 : new boolean[] {false, true}) {
                    for (int filter = -1; filter <= 4; filter++) {
                        for (int split : new int[] {0, 3}) {
                            PngFiles png = new PngFiles(size[0], size[1], cd[0], cd[1], rnd, 1 << cd[1]);
                            png.interlaced = adam7;
                            png.filter = filter;
                            png.split = split;
                            if (cd[0] == 3) {
                                png.plte = PngFiles.randomPalette(rnd, 1 << cd[1]);
                            }
                            String name = "c" + cd[0] + "d" + cd[1] + "-" + size[0] + "x" + size[1]
                                    + (adam7 ? "-adam7" : "") + "-f" + filter + "-s" + split;
                            List<byte[]> rows = decodeRows(write(name, png.build()));
                            assertThat(rows).as(name).hasSize(size[1]);
                            for (int y = 0; y < size[1]; y++) {
                                assertThat(rows.get(y)).as("%s row %d", name, y).isEqualTo(png.rows[y]);
                            }
                            files++;
                        }
                    }
                }
            }
        }
        assertThat(files).isEqualTo(15 * SIZES.length * 2 * 6 * 2);
    }

    @Test
    void readsABigImageWhoseDataSpansManyIdatChunksAndPieces() throws IOException {
        // 300 x 200 RGB 16-bit noise: 360 KB of data, more than one 64 KiB piece, in 8 KiB chunks.
        PngFiles png = new PngFiles(300, 200, 2, 16, new Random(5), 0);
        png.level = 0;
        byte[] z = png.zlib();
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        for (int i = 0; i < z.length; i += 8192) {
            idat.writeBytes(PngFiles.chunk("IDAT", Arrays.copyOfRange(z, i, Math.min(z.length, i + 8192))));
        }
        byte[] file = concat(png.header(), idat.toByteArray(), PngFiles.chunk("IEND", new byte[0]));
        List<byte[]> rows = decodeRows(write("big.png", file));
        for (int y = 0; y < 200; y++) {
            assertThat(rows.get(y)).as("row %d", y).isEqualTo(png.rows[y]);
        }
    }

    @Test
    void aPaletteImageIsThresholdedThroughItsOwnEntriesThenTheGreyRamp() throws IOException {
        // Two entries, black then white; indices 2 and 200 fall to the grey ramp (200 >= 128: white).
        PngFiles png = new PngFiles(4, 1, 3, 8, new Random(1), 0);
        png.rows[0] = new byte[] {0, 1, 2, (byte) 200};
        png.plte = new byte[] {0, 0, 0, (byte) 255, (byte) 255, (byte) 255};
        BitImage image = Bilevel.read(write("pal.png", png.build()));
        assertThat(new boolean[] {image.isWhite(0, 0), image.isWhite(1, 0), image.isWhite(2, 0), image.isWhite(3, 0)})
                .containsExactly(false, true, false, true);
    }

    // ------------------------------------------------------------------------------------------
    // Bad input: each refused with a message naming the file and the problem
    // ------------------------------------------------------------------------------------------

    @Test
    void aTruncatedPngIsRefusedByName() throws IOException {
        BufferedImage image = ImageIoFiles.filled(new BufferedImage(300, 200, BufferedImage.TYPE_3BYTE_BGR), new Random(3), 1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        byte[] png = out.toByteArray();
        Path f = Files.write(tmp.resolve("truncated.png"), Arrays.copyOf(png, png.length / 2));
        assertThatThrownBy(() -> Bilevel.read(f)).isInstanceOf(IOException.class)
                .hasMessageStartingWith(f + ": ");
    }

    @Test
    void aPngWiderThan65535IsRefusedBeforeDecoding() throws IOException {
        Path f = Files.write(tmp.resolve("wide.png"), PngFiles.pngHeaderOnly(70000, 10));
        assertThatThrownBy(() -> Bilevel.read(f)).isInstanceOf(IOException.class)
                .hasMessageStartingWith(f + ": ").hasMessageContaining("70000x10").hasMessageContaining("width");
    }

    @Test
    void aFileTruncatedInsideTheImageDataIsRefused() throws IOException {
        byte[] png = grey8(40, 30).build();
        Path f = write("cut.png", Arrays.copyOf(png, png.length - 12 - 4 - 20));
        refused(f).hasMessageStartingWith(f + ": truncated PNG: the file ends inside the image data, in row ");
    }

    @Test
    void aFileTruncatedInsideAHeaderChunkIsRefused() throws IOException {
        PngFiles p = grey8(4, 4);
        p.extra.add(new Object[] {"tEXt", new byte[100]});
        byte[] header = p.header();
        Path f = write("cut.png", Arrays.copyOf(header, header.length - 50));
        refused(f).hasMessage(f + ": truncated PNG: the file ends inside the tEXt chunk");
        Path g = write("ihdr-only.png", Arrays.copyOf(header, 33));
        refused(g).hasMessage(g + ": truncated PNG: the file ends before the image data (no IDAT chunk)");
        Path h = write("half-ihdr.png", Arrays.copyOf(header, 20));
        refused(h).hasMessage(h + ": truncated PNG: the file ends inside the PNG header");
    }

    @Test
    void aFileTruncatedInsideAChunkAfterTheImageDataIsRefusedAsPillowRefusesIt() throws IOException {
        PngFiles p = grey8(4, 4);
        byte[] file = concat(p.header(), p.idat(p.zlib()), Arrays.copyOf(PngFiles.chunk("tEXt", new byte[40]), 30));
        Path f = write("cut.png", file);
        refused(f).hasMessage(f + ": truncated PNG: the file ends inside the tEXt chunk after the image data");
    }

    @Test
    void aBadZlibStreamIsRefused() throws IOException {
        PngFiles p = grey8(20, 10);
        byte[] z = p.zlib();
        byte[] bad = z.clone();
        for (int i = 2; i < bad.length - 4; i++) {
            bad[i] = (byte) 0xff; // an invalid block type / code lengths
        }
        Path f = write("badzlib.png", p.build(bad));
        refused(f).hasMessageStartingWith(f + ": corrupt PNG: bad zlib stream in the image data (")
                .hasMessageContaining("in row 1 of 10");
        byte[] notZlib = z.clone();
        notZlib[0] = 0x12; // not a zlib header
        Path g = write("notzlib.png", p.build(notZlib));
        refused(g).hasMessageStartingWith(g + ": corrupt PNG: bad zlib stream in the image data (");
    }

    @Test
    void aBadAdlerChecksumIsRefusedWhereZlibMeetsIt() throws IOException {
        PngFiles p = grey8(20, 10);
        byte[] z = p.zlib();
        z[z.length - 1] ^= 0x40;
        Path f = write("adler.png", p.build(z));
        refused(f).hasMessage(f + ": corrupt PNG: bad zlib stream in the image data (incorrect data check) in row 10 of 10");
    }

    @Test
    void aPresetDictionaryIsRefused() throws IOException {
        PngFiles p = grey8(3, 3);
        byte[] z = p.zlib();
        // CMF 0x78, FLG with FDICT set (and the check bits right), then a dictionary id.
        byte[] withDict = concat(new byte[] {0x78, (byte) 0xbb, 0, 0, 0, 1}, Arrays.copyOfRange(z, 2, z.length));
        Path f = write("dict.png", p.build(withDict));
        refused(f).hasMessageContaining("corrupt PNG: bad zlib stream in the image data (it asks for a preset dictionary");
    }

    @Test
    void tooLittleImageDataIsRefused() throws IOException {
        PngFiles p = grey8(10, 10);
        byte[] z = p.zlib();
        // The IDAT chunks stop (IEND follows) with the zlib stream unfinished.
        Path f = write("short.png", p.build(Arrays.copyOf(z, z.length / 2)));
        refused(f).hasMessageStartingWith(f + ": corrupt PNG: too little image data: the IDAT chunks end in row ");
        // Another chunk between IDAT chunks ends the image data, in Pillow too.
        byte[] interrupted = concat(p.header(), PngFiles.chunk("IDAT", Arrays.copyOf(z, z.length / 2)),
                PngFiles.chunk("tEXt", new byte[1]), PngFiles.chunk("IDAT", Arrays.copyOfRange(z, z.length / 2, z.length)),
                PngFiles.chunk("IEND", new byte[0]));
        Path g = write("interrupted.png", interrupted);
        refused(g).hasMessageStartingWith(g + ": corrupt PNG: too little image data: the IDAT chunks end in row ");
    }

    @Test
    void aZlibStreamThatEndsRightAfterARowLeavesTheRestZeroAsPillowDoes() throws IOException {
        // Pillow 9.4 (LOAD_TRUNCATED_IMAGES or not): rows 5 to 10 of this file are 0.
        PngFiles p = grey8(10, 10);
        byte[] fourRows = PngFiles.deflate(Arrays.copyOf(p.scanlines(), 4 * 11), 6);
        List<byte[]> rows = decodeRows(write("fourrows.png", p.build(fourRows)));
        assertThat(rows).hasSize(10);
        for (int y = 0; y < 10; y++) {
            assertThat(rows.get(y)).as("row %d", y).isEqualTo(y < 4 ? p.rows[y] : new byte[10]);
        }
        // Adam7: the first two passes of an 8 x 8 image (a pixel each), then the end.
        PngFiles q = grey8(8, 8);
        q.interlaced = true;
        byte[] twoPasses = PngFiles.deflate(Arrays.copyOf(q.scanlines(), 4), 6);
        rows = decodeRows(write("twopasses.png", q.build(twoPasses)));
        byte[] first = new byte[8];
        first[0] = q.rows[0][0];
        first[4] = q.rows[0][4];
        assertThat(rows.get(0)).isEqualTo(first);
        for (int y = 1; y < 8; y++) {
            assertThat(rows.get(y)).as("row %d", y).isEqualTo(new byte[8]);
        }
    }

    @Test
    void aZlibStreamThatEndsInsideOrBeforeARowIsRefusedAsPillowRefusesIt() throws IOException {
        PngFiles p = grey8(10, 10);
        byte[] lines = p.scanlines();
        Path f = write("midrow.png", p.build(PngFiles.deflate(Arrays.copyOf(lines, 4 * 11 + 5), 6)));
        refused(f).hasMessage(f + ": corrupt PNG: too little image data: the zlib stream ends short of a whole row, in row 5 of 10");
        Path g = write("empty.png", p.build(PngFiles.deflate(new byte[0], 6)));
        refused(g).hasMessage(g + ": corrupt PNG: too little image data: the zlib stream ends short of a whole row, in row 1 of 10");
        // The stream's end (its Adler-32) in an IDAT after its last row's bytes: Pillow's zlib call
        // that inflates row 4 does not see the end, and the next one finds no row 5.
        byte[] z = PngFiles.deflate(Arrays.copyOf(lines, 4 * 11), 0);
        Path h = write("latetail.png", concat(p.header(), PngFiles.chunk("IDAT", Arrays.copyOf(z, z.length - 4)),
                PngFiles.chunk("IDAT", Arrays.copyOfRange(z, z.length - 4, z.length)), PngFiles.chunk("IEND", new byte[0])));
        refused(h).hasMessage(h + ": corrupt PNG: too little image data: the zlib stream ends short of a whole row, in row 5 of 10");
    }

    @Test
    void anUnknownFilterTypeIsRefusedNamingTheRow() throws IOException {
        PngFiles p = grey8(6, 5);
        byte[] lines = p.scanlines();
        lines[2 * 7] = 7; // row 3's filter byte
        Path f = write("filter7.png", p.build(PngFiles.deflate(lines, 6)));
        refused(f).hasMessage(f + ": corrupt PNG: unknown filter type 7 in row 3 of 5 (PNG defines 0 to 4; the image"
                + " data is damaged)");
        PngFiles q = grey8(6, 5);
        q.interlaced = true;
        byte[] adam7 = q.scanlines();
        adam7[0] = 5; // pass 1's only row
        Path g = write("filter5.png", q.build(PngFiles.deflate(adam7, 6)));
        refused(g).hasMessageStartingWith(g + ": corrupt PNG: unknown filter type 5 in row 1 of 1 of Adam7 pass 1 ");
    }

    @Test
    void anUnknownColourTypeIsRefused() throws IOException {
        Path f = write("ct5.png", withIhdr(ihdr -> ihdr[9] = 5));
        refused(f).hasMessage(f + ": corrupt PNG: colour type 5 (PNG defines 0, 2, 3, 4 and 6)");
    }

    @Test
    void aDepthTheColourTypeDoesNotAllowIsRefused() throws IOException {
        int[][] bad = {{2, 4}, {3, 16}, {0, 3}, {6, 1}, {4, 2}, {0, 0}, {2, 32}};
        for (int[] cd : bad) {
            Path f = write("bad-" + cd[0] + "-" + cd[1] + ".png", withIhdr(ihdr -> {
                ihdr[9] = (byte) cd[0];
                ihdr[8] = (byte) cd[1];
            }));
            refused(f).hasMessageStartingWith(f + ": corrupt PNG: bit depth " + cd[1] + " with colour type " + cd[0] + " (");
        }
    }

    @Test
    void theCompressionMethodIsIgnoredAsPillowIgnoresIt() throws IOException {
        PngFiles p = grey8(4, 4);
        for (int method : new int[] {1, 8, 255}) {
            List<byte[]> rows = decodeRows(write("comp" + method + ".png", withIhdr(ihdr -> ihdr[10] = (byte) method)));
            for (int y = 0; y < 4; y++) {
                assertThat(rows.get(y)).as("method %d row %d", method, y).isEqualTo(p.rows[y]);
            }
        }
    }

    @Test
    void unknownFilterAndInterlaceMethodsAreRefused() throws IOException {
        Path f = write("filter.png", withIhdr(ihdr -> ihdr[11] = 1));
        refused(f).hasMessage(f + ": corrupt PNG: filter method 1 (PNG defines only 0)");
        Path i = write("interlace.png", withIhdr(ihdr -> ihdr[12] = 2));
        refused(i).hasMessage(i + ": corrupt PNG: interlace method 2 (PNG defines 0, none, and 1, Adam7)");
    }

    @Test
    void aPaletteImageWithoutPlteHasPillowsDefaultPaletteTheGreyRamp() throws IOException {
        PngFiles png = new PngFiles(4, 1, 3, 8, new Random(1), 0);
        png.rows[0] = new byte[] {0, 127, (byte) 128, (byte) 255};
        BitImage image = Bilevel.read(write("noplte.png", png.build()));
        assertThat(whites(image, 4)).containsExactly(false, false, true, true);
        // A 4-bit one: indices 0..15, all black.
        PngFiles four = new PngFiles(4, 1, 3, 4, new Random(1), 0);
        four.rows[0] = new byte[] {0x0f, (byte) 0xf0};
        assertThat(whites(Bilevel.read(write("noplte4.png", four.build())), 4)).containsExactly(false, false, false, false);
    }

    @Test
    void theLastOfSeveralPlteChunksWinsWhole() throws IOException {
        // Black, white; then a single white entry: index 1 falls to the grey ramp, (1, 1, 1), black.
        PngFiles p = new PngFiles(4, 1, 3, 8, new Random(3), 0);
        p.rows[0] = new byte[] {0, 1, 0, 1};
        p.plte = new byte[] {0, 0, 0, (byte) 255, (byte) 255, (byte) 255};
        p.extra.add(new Object[] {"PLTE", new byte[] {(byte) 255, (byte) 255, (byte) 255}});
        assertThat(whites(Bilevel.read(write("twoplte.png", p.build())), 4)).containsExactly(true, false, true, false);
        // Only the last one's size counts.
        PngFiles q = new PngFiles(5, 5, 3, 8, new Random(3), 16);
        q.plte = PngFiles.randomPalette(new Random(4), 257);
        q.extra.add(new Object[] {"PLTE", PngFiles.randomPalette(new Random(5), 16)});
        Bilevel.read(write("longthenshort.png", q.build()));
        PngFiles r = new PngFiles(5, 5, 3, 8, new Random(3), 16);
        r.plte = PngFiles.randomPalette(new Random(4), 257);
        Path h = write("longplte.png", r.build());
        refused(h).hasMessage(h + ": corrupt PNG: a PLTE chunk of 257 entries (at most 256)");
    }

    @Test
    void aPlteKeptForAPaletteIhdrMakesALaterGreyIhdrAPaletteImage() throws IOException {
        // Pillow reads the 8-bit grey samples 0, 1, 128, 255 through the PLTE as indices.
        byte[] plte = {(byte) 255, (byte) 255, (byte) 255, 0, 0, 0};
        PngFiles grey = grey8(4, 1);
        grey.rows[0] = new byte[] {0, 1, (byte) 128, (byte) 255};
        byte[] rest = grey.build();
        byte[] file = concat(PngFiles.SIGNATURE, PngFiles.chunk("IHDR", PngFiles.ihdr(4, 1, 8, 3, 0)),
                PngFiles.chunk("PLTE", plte), Arrays.copyOfRange(rest, 8, rest.length));
        assertThat(whites(Bilevel.read(write("pthengrey.png", file)), 4)).containsExactly(true, false, true, true);
        // Other colour types after such a PLTE are refused (Pillow fails on most of them).
        PngFiles rgb = new PngFiles(4, 1, 2, 8, new Random(2), 0);
        byte[] rgbRest = rgb.build();
        Path f = write("pthenrgb.png", concat(PngFiles.SIGNATURE, PngFiles.chunk("IHDR", PngFiles.ihdr(4, 1, 8, 3, 0)),
                PngFiles.chunk("PLTE", plte), Arrays.copyOfRange(rgbRest, 8, rgbRest.length)));
        refused(f).hasMessageStartingWith(f + ": corrupt PNG: a PLTE chunk read as a palette image's, then an IHDR making it"
                + " colour type 2 of depth 8");
    }

    @Test
    void aBadCrcInAHeaderChunkIsRefused() throws IOException {
        PngFiles p = new PngFiles(5, 5, 3, 8, new Random(3), 16);
        p.plte = PngFiles.randomPalette(new Random(4), 16);
        Path f = write("badcrc.png", PngFiles.badCrc(p.build(), "PLTE"));
        refused(f).hasMessage(f + ": corrupt PNG: bad CRC in the PLTE chunk (the file is damaged)");
        Path g = write("badihdr.png", PngFiles.badCrc(p.build(), "IHDR"));
        refused(g).hasMessage(g + ": corrupt PNG: bad CRC in the IHDR chunk (the file is damaged)");
    }

    @Test
    void aDamagedChunkHeaderIsRefused() throws IOException {
        PngFiles p = grey8(3, 3);
        p.extra.add(new Object[] {"ab\u0000d", new byte[2]});
        Path f = write("badtype.png", p.build());
        refused(f).hasMessage(f + ": corrupt PNG: not a chunk type at offset 37 (61620064): the file is damaged");
        byte[] huge = concat(grey8(3, 3).header(), new byte[] {(byte) 0x80, 0, 0, 0, 't', 'E', 'X', 't'});
        Path g = write("huge.png", huge);
        refused(g).hasMessage(g + ": corrupt PNG: the tEXt chunk at offset 33 claims 2147483648 bytes (at most 2^31 - 1)");
    }

    @Test
    void aShortTrnsIsRefusedAsPillowRefusesIt() throws IOException {
        PngFiles p = new PngFiles(3, 3, 2, 8, new Random(3), 0);
        p.trns = new byte[4];
        Path f = write("trns.png", p.build());
        refused(f).hasMessage(f + ": corrupt PNG: a tRNS chunk of 4 bytes (colour type 2 needs 6)");
    }

    @Test
    void aPngWithoutImageDataIsRefused() throws IOException {
        Path f = write("noidat.png", PngFiles.pngHeaderOnly(10, 10));
        refused(f).hasMessage(f + ": corrupt PNG: no image data (IEND comes before any IDAT chunk)");
    }

    @Test
    void aLongerIhdrIsReadAndAShorterOneRefusedAsPillowDoes() throws IOException {
        PngFiles p = grey8(3, 3);
        byte[] rest = p.build();
        byte[] ihdr = Arrays.copyOf(PngFiles.ihdr(3, 3, 8, 0, 0), 14);
        ihdr[13] = 7;
        List<byte[]> rows = decodeRows(write("ihdr14.png",
                concat(PngFiles.SIGNATURE, PngFiles.chunk("IHDR", ihdr), Arrays.copyOfRange(rest, 33, rest.length))));
        assertThat(rows).hasSize(3);
        for (int y = 0; y < 3; y++) {
            assertThat(rows.get(y)).isEqualTo(p.rows[y]);
        }
        Path f = write("ihdr12.png", concat(PngFiles.SIGNATURE, PngFiles.chunk("IHDR", Arrays.copyOf(ihdr, 12)),
                Arrays.copyOfRange(rest, 33, rest.length)));
        refused(f).hasMessage(f + ": corrupt PNG: an IHDR chunk of 12 bytes (at least 13)");
        Path g = write("noihdr.png", concat(PngFiles.SIGNATURE, Arrays.copyOfRange(rest, 33, rest.length)));
        refused(g).hasMessage(g + ": corrupt PNG: it does not start with an IHDR chunk");
    }

    @Test
    void ofSeveralIhdrChunksTheLastGivesSizeAndModeAsInPillow() throws IOException {
        PngFiles p = grey8(4, 3);
        byte[] rest = p.build();
        byte[] tail = Arrays.copyOfRange(rest, 33, rest.length);
        byte[] real = PngFiles.ihdr(4, 3, 8, 0, 0);
        // An RGB IHDR of another size first: the second wins.
        List<byte[]> rows = decodeRows(write("twoihdr.png", concat(PngFiles.SIGNATURE,
                PngFiles.chunk("IHDR", PngFiles.ihdr(9, 9, 16, 2, 0)), PngFiles.chunk("IHDR", real), tail)));
        assertThat(rows).hasSize(3);
        for (int y = 0; y < 3; y++) {
            assertThat(rows.get(y)).isEqualTo(p.rows[y]);
        }
        // A later IHDR with a pair PNG does not define: its size counts, the earlier pair stays.
        rows = decodeRows(write("badpairlast.png", concat(PngFiles.SIGNATURE, PngFiles.chunk("IHDR", PngFiles.ihdr(9, 9, 8, 0, 0)),
                PngFiles.chunk("IHDR", PngFiles.ihdr(4, 3, 3, 0, 0)), tail)));
        assertThat(rows).hasSize(3);
        assertThat(rows.get(2)).isEqualTo(p.rows[2]);
        // No good pair at all: the first bad one is named.
        Path f = write("badpairs.png", concat(PngFiles.SIGNATURE, PngFiles.chunk("IHDR", PngFiles.ihdr(4, 3, 3, 0, 0)),
                PngFiles.chunk("IHDR", PngFiles.ihdr(4, 3, 8, 5, 0)), tail));
        refused(f).hasMessage(f + ": corrupt PNG: bit depth 3 with colour type 0 (a grey image has depth 1, 2, 4, 8 or 16)");
        // An Adam7 IHDR first makes the image Adam7, though the last says not.
        PngFiles q = grey8(4, 3);
        q.interlaced = true;
        byte[] qRest = q.build();
        rows = decodeRows(write("adam7first.png", concat(PngFiles.SIGNATURE, PngFiles.chunk("IHDR", PngFiles.ihdr(1, 1, 8, 0, 1)),
                PngFiles.chunk("IHDR", real), Arrays.copyOfRange(qRest, 33, qRest.length))));
        for (int y = 0; y < 3; y++) {
            assertThat(rows.get(y)).isEqualTo(q.rows[y]);
        }
    }

    @Test
    void anIhdrAfterTheImageDataIsCheckedAsPillowsLoadEndChecksIt() throws IOException {
        PngFiles p = grey8(3, 3);
        byte[] data = concat(p.header(), p.idat(p.zlib()));
        decodeRows(write("late.png", concat(data, PngFiles.chunk("IHDR", PngFiles.ihdr(9, 9, 16, 2, 1)),
                PngFiles.chunk("IEND", new byte[0]))));
        Path f = write("lateshort.png", concat(data, PngFiles.chunk("IHDR", new byte[5]), PngFiles.chunk("IEND", new byte[0])));
        refused(f).hasMessage(f + ": corrupt PNG: an IHDR chunk of 5 bytes (at least 13) after the image data");
        byte[] filter1 = PngFiles.ihdr(3, 3, 8, 0, 0);
        filter1[11] = 1;
        Path g = write("latefilter.png", concat(data, PngFiles.chunk("IHDR", filter1), PngFiles.chunk("IEND", new byte[0])));
        refused(g).hasMessage(g + ": corrupt PNG: filter method 1 (PNG defines only 0) in an IHDR chunk after the image data");
    }

    // ------------------------------------------------------------------------------------------
    // Helpers
    // ------------------------------------------------------------------------------------------

    /** Whether each of the first {@code n} pixels of row 0 is white. */
    private static List<Boolean> whites(BitImage image, int n) {
        List<Boolean> w = new ArrayList<>();
        for (int x = 0; x < n; x++) {
            w.add(image.isWhite(x, 0));
        }
        return w;
    }

    private static PngFiles grey8(int w, int h) {
        return new PngFiles(w, h, 0, 8, new Random(w * 31L + h), 0);
    }

    /** A 4 x 4 8-bit grey PNG whose IHDR data {@code edit} changes (its CRC made right again). */
    private static byte[] withIhdr(Consumer<byte[]> edit) {
        PngFiles p = grey8(4, 4);
        byte[] ihdr = PngFiles.ihdr(4, 4, 8, 0, 0);
        edit.accept(ihdr);
        return concat(PngFiles.SIGNATURE, PngFiles.chunk("IHDR", ihdr), p.idat(p.zlib()), PngFiles.chunk("IEND", new byte[0]));
    }

    private Path write(String name, byte[] data) throws IOException {
        return Files.write(tmp.resolve(name.replace('/', '_')), data);
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> refused(Path f) {
        return assertThatThrownBy(() -> Bilevel.read(f)).isInstanceOf(IOException.class);
    }

    private static List<byte[]> decodeRows(Path f) throws IOException {
        List<byte[]> rows = new ArrayList<>();
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            Png png = Png.open(ch, ch.size());
            int bytes = (png.width() * png.depth() * samples(png.colorType()) + 7) / 8;
            png.decode((row, off) -> rows.add(Arrays.copyOfRange(row, off, off + bytes)));
        }
        return rows;
    }

    private static int samples(int colorType) {
        return colorType == 2 ? 3 : colorType == 4 ? 2 : colorType == 6 ? 4 : 1;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
