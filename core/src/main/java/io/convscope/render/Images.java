package io.convscope.render;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferInt;
import java.awt.image.DirectColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.SinglePixelPackedSampleModel;
import java.awt.image.WritableRaster;

/**
 * Small pixel operations on {@link BufferedImage#TYPE_INT_RGB} images, done on the {@code int[]}
 * raster directly (no per-pixel {@code setRGB}, no AWT drawing, so results are identical everywhere).
 * Colours are 0xRRGGBB. Every method clips to the target image.
 */
public final class Images {
    private Images() {
    }

    /** Background of a dead channel's tile. */
    public static final int DEAD_FILL = 0x262626;
    /** Hatching of a dead channel's tile. */
    public static final int DEAD_HATCH = 0x3a3a3a;
    /** What an all-zero channel's tile says. */
    public static final String ZERO_MARK = "zero here";
    /** The colour of the mark on an all-zero channel's tile. */
    public static final int DEAD_TEXT = 0xa0a0a0;

    /** A new {@code TYPE_INT_RGB} image filled with {@code rgb}. */
    public static BufferedImage create(int width, int height, int rgb) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size " + width + "x" + height);
        }
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        if (rgb != 0) {
            java.util.Arrays.fill(pixels(img), rgb);
        }
        return img;
    }

    /**
     * A {@code TYPE_INT_RGB} image over {@code pixels} (row-major, exactly {@code width × height},
     * whatever they held), filled with {@code rgb}: a picture drawn into the array of one already
     * written, instead of a new array (large new arrays cost their zeroing and, while the heap grows,
     * page faults).
     */
    public static BufferedImage create(int width, int height, int rgb, int[] pixels) {
        if (width <= 0 || height <= 0 || pixels.length != (long) width * height) {
            throw new IllegalArgumentException("image size " + width + "x" + height + " for " + pixels.length + " pixels");
        }
        int[] masks = {0xff0000, 0xff00, 0xff};
        java.awt.image.WritableRaster raster = java.awt.image.Raster.createPackedRaster(
                new DataBufferInt(pixels, pixels.length), width, height, width, masks, null);
        BufferedImage img = new BufferedImage(new java.awt.image.DirectColorModel(24, masks[0], masks[1], masks[2]), raster,
                false, null);
        java.util.Arrays.fill(pixels, rgb);
        return img;
    }

    /**
     * The pixel array of a {@code TYPE_INT_RGB} image that owns its array (made by {@link #create},
     * {@link #toRgb} or {@code new BufferedImage(w, h, TYPE_INT_RGB)}; row-major, 0xRRGGBB): writes to
     * it change the image.
     *
     * @throws IllegalArgumentException for other images, a sub-image among them (its array is its
     *                                  parent's); convert them with {@link #toRgb}
     */
    public static int[] pixels(BufferedImage img) {
        if (img.getType() != BufferedImage.TYPE_INT_RGB || !ownsArray(img)) {
            throw new IllegalArgumentException("expected a TYPE_INT_RGB image with an array of its own, got type "
                    + img.getType() + (img.getRaster().getParent() != null ? " (a sub-image)" : "") + " (use Images.toRgb)");
        }
        return ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
    }

    /** Whether the image's pixels are exactly its data array, row after row (not a window of a larger one). */
    private static boolean ownsArray(BufferedImage img) {
        WritableRaster r = img.getRaster();
        return r.getDataBuffer() instanceof DataBufferInt db && db.getNumBanks() == 1 && db.getOffset() == 0
                && r.getParent() == null && r.getMinX() == 0 && r.getMinY() == 0
                && r.getSampleModelTranslateX() == 0 && r.getSampleModelTranslateY() == 0
                && r.getSampleModel() instanceof SinglePixelPackedSampleModel sm && sm.getScanlineStride() == img.getWidth()
                && db.getSize() == img.getWidth() * img.getHeight();
    }

    /**
     * Any image as 8-bit sRGB {@code TYPE_INT_RGB}, the one conversion convscope makes (of loaded files,
     * of pictures given to the encoders and to the drawing): {@code img} itself when it already is one
     * with an array of its own, else a converted copy, in which
     * <ul>
     *   <li>gray images have R = G = B = the stored gray values (not converted from linear light, as
     *       Java2D's gray colour space would do: 64, 128, 200 stay 64, 128, 200);</li>
     *   <li>transparency is composited over white, rounded ({@code c·a + 255·(1 − a)}; premultiplied
     *       samples {@code c + 255·(1 − a)});</li>
     *   <li>16-bit samples are rounded to 8 bits ({@code v · 255 / 65535});</li>
     *   <li>palette images take their palette's colours; sub-images their own pixels;</li>
     *   <li>other colour spaces (ICC profiles, linear RGB, float samples) go through Java2D to sRGB.</li>
     * </ul>
     */
    public static BufferedImage toRgb(BufferedImage img) {
        if (img.getType() == BufferedImage.TYPE_INT_RGB && ownsArray(img)) {
            return img;
        }
        int w = img.getWidth();
        int h = img.getHeight();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] dst = pixels(out);
        ColorModel cm = img.getColorModel();
        Raster raster = img.getRaster();
        ColorSpace cs = cm.getColorSpace();
        int type = raster.getTransferType();
        boolean integral = type == DataBuffer.TYPE_BYTE || type == DataBuffer.TYPE_USHORT || type == DataBuffer.TYPE_INT
                || type == DataBuffer.TYPE_SHORT && cm instanceof IndexColorModel;
        boolean gray = cs.getType() == ColorSpace.TYPE_GRAY && cm.getNumColorComponents() == 1;
        if (cm instanceof IndexColorModel icm && integral) {
            int[] lut = new int[icm.getMapSize()];
            icm.getRGBs(lut);
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                raster.getSamples(raster.getMinX(), raster.getMinY() + y, w, 1, 0, row);
                for (int x = 0; x < w; x++) {
                    int i = row[x];
                    dst[y * w + x] = overWhite(i >= 0 && i < lut.length ? lut[i] : 0xFF000000);
                }
            }
        } else if ((cm instanceof ComponentColorModel || cm instanceof DirectColorModel) && integral
                && (gray || cs.isCS_sRGB() && cm.getNumColorComponents() == 3)) {
            convertComponents(raster, cm, gray, w, h, dst);
        } else {
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                img.getRGB(0, y, w, 1, row, 0, w);
                for (int x = 0; x < w; x++) {
                    dst[y * w + x] = overWhite(row[x]);
                }
            }
        }
        return out;
    }

    /** Component samples (gray or sRGB, 8 or 16 bits, alpha or not) to 0xRRGGBB. */
    private static void convertComponents(Raster raster, ColorModel cm, boolean gray, int w, int h, int[] dst) {
        int bands = raster.getNumBands();
        int colors = cm.getNumColorComponents();
        boolean alpha = cm.hasAlpha() && bands > colors;
        boolean premultiplied = cm.isAlphaPremultiplied();
        int[] max = new int[bands];
        for (int b = 0; b < bands; b++) {
            max[b] = (int) ((1L << cm.getComponentSize(b)) - 1);
        }
        if (bytesDirect(raster, max, colors, gray, alpha, premultiplied, w, h, dst)) {
            return;
        }
        int[] row = new int[w * bands];
        for (int y = 0; y < h; y++) {
            raster.getPixels(raster.getMinX(), raster.getMinY() + y, w, 1, row);
            for (int x = 0; x < w; x++) {
                int o = x * bands;
                int r = to8(row[o], max[0]);
                int g = gray ? r : to8(row[o + 1], max[1]);
                int b = gray ? r : to8(row[o + 2], max[2]);
                if (alpha) {
                    double a = (row[o + colors] & 0xFFFFFFFFL) / (double) max[colors];
                    r = over(r, a, premultiplied);
                    g = over(g, a, premultiplied);
                    b = over(b, a, premultiplied);
                }
                dst[y * w + x] = (r << 16) | (g << 8) | b;
            }
        }
    }

    /**
     * {@link #convertComponents} for 8-bit samples interleaved in a byte array (what the PNG and JPEG
     * readers give): the same values, read from the array instead of through {@code Raster.getPixels}.
     * False (nothing written) for other layouts.
     */
    private static boolean bytesDirect(Raster raster, int[] max, int colors, boolean gray, boolean alpha,
            boolean premultiplied, int w, int h, int[] dst) {
        if (!(raster.getDataBuffer() instanceof DataBufferByte db)
                || !(raster.getSampleModel() instanceof ComponentSampleModel sm)) {
            return false;
        }
        int used = gray ? 1 : 3;
        for (int b = 0; b < max.length; b++) {
            if (max[b] != 255) {
                return false;
            }
        }
        int[] bank = sm.getBankIndices();
        int[] band = sm.getBandOffsets();
        byte[][] data = db.getBankData();
        int[] offsets = db.getOffsets();
        int ps = sm.getPixelStride();
        int ss = sm.getScanlineStride();
        int x0 = raster.getMinX() - raster.getSampleModelTranslateX();
        int y0 = raster.getMinY() - raster.getSampleModelTranslateY();
        byte[] dr = data[bank[0]];
        byte[] dg = data[bank[gray ? 0 : 1]];
        byte[] dbl = data[bank[gray ? 0 : 2]];
        int or = offsets[bank[0]] + band[0];
        int og = offsets[bank[gray ? 0 : 1]] + band[gray ? 0 : 1];
        int ob = offsets[bank[gray ? 0 : 2]] + band[gray ? 0 : 2];
        byte[] da = alpha ? data[bank[colors]] : null;
        int oa = alpha ? offsets[bank[colors]] + band[colors] : 0;
        for (int y = 0; y < h; y++) {
            int line = (y0 + y) * ss + x0 * ps;
            int o = y * w;
            for (int x = 0; x < w; x++) {
                int p = line + x * ps;
                int r = dr[or + p] & 0xFF;
                int g = used == 1 ? r : dg[og + p] & 0xFF;
                int b = used == 1 ? r : dbl[ob + p] & 0xFF;
                if (alpha) {
                    double a = (da[oa + p] & 0xFF) / 255.0;
                    r = over(r, a, premultiplied);
                    g = over(g, a, premultiplied);
                    b = over(b, a, premultiplied);
                }
                dst[o + x] = (r << 16) | (g << 8) | b;
            }
        }
        return true;
    }

    /** A sample of {@code max + 1} levels as 8 bits, rounded. */
    private static int to8(int v, int max) {
        if (max == 255) {
            return v & 0xFF;
        }
        long u = v & 0xFFFFFFFFL;
        return (int) Math.min(255, (u * 255 * 2 + max) / (2L * max));
    }

    /** One channel composited over white, rounded. */
    private static int over(int c, double a, boolean premultiplied) {
        double v = premultiplied ? c + 255 * (1 - a) : c * a + 255 * (1 - a);
        return (int) Math.max(0, Math.min(255, Math.round(v)));
    }

    /** Non-premultiplied 0xAARRGGBB to 0xRRGGBB over white. */
    private static int overWhite(int argb) {
        int a = argb >>> 24;
        if (a == 255) {
            return argb & 0xFFFFFF;
        }
        double f = a / 255.0;
        return (over((argb >> 16) & 0xFF, f, false) << 16) | (over((argb >> 8) & 0xFF, f, false) << 8)
                | over(argb & 0xFF, f, false);
    }

    /** Fills the rectangle {@code (x, y, w, h)} with {@code rgb}. */
    public static void fill(BufferedImage img, int x, int y, int w, int h, int rgb) {
        int[] px = pixels(img);
        int iw = img.getWidth();
        int x0 = Math.max(0, x);
        int x1 = Math.min(iw, x + w);
        int y0 = Math.max(0, y);
        int y1 = Math.min(img.getHeight(), y + h);
        if (x1 <= x0) {
            return;
        }
        for (int yy = y0; yy < y1; yy++) {
            java.util.Arrays.fill(px, yy * iw + x0, yy * iw + x1, rgb);
        }
    }

    /** Copies {@code src} (any type) into {@code dst} with its top-left corner at {@code (x, y)}. */
    public static void draw(BufferedImage dst, BufferedImage src, int x, int y) {
        BufferedImage s = toRgb(src);
        int[] sp = pixels(s);
        int[] dp = pixels(dst);
        int sw = s.getWidth();
        int dw = dst.getWidth();
        int from = Math.max(0, -x);
        int to = Math.min(sw, dw - x);
        if (to <= from) {
            return;
        }
        for (int r = Math.max(0, -y), end = Math.min(s.getHeight(), dst.getHeight() - y); r < end; r++) {
            System.arraycopy(sp, r * sw + from, dp, (y + r) * dw + x + from, to - from);
        }
    }

    /** {@code img} enlarged {@code factor} times by nearest neighbour (each pixel a block); a new image. */
    public static BufferedImage upscale(BufferedImage img, int factor) {
        if (factor < 1) {
            throw new IllegalArgumentException("factor " + factor);
        }
        BufferedImage s = toRgb(img);
        int w = s.getWidth();
        int h = s.getHeight();
        if (factor == 1) {
            return s == img ? copy(s) : s;
        }
        BufferedImage out = create(w * factor, h * factor, 0);
        int[] sp = pixels(s);
        int[] dp = pixels(out);
        int ow = w * factor;
        for (int r = 0; r < h; r++) {
            int o = r * factor * ow;
            for (int c = 0; c < w; c++) {
                java.util.Arrays.fill(dp, o + c * factor, o + c * factor + factor, sp[r * w + c]);
            }
            for (int k = 1; k < factor; k++) {
                System.arraycopy(dp, o, dp, o + k * ow, ow);
            }
        }
        return out;
    }

    /** A {@code TYPE_INT_RGB} copy of {@code img}. */
    public static BufferedImage copy(BufferedImage img) {
        BufferedImage s = toRgb(img);
        BufferedImage out = create(s.getWidth(), s.getHeight(), 0);
        System.arraycopy(pixels(s), 0, pixels(out), 0, pixels(out).length);
        return out;
    }

    /**
     * The integer nearest-neighbour factor that makes a {@code width × height} map at least
     * {@code minSize} pixels on its longer side: {@code max(1, ceil(minSize / max(width, height)))}.
     */
    public static int scaleFor(int width, int height, int minSize) {
        int longer = Math.max(width, height);
        return Math.max(1, (minSize + longer - 1) / longer);
    }

    /** {@code img} centred on a {@code width × height} canvas of colour {@code rgb} (cropped if larger). */
    public static BufferedImage centre(BufferedImage img, int width, int height, int rgb) {
        BufferedImage out = create(width, height, rgb);
        draw(out, img, (width - img.getWidth()) / 2, (height - img.getHeight()) / 2);
        return out;
    }

    /**
     * Draws the tile of a channel that is all zero for this input: a dark flat rectangle with diagonal
     * hatching and, where it fits, {@value #ZERO_MARK} in the middle (on two lines in a narrow tile), so
     * that it cannot be mistaken for a map.
     */
    public static void drawDead(BufferedImage img, int x, int y, int w, int h) {
        fill(img, x, y, w, h, DEAD_FILL);
        int[] px = pixels(img);
        int iw = img.getWidth();
        int ih = img.getHeight();
        for (int r = Math.max(0, y); r < Math.min(ih, y + h); r++) {
            for (int c = Math.max(0, x); c < Math.min(iw, x + w); c++) {
                if (((c - x) + (r - y)) % 6 == 0) {
                    px[r * iw + c] = DEAD_HATCH;
                }
            }
        }
        // "zero here": all zero for this input, which says nothing of other inputs (not "dead")
        String[] mark = Text.width(ZERO_MARK, 1) + 4 <= w ? new String[] {ZERO_MARK} : ZERO_MARK.split(" ");
        int tw = 0;
        for (String line : mark) {
            tw = Math.max(tw, Text.width(line, 1));
        }
        int th = (mark.length - 1) * Text.LINE + Text.HEIGHT;
        if (tw + 4 <= w && th + 4 <= h) {
            int ty = y + (h - th) / 2;
            fill(img, x + (w - tw) / 2 - 2, ty - 2, tw + 4, th + 3, DEAD_FILL);
            for (int k = 0; k < mark.length; k++) {
                Text.draw(img, x + (w - Text.width(mark[k], 1)) / 2, ty + k * Text.LINE, mark[k], DEAD_TEXT, 1);
            }
        }
    }

    /** A straight line from {@code (x0, y0)} to {@code (x1, y1)}, {@code thickness} pixels square pen. */
    public static void line(BufferedImage img, int x0, int y0, int x1, int y1, int rgb, int thickness) {
        int dx = Math.abs(x1 - x0);
        int dy = -Math.abs(y1 - y0);
        int sx = x0 < x1 ? 1 : -1;
        int sy = y0 < y1 ? 1 : -1;
        int err = dx + dy;
        int half = (thickness - 1) / 2;
        while (true) {
            fill(img, x0 - half, y0 - half, thickness, thickness, rgb);
            if (x0 == x1 && y0 == y1) {
                break;
            }
            int e2 = 2 * err;
            if (e2 >= dy) {
                err += dy;
                x0 += sx;
            }
            if (e2 <= dx) {
                err += dx;
                y0 += sy;
            }
        }
    }
}
