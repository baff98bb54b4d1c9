package io.convscope.explain;

import io.convscope.ConvscopeException;
import io.convscope.Setting;
import io.convscope.image.ImageTensor;
import io.convscope.util.Progress;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * Integrated gradients (Sundararajan et al. 2017): (x − x′) · ∫₀¹ ∂S/∂x(x′ + α(x − x′)) dα, summed over
 * channels. The integral is computed from {@code steps} gradient evaluations placed adaptively: an
 * eighth of them on a uniform grid from α = 0 to 1, then, a batch at a time, the pieces of the path
 * whose trapezoid estimate of S(b) − S(a) is furthest from the exact difference are halved (the score at
 * every evaluated point comes with its gradient, so each piece's error is known exactly, and halving a
 * piece reuses its ends: every evaluation stays in the sum). A ReLU network is piecewise linear along the
 * path, so the integrand is piecewise constant and jumps where a unit switches; on each final piece the
 * two end gradients are weighted by where the switch lies — found from the scores at the ends, exact when
 * one switch (or several at one place) lies inside the piece, the trapezoid's halves when the slopes
 * are equal, clamped to the piece when more than one switch makes it inconsistent. The weights are
 * non-negative and sum to the piece's length, so as the pieces shrink the sum converges to the integral
 * whatever their placement: the map is integrated gradients' map (the tests compare it with 4096 uniform
 * midpoint steps). The baseline x′ is a black image, the image blurred (Gaussian, σ = 5 px, radius 10), or
 * uniform noise (0–255 pixels, seeded). Completeness — ∑attr = S(x) − S(x′) — holds exactly on the pieces
 * the switch fits; what remains, the error of the pieces it does not, is reported per map in
 * {@link Maps#completeness()}. One step: the midpoint.
 */
public final class IntegratedGradients implements Attribution.Stepped {
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

    /** A point of the path where the gradient was evaluated: α, the gradient, the score and its slope ∂S/∂α = ∇S · (x − x′). */
    private record Node(double alpha, float[] gradient, double score, double slope) { }

    /**
     * A piece of the path between two evaluated points, with the trapezoid rule's exact share of the
     * completeness error: (slope(a) + slope(b)) / 2 · (b − a) − (S(b) − S(a)).
     */
    private record Piece(Node a, Node b, double error) {
        static Piece of(Node a, Node b) {
            return new Piece(a, b, (a.slope() + b.slope()) / 2 * (b.alpha() - a.alpha()) - (b.score() - a.score()));
        }

        /**
         * Where on [a, b] the gradient would switch from its value at a to its value at b for the scores at the ends to
         * hold: S(b) − S(a) = slope(a)(τ − a) + slope(b)(b − τ), exact when one unit switches inside the piece (the path
         * through a ReLU network is piecewise linear); the midpoint when the slopes are equal, clamped to the piece.
         */
        double switchAt() {
            double h = b.alpha() - a.alpha();
            double ds = a.slope() - b.slope();
            double mid = (a.alpha() + b.alpha()) / 2;
            if (Math.abs(ds) <= 1e-9 * (Math.abs(a.slope()) + Math.abs(b.slope()))) {
                return mid;
            }
            double tau = a.alpha() + ((b.score() - a.score()) - b.slope() * h) / ds;
            return Double.isFinite(tau) ? Math.min(b.alpha(), Math.max(a.alpha(), tau)) : mid;
        }
    }

    /** The number of uniform pieces the adaptive rule starts from: an eighth of the steps, at least 1. */
    static int initialPieces(int steps) {
        return Math.max(1, Math.min(steps - 1, steps / 8));
    }

    @Override
    public long work(int images) {
        return (long) images * steps;
    }

    @Override
    public Maps compute(ImageTensor x, int[] targets, Progress progress) {
        int c = x.c();
        int h = x.h();
        int w = x.w();
        int size = c * h * w;
        List<float[]> maps = new ArrayList<>();
        double[] completeness = new double[x.n()];
        double[] delta = new double[x.n()];
        long done = 0;
        for (int i = 0; i < x.n(); i++) {
            float[] xi = x.sample(i);
            float[] base = baseline(xi, c, h, w, i);
            float[] diff = new float[size];
            for (int p = 0; p < size; p++) {
                diff[p] = xi[p] - base[p];
            }
            int t = targets[i];
            double[] sum = new double[size];
            if (steps == 1) {
                // one evaluation: the midpoint; the scores at the ends by two forward passes
                Node m = gradientsAt(xi, base, diff, new double[] {0.5}, c, h, w, t)[0];
                double[] f = scoresAt(xi, base, new double[] {0, 1}, c, h, w, t);
                add(sum, m.gradient(), 1.0);
                delta[i] = f[1] - f[0];
                progress.advance(++done);
            } else {
                // the trapezoid rule on a uniform grid, then the pieces with the largest exact error halved, a batch at a time
                int first = initialPieces(steps);
                double[] grid = new double[first + 1];
                for (int k = 0; k <= first; k++) {
                    grid[k] = (double) k / first;
                }
                Node[] nodes = gradientsAt(xi, base, diff, grid, c, h, w, t);
                int used = nodes.length;
                done += used;
                progress.advance(done);
                PriorityQueue<Piece> queue = new PriorityQueue<>((p1, p2) -> Double.compare(Math.abs(p2.error()), Math.abs(p1.error())));
                for (int k = 0; k < first; k++) {
                    queue.add(Piece.of(nodes[k], nodes[k + 1]));
                }
                while (used < steps && !queue.isEmpty() && queue.peek().error() != 0) {
                    int split = Math.min(steps - used, Math.max(1, ctx.batch()));
                    List<Piece> worst = new ArrayList<>();
                    while (worst.size() < split && !queue.isEmpty() && queue.peek().error() != 0) {
                        worst.add(queue.poll());
                    }
                    double[] at = new double[worst.size()];
                    for (int k = 0; k < at.length; k++) {
                        at[k] = (worst.get(k).a().alpha() + worst.get(k).b().alpha()) / 2;
                    }
                    Node[] mid = gradientsAt(xi, base, diff, at, c, h, w, t);
                    for (int k = 0; k < at.length; k++) {
                        queue.add(Piece.of(worst.get(k).a(), mid[k]));
                        queue.add(Piece.of(mid[k], worst.get(k).b()));
                    }
                    used += at.length;
                    done += at.length;
                    progress.advance(done);
                }
                // each piece's ends weighted by where the slope switches from slope(a) to slope(b) (the trapezoid's halves
                // when it cannot say)
                for (Piece p : queue) {
                    double wa = p.switchAt() - p.a().alpha();
                    add(sum, p.a().gradient(), wa);
                    add(sum, p.b().gradient(), p.b().alpha() - p.a().alpha() - wa);
                }
                delta[i] = nodes[first].score() - nodes[0].score();
                done += steps - used; // an exact rule stopped early
                progress.advance(done);
            }
            float[] attr = new float[size];
            double total = 0;
            for (int q = 0; q < size; q++) {
                double v = diff[q] * sum[q];
                attr[q] = (float) v;
                total += v;
            }
            completeness[i] = total - delta[i];
            maps.add(MapOps.sumChannels(attr, 0, c, h, w));
        }
        return new Maps(maps, h, w, true, completeness, delta);
    }

    private static void add(double[] sum, float[] g, double weight) {
        for (int q = 0; q < sum.length; q++) {
            sum[q] += weight * g[q];
        }
    }

    private Node[] gradientsAt(float[] xi, float[] base, float[] diff, double[] alphas, int c, int h, int w, int target) {
        int size = xi.length;
        Node[] out = new Node[alphas.length];
        int chunk = Math.max(1, ctx.batch());
        for (int s0 = 0; s0 < alphas.length; s0 += chunk) {
            int m = Math.min(chunk, alphas.length - s0);
            float[] path = points(xi, base, alphas, s0, m);
            ExplainContext.InputGradient g = ctx.inputGradient(path, m, c, h, w, new int[] {target});
            for (int k = 0; k < m; k++) {
                float[] grad = java.util.Arrays.copyOfRange(g.gradient(), k * size, (k + 1) * size);
                double dot = 0;
                for (int q = 0; q < size; q++) {
                    dot += (double) grad[q] * diff[q];
                }
                out[s0 + k] = new Node(alphas[s0 + k], grad, g.scores()[k], dot);
            }
        }
        return out;
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
