package io.convscope.optimize;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * L-BFGS's search direction with its passes fused ({@link Optimizer.Lbfgs#direction}) is the plain
 * two-loop recursion (Nocedal &amp; Wright, algorithm 7.4: one dot product, then one update per pair and
 * loop), bit for bit, on short vectors (one sum) and long ones (chunk sums, shared between threads when
 * the tests' OpenMP does not spin); and it is −H·g: on a quadratic whose Hessian the pairs sample
 * exactly, d = −A⁻¹g once the pairs span the space.
 */
class LbfgsDirectionTest {
    /** y ← y + a·x, element by element. */
    private static void axpy(double a, double[] x, double[] y) {
        for (int i = 0; i < y.length; i++) {
            y[i] += a * x[i];
        }
    }

    /** The recursion as written in the book: separate loops, and {@link Vectors#dot}'s chunk sums. */
    private static double plain(float[] g, Optimizer.Lbfgs.Pair[] ps, double[] q) {
        int n = g.length;
        double[] wide = new double[n]; // a float times a double is the widened float times it, exactly
        for (int i = 0; i < n; i++) {
            q[i] = g[i];
            wide[i] = g[i];
        }
        int k = ps.length;
        double[] alpha = new double[k];
        for (int j = k - 1; j >= 0; j--) {
            alpha[j] = ps[j].rho() * Vectors.dot(ps[j].s(), q);
            axpy(-alpha[j], ps[j].y(), q);
        }
        double gamma = k > 0 ? ps[k - 1].sy() / ps[k - 1].yy() : 1;
        for (int i = 0; i < n; i++) {
            q[i] *= gamma;
        }
        for (int j = 0; j < k; j++) {
            double beta = ps[j].rho() * Vectors.dot(ps[j].y(), q);
            axpy(alpha[j] - beta, ps[j].s(), q);
        }
        for (int i = 0; i < n; i++) {
            q[i] = -q[i];
        }
        return Vectors.dot(wide, q);
    }

    private static Optimizer.Lbfgs.Pair pair(SplittableRandom r, int n) {
        double[] s = new double[n];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            s[i] = r.nextGaussian();
            y[i] = s[i] * (0.5 + r.nextDouble()) + 0.01 * r.nextGaussian(); // positive curvature, roughly
        }
        return new Optimizer.Lbfgs.Pair(s, y, Vectors.dot(s, y), Vectors.dot(y, y));
    }

    @Test
    void theFusedPassesGiveThePlainRecursionsValuesBitForBit() {
        for (int n : new int[] {7, 1000, Vectors.PARALLEL_FROM - 1, 200_003}) {
            for (int k : new int[] {0, 1, 2, 5, 10}) {
                SplittableRandom r = new SplittableRandom(31L * n + k);
                float[] g = new float[n];
                for (int i = 0; i < n; i++) {
                    g[i] = (float) r.nextGaussian();
                }
                Optimizer.Lbfgs.Pair[] ps = new Optimizer.Lbfgs.Pair[k];
                for (int j = 0; j < k; j++) {
                    ps[j] = pair(r, n);
                }
                double[] expected = new double[n];
                double[] fused = new double[n];
                java.util.Arrays.fill(fused, Double.NaN); // nothing of a previous step may leak in
                double gdPlain = plain(g, ps, expected);
                double gdFused = Optimizer.Lbfgs.direction(g, ps, fused);
                assertEquals(Double.doubleToLongBits(gdPlain), Double.doubleToLongBits(gdFused), "gᵀd, n=" + n + " k=" + k);
                assertArrayEquals(expected, fused, 0.0, "d, n=" + n + " k=" + k);
                assertTrue(gdFused < 0, "a descent direction");
            }
        }
    }

    @Test
    void itIsTheNewtonDirectionOfAQuadraticOnceThePairsSpanTheSpace() {
        // A = diag(1..n): with the n pairs (s = e_i, y = A·e_i) the BFGS update is exact: H = A⁻¹
        int n = 6;
        Optimizer.Lbfgs.Pair[] ps = new Optimizer.Lbfgs.Pair[n];
        for (int j = 0; j < n; j++) {
            double[] s = new double[n];
            double[] y = new double[n];
            s[j] = 1;
            y[j] = j + 1;
            ps[j] = new Optimizer.Lbfgs.Pair(s, y, j + 1, (j + 1.0) * (j + 1.0));
        }
        float[] g = {3, -2, 1, 0.5f, -4, 6};
        double[] d = new double[n];
        Optimizer.Lbfgs.direction(g, ps, d);
        for (int i = 0; i < n; i++) {
            assertEquals(-g[i] / (i + 1.0), d[i], 1e-12, "d_" + i);
        }
    }
}
