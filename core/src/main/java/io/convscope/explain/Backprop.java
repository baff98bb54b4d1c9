package io.convscope.explain;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.convscope.engine.Engine;
import io.convscope.network.Activation;
import io.convscope.network.Layer;
import io.convscope.network.Network;
import io.convscope.network.Node;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Backpropagation node by node, with a choice of rule at the ReLUs: the plain gradient, guided
 * backpropagation (Springenberg et al. 2015: pass only positive gradients where the forward input was
 * positive) or the deconvnet (Zeiler &amp; Fergus 2014: the ReLU applied to the backward signal,
 * whatever the forward input). Every other node passes the signal back by its vector–Jacobian product,
 * computed by autograd on that node alone: max pooling routes it to the forward pass's maxima (the
 * deconvnet's switches), a convolution applies its transposed filters.
 *
 * <p>ReLUs are the Keras/ONNX ReLU layers, activation layers with relu or relu6, and relu/relu6
 * activations fused into Conv2D, DepthwiseConv2D, SeparableConv2D and Dense layers (split off here).
 * Each node runs on an engine of its own (a one-node network), created on first use.
 */
public final class Backprop implements AutoCloseable {

    /** What a ReLU does to the backward signal g given its forward input z. */
    public enum Rule {
        /** g · [0 &lt; z &lt; cap]: the true gradient. */
        GRADIENT,
        /** g · [0 &lt; z &lt; cap] · [g &gt; 0]. */
        GUIDED,
        /** max(g, 0). */
        DECONVNET
    }

    private final ExplainContext ctx;
    private final Network net;
    private final String out;
    private final Device device;
    /** The engine whose parameter arrays the per-node engines use (null: they copy the network's weights). */
    private final Engine weights;
    private final Map<String, Engine> engines = new HashMap<>();

    Backprop(ExplainContext ctx) {
        this.ctx = ctx;
        this.net = ctx.scoreNetwork();
        this.out = ctx.scoreLayer();
        this.device = ctx.device();
        this.weights = ctx.engine();
    }

    /**
     * A walk over any layer of {@code net} (no class score): {@link #project} seeds it with a signal
     * of one's own at that layer. Close it to free the per-node engines.
     */
    public Backprop(Network net, Device device) {
        this.ctx = null;
        this.net = net;
        this.out = null;
        this.device = device;
        this.weights = null;
    }

    /**
     * A walk over any layer of {@code net} (no class score) whose per-node engines use {@code weights}'
     * parameter arrays for the layers that hold the same weights ({@link Engine#sharing}: {@code net} may be
     * {@code weights}' network or a copy of it at another input size) instead of copies. Close it before
     * {@code weights}.
     */
    public Backprop(Network net, Engine weights) {
        this.ctx = null;
        this.net = net;
        this.out = null;
        this.device = weights.device();
        this.weights = weights;
    }

    /** The device the walk runs on. */
    public Device device() {
        return device;
    }

    /** The cap of a ReLU-like layer (infinite for relu, 6 for relu6), or NaN when the layer is not one. */
    static float reluCap(Layer l) {
        if (l instanceof Layer.ReLU r) {
            return r.negativeSlope() == 0f && r.threshold() == 0f ? r.maxValue() : Float.NaN;
        }
        Activation a = l.activation();
        if (a == Activation.RELU) {
            return Float.POSITIVE_INFINITY;
        }
        return a == Activation.RELU6 ? 6f : Float.NaN;
    }

    /** The layer without its fused activation, or null when the ReLU is a layer of its own. */
    static Layer linearPart(Layer l) {
        return l.isActivation() || l instanceof Layer.ReLU || l.activation() == null ? null : l.withActivation(Activation.LINEAR);
    }

    /**
     * d score(targets[i]) / d x_i under {@code rule}, for a batch (host NCHW floats); the batch is
     * split by the context's batch size.
     */
    public float[] inputGradient(float[] nchw, int n, int c, int h, int w, int[] targets, Rule rule) {
        float[] grad = new float[nchw.length];
        int sample = c * h * w;
        for (int start = 0; start < n; start += ctx.batch()) {
            int m = Math.min(ctx.batch(), n - start);
            try (NDManager step = ctx.engine().manager().newSubManager()) {
                NDArray x = ctx.engine().input(step, nchw, start, m, c, h, w);
                int[] part = ExplainContext.slice(targets, start, m);
                NDArray g = walk(x, out, y -> {
                    float[][] logits = ExplainContext.rows(y.toType(DataType.FLOAT32, false).toFloatArray(), m);
                    return step.create(ctx.scoreGradient(logits, part), y.getShape()).toDevice(y.getDevice(), false);
                }, rule);
                System.arraycopy(g.toType(DataType.FLOAT32, false).toFloatArray(), 0, grad, start * sample, m * sample);
            }
        }
        return grad;
    }

    /**
     * The backward signal at the input {@code x} (n, c, h, w) of a walk under {@code rule} seeded at
     * {@code layer} with {@code seed} (that layer's output shape, n samples; zero elsewhere stops the
     * signal). With {@link Rule#DECONVNET} and a seed of a single 1 per sample this is Zeiler &amp;
     * Fergus's projection of that one activation. One walk for the whole batch, over the part of the
     * network below {@code layer} only; samples do not interact. The result is attached to {@code x}'s
     * manager, as is everything the walk makes (close that manager to free them).
     */
    public NDArray project(String layer, NDArray x, NDArray seed, Rule rule) {
        return walk(x, layer, y -> seed, rule);
    }

