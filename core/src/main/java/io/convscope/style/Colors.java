package io.convscope.style;

/**
 * Luminance and colour for colour-preserving style transfer (Gatys et al. 2016, "Preserving color in
 * neural artistic style transfer", the luminance-only method): the transfer runs on luminance images,
 * the style's luminance first matched to the content's mean and standard deviation, and the result's
 * luminance is joined with the content's colour (the I and Q channels of YIQ).
 *
 * <p>Images are C×H×W floats in [0, 1], channels R, G, B.
 */
public final class Colors {
    private Colors() {
    }

    /** RGB → YIQ (NTSC, as in Gatys et al. and scikit-image). */
    static final double[][] YIQ = {
        {0.299, 0.587, 0.114},
        {0.59590059, -0.27455667, -0.32134392},
        {0.21153661, -0.52273617, 0.31119955},
    };
    /** YIQ → RGB: the exact inverse of {@link #YIQ}, so that a round trip changes nothing. */
    static final double[][] RGB = invert(YIQ);

    /** The luminance Y = 0.299 R + 0.587 G + 0.114 B of an RGB image, H×W. */
    public static float[] luminance(float[] rgb, int h, int w) {
        int plane = h * w;
        check(rgb, 3, plane);
        float[] y = new float[plane];
        for (int p = 0; p < plane; p++) {
            y[p] = (float) (YIQ[0][0] * rgb[p] + YIQ[0][1] * rgb[plane + p] + YIQ[0][2] * rgb[2 * plane + p]);
        }
        return y;
    }

    /**
     * {@code y} shifted and scaled to the mean and standard deviation of {@code like}:
     * (y − μ_y) · σ_like / σ_y + μ_like (a flat {@code y} just takes the mean), clipped to [0, 1].
     */
    public static float[] matchLuminance(float[] y, float[] like) {
        double[] a = meanStd(y);
        double[] b = meanStd(like);
        double scale = a[1] > 1e-8 ? b[1] / a[1] : 0;
        float[] out = new float[y.length];
        for (int i = 0; i < y.length; i++) {
            out[i] = clip((float) ((y[i] - a[0]) * scale + b[0]));
        }
        return out;
    }

    /** The RGB image with luminance {@code y} and the colour (I, Q) of {@code colour}, clipped to [0, 1]. */
    public static float[] withLuminance(float[] y, float[] colour, int h, int w) {
        int plane = h * w;
        check(colour, 3, plane);
        check(y, 1, plane);
        float[] out = new float[3 * plane];
        for (int p = 0; p < plane; p++) {
            double r = colour[p];
            double g = colour[plane + p];
            double b = colour[2 * plane + p];
            double i = YIQ[1][0] * r + YIQ[1][1] * g + YIQ[1][2] * b;
            double q = YIQ[2][0] * r + YIQ[2][1] * g + YIQ[2][2] * b;
            for (int c = 0; c < 3; c++) {
                out[c * plane + p] = clip((float) (RGB[c][0] * y[p] + RGB[c][1] * i + RGB[c][2] * q));
            }
        }
        return out;
    }

    static double[] meanStd(float[] v) {
        double sum = 0;
        for (float x : v) {
            sum += x;
        }
        double mean = sum / v.length;
        double sq = 0;
        for (float x : v) {
            sq += (x - mean) * (x - mean);
        }
        return new double[] {mean, Math.sqrt(sq / v.length)};
    }

    private static float clip(float v) {
        return v < 0 ? 0 : v > 1 ? 1 : v;
    }

    private static void check(float[] img, int c, int plane) {
        if (img.length != (long) c * plane) {
            throw new IllegalArgumentException(img.length + " values for " + c + " channel(s) of " + plane + " pixels");
        }
    }

    static double[][] invert(double[][] m) {
        double a = m[0][0], b = m[0][1], c = m[0][2];
        double d = m[1][0], e = m[1][1], f = m[1][2];
        double g = m[2][0], h = m[2][1], i = m[2][2];
        double det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
        return new double[][] {
            {(e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det},
            {(f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det},
            {(d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det},
        };
    }
}
