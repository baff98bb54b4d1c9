package io.convscope.explain;

import io.convscope.render.Colormap;
import io.convscope.render.Images;
import io.convscope.render.Text;

import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.List;

/**
 * Pictures of attribution maps: a map over the image it explains (unsigned maps in a sequential
 * colormap from 0 to the 99.5th percentile, signed maps in a blue–white–red diverging colormap
 * symmetric about 0 up to the 99.5th percentile of |value|), and the labelled panels of a run.
 */
public final class ExplainPictures {
    private ExplainPictures() {
    }

    /** The colour of t in [−1, 1] on Moreland's cool-warm map (blue, light grey, red), linear in RGB. */
    public static int diverging(float t) {
        float u = Math.max(-1f, Math.min(1f, t));
        int[] lo = u < 0 ? new int[] {59, 76, 192} : new int[] {180, 4, 38};
        int[] mid = {221, 221, 221};
        float a = Math.abs(u);
        int r = Math.round(mid[0] + a * (lo[0] - mid[0]));
        int g = Math.round(mid[1] + a * (lo[1] - mid[1]));
        int b = Math.round(mid[2] + a * (lo[2] - mid[2]));
        return r << 16 | g << 8 | b;
    }

    /** The 99.5th percentile of |v| (the largest |v| for small maps), at least a tiny positive number. */
    static float scale(float[] v) {
        float[] a = MapOps.abs(v);
        Arrays.sort(a);
        float s = a[Math.min(a.length - 1, (int) Math.floor(0.995 * (a.length - 1)))];
        return s > 0 ? s : Math.max(a[a.length - 1], 1e-30f);
    }

    /** {@code map} (h × w) over {@code image} (the same size) with {@code opacity} in [0, 1]. */
    public static BufferedImage overlay(BufferedImage image, float[] map, int h, int w, boolean signed, Colormap colormap, float opacity) {
        float s = scale(map);
        int[] px = Images.pixels(Images.toRgb(image));
        int[] out = new int[h * w];
        for (int p = 0; p < out.length; p++) {
            int color = signed ? diverging(map[p] / s) : colormap.rgb(Math.max(0f, Math.min(1f, map[p] / s)));
            out[p] = blend(px[p], color, opacity);
        }
        return fromPixels(w, h, out);
    }

    /** A new image holding a copy of {@code pixels} (row-major 0xRRGGBB). */
    public static BufferedImage fromPixels(int w, int h, int[] pixels) {
        BufferedImage img = Images.create(w, h, 0);
        System.arraycopy(pixels, 0, Images.pixels(img), 0, pixels.length);
        return img;
    }

    static int blend(int a, int b, float t) {
        int r = Math.round(((a >> 16) & 255) * (1 - t) + ((b >> 16) & 255) * t);
        int g = Math.round(((a >> 8) & 255) * (1 - t) + ((b >> 8) & 255) * t);
        int bl = Math.round((a & 255) * (1 - t) + (b & 255) * t);
        return r << 16 | g << 8 | bl;
    }

    /** A tile: the picture enlarged to at least {@code minSize} and up to four caption lines under it. */
    public static BufferedImage tile(BufferedImage picture, List<String> caption, int minSize) {
        int factor = Math.max(1, (int) Math.ceil((double) minSize / Math.max(picture.getWidth(), picture.getHeight())));
        BufferedImage big = factor > 1 ? Images.upscale(picture, factor) : picture;
        int width = Math.max(big.getWidth(), 120);
        int textH = caption.size() * Text.LINE + 4;
        BufferedImage t = Images.create(width, big.getHeight() + textH, 0xffffff);
        Images.draw(t, big, (width - big.getWidth()) / 2, 0);
        int y = big.getHeight() + 3;
        for (String line : caption) {
            Text.draw(t, 1, y, Text.fit(line, width - 2, 1), 0x202020, 1);
            y += Text.LINE;
        }
        return t;
    }

    /** A row of tiles under a title line. */
    public static BufferedImage panel(String title, List<BufferedImage> tiles) {
        int gap = 6;
        int w = gap;
        int h = 0;
        for (BufferedImage t : tiles) {
            w += t.getWidth() + gap;
            h = Math.max(h, t.getHeight());
        }
        int titleH = Text.LINE + 8;
        w = Math.max(w, Text.width(title, 1) + 2 * gap);
        BufferedImage p = Images.create(w, h + titleH + gap, 0xffffff);
        Text.draw(p, gap, 4, Text.fit(title, w - 2 * gap, 1), 0, 1);
        int x = gap;
        for (BufferedImage t : tiles) {
            Images.draw(p, t, x, titleH);
            x += t.getWidth() + gap;
        }
        return p;
    }

    /** Distinct colours for categorical maps (class indices), cycling after 12. */
    public static int category(int i) {
        int[] c = {0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd, 0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf, 0x393b79, 0xad494a};
        return c[Math.floorMod(i, c.length)];
    }
}
