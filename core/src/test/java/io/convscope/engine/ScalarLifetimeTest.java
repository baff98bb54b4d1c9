package io.convscope.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.convscope.network.Activation;
import io.convscope.network.Layer;
import io.convscope.network.Network;
import io.convscope.network.Padding;
import io.convscope.network.TensorShape;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * Layers whose engine code multiplies, divides or clamps by a number keep that number alive for the
 * backward pass ({@link Tensors#scalar}): with a collector thread running, the input gradient is the
 * same every time. With DJL's {@code x.mul(0.5f)} it was garbage now and then (freed memory read back).
 */
@Tag("slow")
class ScalarLifetimeTest {
    @Test
    void inputGradientsDoNotChangeWhileTheCollectorRuns() throws InterruptedException {
        Network net = new Network.Builder("numbers").input("x", TensorShape.chw(3, 8, 8))
                .add("rescale", new Layer.Rescaling(0.5f, 0.1f), "x")
                .add("conv", new Layer.Conv2D(4, 3, 3, 1, 1, 1, 1, Padding.SAME, 1, true, Activation.LINEAR), "rescale")
                .add("relu", new Layer.ReLU(0.6f, 0.1f, 0f), "conv")
                .add("hard", new Layer.Act("hard_sigmoid", Activation.HARD_SIGMOID_TF2), "conv")
                .add("leaky", new Layer.Unary(Layer.Unary.Fn.LEAKY_RELU, 0.2f, 0f), "conv")
                .add("recip", new Layer.Unary(Layer.Unary.Fn.HARD_SWISH, 0f, 0f), "conv")
                .add("avg", new Layer.Merge(Layer.Merge.Op.AVERAGE), "relu", "hard", "leaky", "recip")
                .add("pool", new Layer.Pool2D(false, 3, 3, 2, 2, Padding.SAME, false, false), "avg")
                .buildWithoutParams().withRandomParams(3);
        float[] x = new float[3 * 8 * 8];
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextDouble() * 4 - 2);
        }
        try (Engine e = Engine.create(net); NDManager m = e.manager().newSubManager()) {
            float[] want = gradient(e, m, x);
            try (CollectorLoop gc = CollectorLoop.start()) {
                for (int i = 0; i < 150; i++) {
                    assertArrayEquals(want, gradient(e, m, x), "evaluation " + i);
                }
            }
        }
    }

    static float[] gradient(Engine e, NDManager m, float[] x) {
        try (NDManager step = m.newSubManager()) {
            NDArray in = e.input(step, x, 1, 3, 8, 8);
            Engine.Gradient g = e.inputGradient(in, List.of("pool"), o -> o.get("pool").square().sum());
            return g.gradient().toFloatArray();
        }
    }
}
