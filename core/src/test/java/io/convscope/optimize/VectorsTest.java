package io.convscope.optimize;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VectorsTest {

    @Test
    void allFiniteAgreesWithFloatIsFiniteOnEverySpecialValue() {
        float[] specials = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE, -Float.MAX_VALUE, 1e-30f,
            Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.intBitsToFloat(0x7fc00001), Float.intBitsToFloat(0xff800001)};
        for (float s : specials) {
            for (int at : new int[] {0, 7, 99}) {
                float[] v = new float[100];
                Arrays.fill(v, 1.5f);
                v[at] = s;
                assertEquals(Float.isFinite(s), Vectors.allFinite(v), "value " + s + " at " + at);
            }
        }
        assertTrue(Vectors.allFinite(new float[0]));
    }

    @Test
    void openMpSpinsReadsLibgompsVariablesAsLibgompDoes() {
        assertTrue(Vectors.openMpSpins(null, null), "unset: libgomp spins 300000 turns");
        assertFalse(Vectors.openMpSpins("PASSIVE", null));
        assertFalse(Vectors.openMpSpins("passive", ""));
        assertTrue(Vectors.openMpSpins("ACTIVE", null));
        assertFalse(Vectors.openMpSpins(null, "10000"), "the launcher's short spin");
        assertTrue(Vectors.openMpSpins(null, "1000000"), "the launcher's long spin");
        assertTrue(Vectors.openMpSpins("PASSIVE", "300000"), "a count wins over the policy");
        assertFalse(Vectors.openMpSpins("ACTIVE", "0"));
        assertTrue(Vectors.openMpSpins(null, "100k"));
        assertFalse(Vectors.openMpSpins(null, "99k"));
        assertTrue(Vectors.openMpSpins(null, "2M"));
        assertTrue(Vectors.openMpSpins(null, "infinite"));
        assertTrue(Vectors.openMpSpins(null, "lots"), "an unreadable count: libgomp's default");
    }

    @Test
    void forEachRangeVisitsEveryIndexOnceAroundTheChunkBoundaries() {
        for (int n : new int[] {0, 1, Vectors.PARALLEL_FROM - 1, Vectors.PARALLEL_FROM, Vectors.PARALLEL_FROM + 1, 3 * Vectors.PARALLEL_FROM + 12_345}) {
            AtomicIntegerArray seen = new AtomicIntegerArray(n);
            Vectors.forEachRange(n, (from, to) -> {
                for (int i = from; i < to; i++) {
                    seen.incrementAndGet(i);
                }
            });
            for (int i = 0; i < n; i++) {
                assertEquals(1, seen.get(i), "n " + n + " index " + i);
            }
        }
    }

    /** Adam on a vector long enough to be shared between threads gives the bits of the plain sequential update. */
    @Test
    void adamOnALongVectorMatchesTheSequentialUpdateBitForBit() {
        int n = 5 * Vectors.PARALLEL_FROM + 321;
        SplittableRandom rnd = new SplittableRandom(7);
        float[] target = new float[n];
        for (int i = 0; i < n; i++) {
            target[i] = (float) rnd.nextGaussian();
        }
        Optimizer.Function f = (th, g) -> {
            double s = 0;
            for (int i = 0; i < n; i++) {
                double d = th[i] - target[i];
                s += d * d * (1 + i % 5);
                g[i] = (float) (2 * d * (1 + i % 5));
            }
            return s;
        };
        double lr = 0.05;
        double b1 = 0.9;
        double b2 = 0.999;
        double eps = 1e-8;
        float[] theta = new float[n];
        float[] expected = new float[n];
        double[] m = new double[n];
        double[] v = new double[n];
        float[] g = new float[n];
        Optimizer adam = new Optimizer.Adam(lr, b1, b2, eps);
        for (int t = 1; t <= 4; t++) {
            adam.step(theta, f);
            f.evaluate(expected, g);
            double c1 = 1 - Math.pow(b1, t);
            double c2 = 1 - Math.pow(b2, t);
            for (int i = 0; i < n; i++) {
                double gi = g[i];
                m[i] = b1 * m[i] + (1 - b1) * gi;
                v[i] = b2 * v[i] + (1 - b2) * gi * gi;
                expected[i] -= (float) ((lr / c1) * m[i] / (Math.sqrt(v[i]) * (1 / Math.sqrt(c2)) + eps));
            }
            // the same step as the textbook form lr · m̂ / (√v̂ + ε), m̂ = m/c1, v̂ = v/c2, to rounding
            for (int i = 0; i < n; i += 97) {
                double ours = (lr / c1) * m[i] / (Math.sqrt(v[i]) * (1 / Math.sqrt(c2)) + eps);
                double textbook = lr * (m[i] / c1) / (Math.sqrt(v[i] / c2) + eps);
                assertEquals(textbook, ours, 1e-13 * Math.abs(textbook), "step " + t + " at " + i);
            }
            assertArrayEquals(expected, theta, 0f, "step " + t);
        }
        assertFalse(Arrays.equals(new float[n], theta), "the parameters moved");
    }

    @Test
    void dotIsThePlainSumBelowTheThresholdAndTheChunkSumsInOrderAbove() {
        SplittableRandom rnd = new SplittableRandom(3);
        for (int n : new int[] {0, 5, Vectors.PARALLEL_FROM - 1, Vectors.PARALLEL_FROM, 4 * Vectors.PARALLEL_FROM + 77}) {
            double[] a = new double[n];
            double[] b = new double[n];
            float[] f = new float[n];
            for (int i = 0; i < n; i++) {
                a[i] = rnd.nextGaussian() * Math.exp(rnd.nextGaussian() * 3);
                b[i] = rnd.nextGaussian();
                f[i] = (float) a[i];
            }
            int chunk = 1 << 15;
            double want = 0;
            double wantF = 0;
            if (n < Vectors.PARALLEL_FROM) {
                for (int i = 0; i < n; i++) {
                    want += a[i] * b[i];
                    wantF += (double) f[i] * b[i];
                }
            } else {
                for (int c = 0; c < n; c += chunk) {
                    double part = 0;
                    double partF = 0;
                    for (int i = c; i < Math.min(n, c + chunk); i++) {
                        part += a[i] * b[i];
                        partF += (double) f[i] * b[i];
                    }
                    want += part;
                    wantF += partF;
                }
            }
            for (int rep = 0; rep < 3; rep++) {
                assertEquals(Double.doubleToLongBits(want), Double.doubleToLongBits(Vectors.dot(a, b)), "n " + n);
                // the fused passes sum the same chunks: q ← f (widened), then b·q
                double[] q = new double[n];
                assertEquals(Double.doubleToLongBits(wantF), Double.doubleToLongBits(Vectors.copyDot(f, q, b)), "n " + n + " (floats)");
                for (int i = 0; i < n; i++) {
                    assertEquals(f[i], q[i], 0.0, "copy at " + i);
                }
            }
            // y ← y + a·x (times 1, exact), element by element
            double[] y = b.clone();
            Vectors.axpyDot(-0.75, a, y, 1, b);
            for (int i = 0; i < n; i++) {
                assertEquals(b[i] + -0.75 * a[i], y[i], 0.0, "axpy at " + i);
            }
        }
    }

    /** L-BFGS on a long vector (its loops shared between threads) with a short history solves an ill-conditioned quadratic, the same way twice. */
    @Test
    void lbfgsOnALongVectorSolvesAQuadraticTheSameWayTwice() {
        int n = 3 * Vectors.PARALLEL_FROM + 5;
        Optimizer.Function f = (th, g) -> {
            double s = 0;
            for (int i = 0; i < n; i++) {
                double w = 1 + i % 50;
                double d = th[i] - Math.sin(i);
                s += w * d * d;
                g[i] = (float) (2 * w * d);
            }
            return s;
        };
        float[][] results = new float[2][];
        for (int run = 0; run < 2; run++) {
            float[] theta = new float[n];
            float[] g = new float[n];
            double first = f.evaluate(theta, g);
            Optimizer lbfgs = new Optimizer.Lbfgs(3, 1.0, 20);
            for (int s = 0; s < 60; s++) {
                lbfgs.step(theta, f);
            }
            double last = f.evaluate(theta, g);
            assertTrue(last < 1e-6 * first, "loss " + first + " -> " + last);
            results[run] = theta;
        }
        assertArrayEquals(results[0], results[1], 0f);
    }

    /**
     * The textbook form of {@link Optimizer.Lbfgs}'s iteration (new arrays every step, each ρ and γ
     * computed afresh, sums in one chain): below the parallel threshold the optimiser must follow it
     * bit for bit, through restarts of the history.
     */
    static final class ReferenceLbfgs {
        final int history;
        final java.util.ArrayDeque<double[]> s = new java.util.ArrayDeque<>();
        final java.util.ArrayDeque<double[]> y = new java.util.ArrayDeque<>();
        float[] g;
        double fx;

        ReferenceLbfgs(int history) {
            this.history = history;
        }

        static double dot(double[] a, double[] b) {
            double d = 0;
            for (int i = 0; i < a.length; i++) {
                d += a[i] * b[i];
            }
            return d;
        }

        void step(float[] theta, Optimizer.Function f) {
            int n = theta.length;
            if (g == null) {
                g = new float[n];
                fx = f.evaluate(theta, g);
            }
            double[] q = new double[n];
            for (int i = 0; i < n; i++) {
                q[i] = g[i];
            }
            int k = s.size();
            double[] alpha = new double[k];
            double[] rho = new double[k];
            double[][] ss = s.toArray(new double[0][]);
            double[][] ys = y.toArray(new double[0][]);
            for (int j = k - 1; j >= 0; j--) {
                rho[j] = 1 / dot(ys[j], ss[j]);
                alpha[j] = rho[j] * dot(ss[j], q);
                for (int i = 0; i < n; i++) {
                    q[i] += -alpha[j] * ys[j][i];
                }
            }
            double gamma = k > 0 ? dot(ss[k - 1], ys[k - 1]) / dot(ys[k - 1], ys[k - 1]) : 1;
            for (int i = 0; i < n; i++) {
                q[i] *= gamma;
            }
            for (int j = 0; j < k; j++) {
                double beta = rho[j] * dot(ys[j], q);
                for (int i = 0; i < n; i++) {
                    q[i] += (alpha[j] - beta) * ss[j][i];
                }
            }
            double gd = 0;
            for (int i = 0; i < n; i++) {
                q[i] = -q[i];
                gd += g[i] * q[i];
            }
            if (!(gd < 0)) {
                s.clear();
                y.clear();
                for (int i = 0; i < n; i++) {
                    q[i] = -g[i];
                }
                gd = -dot(q, q);
                k = 0;
            }
            double t = k == 0 ? Math.min(1, 1.0 / Math.sqrt(-gd)) : 1;
            float[] x0 = theta.clone();
            float[] gNew = new float[n];
            double fNew;
            while (true) {
                for (int i = 0; i < n; i++) {
                    theta[i] = (float) (x0[i] + t * q[i]);
                }
                fNew = f.evaluate(theta, gNew);
                if (fNew <= fx + 1e-4 * t * gd) {
                    break;
                }
                t *= 0.5;
            }
            double[] sNew = new double[n];
            double[] yNew = new double[n];
            for (int i = 0; i < n; i++) {
                sNew[i] = (double) theta[i] - x0[i];
                yNew[i] = (double) gNew[i] - g[i];
            }
            if (dot(sNew, yNew) > 1e-10) {
                s.addLast(sNew);
                y.addLast(yNew);
                if (s.size() > history) {
                    s.removeFirst();
                    y.removeFirst();
                }
            }
            g = gNew;
            fx = fNew;
        }
    }

    @Test
    void lbfgsFollowsTheTextbookIterationBitForBit() {
        int n = 40;
        // a curved valley in every pair of coordinates (Rosenbrock's), so that the line search backtracks at times
        Optimizer.Function f = (th, g) -> {
            double v = 0;
            java.util.Arrays.fill(g, 0f);
            double[] gd = new double[n];
            for (int i = 0; i + 1 < n; i += 2) {
                double a = 1 - th[i];
                double b = th[i + 1] - th[i] * th[i];
                v += a * a + 100 * b * b;
                gd[i] += -2 * a - 400 * th[i] * b;
                gd[i + 1] += 200 * b;
            }
            for (int i = 0; i < n; i++) {
                g[i] = (float) gd[i];
            }
            return v;
        };
        float[] a = new float[n];
        float[] b = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (-1.2 + 0.05 * i);
            b[i] = a[i];
        }
        Optimizer opt = new Optimizer.Lbfgs(3, 1.0, 1000);
        ReferenceLbfgs ref = new ReferenceLbfgs(3);
        double first = f.evaluate(a, new float[n]);
        for (int step = 0; step < 150; step++) {
            opt.step(a, f);
            ref.step(b, f);
            assertArrayEquals(b, a, 0f, "step " + step);
        }
        double last = f.evaluate(a, new float[n]);
        assertTrue(last < 1e-6 * first, "solved: " + first + " -> " + last);
    }
}
