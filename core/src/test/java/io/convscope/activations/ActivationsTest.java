package io.convscope.activations;

import io.convscope.ConvscopeException;
import io.convscope.embedded.EmbeddedModel;
import io.convscope.image.ImageTensor;
import io.convscope.network.Activation;
import io.convscope.network.Layer;
import io.convscope.network.Network;
import io.convscope.network.Padding;
import io.convscope.network.Preprocessing;
import io.convscope.network.Tensor;
import io.convscope.network.TensorShape;
import io.convscope.zoo.Architectures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The probe on a network with known weights, and the checks made before a run. */
class ActivationsTest {
    @BeforeAll
    static void offline() {
        System.setProperty("ai.djl.offline", "true");
    }

    /**
     * x (1×2×3) → conv: 1×1 kernels [1, -1, 0], biases [0, 0.5, 0], relu → 3 channels:
     * relu(x), relu(0.5 - x), and a dead channel; → 2×1 max pooling (stride 1 down the rows).
     */
    static Network tiny() {
        Layer conv = new Layer.Conv2D(3, 1, 1, 1, 1, 1, 1, Padding.VALID, 1, true, Activation.RELU);
        return new Network.Builder("tiny").preprocessing(Preprocessing.RAW).input("x", TensorShape.chw(1, 2, 3))
                .add("conv", conv, List.of("x"), Map.of("kernel", Tensor.of(new float[] {1, -1, 0}, 3, 1, 1, 1),
                        "bias", Tensor.of(new float[] {0, 0.5f, 0}, 3)))
                .add("pool", new Layer.Pool2D(true, 2, 1, 1, 1, Padding.VALID, false, false), "conv")
                .add("flat", new Layer.Flatten(false), "pool")
                .build();
    }

    @Test
    void valuesStatisticsAndTopKOfAKnownNetwork() {
        float[] x = {-2, -1, 0, 1, 2, 3};
        float[] y = {1, 2, 3, -3, -2, -1};
        ImageTensor in = new ImageTensor(concat(x, y), 2, 1, 2, 3, List.of("x.png", "y.png"));
        Activations a = Activations.compute(tiny(), in, List.of("conv", "pool"), null);
        assertEquals(2, a.imageCount());
        LayerActivations conv = a.layer("conv");
        assertEquals(1, conv.position());
        assertEquals(TensorShape.chw(3, 2, 3), conv.shape());
        assertArrayEquals(new float[] {0, 0, 0, 1, 2, 3, 2.5f, 1.5f, 0.5f, 0, 0, 0, 0, 0, 0, 0, 0, 0}, conv.values().get(0), 1e-6f);
        LayerStats s = conv.stats().get(0);
        // channel 0: 0 0 0 1 2 3 → mean 1, zeros 1/2, max 3; channel 1: 2.5 1.5 .5 0 0 0 → sum 4.5
        assertEquals(1.0, s.channels().get(0).mean(), 1e-9);
        assertEquals(0.5, s.channels().get(0).zeros(), 0);
        assertEquals(4.5, s.channels().get(1).sum(), 1e-6);
        assertEquals(1, s.deadChannels());
        // the layer: 18 values, 6 non-zero → zeros 12/18
        assertEquals(12.0 / 18, s.layer().zeros(), 1e-12);
        // sums 6, 4.5, 0 for the first image; 6, 7.5, 0 for the second
        assertEquals(List.of(0, 1, 2), s.top(3, LayerStats.Rank.SUM).stream().map(LayerStats.Ranked::channel).toList());
        assertEquals(List.of(1, 0), conv.stats().get(1).top(2, LayerStats.Rank.SUM).stream().map(LayerStats.Ranked::channel).toList());
        assertEquals(7.5, conv.stats().get(1).top(1, LayerStats.Rank.SUM).get(0).score(), 1e-6);
        // second image: channel 0 = 1 2 3 0 0 0, channel 1 = 0 0 0 3.5 2.5 1.5
        assertArrayEquals(new float[] {0, 0, 0, 3.5f, 2.5f, 1.5f}, conv.channel(1, 1), 1e-6f);
        LayerActivations pool = a.layer("pool");
        assertEquals(2, pool.position());
        assertEquals(TensorShape.chw(3, 1, 3), pool.shape());
        assertArrayEquals(new float[] {1, 2, 3, 2.5f, 1.5f, 0.5f, 0, 0, 0}, pool.values().get(0), 1e-6f);
        assertEquals(2, a.inputImages().size());
        assertEquals(3, a.inputImages().get(0).getWidth());
    }

