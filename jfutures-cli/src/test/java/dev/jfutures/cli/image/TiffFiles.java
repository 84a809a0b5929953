package dev.jfutures.cli.image;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Hand-made TIFFs for the tests: photometric interpretations, depths and fill orders javax.imageio's writer does not produce. */
final class TiffFiles {
    private TiffFiles() {
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

    static int[] randomColourMap(Random rnd, int n) {
        int[] map = new int[3 * n];
        for (int i = 0; i < map.length; i++) {
            map[i] = rnd.nextInt(65536);
        }
        return map;
    }
}
