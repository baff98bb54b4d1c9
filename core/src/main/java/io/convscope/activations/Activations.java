package io.convscope.activations;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.convscope.ConvscopeException;
import io.convscope.engine.Engine;
import io.convscope.image.ImageTensor;
import io.convscope.network.Network;
import io.convscope.network.Node;
import io.convscope.network.TensorShape;
import io.convscope.util.Progress;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The feature maps of chosen layers for a batch of images: convscope's forward probe.
 *
 * <pre>
 * Network net = ModelLoader.load(ModelLoader.Request.of(null), Progress.NONE);
 * List&lt;String&gt; layers = LayerSelection.defaults().resolve(net);
 * ImageTensor x = ImageTensor.load(paths, net.inputShape(), net.preprocessing(), Resize.CROP);
 * Activations acts = Activations.compute(net, x, layers);
 * ActivationViews.render(acts, ActivationViews.Options.defaults(), Path.of("out"));
 * </pre>
 *
 * <p>Images are run one at a time; after each forward pass every tapped tensor is copied to the host
 * and closed, so native memory holds one image's activations at most. Host memory holds them all
 * ({@link MemoryEstimate} says how much before anything is computed).
 */
public final class Activations {
    private final String network;
    private final ImageTensor input;
    private final List<BufferedImage> inputImages;
    private final List<LayerActivations> layers;
    private final int layerCount;
    private final Map<String, List<String>> channelNames;
    private final List<float[]> probabilities;
    private final List<String> labels;

    private Activations(String network, ImageTensor input, List<BufferedImage> inputImages, List<LayerActivations> layers,
                        int layerCount, Map<String, List<String>> channelNames, List<float[]> probabilities, List<String> labels) {
        this.network = network;
        this.input = input;
        this.inputImages = List.copyOf(inputImages);
        this.layers = List.copyOf(layers);
        this.layerCount = layerCount;
        this.channelNames = Map.copyOf(channelNames);
        this.probabilities = List.copyOf(probabilities);
        this.labels = List.copyOf(labels);
    }

    /** One of the classes the model gives an image: its index, its label and its probability. */
    public record Guess(int index, String label, float probability) {
    }

    /**
     * A result made from known arrays (for callers with activations of their own, and tests); the
     * largest of the layers' positions sets the digits of the file numbers.
     */
    public static Activations of(String network, ImageTensor input, List<BufferedImage> inputImages,
                                 List<LayerActivations> layers) {
        if (inputImages.size() != input.n()) {
            throw new IllegalArgumentException(inputImages.size() + " pictures for " + input.n() + " images");
        }
        int count = 1;
        for (LayerActivations l : layers) {
            count = Math.max(count, l.position());
        }
        return new Activations(network, input, inputImages, layers, count, Map.of(), List.of(), List.of());
    }

    /**
     * This result with the class probabilities of each image ({@code probabilities.get(i)}: one per
     * class, as the model's classifier gives them) and the classes' names.
     */
    public Activations withPredictions(List<float[]> probabilities, List<String> labels) {
        if (probabilities.size() != imageCount()) {
            throw new IllegalArgumentException(probabilities.size() + " predictions for " + imageCount() + " images");
        }
        return new Activations(network, input, inputImages, layers, layerCount, channelNames, probabilities, labels);
    }

    /** Whether the model's classes were computed with the maps (a model with a classifier and labels). */
    public boolean hasPredictions() {
        return !probabilities.isEmpty();
    }

    /** The {@code k} most probable classes of image {@code image}, most probable first (none without predictions). */
    public List<Guess> top(int image, int k) {
        if (probabilities.isEmpty()) {
            return List.of();
        }
        float[] p = probabilities.get(image);
        List<Guess> out = new ArrayList<>();
        for (int c : Engine.topK(p, k)) {
            out.add(new Guess(c, c < labels.size() ? labels.get(c) : "class " + c, p[c]));
        }
        return out;
    }