    @Test
    void onlyFeatureMapsCanBeProbed() {
        ImageTensor in = new ImageTensor(new float[6], 1, 1, 2, 3, List.of("z"));
        ConvscopeException e = assertThrows(ConvscopeException.class, () -> Activations.compute(tiny(), in, List.of("flat"), null));
        assertTrue(e.getMessage().contains("'flat' (Flatten)") && e.getMessage().contains("not feature maps"), e.getMessage());
    }

    @Test
    void anotherInputSizeKeepsOnlyTheLayersBeforeTheClassifier() {
        Network net = EmbeddedModel.load();
        Network big = net.cut(List.of("block1_conv2", "block2_pool"), 40, 60).orThrow();
        assertEquals(TensorShape.chw(1, 40, 60), big.inputShape());
        assertEquals(TensorShape.chw(64, 10, 15), big.node("block2_pool").outputShape());
        assertTrue(!big.has("flatten") && !big.has("fc1"));
        ConvscopeException e = assertThrows(ConvscopeException.class, () -> net.cut(List.of("fc1"), 40, 60).orThrow());
        assertTrue(e.getMessage().contains("'fc1' (Dense) needs the model's own 28×28 input"), e.getMessage());
        // the model's own size: the whole network may stay
        assertTrue(net.cut(List.of("fc1"), 28, 28).orThrow().has("fc1"));
        // and the sized net computes: 40×60 zeros → block2_pool 10×15
        ImageTensor in = new ImageTensor(new float[40 * 60], 1, 1, 40, 60, List.of("zeros"));
        Activations a = Activations.compute(big, in, List.of("block2_pool"), null);
        assertEquals(64 * 10 * 15, a.layers().get(0).values().get(0).length);
    }

    @Test
    void memoryRefusalGivesTheEstimateAndTheFlagsThatLowerIt() {
        Network vgg = Architectures.vgg16(true, 224, 224);
        List<String> layers = LayerSelection.defaults().resolve(vgg);
        MemoryEstimate m = MemoryEstimate.of(vgg, layers, 8, 2, 0, 0);
        long perImage = 2L * 64 * 224 * 224 + 64L * 112 * 112 + 2L * 128 * 112 * 112 + 128L * 56 * 56
                + 3L * 256 * 56 * 56 + 256L * 28 * 28 + 3L * 512 * 28 * 28 + 512L * 14 * 14 + 3L * 512 * 14 * 14 + 512L * 7 * 7;
        assertEquals(perImage * 8 * 4, m.activationBytes());
        // the weights up to block5_pool (VGG16's 14,714,688 convolution parameters), one image's taps and
        // the two largest tensors (block1's 64×224×224 maps)
        assertEquals(4L * 14_714_688 + perImage * 4 + 2 * 4L * 64 * 224 * 224, m.nativeBytes());
        m.check(8L << 30, 64L << 30, "fits");
        ConvscopeException e = assertThrows(ConvscopeException.class,
                () -> m.check(256L << 20, 64L << 30, "8 images × 18 layers at 224×224"));
        assertTrue(e.getMessage().startsWith("activations of 8 images × 18 layers at 224×224 need about "), e.getMessage());
        String flags = e.message(s -> "--" + s.key()); // the settings as the command line names them
        assertTrue(flags.contains("Java heap allows 256.0 MB") && flags.contains("--size")
                && flags.contains("--layers") && flags.contains("-Xmx"), flags);
        assertTrue(e instanceof io.convscope.TooLargeException t && t.limit() == io.convscope.TooLargeException.Limit.HEAP
                && t.limitBytes() == 256L << 20 && t.neededBytes() == m.heapBytes(), e.getMessage());
        e = assertThrows(ConvscopeException.class, () -> m.check(64L << 30, 256L << 20, "x"));
        assertTrue(e.getMessage().contains("this machine has 256.0 MB"), e.getMessage());
    }

    static float[] concat(float[] a, float[] b) {
        float[] c = new float[a.length + b.length];
        System.arraycopy(a, 0, c, 0, a.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
