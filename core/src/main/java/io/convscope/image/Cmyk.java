package io.convscope.image;

import io.convscope.render.Images;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;

/**
 * Four-component JPEG data (CMYK or YCCK, as the decoder hands it over undecoded) to RGB.
 *
 * <p>The conversion is the naive one PIL uses, {@code R = (255 - C)(255 - K) / 255} and likewise for G
 * and B; colour profiles are ignored. Files with an Adobe APP14 segment (all Photoshop CMYK JPEGs) store
 * the ink values inverted (0 = full ink), and Adobe transform 2 means the first three channels hold the
 * inverted C, M, Y encoded as YCbCr (YCCK), which is undone first exactly as libjpeg does.
 */
final class Cmyk {
    private Cmyk() {
    }

    /**
     * @param adobeTransform the Adobe APP14 transform byte, or {@link JpegHeader#NO_ADOBE} when the
     *                       file has no Adobe segment (then the values are plain, not inverted, CMYK)
     */
    static BufferedImage toRgb(Raster raster, int adobeTransform) {
        if (raster.getNumBands() != 4) {
            throw new IllegalArgumentException("expected 4 bands, got " + raster.getNumBands());
        }
        boolean inverted = adobeTransform != JpegHeader.NO_ADOBE;
        boolean ycck = adobeTransform == 2;
        int w = raster.getWidth();
        int h = raster.getHeight();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] dst = Images.pixels(out);
        int[] row = new int[4 * w];
        for (int y = 0; y < h; y++) {
            raster.getPixels(raster.getMinX(), raster.getMinY() + y, w, 1, row);
            for (int x = 0; x < w; x++) {
                int o = 4 * x;
                int c = row[o];
                int m = row[o + 1];
                int ye = row[o + 2];
                int k = row[o + 3];
                if (ycck) {
                    // libjpeg's YCCK -> CMYK: YCbCr -> RGB, then C = 255 - R, ... (K passes through)
                    double yy = c;
                    double cb = m - 128.0;
                    double cr = ye - 128.0;
                    c = 255 - clamp(yy + 1.402 * cr);
                    m = 255 - clamp(yy - 0.344136 * cb - 0.714136 * cr);
                    ye = 255 - clamp(yy + 1.772 * cb);
                }
                if (inverted) {
                    c = 255 - c;
                    m = 255 - m;
                    ye = 255 - ye;
                    k = 255 - k;
                }
                int r = (int) Math.round((255 - c) * (255 - k) / 255.0);
                int g = (int) Math.round((255 - m) * (255 - k) / 255.0);
                int b = (int) Math.round((255 - ye) * (255 - k) / 255.0);
                dst[y * w + x] = (r << 16) | (g << 8) | b;
            }
        }
        return out;
    }

    private static int clamp(double v) {
        return (int) Math.max(0, Math.min(255, Math.round(v)));
    }
}
