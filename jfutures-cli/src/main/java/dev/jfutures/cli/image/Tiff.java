package dev.jfutures.cli.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.MultiPixelPackedSampleModel;
import java.awt.image.Raster;
import java.io.IOException;
import javax.imageio.ImageReader;
import javax.imageio.plugins.tiff.TIFFDirectory;
import javax.imageio.plugins.tiff.TIFFField;
import javax.imageio.stream.FileImageInputStream;
import javax.imageio.stream.ImageInputStream;

/**
 * TIFF, as Pillow 9.4's {@code TiffImagePlugin} reads it: the tags (Pillow's {@code OPEN_INFO} key)
 * decide the mode, and javax.imageio decodes the samples.
 */
final class Tiff {
    private static final int BITS_PER_SAMPLE = 258;
    private static final int COMPRESSION = 259;
    private static final int PHOTOMETRIC = 262;
    private static final int COLOR_MAP = 320;
    private static final int EXTRA_SAMPLES = 338;

    private Tiff() {
    }

    /**
     * Reads a TIFF (the file starts with "II*\0" or "MM\0*").
     *
     * @param r the file
     * @return the image
     * @throws ImageException if javax.imageio has no TIFF reader, or the image is too large
     * @throws IOException if the file cannot be read or decoded
     */
    static BitImage read(ImageFile r) throws IOException {
        try (ImageInputStream in = new FileImageInputStream(r.file.toFile())) {
            ImageReader reader = ImageIoFormats.reader(in, "tiff", false);
            try {
                ImageFile.checkDimensions(reader.getWidth(0), reader.getHeight(0));
                TIFFDirectory dir = TIFFDirectory.createFromMetadata(reader.getImageMetadata(0));
                BufferedImage image = ImageIoFormats.readImage(reader);
                return convert(dir, image);
            } finally {
                reader.dispose();
            }
        }
    }

    private static BitImage convert(TIFFDirectory dir, BufferedImage image) throws IOException {
        Raster raster = image.getRaster();
        int compression = intTag(dir, COMPRESSION, 1);
        // Pillow: old-style JPEG compression means YCbCr whatever the tag says.
        int photo = compression == 6 ? 6 : intTag(dir, PHOTOMETRIC, 0);
        int bits = intTag(dir, BITS_PER_SAMPLE, 1);
        int[] extra = ints(dir, EXTRA_SAMPLES);
        int bands = raster.getNumBands();
        switch (photo) {
            case 0: // WhiteIsZero
            case 1: // BlackIsZero
                if (bits <= 8 && image.getColorModel() instanceof IndexColorModel) {
                    // javax.imageio's colour model says what each raw sample means (for CCITT
                    // data it has already turned WhiteIsZero around, for raw data it maps the
                    // samples backwards), and its grey levels are Pillow's: i * 255 / (2^bits - 1)
                    // is exact for 1, 2, 4 and 8 bits, as are Pillow's x 0x55 and x 0x11.
                    IndexColorModel icm = (IndexColorModel) image.getColorModel();
                    int[] lut = new int[icm.getMapSize()];
                    for (int i = 0; i < lut.length; i++) {
                        lut[i] = icm.getRed(i);
                    }
                    if (bits == 1) {
                        // Mode "1" (rawmode "1;I" for WhiteIsZero): a bit is white when it says so.
                        if (raster.getSampleModel() instanceof MultiPixelPackedSampleModel) {
                            return Palette.packedBits(raster, lut[0] >= 128, lut[1] >= 128);
                        }
                        return Palette.threshold(raster, new boolean[] {lut[0] >= 128, lut[1] >= 128});
                    }
                    // Mode "L" (L;2, L;4, L, and the inverting L;2I, L;4I, L;I).
                    return Dither.grey(raster, 0, lut);
                }
                if (bits <= 8) {
                    // Grey samples ("L", or "LA" whose grey band is taken as is), which
                    // javax.imageio has already inverted if WhiteIsZero, as Pillow's L;I does.
                    return Dither.grey(raster, 0, bits == 8 ? null : Samples.scaleLut(bits));
                }
                if (photo == 0 && bits == 16 && raster.getDataBuffer().getDataType() == DataBuffer.TYPE_USHORT) {
                    // javax.imageio inverts 16-bit WhiteIsZero too, but Pillow does not (its
                    // rawmode is plain "I;16"): undo it, then clip as below.
                    int[] lut = new int[65536];
                    for (int i = 0; i < lut.length; i++) {
                        lut[i] = Math.min(65535 - i, 255);
                    }
                    return Dither.grey(raster, 0, lut);
                }
                // 12-, 16- and 32-bit grey: modes "I;16", "I;16B", "I" or "F", which reach "L"
                // clipped to 0..255 (not inverted, even for WhiteIsZero: Pillow's table has
                // no inverting 16-bit rawmode).
                return Dither.clipped(raster);
            case 2: // RGB
            case 6: // YCbCr: javax.imageio has converted it to RGB (Pillow's libjpeg does too)
                if (bands < 3) {
                    return ImageIoFormats.convert(image);
                }
                int[] lut = bits == 16 ? Samples.highByteLut() : null;
                if (extra.length > 0 && extra[0] == 1 && bands >= 4) {
                    // Associated alpha: Pillow's RGBa unpacker divides it out before dropping it.
                    return Dither.premultiplied(raster, lut);
                }
                return Dither.rgb(raster, lut);
            case 3: // palette: Pillow keeps each 16-bit colour map entry's high byte
                int[] map = ints(dir, COLOR_MAP);
                int n = map.length / 3;
                int[] rgb = new int[3 * n];
                for (int i = 0; i < n; i++) {
                    rgb[3 * i] = (map[i] & 0xffff) >>> 8;
                    rgb[3 * i + 1] = (map[n + i] & 0xffff) >>> 8;
                    rgb[3 * i + 2] = (map[2 * n + i] & 0xffff) >>> 8;
                }
                return Palette.threshold(raster, Palette.white(rgb, n, 1 << Math.min(bits, 16)));
            case 5: // CMYK
                if (bands < 4) {
                    return ImageIoFormats.convert(image);
                }
                return Dither.cmyk(raster, bits == 16 ? Samples.highByteLut() : null);
            default:
                return ImageIoFormats.convert(image);
        }
    }

    private static int intTag(TIFFDirectory dir, int tag, int absent) {
        TIFFField f = dir.getTIFFField(tag);
        return f == null || f.getCount() == 0 ? absent : f.getAsInt(0);
    }

    private static int[] ints(TIFFDirectory dir, int tag) {
        TIFFField f = dir.getTIFFField(tag);
        if (f == null) {
            return new int[0];
        }
        int[] v = new int[f.getCount()];
        for (int i = 0; i < v.length; i++) {
            v[i] = f.getAsInt(i);
        }
        return v;
    }
}
