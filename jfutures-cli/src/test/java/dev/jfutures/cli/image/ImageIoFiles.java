package dev.jfutures.cli.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/**
 * Images for the tests drawn in memory, in every layout a {@link BufferedImage} has, and written
 * through javax.imageio's writers.
 */
final class ImageIoFiles {
    private ImageIoFiles() {
    }

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
}
