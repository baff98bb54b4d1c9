package io.convscope.network;

import io.convscope.ConvscopeException;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * convscope's one model representation: an immutable DAG of named nodes in topological order, with
 * inferred shapes and parameters, plus what the input expects (preprocessing) and what the outputs
 * mean (class labels). Importers build it; the Engine runs it.
 */
public final class Network {
    private final String name;
    private final List<Node> nodes;
    private final Map<String, Node> byName;
    private final List<String> inputs;
    private final List<String> outputs;
    private final Preprocessing preprocessing;
    private final List<String> labels;

    private Network(String name, List<Node> nodes, List<String> inputs, List<String> outputs,
                    Preprocessing preprocessing, List<String> labels) {
        this.name = name;
        this.nodes = List.copyOf(nodes);
        Map<String, Node> m = new LinkedHashMap<>();
        for (Node n : nodes) {
            m.put(n.name(), n);
        }
        this.byName = Collections.unmodifiableMap(m);
        this.inputs = List.copyOf(inputs);
        this.outputs = List.copyOf(outputs);
        this.preprocessing = preprocessing;
        this.labels = List.copyOf(labels);
    }

    /**
     * What the name of a model with seeded random weights ends with ({@code vgg16 (random weights)}),
     * so that every picture and page that names the model says so ({@link #saysRandomWeights}).
     */
    public static final String RANDOM_WEIGHTS = " (random weights)";

    /** True when the name says that the weights are random ({@link #RANDOM_WEIGHTS}). */
    public static boolean saysRandomWeights(String networkName) {
        return networkName.endsWith(RANDOM_WEIGHTS);
    }

    public String name() {
        return name;
    }

    /** All nodes in topological order (inputs first). */
    public List<Node> nodes() {
        return nodes;
    }

    public Node node(String nodeName) {
        Node n = byName.get(nodeName);
        if (n == null) {
            throw new ConvscopeException("no layer named '" + nodeName + "' in " + name
                    + io.convscope.util.Names.didYouMean(nodeName, byName.keySet()));
        }
        return n;
    }

    public boolean has(String nodeName) {
        return byName.containsKey(nodeName);
    }

    public List<String> inputs() {
        return inputs;
    }

    public List<String> outputs() {
        return outputs;
    }

    /** The (single) input's shape, channels-first. */
    public TensorShape inputShape() {
        return byName.get(inputs.get(0)).outputShape();
    }

    public TensorShape outputShape() {
        return byName.get(outputs.get(0)).outputShape();
    }

    public Preprocessing preprocessing() {
        return preprocessing;
    }

    /** Class names for the output units, or an empty list when unknown. */
    public List<String> labels() {
        return labels;
    }

    public String label(int index) {
        return index < labels.size() ? labels.get(index) : "class " + index;
    }

    /** Total parameters (Keras's "Total params"), from the layers' declarations: weights need not be loaded. */
    public long paramCount() {
        long n = 0;
        for (Node node : nodes) {
            n += paramCount(node);
        }
        return n;
    }

    /** Parameters of one node, from its layer's declaration. */
    public long paramCount(Node node) {
        long n = 0;
        for (ParamSpec spec : specs(node)) {
            n += spec.size();
        }
        return n;
    }

    /** True when every layer that needs weights has them. */
    public boolean hasWeights() {
        return firstWithoutWeights() == null;
    }

    /** The first layer that declares parameters but has none, or null when all have theirs. */
    public Node firstWithoutWeights() {
        for (Node node : nodes) {
            if (node.params().isEmpty() && !specs(node).isEmpty()) {
                return node;
            }
        }
        return null;
    }

    /** Parameters that training would update (everything but BatchNorm moving statistics). */
    public long trainableParamCount() {
        long n = 0;
        for (Node node : nodes) {
            for (ParamSpec spec : specs(node)) {
                if (spec.trainable()) {
                    n += spec.size();
                }
            }
        }
        return n;
    }

    /** The parameter specs of a node, from its layer and its inputs' shapes. */
    public List<ParamSpec> specs(Node node) {
        List<TensorShape> in = new ArrayList<>();
        for (String i : node.inputs()) {
            in.add(byName.get(i).outputShape());
        }
        return node.layer().params(in);
    }

    /** Names of all nodes that {@code targets} depend on, the targets included. */
    public Set<String> ancestors(Collection<String> targets) {
        return ancestors(targets, Set.of());
    }

