package io.convscope.activations;

import io.convscope.ConvscopeException;
import io.convscope.Setting;
import io.convscope.network.Layer;
import io.convscope.network.Network;
import io.convscope.network.Node;
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
 * convolution and pooling layer. The result is always in network order, without repeats.
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
        for (Node n : net.nodes()) {
            if (!drawable(net, n)) {
                continue;
            }
            Layer l = n.layer();
            if (all || conv && l.isConvolution() || dflt && (l.isConvolution() || l instanceof Layer.Pool2D) || ends.contains(n.name())) {
                chosen.add(n.name());
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
     * the last layer with feature maps.
     */
    public static List<String> blockEnds(Network net) {
        Map<String, String> lastOfGroup = new LinkedHashMap<>();
        for (Node n : net.nodes()) {
            if (!drawable(net, n)) {
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
            if (!drawable(net, n)) {
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
