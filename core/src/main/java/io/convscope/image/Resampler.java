package io.convscope.image;

import io.convscope.render.Images;
import java.awt.image.BufferedImage;

/**
 * Separable resampling of 8-bit RGB images, written out so that its arithmetic is known exactly.
 *
 * <p>Along each axis independently:
 * <ul>
 *   <li>when enlarging (or at the same scale): <b>bilinear with half-pixel centres</b>: output pixel
 *       {@code i} samples the source at {@code u = x0 + (i + 0.5) * scale - 0.5}, clamped to the first
 *       and last pixel centres. This is TensorFlow's {@code resize(..., antialias=False)}, PyTorch's
 *       {@code interpolate(..., align_corners=False)}, OpenCV's {@code INTER_LINEAR} and PIL's
 *       bilinear;</li>
 *   <li>when shrinking: <b>bilinear widened by the scale</b> (antialiased): output pixel {@code i},
 *       centred at {@code c = x0 + (i + 0.5) * scale}, is the mean of the source pixels {@code j}
 *       weighted {@code max(0, 1 - |j + 0.5 - c| / scale)}, the weights of pixels outside the image
 *       dropped and the rest renormalized. This is how PIL's bilinear shrinks (and so torchvision's
 *       {@code Resize}, with which ImageNet models are evaluated), and TensorFlow's and PyTorch's
 *       bilinear with {@code antialias=True}. Plain bilinear would read only 2 of every {@code scale}
 *       source pixels and alias: between 1× and 2× it changed SqueezeNet's answer on the fixture
 *       photo of a rocket.</li>
 * </ul>
 * Results are rounded to the nearest integer once, at the end.
 */
public final class Resampler {
    private Resampler() {
    }

    /**
     * The whole image resized to {@code width × height}, as {@link BufferedImage#TYPE_INT_RGB}: the
     * image itself when it already is that type and size (do not modify the result in place).
     */
    public static BufferedImage resize(BufferedImage src, int width, int height) {
        return resample(src, 0, 0, src.getWidth(), src.getHeight(), width, height);
    }

    /**
     * The source rectangle {@code (x, y, w, h)}, in pixel units where pixel {@code i} spans
     * {@code [i, i + 1)} (fractions allowed), resampled to {@code width × height}. Bilinear sampling near
     * the rectangle's edges may read pixels just outside it, as resizing the whole image and then
     * cropping would.
     */
    public static BufferedImage resample(BufferedImage src, double x, double y, double w, double h, int width,
            int height) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("output size " + width + "×" + height);
        }
        if (!(w > 0 && h > 0)) {
            throw new IllegalArgumentException("source rectangle " + w + "×" + h);
        }
        BufferedImage rgb = Images.toRgb(src);
        int sw = rgb.getWidth();
        int sh = rgb.getHeight();
        if (x == 0 && y == 0 && w == sw && h == sh && width == sw && height == sh) {
            return rgb;
        }
        int[] in = Images.pixels(rgb);
        Weights wx = Weights.of(sw, x, w, width);
        Weights wy = Weights.of(sh, y, h, height);

        // Horizontal pass over the source rows the vertical pass reads.
        int rowLo = wy.minIndex();
        int rowHi = wy.maxIndex();
        int rows = rowHi - rowLo + 1;
        float[] tmp = new float[3 * rows * width];
        for (int r = 0; r < rows; r++) {
            int base = (rowLo + r) * sw;
            for (int i = 0; i < width; i++) {
                double cr = 0;
                double cg = 0;
                double cb = 0;
                for (int k = wx.start[i]; k < wx.start[i + 1]; k++) {
                    int p = in[base + wx.index[k]];
                    double f = wx.weight[k];
                    cr += f * ((p >> 16) & 0xFF);
                    cg += f * ((p >> 8) & 0xFF);
                    cb += f * (p & 0xFF);
                }
                int o = 3 * (r * width + i);
                tmp[o] = (float) cr;
                tmp[o + 1] = (float) cg;
                tmp[o + 2] = (float) cb;
            }
        }
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int[] dst = Images.pixels(out);
        for (int j = 0; j < height; j++) {
            for (int i = 0; i < width; i++) {
                double cr = 0;
                double cg = 0;
                double cb = 0;
                for (int k = wy.start[j]; k < wy.start[j + 1]; k++) {
                    int o = 3 * ((wy.index[k] - rowLo) * width + i);
                    double f = wy.weight[k];
                    cr += f * tmp[o];
                    cg += f * tmp[o + 1];
                    cb += f * tmp[o + 2];
                }
                dst[j * width + i] = (round(cr) << 16) | (round(cg) << 8) | round(cb);
            }
        }
        return out;
    }

    private static int round(double v) {
        return (int) Math.max(0, Math.min(255, Math.floor(v + 0.5)));
    }

    /** For each output index, the source indices it reads and their weights (summing to 1). */
    static final class Weights {
        final int[] start; // output i uses entries start[i] .. start[i+1]-1
        final int[] index;
        final double[] weight;

        private Weights(int[] start, int[] index, double[] weight) {
            this.start = start;
            this.index = index;
            this.weight = weight;
        }

        int minIndex() {
            int m = Integer.MAX_VALUE;
            for (int i = 0; i < start[start.length - 1]; i++) {
                m = Math.min(m, index[i]);
            }
            return m;
        }

        int maxIndex() {
            int m = Integer.MIN_VALUE;
            for (int i = 0; i < start[start.length - 1]; i++) {
                m = Math.max(m, index[i]);
            }
            return m;
        }

        /**
         * @param size   source pixels along the axis
         * @param from   start of the source interval
         * @param length length of the source interval
         * @param out    output pixels
         */
        static Weights of(int size, double from, double length, int out) {
            double scale = length / out;
            boolean shrink = scale > 1;
            int per = shrink ? (int) Math.ceil(2 * scale) + 2 : 2;
            int[] start = new int[out + 1];
            int[] index = new int[out * per];
            double[] weight = new double[out * per];
            int n = 0;
            for (int i = 0; i < out; i++) {
                start[i] = n;
                if (shrink) {
                    // the triangle of bilinear interpolation widened by the scale: 1 - |d| / scale for
                    // a source pixel centre at distance d from the output pixel's centre, pixels
                    // outside the image left out and the rest renormalized
                    double centre = from + (i + 0.5) * scale;
                    int lo = Math.max(0, (int) Math.floor(centre - scale));
                    int hi = Math.min(size - 1, (int) Math.ceil(centre + scale));
                    double total = 0;
                    int first = n;
                    for (int j = lo; j <= hi; j++) {
                        double t = 1 - Math.abs(j + 0.5 - centre) / scale;
                        if (t <= 1e-12) {
                            continue;
                        }
                        index[n] = j;
                        weight[n] = t;
                        total += t;
                        n++;
                    }
                    if (n == first) { // a source interval entirely outside the image: its nearest pixel
                        index[n] = Math.max(0, Math.min(size - 1, (int) Math.floor(centre)));
                        weight[n] = 1;
                        total = 1;
                        n++;
                    }
                    for (int k = first; k < n; k++) {
                        weight[k] /= total;
                    }
                } else {
                    double u = from + (i + 0.5) * scale - 0.5;
                    u = Math.max(0, Math.min(size - 1, u));
                    int j0 = (int) Math.floor(u);
                    double f = u - j0;
                    index[n] = j0;
                    weight[n] = 1 - f;
                    n++;
                    if (f > 0) {
                        index[n] = Math.min(j0 + 1, size - 1);
                        weight[n] = f;
                        n++;
                    }
                }
            }
            start[out] = n;
            return new Weights(start, index, weight);
        }
    }
}