    /**
     * Names of the nodes that {@code targets} depend on when the values of the nodes in {@code given}
     * are known: the walk stops at them (they are included, what only they need is not).
     */
    public Set<String> ancestors(Collection<String> targets, Set<String> given) {
        Set<String> seen = new HashSet<>();
        List<String> stack = new ArrayList<>();
        for (String t : targets) {
            node(t);
            stack.add(t);
        }
        while (!stack.isEmpty()) {
            String s = stack.remove(stack.size() - 1);
            if (seen.add(s) && !given.contains(s)) {
                stack.addAll(byName.get(s).inputs());
            }
        }
        return seen;
    }

    /** The nodes that read from each node. */
    public Map<String, List<String>> consumers() {
        Map<String, List<String>> c = new HashMap<>();
        for (Node n : nodes) {
            for (String i : n.inputs()) {
                c.computeIfAbsent(i, k -> new ArrayList<>()).add(n.name());
            }
        }
        return c;
    }

    /** A copy with other parameters (same names and shapes are checked). */
    public Network withParams(Map<String, Map<String, Tensor>> params) {
        return rebuilt(n -> n.layer(), n -> params.getOrDefault(n.name(), n.params()));
    }

    /**
     * A copy in which the named nodes compute other layers (same inputs, same parameters, which the
     * builder checks against the new layers). Names not in the network are ignored.
     *
     * @throws ConvscopeException when a new layer does not fit (see {@link #replace})
     */
    public Network withLayers(Map<String, Layer> replaced) {
        return replace(replaced).orThrow();
    }

    /**
     * {@link #withLayers} that answers instead of throwing: the copy, or the first node whose new
     * layer does not fit its inputs or its parameters, and why.
     */
    public Edit replace(Map<String, Layer> replaced) {
        if (replaced.isEmpty()) {
            return Edit.done(this);
        }
        Builder b = new Builder(name).preprocessing(preprocessing).labels(labels);
        for (Node n : nodes) {
            if (inputs.contains(n.name()) && n.layer() instanceof Layer.Input in) {
                b.input(n.name(), in.shape());
                continue;
            }
            Layer l = replaced.getOrDefault(n.name(), n.layer());
            String why = b.tryAdd(n.name(), l, n.inputs(), n.params());
            if (why != null) {
                return Edit.refused(new Edit.Refusal(n.name(), l.type(), why, ""));
            }
        }
        return Edit.done(b.outputs(outputs).build());
    }

    /** The part of the network that {@code layers} need (their ancestors), with them as its outputs. */
    public Network cut(Collection<String> layers) {
        Set<String> keep = ancestors(layers);
        if (keep.size() == nodes.size() && outputs.equals(List.copyOf(layers))) {
            return this;
        }
        Builder b = new Builder(name).preprocessing(preprocessing).labels(labels);
        for (Node n : nodes) {
            if (keep.contains(n.name())) {
                b.nodes.add(n);
                b.byName.put(n.name(), n);
                if (inputs.contains(n.name())) {
                    b.inputs.add(n.name());
                }
            }
        }
        return b.outputs(List.copyOf(layers)).buildWithoutParams();
    }

    /**
     * The part of the network that {@code layers} need (their ancestors), with its input set to
     * {@code height × width} (-1: any size), and {@code layers} as its outputs. Convolutions and
     * pooling work at any size; a layer whose shape or weights fix the size (a Dense after a
     * Flatten) refuses, and the answer names it. The network itself when nothing changes.
     */
    public Edit cut(Collection<String> layers, int height, int width) {
        Set<String> keep = ancestors(layers);
        TensorShape in = inputShape();
        if (in.height() == height && in.width() == width && keep.size() == nodes.size()) {
            return Edit.done(this);
        }
        Builder b = new Builder(name).preprocessing(preprocessing).labels(labels);
        String last = null;
        for (Node n : nodes) {
            if (!keep.contains(n.name())) {
                continue;
            }
            if (n.layer() instanceof Layer.Input) {
                b.input(n.name(), TensorShape.chw(n.outputShape().channels(), height, width));
            } else {
                String why = b.tryAdd(n.name(), n.layer(), n.inputs(), n.params());
                if (why != null) {
                    return Edit.refused(new Edit.Refusal(n.name(), n.layer().type(), "needs the model's own "
                            + size(in) + " input, so " + width + "×" + height + " does not fit",
                            "choose only layers before it or leave out " + io.convscope.Setting.SIZE + "/" + io.convscope.Setting.KEEP_SIZE));
                }
            }
            last = n.name();
        }
        List<String> outs = List.copyOf(layers);
        return Edit.done(b.outputs(outs.isEmpty() ? List.of(last) : outs).build());
    }

