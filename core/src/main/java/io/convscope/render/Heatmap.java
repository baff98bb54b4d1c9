package io.convscope.render;

import java.awt.image.BufferedImage;

/**
 * One channel's values scaled to [0, 1] ({@link Normalization}), row-major, ready for a colormap.
 * A dead channel (every activation exactly zero) is flagged so that it can be drawn as such
 * ({@link #toImage}) instead of as a flat or noisy map.
 *
 * @param unit   {@code width * height} values in [0, 1], row-major (all 0 for a dead channel)
 * @param width  columns
 * @param height rows
 * @param dead   every activation of the channel was exactly zero
 */
public record Heatmap(float[] unit, int width, int height, boolean dead) {

    /** Checks the size. */
    public Heatmap {
        if (width <= 0 || height <= 0 || unit.length != width * height) {
            throw new IllegalArgumentException("heatmap " + width + "x" + height + " with " + unit.length + " values");
        }
    }

    /** A live heatmap. */
    public static Heatmap of(float[] unit, int width, int height) {
        return new Heatmap(unit, width, height, false);
    }

    /** The map in {@code colormap}, each value a {@code scale × scale} block (nearest neighbour). */
    public BufferedImage toImage(Colormap colormap, int scale) {
        BufferedImage img = Images.create(width * scale, height * scale, 0);
        draw(img, 0, 0, colormap, scale);
        return img;
    }

    /**
     * Draws the map at {@code (x, y)} of {@code target} ({@link Images#create} type), each value a
     * {@code scale × scale} block; a dead map is drawn as {@link Images#drawDead}.
     */
    public void draw(BufferedImage target, int x, int y, Colormap colormap, int scale) {
        if (dead) {
            Images.drawDead(target, x, y, width * scale, height * scale);
            return;
        }
        int[] lut = colormap.lut();
        int[] px = Images.pixels(target);
        int tw = target.getWidth();
        int th = target.getHeight();
        int[] row = new int[width * scale];
        for (int r = 0; r < height; r++) {
            for (int c = 0, o = r * width; c < width; c++) {
                int rgb = lut[Colormap.index(unit[o + c])];
                for (int k = 0, p = c * scale; k < scale; k++) {
                    row[p + k] = rgb;
                }
            }
            for (int k = 0; k < scale; k++) {
                int ty = y + r * scale + k;
                if (ty < 0 || ty >= th) {
                    continue;
                }
                int from = Math.max(0, -x);
                int to = Math.min(row.length, tw - x);
                if (to > from) {
                    System.arraycopy(row, from, px, ty * tw + x + from, to - from);
                }
            }
        }
    }
}
