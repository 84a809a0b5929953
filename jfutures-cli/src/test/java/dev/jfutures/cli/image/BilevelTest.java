package dev.jfutures.cli.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Bilevel#read} against Pillow 9.4 itself: images generated here (through javax.imageio's
 * writers) and by Pillow, read by both, and every bit compared.
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
            m.put("png-greytrns" + depth, (f, w, h, r, p) -> Files.write(f, png(w, h, 0, depth, r, null, 2)));
        }
        m.put("png-rgbtrns8", (f, w, h, r, p) -> Files.write(f, png(w, h, 2, 8, r, null, 6)));
        m.put("png-rgbtrns16", (f, w, h, r, p) -> Files.write(f, png(w, h, 2, 16, r, null, 6)));
        m.put("png-shortpalette", (f, w, h, r, p) -> Files.write(f, png(w, h, 3, 8, r, randomTable(r, 5), 0)));
        m.put("png-shortpalette4", (f, w, h, r, p) -> Files.write(f, png(w, h, 3, 4, r, randomTable(r, 3), 2)));
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
        // Broken PNGs Pillow reads anyway (PngDecoder's class comment), and their neighbours it refuses.
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
    void aTruncatedPngIsRefusedByName() throws IOException {
        BufferedImage image = filled(new BufferedImage(300, 200, BufferedImage.TYPE_3BYTE_BGR), new Random(3), 1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        byte[] png = out.toByteArray();
        Path f = Files.write(tmp.resolve("truncated.png"), Arrays.copyOf(png, png.length / 2));
        assertThatThrownBy(() -> Bilevel.read(f)).isInstanceOf(IOException.class)
                .hasMessageStartingWith(f + ": ");
    }

    @Test
    void aPngWiderThan65535IsRefusedBeforeDecoding() throws IOException {
        Path f = Files.write(tmp.resolve("wide.png"), pngHeaderOnly(70000, 10));
        assertThatThrownBy(() -> Bilevel.read(f)).isInstanceOf(IOException.class)
                .hasMessageStartingWith(f + ": ").hasMessageContaining("70000x10").hasMessageContaining("width");
    }

    @Test
    void aBmpTallerThan65535IsRefusedBeforeDecoding() throws IOException {
        byte[] bmp = rawBmp(8, 1, 1, new Random(1), false, new int[] {0, 0xffffff});
        ByteBuffer.wrap(bmp).order(ByteOrder.LITTLE_ENDIAN).putInt(22, 100000);
        Path f = Files.write(tmp.resolve("tall.bmp"), bmp);
        assertThatThrownBy(() -> Bilevel.read(f)).isInstanceOf(IOException.class)
                .hasMessageStartingWith(f + ": ").hasMessageContaining("8x100000").hasMessageContaining("height");
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

    @Test
    void aTruncatedBmpIsRefusedByName() throws IOException {
        byte[] bmp = rawBmp(100, 50, 1, new Random(1), false, new int[] {0, 0xffffff});
        Path f = Files.write(tmp.resolve("cut.bmp"), Arrays.copyOf(bmp, bmp.length - 10));
        assertThatThrownBy(() -> Bilevel.read(f)).isInstanceOf(IOException.class)
                .hasMessageStartingWith(f + ": truncated BMP");
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

    // ------------------------------------------------------------------------------------------
    // Image generation
    // ------------------------------------------------------------------------------------------

    /** Fills every band of every pixel from a pattern: 0 gradient, 1 noise, 2 shapes. */
    static BufferedImage filled(BufferedImage image, Random rnd, int pattern) {
        WritableRaster r = image.getRaster();
        int w = r.getWidth();
        int h = r.getHeight();
        int bands = r.getNumBands();
        int cx = rnd.nextInt(w);
        int cy = rnd.nextInt(h);
        int radius = 1 + rnd.nextInt(Math.max(w, h));
        for (int b = 0; b < bands; b++) {
            int size = r.getSampleModel().getSampleSize(b);
            int max = (1 << size) - 1;
            if (image.getColorModel() instanceof IndexColorModel) {
                max = ((IndexColorModel) image.getColorModel()).getMapSize() - 1;
            }
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    long v;
                    switch (pattern) {
                        case 0:
                            v = (long) max * ((x * (b + 1) + y * (3 - b % 3) + b * 17) % (w + h)) / Math.max(1, w + h - 1);
                            break;
                        case 1:
                            v = rnd.nextInt(max + 1);
                            break;
                        default:
                            int dx = x - cx;
                            int dy = y - cy;
                            boolean inside = dx * dx + dy * dy < radius * radius;
                            boolean stripe = ((x + 2 * y) / 5 + b) % 3 == 0;
                            v = inside ? (stripe ? max : max / 3) : (stripe ? max * 2L / 3 : (long) (x * max) / w);
                            break;
                    }
                    r.setSample(x, y, b, (int) v);
                }
            }
        }
        return image;
    }

    static BufferedImage binary(int w, int h, int bits, IndexColorModel cm) {
        return new BufferedImage(w, h, BufferedImage.TYPE_BYTE_BINARY, cm);
    }

    static BufferedImage indexed(int w, int h, IndexColorModel cm) {
        return new BufferedImage(w, h, BufferedImage.TYPE_BYTE_INDEXED, cm);
    }

    static BufferedImage component(int w, int h, int space, boolean alpha, int type) {
        ColorModel cm = new ComponentColorModel(ColorSpace.getInstance(space), alpha, false,
                alpha ? Transparency.TRANSLUCENT : Transparency.OPAQUE, type);
        return new BufferedImage(cm, cm.createCompatibleWritableRaster(w, h), false, null);
    }

    static BufferedImage premultiplied(int w, int h, Random rnd, int pattern) {
        BufferedImage straight = filled(new BufferedImage(w, h, BufferedImage.TYPE_4BYTE_ABGR), rnd, pattern);
        BufferedImage pre = new BufferedImage(w, h, BufferedImage.TYPE_4BYTE_ABGR_PRE);
        WritableRaster s = straight.getRaster();
        WritableRaster d = pre.getRaster();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int a = s.getSample(x, y, 3);
                for (int b = 0; b < 3; b++) {
                    d.setSample(x, y, b, s.getSample(x, y, b) * a / 255);
                }
                d.setSample(x, y, 3, a);
            }
        }
        return pre;
    }

    /** The grey ramp palette of 2^bits entries, black to white (or white to black). */
    static IndexColorModel greyPalette(int bits, boolean inverted) {
        int n = 1 << bits;
        byte[] v = new byte[n];
        for (int i = 0; i < n; i++) {
            v[i] = (byte) ((inverted ? n - 1 - i : i) * 255 / (n - 1));
        }
        return new IndexColorModel(bits, n, v, v, v);
    }

    static IndexColorModel randomPalette(Random rnd, int n, boolean alpha) {
        byte[] r = new byte[n];
        byte[] g = new byte[n];
        byte[] b = new byte[n];
        byte[] a = new byte[n];
        rnd.nextBytes(r);
        rnd.nextBytes(g);
        rnd.nextBytes(b);
        rnd.nextBytes(a);
        int bits = Math.max(1, 32 - Integer.numberOfLeadingZeros(n - 1));
        return alpha ? new IndexColorModel(bits, n, r, g, b, a) : new IndexColorModel(bits, n, r, g, b);
    }

    static int[] randomRgb(Random rnd, int n) {
        int[] rgb = new int[n];
        for (int i = 0; i < n; i++) {
            rgb[i] = rnd.nextInt(1 << 24);
        }
        return rgb;
    }

    static void png(Path f, BufferedImage image) throws IOException {
        write("png", f, image);
    }

    static void write(String format, Path f, BufferedImage image) throws IOException {
        write(format, f, image, null);
    }

    static void write(String format, Path f, BufferedImage image, String compression) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName(format).next();
        Files.deleteIfExists(f);
        try (ImageOutputStream out = ImageIO.createImageOutputStream(f.toFile())) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            if (compression != null) {
                param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                param.setCompressionType(compression);
            }
            writer.write(null, new IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
        assertThat(Files.size(f)).as("%s written", f).isPositive();
    }

    /**
     * An uncompressed BMP built by hand, for layouts javax.imageio's writer does not produce: any
     * palette at any depth, top-down rows. Indices are random below the palette's size.
     */
    static byte[] rawBmp(int w, int h, int bits, Random rnd, boolean topDown, int[] palette) {
        int stride = ((w * bits + 31) >>> 3) & ~3;
        int offset = 14 + 40 + 4 * palette.length;
        ByteBuffer b = ByteBuffer.allocate(offset + stride * h).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 'B').put((byte) 'M').putInt(b.capacity()).putInt(0).putInt(offset);
        b.putInt(40).putInt(w).putInt(topDown ? -h : h).putShort((short) 1).putShort((short) bits)
                .putInt(0).putInt(stride * h).putInt(2835).putInt(2835).putInt(palette.length).putInt(0);
        for (int rgb : palette) {
            b.put((byte) rgb).put((byte) (rgb >> 8)).put((byte) (rgb >> 16)).put((byte) 0);
        }
        for (int y = 0; y < h; y++) {
            int row = offset + y * stride;
            for (int x = 0; x < w; x++) {
                int v = rnd.nextInt(palette.length);
                int bit = x * bits;
                int i = row + bit / 8;
                int shift = 8 - bits - bit % 8;
                b.put(i, (byte) (b.get(i) | v << shift));
            }
        }
        return b.array();
    }

    /** A palette of {@code n} random entries, R G B bytes. */
    static byte[] randomTable(Random rnd, int n) {
        byte[] t = new byte[3 * n];
        rnd.nextBytes(t);
        return t;
    }

    /** The identity grey ramp of {@code n} entries (i, i, i), which Pillow takes for "no palette". */
    static byte[] greyTable(int n) {
        byte[] t = new byte[3 * n];
        for (int i = 0; i < t.length; i++) {
            t[i] = (byte) (i / 3);
        }
        return t;
    }

    /**
     * A GIF built by hand: a screen, an optional global table, an optional graphic control
     * extension with a transparent index, one frame at (x0, y0), an optional local table,
     * optionally interlaced, random indices below {@code maxIndex}. The LZW data is the simple kind
     * (a clear code often enough that codes stay one bit wider than the root size).
     */
    static byte[] gif(int screenW, int screenH, byte[] global, int transparent, int x0, int y0, int w, int h,
            byte[] local, boolean interlaced, Random rnd, int maxIndex) {
        return gif(screenW, screenH, global, transparent, x0, y0, w, h, local, interlaced, rnd, maxIndex, w * h, -1);
    }

    /**
     * As above, but writing only {@code pixelCount} pixels, and the code {@code badCode} (if not
     * -1) in the middle.
     */
    static byte[] gif(int screenW, int screenH, byte[] global, int transparent, int x0, int y0, int w, int h,
            byte[] local, boolean interlaced, Random rnd, int maxIndex, int pixelCount, int badCode) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("GIF89a".getBytes(StandardCharsets.US_ASCII));
        le16(out, screenW);
        le16(out, screenH);
        out.write(global == null ? 0 : 0x80 | tableBits(global) - 1);
        out.write(0);
        out.write(0);
        if (global != null) {
            out.writeBytes(global);
        }
        if (transparent >= 0) {
            out.writeBytes(new byte[] {0x21, (byte) 0xf9, 4, 1, 0, 0, (byte) transparent, 0});
        }
        out.write(0x2c);
        le16(out, x0);
        le16(out, y0);
        le16(out, w);
        le16(out, h);
        out.write((local == null ? 0 : 0x80 | tableBits(local) - 1) | (interlaced ? 0x40 : 0));
        if (local != null) {
            out.writeBytes(local);
        }
        int table = local != null ? local.length / 3 : global != null ? global.length / 3 : 256;
        int bound = Math.min(maxIndex, 256);
        int rootBits = Math.max(2, 32 - Integer.numberOfLeadingZeros(Math.max(table, bound) - 1));
        int[] rows = new int[h];
        int k = 0;
        if (interlaced) {
            for (int[] pass : new int[][] {{0, 8}, {4, 8}, {2, 4}, {1, 2}}) {
                for (int y = pass[0]; y < h; y += pass[1]) {
                    rows[k++] = y;
                }
            }
        } else {
            for (int y = 0; y < h; y++) {
                rows[y] = y;
            }
        }
        int[] pixels = new int[w * h];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = rnd.nextInt(bound);
        }
        out.write(rootBits);
        ByteArrayOutputStream codes = new ByteArrayOutputStream();
        int clear = 1 << rootBits;
        int width = rootBits + 1;
        long acc = 0;
        int nbits = 0;
        int sinceClear = 0;
        List<Integer> stream = new ArrayList<>();
        stream.add(clear);
        int written = 0;
        for (int y : rows) {
            for (int x = 0; x < w && written++ < pixelCount; x++) {
                if (written == pixelCount / 2 && badCode >= 0) {
                    stream.add(badCode);
                }
                if (sinceClear == clear - 2) {
                    stream.add(clear);
                    sinceClear = 0;
                }
                stream.add(pixels[y * w + x]);
                sinceClear++;
            }
        }
        stream.add(clear + 1);
        for (int c : stream) {
            acc |= (long) c << nbits;
            nbits += width;
            while (nbits >= 8) {
                codes.write((int) (acc & 0xff));
                acc >>>= 8;
                nbits -= 8;
            }
        }
        if (nbits > 0) {
            codes.write((int) acc);
        }
        byte[] data = codes.toByteArray();
        for (int i = 0; i < data.length; i += 255) {
            int n = Math.min(255, data.length - i);
            out.write(n);
            out.write(data, i, n);
        }
        out.write(0);
        out.write(0x3b);
        return out.toByteArray();
    }

    private static int tableBits(byte[] table) {
        return Integer.numberOfTrailingZeros(table.length / 3);
    }

    private static void le16(ByteArrayOutputStream out, int v) {
        out.write(v & 0xff);
        out.write(v >>> 8);
    }

    static int[] randomColourMap(Random rnd, int n) {
        int[] map = new int[3 * n];
        for (int i = 0; i < map.length; i++) {
            map[i] = rnd.nextInt(65536);
        }
        return map;
    }

    /**
     * An uncompressed little-endian TIFF built by hand: one strip of random samples, the given
     * photometric interpretation, bits per sample, extra samples, fill order and colour map.
     */
    static byte[] tiff(int w, int h, int photometric, int[] bps, int[] extra, int fillOrder, Random rnd,
            int[] colourMap) {
        int bitsPerPixel = 0;
        for (int b : bps) {
            bitsPerPixel += b;
        }
        int stride = (w * bitsPerPixel + 7) / 8;
        byte[] pixels = new byte[stride * h];
        rnd.nextBytes(pixels);
        List<int[]> entries = new ArrayList<>(); // tag, type (3 short, 4 long), values...
        entries.add(new int[] {256, 4, w});
        entries.add(new int[] {257, 4, h});
        int[] bpsEntry = new int[2 + bps.length];
        bpsEntry[0] = 258;
        bpsEntry[1] = 3;
        System.arraycopy(bps, 0, bpsEntry, 2, bps.length);
        entries.add(bpsEntry);
        entries.add(new int[] {259, 3, 1});
        entries.add(new int[] {262, 3, photometric});
        if (fillOrder != 1) {
            entries.add(new int[] {266, 3, fillOrder});
        }
        entries.add(new int[] {273, 4, 0}); // patched below
        entries.add(new int[] {277, 3, bps.length});
        entries.add(new int[] {278, 4, h});
        entries.add(new int[] {279, 4, pixels.length});
        if (colourMap != null) {
            int[] e = new int[2 + colourMap.length];
            e[0] = 320;
            e[1] = 3;
            System.arraycopy(colourMap, 0, e, 2, colourMap.length);
            entries.add(e);
        }
        if (extra.length > 0) {
            int[] e = new int[2 + extra.length];
            e[0] = 338;
            e[1] = 3;
            System.arraycopy(extra, 0, e, 2, extra.length);
            entries.add(e);
        }
        int ifdSize = 2 + 12 * entries.size() + 4;
        int external = 8 + ifdSize;
        int externalSize = 0;
        for (int[] e : entries) {
            int bytes = (e.length - 2) * (e[1] == 3 ? 2 : 4);
            if (bytes > 4) {
                externalSize += bytes + (bytes & 1);
            }
        }
        int pixelOffset = external + externalSize;
        ByteBuffer b = ByteBuffer.allocate(pixelOffset + pixels.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt(8);
        b.putShort((short) entries.size());
        int next = external;
        for (int[] e : entries) {
            if (e[0] == 273) {
                e[2] = pixelOffset;
            }
            int count = e.length - 2;
            int size = e[1] == 3 ? 2 : 4;
            b.putShort((short) e[0]).putShort((short) e[1]).putInt(count);
            int at = b.position();
            if (count * size > 4) {
                b.putInt(next);
                at = next;
                next += count * size + (count * size & 1);
            } else {
                b.putInt(0);
            }
            for (int i = 0; i < count; i++) {
                if (size == 2) {
                    b.putShort(at + 2 * i, (short) e[2 + i]);
                } else {
                    b.putInt(at + 4 * i, e[2 + i]);
                }
            }
        }
        b.putInt(0);
        b.position(pixelOffset);
        b.put(pixels);
        return b.array();
    }

    static void interlacedPng(Path f, BufferedImage image) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
        Files.deleteIfExists(f);
        try (ImageOutputStream out = ImageIO.createImageOutputStream(f.toFile())) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT); // Adam7
            writer.write(null, new IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
    }

    /** Every colour type and bit depth PNG allows: {colour type, depth}. */
    static final int[][] PNG_TYPES = {
        {0, 1}, {0, 2}, {0, 4}, {0, 8}, {0, 16}, {2, 8}, {2, 16}, {3, 1}, {3, 2}, {3, 4}, {3, 8}, {4, 8}, {4, 16},
        {6, 8}, {6, 16},
    };

    /**
     * A hand-made PNG of random samples, filters random a row; pattern 1: the image data in IDAT
     * chunks of 1..7 bytes; pattern 2: stored (deflate level 0), with a tRNS chunk and, for a
     * palette image, a palette shorter than the indices reach.
     */
    static PngFiles handMadePng(int w, int h, int colorType, int depth, boolean adam7, Random r, int pattern) {
        int entries = colorType != 3 ? 0 : pattern == 2 ? 1 + r.nextInt(1 << depth) : 1 << depth;
        PngFiles png = new PngFiles(w, h, colorType, depth, r, entries);
        png.interlaced = adam7;
        if (colorType == 3) {
            png.plte = PngFiles.randomPalette(r, entries);
        }
        if (pattern == 1) {
            png.split = 7;
        } else if (pattern == 2) {
            png.level = 0;
            if (colorType == 0 || colorType == 2) {
                png.trns = new byte[colorType == 0 ? 2 : 6];
                for (int i = 0; i < png.trns.length; i += 2) {
                    int v = r.nextInt(1 << depth);
                    png.trns[i] = (byte) (v >>> 8);
                    png.trns[i + 1] = (byte) v;
                }
            } else if (colorType == 3) {
                png.trns = new byte[1 + r.nextInt(entries)];
                r.nextBytes(png.trns);
            }
        }
        return png;
    }

    /**
     * {@code png} with its IHDR chunk replaced by {@code real} (any length), an IHDR chunk
     * {@code first} before it and one {@code after} it (each unless null).
     */
    static byte[] withIhdrs(PngFiles png, byte[] first, byte[] real, byte[] after) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(PngFiles.SIGNATURE);
        if (first != null) {
            out.writeBytes(PngFiles.chunk("IHDR", first));
        }
        out.writeBytes(PngFiles.chunk("IHDR", real));
        if (after != null) {
            out.writeBytes(PngFiles.chunk("IHDR", after));
        }
        byte[] rest = png.build();
        out.writeBytes(Arrays.copyOfRange(rest, 33, rest.length));
        return out.toByteArray();
    }

    /** Where each row (each Adam7 pass row) of {@code png}'s scanlines ends, filter bytes counted. */
    static int[] rowEnds(PngFiles png) {
        int[][] passes = png.interlaced
                ? new int[][] {{0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4}, {0, 2, 2, 4}, {1, 0, 2, 2}, {0, 1, 1, 2}}
                : new int[][] {{0, 0, 1, 1}};
        List<Integer> ends = new ArrayList<>();
        int end = 0;
        for (int[] q : passes) {
            int pw = png.width <= q[0] ? 0 : (png.width - q[0] + q[2] - 1) / q[2];
            int ph = png.height <= q[1] ? 0 : (png.height - q[1] + q[3] - 1) / q[3];
            for (int y = 0; pw > 0 && y < ph; y++) {
                end += 1 + png.rowBytes(pw);
                ends.add(end);
            }
        }
        return ends.stream().mapToInt(Integer::intValue).toArray();
    }

    /** A palette image of the given depth with {@code plte} as its PLTE chunk, whatever its length. */
    static PngFiles palettePng(int w, int h, int depth, Random r, byte[] plte) {
        PngFiles png = new PngFiles(w, h, 3, depth, r, Math.max(1, plte.length / 3));
        png.plte = plte;
        return png;
    }

    /** {@code png} with one bit of chunk {@code type}'s CRC flipped. */
    static byte[] badCrc(byte[] png, String type) {
        String s = new String(png, StandardCharsets.ISO_8859_1);
        int at = s.indexOf(type);
        int length = ByteBuffer.wrap(png, at - 4, 4).getInt();
        png[at + 4 + length] ^= 1;
        return png;
    }

    /**
     * A PNG built by hand: random samples of the given colour type and depth (filter 0), an
     * optional PLTE, and a tRNS chunk of {@code trnsBytes} random bytes (0: none).
     */
    static byte[] png(int w, int h, int colorType, int depth, Random rnd, byte[] plte, int trnsBytes) {
        int channels = colorType == 2 ? 3 : colorType == 6 ? 4 : colorType == 4 ? 2 : 1;
        int stride = (w * channels * depth + 7) / 8;
        byte[] raw = new byte[(stride + 1) * h];
        for (int y = 0; y < h; y++) {
            byte[] row = new byte[stride];
            rnd.nextBytes(row);
            if (colorType == 3 && plte != null) {
                // indices mostly inside the palette, some past it
                int max = 1 << depth;
                for (int x = 0; x < w; x++) {
                    int v = rnd.nextInt(4) == 0 ? rnd.nextInt(max) : rnd.nextInt(plte.length / 3);
                    int bit = x * depth;
                    row[bit / 8] = (byte) ((row[bit / 8] & ~(((1 << depth) - 1) << (8 - depth - bit % 8)))
                            | v << (8 - depth - bit % 8));
                }
            }
            System.arraycopy(row, 0, raw, y * (stride + 1) + 1, stride);
        }
        byte[] compressed = PngFiles.deflate(raw, Deflater.DEFAULT_COMPRESSION);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        chunk(out, "IHDR", ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) depth).put((byte) colorType)
                .put((byte) 0).put((byte) 0).put((byte) 0).array());
        if (plte != null) {
            chunk(out, "PLTE", plte);
        }
        if (trnsBytes > 0) {
            byte[] t = new byte[trnsBytes];
            rnd.nextBytes(t);
            if (colorType != 3) {
                // a sample value that fits the depth
                for (int i = 0; i < t.length; i += 2) {
                    int v = rnd.nextInt(1 << Math.min(depth, 16));
                    t[i] = (byte) (v >>> 8);
                    t[i + 1] = (byte) v;
                }
            }
            chunk(out, "tRNS", t);
        }
        chunk(out, "IDAT", compressed);
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] typed = new byte[4 + data.length];
        System.arraycopy(type.getBytes(StandardCharsets.US_ASCII), 0, typed, 0, 4);
        System.arraycopy(data, 0, typed, 4, data.length);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(typed);
        out.writeBytes(ByteBuffer.allocate(4).putInt(crc(typed)).array());
    }

    /** A PNG signature and an IHDR chunk (correct CRC) claiming {@code w x h} RGB, then IEND. */
    static byte[] pngHeaderOnly(int w, int h) {
        ByteBuffer b = ByteBuffer.allocate(8 + 25 + 12);
        b.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        byte[] ihdr = ByteBuffer.allocate(17).put("IHDR".getBytes(StandardCharsets.US_ASCII))
                .putInt(w).putInt(h).put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0).array();
        b.putInt(13).put(ihdr).putInt(crc(ihdr));
        byte[] iend = "IEND".getBytes(StandardCharsets.US_ASCII);
        b.putInt(0).put(iend).putInt(crc(iend));
        return b.array();
    }

    static int crc(byte[] data) {
        CRC32 crc = new CRC32();
        crc.update(data);
        return (int) crc.getValue();
    }
}
