package io.convscope.optimize;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.convscope.ConvscopeException;
import io.convscope.Setting;

import io.convscope.engine.Engine;
import io.convscope.memory.MemoryNeed;
import io.convscope.network.Network;
import io.convscope.util.Names;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The backward-propagation probes of the reference notebooks, each one configuration of
 * {@link Optimization}: an image rebuilt from a layer's feature map, the image a class score
 * likes most, and what each channel of a layer responds to most.
 */
public final class GradientImages {
    private GradientImages() {
    }

    /** What is optimised: a decorrelated spectrum (Lucid's) or the pixels themselves. */
    public enum Param {
        FOURIER, PIXELS;

        /** "fourier", "pixels" (also "pixel"). */
        public static final io.convscope.util.Choices<Param> CHOICES = io.convscope.util.Choices.of(Param.class).alias("pixel", PIXELS);
    }

    /** The knobs every method shares, typed; {@link #classes()}, {@link #channels()} and {@link #reconstruction()} give each method's defaults. */
    public record Settings(int size, int steps, double learningRate, long seed, double tv, double l2, boolean fourier,
                           boolean transforms, int octaves, double octaveScale, Optimizer.Kind optimizer, Device device) {

        /** Class visualization: 224 px, 128 Adam steps at 0.05 on the Fourier image, Lucid's transforms, light TV. */
        public static Settings classes() {
            return new Settings(224, 128, 0.05, 1, 0.05, 0, true, true, 1, 1.25, Optimizer.Kind.ADAM, Device.cpu());
        }

        /** Channel visualization: as for classes, 128 px. */
        public static Settings channels() {
            return new Settings(128, 128, 0.05, 1, 0.05, 0, true, true, 1, 1.25, Optimizer.Kind.ADAM, Device.cpu());
        }

        /** Reconstruction: L-BFGS on pixels from faint noise, 150 steps, a touch of TV, no transforms. */
        public static Settings reconstruction() {
            return new Settings(0, 150, 1, 1, 1e-3, 0, false, false, 1, 1.25, Optimizer.Kind.LBFGS, Device.cpu());
        }

        /**
         * Reconstruction of an {@code h × w} image: as {@link #reconstruction()}, but images of at most
         * {@value #SMALL_IMAGE} pixels a side are optimised in Fourier space. On small images each
         * pixel feeds few units, and through ReLUs and max pools most of them pass no gradient, so
         * pixels stall: on the embedded model (28 px, 150 L-BFGS steps) {@code block1_pool} stayed at
         * error 0.355 (0.36 without TV, 0.38 with Adam; 0.003 only after 600 steps) while Fourier
         * parameters, each of which moves every pixel, reach 0.0001; {@code block2_pool} 0.19 → 0.11.
         * At 224 px pixels converge well and faster (SqueezeNet {@code relu0}: 3e-6, Fourier 1.5e-4).
         */
        public static Settings reconstruction(int h, int w) {
            Settings d = reconstruction(); // the size stays the caller's (0: the model's)
            boolean small = Math.max(h, w) <= SMALL_IMAGE;
            return new Settings(d.size, d.steps, d.learningRate, d.seed, d.tv, d.l2, small, d.transforms, d.octaves,
                    d.octaveScale, d.optimizer, d.device);
        }

        /** The largest side of images that {@link #reconstruction(int, int)} optimises in Fourier space. */
        public static final int SMALL_IMAGE = 64;

        public Settings withSize(int s) {
            return new Settings(s, steps, learningRate, seed, tv, l2, fourier, transforms, octaves, octaveScale, optimizer, device);
        }

        public Settings withSteps(int s) {
            return new Settings(size, s, learningRate, seed, tv, l2, fourier, transforms, octaves, octaveScale, optimizer, device);
        }

        public Settings withSeed(long s) {
            return new Settings(size, steps, learningRate, s, tv, l2, fourier, transforms, octaves, octaveScale, optimizer, device);
        }

        /** These settings with {@code n} octaves enlarged by {@code scale} each. */
        public Settings withOctaves(int n, double scale) {
            return new Settings(size, steps, learningRate, seed, tv, l2, fourier, transforms, n, scale, optimizer, device);
        }

        Optimizer newOptimizer() {
            return optimizer.create(learningRate);
        }

        Objective regularizers() {
            Objective r = null;
            if (tv > 0) {
                r = Objective.tv().times(tv);
            }
            if (l2 > 0) {
                r = r == null ? Objective.l2().times(l2) : r.plus(Objective.l2().times(l2));
            }
            return r;
        }
    }

