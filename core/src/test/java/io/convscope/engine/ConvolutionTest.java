package io.convscope.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine's convolution against PyTorch's float64 convolution, which runs PyTorch's own kernels
 * rather than oneDNN's: forward values and input gradients over channel counts that are and are not
 * multiples of oneDNN's channel block (the ones that came out wrong on this machine unpadded),
 * kernel sizes 1–7, strides 1–2, dilation, batches of 1 and 2, and grouped/depthwise cases.
 */
class ConvolutionTest {

    /** n, in, out, size, kernel, stride, dilation, groups. */
    static List<int[]> configurations() {
        List<int[]> c = new ArrayList<>();
        int[][] channels = {{1, 8}, {1, 2}, {3, 8}, {3, 24}, {3, 64}, {8, 8}, {8, 24}, {16, 8}, {24, 16}, {24, 24}, {24, 48},
                {32, 8}, {32, 24}, {48, 40}, {64, 8}, {96, 24}, {64, 64}};
        int i = 0;
        for (int[] io : channels) {
            for (int k : new int[] {3, 5, 7}) {
                c.add(new int[] {1 + (i % 2), io[0], io[1], i % 3 == 0 ? 28 : 9, k, 1 + (i / 2) % 2, 1, 1});
                i++;
            }
        }
        c.add(new int[] {2, 24, 16, 12, 3, 1, 2, 1});   // dilated
        c.add(new int[] {2, 16, 8, 9, 1, 1, 1, 1});     // 1×1
        c.add(new int[] {2, 24, 24, 9, 3, 1, 1, 24});   // depthwise
        c.add(new int[] {1, 8, 16, 9, 5, 2, 1, 8});     // depthwise, multiplier 2
        c.add(new int[] {2, 24, 48, 9, 3, 1, 1, 3});    // grouped
        return c;
    }

    static NDArray conv(NDArray x, NDArray w, int[] c, boolean reference) {
        Shape stride = new Shape(c[5], c[5]);
        Shape pad = new Shape(c[4] / 2 * c[6], c[4] / 2 * c[6]);
        Shape dilation = new Shape(c[6], c[6]);
        return reference ? Conv2d.conv2d(x, w, null, stride, pad, dilation, c[7]).singletonOrThrow()
                : Convolution.conv2d(x, w, null, stride, pad, dilation, c[7]);
    }

    static float[] random(SplittableRandom r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return v;
    }

    @Test
    void theBlockFollowsOneDnnsInstructionSetCap() {
        assertEquals(16, Convolution.block(null));
        assertEquals(16, Convolution.block(" "));
        assertEquals(16, Convolution.block("AVX512_CORE"));
        assertEquals(16, Convolution.block("avx512_core_amx"));
        assertEquals(16, Convolution.block("AVX10_1_512"));
        assertEquals(8, Convolution.block("AVX2"));
        assertEquals(8, Convolution.block("avx2_vnni_2"));
        assertEquals(8, Convolution.block("AVX"));
        assertEquals(8, Convolution.block("SSE41"));
        // the test runner caps oneDNN at AVX2 (pom.xml), so the slow test below checks blocks of 8
        assertEquals(Convolution.block(System.getenv("ONEDNN_MAX_CPU_ISA")), Convolution.BLOCK);
        // the once-per-process test of the AVX-512 kernels runs only where they may run
        org.junit.jupiter.api.Assertions.assertTrue(Convolution.checked(Convolution.block(null)));
        org.junit.jupiter.api.Assertions.assertTrue(Convolution.checked(Convolution.block("AVX512_CORE")));
        org.junit.jupiter.api.Assertions.assertFalse(Convolution.checked(Convolution.block("AVX2")));
    }

    @Test
    @Tag("slow")
    void forwardAndInputGradientMatchFloat64() {
        List<String> wrong = probe(configurations());
        assertTrue(wrong.isEmpty(), "n, in, out, size, kernel, stride, dilation, groups: " + String.join("; ", wrong));
    }

    /**
     * The same with the input laid out channels-last, as the engine passes batches (oneDNN runs other
     * kernels on that layout); the gradient still reaches the input in its own layout.
     */
    @Test
    @Tag("slow")
    void channelsLastForwardAndInputGradientMatchFloat64() {
        List<String> wrong = probe(configurations(), true);
        assertTrue(wrong.isEmpty(), "n, in, out, size, kernel, stride, dilation, groups: " + String.join("; ", wrong));
    }

    static List<String> probe(List<int[]> configurations) {
        return probe(configurations, false);
    }

