package io.convscope.explain;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.convscope.embedded.EmbeddedModel;
import io.convscope.engine.Engine;
import io.convscope.network.Network;
import io.convscope.network.Node;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A context on the caller's engine ({@link ExplainContext#of(Engine, Score, int)}) holds no second copy
 * of the weights — its engine of the linear-score network and its backward walk's per-layer engines use
 * the caller's parameter arrays, the very same objects — and gives the same numbers, bit for bit, as a
 * context with weights of its own; closing it leaves the caller's engine working.
 */
class SharedWeightsTest {
    /** The embedded model (a separate softmax: the scores are the network's own) and a copy ending in a softmax Dense (Keras's VGG16). */
    static java.util.stream.Stream<org.junit.jupiter.api.Named<Network>> classifiers() {
        Network net = EmbeddedModel.load();
        Network cut = net.cut(java.util.List.of("logits"), 28, 28).orThrow();
        Network dense = cut.withLayers(Map.of("logits", cut.node("logits").layer().withActivation(io.convscope.network.Activation.SOFTMAX)));
        return java.util.stream.Stream.of(org.junit.jupiter.api.Named.of("embedded model, separate softmax", net),
                org.junit.jupiter.api.Named.of("softmax Dense output", dense));
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("classifiers")
    void aContextOnTheCallersEngineSharesItsArraysAndGivesTheSameNumbers(Network net) {
        int n = 3;
        float[] x = new float[n * 28 * 28];
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextDouble();
        }
        int[] targets = {7, 0, 3};
        String conv = net.nodes().stream().filter(nd -> nd.layer().isConvolution()).map(Node::name).reduce((a, b) -> b).orElseThrow();
        try (Engine engine = Engine.create(net); ExplainContext own = ExplainContext.of(net, Score.LOGIT, 2)) {
            float[][] before;
            try (NDManager m = engine.manager().newSubManager()) {
                before = engine.predict(engine.input(m, x, n, 1, 28, 28));
            }
            try (ExplainContext shared = ExplainContext.of(engine, Score.LOGIT, 2)) {
                if (io.convscope.optimize.Logits.of(net).network() != net) {
                    // a softmax Dense: the scores need a linear copy, on an engine of its own that shares the arrays
                    assertNotSame(engine, shared.engine());
                } else {
                    assertSame(engine, shared.engine());
                }
                Map<String, NDArray> mine = engine.parameters();
                Map<String, NDArray> theirs = shared.engine().parameters();
                assertEquals(mine.keySet(), theirs.keySet());
                theirs.forEach((k, v) -> assertSame(mine.get(k), v, k + " is the caller's array"));

                assertArrayEquals(own.logits(x, n, 1, 28, 28), shared.logits(x, n, 1, 28, 28));
                ExplainContext.InputGradient a = own.inputGradient(x, n, 1, 28, 28, targets);
                ExplainContext.InputGradient b = shared.inputGradient(x, n, 1, 28, 28, targets);
                assertArrayEquals(a.gradient(), b.gradient());
                assertArrayEquals(a.scores(), b.scores());
                assertTrue(max(a.gradient()) > 0, "a gradient that could differ");
                ExplainContext.LayerGradient la = own.layerGradient(x, n, 1, 28, 28, conv, targets);
                ExplainContext.LayerGradient lb = shared.layerGradient(x, n, 1, 28, 28, conv, targets);
                assertArrayEquals(la.activations(), lb.activations());
                assertArrayEquals(la.gradient(), lb.gradient());
                for (Backprop.Rule rule : Backprop.Rule.values()) {
                    assertArrayEquals(own.backprop().inputGradient(x, n, 1, 28, 28, targets, rule),
                            shared.backprop().inputGradient(x, n, 1, 28, 28, targets, rule), rule.name());
                }
                // the walk seeded at a layer (the atlas's and the explorer's projections) over the engine's weights
                float[] seed = new float[(int) net.node(conv).outputShape().size() * n];
                seed[5] = 1f;
                try (Backprop copied = new Backprop(net, engine.device()); Backprop onEngine = new Backprop(net, engine)) {
                    assertArrayEquals(copied.project(conv, x, n, 1, 28, 28, seed, Backprop.Rule.DECONVNET),
                            onEngine.project(conv, x, n, 1, 28, 28, seed, Backprop.Rule.DECONVNET));
                }
            }
            // the caller's engine (and so its arrays) outlives the context
            try (NDManager m = engine.manager().newSubManager()) {
                float[][] after = engine.predict(engine.input(m, x, n, 1, 28, 28));
                for (int i = 0; i < n; i++) {
                    assertArrayEquals(before[i], after[i]);
                }
            }
        }
    }

    @Test
    void aNetworkWithOtherWeightsGetsArraysOfItsOwn() {
        Network net = EmbeddedModel.load();
        Node first = net.nodes().stream().filter(nd -> !nd.params().isEmpty()).findFirst().orElseThrow();
        Map<String, io.convscope.network.Tensor> other = new java.util.LinkedHashMap<>();
        first.params().forEach((k, t) -> other.put(k, io.convscope.network.Tensor.of(t.toArray(), t.shape())));
        Network copy = net.withParams(Map.of(first.name(), other));
        try (Engine engine = Engine.create(net); Engine sharing = Engine.sharing(copy, engine)) {
            Map<String, NDArray> mine = engine.parameters();
            sharing.parameters().forEach((k, v) -> {
                if (k.startsWith(first.name() + "/")) {
                    assertNotSame(mine.get(k), v, k + ": other tensors, another array");
                } else {
                    assertSame(mine.get(k), v, k);
                }
            });
        }
    }

    private static float max(float[] a) {
        float m = 0;
        for (float v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }
}
