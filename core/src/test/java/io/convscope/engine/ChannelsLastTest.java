package io.convscope.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.convscope.network.Activation;
import io.convscope.network.Layer;
import io.convscope.network.Network;
import io.convscope.network.Padding;
import io.convscope.network.TensorShape;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Batches go through the network channels-last, single images too when the network max-pools with
 * overlapping windows ({@link Engine#channelsLast}, {@link Engine#channelsLastAtOne}): every layer's
 * values and the input gradient must be those of the plain layout, image by image.
 */
class ChannelsLastTest {
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

    /** A SqueezeNet-like fire module: convolution, ceil-mode max pooling, squeeze, two expands joined, pooling, dense. */
    static Network fire(long seed) {
        return new Network.Builder("fire").input("input", TensorShape.chw(3, 19, 19))
                .add("conv1", new Layer.Conv2D(16, 3, 3, 2, 2, 1, 1, Padding.VALID, 1, true, Activation.RELU), "input")
                .add("pool1", new Layer.Pool2D(true, 3, 3, 2, 2, Padding.VALID, true, false), "conv1")
                .add("squeeze", new Layer.Conv2D(8, 1, 1, 1, 1, 1, 1, Padding.VALID, 1, true, Activation.RELU), "pool1")
                .add("e1", new Layer.Conv2D(16, 1, 1, 1, 1, 1, 1, Padding.VALID, 1, true, Activation.RELU), "squeeze")
                .add("e3", new Layer.Conv2D(16, 3, 3, 1, 1, 1, 1, Padding.SAME, 1, true, Activation.RELU), "squeeze")
                .add("concat", new Layer.Concatenate(0), "e1", "e3")
                .add("pool2", new Layer.Pool2D(false, 2, 2, 2, 2, Padding.SAME, false, false), "concat")
                .add("flat", new Layer.Flatten(false), "pool2")
                .add("dense", new Layer.Dense(5, true, Activation.LINEAR), "flat")
                .buildWithoutParams().withRandomParams(seed);
    }

    @Test
    void aBatchGivesWhatItsImagesGiveOneAtATime() {
        for (Network net : List.of(fire(3), EngineTest.smallNet(5))) {
            TensorShape in = net.inputShape();
            int c = in.channels();
            int h = in.height();
            int w = in.width();
            int n = 3;
            int size = c * h * w;
            float[] x = EngineTest.random(new Random(7), n * size);
            List<String> taps = net.nodes().stream().skip(1).map(io.convscope.network.Node::name).toList();
            try (Engine e = Engine.create(net); Engine plain = Engine.create(net, false); NDManager m = scope.newSubManager()) {
                NDArray batch = e.input(m, x, n, c, h, w);
                Map<String, NDArray> all = e.forward(batch, taps);
                Engine.Gradient g = e.inputGradient(batch, List.of("dense"), o -> o.get("dense").square().sum());
                float[] gradient = g.gradient().toFloatArray();
                for (int i = 0; i < n; i++) {
                    float[] xi = new float[size];
                    System.arraycopy(x, i * size, xi, 0, size);
                    NDArray one = plain.input(m, xi, 1, c, h, w);
                    Map<String, NDArray> single = plain.forward(one, taps);
                    for (String t : taps) {
                        float[] b = all.get(t).toFloatArray();
                        float[] s = single.get(t).toFloatArray();
                        assertEquals(b.length, s.length * n, t);
                        float[] part = new float[s.length];
                        System.arraycopy(b, i * s.length, part, 0, s.length);
                        assertArrayEquals(s, part, 1e-4f, net.name() + " " + t + ", image " + i);
                    }
                    float[] gi = plain.inputGradient(one, List.of("dense"), o -> o.get("dense").square().sum()).gradient().toFloatArray();
                    float[] part = new float[size];
                    System.arraycopy(gradient, i * size, part, 0, size);
                    double scale = 0;
                    for (float v : gi) {
                        scale = Math.max(scale, Math.abs(v));
                    }
                    assertTrue(scale > 0, "a gradient to compare");
                    for (int k = 0; k < size; k++) {
                        assertEquals(gi[k], part[k], 1e-4 * scale, net.name() + " input gradient, image " + i + " at " + k);
                    }
                }
            }
        }
    }

    /** PyTorch's is_contiguous() (plain N, C, H, W order), which DJL keeps to its own package. */
    static boolean plainContiguous(NDArray a) {
        try {
            Class<?> lib = Class.forName("ai.djl.pytorch.jni.PyTorchLibrary");
            java.lang.reflect.Field f = lib.getDeclaredField("LIB");
            f.setAccessible(true);
            java.lang.reflect.Method is = lib.getDeclaredMethod("torchIsContiguous", long.class);
            is.setAccessible(true);
            return (boolean) is.invoke(f.get(null), ((ai.djl.pytorch.engine.PtNDArray) a).getHandle());
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void theCopyHoldsTheSameValuesInTheSameShape() {
        try (NDManager m = scope.newSubManager()) {
            float[] v = EngineTest.random(new Random(1), 2 * 5 * 3 * 4);
            NDArray x = m.create(v, new ai.djl.ndarray.types.Shape(2, 5, 3, 4));
            NDArray y = Engine.toChannelsLast(x);
            assertEquals(x.getShape(), y.getShape());
            assertArrayEquals(v, y.toFloatArray());
            assertArrayEquals(x.get(":, 3").toFloatArray(), y.get(":, 3").toFloatArray());
            assertArrayEquals(x.reshape(2, -1).toFloatArray(), y.reshape(2, -1).toFloatArray());
            // the copy is laid out channels-last whatever the batch: not contiguous in the plain order
            // (a batch of one once kept the plain strides: its H and W merged into one view axis)
            for (int n : new int[] {1, 2}) {
                NDArray plain = m.create(new float[n * 5 * 3 * 4], new ai.djl.ndarray.types.Shape(n, 5, 3, 4));
                assertTrue(plainContiguous(plain), "batch " + n);
                assertFalse(plainContiguous(Engine.toChannelsLast(plain)), "batch " + n);
            }
            // one image stays as it is unless asked; a single channel always does
            NDArray one = m.create(new float[5 * 3 * 4], new ai.djl.ndarray.types.Shape(1, 5, 3, 4));
            assertTrue(Engine.channelsLast(one, false) == one);
            assertFalse(plainContiguous(Engine.channelsLast(one, true)));
            NDArray grey = m.create(new float[2 * 3 * 4], new ai.djl.ndarray.types.Shape(2, 1, 3, 4));
            assertTrue(Engine.channelsLast(grey, true) == grey);
        }
    }

    @Test
    void singleImagesGoChannelsLastOnlyThroughOverlappingMaxPools() {
        assertTrue(Engine.channelsLastAtOne(fire(3)), "3×3/2 max pooling");
        assertFalse(Engine.channelsLastAtOne(EngineTest.smallNet(5)));
        for (boolean max : new boolean[] {true, false}) {
            for (int k : new int[] {2, 3}) {
                Network net = new Network.Builder("pool").input("input", TensorShape.chw(3, 9, 9))
                        .add("conv", new Layer.Conv2D(4, 3, 3, 1, 1, 1, 1, Padding.SAME, 1, true, Activation.RELU), "input")
                        .add("pool", new Layer.Pool2D(max, k, k, 2, 2, Padding.VALID, false, false), "conv")
                        .buildWithoutParams().withRandomParams(1);
                assertEquals(max && k == 3, Engine.channelsLastAtOne(net), (max ? "max " : "average ") + k + "×" + k + "/2");
            }
        }
    }

    /**
     * A single image through a network with an overlapping max pool (channels-last, its k×k kernels
     * copied into that layout once) gives the plain layout's values, twice over (the second pass uses the
     * kept kernel copies); once the parameters are taken for training, a kernel changed in place shows
     * in the next pass (no copy of the old kernel is used).
     */
    @Test
    void aSingleImageChannelsLastMatchesThePlainLayoutAndFollowsChangedKernels() {
        Network net = fire(11);
        TensorShape in = net.inputShape();
        int size = in.channels() * in.height() * in.width();
        float[] x = EngineTest.random(new Random(5), size);
        List<String> taps = net.nodes().stream().skip(1).map(io.convscope.network.Node::name).toList();
        try (Engine e = Engine.create(net); Engine plain = Engine.create(net, false); NDManager m = scope.newSubManager()) {
            for (int pass = 0; pass < 3; pass++) {
                if (pass == 2) {
                    for (Engine each : List.of(e, plain)) {
                        each.parametersToTrain().get("e3/kernel").muli(-2f);
                        each.parametersToTrain().get("conv1/kernel").muli(0.5f);
                    }
                }
                NDArray one = e.input(m, x, 1, in.channels(), in.height(), in.width());
                Map<String, NDArray> got = e.forward(one, taps);
                Map<String, NDArray> want = plain.forward(plain.input(m, x, 1, in.channels(), in.height(), in.width()), taps);
                for (String t : taps) {
                    assertArrayEquals(want.get(t).toFloatArray(), got.get(t).toFloatArray(), 1e-4f, "pass " + pass + ", " + t);
                }
                float[] g = e.inputGradient(one, List.of("dense"), o -> o.get("dense").square().sum()).gradient().toFloatArray();
                float[] gp = plain.inputGradient(plain.input(m, x, 1, in.channels(), in.height(), in.width()), List.of("dense"),
                        o -> o.get("dense").square().sum()).gradient().toFloatArray();
                double scale = 0;
                for (float v : gp) {
                    scale = Math.max(scale, Math.abs(v));
                }
                assertTrue(scale > 0, "a gradient to compare");
                for (int k = 0; k < size; k++) {
                    assertEquals(gp[k], g[k], 1e-4 * scale, "pass " + pass + ", input gradient at " + k);
                }
            }
        }
    }
}
