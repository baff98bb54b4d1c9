package io.convscope.engine;

import ai.djl.ndarray.NDManager;
import io.convscope.network.Activation;
import io.convscope.network.Layer;
import io.convscope.network.Network;
import io.convscope.network.TensorShape;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Engine#predict} asks the output layer whether it already applies softmax (an ONNX Softmax record included). */
class EndsInSoftmaxTest {
    @Test
    void anOnnxSoftmaxOutputIsNotSoftmaxedTwice() {
        System.setProperty("ai.djl.offline", "true");
        Network net = new Network.Builder("s").input("input", TensorShape.of(3))
                .add("fc", new Layer.Dense(4, true, Activation.LINEAR), "input")
                .add("probs", new Layer.Softmax(0, false, false), "fc")
                .buildWithoutParams().withRandomParams(5);
        try (Engine e = Engine.create(net); NDManager m = NDManager.newBaseManager("PyTorch")) {
            assertTrue(e.endsInSoftmax());
            var x = m.create(new float[] {1f, -2f, 0.5f}, new ai.djl.ndarray.types.Shape(1, 3));
            float[] probs = e.forward(x, List.of("probs")).get("probs").toFloatArray();
            float[] logits = e.forward(x, List.of("fc")).get("fc").toFloatArray();
            double max = Math.max(Math.max(logits[0], logits[1]), Math.max(logits[2], logits[3]));
            double sum = 0;
            for (float l : logits) {
                sum += Math.exp(l - max);
            }
            float[] want = new float[4];
            for (int i = 0; i < 4; i++) {
                want[i] = (float) (Math.exp(logits[i] - max) / sum);
            }
            assertArrayEquals(want, probs, 1e-6f);
            assertArrayEquals(want, e.predict(x)[0], 1e-6f, "predict returns the softmax once");
        }
    }
}
