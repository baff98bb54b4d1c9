package io.convscope.explain;

import io.convscope.ConvscopeException;
import io.convscope.Setting;
import io.convscope.image.ImageTensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Integrated gradients (Sundararajan et al. 2017): (x − x′) · ∫₀¹ ∂S/∂x(x′ + α(x − x′)) dα, summed over
 * channels. The integral is a midpoint rule over {@code steps} gradient evaluations placed adaptively:
 * half on a uniform grid, the rest by halving the pieces of the path whose midpoint estimate of
 * S(b) − S(a) is furthest from the exact difference (the scores at the ends are known, so each piece's
 * share of the completeness error is known exactly). A ReLU network is piecewise linear along the path,
 * so the integrand jumps; uniform steps leave an error that shrinks only like 1/steps. The baseline x′ is a black image, the
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
                throw new ConvscopeException("unknown " + Setting.BASELINE + " '" + s + "': use black, blur or noise");
            }
        }
    }

    private final ExplainContext ctx;
    private final Baseline baseline;
    private final int steps;
    private final long seed;

    public IntegratedGradients(ExplainContext ctx, Baseline baseline, int steps, long seed) {
        if (steps < 1) {
            throw new ConvscopeException(Setting.STEPS + " must be at least 1");
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

    /** One piece of the path: [a, b], the gradient at its midpoint, the score at both ends and the midpoint. */
    private record Piece(double a, double b, float[] gradient, double fa, double fb, double fm, double slope) {
        /** ∫ over the piece by the midpoint rule minus the exact S(b) − S(a): this piece's share of the completeness error. */
        double error() {
            return slope * (b - a) - (fb - fa);
        }
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
            float[] diff = new float[size];
            for (int p = 0; p < size; p++) {
                diff[p] = xi[p] - base[p];
            }
            int t = targets[i];
            // half of the gradient evaluations on a uniform grid, the rest where the midpoint rule errs most
            int first = Math.max(1, steps / 2);
            double[] ends = new double[first + 1];
            for (int k = 0; k <= first; k++) {
                ends[k] = (double) k / first;
            }
            double[] fEnds = scoresAt(xi, base, ends, c, h, w, t);
            double[] mids = new double[first];
            for (int k = 0; k < first; k++) {
                mids[k] = (k + 0.5) / first;
            }
            List<Piece> pieces = new ArrayList<>();
            Evaluated ev = gradientsAt(xi, base, diff, mids, c, h, w, t);
            for (int k = 0; k < first; k++) {
                pieces.add(new Piece(ends[k], ends[k + 1], ev.gradients[k], fEnds[k], fEnds[k + 1], ev.scores[k], ev.slopes[k]));
            }
            int used = first;
            while (used + 2 <= steps) {
                int split = Math.min((steps - used) / 2, Math.max(1, ctx.batch() / 2));
                pieces.sort((p1, p2) -> Double.compare(Math.abs(p2.error()), Math.abs(p1.error())));
                if (Math.abs(pieces.get(0).error()) == 0) {
                    break;
                }
                List<Piece> worst = new ArrayList<>(pieces.subList(0, Math.min(split, pieces.size())));
                pieces.subList(0, worst.size()).clear();
                double[] at = new double[2 * worst.size()];
                for (int k = 0; k < worst.size(); k++) {
                    Piece p = worst.get(k);
                    double m = (p.a() + p.b()) / 2;
                    at[2 * k] = (p.a() + m) / 2;
                    at[2 * k + 1] = (m + p.b()) / 2;
                }
                Evaluated e2 = gradientsAt(xi, base, diff, at, c, h, w, t);
                for (int k = 0; k < worst.size(); k++) {
                    Piece p = worst.get(k);
                    double m = (p.a() + p.b()) / 2;
                    pieces.add(new Piece(p.a(), m, e2.gradients[2 * k], p.fa(), p.fm(), e2.scores[2 * k], e2.slopes[2 * k]));
                    pieces.add(new Piece(m, p.b(), e2.gradients[2 * k + 1], p.fm(), p.fb(), e2.scores[2 * k + 1], e2.slopes[2 * k + 1]));
                }
                used += at.length;
            }
            double[] sum = new double[size];
            for (Piece p : pieces) {
                double wgt = p.b() - p.a();
                float[] g = p.gradient();
                for (int q = 0; q < size; q++) {
                    sum[q] += wgt * g[q];
                }
            }
            float[] attr = new float[size];
            double total = 0;
            for (int q = 0; q < size; q++) {
                double v = diff[q] * sum[q];
                attr[q] = (float) v;
                total += v;
            }
            delta[i] = fEnds[first] - fEnds[0];
            completeness[i] = total - delta[i];
            maps.add(MapOps.sumChannels(attr, 0, c, h, w));
        }
        return new Maps(maps, h, w, true, completeness, delta);
    }

    private record Evaluated(float[][] gradients, double[] scores, double[] slopes) { }

    private Evaluated gradientsAt(float[] xi, float[] base, float[] diff, double[] alphas, int c, int h, int w, int target) {
        int size = xi.length;
        float[][] grads = new float[alphas.length][];
        double[] scores = new double[alphas.length];
        double[] slopes = new double[alphas.length];
        int chunk = Math.max(1, ctx.batch());
        for (int s0 = 0; s0 < alphas.length; s0 += chunk) {
            int m = Math.min(chunk, alphas.length - s0);
            float[] path = points(xi, base, alphas, s0, m);
            ExplainContext.InputGradient g = ctx.inputGradient(path, m, c, h, w, new int[] {target});
            for (int k = 0; k < m; k++) {
                grads[s0 + k] = java.util.Arrays.copyOfRange(g.gradient(), k * size, (k + 1) * size);
                scores[s0 + k] = g.scores()[k];
                double dot = 0;
                for (int q = 0; q < size; q++) {
                    dot += (double) grads[s0 + k][q] * diff[q];
                }
                slopes[s0 + k] = dot;
            }
        }
        return new Evaluated(grads, scores, slopes);
    }

    private double[] scoresAt(float[] xi, float[] base, double[] alphas, int c, int h, int w, int target) {
        float[] path = points(xi, base, alphas, 0, alphas.length);
        return ctx.targetScores(path, alphas.length, c, h, w, new int[] {target});
    }

    private static float[] points(float[] xi, float[] base, double[] alphas, int from, int m) {
        int size = xi.length;
        float[] path = new float[m * size];
        for (int k = 0; k < m; k++) {
            double alpha = alphas[from + k];
            for (int p = 0; p < size; p++) {
                path[k * size + p] = (float) (base[p] + alpha * (xi[p] - base[p]));
            }
        }
        return path;
    }

    /** The step count that should bring a completeness error {@code relative} (of |f(x) − f(x′)|) under {@code tolerance}. */
    public static int stepsFor(int steps, double relative, double tolerance) {
        double want = steps * Math.max(1, relative / tolerance) * 2;
        int p = 1;
        while (p < want && p < (1 << 20)) {
            p <<= 1;
        }
        return p;
    }
}
