package dev.jfutures.cli.image;

import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/**
 * Reads an image file as the book's program sees it: Pillow 9.4's {@code Image.open(f).convert("1")}.
 *
 * <p>Pillow first opens a file in a <em>mode</em> that depends on the format and on details of the
 * file (a BMP whose palette is exactly black and white opens as "1", one whose palette is the grey
 * ramp opens as "L", any other palette as "P"; a 2-bit grey PNG opens as "L" with its samples
 * scaled by 85; a 16-bit grey PNG opens as "I"; ...), and {@code convert("1")} then does one of three
 * things, which this class reproduces bit for bit:
 * <ul>
 *   <li>mode "1": the pixels are taken as they are;
 *   <li>mode "P" (palette): each pixel is white if its palette entry's luma
 *       {@code 299 R + 587 G + 114 B} is at least 128000 &mdash; a threshold, <em>no</em> dithering;
 *   <li>every other mode: the pixels are reduced to 8-bit grey (mode "L"), by a route that depends
 *       on the mode ("RGB"/"RGBA": {@code (299 R + 587 G + 114 B) / 1000}, alpha ignored; "LA":
 *       the grey band; "I" and "I;16": the value clipped to 0..255; "CMYK": through Pillow's
 *       {@code cmyk2rgb}), and then Floyd-Steinberg dithered with Pillow's integer arithmetic
 *       ({@code tobilevel} in {@code libImaging/Convert.c}: errors in sixteenths, truncating
 *       division, a pixel white if its corrected value is above 128).
 * </ul>
 * The pixels are read as raw samples from the decoded file or raster (and raw palette entries),
 * never through {@link java.awt.image.BufferedImage#getRGB}, which would colour-convert grey images.
 *
 * <p>Where Pillow's own decoder behaves differently from javax.imageio's, the file is decoded
 * here as Pillow decodes it: uncompressed and RLE BMPs (Pillow's RLE4 decoder drops the last pixel
 * of odd-length absolute runs; a palette of exactly black and white makes it read 4- and 8-bit
 * rows as 1-bit ones) and GIFs (javax.imageio loses rows of interlaced GIFs a few rows high; Pillow
 * fills the canvas outside the first frame with the transparent index, and thresholds through the
 * global table when a local one is the identity grey ramp). PNGs are decoded here too, by
 * {@link Png}, row by row, which also keeps javax.imageio's PNG reader out of the JIT's way
 * (see that class). TIFF and JPEG pixels come from javax.imageio, and the TIFF tags decide what
 * Pillow would do with them. A file Pillow refuses to read (too few pixels in an RLE BMP or a GIF,
 * an LZW code out of range, a PNG chunk with a bad CRC, ...) is refused here too, with an
 * IOException. Broken PNGs Pillow reads anyway (no PLTE, several PLTE or IHDR chunks, a long
 * IHDR, an unknown compression method, a zlib stream that ends early) are read as Pillow reads
 * them; the few left that are refused though Pillow reads them are listed in {@link Png}.
 *
 * <p><b>Where the result is identical to Pillow's, and where it may not be.</b>
 * <ul>
 *   <li>BMP, PNG, GIF and TIFF, in every layout Pillow 9.4 reads: bit for bit (the tests compare
 *       thousands of generated files with Pillow's output).
 *   <li>JPEG (grey, YCbCr at any subsampling, progressive, and CMYK): Java's JPEG decoder (IJG
 *       libjpeg 6b) and the libjpeg-turbo Pillow links may in principle round a sample differently
 *       by one, which dithering can spread into differing pixels, so identity is not promised.
 *       Measured against Debian's Pillow 9.4 with libjpeg-turbo 2.1.5, no pixel differed.
 *   <li>WBMP, which Pillow cannot open at all: read as its bits say (1 white).
 *   <li>Layouts Pillow 9.4 refuses but javax.imageio reads (BMPs with unusual bit-field masks or
 *       JPEG/PNG compression, TIFFs outside Pillow's mode table, images over Pillow's
 *       decompression-bomb limit of 178,956,970 pixels): converted as Pillow would convert pixels
 *       of that kind, with nothing to be identical to. A YCbCr TIFF is converted by javax.imageio,
 *       which may round differently from libtiff.
 *   <li>A JPEG in a colour space javax.imageio cannot decode (YCCK, ...) is refused.
 * </ul>
 *
 * <p>A 1-bit BMP, the common case for the RLE compressor, is read without javax.imageio: its rows
 * are copied straight into the {@link BitImage} (inverted if palette entry 0 is the white one).
 *
 * <p>This class finds the format by the file's first bytes and hands the file to its reader, one
 * format a class: {@link Bmp}, {@link Png}, {@link Gif}, {@link Tiff}, and {@link ImageIoFormats}
 * for JPEG and whatever else javax.imageio reads. They share Pillow's conversions to mode "1":
 * {@link Palette} for modes "1" and "P", {@link Dither} for every other mode, and {@link Samples}
 * to read a decoded raster's samples.
 *
 * @since 0.1
 */
