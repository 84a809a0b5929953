package dev.jfutures.cli.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.util.Iterator;
import java.util.Locale;
import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.FileImageInputStream;
import javax.imageio.stream.ImageInputStream;

/**
 * What javax.imageio decodes: JPEG, WBMP, the layouts Pillow refuses, and the samples of true-colour
 * BMPs and of TIFFs; converted by the decoded image's layout, as Pillow converts pixels of that kind.
 */
final class ImageIoFormats {
    /** The formats named in error messages: those javax.imageio reads out of the box. */
    private static final String FORMATS = "BMP, PNG, GIF, JPEG, TIFF, WBMP";

    private ImageIoFormats() {
    }

    /**
     * Opens javax.imageio's reader for a file.
     *
     * @param in the file
     * @param formatName the format to insist on, or null to sniff it
     * @param ignoreMetadata passed to {@link ImageReader#setInput(Object, boolean, boolean)}
     * @return the reader, its input set
     * @throws ImageException if javax.imageio has no reader for it
     */
    static ImageReader reader(ImageInputStream in, String formatName, boolean ignoreMetadata)
            throws ImageException {
        Iterator<ImageReader> readers = formatName != null
                ? ImageIO.getImageReadersByFormatName(formatName) : ImageIO.getImageReaders(in);
        if (!readers.hasNext()) {
            throw new ImageException("not an image javax.imageio reads (" + FORMATS
                    + "); convert it to PNG or BMP first");
        }
        ImageReader reader = readers.next();
        reader.setInput(in, true, ignoreMetadata);
        return reader;
    }

    /** Decodes image 0 with javax.imageio ({@code format} null: sniffed), after checking its size. */
    static BufferedImage decode(ImageFile r, String format) throws IOException {
        try (ImageInputStream in = new FileImageInputStream(r.file.toFile())) {
            ImageReader reader = reader(in, format, true);
            try {
                ImageFile.checkDimensions(reader.getWidth(0), reader.getHeight(0));
                return readImage(reader);
            } finally {
                reader.dispose();
            }
        }
    }

    /** {@code reader.read(0)}, with a useful message for the CMYK JPEGs javax.imageio refuses. */
    static BufferedImage readImage(ImageReader reader) throws IOException {
        try {
            return reader.read(0);
        } catch (IIOException e) {
            String name = reader.getFormatName().toLowerCase(Locale.ROOT);
            if (name.startsWith("jp") && String.valueOf(e.getMessage()).contains("Unsupported Image Type")) {
                throw new ImageException("a JPEG in a colour space javax.imageio cannot decode (YCCK, or "
                        + "CMYK it does not recognise); convert it to an RGB JPEG or a PNG first", e);
            }
            throw e;
        }
    }

    /** Decodes image 0 with javax.imageio ({@code format} null: sniffed) and converts it. */
    static BitImage read(ImageFile r, String format) throws IOException {
        return convert(decode(r, format));
    }

    /**
     * By the decoded image's layout, what Pillow does with the equivalent mode: a palette is
     * thresholded ("P"), grey is dithered ("L"; deeper samples clipped as "I"), colour is
     * dithered by its luma ("RGB", alpha ignored).
     */
    static BitImage convert(BufferedImage image) throws IOException {
        Raster raster = image.getRaster();
        if (image.getColorModel() instanceof IndexColorModel) {
            IndexColorModel icm = (IndexColorModel) image.getColorModel();
            int n = Math.min(icm.getMapSize(), 256);
            int[] rgb = new int[3 * n];
            for (int i = 0; i < n; i++) {
                rgb[3 * i] = icm.getRed(i);
                rgb[3 * i + 1] = icm.getGreen(i);
                rgb[3 * i + 2] = icm.getBlue(i);
            }
            return Palette.threshold(raster, Palette.white(rgb, n, 1 << raster.getSampleModel().getSampleSize(0)));
        }
        int bands = raster.getNumBands();
        int bits = raster.getSampleModel().getSampleSize(0);
        if (bands == 4 && bits == 8 && image.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_CMYK) {
            // A CMYK JPEG: javax.imageio hands over the samples Adobe-inverted back, as
            // Pillow's "CMYK;I" rawmode does; then cmyk2rgb.
            return Dither.cmyk(raster, null);
        }
        if (bands >= 3) {
            return Dither.rgb(raster, bits == 8 ? null : bits == 16 ? Samples.highByteLut() : Samples.scaleLut(bits));
        }
        return bits <= 8 ? Dither.grey(raster, 0, bits == 8 ? null : Samples.scaleLut(bits)) : Dither.clipped(raster);
    }
}
