package dev.jfutures.cli.image;

import static dev.jfutures.cli.image.BmpFiles.randomRgb;
import static dev.jfutures.cli.image.BmpFiles.rawBmp;
import static dev.jfutures.cli.image.GifFiles.gif;
import static dev.jfutures.cli.image.GifFiles.greyTable;
import static dev.jfutures.cli.image.GifFiles.randomTable;
import static dev.jfutures.cli.image.ImageIoFiles.binary;
import static dev.jfutures.cli.image.ImageIoFiles.component;
import static dev.jfutures.cli.image.ImageIoFiles.filled;
import static dev.jfutures.cli.image.ImageIoFiles.greyPalette;
import static dev.jfutures.cli.image.ImageIoFiles.indexed;
import static dev.jfutures.cli.image.ImageIoFiles.interlacedPng;
import static dev.jfutures.cli.image.ImageIoFiles.png;
import static dev.jfutures.cli.image.ImageIoFiles.premultiplied;
import static dev.jfutures.cli.image.ImageIoFiles.randomPalette;
import static dev.jfutures.cli.image.ImageIoFiles.write;
import static dev.jfutures.cli.image.PngFiles.PNG_TYPES;
import static dev.jfutures.cli.image.PngFiles.badCrc;
import static dev.jfutures.cli.image.PngFiles.handMadePng;
import static dev.jfutures.cli.image.PngFiles.palettePng;
import static dev.jfutures.cli.image.PngFiles.rowEnds;
import static dev.jfutures.cli.image.PngFiles.withIhdrs;
import static dev.jfutures.cli.image.TiffFiles.randomColourMap;
import static dev.jfutures.cli.image.TiffFiles.tiff;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Bilevel#read} against Pillow 9.4 itself: images of every format generated here (through
 * javax.imageio's writers, and by hand: {@link BmpFiles}, {@link GifFiles}, {@link TiffFiles},
 * {@link PngFiles}) and by Pillow, read by both, and every bit compared. Then what every format
 * meets alike: an empty file, one that is no image, a missing file, a directory; and WBMP, which
 * Pillow cannot open. What one format refuses is in that format's test.
 */
class BilevelTest {

    @TempDir
    Path tmp;

    // ------------------------------------------------------------------------------------------
    // Parity with Pillow
    // ------------------------------------------------------------------------------------------

    /** Widths around byte and 128 boundaries, heights odd, 1x1 included. */
    private static final int[][] SIZES = {
        {1, 1}, {7, 3}, {8, 1}, {9, 5}, {127, 3}, {128, 5}, {129, 7}, {255, 9}, {64, 33}, {301, 77},
    };

    /** One generated file: its name, and how Java wrote it. */
    private interface Writer {
        void write(Path file, int width, int height, Random rnd, int pattern) throws IOException;
    }

