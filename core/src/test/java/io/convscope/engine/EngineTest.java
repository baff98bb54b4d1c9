package io.convscope.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.convscope.network.Activation;
import io.convscope.network.Layer;
import io.convscope.network.Network;
import io.convscope.network.Padding;
import io.convscope.network.Tensor;
import io.convscope.network.TensorShape;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EngineTest {
    static NDManager scope;

    @BeforeAll
    static void init() {
        System.setProperty("ai.djl.offline", "true");
        scope = NDManager.newBaseManager("PyTorch");
    }

    @AfterAll
    static void done() {
        scope.close();
    }

    static float[] random(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }

    /** Runs a one-layer network on x (n, c, h, w) and returns the flat output. */
    static float[] run(Layer layer, Map<String, Tensor> params, float[] x, int n, int c, int h, int w) {
        Network net = new Network.Builder("t").input("in", TensorShape.chw(c, h, w))
                .add("l", layer, List.of("in"), params).build();
        try (Engine e = Engine.create(net); NDManager m = scope.newSubManager()) {
            NDArray in = e.input(m, x, n, c, h, w);
            return e.forward(in, List.of("l")).get("l").toFloatArray();
        }
    }

    @Test
    void convSameStride2UsesTensorFlowsAsymmetricPadding() {
        Random r = new Random(1);
        for (int size : new int[] {8, 7}) {
            float[] x = random(r, 2 * 3 * size * size);
            float[] k = random(r, 4 * 3 * 3 * 3);
            float[] b = random(r, 4);
            float[] got = run(new Layer.Conv2D(4, 3, 3, 2, 2, 1, 1, Padding.SAME, 1, true, Activation.LINEAR),
                    Map.of("kernel", Tensor.of(k, 4, 3, 3, 3), "bias", Tensor.of(b, 4)), x, 2, 3, size, size);
            // TF: out = ceil(in/2) = 4; total pad = 3*2+3-in: 1 for 8 (bottom/right only), 2 for 7 (1 each side)
            int[] pad = size == 8 ? new int[] {0, 1, 0, 1} : new int[] {1, 1, 1, 1};
            int[] hw = new int[2];
            float[] want = Reference.conv(x, 2, 3, size, size, k, 4, 3, 3, b, 2, 2, 1, 1, pad, 1, hw);
            assertEquals(4, hw[0]);
            assertArrayEquals(want, got, 1e-4f, "size " + size);
        }
    }

    @Test
    void convDilationGroupsAndDepthwise() {
        Random r = new Random(2);
        float[] x = random(r, 1 * 4 * 9 * 9);
        float[] k = random(r, 6 * 2 * 3 * 3);
        int[] hw = new int[2];
        float[] got = run(new Layer.Conv2D(6, 3, 3, 1, 1, 2, 2, Padding.VALID, 2, false, Activation.LINEAR),
                Map.of("kernel", Tensor.of(k, 6, 2, 3, 3)), x, 1, 4, 9, 9);
        assertArrayEquals(Reference.conv(x, 1, 4, 9, 9, k, 6, 3, 3, null, 1, 1, 2, 2, new int[4], 2, hw), got, 1e-4f);

        float[] dk = random(r, 8 * 1 * 3 * 3);
        float[] got2 = run(new Layer.DepthwiseConv2D(2, 3, 3, 1, 1, 1, 1, Padding.SAME, false, Activation.RELU),
                Map.of("depthwise_kernel", Tensor.of(dk, 8, 1, 3, 3)), x, 1, 4, 9, 9);
        float[] want2 = Reference.conv(x, 1, 4, 9, 9, dk, 8, 3, 3, null, 1, 1, 1, 1, new int[] {1, 1, 1, 1}, 4, hw);
        for (int i = 0; i < want2.length; i++) {
            want2[i] = Math.max(0, want2[i]);
        }
        assertArrayEquals(want2, got2, 1e-4f);
    }

    @Test
    void poolingSameExcludesPaddingFromAverages() {
        Random r = new Random(3);
        float[] x = random(r, 2 * 3 * 6 * 6);
        int[] hw = new int[2];
        // k=3, s=2 on 6: out 3, total pad 1 -> bottom/right
        for (boolean max : new boolean[] {true, false}) {
            float[] got = run(new Layer.Pool2D(max, 3, 3, 2, 2, Padding.SAME, false, false), Map.of(), x, 2, 3, 6, 6);
            float[] want = Reference.pool(x, 2, 3, 6, 6, 3, 3, 2, 2, new int[] {0, 1, 0, 1}, max, hw);
            assertArrayEquals(want, got, 1e-5f, max ? "max" : "avg");
        }
        // k=2, s=1 same on 5: total pad 1 -> bottom/right
        float[] x5 = random(r, 1 * 2 * 5 * 5);
        float[] got = run(new Layer.Pool2D(false, 2, 2, 1, 1, Padding.SAME, false, false), Map.of(), x5, 1, 2, 5, 5);
        assertArrayEquals(Reference.pool(x5, 1, 2, 5, 5, 2, 2, 1, 1, new int[] {0, 1, 0, 1}, false, hw), got, 1e-5f);
    }

    @Test
    void globalPooling() {
        float[] x = {1, 5, 3, 2, -1, -2, -3, -4}; // c=2, 2×2
        assertArrayEquals(new float[] {2.75f, -2.5f}, run(new Layer.GlobalPool(false, false), Map.of(), x, 1, 2, 2, 2), 1e-6f);
        assertArrayEquals(new float[] {5, -1}, run(new Layer.GlobalPool(true, false), Map.of(), x, 1, 2, 2, 2));
        assertArrayEquals(new float[] {5, -1}, run(new Layer.GlobalPool(true, true), Map.of(), x, 1, 2, 2, 2));
    }

    @Test
    void batchNormUsesMovingStatistics() {
        float[] x = {1, 2, 3, 4, 10, 20, 30, 40};
        Map<String, Tensor> p = Map.of("gamma", Tensor.of(new float[] {2, 0.5f}, 2), "beta", Tensor.of(new float[] {1, -1}, 2),
                "moving_mean", Tensor.of(new float[] {2, 25}, 2), "moving_variance", Tensor.of(new float[] {4, 100}, 2));
        float[] got = run(new Layer.BatchNorm(0.001f, true, true), p, x, 1, 2, 2, 2);
        for (int i = 0; i < 8; i++) {
            int c = i / 4;
            double mean = c == 0 ? 2 : 25;
            double var = c == 0 ? 4 : 100;
            double want = (c == 0 ? 2 : 0.5) * (x[i] - mean) / Math.sqrt(var + 0.001) + (c == 0 ? 1 : -1);
            assertEquals(want, got[i], 1e-4);
        }
    }

    @Test
    void flattenChannelsLastReadsHwcOrder() {
        float[] x = new float[2 * 2 * 3]; // c=2, h=2, w=3
        for (int i = 0; i < x.length; i++) {
            x[i] = i;
        }
        float[] last = run(new Layer.Flatten(true), Map.of(), x, 1, 2, 2, 3);
        // HWC order: (h0,w0,c0)=0, (h0,w0,c1)=6, (h0,w1,c0)=1, ...
        assertArrayEquals(new float[] {0, 6, 1, 7, 2, 8, 3, 9, 4, 10, 5, 11}, last);
        assertArrayEquals(x, run(new Layer.Flatten(false), Map.of(), x, 1, 2, 2, 3));
    }

    @Test
    void bilinearUpsamplingUsesHalfPixelCentres() {
        float[] got = run(new Layer.UpSampling2D(1, 2, true), Map.of(), new float[] {0, 1}, 1, 1, 1, 2);
        assertArrayEquals(new float[] {0, 0.25f, 0.75f, 1}, got, 1e-6f);
        float[] nearest = run(new Layer.UpSampling2D(2, 2, false), Map.of(), new float[] {1, 2}, 1, 1, 1, 2);
        assertArrayEquals(new float[] {1, 1, 2, 2, 1, 1, 2, 2}, nearest);
    }

    @Test
    void reluVariantsAndActivations() {
        float[] x = {-2, -0.5f, 0, 0.5f, 1, 3, 7};
        float[] got = run(new Layer.ReLU(6f, 0.1f, 0.5f), Map.of(), x, 1, 1, 1, 7);
        // negative_slope * (x - threshold) below threshold, x up to max_value
        assertArrayEquals(new float[] {-0.25f, -0.1f, -0.05f, 0.5f, 1, 3, 6}, got, 1e-6f);
        float[] hs = run(new Layer.Act("Activation", Activation.HARD_SIGMOID), Map.of(), x, 1, 1, 1, 7);
        assertEquals((0.5 + 3) / 6, hs[3], 1e-6);
        float[] sw = run(new Layer.Act("Activation", Activation.SWISH), Map.of(), x, 1, 1, 1, 7);
        assertEquals(1 / (1 + Math.exp(-1)), sw[4], 1e-6);
        float[] sm = run(new Layer.Act("Softmax", Activation.SOFTMAX), Map.of(), new float[] {1, 2, 3, 4}, 1, 2, 1, 2);
        // softmax over channels: pixel 0 has (1, 3), pixel 1 has (2, 4)
        assertEquals(1 / (1 + Math.exp(2)), sm[0], 1e-6);
        assertEquals(sm[0] + sm[2], 1f, 1e-6);
    }

    @Test
    void reshapeFollowsKerasChannelsLastOrder() {
        float[] x = new float[2 * 2 * 2];
        for (int i = 0; i < x.length; i++) {
            x[i] = i;
        }
        // (C=2,H=2,W=2) -> Keras (4, 2): rows of HWC order
        float[] got = run(new Layer.Reshape(new int[] {4, 2}), Map.of(), x, 1, 2, 2, 2);
        assertArrayEquals(new float[] {0, 4, 1, 5, 2, 6, 3, 7}, got);
    }

    static Network smallNet(long seed) {
        return new Network.Builder("small").input("input", TensorShape.chw(2, 7, 7))
                .add("conv1", new Layer.Conv2D(3, 3, 3, 2, 2, 1, 1, Padding.SAME, 1, true, Activation.TANH), "input")
                .add("bn", new Layer.BatchNorm(1e-3f, true, true), "conv1")
                .add("pad", new Layer.ZeroPadding2D(1, 0, 0, 1), "bn")
                .add("conv2", new Layer.Conv2D(4, 2, 2, 1, 1, 1, 1, Padding.VALID, 1, true, Activation.SOFTPLUS), "pad")
                .add("pool", new Layer.Pool2D(false, 2, 2, 2, 2, Padding.SAME, false, false), "conv2")
                .add("flat", new Layer.Flatten(true), "pool")
                .add("dense", new Layer.Dense(5, true, Activation.LINEAR), "flat")
                .buildWithoutParams().withRandomParams(seed);
    }

    @Test
    void withLayersSwapsOneLayerAndKeepsItsParameters() {
        Network net = smallNet(3);
        Layer.Conv2D conv = (Layer.Conv2D) net.node("conv1").layer();
        Network linear = net.withLayers(Map.of("conv1", conv.withActivation(Activation.LINEAR)));
        assertEquals(Activation.LINEAR, ((Layer.Conv2D) linear.node("conv1").layer()).activation());
        assertEquals(Activation.TANH, conv.activation(), "the original is unchanged");
        assertEquals(net.node("conv2").layer(), linear.node("conv2").layer());
        assertTrue(net.node("conv1").params().get("kernel") == linear.node("conv1").params().get("kernel"));
        try (Engine a = Engine.create(net); Engine b = Engine.create(linear); NDManager m = scope.newSubManager()) {
            float[] x = random(new Random(2), 2 * 49);
            float[] before = a.forward(a.input(m, x, 1, 2, 7, 7), List.of("conv1")).get("conv1").toFloatArray();
            float[] pre = b.forward(b.input(m, x, 1, 2, 7, 7), List.of("conv1")).get("conv1").toFloatArray();
            assertEquals(before.length, pre.length);
            boolean differs = false;
            for (int i = 0; i < pre.length; i++) {
                assertEquals(before[i], (float) Math.tanh(pre[i]), 1e-5f, "tanh of the linear output at " + i);
                differs |= Math.abs(pre[i] - before[i]) > 1e-3f;
            }
            assertTrue(differs, "the linear layer's values are not the tanh's");
        }
        // a layer that does not fit the node's parameters is refused by the builder
        assertThrows(RuntimeException.class, () -> net.withLayers(Map.of("conv1",
                new Layer.Conv2D(5, 3, 3, 2, 2, 1, 1, Padding.SAME, 1, true, Activation.TANH))));
        assertTrue(net.withLayers(Map.of()) == net);
    }

    @Test
    void forwardStopsAtTheDeepestTap() {
        Network net = smallNet(7);
        try (Engine e = Engine.create(net); NDManager m = scope.newSubManager()) {
            NDArray in = e.input(m, random(new Random(1), 2 * 49 * 2), 2, 2, 7, 7);
            Map<String, NDArray> out = e.forward(in, List.of("conv1"));
            assertEquals(2, e.lastComputedLayers());
            assertArrayEquals(new long[] {2, 3, 4, 4}, out.get("conv1").getShape().getShape());
            Map<String, NDArray> both = e.forward(in, List.of("dense", "bn"));
            assertEquals(net.nodes().size(), e.lastComputedLayers());
            assertEquals(List.of("dense", "bn"), List.copyOf(both.keySet()));
            assertArrayEquals(new long[] {2, 5}, both.get("dense").getShape().getShape());
        }
    }

    @Test
    @Tag("slow")
    void inputGradientMatchesFiniteDifferences() {
        Network net = smallNet(11);
        Random r = new Random(5);
        float[] x = random(r, 2 * 7 * 7);
        float[] weights = random(r, 5);
        try (Engine e = Engine.create(net); NDManager m = scope.newSubManager()) {
            java.util.function.Function<Map<String, NDArray>, NDArray> objective = out -> {
                NDArray d = out.get("dense");
                NDArray w = d.getManager().create(weights).reshape(1, 5);
                return d.mul(w).sum().add(out.get("conv1").square().mean());
            };
            Engine.Gradient g = e.inputGradient(e.input(m, x, 1, 2, 7, 7), List.of("dense", "conv1"), objective);
            float[] grad = g.gradient().toFloatArray();
            double eps = 1e-2;
            double maxErr = 0;
            double maxGrad = 0;
            for (int i = 0; i < x.length; i += 3) {
                float[] plus = x.clone();
                float[] minus = x.clone();
                plus[i] += (float) eps;
                minus[i] -= (float) eps;
                double fp = e.inputGradient(e.input(m, plus, 1, 2, 7, 7), List.of("dense", "conv1"), objective).value();
                double fm = e.inputGradient(e.input(m, minus, 1, 2, 7, 7), List.of("dense", "conv1"), objective).value();
                double fd = (fp - fm) / (2 * eps);
                maxErr = Math.max(maxErr, Math.abs(fd - grad[i]));
                maxGrad = Math.max(maxGrad, Math.abs(grad[i]));
            }
            assertTrue(maxGrad > 1e-3, "gradient is not trivially zero");
            assertTrue(maxErr < 2e-3 + 1e-2 * maxGrad, "max |fd - grad| = " + maxErr + " (max |grad| " + maxGrad + ")");
        }
    }
}
