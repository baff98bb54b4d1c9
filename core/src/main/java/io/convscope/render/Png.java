package io.convscope.render;

import io.convscope.util.AtomicFiles;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.IntStream;
import java.util.zip.Adler32;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Writes PNG files quickly: convscope's own small encoder (8-bit RGB, or an 8-bit palette when the
 * image has at most 256 colours), filter "Up" for a row that repeats the row above (all of an enlarged
 * tile's rows but its first) and "Sub" otherwise, deflate at the fastest level. Rendering output is
 * dominated by PNG encoding, and {@code javax.imageio}'s writer (which tries every filter on every row)
 * took 2–10× as long on activation sheets ({@code PngBenchmark}). Files are written atomically
 * ({@link AtomicFiles}).
 *
 * <p>Large images are compressed in horizontal strips in parallel (as pigz does: each strip a run of
 * deflate blocks ending on a byte boundary, the strips concatenated into one zlib stream). Strips
 * depend only on the image width, never on the number of threads, so the same image gives the same
 * bytes on any machine with the same zlib.
 */
public final class Png {
    private Png() {
    }

    private static final byte[] SIGNATURE = {(byte) 137, 80, 78, 71, 13, 10, 26, 10};
    /** Filtered bytes per strip (about; whole rows). */
    private static final int STRIP_BYTES = 1 << 18;

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
        write(image, out, Deflater.BEST_SPEED, Deflater.DEFAULT_STRATEGY, true);
    }

    /** {@link #write(BufferedImage, OutputStream)} with a chosen deflate level, strategy and parallelism (for benchmarks). */
    static void write(BufferedImage image, OutputStream out, int level, int strategy, boolean parallel) throws IOException {
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
        Palette.IntMap index = null;
        if (palette != null) {
            index = new Palette.IntMap(palette.length * 2 + 2);
            for (int i = 0; i < palette.length; i++) {
                index.put(palette[i], i);
            }
        }
        int rowBytes = 1 + w * (palette != null ? 1 : 3);
        int rowsPerStrip = Math.max(1, STRIP_BYTES / rowBytes);
        int strips = (h + rowsPerStrip - 1) / rowsPerStrip;
        Palette.IntMap idx = index;
        byte[][] filtered = new byte[strips][];
        byte[][] packed = new byte[strips][];
        IntStream range = IntStream.range(0, strips);
        (parallel ? range.parallel() : range).forEach(s -> {
            int y0 = s * rowsPerStrip;
            int y1 = Math.min(h, y0 + rowsPerStrip);
            filtered[s] = filter(px, w, y0, y1, rowBytes, idx);
            packed[s] = deflate(filtered[s], level, strategy, s == strips - 1);
        });
        Adler32 adler = new Adler32();
        for (byte[] f : filtered) {
            adler.update(f);
        }
        IdatWriter idat = new IdatWriter(out);
        idat.write(new byte[] {0x78, 0x01}); // zlib header: deflate, 32 KiB window, fastest
        for (byte[] p : packed) {
            idat.write(p);
        }
        byte[] sum = new byte[4];
        putInt(sum, 0, (int) adler.getValue());
        idat.write(sum);
        idat.flush();
        chunk(out, "IEND", new byte[0], 0);
    }

    /** Rows {@code y0 .. y1} with their filter bytes. */
    private static byte[] filter(int[] px, int w, int y0, int y1, int rowBytes, Palette.IntMap index) {
        byte[] out = new byte[(y1 - y0) * rowBytes];
        for (int y = y0; y < y1; y++) {
            int o = y * w;
            int k = (y - y0) * rowBytes;
            if (y > 0 && Arrays.equals(px, o - w, o, px, o, o + w)) {
                out[k] = 2; // Up: the row above, so every difference is zero
                continue;
            }
            out[k++] = 1; // Sub: difference to the pixel on the left
            if (index != null) {
                int prev = 0;
                int last = -1;
                int lastIndex = 0;
                for (int x = 0; x < w; x++) {
                    int p = px[o + x];
                    if (p != last) {
                        last = p;
                        lastIndex = index.get(p & 0xffffff);
                    }
                    out[k++] = (byte) (lastIndex - prev);
                    prev = lastIndex;
                }
            } else {
                int pr = 0;
                int pg = 0;
                int pb = 0;
                for (int x = 0; x < w; x++) {
                    int p = px[o + x];
                    int r = (p >> 16) & 255;
                    int g = (p >> 8) & 255;
                    int b = p & 255;
                    out[k++] = (byte) (r - pr);
                    out[k++] = (byte) (g - pg);
                    out[k++] = (byte) (b - pb);
                    pr = r;
                    pg = g;
                    pb = b;
                }
            }
        }
        return out;
    }

    /** Raw deflate of one strip: ends with a sync flush (byte-aligned, stream open) unless it is the last. */
    private static byte[] deflate(byte[] data, int level, int strategy, boolean last) {
        Deflater d = new Deflater(level, true);
        try {
            d.setStrategy(strategy);
            d.setInput(data);
            if (last) {
                d.finish();
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream(data.length / 4 + 64);
            byte[] buf = new byte[1 << 16];
            if (last) {
                while (!d.finished()) {
                    out.write(buf, 0, d.deflate(buf));
                }
            } else {
                int n;
                do {
                    n = d.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH);
                    out.write(buf, 0, n);
                } while (n == buf.length || !d.needsInput());
            }
            return out.toByteArray();
        } finally {
            d.end();
        }
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
        Arrays.sort(keys);
        return keys;
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

    /** Cuts the zlib stream into IDAT chunks of 64 KiB. */
    private static final class IdatWriter {
        private final OutputStream out;
        private final byte[] buf = new byte[1 << 16];
        private int n;

        IdatWriter(OutputStream out) {
            this.out = out;
        }

        void write(byte[] data) throws IOException {
            int off = 0;
            while (off < data.length) {
                int k = Math.min(buf.length - n, data.length - off);
                System.arraycopy(data, off, buf, n, k);
                n += k;
                off += k;
                if (n == buf.length) {
                    flush();
                }
            }
        }

        void flush() throws IOException {
            if (n > 0) {
                chunk(out, "IDAT", buf, n);
                n = 0;
            }
        }
    }
}
