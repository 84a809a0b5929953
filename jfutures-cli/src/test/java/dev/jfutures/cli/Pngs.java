package dev.jfutures.cli;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.DeflaterOutputStream;

/** Hand-made 8-bit grey PNGs: any size in the header, rows streamed, so a huge one costs no memory here. */
final class Pngs {

    private Pngs() {
    }

    /**
     * Writes a grey PNG whose header says width x height, with every pixel {@code grey}; with
     * {@code rows} below height, the image data stops there (a truncated image).
     */
    static Path grey(Path file, long width, long height, int grey, long rows) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
            ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
            DataOutputStream d = new DataOutputStream(ihdr);
            d.writeInt((int) width);
            d.writeInt((int) height);
            d.write(new byte[] {8, 0, 0, 0, 0});   // 8-bit greyscale, deflate, no filter, no interlace
            chunk(out, "IHDR", ihdr.toByteArray());
            ByteArrayOutputStream idat = new ByteArrayOutputStream();
            try (DeflaterOutputStream z = new DeflaterOutputStream(idat)) {
                byte[] row = new byte[(int) width + 1];
                java.util.Arrays.fill(row, 1, row.length, (byte) grey);
                for (long y = 0; y < rows; y++) {
                    z.write(row);
                }
            }
            chunk(out, "IDAT", idat.toByteArray());
            chunk(out, "IEND", new byte[0]);
        }
        return file;
    }

    private static void chunk(OutputStream out, String type, byte[] data) throws IOException {
        DataOutputStream d = new DataOutputStream(out);
        d.writeInt(data.length);
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        d.write(t);
        d.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        d.writeInt((int) crc.getValue());
    }
}
