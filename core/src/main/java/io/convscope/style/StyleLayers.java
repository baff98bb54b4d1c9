package io.convscope.style;

import io.convscope.ConvscopeException;
import io.convscope.Setting;

import io.convscope.activations.LayerSelection;
import io.convscope.network.Layer;
import io.convscope.network.Network;
import io.convscope.network.Node;
import io.convscope.util.Names;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which layers style transfer reads: one content layer and several style layers.
 *
 * <p>Gatys et al.'s choice on VGG (Keras names): content {@value #GATYS_CONTENT} ({@code block4_conv2}
 * is the other common one), style {@code block1_conv1} … {@code block5_conv1}. Layers the user names
 * are checked (one line with the nearest names when one does not exist). A model without the VGG
 * names gets layers by rule, in the same spirit:
 * <ul>
 *   <li>a <b>stage</b> is a run of layers with the same spatial size (between downsamplings);</li>
 *   <li>a <b>candidate</b> is a layer that every path through the network passes (not one branch of
 *       a module), whose output is after the activation (a convolution whose only reader is an
 *       activation gives way to that activation; pooling, padding and the input are not candidates)
 *       and that has at least as many channels as its stage's input (not a bottleneck such as
 *       SqueezeNet's 16-channel "squeeze" convolutions) and maps of at least two pixels (not a
 *       global pooling);</li>
 *   <li><b>style</b>: the first candidate of each of the first five stages (on VGG19 exactly
 *       block1_conv1 … block5_conv1);</li>
 *   <li><b>content</b>: the second candidate of the next-to-last of those stages, or its first when
 *       it has one (on VGG19 block4_conv2).</li>
 * </ul>
 * On SqueezeNet 1.1 this gives style: the first ReLU and the outputs of fire2, fire4 and fire6;
 * content: fire5.
 *
 * @param content the content layer
 * @param style   the style layers, in network order
 * @param rule    how they were chosen when not by name (for a note to the user), else null
 */
public record StyleLayers(String content, List<String> style, String rule) {

    /** How the layers were chosen, or null when named or VGG's; settings written as plain keys ({@link Setting#key()}). */
    @Override
    public String rule() {
        return rule(Setting::key);
    }

    /** {@link #rule()} with settings written as {@code name} writes them (flags on the command line). */
    public String rule(java.util.function.Function<Setting, String> name) {
        return rule == null ? null : ConvscopeException.render(rule, name);
    }
    public static final String GATYS_CONTENT = "block5_conv2";
    public static final List<String> GATYS_STYLE = List.of("block1_conv1", "block2_conv1", "block3_conv1", "block4_conv1", "block5_conv1");
    /** At most this many stages give style layers. */
    static final int MAX_STAGES = 5;

    public StyleLayers {
        style = List.copyOf(style);
    }

    /** Every layer, content first, without repeats. */
    public List<String> all() {
        List<String> a = new ArrayList<>();
        a.add(content);
        for (String s : style) {
            if (!a.contains(s)) {
                a.add(s);
            }
        }
        return a;
    }

    /**
     * The layers for {@code net} run at {@code height × width}: {@code content} and {@code style} as
     * given (null or empty: the default), else Gatys's VGG names when the network has them all, else
     * the rule above.
     */
    public static StyleLayers choose(Network net, String content, List<String> style, int height, int width) {
        Network probe = net.fittingPrefix(height, width);
        boolean namedContent = content != null && !content.isBlank();
        boolean namedStyle = style != null && !style.isEmpty();
        if (namedContent) {
            check(net, probe, content.strip(), Setting.CONTENT_LAYER.toString(), height, width);
        }
        List<String> st = new ArrayList<>();
        if (namedStyle) {
            for (String s : style) {
                String n = s.strip();
                if (n.isEmpty()) {
                    continue;
                }
                check(net, probe, n, Setting.STYLE_LAYERS.toString(), height, width);
                if (!st.contains(n)) {
                    st.add(n);
                }
            }
            if (st.isEmpty()) {
                throw new ConvscopeException(Setting.STYLE_LAYERS + ": give at least one layer");
            }
            st = inNetworkOrder(probe, st);
        }
        if (namedContent && namedStyle) {
            return new StyleLayers(content.strip(), st, null);
        }
        boolean vgg = probe.has(GATYS_CONTENT) && GATYS_STYLE.stream().allMatch(probe::has);
        if (vgg) {
            return new StyleLayers(namedContent ? content.strip() : GATYS_CONTENT, namedStyle ? st : GATYS_STYLE, null);
        }
        StyleLayers byRule = byRule(probe);
        String rule = probe.name() + " has no " + (namedContent ? "" : GATYS_CONTENT + " ") + (namedContent || namedStyle ? "" : "or ")
                + (namedStyle ? "" : "block1_conv1…block5_conv1 ") + "(VGG names), so by rule "
                + (namedContent ? "" : "content " + byRule.content() + (namedStyle ? "" : ", "))
                + (namedStyle ? "" : "style " + String.join(", ", byRule.style()))
                + " (" + Setting.CONTENT_LAYER + ", " + Setting.STYLE_LAYERS + " choose others)";
        return new StyleLayers(namedContent ? content.strip() : byRule.content(), namedStyle ? st : byRule.style(), rule);
    }