    /**
     * A copy in which the channels of some layers have names (layer → one name per channel): the
     * classes of a class map ({@link LayerSelection#classMaps}), shown instead of bare channel numbers.
     */
    public Activations withChannelNames(Map<String, List<String>> names) {
        return new Activations(network, input, inputImages, layers, layerCount, names, probabilities, labels);
    }

    /** The name of channel {@code c} of layer {@code l} (a class), or null when its channels have none. */
    public String channelName(LayerActivations l, int c) {
        List<String> n = channelNames.get(l.name());
        return n == null || c >= n.size() ? null : n.get(c);
    }

    /** The network's count of layers ({@link FilePlan.Numbering#count}), which sets the digits of the file numbers. */
    public int layerCount() {
        return layerCount;
    }

    /** The network's name. */
    public String network() {
        return network;
    }

    /** The images' names (their paths as given). */
    public List<String> imageNames() {
        return input.names();
    }

    /** How many images. */
    public int imageCount() {
        return input.n();
    }

    /** Each image as the network saw it (resized, preprocessing undone). */
    public List<BufferedImage> inputImages() {
        return inputImages;
    }

    /** The layers, in network order. */
    public List<LayerActivations> layers() {
        return layers;
    }

    /** The layer of that name. */
    public LayerActivations layer(String name) {
        for (LayerActivations l : layers) {
            if (l.name().equals(name)) {
                return l;
            }
        }
        throw new ConvscopeException("layer '" + name + "' was not computed" + io.convscope.util.Names.didYouMean(name,
                layers.stream().map(LayerActivations::name).toList()));
    }

    /** The float tensor {@code a} of one image ({@code size} values), read straight from its memory on the CPU (no intermediate buffer). */
    static float[] hostCopy(NDArray a, int size) {
        NDArray f = a.getDataType() == DataType.FLOAT32 ? a : a.toType(DataType.FLOAT32, false);
        java.nio.FloatBuffer buf = (f.getDevice().getDeviceType().equals(ai.djl.Device.Type.CPU) ? f.toByteBuffer(true)
                : f.toByteBuffer()).asFloatBuffer();
        float[] out = new float[size];
        buf.get(out);
        if (f != a) {
            f.close();
        }
        return out;
    }

    /** {@link #compute(Engine, ImageTensor, List, Progress)} on a CPU engine made for the call, without progress. */
    public static Activations compute(Network net, ImageTensor images, List<String> layers) {
        return compute(net, images, layers, Progress.NONE);
    }

    /** {@link #compute(Engine, ImageTensor, List, Progress)} on a CPU engine made for the call. */
    public static Activations compute(Network net, ImageTensor images, List<String> layers, Progress progress) {
        try (Engine engine = Engine.create(net)) {
            return compute(engine, images, layers, progress);
        }
    }

    /** {@link #compute(Engine, ImageTensor, List, FilePlan.Numbering, Progress)} numbered by the engine's network. */
    public static Activations compute(Engine engine, ImageTensor images, List<String> layers, Progress progress) {
        return compute(engine, images, layers, FilePlan.Numbering.of(engine.network()), progress);
    }

    /**
     * Runs each image through the engine's network and keeps the named layers' outputs, with their
     * statistics. {@code images} must fit the network's input (see {@link Network#cut(Collection, int, int)}); every layer must
     * have a (C, H, W) output. The layers are numbered by {@code numbering} (the whole model's, when
     * the engine runs a part of it). Progress counts images.
     */
    public static Activations compute(Engine engine, ImageTensor images, List<String> layers, FilePlan.Numbering numbering,
                                      Progress progress) {
        return compute(engine, images, layers, numbering, false, progress);
    }

