package dev.jfutures.cli.image;

import static dev.jfutures.cli.image.BmpFiles.rawBmp;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** BMPs refused: too tall for the .rle header, or truncated; each error names the file. */
class BmpTest {

    @TempDir
    Path tmp;

    @Test
    void aBmpTallerThan65535IsRefusedBeforeDecoding() throws IOException {
        byte[] bmp = rawBmp(8, 1, 1, new Random(1), false, new int[] {0, 0xffffff});
        ByteBuffer.wrap(bmp).order(ByteOrder.LITTLE_ENDIAN).putInt(22, 100000);
        Path f = Files.write(tmp.resolve("tall.bmp"), bmp);
        assertThatThrownBy(() -> Bilevel.read(f)).isInstanceOf(IOException.class)
                .hasMessageStartingWith(f + ": ").hasMessageContaining("8x100000").hasMessageContaining("height");
    }

    @Test
    void aTruncatedBmpIsRefusedByName() throws IOException {
        byte[] bmp = rawBmp(100, 50, 1, new Random(1), false, new int[] {0, 0xffffff});
        Path f = Files.write(tmp.resolve("cut.bmp"), Arrays.copyOf(bmp, bmp.length - 10));
        assertThatThrownBy(() -> Bilevel.read(f)).isInstanceOf(IOException.class)
                .hasMessageStartingWith(f + ": truncated BMP");
    }
}