    /** The side of the last octave's images: {@code size} enlarged by the octave scale {@code octaves − 1} times. */
    public static int lastOctaveSize(int size, int octaves, double octaveScale) {
        int last = size;
        for (int i = 1; i < Math.max(1, octaves); i++) {
            last = (int) Math.round(last * octaveScale);
        }
        return last;
    }

    /** What {@link #classes} needs for {@code classes} classes at {@code size} px (its last octave is the largest), with {@code gifFrames} frames. */
    public static MemoryNeed classesNeed(Network net, int classes, Settings s, int size, int gifFrames) {
        Logits.Scores scores = Logits.of(net);
        int last = lastOctaveSize(size, s.octaves(), s.octaveScale());
        Network sized = scores.network().cut(List.of(scores.layer()), last, last).orNeedsModelSize(last, last);
        return GradientMemory.of(sized, List.of(scores.layer()), net.paramCount(), classes, net.inputShape().channels(), last, last,
                s.optimizer(), gifFrames);
    }

    /** What {@link #channels} needs for {@code channels} channels of {@code layer} at {@code size} px, with {@code gifFrames} frames. */
    public static MemoryNeed channelsNeed(Network net, String layer, int channels, Settings s, int size, int gifFrames) {
        requireLayer(net, layer);
        Network sized = net.cut(List.of(layer), size, size).orNeedsModelSize(size, size);
        return GradientMemory.of(sized, List.of(layer), net.paramCount(), channels, net.inputShape().channels(), size, size,
                s.optimizer(), gifFrames);
    }

    /** What {@link #reconstruct} needs for {@code layer} at {@code height}×{@code width}, with {@code gifFrames} frames. */
    public static MemoryNeed reconstructNeed(Network net, String layer, Settings s, int height, int width, int gifFrames) {
        requireLayer(net, layer);
        Network sized = net.cut(List.of(layer), height, width).orNeedsModelSize(width, height);
        return GradientMemory.of(sized, List.of(layer), net.paramCount(), 1, net.inputShape().channels(), height, width,
                s.optimizer(), gifFrames);
    }

    /** Class indices for names or numbers, matched case-insensitively against the labels (any of a synset line's names). */
    public static int[] classIndices(Network net, List<String> wanted) {
        List<String> labels = net.labels();
        int classes = (int) net.outputShape().size();
        int[] out = new int[wanted.size()];
        for (int i = 0; i < wanted.size(); i++) {
            String w = wanted.get(i).strip();
            int idx = -1;
            if (w.matches("\\d+")) {
                idx = Integer.parseInt(w);
                if (idx >= classes) {
                    throw new ConvscopeException("class " + idx + " is out of range: " + net.name() + " has " + classes + " classes (0–"
                            + (classes - 1) + ")");
                }
            } else {
                for (int k = 0; k < labels.size() && idx < 0; k++) {
                    if (labels.get(k).equalsIgnoreCase(w)) {
                        idx = k;
                    }
                }
                if (idx < 0) {
                    throw new ConvscopeException(labels.isEmpty() ? net.name() + " has no class names; give class numbers or " + Setting.LABELS + " FILE"
                            : "no class named '" + w + "'" + Names.didYouMean(w.toLowerCase(Locale.ROOT), lower(labels)));
                }
            }
            out[i] = idx;
        }
        return out;
    }

    private static List<String> lower(List<String> l) {
        List<String> o = new ArrayList<>();
        for (String s : l) {
            o.add(s.toLowerCase(Locale.ROOT));
        }
        return o;
    }

