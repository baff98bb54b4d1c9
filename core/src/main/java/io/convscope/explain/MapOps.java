package io.convscope.explain;

import java.util.Arrays;

/** Plain-float operations on maps and images (no DJL): resizing, channel reductions, blur, rank correlation. */
public final class MapOps {
    private MapOps() {
    }

    /**
     * Bilinear resize of an h × w map to H × W with half-pixel centres (as OpenCV's and PyTorch's
     * align_corners=false): output pixel (y, x) samples the source at ((y + ½)·h/H − ½, (x + ½)·w/W − ½),
     * clamped to the border.
     */
    public static float[] resize(float[] map, int h, int w, int outH, int outW) {
        if (h == outH && w == outW) {
            return map.clone();
        }
        float[] out = new float[outH * outW];
        for (int y = 0; y < outH; y++) {
            double sy = Math.min(Math.max((y + 0.5) * h / outH - 0.5, 0), h - 1);
            int y0 = (int) Math.floor(sy);
            int y1 = Math.min(y0 + 1, h - 1);
            double fy = sy - y0;
            for (int x = 0; x < outW; x++) {
                double sx = Math.min(Math.max((x + 0.5) * w / outW - 0.5, 0), w - 1);
                int x0 = (int) Math.floor(sx);
                int x1 = Math.min(x0 + 1, w - 1);
                double fx = sx - x0;
                double top = map[y0 * w + x0] * (1 - fx) + map[y0 * w + x1] * fx;
                double bottom = map[y1 * w + x0] * (1 - fx) + map[y1 * w + x1] * fx;
                out[y * outW + x] = (float) (top * (1 - fy) + bottom * fy);
            }
        }
        return out;
    }

    /** Sample i of an (n, c, h, w) array reduced over channels: max |v| (unsigned) . */
    public static float[] maxAbs(float[] nchw, int i, int c, int h, int w) {
        int plane = h * w;
        float[] out = new float[plane];
        for (int ch = 0; ch < c; ch++) {
            int o = (i * c + ch) * plane;
            for (int p = 0; p < plane; p++) {
                out[p] = Math.max(out[p], Math.abs(nchw[o + p]));
            }
        }
        return out;
    }

    /** Sample i of an (n, c, h, w) array summed over channels. */
    public static float[] sumChannels(float[] nchw, int i, int c, int h, int w) {
        int plane = h * w;
        float[] out = new float[plane];
        for (int ch = 0; ch < c; ch++) {
            int o = (i * c + ch) * plane;
            for (int p = 0; p < plane; p++) {
                out[p] += nchw[o + p];
            }
        }
        return out;
    }

    /** Sample i of an (n, ...) array. */
    public static float[] sample(float[] all, int i, int size) {
        return Arrays.copyOfRange(all, i * size, (i + 1) * size);
    }

    /** A separable Gaussian blur of each channel of a (c, h, w) sample, radius r, deviation sigma, borders clamped. */
    public static float[] blur(float[] chw, int c, int h, int w, int radius, double sigma) {
        double[] k = new double[2 * radius + 1];
        double sum = 0;
        for (int i = -radius; i <= radius; i++) {
            k[i + radius] = Math.exp(-i * i / (2 * sigma * sigma));
            sum += k[i + radius];
        }
        for (int i = 0; i < k.length; i++) {
            k[i] /= sum;
        }
        float[] out = new float[chw.length];
        float[] tmp = new float[h * w];
        for (int ch = 0; ch < c; ch++) {
            int o = ch * h * w;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double s = 0;
                    for (int d = -radius; d <= radius; d++) {
                        int xx = Math.min(Math.max(x + d, 0), w - 1);
                        s += k[d + radius] * chw[o + y * w + xx];
                    }
                    tmp[y * w + x] = (float) s;
                }
            }
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double s = 0;
                    for (int d = -radius; d <= radius; d++) {
                        int yy = Math.min(Math.max(y + d, 0), h - 1);
                        s += k[d + radius] * tmp[yy * w + x];
                    }
                    out[o + y * w + x] = (float) s;
                }
            }
        }
        return out;
    }

    /** Ranks 1..n, ties given their average rank. */
    static double[] ranks(float[] v) {
        Integer[] idx = new Integer[v.length];
        for (int i = 0; i < v.length; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (a, b) -> Float.compare(v[a], v[b]));
        double[] r = new double[v.length];
        int i = 0;
        while (i < v.length) {
            int j = i;
            while (j + 1 < v.length && v[idx[j + 1]] == v[idx[i]]) {
                j++;
            }
            double avg = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                r[idx[k]] = avg;
            }
            i = j + 1;
        }
        return r;
    }

    /** Spearman's rank correlation of two maps (Pearson's correlation of their ranks; 0 when one is constant). */
    public static double spearman(float[] a, float[] b) {
        double[] ra = ranks(a);
        double[] rb = ranks(b);
        double ma = 0;
        double mb = 0;
        for (int i = 0; i < ra.length; i++) {
            ma += ra[i];
            mb += rb[i];
        }
        ma /= ra.length;
        mb /= rb.length;
        double sab = 0;
        double saa = 0;
        double sbb = 0;
        for (int i = 0; i < ra.length; i++) {
            sab += (ra[i] - ma) * (rb[i] - mb);
            saa += (ra[i] - ma) * (ra[i] - ma);
            sbb += (rb[i] - mb) * (rb[i] - mb);
        }
        return saa == 0 || sbb == 0 ? 0 : sab / Math.sqrt(saa * sbb);
    }

    /** |v| element-wise. */
    public static float[] abs(float[] v) {
        float[] o = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            o[i] = Math.abs(v[i]);
        }
        return o;
    }

    /** max(v, 0) element-wise, in place. */
    static float[] relu(float[] v) {
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.max(0f, v[i]);
        }
        return v;
    }

    /** Index of the largest value (the first of equals). */
    public static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}
