package io.convscope.explain;

import io.convscope.network.Layer;
import io.convscope.network.Network;
import io.convscope.network.Node;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Pieces of a network as networks of their own: the nodes of a set, with an input node for every
 * value they read from outside it. An {@link io.convscope.engine.Engine} on such a piece starts a
 * forward pass from named intermediate values, so that autograd can differentiate with respect to
 * them (a tapped layer, or one node's inputs).
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

    /** The input names a piece made by {@link #of} reads from outside (in order of first use). */
    static List<String> frontier(Network net, Collection<String> keep) {
        Set<String> set = new HashSet<>(keep);
        Set<String> out = new LinkedHashSet<>();
        for (Node n : net.nodes()) {
            if (set.contains(n.name()) && !(n.layer() instanceof Layer.Input)) {
                for (String i : n.inputs()) {
                    if (!set.contains(i)) {
                        out.add(i);
                    }
                }
            }
        }
        return new ArrayList<>(out);
    }

    /** Nodes that depend on {@code from} (not itself) and that {@code to} depends on ({@code to} included). */
    static Set<String> between(Network net, String from, String to) {
        Set<String> up = net.ancestors(List.of(to));
        Set<String> down = new HashSet<>();
        down.add(from);
        Set<String> out = new LinkedHashSet<>();
        for (Node n : net.nodes()) {
            if (n.name().equals(from)) {
                continue;
            }
            for (String i : n.inputs()) {
                if (down.contains(i)) {
                    down.add(n.name());
                    break;
                }
            }
            if (down.contains(n.name()) && up.contains(n.name())) {
                out.add(n.name());
            }
        }
        return out;
    }
}
