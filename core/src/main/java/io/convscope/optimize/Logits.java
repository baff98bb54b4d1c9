package io.convscope.optimize;

import io.convscope.network.Activation;
import io.convscope.network.Layer;
import io.convscope.network.Network;
import io.convscope.network.Node;

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
        if (l instanceof Layer.Dense d && d.activation() == Activation.SOFTMAX) {
            return new Scores(replace(net, out, new Layer.Dense(d.units(), d.useBias(), Activation.LINEAR)), out);
        }
        if (l instanceof Layer.Conv2D c && c.activation() == Activation.SOFTMAX) {
            return new Scores(replace(net, out, new Layer.Conv2D(c.filters(), c.kh(), c.kw(), c.sh(), c.sw(), c.dh(), c.dw(),
                    c.padding(), c.groups(), c.useBias(), Activation.LINEAR)), out);
        }
        if ((l instanceof Layer.Act a && a.activation() == Activation.SOFTMAX) || (l instanceof Layer.Softmax s && !s.log())) {
            return new Scores(net, n.inputs().get(0));
        }
        return new Scores(net, out);
    }

    private static Network replace(Network net, String name, Layer layer) {
        Network.Builder b = new Network.Builder(net.name()).preprocessing(net.preprocessing()).labels(net.labels());
        for (Node n : net.nodes()) {
            if (n.layer() instanceof Layer.Input in) {
                b.input(n.name(), in.shape());
            } else {
                b.add(n.name(), n.name().equals(name) ? layer : n.layer(), n.inputs(), n.params());
            }
        }
        return b.outputs(net.outputs()).build();
    }
}
