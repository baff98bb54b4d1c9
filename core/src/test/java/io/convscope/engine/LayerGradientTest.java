package io.convscope.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.convscope.ConvscopeException;
import io.convscope.network.Activation;
import io.convscope.network.Layer;
import io.convscope.network.Network;
import io.convscope.network.Padding;
import io.convscope.network.TensorShape;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Engine#gradients} (the gradient with respect to an intermediate layer) against finite
 * differences that perturb the layer's output and run the rest of the network from it with
 * {@link Engine#forward(Map, java.util.Collection, boolean)}.
 */
class LayerGradientTest {
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

    /** input → conv1 (tanh) → conv2 (softplus) → add(conv2, conv1) → average pool → flatten → dense. */
    static Network residual(long seed) {
        return new Network.Builder("res").input("input", TensorShape.chw(2, 6, 6))
                .add("conv1", new Layer.Conv2D(3, 3, 3, 1, 1, 1, 1, Padding.SAME, 1, true, Activation.TANH), "input")
                .add("conv2", new Layer.Conv2D(3, 3, 3, 1, 1, 1, 1, Padding.SAME, 1, true, Activation.SOFTPLUS), "conv1")
                .add("add", new Layer.Merge(Layer.Merge.Op.ADD), "conv2", "conv1")
                .add("pool", new Layer.Pool2D(false, 2, 2, 2, 2, Padding.VALID, false, false), "add")
                .add("flat", new Layer.Flatten(true), "pool")
                .add("dense", new Layer.Dense(4, true, Activation.LINEAR), "flat")
                .buildWithoutParams().withRandomParams(seed);
    }

    static final float[] WEIGHTS = {0.7f, -1.3f, 0.4f, 2.1f};

    /** A scalar of two taps: w · dense + mean(conv2²). */
    static final Function<Map<String, NDArray>, NDArray> OBJECTIVE = out -> {
        NDArray d = out.get("dense");
        return d.mul(d.getManager().create(WEIGHTS).reshape(1, 4)).sum().add(out.get("conv2").square().mean());
    };

    static final List<String> TAPS = List.of("dense", "conv2");

    static float[] random(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }

    /** The objective with the given layers' outputs fixed to these values (batch of 1, 3×6×6 each). */
    static double valueFrom(Engine e, NDManager m, Map<String, float[]> given) {
        try (NDManager step = m.newSubManager()) {
            Map<String, NDArray> in = new HashMap<>();
            given.forEach((k, v) -> in.put(k, step.create(v, new Shape(1, 3, 6, 6))));
            return OBJECTIVE.apply(e.forward(in, TAPS, false)).getFloat();
        }
    }

    /** Central differences of the objective in each element of layer {@code wrt}, the others in {@code given} fixed. */
    static void assertMatchesFiniteDifferences(Engine e, NDManager m, Map<String, float[]> given, String wrt, float[] grad) {
        double eps = 1e-2;
        double maxErr = 0;
        double maxGrad = 0;
        float[] a = given.get(wrt);
        for (int i = 0; i < a.length; i += 5) {
            Map<String, float[]> plus = new HashMap<>(given);
            Map<String, float[]> minus = new HashMap<>(given);
            float[] p = a.clone();
            float[] q = a.clone();
            p[i] += (float) eps;
            q[i] -= (float) eps;
            plus.put(wrt, p);
            minus.put(wrt, q);
            double fd = (valueFrom(e, m, plus) - valueFrom(e, m, minus)) / (2 * eps);
            maxErr = Math.max(maxErr, Math.abs(fd - grad[i]));
            maxGrad = Math.max(maxGrad, Math.abs(grad[i]));
        }
        assertTrue(maxGrad > 1e-2, wrt + ": the gradient is not trivially zero");
        assertTrue(maxErr < 2e-3 + 1e-2 * maxGrad, wrt + ": max |fd - grad| = " + maxErr + " (max |grad| " + maxGrad + ")");
    }

    @Test
    void gradientAtAnIntermediateLayerMatchesFiniteDifferences() {
        Network net = residual(3);
        float[] x = random(new Random(4), 2 * 36);
        try (Engine e = Engine.create(net); NDManager m = scope.newSubManager()) {
            NDArray in = e.input(m, x, 1, 2, 6, 6);
            Engine.LayerGradients g = e.gradients(in, TAPS, List.of("conv1"), OBJECTIVE);
            float[] a1 = g.activation("conv1").toFloatArray();
            assertArrayEquals(e.forward(in, List.of("conv1")).get("conv1").toFloatArray(), a1, "the activations are conv1's");
            assertArrayEquals(new long[] {1, 3, 6, 6}, g.gradient("conv1").getShape().getShape());
            assertTrue(g.gradient("conv1").getManager() == m, "the gradient lives in the caller's manager");
            assertEquals(OBJECTIVE.apply(e.forward(in, TAPS)).getFloat(), g.value(), 1e-6f);
            // conv1 reaches the objective through conv2 and through the skip connection: both count
            assertMatchesFiniteDifferences(e, m, Map.of("conv1", a1), "conv1", g.gradient("conv1").toFloatArray());
        }
    }

    @Test
    void twoLayersAtOnceHoldEachOtherFixed() {
        Network net = residual(5);
        float[] x = random(new Random(6), 2 * 36);
        try (Engine e = Engine.create(net); NDManager m = scope.newSubManager()) {
            NDArray in = e.input(m, x, 1, 2, 6, 6);
            Engine.LayerGradients g = e.gradients(in, TAPS, List.of("conv2", "conv1"), OBJECTIVE);
            Map<String, float[]> given = Map.of("conv1", g.activation("conv1").toFloatArray(),
                    "conv2", g.activation("conv2").toFloatArray());
            // conv2: the full derivative; conv1: only the skip connection (conv2 is held at its value)
            assertMatchesFiniteDifferences(e, m, given, "conv2", g.gradient("conv2").toFloatArray());
            assertMatchesFiniteDifferences(e, m, given, "conv1", g.gradient("conv1").toFloatArray());
            float[] alone = e.gradients(in, TAPS, List.of("conv1"), OBJECTIVE).gradient("conv1").toFloatArray();
            float[] skipOnly = g.gradient("conv1").toFloatArray();
            double diff = 0;
            for (int i = 0; i < alone.length; i++) {
                diff = Math.max(diff, Math.abs(alone[i] - skipOnly[i]));
            }
            assertTrue(diff > 1e-3, "the path through conv2 is left out when conv2 is held fixed");
        }
    }

    @Test
    void gradientWithRespectToTheInputIsTheInputGradient() {
        Network net = residual(7);
        float[] x = random(new Random(8), 2 * 36);
        try (Engine e = Engine.create(net); NDManager m = scope.newSubManager()) {
            NDArray in = e.input(m, x, 1, 2, 6, 6);
            Engine.Gradient want = e.inputGradient(in, TAPS, OBJECTIVE);
            Engine.LayerGradients got = e.gradients(in, TAPS, List.of("input"), OBJECTIVE);
            assertEquals(want.value(), got.value());
            assertArrayEquals(want.gradient().toFloatArray(), got.gradient("input").toFloatArray());
            assertArrayEquals(x, in.toFloatArray(), "the input is unchanged");
        }
    }

    @Test
    void forwardFromAnIntermediateTensorComputesOnlyTheRest() {
        Network net = residual(9);
        float[] x = random(new Random(10), 2 * 2 * 36);
        try (Engine e = Engine.create(net); NDManager m = scope.newSubManager()) {
            NDArray in = e.input(m, x, 2, 2, 6, 6);
            Map<String, NDArray> full = e.forward(in, List.of("conv1", "dense"));
            int all = e.lastComputedLayers();
            float[] from = e.forward(Map.of("conv1", full.get("conv1")), List.of("dense"), false).get("dense").toFloatArray();
            assertEquals(all - 1, e.lastComputedLayers(), "the input is not computed");
            assertArrayEquals(full.get("dense").toFloatArray(), from);
            assertTrue(full.get("conv1").toFloatArray().length > 0, "the given array was not closed");
            NDArray wrong = m.zeros(new Shape(2, 3, 5, 6));
            ConvscopeException bad = assertThrows(ConvscopeException.class,
                    () -> e.forward(Map.of("conv1", wrong), List.of("dense"), false));
            assertTrue(bad.getMessage().contains("'conv1'"), bad.getMessage());
        }
    }

    @Test
    void aLayerTheObjectiveDoesNotReadIsRefused() {
        Network net = residual(11);
        try (Engine e = Engine.create(net); NDManager m = scope.newSubManager()) {
            NDArray in = e.input(m, new float[72], 1, 2, 6, 6);
            ConvscopeException err = assertThrows(ConvscopeException.class,
                    () -> e.gradients(in, List.of("conv1"), List.of("conv2"), out -> out.get("conv1").sum()));
            assertTrue(err.getMessage().contains("'conv2'"), err.getMessage());
        }
    }
}