    /**
     * {@link #project(String, NDArray, NDArray, Rule)} on host floats: the input (n, c, h, w) and the
     * seed (n samples of {@code layer}'s output); the backward signal at the input, host floats.
     */
    public float[] project(String layer, float[] nchw, int n, int c, int h, int w, float[] seed, Rule rule) {
        try (NDManager step = NDManager.newBaseManager(device)) {
            NDArray x = step.create(nchw, new Shape(n, c, h, w));
            return walk(x, layer, y -> step.create(seed, y.getShape()), rule).toType(DataType.FLOAT32, false).toFloatArray();
        }
    }

    /**
     * One forward pass, then the backward walk. Every node's forward runs once, recorded by autograd on
     * inputs cut loose from the nodes below (leaves), so each node's record is a graph of its own: the
     * backward step of a node is one autograd pass through that graph, with the rule applied to the
     * signal at the ReLUs in between. No node is run a second time and no value is copied.
     */
    private NDArray walk(NDArray x, String out, java.util.function.Function<NDArray, NDArray> seed, Rule rule) {
        Set<String> needed = net.ancestors(List.of(out));
        List<Node> order = new ArrayList<>();
        for (Node n : net.nodes()) {
            if (needed.contains(n.name())) {
                order.add(n);
            }
        }
        Map<String, NDArray> values = new HashMap<>();
        Map<String, NDArray> preRelu = new HashMap<>();
        Map<String, Map<String, NDArray>> leaves = new HashMap<>();
        Map<String, NDArray> grads = new HashMap<>();
        try (GradientCollector gc = ExplainContext.collector()) {
            for (Node n : order) {
                if (n.layer() instanceof Layer.Input) {
                    values.put(n.name(), x);
                    continue;
                }
                float cap = reluCap(n.layer());
                Layer lin = Float.isNaN(cap) ? null : linearPart(n.layer());
                NDArray z;
                if (!Float.isNaN(cap) && lin == null) {
                    z = values.get(n.inputs().get(0)); // a ReLU of its own: no graph, the rule does its step
                } else {
                    Map<String, NDArray> in = leavesOf(n, values);
                    leaves.put(n.name(), in);
                    z = run(n, in, lin);
                }
                if (Float.isNaN(cap)) {
                    values.put(n.name(), z);
                } else {
                    preRelu.put(n.name(), z);
                    NDArray free = z.stopGradient();
                    values.put(n.name(), Float.isInfinite(cap) ? free.maximum(0f) : free.clip(0f, cap));
                }
            }
            NDArray top = values.get(out);
            grads.put(out, seed.apply(top));
            for (int i = order.size() - 1; i >= 0; i--) {
                Node n = order.get(i);
                NDArray g = grads.remove(n.name());
                if (g == null || n.layer() instanceof Layer.Input) {
                    if (g != null) {
                        grads.put(n.name(), g);
                    }
                    continue;
                }
                float cap = reluCap(n.layer());
                NDArray z = preRelu.containsKey(n.name()) ? preRelu.get(n.name()) : values.get(n.name());
                if (!Float.isNaN(cap)) {
                    g = rule(g, z, cap, rule);
                }
                Map<String, NDArray> in = leaves.remove(n.name());
                if (in == null) { // a ReLU of its own
                    accumulate(grads, n.inputs().get(0), g);
                    continue;
                }
                gc.backward(z.mul(g).sum());
                for (Map.Entry<String, NDArray> e : in.entrySet()) {
                    accumulate(grads, e.getKey(), e.getValue().getGradient());
                }
                // every consumer of this node came before it in the walk: its values are done with
                NDArray v = values.remove(n.name());
                if (v != z) {
                    v.close();
                }
                z.close();
            }
        }
        return grads.get(net.inputs().get(0));
    }

    private static NDArray rule(NDArray g, NDArray z, float cap, Rule rule) {
        if (rule == Rule.DECONVNET) {
            return g.maximum(0f);
        }
        NDArray open = z.gt(0f);
        if (!Float.isInfinite(cap)) {
            open = open.logicalAnd(z.lt(cap));
        }
        NDArray r = g.mul(open.toType(DataType.FLOAT32, false));
        return rule == Rule.GUIDED ? r.maximum(0f) : r;
    }

    /** The node's inputs as leaves of a graph of their own: the same storage, no history, gradient required. */
    private static Map<String, NDArray> leavesOf(Node n, Map<String, NDArray> values) {
        Map<String, NDArray> in = new LinkedHashMap<>();
        for (String i : new LinkedHashSet<>(n.inputs())) {
            NDArray v = values.get(i).stopGradient();
            v.setRequiresGradient(true);
            in.put(i, v);
        }
        return in;
    }

    private NDArray run(Node n, Map<String, NDArray> in, Layer replaced) {
        return engine(n, replaced).forward(in, List.of(n.name()), false).get(n.name());
    }

    private static void accumulate(Map<String, NDArray> grads, String name, NDArray g) {
        NDArray old = grads.get(name);
        grads.put(name, old == null ? g : old.add(g));
    }

    private Engine engine(Node n, Layer replaced) {
        Engine e = engines.get(n.name());
        if (e == null) {
            Map<String, Layer> swap = replaced == null ? Map.of() : Map.of(n.name(), replaced);
            Network one = Subnets.of(net, List.of(n.name()), List.of(n.name()), swap);
            e = weights == null ? Engine.create(one, device) : Engine.sharing(one, weights);
            engines.put(n.name(), e);
        }
        return e;
    }

    @Override
    public void close() {
        for (Engine e : engines.values()) {
            e.close();
        }
        engines.clear();
    }
}
