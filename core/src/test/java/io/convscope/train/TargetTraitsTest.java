package io.convscope.train;

import io.convscope.network.Activation;
import io.convscope.network.Layer;
import io.convscope.network.Network;
import io.convscope.network.Padding;
import io.convscope.network.TensorShape;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The loss target follows the output layer's own softmax answer, for every kind of layer that ends in one. */
class TargetTraitsTest {
    @Test
    void anOnnxSoftmaxOutputIsReadFromItsLogits() {
        Network net = new Network.Builder("s").input("in", TensorShape.of(4))
                .add("fc", new Layer.Dense(3, true, Activation.LINEAR), "in")
                .add("probs", new Layer.Softmax(0, false, false), "fc").buildWithoutParams();
        assertEquals(new Trainer.Target("fc", true), Trainer.Target.of(net));
    }

    @Test
    void aDepthwiseConvolutionWithSoftmaxGivesProbabilities() {
        Network net = new Network.Builder("d").input("in", TensorShape.chw(3, 1, 1))
                .add("out", new Layer.DepthwiseConv2D(1, 1, 1, 1, 1, 1, 1, Padding.VALID, true, Activation.SOFTMAX), "in")
                .buildWithoutParams();
        assertEquals(new Trainer.Target("out", false), Trainer.Target.of(net));
    }
}
