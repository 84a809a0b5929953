package dev.jfutures.cli.rle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jfutures.cli.image.BitImage;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link Rle}: the book's bytes, round trips, and every refusal of the decoder. */
class RleTest {

    /** Random per run, printed in every failure; set -Djfutures.test.seed=S to repeat one. */
    private static final long SEED = Long.getLong("jfutures.test.seed", System.nanoTime());

    private static void assertEncodesLikeTheBookAndRoundTrips(BitImage image, String what) {
        byte[] ours = Rle.encode(image);
        assertThat(ours).as("%s %s, seed %d: the book's bytes", what, image, SEED).isEqualTo(TestImages.reference(image));
        try {
            assertThat(Rle.decode(ours)).as("%s %s, seed %d: round trip", what, image, SEED).isEqualTo(image);
        } catch (RleFormatException e) {
            throw new AssertionError(what + " " + image + ", seed " + SEED + ": " + e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------ encoding

    @Test
    void aOneByOneImage() throws RleFormatException {
        assertThat(Rle.encode(TestImages.image(1, 1, (x, y) -> 0))).containsExactly(1, 0, 1, 0, 0x01);
        assertThat(Rle.encode(TestImages.image(1, 1, (x, y) -> 1))).containsExactly(1, 0, 1, 0, 0x81);
        assertThat(Rle.decode(new byte[] {1, 0, 1, 0, (byte) 0x81}).isWhite(0, 0)).isTrue();
    }

    @Test
    void longRunsAreCutAtEach127PixelChunk() {
        // 300 white: 127 + 127 + 46; then a second row, black.
        BitImage image = TestImages.image(300, 2, (x, y) -> y == 0 ? 1 : 0);
        assertThat(Rle.encode(image)).containsExactly(0x2c, 0x01, 2, 0, 0xff, 0xff, 0x80 | 46, 127, 127, 46);
    }

    @Test
    void aRunEndingExactlyAtAChunkBoundaryIsNotFollowedByAnEmptyRun() {
        BitImage image = TestImages.image(254, 1, (x, y) -> x < 127 ? 1 : 0);
        assertThat(Rle.encode(image)).containsExactly(254, 0, 1, 0, 0xff, 127);
    }

    @Test
    void alternatingPixelsAreOneBytePerPixel() {
        BitImage image = TestImages.image(5, 1, (x, y) -> (x + 1) & 1);
        assertThat(Rle.encode(image)).containsExactly(5, 0, 1, 0, 0x81, 0x01, 0x81, 0x01, 0x81);
    }

    @ParameterizedTest(name = "width {0}")
    @ValueSource(ints = {1, 2, 7, 8, 9, 63, 64, 65, 126, 127, 128, 253, 254, 255, 381, 1000})
    void everyPatternAtThisWidthEncodesLikeTheBookAndRoundTrips(int width) {
        Random random = new Random(SEED + width);
        for (int height : new int[] {1, 2, 5}) {
            assertEncodesLikeTheBookAndRoundTrips(TestImages.image(width, height, (x, y) -> 0), "all black");
            assertEncodesLikeTheBookAndRoundTrips(TestImages.image(width, height, (x, y) -> 1), "all white");
            assertEncodesLikeTheBookAndRoundTrips(TestImages.image(width, height, (x, y) -> (x + y) & 1), "checkerboard");
            assertEncodesLikeTheBookAndRoundTrips(TestImages.image(width, height, (x, y) -> x & 1), "alternating columns");
            assertEncodesLikeTheBookAndRoundTrips(TestImages.image(width, height, (x, y) -> y & 1), "alternating rows");
            assertEncodesLikeTheBookAndRoundTrips(TestImages.image(width, height, (x, y) -> x % 127 == 126 ? 1 : 0),
                    "one white pixel at each chunk's end");
            assertEncodesLikeTheBookAndRoundTrips(TestImages.noise(width, height, 0.5, random), "noise");
            assertEncodesLikeTheBookAndRoundTrips(TestImages.noise(width, height, 0.02, random), "sparse white");
            assertEncodesLikeTheBookAndRoundTrips(TestImages.noise(width, height, 0.98, random), "sparse black");
            assertEncodesLikeTheBookAndRoundTrips(TestImages.runs(width, height, 300, random), "long runs");
            assertEncodesLikeTheBookAndRoundTrips(TestImages.runs(width, height, 70, random), "runs about 64 long");
        }
    }

    @Test
    void randomSizesAndContentEncodeLikeTheBookAndRoundTrip() {
        Random random = new Random(SEED);
        for (int i = 0; i < 300; i++) {
            int width = 1 + random.nextInt(i < 250 ? 600 : 5000);
            int height = 1 + random.nextInt(i < 250 ? 12 : 3);
            BitImage image = random.nextBoolean()
                    ? TestImages.noise(width, height, random.nextDouble(), random)
                    : TestImages.runs(width, height, 1 + random.nextInt(400), random);
            assertEncodesLikeTheBookAndRoundTrips(image, "random #" + i);
        }
    }

    @Test
    void rowsEncodedSeparatelyConcatenateToTheFile() {
        Random random = new Random(SEED);
        BitImage image = TestImages.runs(381, 17, 200, random);
        byte[] whole = Rle.encode(image);
        ByteArrayOutputStream parts = new ByteArrayOutputStream();
        parts.writeBytes(Rle.header(381, 17));
        parts.writeBytes(Rle.encodeRows(image, 0, 5));
        for (int y = 5; y < 12; y++) {
            parts.writeBytes(Rle.encodeRow(image, y));
        }
        for (int y = 12; y < 17; y++) {
            parts.writeBytes(Rle.encodeRow(Arrays.copyOfRange(image.bits(), y * image.stride(), (y + 1) * image.stride()),
                    381));
        }
        assertThat(parts.toByteArray()).as("seed %d", SEED).isEqualTo(whole);
        assertThat(Rle.encodeRows(image, 3, 3)).isEmpty();
    }

    @Test
    void encodingIgnoresWhateverFollowsTheRowInItsArray() {
        // A row handed over with garbage after its last pixel, in its last byte and beyond.
        byte[] row = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff};
        assertThat(Rle.encodeRow(row, 10)).containsExactly(0x80 | 10);
        byte[] out = new byte[10];
        assertThat(Rle.encodeRow(new byte[] {0, (byte) 0x7f}, 0, 9, out, 3)).isEqualTo(4);
        assertThat(out[3]).isEqualTo((byte) 9);
    }

    @Test
    void theEncoderRefusesDimensionsTheHeaderCannotHold() {
        assertThatThrownBy(() -> Rle.header(65536, 10)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("65536x10").hasMessageContaining("width")
                .hasMessageContaining("the .rle header holds each in 2 bytes");
        assertThatThrownBy(() -> Rle.header(10, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("height");
        assertThat(Rle.header(65535, 258)).containsExactly(0xff, 0xff, 2, 1);
    }

    @Test
    void rowIndexesOutsideTheImageAreRefused() {
        BitImage image = BitImage.black(3, 3);
        assertThatThrownBy(() -> Rle.encodeRow(image, 3)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> Rle.encodeRow(image, -1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> Rle.encodeRows(image, 2, 1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> Rle.encodeRow(new byte[1], 9)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    // ------------------------------------------------------------------ decoding: leniency

    @Test
    void runsCrossingAChunkBoundaryAndSameColourNeighboursAreAccepted() throws RleFormatException {
        // Width 200: 100 white + 100 white (the second crosses column 127), then 50 black + 150 black.
        BitImage image = Rle.decode(bytes(200, 0, 2, 0, 0x80 | 100, 0x80 | 100, 50, 100, 50));
        assertThat(image).isEqualTo(TestImages.image(200, 2, (x, y) -> y == 0 ? 1 : 0));
    }

    // ------------------------------------------------------------------ decoding: refusals

    @Test
    void aHeaderShorterThan4BytesIsRefused() {
        assertDecodeError(new byte[0], 0, -1, "header too short: 0 bytes, and the header alone takes 4");
        assertDecodeError(bytes(10, 0, 3), 3, -1, "header too short: 3 bytes");
    }

    @Test
    void aZeroWidthOrHeightIsRefused() {
        assertDecodeError(bytes(0, 0, 5, 0, 1), 0, -1, "width 0 in the header (byte offset 0)");
        assertDecodeError(bytes(5, 0, 0, 0), 2, -1, "height 0 in the header (byte offset 2)");
    }

    @Test
    void aZeroLengthRunIsRefused() {
        assertDecodeError(bytes(10, 0, 2, 0, 0x8a, 3, 0x00, 7), 6, 1,
                "byte offset 6 (row 1, column 3): a run of length 0 (0x00)");
        assertDecodeError(bytes(10, 0, 2, 0, 0x80), 4, 0, "byte offset 4 (row 0, column 0): a run of length 0 (0x80)");
    }

    @Test
    void aRunCrossingTheEndOfARowIsRefused() {
        assertDecodeError(bytes(10, 0, 2, 0, 0x8a, 6, 0x85), 6, 1,
                "byte offset 6 (row 1): a run of 5 white pixels from column 6 crosses the end of the row (width 10)");
    }

    @Test
    void truncatedDataSaysHowManyPixelsAreMissing() {
        // 100 x 60 = 6000 pixels; 48 full rows given: 1200 missing.
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(bytes(100, 0, 60, 0));
        for (int y = 0; y < 48; y++) {
            out.write(100);
        }
        assertDecodeError(out.toByteArray(), 52, 48,
                "truncated: 1200 of 6000 pixels missing (width 100, height 60); the data ends at byte offset 52, in row 48");
        assertDecodeError(bytes(10, 0, 1, 0, 0x83), 5, 0, "truncated: 7 of 10 pixels missing");
        assertDecodeError(bytes(10, 0, 1, 0), 4, 0, "truncated: 10 of 10 pixels missing");
    }

    @Test
    void aHugeHeaderWithLittleDataIsTruncatedWithoutAllocatingTheImage() {
        assertDecodeError(bytes(0xff, 0xff, 0xff, 0xff, 0x05), 5, 0,
                "truncated: 4294836220 of 4294836225 pixels missing (width 65535, height 65535)");
    }

    @Test
    void bytesAfterTheLastPixelAreRefused() {
        assertDecodeError(bytes(3, 0, 2, 0, 3, 0x83, 1, 2, 0x81), 6, 1,
                "overlong: 3 bytes after the last pixel (the end of row 1), from byte offset 6 (width 3, height 2)");
        assertDecodeError(bytes(3, 0, 1, 0, 3, 0), 5, 0, "overlong: 1 byte after the last pixel");
    }

    private static void assertDecodeError(byte[] rle, long offset, int row, String message) {
        assertThatThrownBy(() -> Rle.decode(rle)).isInstanceOfSatisfying(RleFormatException.class, e -> {
            assertThat(e.getMessage()).startsWith(message);
            assertThat(e.offset()).as("offset").isEqualTo(offset);
            assertThat(e.row()).as("row").isEqualTo(row);
        });
    }

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }
}
