package io.convscope.style;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Luminance, luminance matching and recolouring for --preserve-colors. */
class ColorsTest {
    static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (0.1 + 0.8 * r.nextDouble());
        }
        return v;
    }

    @Test
    void luminanceIsRec601AndTheInverseIsExact() {
        float[] rgb = {1, 0, 0.5f, 0, 1, 0.5f, 0, 0, 0.5f}; // three pixels: red, green, gray 0.5
        float[] y = Colors.luminance(rgb, 1, 3);
        assertEquals(0.299, y[0], 1e-6);
        assertEquals(0.587, y[1], 1e-6);
        assertEquals(0.5, y[2], 1e-6);
        double[][] id = new double[3][3];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                for (int k = 0; k < 3; k++) {
                    id[i][j] += Colors.RGB[i][k] * Colors.YIQ[k][j];
                }
                assertEquals(i == j ? 1 : 0, id[i][j], 1e-12);
            }
        }
    }

    @Test
    void anImageRebuiltFromItsOwnLuminanceIsItself() {
        float[] rgb = random(3 * 20, 1);
        float[] back = Colors.withLuminance(Colors.luminance(rgb, 4, 5), rgb, 4, 5);
        for (int i = 0; i < rgb.length; i++) {
            assertEquals(rgb[i], back[i], 1e-5);
        }
    }

    @Test
    void anotherLuminanceKeepsTheColourAndChangesTheBrightness() {
        float[] colour = random(3 * 20, 2);
        float[] y = random(20, 3);
        float[] out = Colors.withLuminance(y, colour, 4, 5);
        float[] yOut = Colors.luminance(out, 4, 5);
        for (int p = 0; p < 20; p++) {
            double iIn = 0;
            double iOut = 0;
            for (int c = 0; c < 3; c++) {
                iIn += Colors.YIQ[1][c] * colour[c * 20 + p];
                iOut += Colors.YIQ[1][c] * out[c * 20 + p];
            }
            boolean clipped = false;
            for (int c = 0; c < 3; c++) {
                clipped |= out[c * 20 + p] == 0 || out[c * 20 + p] == 1;
            }
            if (!clipped) {
                assertEquals(y[p], yOut[p], 1e-5);
                assertEquals(iIn, iOut, 1e-5);
            }
        }
    }

    @Test
    void luminanceMatchingTakesTheMeanAndSpread() {
        float[] y = random(200, 4);
        float[] like = new float[200];
        for (int i = 0; i < like.length; i++) {
            like[i] = 0.4f + 0.1f * (float) Math.sin(i);
        }
        double[] want = Colors.meanStd(like);
        double[] got = Colors.meanStd(Colors.matchLuminance(y, like));
        assertEquals(want[0], got[0], 1e-5);
        assertEquals(want[1], got[1], 1e-5);
        float[] flat = Colors.matchLuminance(new float[] {0.2f, 0.2f}, like);
        assertEquals(want[0], flat[0], 1e-5);
    }
}
