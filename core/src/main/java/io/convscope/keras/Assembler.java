package io.convscope.keras;

import io.convscope.ConvscopeException;
import io.convscope.network.Layer;
import io.convscope.network.Network;
import io.convscope.network.Node;
import io.convscope.network.ParamSpec;
import io.convscope.network.Tensor;
import io.convscope.network.TensorShape;
import io.convscope.util.Names;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Fills an architecture with weights read from a Keras file, converting Keras layouts to
 * convscope's, and decides how each Flatten orders its values.
 *
 * <p><b>Flatten.</b> Keras flattens an (H, W, C) tensor in (h, w, c) order. When every layer that
 * reads a Flatten over an image tensor is a Dense (possibly through Dropout-like layers), the
 * Flatten here flattens the internal (C, H, W) tensor directly ({@code channelsLast=false}) and the
 * rows of those Dense kernels are permuted from (h, w, c) to (c, h, w) order instead, which gives
 * the same outputs without a transpose at run time. Otherwise Flatten keeps Keras's order.
 */
final class Assembler {
    private Assembler() {
    }

    /**
     * @param weights the Keras arrays of a node, or null when the file has none for it
     * @param file    the file, for error messages
     * @param fileLayers layer names in the file, for "did you mean"
     */
    static Network assemble(Network arch, Function<Node, List<RawArray>> weights, String file,
                            java.util.Collection<String> fileLayers) {
        Set<String> channelsFirst = flattensToReorder(arch);
        Network.Builder b = new Network.Builder(arch.name()).preprocessing(arch.preprocessing()).labels(arch.labels());
        for (Node node : arch.nodes()) {
            if (node.layer() instanceof Layer.Input in && arch.inputs().contains(node.name())) {
                b.input(node.name(), in.shape());
                continue;
            }
            Layer layer = channelsFirst.contains(node.name()) ? new Layer.Flatten(false) : node.layer();
            List<TensorShape> inShapes = new ArrayList<>();
            for (String i : node.inputs()) {
                inShapes.add(b.shape(i));
            }
            List<ParamSpec> specs = layer.params(inShapes);
            Map<String, Tensor> params = Map.of();
            if (!specs.isEmpty()) {
                List<RawArray> raw = weights.apply(node);
                if (raw == null) {
                    throw new ConvscopeException(file + " has no weights for layer '" + node.name() + "' ("
                            + layer.type() + ")" + Names.didYouMean(node.name(), fileLayers));
                }
                int[] flattenedChw = layer instanceof Layer.Dense ? flattenedShape(arch, node, channelsFirst) : null;
                params = convert(node.name(), layer, specs, raw, flattenedChw, file);
            }
            b.add(node.name(), layer, node.inputs(), params);
        }
        return b.outputs(arch.outputs()).build();
    }

    // ---- Flatten ordering ----------------------------------------------------------------------

    /** Flatten nodes over image tensors whose every reader is a Dense (through Identity layers). */
    static Set<String> flattensToReorder(Network net) {
        Map<String, List<String>> consumers = net.consumers();
        Set<String> outputs = new HashSet<>(net.outputs());
        Set<String> out = new HashSet<>();
        for (Node n : net.nodes()) {
            if (n.layer() instanceof Layer.Flatten f && f.channelsLast()) {
                TensorShape in = net.node(n.inputs().get(0)).outputShape();
                if (in.isSpatial() && in.isFullyKnown() && onlyDense(n.name(), consumers, outputs, net)) {
                    out.add(n.name());
                }
            }
        }
        return out;
    }

    private static boolean onlyDense(String name, Map<String, List<String>> consumers, Set<String> outputs, Network net) {
        List<String> readers = consumers.getOrDefault(name, List.of());
        if (outputs.contains(name) || readers.isEmpty()) {
            return false;
        }
        for (String r : readers) {
            Layer l = net.node(r).layer();
            if (l instanceof Layer.Identity) {
                if (!onlyDense(r, consumers, outputs, net)) {
                    return false;
                }
            } else if (!(l instanceof Layer.Dense)) {
                return false;
            }
        }
        return true;
    }

