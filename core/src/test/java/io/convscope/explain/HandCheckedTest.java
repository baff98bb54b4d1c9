package io.convscope.explain;

import io.convscope.image.ImageTensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CAM methods, guided backpropagation and the deconvnet on networks small enough to follow by
 * hand: every expected number is computed here from the weights in closed form, not by the code under test.
 */
class HandCheckedTest {
    static final float[] X = {1f, 2f, 0f, 0f, -1f, 3f, 2f, 1f, -2f};

    /** A0 = relu(x), A1 = relu(0.5 − x), at the 9 positions. */
    static float[][] camMaps() {
        float[][] a = new float[2][9];
        for (int p = 0; p < 9; p++) {
            a[0][p] = Math.max(0f, TinyNets.CAM_W[0] * X[p] + TinyNets.CAM_B[0]);
            a[1][p] = Math.max(0f, TinyNets.CAM_W[1] * X[p] + TinyNets.CAM_B[1]);
        }
        return a;
    }

    /** Class c's score of an image: dense of the channel means. */
    static double camScore(float[] img, int c) {
        double s = 0;
        for (int k = 0; k < 2; k++) {
            double mean = 0;
            for (int p = 0; p < 9; p++) {
                mean += Math.max(0f, TinyNets.CAM_W[k] * img[p] + TinyNets.CAM_B[k]) / 9.0;
            }
            s += TinyNets.CAM_DENSE[c][k] * mean;
        }
        return s;
    }

    static ImageTensor image(float[] v, int c, int h, int w) {
        return new ImageTensor(v.clone(), 1, c, h, w, List.of("x"));
    }

    @Test
    void camMethodsFollowTheirFormulasStepByStep() {
        float[][] a = camMaps();
        try (ExplainContext ctx = ExplainContext.of(TinyNets.cam(), Score.LOGIT, 4)) {
            assertEquals("maps", CamLayers.defaultLayer(ctx.scoreNetwork(), ctx.scoreLayer()));
            for (int c = 0; c < 2; c++) {
                // ∂S_c/∂A_k at every position = W[c][k] / 9 (the average pool spreads the dense weight)
                double[] g = {TinyNets.CAM_DENSE[c][0] / 9.0, TinyNets.CAM_DENSE[c][1] / 9.0};
                float[] gradcam = new float[9];
                float[] layercam = new float[9];
                float[] plusplus = new float[9];
                for (int k = 0; k < 2; k++) {
                    double sumA = 0;
                    for (int p = 0; p < 9; p++) {
                        sumA += a[k][p];
                    }
                    double alpha = g[k] * g[k] / (2 * g[k] * g[k] + sumA * g[k] * g[k] * g[k]);
                    double wpp = 9 * alpha * Math.max(0, g[k]);
                    for (int p = 0; p < 9; p++) {
                        gradcam[p] += (float) (g[k] * a[k][p]);
                        layercam[p] += (float) (Math.max(0, g[k]) * a[k][p]);
                        plusplus[p] += (float) (wpp * a[k][p]);
                    }
                }
                relu(gradcam);
                relu(layercam);
                relu(plusplus);
                ImageTensor x = image(X, 1, 3, 3);
                assertArrayEquals(gradcam, new GradCam(ctx, null).attribute(x, new int[] {c}).map(0), 1e-5f, "gradcam class " + c);
                assertArrayEquals(layercam, new LayerCam(ctx, null).attribute(x, new int[] {c}).map(0), 1e-5f, "layercam class " + c);
                assertArrayEquals(plusplus, new GradCamPlusPlus(ctx, "maps").attribute(x, new int[] {c}).map(0), 1e-5f,
                        "gradcam++ class " + c);

                // Score-CAM: each map scaled to [0, 1] masks the image (black = 0 for raw inputs)
                double[] s = new double[2];
                for (int k = 0; k < 2; k++) {
                    float min = Float.MAX_VALUE;
                    float max = -Float.MAX_VALUE;
                    for (float v : a[k]) {
                        min = Math.min(min, v);
                        max = Math.max(max, v);
                    }
                    float[] masked = new float[9];
                    for (int p = 0; p < 9; p++) {
                        masked[p] = X[p] * (a[k][p] - min) / (max - min);
                    }
                    s[k] = camScore(masked, c);
                }
                double e0 = Math.exp(s[0]);
                double e1 = Math.exp(s[1]);
                float[] scorecam = new float[9];
                for (int p = 0; p < 9; p++) {
                    scorecam[p] = (float) Math.max(0, (e0 * a[0][p] + e1 * a[1][p]) / (e0 + e1));
                }
                assertArrayEquals(scorecam, new ScoreCam(ctx, null).attribute(x, new int[] {c}).map(0), 1e-5f, "scorecam class " + c);
            }
        }
    }

