package io.convscope.activations;

import io.convscope.ConvscopeException;
import io.convscope.Setting;
import io.convscope.network.Layer;
import io.convscope.network.Network;
import io.convscope.network.Node;
import io.convscope.network.TensorShape;
import io.convscope.util.Names;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which layers' activations to compute and draw. Only layers with a spatial (C, H, W) output are
 * feature maps; the network's input is never one of them.
 *
 * <p>A selection is the union of: names and globs ({@code block3_*}, {@code ?} for one character),
 * {@link #conv} (every Conv2D, DepthwiseConv2D and SeparableConv2D), {@link #blocks} (one layer per
 * block, see {@link #blockEnds}) and {@link #all}. An empty selection means the default: every
 * convolution and pooling layer, each convolution shown as its activated output ({@link #activated}:
 * a Conv followed by a separate ReLU, as ONNX files and Keras's ResNets have it, is shown after the
 * ReLU, as a fused activation is). The default and {@link #blocks} leave out 1×1 maps (a global
 * pooling kept as (C, 1, 1), one number per channel: {@link #isPointMap}); named, they are drawn. The
 * result is always in network order, without repeats.
 *
 * @param patterns layer names or globs
 * @param conv     every convolution
 * @param blocks   the last layer of each block
 * @param all      every layer with feature maps
 */
public record LayerSelection(List<String> patterns, boolean conv, boolean blocks, boolean all) {

    public LayerSelection {
        patterns = List.copyOf(patterns);
    }

    /** The default selection: every convolution and pooling layer. */
    public static LayerSelection defaults() {
        return new LayerSelection(List.of(), false, false, false);
    }

    /** Just these names or globs. */
    public static LayerSelection of(String... patterns) {
        return new LayerSelection(List.of(patterns), false, false, false);
    }

    /** True when nothing was asked for, so that the default applies. */
    public boolean isDefault() {
        return patterns.isEmpty() && !conv && !blocks && !all;
    }

    /**
     * The selected layer names in network order.
     *
     * @throws ConvscopeException for a name or glob that matches no layer (with the nearest names), a
     *                            named layer without feature maps, or an empty result
     */
    public List<String> resolve(Network net) {
        Set<String> chosen = new LinkedHashSet<>();
        List<String> names = new ArrayList<>();
        for (Node n : net.nodes()) {
            names.add(n.name());
        }
        for (String p : patterns) {
            String pat = p.strip();
            if (pat.isEmpty()) {
                continue;
            }
            if (isGlob(pat)) {
                Pattern re = glob(pat);
                List<String> hit = new ArrayList<>();
                for (Node n : net.nodes()) {
                    if (re.matcher(n.name()).matches() && drawable(net, n)) {
                        hit.add(n.name());
                    }
                }
                if (hit.isEmpty()) {
                    throw new ConvscopeException("no layer with feature maps matches '" + pat + "' in " + net.name()
                            + Names.didYouMean(pat.replace("*", "").replace("?", ""), drawableNames(net)));
                }
                chosen.addAll(hit);
            } else {
                if (!net.has(pat)) {
                    throw new ConvscopeException("no layer named '" + pat + "' in " + net.name() + Names.didYouMean(pat, names));
                }
                Node n = net.node(pat);
                if (!drawable(net, n)) {
                    throw new ConvscopeException("layer '" + pat + "' (" + n.layer().type() + ") has output "
                            + n.outputShape().toKerasString() + ", not feature maps; only layers with an (H, W, C) output "
                            + "can be drawn" + Names.didYouMean(pat, drawableNames(net)));
                }
                chosen.add(pat);
            }
        }
        boolean dflt = isDefault();
        Set<String> ends = blocks ? new LinkedHashSet<>(blockEnds(net)) : Set.of();
        Map<String, List<String>> consumers = dflt ? net.consumers() : Map.of();
        for (Node n : net.nodes()) {
            if (!drawable(net, n)) {
                continue;
            }
            Layer l = n.layer();
            if (all || conv && l.isConvolution() || ends.contains(n.name())) {
                chosen.add(n.name());
            } else if (dflt && (l.isConvolution() || l instanceof Layer.Pool2D)) {
                Node shown = activated(net, consumers, n);
                if (!isPointMap(shown)) {
                    chosen.add(shown.name());
                }
            }
        }
        List<String> ordered = new ArrayList<>();
        for (Node n : net.nodes()) {
            if (chosen.contains(n.name())) {
                ordered.add(n.name());
            }
        }
        if (ordered.isEmpty()) {
            throw new ConvscopeException(net.name() + " has no " + (dflt ? "convolution or pooling " : "")
                    + "layers with feature maps to draw" + (dflt ? "; name layers with " + Setting.LAYERS + " or use " + Setting.ALL : ""));
        }
        return ordered;
    }

    /**
     * The node that shows convolution {@code n}'s output as a reader expects it, activated: when its
     * output has no fused activation and runs, through nothing but batch normalizations and layers
     * that pass it through (each the only reader of the one before), into a separate activation layer
     * with feature maps, that layer; otherwise {@code n} itself (also for any other layer).
     */
    public static Node activated(Network net, Node n) {
        return activated(net, net.consumers(), n);
    }

    private static Node activated(Network net, Map<String, List<String>> consumers, Node n) {
        if (!n.layer().isConvolution() || n.layer().activation() != null && n.layer().activation() != io.convscope.network.Activation.LINEAR) {
            return n;
        }
        Node at = n;
        while (true) {
            List<String> next = consumers.getOrDefault(at.name(), List.of());
            if (next.size() != 1 || net.outputs().contains(at.name())) {
                return n;
            }
            Node c = net.node(next.get(0));
            if (!drawable(net, c) || !c.outputShape().equals(n.outputShape())) {
                return n;
            }
            if (c.layer().isActivation()) {
                return c;
            }
            if (!(c.layer() instanceof Layer.BatchNorm || c.layer().isPassThrough())) {
                return n;
            }
            at = c;
        }
    }

    /**
     * The layers among {@code layers} whose channels are the classes, each with its channel names: a
     * class map has as many channels as {@code net} has labels and feeds the classifier (from it to an
     * output of the network, each layer the only reader of the one before, and each keeps one value
     * per class: SqueezeNet's last convolution, its ReLU and global pooling). Empty without labels.
     */
    public static Map<String, List<String>> classMaps(Network net, List<String> layers) {
        List<String> labels = net.labels();
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (labels == null || labels.isEmpty()) {
            return out;
        }
        Map<String, List<String>> consumers = net.consumers();
        for (String name : layers) {
            Node n = net.node(name);
            if (!drawable(net, n) || n.outputShape().channels() != labels.size()) {
                continue;
            }
            Node at = n;
            boolean feeds = false;
            while (true) {
                if (net.outputs().contains(at.name())) {
                    feeds = true;
                    break;
                }
                List<String> next = consumers.getOrDefault(at.name(), List.of());
                if (next.size() != 1) {
                    break;
                }
                at = net.node(next.get(0));
                TensorShape s = at.outputShape();
                if (s.isSpatial() ? s.channels() != labels.size() : s.size() != labels.size()) {
                    break;
                }
            }
            if (feeds) {
                out.put(name, List.copyOf(labels));
            }
        }
        return out;
    }

    /** True for a layer whose maps are 1×1: one number per channel, which a grid of squares does not show. */
    public static boolean isPointMap(Node n) {
        return n.outputShape().isSpatial() && n.outputShape().height() == 1 && n.outputShape().width() == 1;
    }

    /** Names of the layers that have feature maps, in network order. */
    public static List<String> drawableNames(Network net) {
        List<String> out = new ArrayList<>();
        for (Node n : net.nodes()) {
            if (drawable(net, n)) {
                out.add(n.name());
            }
        }
        return out;
    }

    /** True for a layer whose output is a (C, H, W) feature map and that is not an input. */
    public static boolean drawable(Network net, Node n) {
        return n.layer().hasFeatureMaps(n.outputShape());
    }

    private static final Pattern BLOCK = Pattern.compile("^((?:conv\\d+_)?block\\d+|stage\\d+(?:_unit\\d+)?)_");

    /**
     * One layer per block or stage, in network order.
     *
     * <p>When the layer names follow Keras's block convention ({@code block3_conv2} in the VGGs,
     * {@code conv3_block2_out} in the ResNets: at least two {@code blockN_} or {@code convN_blockM_}
     * prefixes), each such group's last layer with feature maps. Otherwise the structural rule: every
     * layer whose output feeds a spatial downsampling (a consumer with a smaller height × width), and
     * the last layer with feature maps. Layers with 1×1 maps ({@link #isPointMap}) are never block ends.
     */
    public static List<String> blockEnds(Network net) {
        Map<String, String> lastOfGroup = new LinkedHashMap<>();
        for (Node n : net.nodes()) {
            if (!drawable(net, n) || isPointMap(n)) {
                continue;
            }
            Matcher m = BLOCK.matcher(n.name());
            if (m.find()) {
                lastOfGroup.put(m.group(1), n.name());
            }
        }
        if (lastOfGroup.size() >= 2) {
            Set<String> ends = new LinkedHashSet<>(lastOfGroup.values());
            return inOrder(net, ends);
        }
        Map<String, List<String>> consumers = net.consumers();
        Set<String> ends = new LinkedHashSet<>();
        String last = null;
        for (Node n : net.nodes()) {
            if (!drawable(net, n) || isPointMap(n)) {
                continue;
            }
            last = n.name();
            long area = (long) n.outputShape().height() * n.outputShape().width();
            for (String c : consumers.getOrDefault(n.name(), List.of())) {
                Node cn = net.node(c);
                if (cn.outputShape().isSpatial() && n.outputShape().height() > 0 && cn.outputShape().height() > 0
                        && (long) cn.outputShape().height() * cn.outputShape().width() < area) {
                    ends.add(n.name());
                }
            }
        }
        if (last != null) {
            ends.add(last);
        }
        return inOrder(net, ends);
    }

    private static List<String> inOrder(Network net, Set<String> names) {
        List<String> out = new ArrayList<>();
        for (Node n : net.nodes()) {
            if (names.contains(n.name())) {
                out.add(n.name());
            }
        }
        return out;
    }

    private static boolean isGlob(String s) {
        return s.indexOf('*') >= 0 || s.indexOf('?') >= 0;
    }

    private static Pattern glob(String g) {
        StringBuilder re = new StringBuilder();
        for (char c : g.toCharArray()) {
            if (c == '*') {
                re.append(".*");
            } else if (c == '?') {
                re.append('.');
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString());
    }
}