    /** (C, H, W) of the image a channels-first Flatten fed to this Dense, or null. */
    private static int[] flattenedShape(Network arch, Node dense, Set<String> channelsFirst) {
        Node p = arch.node(dense.inputs().get(0));
        while (p.layer() instanceof Layer.Identity && p.inputs().size() == 1) {
            p = arch.node(p.inputs().get(0));
        }
        if (p.layer() instanceof Layer.Flatten f && (!f.channelsLast() || channelsFirst.contains(p.name()))) {
            TensorShape in = arch.node(p.inputs().get(0)).outputShape();
            if (in.isSpatial() && in.isFullyKnown()) {
                return in.dims();
            }
        }
        return null;
    }

    // ---- layout conversion ---------------------------------------------------------------------

    static Map<String, Tensor> convert(String node, Layer layer, List<ParamSpec> specs, List<RawArray> raw,
                                       int[] flattenedChw, String file) {
        if (raw.size() != specs.size()) {
            List<String> have = new ArrayList<>();
            for (RawArray r : raw) {
                have.add(r.name() + " " + r.shapeString());
            }
            throw new ConvscopeException(file + ": layer '" + node + "' (" + layer.type() + ") has " + raw.size()
                    + " weight arrays in the file " + have + " but the model needs " + specs.size() + " ("
                    + String.join(", ", specs.stream().map(ParamSpec::name).toList()) + ")");
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (int i = 0; i < specs.size(); i++) {
            ParamSpec spec = specs.get(i);
            RawArray r = raw.get(i);
            int[] s = spec.shape();
            int[] keras = kerasShape(layer, spec);
            if (!Arrays.equals(r.shape(), keras)) {
                throw new ConvscopeException(file + ": layer '" + node + "' (" + layer.type() + "): weight '" + spec.name()
                        + "' has shape " + r.shapeString() + " in the file but the model needs " + RawArray.tuple(keras));
            }
            FloatBuffer data;
            if (layer instanceof Layer.Conv2D && spec.name().equals("kernel")) {
                data = Layouts.reverse3(r.data(), s[2] * s[3], s[1], s[0]);
            } else if (spec.name().equals("depthwise_kernel")) {
                data = Layouts.reverse3(r.data(), s[2] * s[3], 1, s[0]);
            } else if (spec.name().equals("pointwise_kernel")) {
                data = Layouts.reverse3(r.data(), s[1], 1, s[0]);
            } else if (layer instanceof Layer.Dense && spec.name().equals("kernel")) {
                if (flattenedChw != null && (long) flattenedChw[0] * flattenedChw[1] * flattenedChw[2] == s[1]) {
                    data = Layouts.reverse3(r.data(), flattenedChw[1] * flattenedChw[2], flattenedChw[0], s[0]);
                } else {
                    data = Layouts.reverse3(r.data(), s[1], 1, s[0]);
                }
            } else {
                data = Layouts.copy(r.data());
            }
            out.put(spec.name(), Tensor.wrap(data, s));
        }
        return out;
    }

    /** The shape Keras stores a parameter in, from its convscope shape. */
    static int[] kerasShape(Layer layer, ParamSpec spec) {
        int[] s = spec.shape();
        String n = spec.name();
        if (layer instanceof Layer.Conv2D && n.equals("kernel")) {
            return new int[] {s[2], s[3], s[1], s[0]}; // (kh, kw, in/groups, out)
        }
        if (n.equals("depthwise_kernel")) {
            int m = layer instanceof Layer.DepthwiseConv2D d ? d.multiplier() : ((Layer.SeparableConv2D) layer).multiplier();
            return new int[] {s[2], s[3], s[0] / m, m}; // (kh, kw, in, multiplier)
        }
        if (n.equals("pointwise_kernel")) {
            return new int[] {1, 1, s[1], s[0]};
        }
        if (layer instanceof Layer.Dense && n.equals("kernel")) {
            return new int[] {s[1], s[0]}; // (in, units)
        }
        return s;
    }
}
