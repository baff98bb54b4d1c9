package io.convscope.optimize;

import io.convscope.network.Activation;
import io.convscope.network.Layer;
import io.convscope.network.Network;
import io.convscope.network.Node;

import java.util.Map;

/**
 * Class scores before the softmax. Maximising a softmax probability can be done by pushing the other
 * classes down; maximising the logit asks for evidence of the class itself (Simonyan et al. 2014).
 */
public final class Logits {
    private Logits() {
    }

    /** The network and the name of its layer of pre-softmax class scores. */
    public record Scores(Network network, String layer) {
    }

    /**
     * When the output layer is a Dense (or convolution) with a softmax activation, a copy whose
     * output layer is linear; when it is a separate softmax, that layer's input; otherwise the output
     * itself (it already is a score, as in most ONNX files).
     */
    public static Scores of(Network net) {
        String out = net.outputs().get(0);
        Node n = net.node(out);
        Layer l = n.layer();
        if (l.isSoftmax()) {
            return new Scores(net, n.inputs().get(0));
        }
        if (l.endsInSoftmax()) {
            return new Scores(net.withLayers(Map.of(out, l.withActivation(Activation.LINEAR))), out);
        }
        return new Scores(net, out);
    }
}
