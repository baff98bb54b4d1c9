package io.convscope.render;

import io.convscope.util.AtomicFiles;

import java.awt.image.BufferedImage;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * A fast PNG encoder for the large sheets convscope draws: 8-bit RGB straight from the image's
 * {@code int[]} pixels (no raster copies), each row filtered with Sub (flat runs become zeros), or
 * with Up when it repeats the row above (enlarged maps: the row becomes all zeros), and deflated at a
 * chosen level. The output depends only on the pixels and the
 * level, so it is reproducible. {@link Png} (javax.imageio) spends most of its time copying rasters and
 * trying all five filters; this skips both.
 */
public final class PngEncoder {
    /** The default deflate level: 1, fastest; flat heatmaps compress well even so. */
    public static final int DEFAULT_LEVEL = 1;
    private static final byte[] SIGNATURE = {(byte) 137, 80, 78, 71, 13, 10, 26, 10};

    private PngEncoder() {
    }

    /** Writes {@code image} to {@code file} atomically at {@link #DEFAULT_LEVEL}. */
    public static void write(Path file, BufferedImage image) {
        write(file, image, DEFAULT_LEVEL);
    }

    /** Writes {@code image} to {@code file} atomically at deflate {@code level} (0–9). */
    public static void write(Path file, BufferedImage image, int level) {
        AtomicFiles.write(file, out -> encode(image, level, out));
    }

    /** Encodes {@code image} (any type; converted to RGB first unless {@code TYPE_INT_RGB}) onto {@code out}. */
    public static void encode(BufferedImage image, int level, OutputStream out) throws IOException {
        BufferedImage rgb = image.getType() == BufferedImage.TYPE_INT_RGB ? image : Images.toRgb(image);
        int w = rgb.getWidth();
        int h = rgb.getHeight();
        int[] px = Images.pixels(rgb);
        DataOutputStream d = new DataOutputStream(out);
        d.write(SIGNATURE);
        byte[] ihdr = new byte[13];
        int32(ihdr, 0, w);
        int32(ihdr, 4, h);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 2; // colour type: truecolour
        chunk(d, "IHDR", ihdr, ihdr.length);

        Deflater deflater = new Deflater(level);
        try {
            int stride = 3 * w;
            byte[] sub = new byte[stride + 1];
            byte[] same = new byte[stride + 1];
            sub[0] = 1;
            same[0] = 2; // Up filter of a row equal to the one above: all zeros
            byte[] buf = new byte[1 << 16];
            int[] fill = {0};
            for (int y = 0; y < h; y++) {
                int o = y * w;
                byte[] row;
                if (y > 0 && Arrays.equals(px, o, o + w, px, o - w, o)) {
                    row = same;
                } else {
                    int left = 0;
                    for (int x = 0, i = 1; x < w; x++, i += 3) {
                        int p = px[o + x];
                        sub[i] = (byte) ((p >> 16) - (left >> 16));
                        sub[i + 1] = (byte) ((p >> 8) - (left >> 8));
                        sub[i + 2] = (byte) (p - left);
                        left = p;
                    }
                    row = sub;
                }
                deflater.setInput(row, 0, stride + 1);
                drain(deflater, buf, fill, d, false);
            }
            deflater.finish();
            drain(deflater, buf, fill, d, true);
            if (fill[0] > 0) {
                chunk(d, "IDAT", buf, fill[0]);
            }
        } finally {
            deflater.end();
        }
        chunk(d, "IEND", new byte[0], 0);
        d.flush();
    }

    /** Deflates what is pending into {@code buf}, emitting a full IDAT chunk whenever it fills. */
    private static void drain(Deflater deflater, byte[] buf, int[] fill, DataOutputStream d, boolean finishing)
            throws IOException {
        while (finishing ? !deflater.finished() : !deflater.needsInput()) {
            int n = deflater.deflate(buf, fill[0], buf.length - fill[0]);
            fill[0] += n;
            if (fill[0] == buf.length) {
                chunk(d, "IDAT", buf, fill[0]);
                fill[0] = 0;
            }
        }
    }

    private static void chunk(DataOutputStream d, String type, byte[] data, int len) throws IOException {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        d.writeInt(len);
        d.write(t);
        d.write(data, 0, len);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data, 0, len);
        d.writeInt((int) crc.getValue());
    }

    private static void int32(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }
}
