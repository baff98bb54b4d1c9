package io.convscope.render;

import io.convscope.util.AtomicFiles;

import java.awt.image.BufferedImage;
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
 * tile's rows but its first) and otherwise "None" for a truecolour image of few colours (an
 * activation sheet: {@link #fewColours}) or "Sub", deflate at the fastest level. Rendering output is
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
    /** Truecolour images of at most this many colours (in a sample) are written without row filters. */
    private static final int FEW_COLOURS = 1024;

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
        boolean raw = palette == null && fewColours(px);
        int rowBytes = 1 + w * (palette != null ? 1 : 3);
        int rowsPerStrip = Math.max(1, STRIP_BYTES / rowBytes);
        int strips = (h + rowsPerStrip - 1) / rowsPerStrip;
        Palette.IntMap idx = index;
        byte[][] packed = new byte[strips][];
        int[] packedLength = new int[strips];
        int[] adlers = new int[strips];
        int[] lengths = new int[strips];
        IntStream range = IntStream.range(0, strips);
        (parallel ? range.parallel() : range).forEach(s -> {
            int y0 = s * rowsPerStrip;
            int y1 = Math.min(h, y0 + rowsPerStrip);
            Scratch scratch = SCRATCH.get();
            int length = (y1 - y0) * rowBytes;
            byte[] filtered = scratch.filtered(length);
            filter(px, w, y0, y1, rowBytes, idx, raw, filtered);
            // each strip's checksum here, in parallel; combined below into that of the whole stream
            Adler32 a = new Adler32();
            a.update(filtered, 0, length);
            adlers[s] = (int) a.getValue();
            lengths[s] = length;
            boolean usual = level == Deflater.BEST_SPEED && strategy == Deflater.DEFAULT_STRATEGY;
            Deflater d = usual ? scratch.deflater() : new Deflater(level, true);
            try {
                d.setStrategy(strategy);
                packed[s] = deflate(d, filtered, length, s == strips - 1, scratch);
                packedLength[s] = packed[s].length;
            } finally {
                if (!usual) {
                    d.end();
                }
            }
        });
        int adler = 1;
        for (int s = 0; s < strips; s++) {
            adler = adler32Combine(adler, adlers[s], lengths[s]);
        }
        IdatWriter idat = new IdatWriter(out);
        idat.write(new byte[] {0x78, 0x01}, 2); // zlib header: deflate, 32 KiB window, fastest
        for (int s = 0; s < strips; s++) {
            idat.write(packed[s], packedLength[s]);
        }
        byte[] sum = new byte[4];
        putInt(sum, 0, adler);
        idat.write(sum, 4);
        idat.flush();
        chunk(out, "IEND", new byte[0], 0);
    }

    /**
     * Rows {@code y0 .. y1} with their filter bytes: "Up" for a row that repeats the row above, else
     * "None" for truecolour rows of few colours ({@code raw}), else "Sub".
     */
    private static void filter(int[] px, int w, int y0, int y1, int rowBytes, Palette.IntMap index, boolean raw, byte[] out) {
        for (int y = y0; y < y1; y++) {
            int o = y * w;
            int k = (y - y0) * rowBytes;
            if (y > 0 && Arrays.equals(px, o - w, o, px, o, o + w)) {
                out[k] = 2; // Up: the row above, so every difference is zero
                Arrays.fill(out, k + 1, k + rowBytes, (byte) 0);
                continue;
            }
            if (raw) {
                out[k++] = 0; // None: the colours themselves
                for (int x = 0; x < w; x++) {
                    int p = px[o + x];
                    out[k++] = (byte) (p >> 16);
                    out[k++] = (byte) (p >> 8);
                    out[k++] = (byte) p;
                }
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
    }

    /**
     * Whether a truecolour image has few colours, judged from a sample of about 16,000 pixels spread
     * over it: at most {@value #FEW_COLOURS} distinct. Sheets of colormapped maps have some 260 (a
     * colormap's 256 and the labels'), each an exact byte triple that recurs all over the image, and
     * deflate finds those in unfiltered rows: a quarter smaller and faster than with "Sub", whose
     * differences between neighbouring colours are less alike. Photographs and gradients keep "Sub".
     */
    static boolean fewColours(int[] px) {
        int step = Math.max(1, px.length / 16384);
        Palette.IntMap seen = new Palette.IntMap(2 * FEW_COLOURS);
        for (int i = 0; i < px.length; i += step) {
            seen.put(px[i] & 0xffffff, 0);
            if (seen.size > FEW_COLOURS) {
                return false;
            }
        }
        return true;
    }

    /** The Adler-32 of two byte runs one after the other, from their own sums and the second's length. */
    static int adler32Combine(int first, int second, long secondLength) {
        // Adler-32 is a = 1 + Σ bytes, b = Σ of the running a's (mod 65521): appending n bytes adds
        // their sum to a, and to b their own b plus n × (the first run's a − 1)
        final int mod = 65521;
        long n = secondLength % mod;
        long a1 = first & 0xffff;
        long b1 = (first >>> 16) & 0xffff;
        long a2 = second & 0xffff;
        long b2 = (second >>> 16) & 0xffff;
        long a = (a1 + a2 - 1 + mod) % mod;
        long b = (b1 + b2 + n * ((a1 - 1 + mod) % mod)) % mod;
        return (int) (b << 16 | a);
    }

    /**
     * Raw deflate of {@code data[0, length)}: ends with a sync flush (byte-aligned, stream open) unless
     * it is the last strip. The compressed bytes go to the thread's buffer first, then into an array of
     * their own size.
     */
    private static byte[] deflate(Deflater d, byte[] data, int length, boolean last, Scratch scratch) {
        d.setInput(data, 0, length);
        if (last) {
            d.finish();
        }
        byte[] buf = scratch.packed(length / 4 + 1024);
        int n = 0;
        while (true) {
            if (n == buf.length) {
                buf = scratch.packed(buf.length * 2, n);
            }
            int k = last ? d.deflate(buf, n, buf.length - n) : d.deflate(buf, n, buf.length - n, Deflater.SYNC_FLUSH);
            n += k;
            if (last ? d.finished() : n < buf.length && d.needsInput()) {
                break;
            }
        }
        return Arrays.copyOf(buf, n);
    }

    /**
     * A thread's buffers for filtered and compressed strips and its deflater (reset for each strip,
     * which gives the bytes a new one would), so that encoding allocates little more than the output:
     * fresh large arrays cost their zeroing and, while the heap grows, page faults.
     */
    private static final class Scratch {
        private byte[] filtered = new byte[0];
        private byte[] packed = new byte[0];
        private Deflater deflater;

        byte[] filtered(int length) {
            if (filtered.length < length) {
                filtered = new byte[length];
            }
            return filtered;
        }

        /** The packed buffer, at least {@code length} long, keeping its first {@code keep} bytes. */
        byte[] packed(int length, int keep) {
            if (packed.length < length) {
                packed = Arrays.copyOf(packed, Math.max(length, keep));
            }
            return packed;
        }

        byte[] packed(int length) {
            return packed(length, 0);
        }

        /** The deflater at the fastest level, reset. */
        Deflater deflater() {
            if (deflater == null) {
                deflater = new Deflater(Deflater.BEST_SPEED, true);
            } else {
                deflater.reset();
            }
            return deflater;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

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

        void write(byte[] data, int length) throws IOException {
            int off = 0;
            while (off < length) {
                int k = Math.min(buf.length - n, length - off);
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