public final class Bilevel {
    private Bilevel() {
    }

    /**
     * Reads {@code file} and converts it to black and white exactly as Pillow's {@code convert("1")} does.
     *
     * @param file an image file javax.imageio reads
     * @return the image
     * @throws NoSuchFileException if {@code file} does not exist
     * @throws IOException if the file cannot be read, is a directory, is not an image javax.imageio
     *     reads, is corrupt or truncated, or is wider or taller than 65535 pixels (the message names
     *     the file and the problem)
     * @since 0.1
     */
    public static BitImage read(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        if (Files.isDirectory(file)) {
            throw new IOException(file + ": is a directory, not an image file");
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return decode(new ImageFile(file, channel));
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "no such file");
        } catch (AccessDeniedException e) {
            throw new AccessDeniedException(file.toString(), null, "permission denied");
        } catch (ImageException e) {
            throw new IOException(file + ": " + e.getMessage(), e.getCause());
        } catch (IOException e) {
            // ImageIO's messages ("Error reading TIFF image data") do not name the file.
            throw new IOException(file + ": corrupt or truncated image (" + describe(e) + ")", e);
        } catch (RuntimeException e) {
            // The decoders throw unchecked exceptions (IndexOutOfBounds, NegativeArraySize, ...) on
            // some corrupt inputs; a caller of an I/O method expects an IOException.
            throw new IOException(file + ": corrupt image (" + describe(e) + ")", e);
        } catch (OutOfMemoryError e) {
            // The dimensions were checked, but 65535 x 65535 RGB is still 12 GiB of raster.
            throw new IOException(file + ": too large to decode in this JVM's heap (raise -Xmx)", e);
        }
    }

    /** The format by the file's first bytes, and its reader; javax.imageio sniffs what none of them is. */
    private static BitImage decode(ImageFile f) throws IOException {
        if (f.size == 0) {
            throw new ImageException("empty file, not an image");
        }
        byte[] head = f.bytes(0, (int) Math.min(f.size, 32));
        if (startsWith(head, 'B', 'M')) {
            return Bmp.read(f);
        }
        if (startsWith(head, 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n')) {
            return Png.read(f);
        }
        if (startsWith(head, 'G', 'I', 'F', '8', '7', 'a') || startsWith(head, 'G', 'I', 'F', '8', '9', 'a')) {
            return Gif.read(f);
        }
        if (startsWith(head, 'I', 'I', 42, 0) || startsWith(head, 'M', 'M', 0, 42)) {
            return Tiff.read(f);
        }
        if (startsWith(head, 0xff, 0xd8, 0xff)) {
            return ImageIoFormats.read(f, "jpeg");
        }
        return ImageIoFormats.read(f, null);
    }

    private static String describe(Throwable e) {
        StringBuilder s = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (s.length() > 0) {
                s.append(": ");
            }
            s.append(t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName());
            if (t instanceof EOFException && t.getMessage() == null) {
                s.setLength(s.length() - t.getClass().getSimpleName().length());
                s.append("unexpected end of file (truncated?)");
            }
        }
        return s.toString();
    }

    private static boolean startsWith(byte[] head, int... magic) {
        if (head.length < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((head[i] & 0xff) != magic[i]) {
                return false;
            }
        }
        return true;
    }
}