    /** The Java-written variants, by name prefix. */
    private static Map<String, Writer> javaWriters() {
        Map<String, Writer> m = new LinkedHashMap<>();
        // PNG
        m.put("png-grey1", (f, w, h, r, p) -> png(f, filled(binary(w, h, 1, greyPalette(1, false)), r, p)));
        m.put("png-grey2", (f, w, h, r, p) -> png(f, filled(binary(w, h, 2, greyPalette(2, false)), r, p)));
        m.put("png-grey4", (f, w, h, r, p) -> png(f, filled(binary(w, h, 4, greyPalette(4, false)), r, p)));
        m.put("png-grey8", (f, w, h, r, p) -> png(f, filled(new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY), r, p)));
        m.put("png-grey16", (f, w, h, r, p) -> png(f, filled(new BufferedImage(w, h, BufferedImage.TYPE_USHORT_GRAY), r, p)));
        m.put("png-rgb8", (f, w, h, r, p) -> png(f, filled(new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR), r, p)));
        m.put("png-rgba8", (f, w, h, r, p) -> png(f, filled(new BufferedImage(w, h, BufferedImage.TYPE_4BYTE_ABGR), r, p)));
        m.put("png-rgb16", (f, w, h, r, p) -> png(f, filled(component(w, h, ColorSpace.CS_sRGB, false, DataBuffer.TYPE_USHORT), r, p)));
        m.put("png-rgba16", (f, w, h, r, p) -> png(f, filled(component(w, h, ColorSpace.CS_sRGB, true, DataBuffer.TYPE_USHORT), r, p)));
        m.put("png-la8", (f, w, h, r, p) -> png(f, filled(component(w, h, ColorSpace.CS_GRAY, true, DataBuffer.TYPE_BYTE), r, p)));
        m.put("png-la16", (f, w, h, r, p) -> png(f, filled(component(w, h, ColorSpace.CS_GRAY, true, DataBuffer.TYPE_USHORT), r, p)));
        m.put("png-pal1", (f, w, h, r, p) -> png(f, filled(binary(w, h, 1, randomPalette(r, 2, false)), r, p)));
        m.put("png-pal2", (f, w, h, r, p) -> png(f, filled(binary(w, h, 2, randomPalette(r, 4, false)), r, p)));
        m.put("png-pal4", (f, w, h, r, p) -> png(f, filled(binary(w, h, 4, randomPalette(r, 16, true)), r, p)));
        m.put("png-pal8", (f, w, h, r, p) -> png(f, filled(indexed(w, h, randomPalette(r, 256, false)), r, p)));
        m.put("png-pal8alpha", (f, w, h, r, p) -> png(f, filled(indexed(w, h, randomPalette(r, 256, true)), r, p)));
        m.put("png-pal8greyramp", (f, w, h, r, p) -> png(f, filled(indexed(w, h, greyPalette(8, false)), r, p)));
        // BMP
        m.put("bmp-1", (f, w, h, r, p) -> write("bmp", f, filled(binary(w, h, 1, greyPalette(1, false)), r, p)));
        m.put("bmp-1inverted", (f, w, h, r, p) -> write("bmp", f, filled(binary(w, h, 1, greyPalette(1, true)), r, p)));
        m.put("bmp-1colours", (f, w, h, r, p) -> write("bmp", f, filled(binary(w, h, 1, randomPalette(r, 2, false)), r, p)));
        m.put("bmp-4", (f, w, h, r, p) -> write("bmp", f, filled(binary(w, h, 4, randomPalette(r, 16, false)), r, p)));
        m.put("bmp-8", (f, w, h, r, p) -> write("bmp", f, filled(indexed(w, h, randomPalette(r, 256, false)), r, p)));
        m.put("bmp-8greyramp", (f, w, h, r, p) -> write("bmp", f, filled(indexed(w, h, greyPalette(8, false)), r, p)));
        m.put("bmp-grey", (f, w, h, r, p) -> write("bmp", f, filled(new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY), r, p)));
        m.put("bmp-24", (f, w, h, r, p) -> write("bmp", f, filled(new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR), r, p)));
        m.put("bmp-32", (f, w, h, r, p) -> write("bmp", f, filled(new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB), r, p)));
        m.put("bmp-565", (f, w, h, r, p) -> write("bmp", f, filled(new BufferedImage(w, h, BufferedImage.TYPE_USHORT_565_RGB), r, p)));
        m.put("bmp-555", (f, w, h, r, p) -> write("bmp", f, filled(new BufferedImage(w, h, BufferedImage.TYPE_USHORT_555_RGB), r, p)));
        m.put("bmp-rle8", (f, w, h, r, p) -> write("bmp", f, filled(indexed(w, h, randomPalette(r, 256, false)), r, p), "BI_RLE8"));
        m.put("bmp-rle4", (f, w, h, r, p) -> {
            if (w > 1) { // javax.imageio's RLE4 encoder fails on 1-pixel rows
                write("bmp", f, filled(binary(w, h, 4, randomPalette(r, 16, false)), r, p), "BI_RLE4");
            }
        });
        m.put("bmp-rle8greyramp", (f, w, h, r, p) -> write("bmp", f, filled(indexed(w, h, greyPalette(8, false)), r, p), "BI_RLE8"));
        m.put("bmp-topdown1", (f, w, h, r, p) -> Files.write(f, rawBmp(w, h, 1, r, true, new int[] {0xffffff, 0})));
        m.put("bmp-8bitbw", (f, w, h, r, p) -> Files.write(f, rawBmp(w, h, 8, r, false, new int[] {0, 0xffffff})));
        m.put("bmp-8bit20colours", (f, w, h, r, p) -> Files.write(f, rawBmp(w, h, 8, r, false, randomRgb(r, 20))));
        m.put("bmp-4bitbw", (f, w, h, r, p) -> Files.write(f, rawBmp(w, h, 4, r, true, new int[] {0, 0xffffff})));
        // GIF
        m.put("gif-8", (f, w, h, r, p) -> write("gif", f, filled(indexed(w, h, randomPalette(r, 256, false)), r, p)));
        m.put("gif-greyramp", (f, w, h, r, p) -> write("gif", f, filled(indexed(w, h, greyPalette(8, false)), r, p)));
        m.put("gif-1", (f, w, h, r, p) -> write("gif", f, filled(binary(w, h, 1, greyPalette(1, false)), r, p)));
        m.put("gif-4", (f, w, h, r, p) -> write("gif", f, filled(binary(w, h, 4, randomPalette(r, 16, false)), r, p)));
        // TIFF
        m.put("tif-1", (f, w, h, r, p) -> write("tiff", f, filled(binary(w, h, 1, greyPalette(1, false)), r, p)));
        m.put("tif-1packbits", (f, w, h, r, p) -> write("tiff", f, filled(binary(w, h, 1, greyPalette(1, false)), r, p), "PackBits"));
        m.put("tif-1ccitt", (f, w, h, r, p) -> write("tiff", f, filled(binary(w, h, 1, greyPalette(1, false)), r, p), "CCITT T.6"));
        m.put("tif-grey4", (f, w, h, r, p) -> write("tiff", f, filled(binary(w, h, 4, greyPalette(4, false)), r, p)));
        m.put("tif-grey8", (f, w, h, r, p) -> write("tiff", f, filled(new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY), r, p)));
        m.put("tif-grey8lzw", (f, w, h, r, p) -> write("tiff", f, filled(new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY), r, p), "LZW"));
        m.put("tif-grey16", (f, w, h, r, p) -> write("tiff", f, filled(new BufferedImage(w, h, BufferedImage.TYPE_USHORT_GRAY), r, p)));
        m.put("tif-rgb", (f, w, h, r, p) -> write("tiff", f, filled(new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR), r, p)));
        m.put("tif-rgbdeflate", (f, w, h, r, p) -> write("tiff", f, filled(new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR), r, p), "Deflate"));
        m.put("tif-rgba", (f, w, h, r, p) -> write("tiff", f, filled(new BufferedImage(w, h, BufferedImage.TYPE_4BYTE_ABGR), r, p)));
        m.put("tif-rgbapremultiplied", (f, w, h, r, p) -> write("tiff", f, premultiplied(w, h, r, p)));
        m.put("tif-rgb16", (f, w, h, r, p) -> write("tiff", f, filled(component(w, h, ColorSpace.CS_sRGB, false, DataBuffer.TYPE_USHORT), r, p)));
        m.put("tif-pal8", (f, w, h, r, p) -> write("tiff", f, filled(indexed(w, h, randomPalette(r, 256, false)), r, p)));
        m.put("tif-pal4", (f, w, h, r, p) -> write("tiff", f, filled(binary(w, h, 4, randomPalette(r, 16, false)), r, p)));
        m.put("png-rgb8interlaced", (f, w, h, r, p) -> interlacedPng(f, filled(new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR), r, p)));
        m.put("png-grey1interlaced", (f, w, h, r, p) -> interlacedPng(f, filled(binary(w, h, 1, greyPalette(1, false)), r, p)));
        m.put("png-pal4interlaced", (f, w, h, r, p) -> interlacedPng(f, filled(binary(w, h, 4, randomPalette(r, 16, false)), r, p)));
        // Hand-made PNGs: tRNS on every colour type and depth, short palettes
        for (int depth : new int[] {1, 2, 4, 8, 16}) {
            m.put("png-greytrns" + depth, (f, w, h, r, p) -> Files.write(f, PngFiles.png(w, h, 0, depth, r, null, 2)));
        }
        m.put("png-rgbtrns8", (f, w, h, r, p) -> Files.write(f, PngFiles.png(w, h, 2, 8, r, null, 6)));
        m.put("png-rgbtrns16", (f, w, h, r, p) -> Files.write(f, PngFiles.png(w, h, 2, 16, r, null, 6)));
        m.put("png-shortpalette", (f, w, h, r, p) -> Files.write(f, PngFiles.png(w, h, 3, 8, r, randomTable(r, 5), 0)));
        m.put("png-shortpalette4", (f, w, h, r, p) -> Files.write(f, PngFiles.png(w, h, 3, 4, r, randomTable(r, 3), 2)));
        // Hand-made PNGs (PngFiles): every colour type and depth, every filter type in random rows,
        // Adam7 or not; pattern 1 splits the image data into IDAT chunks of 1..7 bytes (an empty
        // one among them), pattern 2 stores it uncompressed and adds tRNS and a short palette.
        for (int[] cd : PNG_TYPES) {
            for (boolean adam7 : new boolean[] {false, true}) {
                m.put("png-c" + cd[0] + "d" + cd[1] + (adam7 ? "adam7" : "filtered"),
                        (f, w, h, r, p) -> Files.write(f, handMadePng(w, h, cd[0], cd[1], adam7, r, p).build()));
            }
        }
        // Hand-made PNGs at the edges of what Pillow reads; it refuses some, and so must Bilevel.
        m.put("png-emptyplte", (f, w, h, r, p) -> Files.write(f, palettePng(w, h, 8, r, new byte[0]).build()));
        m.put("png-plte7", (f, w, h, r, p) -> Files.write(f, palettePng(w, h, 4, r, PngFiles.randomPalette(r, 3)).build()));
        m.put("png-plte770", (f, w, h, r, p) -> Files.write(f, palettePng(w, h, 8, r, Arrays.copyOf(PngFiles.randomPalette(r, 257), 770)).build()));
        m.put("png-plte771", (f, w, h, r, p) -> Files.write(f, palettePng(w, h, 8, r, PngFiles.randomPalette(r, 257)).build()));
        m.put("png-trnsshort", (f, w, h, r, p) -> {
            PngFiles png = handMadePng(w, h, 0, 8, false, r, 0);
            png.trns = new byte[1];
            Files.write(f, png.build());
        });
        m.put("png-badcrcplte", (f, w, h, r, p) -> Files.write(f, badCrc(palettePng(w, h, 8, r, PngFiles.randomPalette(r, 9)).build(), "PLTE")));
        m.put("png-badcrctext", (f, w, h, r, p) -> {
            PngFiles png = handMadePng(w, h, 2, 8, false, r, p);
            png.extra.add(new Object[] {"tEXt", "Comment\0x".getBytes(StandardCharsets.ISO_8859_1)});
            Files.write(f, badCrc(png.build(), "tEXt"));
        });
        m.put("png-badchunktype", (f, w, h, r, p) -> {
            PngFiles png = handMadePng(w, h, 0, 8, false, r, p);
            png.extra.add(new Object[] {"a-b!", new byte[3]});
            Files.write(f, png.build());
        });
        m.put("png-filter5", (f, w, h, r, p) -> {
            PngFiles png = handMadePng(w, h, 6, 8, false, r, p);
            byte[] lines = png.scanlines();
            lines[lines.length - png.rowBytes(w) - 1] = 5; // the last row's filter type
            Files.write(f, png.build(PngFiles.deflate(lines, png.level)));
        });
        m.put("png-badadler", (f, w, h, r, p) -> {
            PngFiles png = handMadePng(w, h, 2, 8, false, r, p);
            byte[] z = png.zlib();
            z[z.length - 1] ^= 1;
            Files.write(f, png.build(z));
        });
        m.put("png-extradata", (f, w, h, r, p) -> {
            PngFiles png = handMadePng(w, h, 0, 4, p == 1, r, p);
            byte[] lines = png.scanlines();
            byte[] more = Arrays.copyOf(lines, lines.length + 10 + r.nextInt(100));
            Files.write(f, png.build(PngFiles.deflate(more, png.level)));
        });
        m.put("png-truncated", (f, w, h, r, p) -> {
            byte[] png = handMadePng(w, h, 2, 16, p == 1, r, p).build();
            Files.write(f, Arrays.copyOf(png, png.length - 12 - 4 - r.nextInt(12)));
        });
        m.put("png-notail", (f, w, h, r, p) -> {
            byte[] png = handMadePng(w, h, 4, 8, p == 1, r, p).build();
            Files.write(f, Arrays.copyOf(png, png.length - 12 - 4)); // no IEND, no CRC after the last IDAT
        });
        m.put("png-idatsend", (f, w, h, r, p) -> {
            PngFiles png = handMadePng(w, h, 3, 2, p == 1, r, p);
            byte[] z = png.zlib();
            Files.write(f, png.build(Arrays.copyOf(z, z.length - 1 - r.nextInt(z.length / 2))));
        });
        m.put("png-idatinterrupted", (f, w, h, r, p) -> {
            PngFiles png = handMadePng(w, h, 0, 16, false, r, p);
            byte[] z = png.zlib();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(png.header());
            out.writeBytes(PngFiles.chunk("IDAT", Arrays.copyOf(z, z.length / 2)));
            out.writeBytes(PngFiles.chunk("tEXt", "Comment\0x".getBytes(StandardCharsets.ISO_8859_1)));
            out.writeBytes(PngFiles.chunk("IDAT", Arrays.copyOfRange(z, z.length / 2, z.length)));
            out.writeBytes(PngFiles.chunk("IEND", new byte[0]));
            Files.write(f, out.toByteArray());
        });
        // Broken PNGs Pillow reads anyway (Png's class comment), and their neighbours it refuses.
        m.put("png-noplte", (f, w, h, r, p) -> Files.write(f, new PngFiles(w, h, 3, new int[] {8, 4, 1}[p], r, 0).build()));
        m.put("png-twoplte", (f, w, h, r, p) -> {
            PngFiles png = handMadePng(w, h, 3, p == 2 ? 2 : 8, p == 1, r, p);
            if (p == 2) {
                png.extra.add(new Object[] {"PLTE", PngFiles.randomPalette(r, 257)}); // not the last: no matter
            }
            png.extra.add(new Object[] {"PLTE", PngFiles.randomPalette(r, 1 + r.nextInt(p == 2 ? 3 : 256))});
            Files.write(f, png.build());
        });
        m.put("png-pltenotpalette", (f, w, h, r, p) -> {
            PngFiles png = handMadePng(w, h, p == 0 ? 0 : 2, 8, p == 1, r, p);
            png.plte = PngFiles.randomPalette(r, 1 + r.nextInt(300));
            png.extra.add(new Object[] {"PLTE", PngFiles.randomPalette(r, 2)});
            Files.write(f, png.build());
        });
        m.put("png-twoihdr", (f, w, h, r, p) -> {
            int[] cd = PNG_TYPES[r.nextInt(PNG_TYPES.length)];
            PngFiles png = handMadePng(w, h, cd[0], cd[1], p == 1, r, 0);
            // 0: an RGB IHDR of another size first; 1: an Adam7 one first, the real one saying not
            // Adam7 (Pillow never undoes it); 2: a second IHDR of the same size with a bad pair.
            byte[] first = p == 0 ? PngFiles.ihdr(w + 3, 2 * h, 16, 2, 0) : p == 1 ? PngFiles.ihdr(1, 1, 8, 0, 1) : null;
            byte[] real = PngFiles.ihdr(w, h, cd[1], cd[0], 0);
            byte[] after = p == 2 ? PngFiles.ihdr(w, h, 3, 0, 0) : null;
            Files.write(f, withIhdrs(png, first, real, after));
        });
        m.put("png-badpairfirst", (f, w, h, r, p) -> {
            PngFiles png = handMadePng(w, h, 0, 8, false, r, p);
            byte[] bad = PngFiles.ihdr(w, h, p == 0 ? 3 : 8, p == 0 ? 0 : p == 1 ? 5 : 1, 0);
            Files.write(f, withIhdrs(png, bad, PngFiles.ihdr(w, h, 8, 0, 0), null));
        });
        m.put("png-plteforgrey", (f, w, h, r, p) -> {
            // A PLTE read while a first IHDR says "palette", then an 8-bit grey IHDR: Pillow makes it
            // a palette image of the grey samples (p 2 adds a grey tRNS).
            PngFiles png = handMadePng(w, h, 0, 8, p == 1, r, p);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(PngFiles.SIGNATURE);
            out.writeBytes(PngFiles.chunk("IHDR", PngFiles.ihdr(w, h, 8, 3, 0)));
            out.writeBytes(PngFiles.chunk("PLTE", PngFiles.randomPalette(r, 1 + r.nextInt(256))));
            byte[] header = png.header();
            out.writeBytes(Arrays.copyOfRange(header, 8, header.length));
            out.writeBytes(png.idat(png.zlib()));
            out.writeBytes(PngFiles.chunk("IEND", new byte[0]));
            Files.write(f, out.toByteArray());
        });
        m.put("png-plteforrgb", (f, w, h, r, p) -> {
            // The same with an RGB, 16-bit grey or 1-bit grey IHDR: Pillow fails ("unrecognized image mode").
            int[] cd = new int[][] {{2, 8}, {0, 16}, {0, 1}}[p];
            PngFiles png = handMadePng(w, h, cd[0], cd[1], false, r, 0);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(PngFiles.SIGNATURE);
            out.writeBytes(PngFiles.chunk("IHDR", PngFiles.ihdr(w, h, 8, 3, 0)));
            out.writeBytes(PngFiles.chunk("PLTE", PngFiles.randomPalette(r, 16)));
            byte[] whole = png.build();
            out.writeBytes(Arrays.copyOfRange(whole, 8, whole.length));
            Files.write(f, out.toByteArray());
        });
        m.put("png-ihdrlong", (f, w, h, r, p) -> {
            int[] cd = PNG_TYPES[r.nextInt(PNG_TYPES.length)];
            PngFiles png = handMadePng(w, h, cd[0], cd[1], p == 1, r, p);
            byte[] ihdr = PngFiles.ihdr(w, h, cd[1], cd[0], p == 1 ? 1 : 0);
            byte[] longer = Arrays.copyOf(ihdr, 14 + r.nextInt(20));
            for (int i = 13; i < longer.length; i++) {
                longer[i] = (byte) r.nextInt(256);
            }
            Files.write(f, withIhdrs(png, null, longer, null));
        });
        m.put("png-ihdrshort", (f, w, h, r, p) -> {
            PngFiles png = handMadePng(w, h, 0, 8, false, r, p);
            byte[] ihdr = PngFiles.ihdr(w, h, 8, 0, 0);
            Files.write(f, withIhdrs(png, null, Arrays.copyOf(ihdr, r.nextInt(13)), null));
        });
        m.put("png-ihdrafterdata", (f, w, h, r, p) -> {
            // After the image data Pillow's load_end reads an IHDR as before it: a short one or one
            // with a filter method other than 0 fails; another size or mode comes too late to matter.
            PngFiles png = handMadePng(w, h, 2, 8, false, r, p);
            byte[] ihdr = p == 0 ? PngFiles.ihdr(w + 1, h, 8, 0, 1) : Arrays.copyOf(PngFiles.ihdr(w, h, 8, 2, 0), p == 1 ? 12 : 13);
            if (p == 2) {
                ihdr[11] = 1;
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(png.header());
            out.writeBytes(png.idat(png.zlib()));
            out.writeBytes(PngFiles.chunk("IHDR", ihdr));
            out.writeBytes(PngFiles.chunk("IEND", new byte[0]));
            Files.write(f, out.toByteArray());
        });
        m.put("png-compression", (f, w, h, r, p) -> {
            int[] cd = PNG_TYPES[r.nextInt(PNG_TYPES.length)];
            PngFiles png = handMadePng(w, h, cd[0], cd[1], p == 1, r, p);
            byte[] ihdr = PngFiles.ihdr(w, h, cd[1], cd[0], p == 1 ? 1 : 0);
            ihdr[10] = (byte) (1 + r.nextInt(255));
            Files.write(f, withIhdrs(png, null, ihdr, null));
        });
        m.put("png-zlibends", (f, w, h, r, p) -> {
            // The zlib stream ends cleanly after a whole row before the last: Pillow leaves the rest
            // zero (p 1 splits the data into IDAT chunks of 1..7 bytes, so the stream's end often
            // comes after its last row's bytes, which Pillow refuses).
            int[] cd = PNG_TYPES[r.nextInt(PNG_TYPES.length)];
            PngFiles png = handMadePng(w, h, cd[0], cd[1], r.nextBoolean(), r, p);
            int[] ends = rowEnds(png);
            if (ends.length > 1) {
                int cut = ends[r.nextInt(ends.length - 1)];
                Files.write(f, png.build(PngFiles.deflate(Arrays.copyOf(png.scanlines(), cut), png.level)));
            }
        });
        m.put("png-zlibendsinrow", (f, w, h, r, p) -> {
            // ... and inside a row, or before the first: Pillow refuses it.
            int[] cd = PNG_TYPES[r.nextInt(PNG_TYPES.length)];
            PngFiles png = handMadePng(w, h, cd[0], cd[1], r.nextBoolean(), r, p);
            int[] ends = rowEnds(png);
            int k = r.nextInt(ends.length);
            int start = k == 0 ? 0 : ends[k - 1];
            int cut = p == 2 ? 0 : start + 1 + r.nextInt(ends[k] - start - 1);
            Files.write(f, png.build(PngFiles.deflate(Arrays.copyOf(png.scanlines(), cut), png.level)));
        });
        // JPEG: lossy, so compared with a tolerance (see the parity test)
        m.put("jpg-rgb", (f, w, h, r, p) -> write("jpeg", f, filled(new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR), r, p)));
        m.put("jpg-grey", (f, w, h, r, p) -> write("jpeg", f, filled(new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY), r, p)));
        // Hand-made GIFs: what javax.imageio's writer never produces
        m.put("gif-offsetframe", (f, w, h, r, p) -> Files.write(f, gif(w + 3, h + 2, randomTable(r, 4), -1, 2, 1, w, h, null, false, r, 16)));
        m.put("gif-offsettransparent", (f, w, h, r, p) -> Files.write(f, gif(w + 5, h + 1, randomTable(r, 4), 3, 1, 1, w, h, null, p == 1, r, 16)));
        m.put("gif-framebeyondscreen", (f, w, h, r, p) -> Files.write(f, gif(1, 1, randomTable(r, 8), -1, 1, 2, w, h, null, p == 1, r, 256)));
        m.put("gif-localgreyramp", (f, w, h, r, p) -> Files.write(f, gif(w, h, randomTable(r, 8), -1, 0, 0, w, h, greyTable(8), p != 0, r, 256)));
        m.put("gif-localcolours", (f, w, h, r, p) -> Files.write(f, gif(w, h, greyTable(4), -1, 0, 0, w, h, randomTable(r, 8), p != 0, r, 256)));
        m.put("gif-notables", (f, w, h, r, p) -> Files.write(f, gif(w, h, null, p == 2 ? 7 : -1, 0, 0, w, h, null, p != 0, r, 256)));
        m.put("gif-beyondpalette", (f, w, h, r, p) -> Files.write(f, gif(w, h, randomTable(r, 2), -1, 0, 0, w, h, null, p != 0, r, 256)));
        m.put("gif-interlaced", (f, w, h, r, p) -> Files.write(f, gif(w, h, randomTable(r, 8), -1, 0, 0, w, h, null, true, r, 256)));
        // Pillow refuses these two (too little data; a code not yet defined): so must Bilevel
        m.put("gif-shortdata", (f, w, h, r, p) -> Files.write(f, gif(w, h, randomTable(r, 8), -1, 0, 0, w, h, null, p == 1, r, 256, w * h - 1, -1)));
        m.put("gif-badcode", (f, w, h, r, p) -> {
            if (w * h > 2) {
                Files.write(f, gif(w, h, randomTable(r, 8), -1, 0, 0, w, h, null, p == 1, r, 256, w * h, 511));
            }
        });
        // Hand-made TIFFs: WhiteIsZero, 2- and 4-bit grey, fill order 2, LA, RGBX, RGBa, small palettes
        m.put("tif-wiz1", (f, w, h, r, p) -> Files.write(f, tiff(w, h, 0, new int[] {1}, new int[0], 1, r, null)));
        m.put("tif-wiz2", (f, w, h, r, p) -> Files.write(f, tiff(w, h, 0, new int[] {2}, new int[0], 1, r, null)));
        m.put("tif-wiz4", (f, w, h, r, p) -> Files.write(f, tiff(w, h, 0, new int[] {4}, new int[0], 1, r, null)));
        m.put("tif-wiz8", (f, w, h, r, p) -> Files.write(f, tiff(w, h, 0, new int[] {8}, new int[0], 1, r, null)));
        m.put("tif-wiz16", (f, w, h, r, p) -> Files.write(f, tiff(w, h, 0, new int[] {16}, new int[0], 1, r, null)));
        m.put("tif-grey16le", (f, w, h, r, p) -> Files.write(f, tiff(w, h, 1, new int[] {16}, new int[0], 1, r, null)));
        m.put("tif-grey2", (f, w, h, r, p) -> Files.write(f, tiff(w, h, 1, new int[] {2}, new int[0], 1, r, null)));
        m.put("tif-grey4raw", (f, w, h, r, p) -> Files.write(f, tiff(w, h, 1, new int[] {4}, new int[0], 1, r, null)));
        m.put("tif-1fillorder2", (f, w, h, r, p) -> Files.write(f, tiff(w, h, 1, new int[] {1}, new int[0], 2, r, null)));
        m.put("tif-la", (f, w, h, r, p) -> Files.write(f, tiff(w, h, 1, new int[] {8, 8}, new int[] {2}, 1, r, null)));
        m.put("tif-rgbx", (f, w, h, r, p) -> Files.write(f, tiff(w, h, 2, new int[] {8, 8, 8, 8}, new int[] {0}, 1, r, null)));
        m.put("tif-rgbapremultipliedraw", (f, w, h, r, p) -> Files.write(f, tiff(w, h, 2, new int[] {8, 8, 8, 8}, new int[] {1}, 1, r, null)));
        m.put("tif-pal2", (f, w, h, r, p) -> Files.write(f, tiff(w, h, 3, new int[] {2}, new int[0], 1, r, randomColourMap(r, 4))));
        m.put("tif-pal1", (f, w, h, r, p) -> Files.write(f, tiff(w, h, 3, new int[] {1}, new int[0], 1, r, randomColourMap(r, 2))));
        return m;
    }

    /**
     * The Python side: first writes Pillow's own images (modes and formats Java's writers do not
     * produce the same way), then prints, for every file in the directory, its name, the mode
     * Pillow opens it in, and the hex of {@code convert("1").tobytes()}.
     */
    private static final String PYTHON = String.join("\n",
            "import os, random, sys",
            "from PIL import Image",
            "d = sys.argv[1]",
            "rnd = random.Random(1234)",
            "def content(mode, w, h, k):",
            "    bands = len(Image.new(mode, (1, 1)).getbands())",
            "    if mode in ('I;16', 'I'):",
            "        if k == 0:",
            "            vals = [(x * 65535 // max(1, w - 1)) if y % 2 else (x * 300 // max(1, w)) for y in range(h) for x in range(w)]",
            "        else:",
            "            vals = [rnd.choice((rnd.randrange(256), rnd.randrange(65536))) for _ in range(w * h)]",
            "        im = Image.new(mode, (w, h))",
            "        im.putdata(vals)",
            "        return im",
            "    if k == 0:",
            "        data = bytes(((x * 255 // max(1, w - 1) + b * 40 + y * 3) & 255) for y in range(h) for x in range(w) for b in range(bands))",
            "    else:",
            "        data = bytes(rnd.randrange(256) for _ in range(w * h * bands))",
            "    if mode == '1':",
            "        return Image.frombytes('L', (w, h), data).point(lambda v: 255 if v >= 128 else 0).convert('1', dither=Image.Dither.NONE)",
            "    if mode == 'P':",
            "        im = Image.frombytes('L', (w, h), data)",
            "        im = im.convert('P')",
            "        im.putpalette(bytes(rnd.randrange(256) for _ in range(768)))",
            "        return im",
            "    return Image.frombytes(mode, (w, h), data)",
            "jobs = [",
            "    ('1', 'png'), ('1', 'bmp'), ('1', 'gif'), ('1', 'tif'),",
            "    ('L', 'png'), ('L', 'bmp'), ('L', 'gif'), ('L', 'tif'),",
            "    ('P', 'png'), ('P', 'bmp'), ('P', 'gif'), ('P', 'tif'),",
            "    ('RGB', 'png'), ('RGB', 'bmp'), ('RGB', 'tif'),",
            "    ('RGBA', 'png'), ('RGBA', 'bmp'), ('RGBA', 'tif'),",
            "    ('LA', 'png'), ('LA', 'tif'), ('I;16', 'png'), ('I;16', 'tif'), ('I', 'png'), ('CMYK', 'tif'),",
            "    ('L', 'jpg'), ('RGB', 'jpg'), ('CMYK', 'jpg'),",
            "]",
            "for mode, fmt in jobs:",
            "    for w, h in ((1, 1), (13, 7), (128, 3), (200, 31)):",
            "        for k in (0, 1):",
            "            im = content(mode, w, h, k)",
            "            name = 'pil-%s-%dx%d-%d.%s' % (mode.replace(';', ''), w, h, k, fmt)",
            "            im.save(os.path.join(d, name))",
            "            if mode in ('L', 'RGB', 'P') and fmt == 'png' and k == 1:",
            "                t = {'L': 7, 'RGB': (1, 2, 3), 'P': 5}[mode]",
            "                im.save(os.path.join(d, 'pil-trns-' + name), transparency=t)",
            "for name in sorted(os.listdir(d)):",
            "    try:",
            "        with Image.open(os.path.join(d, name)) as im:",
            "            mode = im.mode",
            "            print(name, mode, im.size[0], im.size[1], im.convert('1').tobytes().hex() or '-')",
            "    except Exception as e:",
            "        print(name, 'ERROR', type(e).__name__, str(e).replace(chr(10), ' '))",
            "");

    @Test
    void readsEveryFormatAndModeExactlyAsPillowConverts() throws Exception {
        String python = pythonWithPillow();
        assumeTrue(python != null, "no python3 with Pillow (set -Djfutures.python=...)");
        Random rnd = new Random(20240601L);
        int javaFiles = 0;
        for (Map.Entry<String, Writer> e : javaWriters().entrySet()) {
            for (int[] size : SIZES) {
                for (int pattern = 0; pattern < 3; pattern++) {
                    String ext = e.getKey().substring(0, e.getKey().indexOf('-'));
                    Path f = tmp.resolve(e.getKey() + "-" + size[0] + "x" + size[1] + "-" + pattern + "." + ext);
                    e.getValue().write(f, size[0], size[1], rnd, pattern);
                    javaFiles += Files.exists(f) ? 1 : 0;
                }
            }
        }
        List<String> lines = runPython(python, tmp);
        SoftAssertions softly = new SoftAssertions();
        int compared = 0;
        Map<String, Integer> byMode = new LinkedHashMap<>();
        Map<String, Integer> refused = new LinkedHashMap<>();
        long jpegDiffering = 0;
        long jpegPixels = 0;
        for (String line : lines) {
            String[] f = line.split(" ", 5);
            Path file = tmp.resolve(f[0]);
            if (f[1].equals("ERROR")) {
                // The book's program fails on this file; so must we, with an IOException naming it.
                try {
                    BitImage image = Bilevel.read(file);
                    softly.fail("%s: Pillow fails (%s), Bilevel read %s", f[0], line, image);
                } catch (IOException ex) {
                    softly.assertThat(ex.getMessage()).as("%s: the refusal (Pillow: %s)", f[0], line)
                            .startsWith(file.toString());
                    refused.merge(f[0].substring(0, f[0].indexOf('-', 4)), 1, Integer::sum);
                }
                continue;
            }
            String mode = f[1];
            int w = Integer.parseInt(f[2]);
            int h = Integer.parseInt(f[3]);
            byte[] expected = HexFormat.of().parseHex(f[4].equals("-") ? "" : f[4]);
            BitImage actual;
            try {
                actual = Bilevel.read(file);
            } catch (IOException | RuntimeException ex) {
                softly.fail("%s (Pillow mode %s): %s", f[0], mode, ex);
                continue;
            }
            softly.assertThat(actual.width() + "x" + actual.height()).as("%s (Pillow mode %s) size", f[0], mode)
                    .isEqualTo(w + "x" + h);
            if (f[0].endsWith(".jpg")) {
                // Two JPEG decoders may round differently; measured identical to Debian's
                // libjpeg-turbo 2.1.5, so allow only a little.
                long differing = differingPixels(actual, expected, w);
                jpegDiffering += differing;
                jpegPixels += (long) w * h;
                softly.assertThat(differing).as("%s (Pillow mode %s): pixels differing from Pillow's", f[0], mode)
                        .isLessThanOrEqualTo((long) w * h / 100 + 8);
            } else {
                softly.assertThat(firstDifference(actual, expected, w))
                        .as("%s (Pillow mode %s): first pixel that differs from Pillow's", f[0], mode).isEqualTo("none");
            }
            compared++;
            byMode.merge(f[0].substring(0, f[0].indexOf('-', 4)) + "/" + mode, 1, Integer::sum);
        }
        int refusedFiles = refused.values().stream().mapToInt(Integer::intValue).sum();
        assertThat(compared + refusedFiles).as("files compared or refused like Pillow").isGreaterThan(javaFiles);
        System.out.println("Bilevel parity: " + compared + " files compared with Pillow: " + byMode
                + "; refused like Pillow: " + refused + "; JPEG pixels differing: " + jpegDiffering + " of "
                + jpegPixels);
        softly.assertAll();
    }

    private static long differingPixels(BitImage actual, byte[] expected, int w) {
        byte[] bits = actual.bits();
        if (bits.length != expected.length) {
            return Long.MAX_VALUE;
        }
        long n = 0;
        for (int i = 0; i < bits.length; i++) {
            n += Integer.bitCount((bits[i] ^ expected[i]) & 0xff);
        }
        return n;
    }

    private static String firstDifference(BitImage actual, byte[] expected, int w) {
        byte[] bits = actual.bits();
        if (bits.length != expected.length) {
            return "length " + bits.length + " != " + expected.length;
        }
        int stride = (w + 7) / 8;
        for (int i = 0; i < bits.length; i++) {
            if (bits[i] != expected[i]) {
                int x = (i % stride) * 8 + Integer.numberOfLeadingZeros((bits[i] ^ expected[i]) & 0xff) - 24;
                return "(" + x + ", " + i / stride + ")";
            }
        }
        return "none";
    }

    // ------------------------------------------------------------------------------------------
    // Bad input
    // ------------------------------------------------------------------------------------------

    @Test
    void anEmptyFileIsRefusedByName() throws IOException {
        Path f = Files.write(tmp.resolve("empty.png"), new byte[0]);
        assertThatThrownBy(() -> Bilevel.read(f)).isInstanceOf(IOException.class)
                .hasMessageContaining(f.toString()).hasMessageContaining("empty");
    }

    @Test
    void garbageIsRefusedAsNotAnImage() throws IOException {
        byte[] junk = new byte[1000];
        new Random(7).nextBytes(junk);
        junk[0] = 'x'; // not 0, which WBMP's reader might take for a type-0 header
        Path f = Files.write(tmp.resolve("junk.dat"), junk);
        assertThatThrownBy(() -> Bilevel.read(f)).isInstanceOf(IOException.class)
                .hasMessageContaining(f.toString()).hasMessageContaining("not an image javax.imageio reads");
    }

    @Test
    void anUnknownFormatIsRefusedAsNotAnImage() throws IOException {
        // A WebP header: RIFF....WEBPVP8
        byte[] webp = "RIFF\u0024\0\0\0WEBPVP8 \u0018\0\0\0".getBytes(StandardCharsets.ISO_8859_1);
        Path f = Files.write(tmp.resolve("x.webp"), Arrays.copyOf(webp, 44));
        assertThatThrownBy(() -> Bilevel.read(f)).isInstanceOf(IOException.class)
                .hasMessage(f + ": not an image javax.imageio reads (BMP, PNG, GIF, JPEG, TIFF, WBMP);"
                        + " convert it to PNG or BMP first");
    }

    @Test
    void aMissingFileIsRefusedByName() {
        Path f = tmp.resolve("no-such.png");
        assertThatThrownBy(() -> Bilevel.read(f)).isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining(f.toString());
    }

    @Test
    void aDirectoryIsRefusedByName() {
        assertThatThrownBy(() -> Bilevel.read(tmp)).isInstanceOf(IOException.class)
                .hasMessage(tmp + ": is a directory, not an image file");
    }

    @Test
    void readsWbmpWhichPillowCannotOpenAsItsBitsSay() throws IOException {
        // No Pillow to compare with (it cannot identify WBMP): a set bit is white, as in the format.
        Random rnd = new Random(11);
        for (int[] size : SIZES) {
            BufferedImage image = filled(binary(size[0], size[1], 1, greyPalette(1, false)), rnd, 1);
            Path f = tmp.resolve("x" + size[0] + "x" + size[1] + ".wbmp");
            write("wbmp", f, image);
            BitImage bits = Bilevel.read(f);
            assertThat(bits.width() + "x" + bits.height()).isEqualTo(size[0] + "x" + size[1]);
            for (int y = 0; y < size[1]; y++) {
                for (int x = 0; x < size[0]; x++) {
                    assertThat(bits.isWhite(x, y)).as("%s (%d, %d)", f, x, y)
                            .isEqualTo(image.getRaster().getSample(x, y, 0) == 1);
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    // Python
    // ------------------------------------------------------------------------------------------

    /** The first of -Djfutures.python, python3, /usr/bin/python3 that imports PIL, or null. */
    static String pythonWithPillow() {
        List<String> candidates = new ArrayList<>();
        String configured = System.getProperty("jfutures.python");
        if (configured != null && !configured.isBlank()) {
            candidates.add(configured);
        }
        candidates.add("python3");
        candidates.add("/usr/bin/python3");
        for (String python : candidates) {
            try {
                Process p = new ProcessBuilder(python, "-c", "import PIL").redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return python;
                }
                p.destroyForcibly();
            } catch (IOException e) {
                // not installed under that name: try the next
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return null;
    }

    private static List<String> runPython(String python, Path dir) throws IOException, InterruptedException {
        Path script = Files.createTempFile("bilevel", ".py");
        try {
            Files.writeString(script, PYTHON);
            Process p = new ProcessBuilder(python, script.toString(), dir.toString()).start();
            byte[][] err = new byte[1][];
            Thread drain = new Thread(() -> {
                try (InputStream e = p.getErrorStream()) {
                    err[0] = e.readAllBytes();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            drain.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(300, TimeUnit.SECONDS)).as("python finished").isTrue();
            drain.join();
            assertThat(p.exitValue()).as("python exit; stderr: %s", new String(err[0], StandardCharsets.UTF_8))
                    .isZero();
            return out.lines().filter(l -> !l.isBlank()).toList();
        } finally {
            Files.deleteIfExists(script);
        }
    }
}
