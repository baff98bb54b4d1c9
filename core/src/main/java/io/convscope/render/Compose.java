package io.convscope.render;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * Puts finished pictures together: one above the other ({@link #column}, e.g. a compare sheet with
 * one row per image) or side by side ({@link #row}).
 */
public final class Compose {
    private Compose() {
    }

    /** {@code images} stacked top to bottom, left-aligned, {@code gap} pixels apart, on {@code background}. */
    public static BufferedImage column(List<BufferedImage> images, int gap, int background) {
        int w = 1;
        int h = 0;
        for (BufferedImage i : images) {
            w = Math.max(w, i.getWidth());
            h += i.getHeight();
        }
        h += Math.max(0, images.size() - 1) * gap;
        BufferedImage out = Images.create(w, Math.max(1, h), background);
        int y = 0;
        for (BufferedImage i : images) {
            Images.draw(out, i, 0, y);
            y += i.getHeight() + gap;
        }
        return out;
    }

    /** {@code images} side by side left to right, top-aligned, {@code gap} pixels apart, on {@code background}. */
    public static BufferedImage row(List<BufferedImage> images, int gap, int background) {
        int w = 0;
        int h = 1;
        for (BufferedImage i : images) {
            h = Math.max(h, i.getHeight());
            w += i.getWidth();
        }
        w += Math.max(0, images.size() - 1) * gap;
        BufferedImage out = Images.create(Math.max(1, w), h, background);
        int x = 0;
        for (BufferedImage i : images) {
            Images.draw(out, i, x, 0);
            x += i.getWidth() + gap;
        }
        return out;
    }
}