    /**
     * The whole network with its input set to {@code height × width}: {@link #cut(Collection, int, int)}
     * at the outputs.
     */
    public Edit withInputSize(int height, int width) {
        return cut(outputs, height, width);
    }

    /**
     * As much of the network as works with a {@code height × width} input: every layer whose shape
     * and weights still fit (convolutions, pooling, …), leaving out those that need the model's own
     * size (a Dense after a Flatten) and everything after them. Its output is the last layer kept.
     */
    public Network fittingPrefix(int height, int width) {
        Builder b = new Builder(name).preprocessing(preprocessing).labels(labels);
        String last = null;
        for (Node n : nodes) {
            if (n.layer() instanceof Layer.Input) {
                b.input(n.name(), TensorShape.chw(n.outputShape().channels(), height, width));
                last = last == null ? n.name() : last;
                continue;
            }
            if (!n.inputs().stream().allMatch(b::has)) {
                continue;
            }
            if (b.tryAdd(n.name(), n.layer(), n.inputs(), n.params()) == null) {
                last = n.name();
            }
        }
        return b.outputs(List.of(last)).build();
    }

    private static String size(TensorShape in) {
        return (in.width() < 0 ? "any" : Integer.toString(in.width())) + "×" + (in.height() < 0 ? "any" : Integer.toString(in.height()));
    }

    /** The network built again node by node, each with the layer and parameters the functions give. */
    private Network rebuilt(java.util.function.Function<Node, Layer> layer,
                            java.util.function.Function<Node, Map<String, Tensor>> params) {
        Builder b = new Builder(name).preprocessing(preprocessing).labels(labels);
        for (Node n : nodes) {
            if (inputs.contains(n.name()) && n.layer() instanceof Layer.Input in) {
                b.input(n.name(), in.shape());
            } else {
                b.add(n.name(), layer.apply(n), n.inputs(), params.apply(n));
            }
        }
        return b.outputs(outputs).build();
    }

    public Network withPreprocessing(Preprocessing p) {
        return new Network(name, nodes, inputs, outputs, p, labels);
    }

    public Network withLabels(List<String> newLabels) {
        return new Network(name, nodes, inputs, outputs, preprocessing, newLabels);
    }

    public Network withName(String newName) {
        return new Network(newName, nodes, inputs, outputs, preprocessing, labels);
    }

    /**
     * A copy whose parameters are initialized as Keras does for a new model (Glorot-uniform
     * kernels, zero biases, BatchNorm gamma 1 / beta 0 / mean 0 / variance 1), from a seed.
     */
    public Network withRandomParams(long seed) {
        // one SplittableRandom(seed) sequence over the Glorot kernels in node order, as a sequential loop
        // drew it; SeededUniform computes each value from its position, so the cores share the work
        Map<String, Map<String, Tensor>> all = new HashMap<>();
        List<SeededUniform.Fill> fills = new ArrayList<>();
        long drawn = 0;
        for (Node n : nodes) {
            Map<String, Tensor> p = new LinkedHashMap<>();
            for (ParamSpec s : specs(n)) {
                Tensor t = Tensor.zeros(s.shape());
                int size = Math.toIntExact(s.size());
                switch (s.init()) {
                    case ONES -> {
                        var buf = t.data();
                        for (int i = 0; i < size; i++) {
                            buf.put(i, 1f);
                        }
                    }
                    case ZEROS -> { }
                    case GLOROT_UNIFORM -> {
                        double limit = Math.sqrt(6.0 / Math.max(1, s.fanIn() + s.fanOut()));
                        fills.add(new SeededUniform.Fill(t.data(), drawn, size, limit));
                        drawn += size;
                    }
                }
                p.put(s.name(), t);
            }
            all.put(n.name(), p);
        }
        SeededUniform.fill(seed, fills);
        return withParams(all);
    }

    /** Builds a Network node by node, inferring shapes and checking parameters as it goes. */
    public static final class Builder {
        private final String name;
        private final List<Node> nodes = new ArrayList<>();
        private final Map<String, Node> byName = new HashMap<>();
        private final List<String> inputs = new ArrayList<>();
        private List<String> outputs;
        private Preprocessing preprocessing = Preprocessing.RAW;
        private List<String> labels = List.of();

