package io.convscope.serve;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.convscope.ConvscopeException;
import io.convscope.activations.ActivationViews;
import io.convscope.activations.Activations;
import io.convscope.activations.ChannelStats;
import io.convscope.activations.LayerActivations;
import io.convscope.activations.LayerSelection;
import io.convscope.activations.LayerStats;
import io.convscope.atlas.Projections;
import io.convscope.engine.Engine;
import io.convscope.explain.Backprop;
import io.convscope.explain.ExplainContext;
import io.convscope.explain.ExplainPictures;
import io.convscope.explain.Maps;
import io.convscope.explain.Methods;
import io.convscope.explain.Score;
import io.convscope.probe.ExplainRequest;
import io.convscope.image.ImageLoader;
import io.convscope.image.ImageTensor;
import io.convscope.image.Resize;
import io.convscope.memory.MemoryLimits;
import io.convscope.network.Network;
import io.convscope.network.Node;
import io.convscope.network.TensorShape;
import io.convscope.optimize.GradientImages;
import io.convscope.probe.FiltersPlan;
import io.convscope.probe.FiltersRequest;
import io.convscope.probe.PredictRequest;
import io.convscope.render.Colormap;
import io.convscope.render.Grid;
import io.convscope.render.GridLayout;
import io.convscope.render.Heatmap;
import io.convscope.render.Images;
import io.convscope.render.Normalization;
import io.convscope.render.Png;
import io.convscope.util.Futures;
import io.convscope.util.Progress;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * What the explorer shows, computed over the core API: one model, the images it can show (a folder,
 * the samples, uploads), and per image one forward pass whose activations of every layer with feature
 * maps and whose predictions are cached (a few images, least recently used out), so that switching
 * layers costs only drawing. The HTTP side is {@link ExplorerServer}.
 */
public final class Explorer implements AutoCloseable {
    /** Uploads larger than this many bytes are refused before they are read to the end. */
    public static final long MAX_UPLOAD_BYTES = 20L << 20;
    /** Uploads with more pixels than this (read from the header) are refused before decoding. */
    public static final long MAX_UPLOAD_PIXELS = 40_000_000L;
    /** Images whose forward passes are kept. */
    static final int CACHED_IMAGES = 3;
    /** Rendered pictures kept (grids, overlays). */
    static final int CACHED_PICTURES = 64;
    /** Attribution methods quick enough to answer a request directly; the others run as jobs. */
    static final List<String> QUICK_METHODS = List.of("gradcam", "gradcam++", "layercam", "saliency", "gradient-x-input",
            "guided-backprop", "deconvnet", "guided-gradcam");

    private final Network net;
    private final Device device;
    private final Path images;
    private final Path samples;
    private final Path uploads;
    private final Path work;
    private final Path atlas;
    private final TensorShape input;
    private final List<String> drawable;
    private final Engine engine;
    /** The model at the size the explorer runs it (the model itself when its input size is fixed). */
    private final Network sized;
    private ExplainContext explain;
    /** The deconvnet walk of the unit view's projections (created on first use; shares the engine's weights). */
    private Backprop walk;
    private final Object engineLock = new Object();
    private final AtomicInteger uploadCount = new AtomicInteger();
    private final Map<String, CompletableFuture<Forward>> forwards = lru(CACHED_IMAGES);
    private final Map<String, byte[]> pictures = lru(CACHED_PICTURES);
    private final Map<String, byte[]> featureVis = lru(CACHED_PICTURES);

    /** One image's forward pass: the picture at the model's size, the tensor, the activations, the top-5. */
    record Forward(BufferedImage picture, ImageTensor tensor, Activations activations, List<PredictRequest.Scored> top) { }

    /**
     * @param net     the model
     * @param device  where to compute
     * @param images  a folder of images to offer, or null
     * @param samples the samples folder, or null
     * @param work    a private folder for uploads and job files (deleted by {@link #close})
     * @param atlas   a folder written by {@code convscope atlas} for this model, or null
     */
    public Explorer(Network net, Device device, Path images, Path samples, Path work, Path atlas) throws IOException {
        this.atlas = atlas == null ? null : atlas.toRealPath();
        this.net = net;
        this.device = device;
        this.images = images == null ? null : images.toRealPath();
        this.samples = samples == null || !Files.isDirectory(samples) ? null : samples.toRealPath();
        this.work = work;
        this.uploads = Files.createDirectories(work.resolve("uploads")).toRealPath();
        TensorShape in = net.inputShape();
        this.input = in.height() > 0 && in.width() > 0 ? in : ImageTensor.withSize(in, 224, 224);
        this.drawable = net.nodes().stream().filter(n -> LayerSelection.drawable(net, n)).map(Node::name).toList();
        this.sized = in.height() > 0 && in.width() > 0 ? net : net.fittingPrefix(input.height(), input.width());
        this.engine = Engine.create(net, device);
    }

