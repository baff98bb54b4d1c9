package io.convscope.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.convscope.network.Activation;
import io.convscope.network.Layer;
import io.convscope.network.Network;
import io.convscope.network.TensorShape;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * Layers that change nothing at inference (Dropout, a linear Activation) pass the gradient on:
 * DJL's duplicate() copies without the autograd history, which once cut every gradient through a
 * Dropout to zero (class visualization of the embedded model optimised nothing).
 */
class PassThroughGradientTest {
    @Test
    void gradientFlowsThroughDropoutAndLinearActivation() {
        Network net = new Network.Builder("pass").input("x", TensorShape.chw(1, 2, 2))
                .add("drop", new Layer.Identity("Dropout", 0.5f), "x")
                .add("lin", new Layer.Act("Activation", Activation.LINEAR), "drop")
                .add("sq", new Layer.Act("Activation", Activation.SIGMOID), "lin")
                .buildWithoutParams();
        try (Engine e = Engine.create(net); NDManager m = NDManager.newBaseManager()) {
            float[] x = {0f, 1f, -1f, 2f};
            Engine.Gradient g = e.inputGradient(m.create(x, new Shape(1, 1, 2, 2)), List.of("sq"), t -> t.get("sq").sum());
            float[] expected = new float[4];
            for (int i = 0; i < 4; i++) {
                double s = 1 / (1 + Math.exp(-x[i]));
                expected[i] = (float) (s * (1 - s)); // d sigmoid / dx
            }
            assertArrayEquals(expected, g.gradient().toFloatArray(), 1e-6f);
            // the output is a value of its own: tapping every layer keeps all of them readable
            NDArray lin = e.forward(m.create(x, new Shape(1, 1, 2, 2)), List.of("drop", "lin", "sq")).get("lin");
            assertArrayEquals(x, lin.toFloatArray(), 0f);
        }
    }
}
