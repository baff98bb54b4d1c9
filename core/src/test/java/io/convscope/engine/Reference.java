package io.convscope.engine;

/**
 * Straightforward loop implementations of layer maths, written independently of the engine, to
 * check it against. Arrays are NCHW, row-major.
 */
final class Reference {
    private Reference() {
    }

    /** Convolution with explicit padding {top, bottom, left, right}; kernel OIHW; groups. */
    static float[] conv(float[] x, int n, int c, int h, int w, float[] k, int o, int kh, int kw, float[] bias,
                        int sh, int sw, int dh, int dw, int[] pad, int groups, int[] outHw) {
        int oh = (h + pad[0] + pad[1] - ((kh - 1) * dh + 1)) / sh + 1;
        int ow = (w + pad[2] + pad[3] - ((kw - 1) * dw + 1)) / sw + 1;
        outHw[0] = oh;
        outHw[1] = ow;
        int cg = c / groups;
        int og = o / groups;
        float[] y = new float[n * o * oh * ow];
        for (int b = 0; b < n; b++) {
            for (int oc = 0; oc < o; oc++) {
                int g = oc / og;
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        double s = bias == null ? 0 : bias[oc];
                        for (int ic = 0; ic < cg; ic++) {
                            int cin = g * cg + ic;
                            for (int u = 0; u < kh; u++) {
                                int yy = i * sh + u * dh - pad[0];
                                if (yy < 0 || yy >= h) {
                                    continue;
                                }
                                for (int v = 0; v < kw; v++) {
                                    int xx = j * sw + v * dw - pad[2];
                                    if (xx < 0 || xx >= w) {
                                        continue;
                                    }
                                    s += x[((b * c + cin) * h + yy) * w + xx] * k[((oc * cg + ic) * kh + u) * kw + v];
                                }
                            }
                        }
                        y[((b * o + oc) * oh + i) * ow + j] = (float) s;
                    }
                }
            }
        }
        return y;
    }

    /** Max or average pooling; average counts only cells inside the input (Keras). */
    static float[] pool(float[] x, int n, int c, int h, int w, int kh, int kw, int sh, int sw, int[] pad, boolean max,
                        int[] outHw) {
        int oh = (h + pad[0] + pad[1] - kh) / sh + 1;
        int ow = (w + pad[2] + pad[3] - kw) / sw + 1;
        outHw[0] = oh;
        outHw[1] = ow;
        float[] y = new float[n * c * oh * ow];
        for (int b = 0; b < n * c; b++) {
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    double s = max ? Double.NEGATIVE_INFINITY : 0;
                    int count = 0;
                    for (int u = 0; u < kh; u++) {
                        for (int v = 0; v < kw; v++) {
                            int yy = i * sh + u - pad[0];
                            int xx = j * sw + v - pad[2];
                            if (yy < 0 || yy >= h || xx < 0 || xx >= w) {
                                continue;
                            }
                            float val = x[(b * h + yy) * w + xx];
                            s = max ? Math.max(s, val) : s + val;
                            count++;
                        }
                    }
                    y[(b * oh + i) * ow + j] = (float) (max ? s : s / count);
                }
            }
        }
        return y;
    }
}
