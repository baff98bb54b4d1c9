package io.convscope.network;

import org.junit.jupiter.api.Test;

import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The position-addressed generator against {@link SplittableRandom} itself, and random weights against
 * the sequential loop that drew them before the cores shared the work (so that every model with
 * random weights keeps its numbers and every picture its bytes).
 */
class SeededUniformTest {

    @Test
    void valuesAtAnyPositionAreSplittableRandomsOwn() {
        for (long seed : new long[] {0, 1, 42, -7, Long.MAX_VALUE}) {
            SplittableRandom r = new SplittableRandom(seed);
            for (long k = 0; k < 3 * SeededUniform.CHUNK + 17; k++) {
                double expected = r.nextDouble();
                if (k < 1000 || k % 9973 == 0 || k > 3L * SeededUniform.CHUNK) {
                    assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(SeededUniform.at(seed, k)),
                            "seed " + seed + " value " + k);
                }
            }
        }
    }

    @Test
    void fillsAcrossChunksAsTheSequentialLoopDid() {
        int a = 1000;
        int b = 2 * SeededUniform.CHUNK + 123; // crosses two task boundaries
        FloatBuffer fa = Tensor.allocate(a);
        FloatBuffer fb = Tensor.allocate(b);
        long seed = 5;
        SeededUniform.fill(seed, List.of(new SeededUniform.Fill(fa, 0, a, 0.5), new SeededUniform.Fill(fb, a, b, 0.01)));
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < a; i++) {
            assertEquals((float) ((r.nextDouble() * 2 - 1) * 0.5), fa.get(i), 0f, "a[" + i + "]");
        }
        for (int i = 0; i < b; i++) {
            assertEquals((float) ((r.nextDouble() * 2 - 1) * 0.01), fb.get(i), 0f, "b[" + i + "]");
        }
    }

    /**
     * A network of Glorot kernels, zero biases and BatchNorm ones (which draw no numbers) gets exactly the
     * values of one SplittableRandom(seed) walked through its parameters in node order, as Keras-style
     * random weights were always made.
     */
    @Test
    void randomParamsAreTheSequentialDraws() {
        Network net = new Network.Builder("t")
                .input("in", TensorShape.chw(3, 8, 8))
                .add("c1", new Layer.Conv2D(16, 3, 3, 1, 1, 1, 1, Padding.SAME, 1, true, Activation.RELU), "in")
                .add("bn", new Layer.BatchNorm(1e-3f, true, true), "c1")
                .add("c2", new Layer.Conv2D(8, 3, 3, 1, 1, 1, 1, Padding.SAME, 1, true, Activation.LINEAR), "bn")
                .buildWithoutParams();
        long seed = 123;
        Network random = net.withRandomParams(seed);
        SplittableRandom r = new SplittableRandom(seed);
        int glorot = 0;
        for (Node n : net.nodes()) {
            for (ParamSpec s : net.specs(n)) {
                Tensor t = random.node(n.name()).params().get(s.name());
                for (int i = 0; i < s.size(); i++) {
                    float expected = switch (s.init()) {
                        case ONES -> 1f;
                        case ZEROS -> 0f;
                        case GLOROT_UNIFORM -> (float) ((r.nextDouble() * 2 - 1) * Math.sqrt(6.0 / Math.max(1, s.fanIn() + s.fanOut())));
                    };
                    assertEquals(expected, t.get(i), 0f, n.name() + "/" + s.name() + "[" + i + "]");
                }
                if (s.init() == ParamSpec.Init.GLOROT_UNIFORM) {
                    glorot++;
                }
            }
        }
        assertEquals(2, glorot, "two kernels drawn");
        Map<String, Tensor> bn = random.node("bn").params();
        assertTrue(bn.values().stream().anyMatch(t -> t.get(0) == 1f), "BatchNorm has a parameter of ones");
    }
}