    @Test
    void camMapsAreResizedWithHalfPixelCentres() {
        // a 2×2 map to 4×4: corners keep their values, the inner pixels blend 3:1
        float[] up = MapOps.resize(new float[] {0f, 4f, 8f, 12f}, 2, 2, 4, 4);
        assertEquals(0f, up[0], 1e-6f);
        assertEquals(1f, up[1], 1e-6f); // x = 0.25 of the way from 0 to 4
        assertEquals(3f, up[2], 1e-6f);
        assertEquals(4f, up[3], 1e-6f);
        assertEquals(12f, up[15], 1e-6f);
    }

    static final float[] X4 = {
        0.5f, -1f, 2f, 0.7f,
        1f, 0.2f, 0.9f, 1.5f,
        -2f, 0.7f, 0.4f, -0.1f,
        0.3f, 0.9f, -0.8f, 2.5f};

    /** The input-space signal of the two-layer network by hand, for class c, under a ReLU rule. */
    static float[] twoLayerByHand(int c, Backprop.Rule rule) {
        float[] out = new float[16];
        for (int k = 0; k < 2; k++) {
            float[] z = new float[16];
            for (int p = 0; p < 16; p++) {
                z[p] = TinyNets.TWO_W[k] * X4[p] + TinyNets.TWO_B[k];
            }
            for (int py = 0; py < 2; py++) {
                for (int px = 0; px < 2; px++) {
                    // the switch: where the 2×2 window's maximum of relu(z) is (first of equals, row-major)
                    int best = -1;
                    float bestV = -Float.MAX_VALUE;
                    for (int dy = 0; dy < 2; dy++) {
                        for (int dx = 0; dx < 2; dx++) {
                            int p = (2 * py + dy) * 4 + 2 * px + dx;
                            float a = Math.max(0f, z[p]);
                            if (a > bestV) {
                                bestV = a;
                                best = p;
                            }
                        }
                    }
                    float g = TinyNets.TWO_DENSE[c * 8 + k * 4 + py * 2 + px]; // ∂S/∂pool
                    float gz = switch (rule) {
                        case GRADIENT -> z[best] > 0 ? g : 0f;
                        case GUIDED -> z[best] > 0 && g > 0 ? g : 0f;
                        case DECONVNET -> Math.max(0f, g);
                    };
                    out[best] += TinyNets.TWO_W[k] * gz; // the transposed 1×1 filter
                }
            }
        }
        return out;
    }

    @Test
    void guidedBackpropAndDeconvnetFollowTheirRulesByHand() {
        try (ExplainContext ctx = ExplainContext.of(TinyNets.twoLayer(), Score.LOGIT, 4)) {
            ImageTensor x = image(X4, 1, 4, 4);
            for (int c = 0; c < 2; c++) {
                for (Backprop.Rule rule : Backprop.Rule.values()) {
                    float[] got = ctx.backprop().inputGradient(x.data(), 1, 1, 4, 4, new int[] {c}, rule);
                    assertArrayEquals(twoLayerByHand(c, rule), got, 1e-5f, rule + " class " + c);
                }
                float[] autograd = ctx.inputGradient(x.data(), 1, 1, 4, 4, new int[] {c}).gradient();
                assertArrayEquals(twoLayerByHand(c, Backprop.Rule.GRADIENT), autograd, 1e-5f, "autograd class " + c);
                float[] deconv = new Deconvnet(ctx).attribute(x, new int[] {c}).map(0);
                assertArrayEquals(MapOps.abs(twoLayerByHand(c, Backprop.Rule.DECONVNET)), deconv, 1e-5f);
            }
            // the rules differ on this network (the top-right window is all negative in channel 1): each one is exercised
            assertTrue(!java.util.Arrays.equals(twoLayerByHand(0, Backprop.Rule.GUIDED), twoLayerByHand(0, Backprop.Rule.DECONVNET)));
            assertTrue(!java.util.Arrays.equals(twoLayerByHand(0, Backprop.Rule.GUIDED), twoLayerByHand(0, Backprop.Rule.GRADIENT))
                    || !java.util.Arrays.equals(twoLayerByHand(1, Backprop.Rule.GUIDED), twoLayerByHand(1, Backprop.Rule.GRADIENT)));
        }
    }

    static void relu(float[] v) {
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.max(0f, v[i]);
        }
    }
}