    /**
     * Images that maximise each class's pre-softmax score, optimised as one batch. With octaves,
     * each octave enlarges the previous image by {@code octaveScale} and goes on on pixels (models
     * that take any size only).
     */
    public static Optimization.Result classes(Network net, int[] classes, Settings s, List<Listener> listeners) {
        Logits.Scores scores = Logits.of(net);
        Network model = scores.network();
        int channels = model.inputShape().channels();
        int size = s.size();
        Optimization.Result r = null;
        for (int octave = 0; octave < Math.max(1, s.octaves()); octave++) {
            Network sized = model.cut(List.of(scores.layer()), size, size).orNeedsModelSize(size, size);
            try (Engine engine = Engine.create(sized, s.device())) {
                Objective obj = Objective.classLogit(scores.layer(), classes);
                if (s.regularizers() != null) {
                    obj = obj.plus(s.regularizers());
                }
                ImageParam param;
                float[] start = null;
                if (r == null) {
                    param = s.fourier() ? new FourierParam(classes.length, channels, size, size, 0.01)
                            : new PixelParam(classes.length, channels, size, size, 0.1);
                } else {
                    PixelParam px = new PixelParam(classes.length, channels, size, size, 0.1);
                    start = px.encode(upscale(r.image(), r.shape(), size));
                    param = px;
                }
                Optimization o = new Optimization(engine, obj, param).optimizer(s.newOptimizer()).steps(s.steps()).seed(s.seed() + octave);
                if (s.transforms()) {
                    o.transforms(Transform.standard(size));
                }
                if (start != null) {
                    o.start(start);
                }
                listeners.forEach(o::listener);
                r = o.run();
            }
            size = (int) Math.round(size * s.octaveScale());
        }
        return r;
    }

    /** For each channel of {@code layer}, the image that maximises its mean activation, optimised as one batch. */
    public static Optimization.Result channels(Network net, String layer, int[] channels, Settings s, List<Listener> listeners) {
        requireLayer(net, layer);
        if (!net.node(layer).outputShape().isSpatial()) {
            throw new ConvscopeException("layer '" + layer + "' has no channels of feature maps (output "
                    + net.node(layer).outputShape().toKerasString() + "); choose a convolution or pooling layer");
        }
        int c = net.node(layer).outputShape().channels();
        for (int ch : channels) {
            if (ch < 0 || ch >= c) {
                throw new ConvscopeException("channel " + ch + " is out of range: " + layer + " has " + c + " channels (0–" + (c - 1) + ")");
            }
        }
        // maximise the channels before their ReLU: after it, a channel that is negative everywhere on
        // the grey start has no gradient and its picture would stay grey
        java.util.Map<String, int[]> targets = new java.util.LinkedHashMap<>();
        java.util.Set<String> linearize = new java.util.HashSet<>();
        for (int i = 0; i < channels.length; i++) {
            Target t = preRelu(net, layer, channels[i], linearize);
            int[] per = targets.computeIfAbsent(t.layer(), k -> filled(channels.length, -1));
            per[i] = t.channel();
        }
        Network sized = linearized(net, linearize).cut(new ArrayList<>(targets.keySet()), s.size(), s.size()).orNeedsModelSize(s.size(), s.size());
        try (Engine engine = Engine.create(sized, s.device())) {
            Objective obj = null;
            for (var e : targets.entrySet()) {
                Objective one = Objective.channel(e.getKey(), e.getValue());
                obj = obj == null ? one : obj.plus(one);
            }
            if (s.regularizers() != null) {
                obj = obj.plus(s.regularizers());
            }
            int ic = net.inputShape().channels();
            ImageParam param = s.fourier() ? new FourierParam(channels.length, ic, s.size(), s.size(), 0.01)
                    : new PixelParam(channels.length, ic, s.size(), s.size(), 0.1);
            Optimization o = new Optimization(engine, obj, param).optimizer(s.newOptimizer()).steps(s.steps()).seed(s.seed());
            if (s.transforms()) {
                o.transforms(Transform.standard(s.size()));
            }
            listeners.forEach(o::listener);
            return o.run();
        }
    }

    /** A channel of a layer. */
    record Target(String layer, int channel) {
    }

    /**
     * The same channel before any ReLU: through a ReLU activation layer to its input, through a
     * channel concatenation to the input that holds the channel, and at a convolution whose ReLU
     * is fused, that convolution made linear ({@code linearize} collects those).
     */
    static Target preRelu(Network net, String layer, int channel, java.util.Set<String> linearize) {
        var node = net.node(layer);
        var l = node.layer();
        if (l instanceof io.convscope.network.Layer.Act a && a.activation() == io.convscope.network.Activation.RELU) {
            return preRelu(net, node.inputs().get(0), channel, linearize);
        }
        if (l instanceof io.convscope.network.Layer.Concatenate c && c.axis() == 0) {
            int offset = 0;
            for (String in : node.inputs()) {
                int k = net.node(in).outputShape().channels();
                if (channel < offset + k) {
                    return preRelu(net, in, channel - offset, linearize);
                }
                offset += k;
            }
        }
        if (l instanceof io.convscope.network.Layer.Conv2D c && c.activation() == io.convscope.network.Activation.RELU) {
            linearize.add(layer);
        }
        return new Target(layer, channel);
    }

