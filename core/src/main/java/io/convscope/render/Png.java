package io.convscope.render;

import io.convscope.util.AtomicFiles;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Writes PNG files quickly: convscope's own small encoder (8-bit RGB, or an 8-bit palette when the
 * image has at most 256 colours), filter "Up" for a row that repeats the row above (all of an enlarged
 * tile's rows but its first) and "Sub" otherwise, deflate at the fastest level. Rendering output is
 * dominated by PNG encoding, and {@code javax.imageio}'s writer (which tries every filter on every row)
 * was 2–3× slower on activation sheets; see {@code RenderBenchmark}. Files are written atomically
 * ({@link AtomicFiles}). The same image always gives the same bytes with the same zlib.
 */
public final class Png {
    private Png() {
    }

    private static final byte[] SIGNATURE = {(byte) 137, 80, 78, 71, 13, 10, 26, 10};

    /**
     * Writes {@code image} to {@code file} as PNG via a temporary file and a rename.
     *
     * @throws io.convscope.ConvscopeException when the file cannot be written
     */
    public static void write(Path file, BufferedImage image) {
        AtomicFiles.write(file, out -> write(image, out));
    }

    /** Encodes {@code image} (any type; alpha is composited over white) as PNG onto {@code out} (left open). */
    public static void write(BufferedImage image, OutputStream out) throws IOException {
        write(image, out, Deflater.BEST_SPEED, Deflater.DEFAULT_STRATEGY);
    }

    /** {@link #write(BufferedImage, OutputStream)} with a chosen deflate level and strategy (for benchmarks). */
    static void write(BufferedImage image, OutputStream out, int level, int strategy) throws IOException {
        BufferedImage rgb = Images.toRgb(image);
        int w = rgb.getWidth();
        int h = rgb.getHeight();
        int[] px = Images.pixels(rgb);
        int[] palette = smallPalette(px);
        out.write(SIGNATURE);
        byte[] ihdr = new byte[13];
        putInt(ihdr, 0, w);
        putInt(ihdr, 4, h);
        ihdr[8] = 8;                                   // bit depth
        ihdr[9] = (byte) (palette != null ? 3 : 2);    // colour type: indexed or truecolour
        chunk(out, "IHDR", ihdr, ihdr.length);         // compression 0, filter 0, no interlace
        if (palette != null) {
            byte[] plte = new byte[palette.length * 3];
            for (int i = 0; i < palette.length; i++) {
                plte[3 * i] = (byte) (palette[i] >> 16);
                plte[3 * i + 1] = (byte) (palette[i] >> 8);
                plte[3 * i + 2] = (byte) palette[i];
            }
            chunk(out, "PLTE", plte, plte.length);
        }
        Deflater deflater = new Deflater(level);
        deflater.setStrategy(strategy);
        try {
            IdatStream idat = new IdatStream(out, deflater);
            int bpp = palette != null ? 1 : 3;
            byte[] row = new byte[1 + w * bpp];
            Palette.IntMap index = null;
            if (palette != null) {
                index = new Palette.IntMap(palette.length * 2 + 2);
                for (int i = 0; i < palette.length; i++) {
                    index.put(palette[i], i);
                }
            }
            for (int y = 0; y < h; y++) {
                int o = y * w;
                if (y > 0 && sameRow(px, o - w, o, w)) {
                    row[0] = 2; // Up: the row above, so every difference is zero
                    java.util.Arrays.fill(row, 1, row.length, (byte) 0);
                } else {
                    row[0] = 1; // Sub: difference to the pixel on the left
                    if (palette != null) {
                        int prev = 0;
                        int last = -1;
                        int lastIndex = 0;
                        for (int x = 0; x < w; x++) {
                            int p = px[o + x];
                            if (p != last) {
                                last = p;
                                lastIndex = index.get(p & 0xffffff);
                            }
                            row[1 + x] = (byte) (lastIndex - prev);
                            prev = lastIndex;
                        }
                    } else {
                        int pr = 0;
                        int pg = 0;
                        int pb = 0;
                        for (int x = 0, k = 1; x < w; x++, k += 3) {
                            int p = px[o + x];
                            int r = (p >> 16) & 255;
                            int g = (p >> 8) & 255;
                            int b = p & 255;
                            row[k] = (byte) (r - pr);
                            row[k + 1] = (byte) (g - pg);
                            row[k + 2] = (byte) (b - pb);
                            pr = r;
                            pg = g;
                            pb = b;
                        }
                    }
                }
                idat.write(row);
            }
            idat.finish();
        } finally {
            deflater.end();
        }
        chunk(out, "IEND", new byte[0], 0);
    }

    /** The image's colours, sorted, if there are at most 256 of them; else null. */
    private static int[] smallPalette(int[] px) {
        Palette.IntMap seen = new Palette.IntMap(512);
        int last = -1;
        for (int p : px) {
            if (p == last) {
                continue;
            }
            last = p;
            seen.put(p & 0xffffff, 0);
            if (seen.size > 256) {
                return null;
            }
        }
        int[] keys = seen.keys();
        java.util.Arrays.sort(keys);
        return keys;
    }

    private static boolean sameRow(int[] px, int a, int b, int w) {
        return java.util.Arrays.equals(px, a, a + w, px, b, b + w);
    }

    private static void putInt(byte[] b, int o, int v) {
        b[o] = (byte) (v >>> 24);
        b[o + 1] = (byte) (v >>> 16);
        b[o + 2] = (byte) (v >>> 8);
        b[o + 3] = (byte) v;
    }

    private static void chunk(OutputStream out, String type, byte[] data, int length) throws IOException {
        byte[] head = new byte[8];
        putInt(head, 0, length);
        for (int i = 0; i < 4; i++) {
            head[4 + i] = (byte) type.charAt(i);
        }
        CRC32 crc = new CRC32();
        crc.update(head, 4, 4);
        crc.update(data, 0, length);
        out.write(head);
        out.write(data, 0, length);
        byte[] c = new byte[4];
        putInt(c, 0, (int) crc.getValue());
        out.write(c);
    }

    /** Deflates rows into IDAT chunks of at most 64 KiB. */
    private static final class IdatStream {
        private final OutputStream out;
        private final Deflater deflater;
        private final byte[] buf = new byte[1 << 16];

        IdatStream(OutputStream out, Deflater deflater) {
            this.out = out;
            this.deflater = deflater;
        }

        void write(byte[] data) throws IOException {
            deflater.setInput(data);
            while (!deflater.needsInput()) {
                drain(Deflater.NO_FLUSH);
            }
        }

        void finish() throws IOException {
            deflater.finish();
            while (!deflater.finished()) {
                drain(Deflater.NO_FLUSH);
            }
        }

        private void drain(int flush) throws IOException {
            int n = deflater.deflate(buf, 0, buf.length, flush);
            if (n > 0) {
                chunk(out, "IDAT", buf, n);
            }
        }
    }
}
