package io.convscope.explain;

import io.convscope.network.Layer;
import io.convscope.network.Network;
import io.convscope.network.Node;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Pieces of a network as networks of their own: the nodes of a set, with an input node for every
 * value they read from outside it. {@link Backprop} runs each node on an engine of such a one-node
 * piece, so that autograd gives that node's vector–Jacobian product alone.
 */
final class Subnets {
    private Subnets() {
    }

    /** The nodes of {@code keep} (in network order) with inputs for what they read from outside; outputs {@code outputs}. */
    static Network of(Network net, Collection<String> keep, List<String> outputs, Map<String, Layer> replaced) {
        Set<String> set = new HashSet<>(keep);
        Network.Builder b = new Network.Builder(net.name() + "-part").preprocessing(net.preprocessing()).labels(net.labels());
        Set<String> declared = new HashSet<>();
        for (Node n : net.nodes()) {
            if (!set.contains(n.name())) {
                continue;
            }
            if (n.layer() instanceof Layer.Input in) {
                if (declared.add(n.name())) {
                    b.input(n.name(), in.shape());
                }
                continue;
            }
            for (String i : n.inputs()) {
                if (!set.contains(i) && declared.add(i)) {
                    b.input(i, net.node(i).outputShape());
                }
            }
            declared.add(n.name());
            b.add(n.name(), replaced.getOrDefault(n.name(), n.layer()), n.inputs(), n.params());
        }
        return b.outputs(outputs).build();
    }
}
