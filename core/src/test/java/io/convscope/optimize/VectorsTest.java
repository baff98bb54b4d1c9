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
                expected[i] -= (float) (lr * (m[i] / c1) / (Math.sqrt(v[i] / c2) + eps));
            }
            assertArrayEquals(expected, theta, 0f, "step " + t);
        }
        assertFalse(Arrays.equals(new float[n], theta), "the parameters moved");
    }
}