    /** The configurations whose forward values or input gradients differ from float64's. */
    static List<String> probe(List<int[]> configurations, boolean channelsLast) {
        List<String> wrong = new ArrayList<>();
        int checked = 0;
        try (NDManager m = NDManager.newBaseManager()) {
            for (int[] c : configurations) {
                try (NDManager s = m.newSubManager()) {
                    SplittableRandom r = new SplittableRandom(Arrays.hashCode(c));
                    Shape xs = new Shape(c[0], c[1], c[3], c[3]);
                    Shape ws = new Shape(c[2], c[1] / c[7], c[4], c[4]);
                    float[] xv = random(r, (int) xs.size());
                    float[] wv = random(r, (int) ws.size());
                    NDArray w = s.create(wv, ws);
                    NDArray x = s.create(xv, xs);
                    x.setRequiresGradient(true);
                    NDArray y;
                    NDArray dy;
                    try (GradientCollector gc = ai.djl.engine.Engine.getEngine("PyTorch").newGradientCollector()) {
                        y = conv(channelsLast ? Engine.toChannelsLast(x) : x, w, c, false);
                        dy = s.create(random(r, (int) y.getShape().size()), y.getShape());
                        gc.backward(y.mul(dy).sum());
                    }
                    NDArray dx = x.getGradient();

                    NDArray x64 = s.create(xv, xs).toType(DataType.FLOAT64, false);
                    NDArray w64 = w.toType(DataType.FLOAT64, false);
                    x64.setRequiresGradient(true);
                    NDArray y64;
                    try (GradientCollector gc = ai.djl.engine.Engine.getEngine("PyTorch").newGradientCollector()) {
                        y64 = conv(x64, w64, c, true);
                        gc.backward(y64.mul(dy.toType(DataType.FLOAT64, false)).sum());
                    }
                    double fwd = maxRelative(y, y64);
                    double bwd = maxRelative(dx, x64.getGradient());
                    if (!(fwd < 1e-4) || !(bwd < 1e-4)) {
                        wrong.add(Arrays.toString(c) + " forward " + fwd + " gradient " + bwd);
                    }
                    checked++;
                }
            }
        }
        System.out.println("convolution" + (channelsLast ? " (channels-last input)" : "") + ": " + checked
                + " configurations against float64, " + wrong.size() + " wrong");
        return wrong;
    }

    /** The float64 reference itself: a convolution is linear, so one unit step is its exact derivative. */
    @Test
    void float64ReferenceGradientIsTheFiniteDifference() {
        int[] c = {2, 24, 24, 9, 5, 1, 1, 1};
        try (NDManager m = NDManager.newBaseManager()) {
            SplittableRandom r = new SplittableRandom(5);
            Shape xs = new Shape(c[0], c[1], c[3], c[3]);
            double[] xv = new double[(int) xs.size()];
            for (int i = 0; i < xv.length; i++) {
                xv[i] = r.nextDouble() - 0.5;
            }
            NDArray w = m.create(random(r, c[2] * c[1] * 25), new Shape(c[2], c[1], 5, 5)).toType(DataType.FLOAT64, false);
            NDArray x = m.create(xv, xs);
            x.setRequiresGradient(true);
            try (GradientCollector gc = ai.djl.engine.Engine.getEngine("PyTorch").newGradientCollector()) {
                gc.backward(conv(x, w, c, true).sum());
            }
            double[] g = x.getGradient().toDoubleArray();
            double base = conv(m.create(xv, xs), w, c, true).sum().toDoubleArray()[0];
            for (int i = 0; i < xv.length; i += 97) {
                double[] p = xv.clone();
                p[i] += 1;
                double fd = conv(m.create(p, xs), w, c, true).sum().toDoubleArray()[0] - base;
                assertEquals(fd, g[i], 1e-9 * (1 + Math.abs(fd)), "input " + i);
            }
        }
    }

    static double maxRelative(NDArray a, NDArray reference) {
        double[] x = a.toType(DataType.FLOAT64, false).toDoubleArray();
        double[] y = reference.toDoubleArray();
        double scale = 0;
        for (double v : y) {
            scale = Math.max(scale, Math.abs(v));
        }
        double worst = 0;
        for (int i = 0; i < x.length; i++) {
            double d = Math.abs(x[i] - y[i]) / scale;
            worst = Double.isNaN(d) ? Double.NaN : Math.max(worst, d);
            if (Double.isNaN(worst)) {
                return worst;
            }
        }
        return worst;
    }
}
