package dev.jfutures.cli;

import dev.jfutures.cli.image.BitImage;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferInt;
import java.awt.image.RenderedImage;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * The images {@code jfutures samples} draws: a background, a Mandelbrot set, filled and outlined
 * shapes, stripes, a patch of noise and a line of text, placed by a seeded {@link Random}. So
 * every image has long runs (backgrounds, large shapes) and short ones (noise, stripes, the
 * fractal's edge, dithered gradients once converted), which is what an RLE benchmark wants.
 *
 * <p>Everything is drawn here, span by span, into the image's own pixel array: no Java2D and no
 * fonts (the text uses a built-in 5x7 font), so an image depends only on its parameters, and
 * not on the JDK's rasterizer or the fonts installed; and a 7200x5600 1-bit image, drawn straight
 * into packed bits, takes a fraction of a second.
 */
final class SampleImages {

    /** What {@code --kind} offers; {@code mixed} cycles through the other three. */
    enum Kind { bilevel, gray, color, mixed }

    private SampleImages() {
    }

    /**
     * The kind of the {@code index}-th image.
     *
     * @param kind the kind asked for
     * @param index the image's number, from 1
     * @return {@code kind}, or for {@code mixed} bilevel, gray, color in turn
     */
    static Kind kindOf(Kind kind, int index) {
        return kind != Kind.mixed ? kind : Kind.values()[(index - 1) % 3];
    }

    /**
     * Draws one image.
     *
     * @param index the image's number, from 1 (it is written on the image)
     * @param width the width in pixels
     * @param height the height in pixels
     * @param kind bilevel (1-bit), gray (8-bit grey) or color (24-bit RGB); not mixed
     * @param seed the run's seed: the same seed and index draw the same image
     * @return the image, ready for javax.imageio
     */
    static RenderedImage draw(int index, int width, int height, Kind kind, long seed) {
        Random random = new Random(seed * 1_000_003L + index);
        Canvas canvas;
        switch (kind) {
            case bilevel:
                canvas = new BitCanvas(BitImage.black(width, height));
                break;
            case gray:
                canvas = new GreyCanvas(new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY));
                break;
            case color:
                canvas = new RgbCanvas(new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB));
                break;
            default:
                throw new IllegalArgumentException("draw one kind, not " + kind);
        }
        Scene scene = new Scene(canvas, width, height, random, kind);
        scene.background();
        scene.mandelbrot();
        int shapes = 8 + random.nextInt(8);
        for (int i = 0; i < shapes; i++) {
            scene.shape();
        }
        scene.stripes();
        scene.noise();
        scene.text(String.format(Locale.ROOT, "JFUTURES SAMPLE %03d", index),
                String.format(Locale.ROOT, "%dX%d %s SEED %d", width, height, kind.name().toUpperCase(Locale.ROOT), seed));
        return canvas.image();
    }

    // ------------------------------------------------------------------ what is drawn

    /** Draws on a canvas; sizes follow the image's, so a large image looks like a small one. */
    private static final class Scene {
        private final Canvas canvas;
        private final int width;
        private final int height;
        private final Random random;
        private final boolean bilevel;

        Scene(Canvas canvas, int width, int height, Random random, Kind kind) {
            this.canvas = canvas;
            this.width = width;
            this.height = height;
            this.random = random;
            this.bilevel = kind == Kind.bilevel;
        }

        private int colour() {
            if (bilevel) {
                return random.nextBoolean() ? 0xffffff : 0;
            }
            return random.nextInt(0x1000000);
        }

        /** 1-bit: white. Otherwise a gradient between two colours, left to right or top to bottom. */
        void background() {
            if (bilevel) {
                rect(0, 0, width, height, 0xffffff);
                return;
            }
            int a = colour();
            int b = colour();
            boolean across = random.nextBoolean();
            for (int y = 0; y < height; y++) {
                if (across) {
                    for (int x = 0; x < width; x++) {
                        canvas.pixel(x, y, mix(a, b, x, width));
                    }
                } else {
                    canvas.span(y, 0, width, mix(a, b, y, height));
                }
            }
        }

        /** The Mandelbrot set in a box of about a third of the image: its edge is all short runs. */
        void mandelbrot() {
            int w = Math.max(1, width / 3 + random.nextInt(Math.max(1, width / 6)));
            int h = Math.max(1, height / 3 + random.nextInt(Math.max(1, height / 6)));
            int left = random.nextInt(Math.max(1, width - w + 1));
            int top = random.nextInt(Math.max(1, height - h + 1));
            int inside = bilevel ? 0 : colour();
            int maxIterations = 40;
            for (int y = 0; y < h; y++) {
                double ci = -1.2 + 2.4 * y / h;
                for (int x = 0; x < w; x++) {
                    double cr = -2.2 + 3.2 * x / w;
                    double zr = 0;
                    double zi = 0;
                    int n = 0;
                    while (n < maxIterations && zr * zr + zi * zi <= 4) {
                        double t = zr * zr - zi * zi + cr;
                        zi = 2 * zr * zi + ci;
                        zr = t;
                        n++;
                    }
                    int c;
                    if (n == maxIterations) {
                        c = inside;
                    } else if (bilevel) {
                        c = (n & 2) != 0 ? 0 : 0xffffff;   // bands of two iterations: rings
                    } else {
                        int v = 255 - n * 255 / maxIterations;
                        c = (v << 16) | ((v * 3 / 4) << 8) | (255 - v / 2);
                    }
                    canvas.pixel(left + x, top + y, c);
                }
            }
        }

        /** A filled rectangle, a disc, a ring or a thick diagonal line, somewhere. */
        void shape() {
            int size = Math.max(1, Math.min(width, height) / 4);
            int cx = random.nextInt(width);
            int cy = random.nextInt(height);
            int c = colour();
            switch (random.nextInt(4)) {
                case 0:
                    rect(cx - random.nextInt(size), cy - random.nextInt(size), 1 + random.nextInt(size * 2),
                            1 + random.nextInt(size), c);
                    break;
                case 1:
                    disc(cx, cy, 1 + random.nextInt(size), 0, c);
                    break;
                case 2: {
                    int r = 2 + random.nextInt(size);
                    disc(cx, cy, r, Math.max(1, r - 1 - random.nextInt(Math.max(1, r / 3))), c);
                    break;
                }
                default:
                    line(cx, cy, cx + random.nextInt(size * 2) - size, cy + random.nextInt(size * 2) - size,
                            1 + random.nextInt(Math.max(1, size / 10)), c);
                    break;
            }
        }

        /** Vertical bars 1 to 4 pixels wide: runs shorter than a byte. */
        void stripes() {
            int w = Math.max(1, width / 5);
            int h = Math.max(1, height / 8);
            int left = random.nextInt(Math.max(1, width - w + 1));
            int top = random.nextInt(Math.max(1, height - h + 1));
            int bar = 1 + random.nextInt(4);
            int c = bilevel ? 0 : colour();
            for (int x = 0; x < w; x += 2 * bar) {
                rect(left + x, top, bar, h, c);
            }
        }

        /** A patch of random pixels: the shortest runs there are. */
        void noise() {
            int w = Math.max(1, width / 6);
            int h = Math.max(1, height / 6);
            int left = random.nextInt(Math.max(1, width - w + 1));
            int top = random.nextInt(Math.max(1, height - h + 1));
            long state = random.nextLong() | 1;
            for (int y = top; y < top + h && y < height; y++) {
                for (int x = left; x < left + w && x < width; x++) {
                    state ^= state << 13;   // xorshift64: a Random call per pixel would dominate
                    state ^= state >>> 7;
                    state ^= state << 17;
                    canvas.pixel(x, y, bilevel ? ((state & 1) != 0 ? 0xffffff : 0) : (int) (state >>> 40));
                }
            }
        }

        /** Two lines of text in a box, near the top left. */
        void text(String first, String second) {
            int scale = Math.max(1, Math.min(width / (6 * first.length() + 4), height / 40));
            int boxW = Math.min(width, (6 * Math.max(first.length(), second.length()) + 3) * scale);
            int boxH = Math.min(height, 20 * scale);
            int ink = bilevel ? 0 : colour();
            int paper = bilevel ? 0xffffff : ink ^ 0xffffff;
            rect(0, 0, boxW, boxH, paper);
            Font.draw(canvas, first, 2 * scale, 2 * scale, scale, ink);
            Font.draw(canvas, second, 2 * scale, 11 * scale, scale, ink);
        }

        private void rect(int x, int y, int w, int h, int c) {
            int x0 = Math.max(0, x);
            int x1 = Math.min(width, x + w);
            for (int row = Math.max(0, y); row < Math.min(height, y + h); row++) {
                if (x0 < x1) {
                    canvas.span(row, x0, x1, c);
                }
            }
        }

        /** A disc of radius r, or with {@code hole} > 0 a ring from hole to r. */
        private void disc(int cx, int cy, int r, int hole, int c) {
            for (int dy = -r; dy <= r; dy++) {
                int y = cy + dy;
                if (y < 0 || y >= height) {
                    continue;
                }
                int outer = (int) Math.sqrt((double) r * r - (double) dy * dy);
                int inner = Math.abs(dy) < hole ? (int) Math.ceil(Math.sqrt((double) hole * hole - (double) dy * dy)) : -1;
                if (inner < 0) {
                    clippedSpan(y, cx - outer, cx + outer + 1, c);
                } else {
                    clippedSpan(y, cx - outer, cx - inner + 1, c);
                    clippedSpan(y, cx + inner, cx + outer + 1, c);
                }
            }
        }

        /** A line of the given thickness: per row, the span of pixels the thick segment covers. */
        private void line(int x0, int y0, int x1, int y1, int thickness, int c) {
            if (y0 == y1) {
                rect(Math.min(x0, x1), y0 - thickness / 2, Math.abs(x1 - x0) + 1, thickness, c);
                return;
            }
            double dx = x1 - x0;
            double dy = y1 - y0;
            // Half the horizontal extent of a band of this thickness, capped for near-flat lines.
            double half = Math.min(thickness / 2.0 * Math.hypot(dx, dy) / Math.abs(dy), Math.abs(dx) / 2 + thickness);
            for (int y = Math.max(0, Math.min(y0, y1)); y <= Math.min(height - 1, Math.max(y0, y1)); y++) {
                double x = x0 + (y - y0) / dy * dx;
                clippedSpan(y, (int) Math.floor(x - half), (int) Math.ceil(x + half) + 1, c);
            }
        }

        private void clippedSpan(int y, int x0, int x1, int c) {
            int from = Math.max(0, x0);
            int to = Math.min(width, x1);
            if (from < to) {
                canvas.span(y, from, to, c);
            }
        }

        /** Between colours a and b, at i of n. */
        private static int mix(int a, int b, int i, int n) {
            int r = ((a >> 16 & 255) * (n - i) + (b >> 16 & 255) * i) / n;
            int g = ((a >> 8 & 255) * (n - i) + (b >> 8 & 255) * i) / n;
            int bl = ((a & 255) * (n - i) + (b & 255) * i) / n;
            return r << 16 | g << 8 | bl;
        }
    }

    // ------------------------------------------------------------------ canvases

    /** Pixels to draw into, in 0xRRGGBB colours; a canvas keeps what its image type can hold. */
    private interface Canvas {
        /** Sets pixels [x0, x1) of row y; all within the image. */
        void span(int y, int x0, int x1, int rgb);

        /** Sets one pixel; outside the image it is ignored. */
        default void pixel(int x, int y, int rgb) {
            if (x >= 0 && y >= 0 && x < width() && y < height()) {
                span(y, x, x + 1, rgb);
            }
        }

        int width();

        int height();

        RenderedImage image();
    }

    /** ITU-R 601-2 luma, as Pillow's convert("L"). */
    private static int luma(int rgb) {
        return ((rgb >> 16 & 255) * 299 + (rgb >> 8 & 255) * 587 + (rgb & 255) * 114) / 1000;
    }

    /** Packed 1-bit pixels: a colour is white when its luma is at least 128. */
    private static final class BitCanvas implements Canvas {
        private final BitImage image;
        private final byte[] bits;
        private final int stride;

        BitCanvas(BitImage image) {
            this.image = image;
            this.bits = image.bits();
            this.stride = image.stride();
        }

        @Override
        public void span(int y, int x0, int x1, int rgb) {
            boolean white = luma(rgb) >= 128;
            int row = y * stride;
            int x = x0;
            // Bit by bit up to a byte boundary, then whole bytes, then bit by bit.
            for (; x < x1 && (x & 7) != 0; x++) {
                set(row, x, white);
            }
            for (; x + 8 <= x1; x += 8) {
                bits[row + (x >>> 3)] = white ? (byte) 0xff : 0;
            }
            for (; x < x1; x++) {
                set(row, x, white);
            }
        }

        private void set(int row, int x, boolean white) {
            int i = row + (x >>> 3);
            int mask = 0x80 >>> (x & 7);
            bits[i] = (byte) (white ? bits[i] | mask : bits[i] & ~mask);
        }

        @Override
        public int width() {
            return image.width();
        }

        @Override
        public int height() {
            return image.height();
        }

        @Override
        public RenderedImage image() {
            return ImageFiles.toBufferedImage(image);
        }
    }


    /** A canvas on a BufferedImage with one array element per pixel, row after row. */
    private abstract static class ImageCanvas implements Canvas {
        final BufferedImage image;
        final int width;

        ImageCanvas(BufferedImage image) {
            this.image = image;
            this.width = image.getWidth();
        }

        @Override
        public int width() {
            return width;
        }

        @Override
        public int height() {
            return image.getHeight();
        }

        @Override
        public RenderedImage image() {
            return image;
        }
    }

    /** 8-bit grey. */
    private static final class GreyCanvas extends ImageCanvas {
        private final byte[] pixels;

        GreyCanvas(BufferedImage image) {
            super(image);
            this.pixels = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
        }

        @Override
        public void span(int y, int x0, int x1, int rgb) {
            Arrays.fill(pixels, y * width + x0, y * width + x1, (byte) luma(rgb));
        }
    }

    /** 24-bit colour. */
    private static final class RgbCanvas extends ImageCanvas {
        private final int[] pixels;

        RgbCanvas(BufferedImage image) {
            super(image);
            this.pixels = ((DataBufferInt) image.getRaster().getDataBuffer()).getData();
        }

        @Override
        public void span(int y, int x0, int x1, int rgb) {
            Arrays.fill(pixels, y * width + x0, y * width + x1, rgb & 0xffffff);
        }
    }

    // ------------------------------------------------------------------ the font

    /** A 5x7 bitmap font: upper-case letters, digits, space and '-' (anything else is drawn as a space). */
    private static final class Font {
        private static final Map<Character, String> GLYPHS = Map.ofEntries(
                Map.entry('A', "01110100011000111111100011000110001"),
                Map.entry('B', "11110100011000111110100011000111110"),
                Map.entry('C', "01110100011000010000100001000101110"),
                Map.entry('D', "11110100011000110001100011000111110"),
                Map.entry('E', "11111100001000011110100001000011111"),
                Map.entry('F', "11111100001000011110100001000010000"),
                Map.entry('G', "01110100011000010111100011000101111"),
                Map.entry('H', "10001100011000111111100011000110001"),
                Map.entry('I', "01110001000010000100001000010001110"),
                Map.entry('J', "00111000100001000010000101001001100"),
                Map.entry('K', "10001100101010011000101001001010001"),
                Map.entry('L', "10000100001000010000100001000011111"),
                Map.entry('M', "10001110111010110101100011000110001"),
                Map.entry('N', "10001100011100110101100111000110001"),
                Map.entry('O', "01110100011000110001100011000101110"),
                Map.entry('P', "11110100011000111110100001000010000"),
                Map.entry('Q', "01110100011000110001101011001001101"),
                Map.entry('R', "11110100011000111110101001001010001"),
                Map.entry('S', "01111100001000001110000010000111110"),
                Map.entry('T', "11111001000010000100001000010000100"),
                Map.entry('U', "10001100011000110001100011000101110"),
                Map.entry('V', "10001100011000110001100010101000100"),
                Map.entry('W', "10001100011000110101101011010101010"),
                Map.entry('X', "10001100010101000100010101000110001"),
                Map.entry('Y', "10001100010101000100001000010000100"),
                Map.entry('Z', "11111000010001000100010001000011111"),
                Map.entry('0', "01110100011001110101110011000101110"),
                Map.entry('1', "00100011000010000100001000010001110"),
                Map.entry('2', "01110100010000100010001000100011111"),
                Map.entry('3', "11111000100010000010000011000101110"),
                Map.entry('4', "00010001100101010010111110001000010"),
                Map.entry('5', "11111100001111000001000011000101110"),
                Map.entry('6', "00110010001000011110100011000101110"),
                Map.entry('7', "11111000010001000100010000100001000"),
                Map.entry('8', "01110100011000101110100011000101110"),
                Map.entry('9', "01110100011000101111000010001001100"),
                Map.entry('-', "00000000000000011111000000000000000"));

        /** Draws {@code text} with its top left at (x, y), each font pixel a scale x scale square. */
        static void draw(Canvas canvas, String text, int x, int y, int scale, int rgb) {
            for (int i = 0; i < text.length(); i++) {
                String glyph = GLYPHS.get(text.charAt(i));
                if (glyph == null) {
                    continue;
                }
                for (int row = 0; row < 7; row++) {
                    for (int col = 0; col < 5; col++) {
                        if (glyph.charAt(row * 5 + col) == '1') {
                            int px = x + (i * 6 + col) * scale;
                            int py = y + row * scale;
                            for (int sy = py; sy < Math.min(py + scale, canvas.height()); sy++) {
                                if (px < canvas.width()) {
                                    canvas.span(sy, px, Math.min(px + scale, canvas.width()), rgb);
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