    private static <V> Map<String, V> lru(int max) {
        return java.util.Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> e) {
                return size() > max;
            }
        });
    }

    public Network network() {
        return net;
    }

    /** The model's name as the URLs spell it. */
    public String modelName() {
        return net.name();
    }

    /** The layers with feature maps, in network order. */
    public List<String> drawableLayers() {
        return drawable;
    }

    // ---- images ------------------------------------------------------------------------------------

    /** The images on offer: ids "dir/NAME", "samples/NAME", "upload/N". */
    public List<String> imageIds() {
        List<String> out = new ArrayList<>();
        list(images, "dir/", out);
        list(samples, "samples/", out);
        list(uploads, "upload/", out);
        return out;
    }

    private static void list(Path root, String prefix, List<String> out) {
        if (root == null) {
            return;
        }
        try (Stream<Path> s = Files.walk(root, 2)) {
            s.filter(Files::isRegularFile).filter(p -> p.getFileName().toString().matches("(?i).*\\.(png|jpe?g|bmp|gif)"))
                    .map(p -> prefix + root.relativize(p).toString().replace('\\', '/')).sorted().forEach(out::add);
        } catch (IOException e) {
            // a folder that cannot be listed offers nothing
        }
    }

    /** A file of the atlas folder (its pages and pictures), checked as image files are. */
    Path atlasFile(String relative) {
        if (atlas == null) {
            throw new ConvscopeException("no atlas: start with --atlas DIR");
        }
        return ServedFiles.inside(atlas, relative, "atlas file " + relative);
    }

    /** The file of an image id, checked to lie inside its folder (no "..", no link out of it). */
    Path file(String id) {
        if (id == null || id.isEmpty()) {
            throw new ConvscopeException("no image chosen");
        }
        int slash = id.indexOf('/');
        String kind = slash < 0 ? id : id.substring(0, slash);
        String rest = slash < 0 ? "" : id.substring(slash + 1);
        Path root = switch (kind) {
            case "dir" -> images;
            case "samples" -> samples;
            case "upload" -> uploads;
            default -> null;
        };
        if (root == null || rest.isEmpty()) {
            throw new ConvscopeException("no such image: " + id);
        }
        return ServedFiles.inside(root, rest, "image " + id);
    }

    /**
     * Stores an upload after checking it: at most {@link #MAX_UPLOAD_BYTES}, a known image format by its
     * first bytes, at most {@link #MAX_UPLOAD_PIXELS} by its header, then decodable. Returns its id.
     */
    public String upload(byte[] bytes, String name) {
        if (bytes.length == 0) {
            throw new ConvscopeException("the upload is empty");
        }
        if (bytes.length > MAX_UPLOAD_BYTES) {
            throw new ConvscopeException("the upload is larger than " + (MAX_UPLOAD_BYTES >> 20) + " MB");
        }
        String ext = sniff(bytes);
        checkPixels(bytes);
        Path f = uploads.resolve(uploadCount.incrementAndGet() + "." + ext);
        try {
            Files.write(f, bytes);
            ImageLoader.load(f); // header checks, CMYK, orientation: one line when it fails
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            try {
                Files.deleteIfExists(f);
            } catch (IOException ignored) {
                // the work folder goes at close
            }
            throw e instanceof ConvscopeException ce
                    ? new ConvscopeException((name == null ? "the upload" : name) + ": " + afterName(ce.getMessage(), f.toString()))
                    : e;
        }
        return "upload/" + f.getFileName();
    }

    private static String afterName(String message, String file) {
        return message.startsWith(file) ? message.substring(file.length()).replaceFirst("^[: ]+", "") : message;
    }

    private static String sniff(byte[] h) {
        if (h.length >= 8 && (h[0] & 0xff) == 0x89 && h[1] == 'P' && h[2] == 'N' && h[3] == 'G') {
            return "png";
        }
        if (h.length >= 3 && (h[0] & 0xff) == 0xFF && (h[1] & 0xff) == 0xD8 && (h[2] & 0xff) == 0xFF) {
            return "jpg";
        }
        if (h.length >= 6 && h[0] == 'G' && h[1] == 'I' && h[2] == 'F') {
            return "gif";
        }
        if (h.length >= 2 && h[0] == 'B' && h[1] == 'M') {
            return "bmp";
        }
        throw new ConvscopeException("the upload is not a PNG, JPEG, BMP or GIF image");
    }

    private static void checkPixels(byte[] bytes) {
        try (ImageInputStream in = ImageIO.createImageInputStream(new java.io.ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new ConvscopeException("the upload is not a readable image");
            }
            ImageReader r = readers.next();
            try {
                r.setInput(in, true, true);
                long w = r.getWidth(0);
                long h = r.getHeight(0);
                if (w * h > MAX_UPLOAD_PIXELS) {
                    throw new ConvscopeException("the upload is " + w + "×" + h + " pixels; at most "
                            + MAX_UPLOAD_PIXELS / 1_000_000 + " megapixels are accepted");
                }
            } finally {
                r.dispose();
            }
        } catch (IOException e) {
            throw new ConvscopeException("the upload is not a readable image (" + e.getMessage() + ")");
        }
    }

    // ---- the cached forward pass ---------------------------------------------------------------------

    Forward forward(String id) {
        Path f = file(id);
        CompletableFuture<Forward> mine = new CompletableFuture<>();
        CompletableFuture<Forward> cached = forwards.putIfAbsent(id, mine);
        if (cached == null) {
            try {
                mine.complete(compute(f, id));
            } catch (RuntimeException | Error e) {
                forwards.remove(id);
                mine.completeExceptionally(e);
            }
            cached = mine;
        }
        return Futures.get(cached);
    }

    private Forward compute(Path f, String id) {
        BufferedImage pic = ImageLoader.load(f);
        ImageTensor t = ImageTensor.of(pic, id, input, net.preprocessing(), Resize.CROP);
        synchronized (engineLock) {
            Activations a = drawable.isEmpty() ? null : Activations.compute(engine, t, drawable, Progress.NONE);
            List<PredictRequest.Scored> top = List.of();
            if (classifies()) {
                try (NDManager scope = engine.manager().newSubManager()) {
                    NDArray x = engine.input(scope, t.data(), 1, t.c(), t.h(), t.w());
                    float[] p = a == null ? engine.predict(x)[0] : probabilities(scope, x, a);
                    List<PredictRequest.Scored> s = new ArrayList<>();
                    for (int c : PredictRequest.topK(p, 5)) {
                        s.add(new PredictRequest.Scored(c, net.label(c), p[c]));
                    }
                    top = s;
                }
            }
            return new Forward(t.toImage(0, net.preprocessing()), t, a, top);
        }
    }

    /**
     * The class probabilities, the pass starting again from the last layer with maps (its values are
     * in {@code a}): the convolutions are not run twice. The engine computes from the input whatever
     * else the output needs (branches that skip that layer).
     */
    private float[] probabilities(NDManager scope, NDArray x, Activations a) {
        LayerActivations last = a.layer(drawable.get(drawable.size() - 1));
        NDArray v = scope.create(last.values().get(0), new ai.djl.ndarray.types.Shape(1, last.channels(), last.height(), last.width()));
        String out = net.outputs().get(0);
        NDArray y = engine.forward(Map.of(net.inputs().get(0), x, last.name(), v), List.of(out), false).get(out);
        if (!engine.endsInSoftmax()) {
            y = y.softmax(1);
        }
        return y.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
    }

    /** Whether the model ends in a class vector (predictions and attributions make sense). */
    boolean classifies() {
        TensorShape out = net.outputShape();
        return net.inputShape().height() > 0 && !out.isSpatial() && out.size() > 1;
    }

    LayerActivations layer(String image, String layer) {
        Forward fw = forward(image);
        if (!net.has(layer)) {
            throw new ConvscopeException("no layer named '" + layer + "'");
        }
        if (fw.activations() == null || !drawable.contains(layer)) {
            throw new ConvscopeException("layer '" + layer + "' has no feature maps to show");
        }
        return fw.activations().layer(layer);
    }

    // ---- pictures --------------------------------------------------------------------------------------

    private byte[] cached(String key, java.util.function.Supplier<BufferedImage> draw) {
        byte[] b = pictures.get(key);
        if (b == null) {
            b = png(draw.get());
            pictures.put(key, b);
        }
        return b;
    }

    static byte[] png(BufferedImage img) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            Png.write(img, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The input picture at the model's size. */
    byte[] inputPng(String image) {
        return cached("in|" + image, () -> forward(image).picture());
    }

    /** Every channel of {@code layer} for the image, as the {@code activations} grid draws it. */
    byte[] gridPng(String image, String layer, Colormap cmap, Normalization norm) {
        LayerActivations l = layer(image, layer);
        return cached(String.join("|", "grid", image, layer, cmap.name(), norm.name()), () -> {
            var opt = ActivationViews.Options.defaults();
            opt = new ActivationViews.Options(opt.views(), opt.columns(), opt.topK(), opt.rank(), norm, cmap, null, 600, 1);
            return ActivationViews.grid(layer + " · " + l.height() + "×" + l.width() + " · " + l.channels() + " channels",
                    ActivationViews.maps(l, 0, norm), opt);
        });
    }

    /** One channel enlarged to the input's size, over the image ({@code overlay}) or alone. */
    byte[] unitPng(String image, String layer, int c, Colormap cmap, Normalization norm, boolean overlay) {
        LayerActivations l = layer(image, layer);
        checkChannel(l, c);
        BufferedImage pic = forward(image).picture();
        return cached(String.join("|", "unit", image, layer, "" + c, cmap.name(), norm.name(), "" + overlay), () -> {
            Heatmap m = norm == Normalization.LAYER ? ActivationViews.maps(l, 0, norm)[c] : ActivationViews.map(l, 0, c, norm);
            int w = pic.getWidth();
            int h = pic.getHeight();
            float[] big = enlarge(m, w, h);
            int[] px = Images.pixels(Images.toRgb(pic));
            int[] out = new int[w * h];
            for (int p = 0; p < out.length; p++) {
                int color = m.dead() ? Images.DEAD_FILL : cmap.rgb(big[p]);
                out[p] = overlay ? blend(px[p], color, 0.6f) : color;
            }
            return ExplainPictures.fromPixels(w, h, out);
        });
    }

    /**
     * Zeiler &amp; Fergus's deconvnet projection of unit {@code c} at its strongest position in the
     * image ({@link Projections#strongest}), drawn over the whole input at the input's size by
     * {@link Projections#picture(float[], int, int, int)}; cached per image, layer and unit.
     */
    byte[] projectionPng(String image, String layer, int c) {
        LayerActivations l = layer(image, layer);
        checkChannel(l, c);
        Forward fw = forward(image);
        return cached(String.join("|", "projection", image, layer, "" + c), () -> {
            ImageTensor t = fw.tensor();
            Projections.Strongest s;
            synchronized (engineLock) {
                if (walk == null) {
                    walk = new Backprop(sized, engine);
                }
                s = Projections.strongest(walk, sized, layer, c, l.values().get(0), t.data(), t.c(), t.h(), t.w());
            }
            return Projections.picture(s.projection(), t.c(), t.h(), t.w());
        });
    }

    static void checkChannel(LayerActivations l, int c) {
        if (c < 0 || c >= l.channels()) {
            throw new ConvscopeException("channel " + c + " is out of range: " + l.name() + " has channels 0 to " + (l.channels() - 1));
        }
    }

    /** Bilinear (half-pixel centres) enlargement of a map's [0, 1] values to {@code w × h}. */
    static float[] enlarge(Heatmap m, int w, int h) {
        float[] out = new float[w * h];
        float sx = (float) m.width() / w;
        float sy = (float) m.height() / h;
        for (int y = 0; y < h; y++) {
            float fy = Math.max(0, (y + 0.5f) * sy - 0.5f);
            int y0 = Math.min((int) fy, m.height() - 1);
            int y1 = Math.min(y0 + 1, m.height() - 1);
            float ty = fy - y0;
            for (int x = 0; x < w; x++) {
                float fx = Math.max(0, (x + 0.5f) * sx - 0.5f);
                int x0 = Math.min((int) fx, m.width() - 1);
                int x1 = Math.min(x0 + 1, m.width() - 1);
                float tx = fx - x0;
                float[] u = m.unit();
                float top = u[y0 * m.width() + x0] * (1 - tx) + u[y0 * m.width() + x1] * tx;
                float bot = u[y1 * m.width() + x0] * (1 - tx) + u[y1 * m.width() + x1] * tx;
                out[y * w + x] = top * (1 - ty) + bot * ty;
            }
        }
        return out;
    }

    private static int blend(int a, int b, float t) {
        int r = Math.round(((a >> 16) & 255) * (1 - t) + ((b >> 16) & 255) * t);
        int g = Math.round(((a >> 8) & 255) * (1 - t) + ((b >> 8) & 255) * t);
        int bl = Math.round((a & 255) * (1 - t) + (b & 255) * t);
        return (r << 16) | (g << 8) | bl;
    }

    // ---- attribution ------------------------------------------------------------------------------------

    /** An attribution overlay for class {@code target} (a quick method; see {@link #QUICK_METHODS}). */
    byte[] explainPng(String image, String method, int target) {
        if (!QUICK_METHODS.contains(method)) {
            throw new ConvscopeException("method '" + method + "' runs as a job; quick methods: " + String.join(", ", QUICK_METHODS));
        }
        Forward fw = forward(image);
        checkTarget(target);
        return cached(String.join("|", "explain", image, method, "" + target), () -> attribution(fw, method, target, Progress.NONE));
    }

    void checkTarget(int target) {
        if (!classifies()) {
            throw new ConvscopeException("attributions need a model that ends in classes; " + net.name() + " does not");
        }
        int classes = (int) net.outputShape().size();
        if (target < 0 || target >= classes) {
            throw new ConvscopeException("class " + target + " is out of range: 0 to " + (classes - 1));
        }
    }

    /**
     * The attribution of {@code method} as an overlay picture, by the core API ({@link ExplainRequest#attribute}); the
     * method's internal passes go to {@code progress} (runs under the engine lock; cancellable at layer boundaries).
     */
    BufferedImage attribution(Forward fw, String method, int target, Progress progress) {
        Methods.parse(List.of(method));
        synchronized (engineLock) {
            if (explain == null) {
                explain = ExplainContext.of(engine, Score.LOGIT, 8); // the engine's weights, not a copy
            }
            Maps m = ExplainRequest.attribute(explain, method, Methods.Settings.defaults(), fw.tensor(), new int[] {target}, progress);
            BufferedImage pic = fw.picture();
            BufferedImage base = m.width() == pic.getWidth() && m.height() == pic.getHeight() ? pic
                    : Images.centre(pic, m.width(), m.height(), 0);
            return ExplainPictures.overlay(base, m.map(0), m.height(), m.width(), m.signed(), Colormap.byName("inferno"), 0.5f);
        }
    }

    // ---- feature visualization -------------------------------------------------------------------------------

    /** The cached feature visualization of a unit, or null. */
    byte[] featureVis(String layer, int c, int steps) {
        return featureVis.get(layer + "|" + c + "|" + steps);
    }

    /** Computes a unit's feature visualization with {@code filters}' defaults and {@code steps} steps (a job's work). */
    byte[] computeFeatureVis(String layer, int c, int steps, Progress progress) {
        if (!net.has(layer)) {
            throw new ConvscopeException("no layer named '" + layer + "'");
        }
        if (steps < 1 || steps > 2048) {
            throw new ConvscopeException("steps must be between 1 and 2048");
        }
        var d = GradientImages.Settings.channels();
        var s = new GradientImages.Settings(d.size(), steps, d.learningRate(), d.seed(), d.tv(), d.l2(), d.fourier(), d.transforms(),
                d.octaves(), d.octaveScale(), d.optimizer(), device);
        Path out = work.resolve("fv-" + System.nanoTime());
        try {
            FiltersPlan plan = new FiltersRequest(layer, new int[] {c}, null, null, 1, s, null, out).plan(net, MemoryLimits.current(device));
            plan.run(progress);
            byte[] b = Files.readAllBytes(plan.files().get(0));
            featureVis.put(layer + "|" + c + "|" + steps, b);
            return b;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            ServedFiles.deleteTree(out);
        }
    }

    // ---- JSON-shaped answers ------------------------------------------------------------------------------

    /** The model's layers: name, type, output shape, parameters, inputs, whether it has maps. */
    Map<String, Object> modelInfo() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", net.name());
        m.put("input", net.inputShape().toKerasString());
        m.put("params", net.paramCount());
        m.put("classifies", classifies());
        List<Map<String, Object>> layers = new ArrayList<>();
        Set<String> maps = Set.copyOf(drawable);
        for (Node n : net.nodes()) {
            Map<String, Object> l = new LinkedHashMap<>();
            l.put("name", n.name());
            l.put("type", n.layer().type());
            l.put("shape", n.outputShape().toKerasString());
            l.put("params", net.paramCount(n));
            l.put("inputs", n.inputs());
            l.put("maps", maps.contains(n.name()));
            layers.add(l);
        }
        m.put("layers", layers);
        m.put("quickMethods", QUICK_METHODS);
        m.put("methods", Methods.NAMES);
        m.put("colormaps", Colormap.names());
        m.put("normalizations", Normalization.names());
        return m;
    }

    Map<String, Object> predictions(String image) {
        Forward fw = forward(image);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("image", image);
        m.put("size", List.of(fw.picture().getWidth(), fw.picture().getHeight()));
        List<Map<String, Object>> top = new ArrayList<>();
        for (PredictRequest.Scored s : fw.top()) {
            top.add(Map.of("index", s.index(), "label", s.label(), "probability", s.probability()));
        }
        m.put("top", top);
        return m;
    }

    Map<String, Object> layerInfo(String image, String layer, LayerStats.Rank rank) {
        LayerActivations l = layer(image, layer);
        LayerStats st = l.stats().get(0);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("layer", layer);
        m.put("shape", List.of(l.channels(), l.height(), l.width()));
        m.put("stats", stats(st.layer()));
        m.put("dead", st.deadChannels());
        List<Map<String, Object>> top = new ArrayList<>();
        for (LayerStats.Ranked r : st.top(12, rank)) {
            top.add(Map.of("channel", r.channel(), "score", r.score()));
        }
        m.put("rank", rank.name().toLowerCase(Locale.ROOT));
        m.put("top", top);
        m.put("grid", gridLayout(l));
        return m;
    }

    Map<String, Object> unitInfo(String image, String layer, int c) {
        LayerActivations l = layer(image, layer);
        checkChannel(l, c);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("layer", layer);
        m.put("channel", c);
        m.put("channels", l.channels());
        m.put("size", List.of(l.height(), l.width()));
        m.put("stats", stats(l.stats().get(0).channels().get(c)));
        Projections.Position at = Projections.strongestPosition(l.values().get(0), c, l.height(), l.width());
        m.put("strongest", Map.of("y", at.y(), "x", at.x(), "value", at.value()));
        String page = io.convscope.atlas.AtlasSite.slug(layer) + "/" + c + "/index.html";
        if (atlas != null && Files.isRegularFile(atlas.resolve(page))) {
            m.put("atlas", "/atlas/" + page);
        }
        return m;
    }

    /**
     * Where the grid's cells are, for the page to turn a click into a channel: the layout the grid
     * of {@link ActivationViews#grid} has (the same shrink, columns and tile size), its left margin
     * and its bottom margin (the title's height varies; the cells end {@link #GRID_MARGIN} above the bottom).
     */
    static Map<String, Object> gridLayout(LayerActivations l) {
        int f = ActivationViews.gridShrink(l.width(), l.height());
        int w = (l.width() + f - 1) / f;
        int h = (l.height() + f - 1) / f;
        Heatmap[] dummy = new Heatmap[l.channels()];
        for (int c = 0; c < dummy.length; c++) {
            dummy[c] = Heatmap.of(new float[w * h], w, h);
        }
        GridLayout g = new Grid().columns(Math.min(ActivationViews.Options.defaults().columns(), Math.max(1, l.channels())))
                .minTileSize(ActivationViews.GRID_MIN_TILE).addChannels(dummy).layout();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("left", GRID_MARGIN);
        m.put("bottom", GRID_MARGIN);
        m.put("columns", g.columns());
        m.put("cellWidth", g.cellWidth());
        m.put("cellHeight", g.cellHeight());
        m.put("gap", g.gap());
        m.put("width", g.width());
        m.put("height", g.height());
        m.put("count", g.count());
        return m;
    }

    /** {@link Grid}'s default margin, which the activations grid keeps. */
    static final int GRID_MARGIN = 8;

    private static Map<String, Object> stats(ChannelStats s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mean", s.mean());
        m.put("std", s.std());
        m.put("min", s.min());
        m.put("max", s.max());
        m.put("sum", s.sum());
        m.put("zeros", s.zeros());
        return m;
    }

    /** Values for tests and the page's numbers: {@code f} of the cached activations. */
    <T> T withLayer(String image, String layer, Function<LayerActivations, T> f) {
        return f.apply(layer(image, layer));
    }

    @Override
    public void close() {
        synchronized (engineLock) {
            if (explain != null) {
                explain.close();
            }
            if (walk != null) {
                walk.close();
            }
            engine.close();
        }
        forwards.clear();
        pictures.clear();
        ServedFiles.deleteTree(work);
    }
}
