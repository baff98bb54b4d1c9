package io.convscope.image;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.IntBinaryOperator;
import java.util.zip.CRC32;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/** Builds test images in memory and on disk; nothing is downloaded. */
final class TestImages {
    static final int RED = 0xFF0000;
    static final int GREEN = 0x00FF00;
    static final int BLUE = 0x0000FF;

    private TestImages() {
    }

    /** A TYPE_INT_RGB image whose pixel (x, y) is {@code f(x, y)}. */
    static BufferedImage rgb(int w, int h, IntBinaryOperator f) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, f.applyAsInt(x, y));
            }
        }
        return img;
    }

    static BufferedImage solid(int w, int h, int rgb) {
        return rgb(w, h, (x, y) -> rgb);
    }

    static Path write(BufferedImage img, String format, Path file) {
        try {
            assertTrue(ImageIO.write(img, format, file.toFile()), "no " + format + " writer for " + img);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] bytes(BufferedImage img, String format) {
        try {
            ByteArrayOutputStream bo = new ByteArrayOutputStream();
            assertTrue(ImageIO.write(img, format, bo), "no " + format + " writer for " + img);
            return bo.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path put(Path file, byte[] data) {
        try {
            return Files.write(file, data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A baseline JPEG at the given quality of an image or a raw (e.g. 4-band) raster. */
    static byte[] jpeg(Object imageOrRaster, float quality) {
        try {
            ImageWriter w = ImageIO.getImageWritersByFormatName("jpeg").next();
            ByteArrayOutputStream bo = new ByteArrayOutputStream();
            try (ImageOutputStream os = ImageIO.createImageOutputStream(bo)) {
                w.setOutput(os);
                ImageWriteParam p = w.getDefaultWriteParam();
                p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                p.setCompressionQuality(quality);
                IIOImage iio = imageOrRaster instanceof Raster r ? new IIOImage(r, null, null)
                        : new IIOImage((BufferedImage) imageOrRaster, null, null);
                w.write(null, iio, p);
            } finally {
                w.dispose();
            }
            return bo.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A 4-band byte raster whose pixel (x, y) is {@code f(x, y)} = 0xAABBCCDD for bands 0..3. */
    static WritableRaster raster4(int w, int h, IntBinaryOperator f) {
        WritableRaster r = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, w, h, 4, null);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int v = f.applyAsInt(x, y);
                r.setPixel(x, y, new int[] {v >>> 24, (v >> 16) & 0xFF, (v >> 8) & 0xFF, v & 0xFF});
            }
        }
        return r;
    }

    /** The JPEG with a segment inserted right after SOI (where cameras put EXIF). */
    static byte[] afterSoi(byte[] jpeg, byte[] segment) {
        if ((jpeg[0] & 0xFF) != 0xFF || (jpeg[1] & 0xFF) != 0xD8) {
            throw new IllegalArgumentException("not a JPEG");
        }
        byte[] out = new byte[jpeg.length + segment.length];
        System.arraycopy(jpeg, 0, out, 0, 2);
        System.arraycopy(segment, 0, out, 2, segment.length);
        System.arraycopy(jpeg, 2, out, 2 + segment.length, jpeg.length - 2);
        return out;
    }

    /** An APP1 Exif segment whose IFD0 holds only the orientation tag (SHORT). */
    static byte[] exif(int orientation, boolean littleEndian) {
        ByteBuffer tiff = ByteBuffer.allocate(8 + 2 + 12 + 4);
        tiff.order(littleEndian ? java.nio.ByteOrder.LITTLE_ENDIAN : java.nio.ByteOrder.BIG_ENDIAN);
        tiff.put((byte) (littleEndian ? 'I' : 'M')).put((byte) (littleEndian ? 'I' : 'M'));
        tiff.putShort((short) 42).putInt(8);
        tiff.putShort((short) 1);                          // one entry
        tiff.putShort((short) 0x0112).putShort((short) 3).putInt(1);
        tiff.putShort((short) orientation).putShort((short) 0); // value, left-justified
        tiff.putInt(0);                                    // no next IFD
        return segment(0xE1, concat("Exif\0\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII), tiff.array()));
    }

    /** An Adobe APP14 segment with the given colour transform (0 none/CMYK, 1 YCbCr, 2 YCCK). */
    static byte[] adobe(int transform) {
        byte[] p = {'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, (byte) transform};
        return segment(0xEE, p);
    }

    static byte[] segment(int marker, byte[] payload) {
        int len = payload.length + 2;
        byte[] s = new byte[payload.length + 4];
        s[0] = (byte) 0xFF;
        s[1] = (byte) marker;
        s[2] = (byte) (len >> 8);
        s[3] = (byte) len;
        System.arraycopy(payload, 0, s, 4, payload.length);
        return s;
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] o = new byte[a.length + b.length];
        System.arraycopy(a, 0, o, 0, a.length);
        System.arraycopy(b, 0, o, a.length, b.length);
        return o;
    }

    /** A PNG with IHDR's width and height replaced (CRC fixed), the rest untouched. */
    static byte[] pngWithClaimedSize(byte[] png, int width, int height) {
        byte[] out = png.clone();
        ByteBuffer b = ByteBuffer.wrap(out);
        // signature 8, length 4, "IHDR" 4, then width, height
        b.putInt(16, width).putInt(20, height);
        CRC32 crc = new CRC32();
        crc.update(out, 12, 4 + 13);
        b.putInt(12 + 4 + 13, (int) crc.getValue());
        return out;
    }

    /** A 16-colour palette image, colours 0xRRGGBB from {@code palette}, index (x, y) from {@code f}. */
    static BufferedImage indexed(int[] palette, int transparent, int w, int h, IntBinaryOperator f) {
        byte[] r = new byte[palette.length];
        byte[] g = new byte[palette.length];
        byte[] b = new byte[palette.length];
        for (int i = 0; i < palette.length; i++) {
            r[i] = (byte) (palette[i] >> 16);
            g[i] = (byte) (palette[i] >> 8);
            b[i] = (byte) palette[i];
        }
        IndexColorModel cm = transparent >= 0 ? new IndexColorModel(8, palette.length, r, g, b, transparent)
                : new IndexColorModel(8, palette.length, r, g, b);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_INDEXED, cm);
        WritableRaster wr = img.getRaster();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                wr.setSample(x, y, 0, f.applyAsInt(x, y));
            }
        }
        return img;
    }

    static int[] channels(int rgb) {
        return new int[] {(rgb >> 16) & 0xFF, (rgb >> 8) & 0xFF, rgb & 0xFF};
    }

    /** Largest per-channel difference between two 0xRRGGBB colours. */
    static int distance(int a, int b) {
        int[] x = channels(a);
        int[] y = channels(b);
        return Math.max(Math.abs(x[0] - y[0]), Math.max(Math.abs(x[1] - y[1]), Math.abs(x[2] - y[2])));
    }

    static String hex(int rgb) {
        return String.format("#%06X", rgb & 0xFFFFFF);
    }
}