    /** The rule's layers for {@code net} (already at the run's size). */
    static StyleLayers byRule(Network net) {
        List<List<String>> stages = stages(net);
        if (stages.isEmpty()) {
            throw new ConvscopeException(net.name() + " has no convolutional layers with feature maps to take style from; "
                    + "name them with " + Setting.CONTENT_LAYER + " and " + Setting.STYLE_LAYERS);
        }
        List<List<String>> used = stages.subList(0, Math.min(MAX_STAGES, stages.size()));
        List<String> style = new ArrayList<>();
        for (List<String> s : used) {
            style.add(s.get(0));
        }
        List<String> contentStage = used.get(Math.max(0, used.size() - 2));
        String content = contentStage.get(Math.min(1, contentStage.size() - 1));
        return new StyleLayers(content, style, "rule");
    }

    /** The candidates (see the class comment) grouped by stage, stages without candidates left out. */
    static List<List<String>> stages(Network net) {
        List<Node> nodes = net.nodes();
        Map<String, Integer> pos = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            pos.put(nodes.get(i).name(), i);
        }
        // trunk: no edge jumps over the node (in topological order), so every path passes through it
        int[] jump = new int[nodes.size() + 1];
        for (int i = 0; i < nodes.size(); i++) {
            for (String in : nodes.get(i).inputs()) {
                int a = pos.get(in);
                if (i - a > 1) {
                    jump[a + 1]++;
                    jump[i]--;
                }
            }
        }
        Map<String, List<String>> consumers = net.consumers();
        Map<String, List<String>> byStage = new LinkedHashMap<>();
        String stage = null;
        int stageInput = nodes.isEmpty() ? 0 : Math.max(0, nodes.get(0).outputShape().isSpatial() ? nodes.get(0).outputShape().channels() : 0);
        int previousChannels = stageInput;
        int covered = 0;
        for (int i = 0; i < nodes.size(); i++) {
            covered += jump[i];
            Node n = nodes.get(i);
            var shape = n.outputShape();
            if (!shape.isSpatial() || n.layer() instanceof Layer.Input) {
                continue;
            }
            String key = shape.height() + "x" + shape.width();
            boolean trunk = covered == 0;
            if (!key.equals(stage) && trunk) {
                stage = key;
                stageInput = previousChannels;
            }
            if (trunk) {
                previousChannels = shape.channels();
            }
            if (!trunk || !key.equals(stage) || (long) shape.height() * shape.width() < 2 || !feature(n, consumers, net)
                    || shape.channels() < stageInput) {
                continue;
            }
            byStage.computeIfAbsent(key, k -> new ArrayList<>()).add(n.name());
        }
        return new ArrayList<>(byStage.values());
    }

    private static boolean feature(Node n, Map<String, List<String>> consumers, Network net) {
        Layer l = n.layer();
        boolean kind = l.isConvolution() || l.isActivation() || l instanceof Layer.Concatenate || l instanceof Layer.Merge;
        if (!kind) {
            return false;
        }
        List<String> readers = consumers.getOrDefault(n.name(), List.of());
        return !(readers.size() == 1 && !l.isActivation() && net.node(readers.get(0)).layer().isActivation());
    }


    private static void check(Network net, Network probe, String name, String option, int height, int width) {
        if (!net.has(name)) {
            throw new ConvscopeException(option + ": " + net.name() + " has no layer '" + name + "'"
                    + Names.didYouMean(name, LayerSelection.drawableNames(probe)));
        }
        if (!probe.has(name)) {
            throw new ConvscopeException(option + ": layer '" + name + "' (" + net.node(name).layer().type() + ") needs the model's own "
                    + net.inputShape().width() + "×" + net.inputShape().height() + " input, so it cannot be used at " + width + "×" + height
                    + Names.didYouMean(name, LayerSelection.drawableNames(probe)));
        }
        Node n = probe.node(name);
        if (!LayerSelection.drawable(probe, n)) {
            throw new ConvscopeException(option + ": layer '" + name + "' (" + n.layer().type() + ") has output "
                    + n.outputShape().toKerasString() + ", not feature maps; style transfer needs convolutional layers"
                    + Names.didYouMean(name, LayerSelection.drawableNames(probe)));
        }
    }

    private static List<String> inNetworkOrder(Network net, Collection<String> names) {
        Set<String> want = Set.copyOf(names);
        List<String> out = new ArrayList<>();
        for (Node n : net.nodes()) {
            if (want.contains(n.name())) {
                out.add(n.name());
            }
        }
        return out;
    }
}
