package io.convscope.explain;

import io.convscope.ConvscopeException;
import io.convscope.image.ImageTensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Integrated gradients (Sundararajan et al. 2017): (x − x′) · ∫₀¹ ∂S/∂x(x′ + α(x − x′)) dα, by the
 * midpoint rule with {@code steps} points, summed over channels. The baseline x′ is a black image, the
 * image blurred (Gaussian, σ = 5 px, radius 10), or uniform noise (0–255 pixels, seeded). Completeness
 * — ∑attr = S(x) − S(x′) — holds up to the quadrature error, reported per map in {@link Maps#completeness()}.
 */
public final class IntegratedGradients implements Attribution {
    /** The reference image the path starts from. */
    public enum Baseline { BLACK, BLUR, NOISE;
        public static Baseline byName(String s) {
            try {
                return valueOf(s.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new ConvscopeException("unknown --baseline '" + s + "': use black, blur or noise");
            }
        }
    }

    private final ExplainContext ctx;
    private final Baseline baseline;
    private final int steps;
    private final long seed;

    public IntegratedGradients(ExplainContext ctx, Baseline baseline, int steps, long seed) {
        if (steps < 1) {
            throw new ConvscopeException("--steps must be at least 1");
        }
        this.ctx = ctx;
        this.baseline = baseline;
        this.steps = steps;
        this.seed = seed;
    }

    @Override
    public String name() {
        return "integrated-gradients";
    }

    public int steps() {
        return steps;
    }

    /** The baseline of a (c, h, w) sample. */
    float[] baseline(float[] sample, int c, int h, int w, int index) {
        return switch (baseline) {
            case BLACK -> ctx.constantLike(1, c, h, w, 0f);
            case BLUR -> MapOps.blur(sample, c, h, w, 10, 5.0);
            case NOISE -> {
                SplittableRandom r = new SplittableRandom(seed + index);
                float[] b = new float[c * h * w];
                for (int ch = 0; ch < c; ch++) {
                    for (int p = 0; p < h * w; p++) {
                        b[ch * h * w + p] = ctx.fill(ch, (float) (r.nextDouble() * 255));
                    }
                }
                yield b;
            }
        };
    }

    @Override
    public Maps attribute(ImageTensor x, int[] targets) {
        int c = x.c();
        int h = x.h();
        int w = x.w();
        int size = c * h * w;
        List<float[]> maps = new ArrayList<>();
        double[] completeness = new double[x.n()];
        double[] delta = new double[x.n()];
        for (int i = 0; i < x.n(); i++) {
            float[] xi = x.sample(i);
            float[] base = baseline(xi, c, h, w, i);
            double[] sum = new double[size];
            int chunk = Math.max(1, ctx.batch());
            for (int s0 = 0; s0 < steps; s0 += chunk) {
                int m = Math.min(chunk, steps - s0);
                float[] path = new float[m * size];
                for (int k = 0; k < m; k++) {
                    double alpha = (s0 + k + 0.5) / steps;
                    for (int p = 0; p < size; p++) {
                        path[k * size + p] = (float) (base[p] + alpha * (xi[p] - base[p]));
                    }
                }
                float[] g = ctx.inputGradient(path, m, c, h, w, new int[] {targets[i]}).gradient();
                for (int k = 0; k < m; k++) {
                    for (int p = 0; p < size; p++) {
                        sum[p] += g[k * size + p];
                    }
                }
            }
            float[] attr = new float[size];
            double total = 0;
            for (int p = 0; p < size; p++) {
                double a = (xi[p] - base[p]) * sum[p] / steps;
                attr[p] = (float) a;
                total += a;
            }
            float[] both = new float[2 * size];
            System.arraycopy(xi, 0, both, 0, size);
            System.arraycopy(base, 0, both, size, size);
            double[] f = ctx.targetScores(both, 2, c, h, w, new int[] {targets[i]});
            delta[i] = f[0] - f[1];
            completeness[i] = total - delta[i];
            maps.add(MapOps.sumChannels(attr, 0, c, h, w));
        }
        return new Maps(maps, h, w, true, completeness, delta);
    }
}