    /** A copy in which the named convolutions have no activation. */
    static Network linearized(Network net, java.util.Set<String> convs) {
        java.util.Map<String, io.convscope.network.Layer> linear = new java.util.HashMap<>();
        for (String name : convs) {
            if (net.node(name).layer() instanceof io.convscope.network.Layer.Conv2D c) {
                linear.put(name, c.withActivation(io.convscope.network.Activation.LINEAR));
            }
        }
        return net.withLayers(linear);
    }

    private static int[] filled(int n, int v) {
        int[] a = new int[n];
        java.util.Arrays.fill(a, v);
        return a;
    }

    /** A reconstruction and its normalized error ‖Φ(x) − Φ₀‖² / ‖Φ₀‖² (without the regularizers). */
    public record Reconstruction(String layer, float[] image, int[] shape, double error, double[] losses) {
    }

    /**
     * Rebuilds an image from the feature map of {@code layer} for {@code image01} (C×H×W in [0, 1],
     * RGB or gray as the model takes), from faint noise.
     */
    public static Reconstruction reconstruct(Network net, float[] image01, int h, int w, String layer, Settings s,
                                             List<Listener> listeners) {
        requireLayer(net, layer);
        int c = net.inputShape().channels();
        Network sized = net.cut(List.of(layer), h, w).orNeedsModelSize(w, h);
        try (Engine engine = Engine.create(sized, s.device()); NDManager m = engine.manager().newSubManager()) {
            NDArray x0 = m.create(image01, new Shape(1, c, h, w)).toDevice(engine.device(), false);
            NDArray target = engine.forward(Optimization.toInput(x0, net.preprocessing()), List.of(layer)).get(layer);
            Objective content = Objective.content(layer, target);
            Objective obj = s.regularizers() == null ? content : content.plus(s.regularizers());
            ImageParam param = s.fourier() ? new FourierParam(1, c, h, w, 0.01) : new PixelParam(1, c, h, w, 0.1);
            Optimization o = new Optimization(engine, obj, param).optimizer(s.newOptimizer()).steps(s.steps()).seed(s.seed());
            listeners.forEach(o::listener);
            Optimization.Result r = o.run();
            double error;
            try (NDManager e = m.newSubManager()) {
                NDArray x = e.create(r.image(), new Shape(1, c, h, w)).toDevice(engine.device(), false);
                NDArray phi = engine.forward(Optimization.toInput(x, net.preprocessing()), List.of(layer)).get(layer);
                error = phi.sub(target).square().sum().getFloat() / target.square().sum().getFloat();
            }
            return new Reconstruction(layer, r.image(), r.shape(), error, r.losses());
        }
    }

    /** Refuses a layer name the network does not have, naming the nearest ones. */
    public static void requireLayer(Network net, String layer) {
        if (!net.has(layer)) {
            throw new ConvscopeException("no layer named '" + layer + "'" + Names.didYouMean(layer, names(net)));
        }
    }

    private static List<String> names(Network net) {
        List<String> n = new ArrayList<>();
        net.nodes().forEach(x -> n.add(x.name()));
        return n;
    }

    /** Bilinear enlargement of each image of a batch to size × size, on the host. */
    static float[] upscale(float[] images, int[] shape, int size) {
        int n = shape[0];
        int c = shape[1];
        int h = shape[2];
        int w = shape[3];
        float[] out = new float[n * c * size * size];
        for (int p = 0; p < n * c; p++) {
            for (int i = 0; i < size; i++) {
                double sy = Math.max(0, Math.min(h - 1, (i + 0.5) * h / size - 0.5));
                int y0 = (int) sy;
                int y1 = Math.min(h - 1, y0 + 1);
                double fy = sy - y0;
                for (int j = 0; j < size; j++) {
                    double sx = Math.max(0, Math.min(w - 1, (j + 0.5) * w / size - 0.5));
                    int x0 = (int) sx;
                    int x1 = Math.min(w - 1, x0 + 1);
                    double fx = sx - x0;
                    int b = p * h * w;
                    double v = (1 - fy) * ((1 - fx) * images[b + y0 * w + x0] + fx * images[b + y0 * w + x1])
                            + fy * ((1 - fx) * images[b + y1 * w + x0] + fx * images[b + y1 * w + x1]);
                    out[p * size * size + i * size + j] = (float) v;
                }
            }
        }
        return out;
    }
}
