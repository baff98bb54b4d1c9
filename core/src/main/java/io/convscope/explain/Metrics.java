package io.convscope.explain;

import io.convscope.ConvscopeException;
import io.convscope.util.Names;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The deletion and insertion metrics of RISE (Petsiuk et al. 2018). Pixels are taken in order of
 * decreasing attribution, {@code steps} equal portions at a time; deletion replaces them by black,
 * starting from the image; insertion puts them back, starting from the image blurred (11 × 11 Gaussian,
 * σ = 5). The curve is the target's probability after each portion; its area (trapezoids over the
 * fraction of pixels, 0 to 1) is the score: low is good for deletion, high for insertion.
 */
public final class Metrics {
    private Metrics() {
    }

    /** The metric names. */
    public static final List<String> NAMES = List.of("deletion", "insertion");

    /** Parses metric names, with suggestions. */
    public static List<String> parse(List<String> names) {
        List<String> out = new ArrayList<>();
        for (String raw : names) {
            String n = raw.strip().toLowerCase(Locale.ROOT);
            if (!NAMES.contains(n)) {
                throw new ConvscopeException("unknown metric '" + raw + "'" + Names.didYouMean(n, NAMES) + "; metrics: deletion, insertion");
            }
            if (!out.contains(n)) {
                out.add(n);
            }
        }
        return out;
    }

    /** The probability curve of a deletion ({@code insertion} false) or insertion game; steps + 1 points. */
    public static double[] curve(ExplainContext ctx, float[] chw, int c, int h, int w, float[] map, int target, boolean insertion, int steps) {
        int plane = h * w;
        Integer[] order = new Integer[plane];
        for (int i = 0; i < plane; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Float.compare(map[b], map[a]));
        float[] start = insertion ? MapOps.blur(chw, c, h, w, 5, 5.0) : chw.clone();
        float[] end = insertion ? chw : ctx.constantLike(1, c, h, w, 0f);
        double[] curve = new double[steps + 1];
        int size = c * plane;
        int chunk = ctx.batch();
        float[] current = start.clone();
        int done = 0;
        for (int s0 = 0; s0 <= steps; s0 += chunk) {
            int m = Math.min(chunk, steps + 1 - s0);
            float[] batch = new float[m * size];
            for (int j = 0; j < m; j++) {
                int upto = (int) Math.round((double) (s0 + j) * plane / steps);
                for (; done < upto; done++) {
                    int p = order[done];
                    for (int ch = 0; ch < c; ch++) {
                        current[ch * plane + p] = end[ch * plane + p];
                    }
                }
                System.arraycopy(current, 0, batch, j * size, size);
            }
            float[][] probs = ctx.probabilities(batch, m, c, h, w);
            for (int j = 0; j < m; j++) {
                curve[s0 + j] = probs[j][target];
            }
        }
        return curve;
    }

    /** Area under a curve of equally spaced points over [0, 1] (trapezoids). */
    public static double auc(double[] curve) {
        double s = 0;
        for (int i = 1; i < curve.length; i++) {
            s += (curve[i - 1] + curve[i]) / 2;
        }
        return s / (curve.length - 1);
    }
}
