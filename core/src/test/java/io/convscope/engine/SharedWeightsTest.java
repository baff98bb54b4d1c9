package io.convscope.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.convscope.network.Activation;
import io.convscope.network.Layer;
import io.convscope.network.Network;
import io.convscope.network.Padding;
import io.convscope.network.Tensor;
import io.convscope.network.TensorShape;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * On the CPU the engine reads the Network's weight bytes in place instead of copying them; the
 * Network must still never change: not when a caller trains the engine's parameters, not when a
 * training pass updates BatchNorm's moving statistics.
 */
class SharedWeightsTest {

    private static Network net() {
        return new Network.Builder("shared").input("in", TensorShape.chw(3, 6, 6))
                .add("c", new Layer.Conv2D(16, 3, 3, 1, 1, 1, 1, Padding.SAME, 1, true, Activation.RELU), "in")
                .add("bn", new Layer.BatchNorm(1e-3f, true, true), "c")
                .buildWithoutParams().withRandomParams(3);
    }

    private static float[] run(Engine e, float[] x, boolean training) {
        try (NDManager m = e.manager().newSubManager()) {
            return e.forward(e.input(m, x, 2, 3, 6, 6), List.of("bn"), training).get("bn").toFloatArray();
        }
    }

    @Test
    void theNetworksTensorsOwnDirectBytesTheEngineReads() {
        Tensor k = net().node("c").params().get("kernel");
        assertNotNull(k == null ? null : k.bytes(), "a tensor of random weights has bytes to share");
        Tensor t = Tensor.of(new float[] {1, 2, 3}, 3);
        assertEquals(2f, t.bytes().asFloatBuffer().get(1), "the bytes are the values, native order");
    }

    @Test
    void trainingNeverWritesIntoTheNetwork() {
        Network net = net();
        float[] x = new float[2 * 3 * 6 * 6];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.sin(i * 0.37) * 3;
        }
        Map<String, float[]> before = new java.util.HashMap<>();
        net.node("c").params().forEach((k, v) -> before.put("c/" + k, v.toArray()));
        net.node("bn").params().forEach((k, v) -> before.put("bn/" + k, v.toArray()));
        float[] inference;
        try (Engine e = Engine.create(net)) {
            inference = run(e, x, false);
            run(e, x, true); // a training pass (BatchNorm in training mode may update its moving statistics)
            Map<String, NDArray> p = e.parametersToTrain();
            p.get("c/kernel").subi(1f); // a training step writes into the parameters
            assertNotEquals(before.get("c/kernel")[0], p.get("c/kernel").toFloatArray()[0], 0f, "the engine's kernel changed");
        }
        net.node("c").params().forEach((k, v) -> assertArrayEquals(before.get("c/" + k), v.toArray(), 0f, "c/" + k));
        net.node("bn").params().forEach((k, v) -> assertArrayEquals(before.get("bn/" + k), v.toArray(), 0f, "bn/" + k));
        try (Engine e = Engine.create(net)) {
            assertArrayEquals(inference, run(e, x, false), 0f, "a new engine on the network computes what the first did");
        }
    }
}
