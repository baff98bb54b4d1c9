package io.convscope.image;

import io.convscope.render.Images;
import java.awt.image.BufferedImage;

/**
 * EXIF orientation (tag 0x0112): how the stored pixels must be turned to show the picture upright.
 * 1 upright, 2 mirrored left-right, 3 rotated 180°, 4 mirrored top-bottom, 5 transposed (mirrored
 * along the main diagonal), 6 needs a 90° clockwise turn, 7 transversed, 8 needs a 90° counter-clockwise
 * turn.
 */
final class Orientation {
    private Orientation() {
    }

    /** The upright image; {@code img} itself for orientation 1 or an unknown value. */
    static BufferedImage apply(BufferedImage img, int orientation) {
        if (orientation < 2 || orientation > 8) {
            return img;
        }
        BufferedImage rgb = Images.toRgb(img);
        int w = rgb.getWidth();
        int h = rgb.getHeight();
        boolean swap = orientation >= 5;
        int ow = swap ? h : w;
        int oh = swap ? w : h;
        int[] src = Images.pixels(rgb);
        BufferedImage out = new BufferedImage(ow, oh, BufferedImage.TYPE_INT_RGB);
        int[] dst = Images.pixels(out);
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                int sx;
                int sy;
                switch (orientation) {
                    case 2 -> { sx = w - 1 - x; sy = y; }
                    case 3 -> { sx = w - 1 - x; sy = h - 1 - y; }
                    case 4 -> { sx = x; sy = h - 1 - y; }
                    case 5 -> { sx = y; sy = x; }
                    case 6 -> { sx = y; sy = h - 1 - x; }
                    case 7 -> { sx = w - 1 - y; sy = h - 1 - x; }
                    default -> { sx = w - 1 - y; sy = x; } // 8
                }
                dst[y * ow + x] = src[sy * w + sx];
            }
        }
        return out;
    }
}
