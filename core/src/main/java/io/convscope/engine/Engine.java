package io.convscope.engine;

import ai.djl.Device;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.GradientCollector;
import io.convscope.ConvscopeException;
import io.convscope.Setting;
import io.convscope.network.Activation;
import io.convscope.network.Layer;
import io.convscope.network.Network;
import io.convscope.network.Node;
import io.convscope.network.Tensor;
import io.convscope.network.TensorShape;
import io.convscope.util.Interrupts;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Runs a {@link Network} on DJL NDArrays with the PyTorch engine.
 *
 * <p>{@link #forward} returns the tensors of any set of named layers ("taps") and computes only the
 * part of the graph those taps depend on. Semantics are inference semantics (Dropout is the
 * identity, BatchNorm uses its moving statistics) unless {@code training} is asked for, which turns
 * Dropout on. {@link #inputGradient} differentiates any scalar of the tapped tensors with respect
 * to the input.
 *
 * <p>Memory: parameters live in the engine's own manager. Everything a forward pass creates is
 * attached to the manager of the input array; intermediate tensors that are neither tapped nor
 * needed later are closed as soon as the pass is done with them. Callers scope their work with a
 * child manager per step.
 */
public final class Engine implements AutoCloseable {
    private final Network network;
    private final NDManager manager;
    private final Map<String, Map<String, NDArray>> params = new LinkedHashMap<>();
    /** Whether some parameter arrays read the Network's own memory or another engine's (see {@link #ownParameters}). */
    private boolean shared;
    /** Nodes whose parameter arrays belong to another engine ({@link #sharing}). */
    private final java.util.Set<String> borrowed = new java.util.HashSet<>();
    private volatile int lastComputed;
    /** Whether batches of one run channels-last too ({@link #channelsLastAtOne}). */
    private final boolean channelsLastAtOne;
    /** Channels-last copies of k×k convolution kernels, made on first use ({@link #channelsLastKernel}). */
    private final Map<NDArray, NDArray> channelsLastKernels = new java.util.IdentityHashMap<>();
    /** Set once the parameters may change (training): kernels are then used as they are. */
    private boolean kernelsMayChange;

    private Engine(Network network, Device device, Engine weights) {
        this(network, device, weights, channelsLastAtOne(network));
    }

    private Engine(Network network, Device device, Engine weights, boolean channelsLastAtOne) {
        this.network = network;
        this.channelsLastAtOne = channelsLastAtOne;
        this.manager = NDManager.newBaseManager(device, "PyTorch");
        try {
            if (Device.Type.CPU.equals(device.getDeviceType())) {
                Convolution.checkCpuKernels(manager);
            }
            Node missing = network.firstWithoutWeights();
            if (missing != null) {
                throw new ConvscopeException("layer '" + missing.name() + "' has no weights; load weights or use random ones (" + Setting.WEIGHTS + " none)");
            }
            boolean cpu = Device.Type.CPU.equals(device.getDeviceType());
            for (Node n : network.nodes()) {
                Map<String, NDArray> reused = weights == null ? null : weights.sameWeights(n);
                if (reused != null) {
                    params.put(n.name(), reused);
                    borrowed.add(n.name());
                    shared = true;
                    continue;
                }
                Map<String, NDArray> p = new LinkedHashMap<>();
                for (Map.Entry<String, Tensor> e : n.params().entrySet()) {
                    Tensor t = e.getValue();
                    ByteBuffer bytes = cpu ? t.bytes() : null;
                    // on the CPU PyTorch reads a tensor's own direct bytes in place (DJL keeps the buffer
                    // alive): no second copy of the weights, which for VGG16 is 553 MB of fresh memory
                    NDArray a = bytes != null ? manager.create(bytes, new Shape(toLong(t.shape())), DataType.FLOAT32)
                            : manager.create(t.data(), new Shape(toLong(t.shape())));
                    shared |= bytes != null;
                    a.setName(n.name() + "/" + e.getKey());
                    p.put(e.getKey(), a);
                }
                params.put(n.name(), p);
            }
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** An engine on the device chosen by {@link Devices#choose}. */
    public static Engine create(Network network, Device device) {
        return new Engine(network, device, null);
    }

    /** An engine on the CPU. */
    public static Engine create(Network network) {
        return new Engine(network, Device.cpu(), null);
    }

    /** An engine on the CPU that runs batches of one channels-last or not, whatever the network (for tests). */
    static Engine create(Network network, boolean channelsLastAtOne) {
        return new Engine(network, Device.cpu(), null, channelsLastAtOne);
    }

    /**
     * An engine for {@code network} on {@code weights}' device that uses {@code weights}' parameter arrays
     * for every node holding the same weights (a node of that name whose parameters are the very same
     * {@link Tensor}s: a copy of the network with other layers swapped, a part of it, a different output),
     * so those are held once; other nodes get arrays of their own. Closing it frees only its own arrays:
     * close it before {@code weights}, and do not train either while the other runs.
     */
    public static Engine sharing(Network network, Engine weights) {
        return new Engine(network, weights.device(), weights);
    }

    /** This engine's arrays of a node of another network when that node has the same name and parameter tensors, else null. */
    private Map<String, NDArray> sameWeights(Node other) {
        if (!network.has(other.name())) {
            return null;
        }
        Map<String, Tensor> mine = network.node(other.name()).params();
        Map<String, Tensor> theirs = other.params();
        if (mine.size() != theirs.size()) {
            return null;
        }
        for (Map.Entry<String, Tensor> e : theirs.entrySet()) {
            if (mine.get(e.getKey()) != e.getValue()) {
                return null;
            }
        }
        return params.get(other.name());
    }

    public Network network() {
        return network;
    }

    public NDManager manager() {
        return manager;
    }

    public Device device() {
        return manager.getDevice();
    }

    /** How many layers (inputs included) the last forward pass computed. */
    public int lastComputedLayers() {
        return lastComputed;
    }

    /**
     * The engine's parameter arrays, keyed "layer/param" in network order, to read. On the CPU they may
     * be the Network's own memory or another engine's arrays: to write into them, use {@link #parametersToTrain}.
     */
    public Map<String, NDArray> parameters() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        params.forEach((node, p) -> p.forEach((k, v) -> out.put(node + "/" + k, v)));
        return out;
    }

    /**
     * The engine's parameter arrays to train (write into): the engine first takes copies of its own of
     * arrays that read the Network's memory or another engine's, so that training leaves those as they were.
     */
    public Map<String, NDArray> parametersToTrain() {
        kernelsMayChange();
        ownParameters();
        return parameters();
    }

    /**
     * From now on convolutions use the kernels as they are. The channels-last copies are no longer
     * handed out but stay allocated until {@link #close}: a pass on another thread may still be using one.
     */
    private void kernelsMayChange() {
        synchronized (channelsLastKernels) {
            kernelsMayChange = true;
        }
    }

    /**
     * {@code w} laid out channels-last, for a convolution over a channels-last input: PyTorch otherwise
     * copies a plain k×k kernel into that layout at every call (ResNet50V2: 17 copies a forward pass and
     * as many backward). Made once per kernel and kept; the kernel itself while the parameters may change
     * or when it takes a gradient.
     */
    private NDArray channelsLastKernel(NDArray w) {
        synchronized (channelsLastKernels) {
            if (kernelsMayChange || w.hasGradient()) {
                return w;
            }
            return channelsLastKernels.computeIfAbsent(w, Engine::toChannelsLast);
        }
    }

    /**
     * Replaces parameter arrays that read the Network's memory (or another engine's arrays) by copies
     * of the engine's own: before anything may write into them (training, BatchNorm's moving statistics
     * in a training pass).
     */
    private synchronized void ownParameters() {
        if (!shared) {
            return;
        }
        for (Map.Entry<String, Map<String, NDArray>> node : params.entrySet()) {
            boolean theirs = borrowed.contains(node.getKey());
            Map<String, NDArray> own = new LinkedHashMap<>();
            for (Map.Entry<String, NDArray> e : node.getValue().entrySet()) {
                NDArray a = e.getValue();
                NDArray copy = a.duplicate();
                copy.attach(manager);
                copy.setName(a.getName());
                own.put(e.getKey(), copy);
                if (!theirs) { // another engine's arrays stay as they are, for it
                    a.close();
                }
            }
            node.setValue(own);
        }
        borrowed.clear();
        shared = false;
    }

    /** The network with the engine's current parameter values copied back to the host. */
    public Network toNetwork() {
        Map<String, Map<String, Tensor>> host = new HashMap<>();
        params.forEach((node, p) -> {
            Map<String, Tensor> m = new LinkedHashMap<>();
            p.forEach((k, v) -> m.put(k, Tensor.of(v.toFloatArray(), toInt(v.getShape().getShape()))));
            host.put(node, m);
        });
        return network.withParams(host);
    }

    /** Host floats on their way to an engine: one direct buffer per calling thread, reused by every batch it sends. */
    private static final ThreadLocal<ByteBuffer> STAGING = new ThreadLocal<>();

    /** Creates a batch (N, C, H, W) on this engine's device, attached to {@code scope}: {@link #input(NDManager, float[], int, int, int, int, int)} from sample 0. */
    public NDArray input(NDManager scope, float[] nchw, int n, int c, int h, int w) {
        return input(scope, nchw, 0, n, c, h, w);
    }

    /**
     * Samples {@code start} … {@code start + n − 1} of {@code samples} (each c·h·w floats) as an (n, c, h, w) batch on this
     * engine's device, attached to {@code scope}, in memory the engine owns (freed when {@code scope} closes). DJL's
     * {@code create(float[])} would copy the floats into a fresh direct buffer that the array reads in place and that only a
     * garbage collection frees, after the array is closed: one input batch of native memory per pass waiting for the
     * collector, so resident memory grew with a run's passes between collections. Here the floats go through one direct
     * buffer of the calling thread's, reused by every batch, and are copied from it into a tensor of the engine's own; the
     * array that reads the buffer is closed at once, so nothing reads the buffer when the thread's next batch fills it.
     */
    public NDArray input(NDManager scope, float[] samples, int start, int n, int c, int h, int w) {
        int sample = c * h * w;
        int bytes = Math.multiplyExact(n * sample, 4);
        ByteBuffer staging = STAGING.get();
        if (staging == null || staging.capacity() < bytes) {
            staging = ByteBuffer.allocateDirect(bytes).order(java.nio.ByteOrder.nativeOrder());
            STAGING.set(staging);
        }
        staging.clear();
        staging.asFloatBuffer().put(samples, start * sample, n * sample);
        staging.limit(bytes);
        try (NDArray view = scope.create(staging, new Shape(n, c, h, w), DataType.FLOAT32)) {
            NDArray own = device().equals(view.getDevice()) ? view.duplicate() : view.toDevice(device(), true);
            own.attach(scope);
            return own;
        }
    }

    /** Forward pass with inference semantics; see {@link #forward(Map, Collection, boolean)}. */
    public Map<String, NDArray> forward(NDArray input, Collection<String> taps) {
        return forward(Map.of(network.inputs().get(0), input), taps, false);
    }

    public Map<String, NDArray> forward(NDArray input, Collection<String> taps, boolean training) {
        return forward(Map.of(network.inputs().get(0), input), taps, training);
    }

    /**
     * Computes the tensors of the named layers for a batch, and no more of the network than they
     * need. {@code inputs} gives the values of the network's inputs, and may give the value of any
     * other layer: the pass then starts there (that layer and what only it needs are not computed),
     * so a caller can run the rest of the network from an intermediate tensor (batch first, the
     * layer's output shape). Given arrays are never closed. The returned map is in the taps' order;
     * arrays are attached to the first input's manager.
     */
    public Map<String, NDArray> forward(Map<String, NDArray> inputs, Collection<String> taps, boolean training) {
        return forward(inputs, taps, training, Set.of(), null);
    }

    /**
     * The forward pass; the output of each layer in {@code leaves} is replaced by a copy without
     * history that requires a gradient (put in {@code leafValues}), so a backward pass stops there.
     */
    private Map<String, NDArray> forward(Map<String, NDArray> inputs, Collection<String> taps, boolean training,
                                         Set<String> leaves, Map<String, NDArray> leafValues) {
        if (training) {
            kernelsMayChange();
            ownParameters();
        }
        if (taps.isEmpty()) {
            throw new IllegalArgumentException("no layers to compute");
        }
        Set<String> needed = network.ancestors(taps, inputs.keySet());
        Set<String> tapSet = new LinkedHashSet<>(taps);
        Map<String, Integer> remaining = new HashMap<>();
        for (Node n : network.nodes()) {
            if (needed.contains(n.name()) && !inputs.containsKey(n.name())) {
                for (String i : n.inputs()) {
                    remaining.merge(i, 1, Integer::sum);
                }
            }
        }
        Map<String, NDArray> values = new HashMap<>();
        int computed = 0;
        boolean channelsLast = false;
        for (Node n : network.nodes()) {
            if (!needed.contains(n.name())) {
                continue;
            }
            Interrupts.check(); // a step boundary: stop here after SIGTERM/SIGINT, never inside PyTorch
            computed++;
            NDArray out;
            NDArray given = inputs.get(n.name());
            if (given != null) {
                out = given;
                if (n.layer() instanceof Layer.Input) {
                    checkInput(n, out);
                    NDArray laid = channelsLast(out, channelsLastAtOne);
                    channelsLast |= laid != out;
                    out = laid;
                } else {
                    checkGiven(n, out);
                }
            } else if (n.layer() instanceof Layer.Input) {
                throw new IllegalArgumentException("no value for input '" + n.name() + "'");
            } else {
                List<NDArray> in = new ArrayList<>(n.inputs().size());
                for (String i : n.inputs()) {
                    in.add(values.get(i));
                }
                try {
                    out = apply(n, in, training, channelsLast);
                } catch (EngineException | IllegalArgumentException | IllegalStateException e) {
                    throw new ConvscopeException("layer '" + n.name() + "' (" + n.layer().type() + ") failed on inputs "
                            + shapes(in) + ": " + firstLine(e.getMessage()), e);
                }
            }
            if (leaves.contains(n.name())) {
                NDArray leaf = out.stopGradient();
                leaf.setRequiresGradient(true);
                leafValues.put(n.name(), leaf);
                out = leaf;
            }
            values.put(n.name(), out);
            if (given != null) {
                continue;
            }
            for (String i : n.inputs()) {
                int left = remaining.merge(i, -1, Integer::sum);
                NDArray v = values.get(i);
                if (left == 0 && !tapSet.contains(i) && !inputs.containsKey(i) && !leaves.contains(i)
                        && !(network.node(i).layer() instanceof Layer.Input)) {
                    v.close();
                    values.remove(i);
                }
            }
        }
        lastComputed = computed;
        Map<String, NDArray> result = new LinkedHashMap<>();
        for (String t : taps) {
            result.put(t, values.get(t));
        }
        return result;
    }

    /** The value of a scalar objective and its gradient with respect to the input batch. */
    public record Gradient(float value, NDArray gradient) { }

    /**
     * Differentiates {@code objective(taps)} with respect to the input. The gradient array is
     * attached to the input's manager; the input array itself is left unchanged.
     */
    public Gradient inputGradient(NDArray input, Collection<String> taps, Function<Map<String, NDArray>, NDArray> objective) {
        NDManager scope = input.getManager();
        try (NDManager step = scope.newSubManager()) {
            NDArray x = input.duplicate();
            x.attach(step);
            x.setRequiresGradient(true);
            float value;
            try (GradientCollector gc = ai.djl.engine.Engine.getEngine("PyTorch").newGradientCollector()) {
                Map<String, NDArray> out = forward(Map.of(network.inputs().get(0), x), taps, false);
                NDArray loss = objective.apply(out);
                if (loss.size() != 1) {
                    throw new IllegalArgumentException("the objective must be a scalar, got shape " + loss.getShape());
                }
                value = loss.toType(DataType.FLOAT32, false).getFloat();
                gc.backward(loss);
            }
            NDArray g = x.getGradient().duplicate();
            g.attach(scope);
            return new Gradient(value, g);
        }
    }

    /**
     * A scalar objective's value, and for each layer it was differentiated with respect to, that
     * layer's output (the activations) and the gradient of the objective with respect to it; both
     * have the layer's output shape with the batch first.
     */
    public record LayerGradients(float value, Map<String, NDArray> activations, Map<String, NDArray> gradients) {
        /** The gradient with respect to one layer's output. */
        public NDArray gradient(String layer) {
            NDArray g = gradients.get(layer);
            if (g == null) {
                throw new IllegalArgumentException("no gradient for '" + layer + "'; have " + gradients.keySet());
            }
            return g;
        }

        /** One layer's output. */
        public NDArray activation(String layer) {
            NDArray a = activations.get(layer);
            if (a == null) {
                throw new IllegalArgumentException("no activations for '" + layer + "'; have " + activations.keySet());
            }
            return a;
        }
    }

    /**
     * Differentiates {@code objective(taps)} with respect to the outputs of the layers {@code wrt}
     * (any layers the taps depend on, the input included), for the batch {@code input}, with
     * inference semantics: what Grad-CAM (the gradient at the last convolution) and projections
     * back from a layer need.
     *
     * <p>Each gradient is the partial derivative with the layer's output as the free variable: the
     * rest of the network runs from it, and values on paths that bypass the layer (a skip connection
     * from before it) stay at their forward values. When one {@code wrt} layer lies downstream of
     * another, the upstream one's gradient counts only the paths that bypass the downstream one.
     * {@code objective} receives the taps (batch first) and returns a single-element array.
     *
     * <p>Memory: the pass runs in a child manager of the input's; the returned activations and
     * gradients are attached to the input's manager (the caller closes them with it), on the
     * engine's device; everything else is closed. The input array is left unchanged.
     *
     * @throws ConvscopeException when a {@code wrt} layer is not one the taps depend on
     */
    public LayerGradients gradients(NDArray input, Collection<String> taps, Collection<String> wrt,
                                    Function<Map<String, NDArray>, NDArray> objective) {
        Set<String> needed = network.ancestors(taps);
        for (String w : wrt) {
            network.node(w);
            if (!needed.contains(w)) {
                throw new ConvscopeException("the objective does not depend on layer '" + w + "': it is not before "
                        + String.join(", ", taps));
            }
        }
        NDManager scope = input.getManager();
        try (NDManager step = scope.newSubManager()) {
            NDArray x = input.duplicate();
            x.attach(step);
            Map<String, NDArray> leaves = new LinkedHashMap<>();
            float value;
            try (GradientCollector gc = ai.djl.engine.Engine.getEngine("PyTorch").newGradientCollector()) {
                Map<String, NDArray> out = forward(Map.of(network.inputs().get(0), x), taps, false, Set.copyOf(wrt), leaves);
                NDArray loss = objective.apply(out);
                if (loss.size() != 1) {
                    throw new IllegalArgumentException("the objective must be a scalar, got shape " + loss.getShape());
                }
                value = loss.toType(DataType.FLOAT32, false).getFloat();
                gc.backward(loss);
            }
            Map<String, NDArray> acts = new LinkedHashMap<>();
            Map<String, NDArray> grads = new LinkedHashMap<>();
            for (String w : wrt) {
                NDArray leaf = leaves.get(w);
                NDArray a = leaf.stopGradient().duplicate();
                a.attach(scope);
                NDArray g = leaf.getGradient().duplicate();
                g.attach(scope);
                acts.put(w, a);
                grads.put(w, g);
            }
            return new LayerGradients(value, acts, grads);
        }
    }

    /**
     * Class probabilities for a batch: the output layer's values, passed through softmax unless
     * the network already ends in one.
     */
    public float[][] predict(NDArray input) {
        String out = network.outputs().get(0);
        try (NDManager step = input.getManager().newSubManager()) {
            NDArray x = input.duplicate();
            x.attach(step);
            return probabilities(forward(x, List.of(out)).get(out));
        }
    }

    /**
     * Class probabilities from the output layer's values {@code y} for a batch (as {@link #forward}
     * gives them): passed through softmax unless the network already ends in one.
     */
    public float[][] probabilities(NDArray y) {
        try (NDManager step = y.getManager().newSubManager()) {
            if (!endsInSoftmax()) {
                y = y.softmax(1);
                y.attach(step);
            }
            long n = y.getShape().get(0);
            float[] flat = y.toType(DataType.FLOAT32, false).toFloatArray();
            int k = (int) (flat.length / n);
            float[][] probs = new float[(int) n][k];
            for (int i = 0; i < n; i++) {
                System.arraycopy(flat, i * k, probs[i], 0, k);
            }
            return probs;
        }
    }

    /** The indices of the {@code k} largest of {@code p}, largest first (ties: the lower index first). */
    public static int[] topK(float[] p, int k) {
        Integer[] idx = new Integer[p.length];
        for (int i = 0; i < p.length; i++) {
            idx[i] = i;
        }
        java.util.Arrays.sort(idx, java.util.Comparator.comparingDouble((Integer i) -> -p[i]).thenComparingInt(i -> i));
        int n = Math.min(k, p.length);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = idx[i];
        }
        return out;
    }

    /** True when the output layer already applies softmax ({@link Layer#endsInSoftmax}). */
    public boolean endsInSoftmax() {
        return network.node(network.outputs().get(0)).layer().endsInSoftmax();
    }

    @Override
    public void close() {
        synchronized (channelsLastKernels) {
            kernelsMayChange = true;
            channelsLastKernels.values().forEach(NDArray::close);
            channelsLastKernels.clear();
        }
        manager.close();
    }

    // ---- layers ----------------------------------------------------------------------------------

    private static void checkGiven(Node n, NDArray x) {
        TensorShape s = n.outputShape();
        Shape got = x.getShape();
        boolean fits = got.dimension() == s.rank() + 1;
        for (int i = 0; fits && i < s.rank(); i++) {
            fits = s.dim(i) < 0 || s.dim(i) == got.get(i + 1);
        }
        if (!fits) {
            throw new ConvscopeException("the value given for layer '" + n.name() + "' has shape " + got + " but the layer's output is "
                    + s + " per sample");
        }
    }

    /** Whether 4-d inputs on the CPU go through the network channels-last; {@code CONVSCOPE_CHANNELS_LAST=0} turns it off. */
    static final boolean CHANNELS_LAST = !"0".equals(System.getenv("CONVSCOPE_CHANNELS_LAST"));

    /**
     * The same values, laid out channels-last in memory (N, C, H, W with C varying fastest), for a
     * batch of two or more, and for a batch of one when {@code atOne}. oneDNN then runs convolutions on
     * this layout without reordering their inputs and outputs, and the layout carries through
     * convolutions, activations, pooling and concatenation; PyTorch's max pooling is vectorised over
     * channels in it. SqueezeNet 1.1 at 224 px through the engine ({@code NetworkPassBenchmark}, two
     * cores): batch 16 forward 236 → 124 ms, forward + backward 364 → 272 ms. Values are the same up to
     * float rounding; anything that reads the data out (DJL's copies to the host) gets it in the usual
     * order. Not on a GPU, not for single-channel inputs (nothing to gain).
     */
    static NDArray channelsLast(NDArray x, boolean atOne) {
        Shape s = x.getShape();
        if (!CHANNELS_LAST || s.dimension() != 4 || s.get(0) < (atOne ? 1 : 2) || s.get(1) == 1
                || !x.getDevice().getDeviceType().equals(Device.Type.CPU)) {
            return x;
        }
        return toChannelsLast(x);
    }

    /**
     * Whether a batch of one should run channels-last through {@code network}: when it max-pools with
     * overlapping windows (kernel larger than stride, as SqueezeNet, AlexNet, GoogLeNet and ResNet's
     * stem do). PyTorch's plain-layout max pooling runs one window at a time (2.8 ms for SqueezeNet's
     * 3×3/2 pool over 64×111×111 at two threads); channels-last it is vectorised over channels
     * (0.3 ms). The convolutions are at par in either layout once their k×k kernels are laid out
     * channels-last once ({@link #channelsLastKernel}); without such pools (VGG's 2×2/2, MobileNet)
     * there is nothing to gain, and the activations read out stay one copy cheaper.
     */
    static boolean channelsLastAtOne(Network network) {
        for (Node n : network.nodes()) {
            if (n.layer() instanceof Layer.Pool2D p && p.max() && (p.kh() > p.sh() || p.kw() > p.sw())) {
                return true;
            }
        }
        return false;
    }

    /** {@link #channelsLast}'s copy, whatever the batch and device (for tests). */
    static NDArray toChannelsLast(NDArray x) {
        Shape s = x.getShape();
        long n = s.get(0);
        long c = s.get(1);
        long h = s.get(2);
        long w = s.get(3);
        // a copy in N, H, W, C order, seen again as N, C, H, W. The permuted view flattened to one axis
        // must copy (its C stride does not follow on from W's); (n·h·w, c) would not for n = 1: H and W
        // merge into one view axis, and the result keeps the plain layout's strides
        try (NDArray nhwc = x.transpose(0, 2, 3, 1); NDArray flat = nhwc.reshape(n * h * w * c); NDArray back = flat.reshape(n, h, w, c)) {
            return back.transpose(0, 3, 1, 2);
        }
    }

    private void checkInput(Node n, NDArray x) {
        TensorShape s = n.outputShape();
        Shape got = x.getShape();
        if (got.dimension() != s.rank() + 1) {
            throw new ConvscopeException("input '" + n.name() + "' needs " + (s.rank() + 1) + "-d batches, got " + got);
        }
        for (int i = 0; i < s.rank(); i++) {
            if (s.dim(i) >= 0 && s.dim(i) != got.get(i + 1)) {
                throw new ConvscopeException("input '" + n.name() + "' expects " + s.toKerasString() + " but got a batch of "
                        + got + " (N, C, H, W); resize the image or pass " + Setting.SIZE);
            }
        }
    }

    private NDArray apply(Node n, List<NDArray> in, boolean training, boolean channelsLast) {
        return n.layer().accept(new Apply(in, params.get(n.name()), training, channelsLast));
    }

    /**
     * One layer's computation on its inputs: the engine's case for every layer record, checked by the
     * compiler ({@link Layer.Visitor}). Element-wise and ONNX-shaped operations are in {@link OnnxOps}.
     */
    private final class Apply implements Layer.Visitor<NDArray> {
        private final List<NDArray> in;
        private final NDArray x;
        private final Map<String, NDArray> p;
        private final boolean training;
        /** Whether the pass runs channels-last (its input was laid out so). */
        private final boolean channelsLast;

        Apply(List<NDArray> in, Map<String, NDArray> p, boolean training, boolean channelsLast) {
            this.in = in;
            this.x = in.get(0);
            this.p = p;
            this.training = training;
            this.channelsLast = channelsLast;
        }

        /** The layer's kernel as the convolution should get it: channels-last in a channels-last pass, unless 1×1. */
        private NDArray kernel(String name, int kh, int kw) {
            NDArray w = p.get(name);
            return channelsLast && kh * kw > 1 ? channelsLastKernel(w) : w;
        }

        public NDArray visit(Layer.Input l) {
            throw new IllegalStateException("an input is not computed");
        }

        public NDArray visit(Layer.Conv2D c) {
            NDArray y = conv(x, c.groups() == 1 ? kernel("kernel", c.kh(), c.kw()) : p.get("kernel"), p.get("bias"), c.kh(), c.kw(),
                    c.sh(), c.sw(), c.dh(), c.dw(), c.padding(), c.groups());
            return activate(y, c.activation());
        }

        public NDArray visit(Layer.DepthwiseConv2D c) {
            NDArray y = conv(x, p.get("depthwise_kernel"), p.get("bias"), c.kh(), c.kw(), c.sh(), c.sw(), c.dh(), c.dw(),
                    c.padding(), (int) x.getShape().get(1));
            return activate(y, c.activation());
        }

        public NDArray visit(Layer.SeparableConv2D c) {
            NDArray d = conv(x, p.get("depthwise_kernel"), null, c.kh(), c.kw(), c.sh(), c.sw(), c.dh(), c.dw(),
                    c.padding(), (int) x.getShape().get(1));
            NDArray y = Convolution.conv2d(d, p.get("pointwise_kernel"), p.get("bias"), new Shape(1, 1), new Shape(0, 0),
                    new Shape(1, 1), 1);
            d.close();
            return activate(y, c.activation());
        }

        public NDArray visit(Layer.Pool2D pl) {
            return pool(x, pl);
        }

        public NDArray visit(Layer.GlobalPool g) {
            // DJL's PyTorch mean/max reduce one axis at a time: pool over the flattened map
            Shape s = x.getShape();
            NDArray flat = x.reshape(s.get(0), s.get(1), -1);
            NDArray y = g.max() ? flat.max(new int[] {2}) : flat.mean(new int[] {2});
            return g.keepDims() ? y.reshape(s.get(0), s.get(1), 1, 1) : y;
        }

        public NDArray visit(Layer.BatchNorm b) {
            long c = x.getShape().get(1);
            NDArray gamma = p.containsKey("gamma") ? p.get("gamma") : constant("ones", c, 1f);
            NDArray beta = p.containsKey("beta") ? p.get("beta") : constant("zeros", c, 0f);
            return BatchNorm.batchNorm(x, p.get("moving_mean"), p.get("moving_variance"), gamma, beta, 1, 0.99f,
                    b.epsilon(), false).singletonOrThrow();
        }

        public NDArray visit(Layer.Identity id) {
            float rate = id.dropoutRate();
            if (training && rate > 0f) {
                NDArray keep = x.getManager().randomUniform(0f, 1f, x.getShape(), DataType.FLOAT32, x.getDevice())
                        .gte(rate).toType(DataType.FLOAT32, false);
                return x.mul(keep).div(Tensors.scalar(x, 1f - rate));
            }
            return same(x);
        }

        public NDArray visit(Layer.Flatten f) {
            NDArray src = f.channelsLast() && x.getShape().dimension() == 4 ? x.transpose(0, 2, 3, 1) : x;
            return src.reshape(x.getShape().get(0), -1);
        }

        public NDArray visit(Layer.Dense d) {
            NDArray y;
            if (x.getShape().dimension() == 4) {
                NDArray t = x.transpose(0, 2, 3, 1);
                NDArray l = Linear.linear(t, p.get("kernel"), p.get("bias")).singletonOrThrow();
                y = l.transpose(0, 3, 1, 2);
            } else {
                y = Linear.linear(x, p.get("kernel"), p.get("bias")).singletonOrThrow();
            }
            return activate(y, d.activation());
        }

        public NDArray visit(Layer.Act a) {
            return a.isPassThrough() ? same(x) : activate(x, a.activation());
        }

        public NDArray visit(Layer.ReLU r) {
            NDArray y = x.gte(r.threshold()).toType(DataType.FLOAT32, false);
            NDArray pos = x.mul(y);
            NDArray out = pos;
            if (r.negativeSlope() != 0f) {
                out = pos.add(x.sub(r.threshold()).mul(Tensors.scalar(x, r.negativeSlope())).mul(y.neg().add(1f)));
            }
            if (Float.isFinite(r.maxValue())) {
                out = out.minimum(Tensors.scalar(x, r.maxValue()));
            }
            return out;
        }

        public NDArray visit(Layer.LeakyReLU lr) {
            return ai.djl.nn.Activation.leakyRelu(x, lr.alpha());
        }

        public NDArray visit(Layer.Merge m) {
            NDArray acc = in.get(0);
            for (int i = 1; i < in.size(); i++) {
                NDArray b = in.get(i);
                acc = switch (m.op()) {
                    case ADD, AVERAGE -> acc.add(b);
                    case SUBTRACT -> acc.sub(b);
                    case MULTIPLY -> acc.mul(b);
                    case MAXIMUM -> acc.maximum(b);
                    case MINIMUM -> acc.minimum(b);
                };
            }
            return m.op() == Layer.Merge.Op.AVERAGE ? acc.div(Tensors.scalar(acc, in.size())) : acc;
        }

        public NDArray visit(Layer.Concatenate c) {
            return NDArrays.concat(new NDList(in), c.axis() + 1);
        }

        public NDArray visit(Layer.ZeroPadding2D z) {
            return x.pad(new Shape(z.left(), z.right(), z.top(), z.bottom()), 0);
        }

        public NDArray visit(Layer.Cropping2D cr) {
            long h = x.getShape().get(2);
            long w = x.getShape().get(3);
            return Tensors.window(x, cr.top(), h - cr.bottom(), cr.left(), w - cr.right());
        }

        public NDArray visit(Layer.UpSampling2D u) {
            if (!u.bilinear()) {
                return x.repeat(2, u.sh()).repeat(3, u.sw());
            }
            long h = x.getShape().get(2);
            long w = x.getShape().get(3);
            NDArray ah = x.getManager().create(Resample.bilinearMatrix((int) h, (int) (h * u.sh())), new Shape(h * u.sh(), h))
                    .toDevice(x.getDevice(), false);
            NDArray aw = x.getManager().create(Resample.bilinearMatrix((int) w, (int) (w * u.sw())), new Shape(w * u.sw(), w))
                    .toDevice(x.getDevice(), false);
            return ah.matMul(x).matMul(aw.transpose());
        }

        public NDArray visit(Layer.Rescaling r) {
            return x.mul(Tensors.scalar(x, r.scale())).add(r.offset());
        }

        public NDArray visit(Layer.Reshape r) {
            long batch = x.getShape().get(0);
            NDArray src = x.getShape().dimension() == 4 ? x.transpose(0, 2, 3, 1) : x;
            long[] target = new long[r.target().length + 1];
            target[0] = batch;
            for (int i = 0; i < r.target().length; i++) {
                target[i + 1] = r.target()[i];
            }
            NDArray y = src.reshape(target);
            return target.length == 4 ? y.transpose(0, 3, 1, 2) : y;
        }

        public NDArray visit(Layer.ConvTranspose2D t) {
            return OnnxOps.convTranspose(x, t, p.get("kernel"), p.get("bias"));
        }

        public NDArray visit(Layer.InstanceNorm n) {
            return OnnxOps.instanceNorm(x, n, p.get("gamma"), p.get("beta"));
        }

        public NDArray visit(Layer.LRN l) {
            return OnnxOps.lrn(x, l);
        }

        public NDArray visit(Layer.PRelu l) {
            return OnnxOps.prelu(x, p.get("slope"));
        }

        public NDArray visit(Layer.Unary u) {
            return OnnxOps.unary(x, u);
        }

        public NDArray visit(Layer.Arith a) {
            return OnnxOps.arith(a, in, p.get("b"));
        }

        public NDArray visit(Layer.MatMul m) {
            return x.matMul(m.constShape().length > 0 ? p.get("b") : in.get(1));
        }

        public NDArray visit(Layer.Permute pm) {
            return OnnxOps.permute(x, pm);
        }

        public NDArray visit(Layer.View v) {
            return OnnxOps.view(x, v);
        }

        public NDArray visit(Layer.Slice sl) {
            return OnnxOps.slice(x, sl);
        }

        public NDArray visit(Layer.Gather g) {
            return OnnxOps.gather(x, g);
        }

        public NDArray visit(Layer.Pad pd) {
            return OnnxOps.pad(x, pd);
        }

        public NDArray visit(Layer.Resize r) {
            return OnnxOps.resize(x, r);
        }

        public NDArray visit(Layer.Reduce r) {
            return OnnxOps.reduce(x, r);
        }

        public NDArray visit(Layer.Softmax sm) {
            return OnnxOps.softmax(x, sm);
        }
    }

    private final Map<String, NDArray> constants = new HashMap<>();

    private NDArray constant(String kind, long size, float value) {
        return constants.computeIfAbsent(kind + size, k -> manager.full(new Shape(size), value));
    }

    private static NDArray conv(NDArray x, NDArray w, NDArray b, int kh, int kw, int sh, int sw, int dh, int dw,
                                io.convscope.network.Padding padding, int groups) {
        int[] p = padding.resolve((int) x.getShape().get(2), (int) x.getShape().get(3), kh, kw, sh, sw, dh, dw);
        NDArray src = x;
        Shape pad;
        if (p[0] == p[1] && p[2] == p[3]) {
            pad = new Shape(p[0], p[2]);
        } else {
            src = x.pad(new Shape(p[2], p[3], p[0], p[1]), 0);
            pad = new Shape(0, 0);
        }
        NDArray y = Convolution.conv2d(src, w, b, new Shape(sh, sw), pad, new Shape(dh, dw), groups);
        if (src != x) {
            src.close();
        }
        return y;
    }

    private static NDArray pool(NDArray x, Layer.Pool2D pl) {
        int[] p = pl.padding().resolve((int) x.getShape().get(2), (int) x.getShape().get(3), pl.kh(), pl.kw(), pl.sh(), pl.sw(), 1, 1);
        Shape kernel = new Shape(pl.kh(), pl.kw());
        Shape stride = new Shape(pl.sh(), pl.sw());
        boolean symmetric = p[0] == p[1] && p[2] == p[3] && p[0] <= pl.kh() / 2 && p[2] <= pl.kw() / 2
                // DJL's avgPool2d counts padded cells whatever countIncludePad says: count them here instead
                && (pl.max() || pl.countIncludePad() || (p[0] == 0 && p[2] == 0));
        if (pl.max()) {
            if (symmetric) {
                return Pool.maxPool2d(x, kernel, stride, new Shape(p[0], p[2]), pl.ceilMode());
            }
            NDArray padded = x.pad(new Shape(p[2], p[3], p[0], p[1]), Float.NEGATIVE_INFINITY);
            NDArray y = Pool.maxPool2d(padded, kernel, stride, new Shape(0, 0), pl.ceilMode());
            padded.close();
            return y;
        }
        if (symmetric) {
            return Pool.avgPool2d(x, kernel, stride, new Shape(p[0], p[2]), pl.ceilMode(), pl.countIncludePad());
        }
        // asymmetric padding: sum over the window / number of cells counted
        NDArray padded = x.pad(new Shape(p[2], p[3], p[0], p[1]), 0);
        NDArray sum = Pool.avgPool2d(padded, kernel, stride, new Shape(0, 0), pl.ceilMode(), true).mul(Tensors.scalar(x, pl.kh() * pl.kw()));
        padded.close();
        if (pl.countIncludePad()) {
            return sum.div(Tensors.scalar(x, pl.kh() * pl.kw()));
        }
        try (NDManager tmp = x.getManager().newSubManager()) {
            NDArray ones = tmp.ones(new Shape(1, 1, x.getShape().get(2), x.getShape().get(3)), DataType.FLOAT32, x.getDevice());
            NDArray count = Pool.avgPool2d(ones.pad(new Shape(p[2], p[3], p[0], p[1]), 0), kernel, stride, new Shape(0, 0),
                    pl.ceilMode(), true).mul(Tensors.scalar(ones, pl.kh() * pl.kw()));
            NDArray y = sum.div(count);
            y.attach(x.getManager());
            sum.close();
            return y;
        }
    }

    /**
     * A new array with the values of {@code x} that gradients flow through: a layer that changes
     * nothing (Dropout at inference, a linear activation) must still return an array of its own, or
     * the forward pass would close it with its input; and {@code duplicate()} copies without the
     * autograd history.
     */
    static NDArray same(NDArray x) {
        return x.reshape(x.getShape());
    }

    static NDArray activate(NDArray x, Activation a) {
        if (a == null) {
            return x;
        }
        return switch (a) {
            case LINEAR -> x;
            case RELU -> ai.djl.nn.Activation.relu(x);
            case RELU6 -> x.clip(0f, 6f);
            case SIGMOID -> ai.djl.nn.Activation.sigmoid(x);
            case TANH -> ai.djl.nn.Activation.tanh(x);
            case SOFTMAX -> x.softmax(x.getShape().dimension() == 4 ? 1 : -1);
            case ELU -> ai.djl.nn.Activation.elu(x, 1f);
            case SELU -> ai.djl.nn.Activation.selu(x);
            case SWISH -> x.mul(ai.djl.nn.Activation.sigmoid(x));
            case GELU -> ai.djl.nn.Activation.gelu(x);
            case SOFTPLUS -> ai.djl.nn.Activation.softPlus(x);
            case SOFTSIGN -> ai.djl.nn.Activation.softSign(x);
            case HARD_SIGMOID -> x.add(3f).clip(0f, 6f).div(Tensors.scalar(x, 6f));
            case HARD_SIGMOID_TF2 -> x.mul(Tensors.scalar(x, 0.2f)).add(0.5f).clip(0f, 1f);
            case EXPONENTIAL -> x.exp();
        };
    }

    // ---- helpers ---------------------------------------------------------------------------------

    private static String shapes(List<NDArray> in) {
        StringBuilder sb = new StringBuilder();
        for (NDArray a : in) {
            sb.append(sb.length() == 0 ? "" : ", ").append(a == null ? "null" : a.getShape());
        }
        return sb.toString();
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int i = s.indexOf('\n');
        return i < 0 ? s : s.substring(0, i);
    }

    static long[] toLong(int[] a) {
        long[] r = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = a[i];
        }
        return r;
    }

    static int[] toInt(long[] a) {
        int[] r = new int[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = Math.toIntExact(a[i]);
        }
        return r;
    }

}