    /**
     * {@link #compute(Engine, ImageTensor, List, FilePlan.Numbering, Progress)}, and with {@code predict}
     * the class probabilities of each image from the same forward pass (the engine's network must then
     * end in its classifier; its labels name the classes).
     */
    public static Activations compute(Engine engine, ImageTensor images, List<String> layers, FilePlan.Numbering numbering,
                                      boolean predict, Progress progress) {
        Network net = engine.network();
        if (layers.isEmpty()) {
            throw new ConvscopeException("no layers chosen");
        }
        List<Node> nodes = new ArrayList<>();
        for (String l : layers) {
            Node n = net.node(l);
            if (!LayerSelection.drawable(net, n)) {
                throw new ConvscopeException("layer '" + l + "' (" + n.layer().type() + ") has output "
                        + n.outputShape().toKerasString() + ", not feature maps");
            }
            nodes.add(n);
        }
        int count = images.n();
        List<List<float[]>> values = new ArrayList<>();
        List<List<LayerStats>> stats = new ArrayList<>();
        List<TensorShape> shapes = new ArrayList<>();
        for (int k = 0; k < nodes.size(); k++) {
            values.add(new ArrayList<>());
            stats.add(new ArrayList<>());
            shapes.add(null);
        }
        List<BufferedImage> pictures = new ArrayList<>();
        List<float[]> probabilities = new ArrayList<>();
        String output = net.outputs().get(0);
        List<String> taps = new ArrayList<>(layers);
        if (predict && !taps.contains(output)) {
            taps.add(output);
        }
        Progress p = Progress.orNone(progress);
        p.start("computing activations", count, Progress.Unit.STEPS);
        // one image per forward pass: a batch costs as much CPU per image here (oneDNN, VGG16) and would
        // change the last bits of some maps (other kernels' summation order), so every output stays as it was
        try {
            for (int i = 0; i < count; i++) {
                try (NDManager scope = engine.manager().newSubManager()) {
                    NDArray x = engine.input(scope, images.sample(i), 1, images.c(), images.h(), images.w());
                    Map<String, NDArray> out = engine.forward(x, taps);
                    if (predict) {
                        probabilities.add(engine.probabilities(out.get(output))[0]);
                    }
                    // each tapped tensor to the host; the statistics of the layers are independent, so the cores share them
                    List<Runnable> statistics = new ArrayList<>();
                    for (int k = 0; k < nodes.size(); k++) {
                        NDArray a = out.get(nodes.get(k).name());
                        long[] s = a.getShape().getShape();
                        TensorShape shape = TensorShape.chw((int) s[1], (int) s[2], (int) s[3]);
                        if (shapes.get(k) == null) {
                            shapes.set(k, shape);
                        } else if (!shapes.get(k).equals(shape)) {
                            throw new ConvscopeException("layer '" + nodes.get(k).name() + "' has shape " + shape.toHwcString()
                                    + " for " + images.names().get(i) + " but " + shapes.get(k).toHwcString() + " for the first image");
                        }
                        float[] host = hostCopy(a, (int) shape.size());
                        a.close();
                        values.get(k).add(host);
                        List<LayerStats> layerStats = stats.get(k);
                        int at = layerStats.size();
                        layerStats.add(null);
                        statistics.add(() -> layerStats.set(at, LayerStats.of(host, 0, shape.channels(), shape.height() * shape.width())));
                    }
                    statistics.parallelStream().forEach(Runnable::run);
                }
                pictures.add(images.toImage(i, net.preprocessing()));
                p.advance(i + 1);
            }
        } finally {
            p.finish();
        }
        List<LayerActivations> result = new ArrayList<>();
        for (int k = 0; k < nodes.size(); k++) {
            Node n = nodes.get(k);
            result.add(new LayerActivations(numbering.place(n.name()), n.name(), n.layer().type(), shapes.get(k), values.get(k),
                    stats.get(k)));
        }
        return new Activations(net.name(), images, pictures, result, numbering.count(), Map.of(), probabilities,
                predict ? net.labels() : List.of());
    }
}