        public Builder(String name) {
            this.name = name;
        }

        public Builder preprocessing(Preprocessing p) {
            this.preprocessing = p;
            return this;
        }

        public Builder labels(List<String> l) {
            this.labels = l;
            return this;
        }

        public Builder outputs(List<String> o) {
            this.outputs = List.copyOf(o);
            return this;
        }

        public boolean has(String nodeName) {
            return byName.containsKey(nodeName);
        }

        public TensorShape shape(String nodeName) {
            Node n = byName.get(nodeName);
            if (n == null) {
                throw new ConvscopeException("layer '" + nodeName + "' is used before it is defined");
            }
            return n.outputShape();
        }

        public Node node(String nodeName) {
            return byName.get(nodeName);
        }

        /** Adds an input node. */
        public Builder input(String nodeName, TensorShape shape) {
            inputs.add(nodeName);
            return add(nodeName, new Layer.Input(shape), List.of(), Map.of());
        }

        /** Adds a layer without parameters. */
        public Builder add(String nodeName, Layer layer, String... in) {
            return add(nodeName, layer, List.of(in), Map.of());
        }

        /**
         * Adds a layer. {@code params} may be empty (the layer gets no weights yet: build with
         * {@link Network#withRandomParams} or {@link #buildWithoutParams}) or must hold every parameter
         * the layer declares, with the declared shapes.
         */
        public Builder add(String nodeName, Layer layer, List<String> in, Map<String, Tensor> params) {
            String why = tryAdd(nodeName, layer, in, params);
            if (why != null) {
                throw new ConvscopeException(why);
            }
            return this;
        }

        /**
         * {@link #add(String, Layer, List, Map)} that answers instead of throwing: null when the
         * layer was added, else why not (its inputs' shapes do not fit it, or its parameters do not
         * fit its declaration); the builder is unchanged then.
         */
        public String tryAdd(String nodeName, Layer layer, List<String> in, Map<String, Tensor> params) {
            if (byName.containsKey(nodeName)) {
                return "two layers are named '" + nodeName + "'";
            }
            List<TensorShape> inShapes = new ArrayList<>();
            for (String i : in) {
                Node n = byName.get(i);
                if (n == null) {
                    return "layer '" + i + "' is used before it is defined";
                }
                inShapes.add(n.outputShape());
            }
            TensorShape out;
            List<ParamSpec> specs;
            try {
                out = layer.outputShape(inShapes);
                specs = layer.params(inShapes);
            } catch (IllegalArgumentException e) {
                return "layer '" + nodeName + "' (" + layer.type() + "): " + e.getMessage();
            }
            if (!params.isEmpty()) {
                for (ParamSpec s : specs) {
                    Tensor t = params.get(s.name());
                    if (t == null) {
                        return "layer '" + nodeName + "' (" + layer.type() + ") has no weight '" + s.name() + "'";
                    }
                    if (!java.util.Arrays.equals(t.shape(), s.shape())) {
                        return "layer '" + nodeName + "' (" + layer.type() + "): weight '" + s.name()
                                + "' has shape " + java.util.Arrays.toString(t.shape()) + " but the architecture needs "
                                + java.util.Arrays.toString(s.shape());
                    }
                }
                if (params.size() != specs.size()) {
                    return "layer '" + nodeName + "' (" + layer.type() + ") has " + params.size()
                            + " weights, the architecture needs " + specs.size();
                }
            }
            Node n = new Node(nodeName, layer, in, out, params);
            nodes.add(n);
            byName.put(nodeName, n);
            return null;
        }

        /** The network; every layer with parameters must have them. */
        public Network build() {
            Network net = buildWithoutParams();
            Node n = net.firstWithoutWeights();
            if (n != null) {
                throw new ConvscopeException("layer '" + n.name() + "' (" + n.layer().type() + ") has no weights");
            }
            return net;
        }

        /** The network as it stands; layers may still lack parameters (an architecture). */
        public Network buildWithoutParams() {
            if (inputs.isEmpty()) {
                throw new ConvscopeException("network '" + name + "' has no input");
            }
            List<String> outs = outputs != null ? outputs : List.of(nodes.get(nodes.size() - 1).name());
            return new Network(name, nodes, inputs, outs, preprocessing, labels);
        }
    }
}
