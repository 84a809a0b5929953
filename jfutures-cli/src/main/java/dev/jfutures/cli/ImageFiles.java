package dev.jfutures.cli;

import dev.jfutures.cli.image.BitImage;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.RenderedImage;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Locale;
import java.util.Set;
import javax.imageio.ImageIO;

/** Image files through javax.imageio: file names, and 1-bit images in and out of {@link BitImage}. */
final class ImageFiles {

    static {
        // Before the first AWT class loads: no display is needed or wanted (a desktop would
        // otherwise show a Dock icon for a command-line tool).
        System.setProperty("java.awt.headless", "true");
    }

    /** The extensions compress takes in a directory: the formats javax.imageio reads. */
    static final Set<String> READABLE = Set.of("bmp", "png", "gif", "jpg", "jpeg", "tif", "tiff", "wbmp");

    /** Black at index 0, white at index 1, as the bits of a {@link BitImage}. */
    private static final IndexColorModel BLACK_WHITE =
            new IndexColorModel(1, 2, new byte[] {0, (byte) 255}, new byte[] {0, (byte) 255}, new byte[] {0, (byte) 255});

    private ImageFiles() {
    }

    /**
     * A file name's extension, lower case, without the dot.
     *
     * @param name a file name
     * @return the extension, or "" if there is none (a leading dot does not start one)
     */
    static String extension(String name) {
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(dot + 1).toLowerCase(Locale.ROOT) : "";
    }

    /**
     * A file name with its extension replaced.
     *
     * @param name a file name
     * @param extension the new extension, without the dot
     * @return {@code name} without its extension (if any), then {@code .extension}
     */
    static String withExtension(String name, String extension) {
        int dot = name.lastIndexOf('.');
        return (dot > 0 ? name.substring(0, dot) : name) + "." + extension;
    }

    /**
     * A 1-bit {@code TYPE_BYTE_BINARY} image over the same bytes (no copy): the packing of a
     * {@link BitImage} is the packing of a 1-bit raster, and index 1 of its palette is white.
     *
     * @param image the image
     * @return the view
     */
    static BufferedImage toBufferedImage(BitImage image) {
        byte[] bits = image.bits();
        WritableRaster raster = Raster.createPackedRaster(new DataBufferByte(bits, bits.length),
                image.width(), image.height(), 1, null);
        return new BufferedImage(BLACK_WHITE, raster, false, null);
    }

    /**
     * Writes an image in a format javax.imageio writes.
     *
     * @param image the image
     * @param format "bmp", "png" or "gif"
     * @param out where to
     * @throws IOException if it cannot be written, or javax.imageio has no writer for the format
     *     and this kind of image
     */
    static void write(RenderedImage image, String format, OutputStream out) throws IOException {
        // Not in a static initializer: ImageIO's first use scans for plugins, which a compress
        // of a 1-bit BMP (read without ImageIO) should not pay for at JVM start. ImageIO's
        // default cache is a temporary file per stream; images are written from memory.
        ImageIO.setUseCache(false);
        if (!ImageIO.write(image, format, out)) {
            throw new IOException("javax.imageio has no " + format + " writer for this kind of image");
        }
    }
}
