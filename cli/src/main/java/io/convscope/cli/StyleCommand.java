package io.convscope.cli;

import ai.djl.Device;
import io.convscope.ConvscopeException;
import io.convscope.engine.Devices;
import io.convscope.engine.Engine;
import io.convscope.image.ImageLoader;
import io.convscope.image.ImageTensor;
import io.convscope.image.Resize;
import io.convscope.model.ModelLoader;
import io.convscope.network.Network;
import io.convscope.network.Preprocessing;
import io.convscope.network.TensorShape;
import io.convscope.optimize.Listener;
import io.convscope.optimize.Listeners;
import io.convscope.optimize.LossCurve;
import io.convscope.render.Gif;
import io.convscope.render.Png;
import io.convscope.style.StyleLayers;
import io.convscope.style.StyleMemory;
import io.convscope.style.StyleTransfer;
import io.convscope.util.ConsoleProgress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code convscope style}: the content image painted in the style of the style image(s) (Gatys et al.). */
@Command(name = "style", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Neural style transfer (Gatys et al.): writes the CONTENT image painted in the style of the STYLE image(s).",
            "An image is optimised so that its features at the content layer match CONTENT's and the Gram matrices (channel "
                + "co-occurrences, normalised by the map size) at the style layers match STYLE's; several STYLE images blend "
                + "by --style-weights. Loss = α·content + β·mean over style layers + γ·total variation, where content and each "
                + "style layer are relative errors (‖Φ−Φ₀‖²/‖Φ₀‖², ‖G−A‖²/‖A‖²), so the default weights suit any model.",
            "Without --model the model is vgg19 (without its classifier; --weights none gives seeded random weights, "
                + "which carry texture statistics too, and works offline). Any model with convolutional layers works; "
                + "without VGG's layer names, layers are chosen by rule: style = the first full-width layer of each of the first "
                + "five resolution stages, content = the second of the next-to-last stage (the note printed names them).",
            "Writes --out (PNG, the content's aspect ratio, longest side --size); with --gif also OUT.gif, with --losses "
                + "OUT-losses.csv and OUT-losses.png (content, style, TV and total per step)."},
        footer = {"", "Examples:",
            "  convscope style photo.jpg starry-night.jpg                    # VGG19, ImageNet weights (fetched once)",
            "  convscope style --weights none --size 256 --gif --losses photo.jpg painting.jpg",
            "  convscope style photo.jpg a.jpg b.jpg --style-weights 0.7,0.3 --preserve-colors",
            "  convscope style -m squeezenet.onnx --preprocess torch photo.jpg painting.jpg"})
public final class StyleCommand implements Callable<Integer> {
    /** Where the picture goes when --out is not given. */
    public static final String DEFAULT_DIR = "convscope-out/style";
    /** --size on a GPU. */
    public static final int GPU_SIZE = 512;
    /** --size on a CPU: a step at 512 pixels takes several seconds there. */
    public static final int CPU_SIZE = 256;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Parameters(index = "0", paramLabel = "CONTENT", description = "The photo to paint.")
    Path content;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "STYLE", description = "Style image(s); several are blended.")
    List<Path> styles;

    @Option(names = {"-o", "--out"}, paramLabel = "FILE.png",
            description = "The picture (default " + DEFAULT_DIR + "/CONTENT-STYLE.png); replaced if it exists.")
    Path out;

    @Option(names = "--size", paramLabel = "PIXELS",
            description = "Longest side of the result (default " + GPU_SIZE + " on a GPU, " + CPU_SIZE + " on a CPU, where a "
                    + "step at " + GPU_SIZE + " takes seconds). The content keeps its aspect ratio.")
    Integer size;

    @Option(names = "--style-scale", defaultValue = "1", paramLabel = "F",
            description = "Style images are resized to a longest side of F × --size (default ${DEFAULT-VALUE}); smaller F: finer strokes.")
    double styleScale;

    @Option(names = "--style-weights", split = ",", paramLabel = "W",
            description = "One weight per STYLE image for the blend (default: equal).")
    List<Double> styleWeights = new ArrayList<>();

    @Option(names = "--content-layer", paramLabel = "NAME",
            description = "Content layer (default " + StyleLayers.GATYS_CONTENT + "; block4_conv2 keeps more detail).")
    String contentLayer;

    @Option(names = "--style-layers", split = ",", paramLabel = "NAME",
            description = "Style layers, equal weights (default block1_conv1,block2_conv1,block3_conv1,block4_conv1,block5_conv1).")
    List<String> styleLayers = new ArrayList<>();

    @Option(names = "--content-weight", defaultValue = "1", paramLabel = "α", description = "Content weight (default ${DEFAULT-VALUE}).")
    double contentWeight;

    @Option(names = "--style-weight", defaultValue = "1000", paramLabel = "β",
            description = "Style weight, shared by the style layers (default ${DEFAULT-VALUE}); higher: more style, less content.")
    double styleWeight;

    @Option(names = "--tv-weight", defaultValue = "10", paramLabel = "γ",
            description = "Total-variation weight against noise (default ${DEFAULT-VALUE}; 0: none).")
    double tvWeight;

    @Option(names = "--steps", defaultValue = "200", paramLabel = "N", description = "Optimiser iterations (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--optimizer", defaultValue = "lbfgs", paramLabel = "lbfgs|adam", description = "L-BFGS (default) or Adam.")
    String optimizer;

    @Option(names = "--lr", defaultValue = "0.05", paramLabel = "RATE", description = "Adam's learning rate (default ${DEFAULT-VALUE}).")
    double learningRate;

    @Option(names = "--init", defaultValue = "content", paramLabel = "content|noise",
            description = "Start from the content image (default) or from seeded noise.")
    String init;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "N", description = "Seed of the noise start (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--preserve-colors", description = "Transfer on luminance only and keep the content's colours.")
    boolean preserveColors;

    @Option(names = "--gif", description = "Also OUT.gif: the image as it develops.")
    boolean gif;

    @Option(names = "--gif-every", paramLabel = "N", description = "A GIF frame every N steps (default: about 30 frames).")
    Integer gifEvery;

    @Option(names = "--losses", description = "Also OUT-losses.csv and OUT-losses.png: content, style, TV and total loss per step.")
    boolean losses;

    @Override
    public Integer call() {
        StyleTransfer.Method method = switch (optimizer.strip().toLowerCase(Locale.ROOT)) {
            case "lbfgs", "l-bfgs" -> StyleTransfer.Method.LBFGS;
            case "adam" -> StyleTransfer.Method.ADAM;
            default -> throw new ConvscopeException("unknown --optimizer '" + optimizer + "': use lbfgs or adam");
        };
        StyleTransfer.Start start = switch (init.strip().toLowerCase(Locale.ROOT)) {
            case "content" -> StyleTransfer.Start.CONTENT;
            case "noise", "random" -> StyleTransfer.Start.NOISE;
            default -> throw new ConvscopeException("unknown --init '" + init + "': use content or noise");
        };
        if (size != null && (size < 16 || size > ImageLoader.MAX_SIDE)) {
            throw new ConvscopeException("--size must be between 16 and " + ImageLoader.MAX_SIDE + " pixels");
        }
        if (!(styleScale > 0) || styleScale > 4) {
            throw new ConvscopeException("--style-scale must be above 0 and at most 4");
        }
        if (!styleWeights.isEmpty() && styleWeights.size() != styles.size()) {
            throw new ConvscopeException("--style-weights gives " + styleWeights.size() + " weights for " + styles.size()
                    + (styles.size() == 1 ? " style image" : " style images"));
        }
        if (steps < 1) {
            throw new ConvscopeException("--steps must be at least 1");
        }
        for (double v : styleWeights) {
            if (!(v >= 0)) {
                throw new ConvscopeException("--style-weights must be 0 or more, got " + v);
            }
        }
        if (!(contentWeight >= 0) || !(styleWeight >= 0) || !(tvWeight >= 0)) {
            throw new ConvscopeException("--content-weight, --style-weight and --tv-weight must be 0 or more");
        }
        if (gifEvery != null && gifEvery < 1) {
            throw new ConvscopeException("--gif-every must be at least 1");
        }
        Path png = out != null ? out : Path.of(DEFAULT_DIR, stem(content) + "-" + stem(styles.get(0)) + ".png");
        if (!png.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
            throw new ConvscopeException("--out " + png + ": the picture is a PNG; give a name ending in .png");
        }
        if (Files.isDirectory(png)) {
            throw new ConvscopeException("--out " + png + " is a folder; give a file name ending in .png");
        }
        String base = png.getFileName().toString();
        base = base.substring(0, base.length() - 4);
        Path gifFile = png.resolveSibling(base + ".gif");
        Path csvFile = png.resolveSibling(base + "-losses.csv");
        Path plotFile = png.resolveSibling(base + "-losses.png");
        List<Path> inputs = new ArrayList<>(styles);
        inputs.add(0, content);
        for (Path o : List.of(png, gifFile, csvFile, plotFile)) {
            for (Path in : inputs) {
                if (o.toAbsolutePath().normalize().equals(in.toAbsolutePath().normalize())) {
                    throw new ConvscopeException(in + " is an input; choose another --out");
                }
            }
        }
        io.convscope.util.AtomicFiles.outputFile(png, "--out"); // fails now, not after the steps, when it cannot be written
        var request = new ModelLoader.Request(modelOptions.model == null ? "vgg19" : modelOptions.model,
                modelOptions.weights, false, -1, -1);
        ModelLoader.check(request);
        Device device = Devices.choose(modelOptions.device);
        int longest = size != null ? size : device.isGpu() ? GPU_SIZE : CPU_SIZE;

        BufferedImage contentPicture = ImageLoader.load(content);
        List<BufferedImage> stylePictures = new ArrayList<>();
        for (Path s : styles) {
            stylePictures.add(ImageLoader.load(s));
        }
        int[] hw = StyleTransfer.fit(contentPicture.getHeight(), contentPicture.getWidth(), longest);
        int h = hw[0];
        int w = hw[1];

        Network net = modelOptions.load(request);
        TensorShape in = net.inputShape();
        if (!in.isSpatial() || in.channels() != 3) {
            throw new ConvscopeException(net.name() + " takes " + in.toKerasString() + " inputs; style transfer needs a model of RGB images");
        }
        StyleLayers layers = StyleLayers.choose(net, contentLayer, styleLayers, h, w);
        PrintWriter o = spec.commandLine().getOut();
        if (layers.rule() != null) {
            o.println("note: " + layers.rule());
        }
        o.println("content " + layers.content() + "; style " + String.join(", ", layers.style()));
        o.flush();

        int every = gifEvery != null ? gifEvery : Math.max(1, steps / 30);
        int frames = gif ? steps / every + 2 : 0;
        int channels = preserveColors ? 1 : 3;
        StyleMemory.of(net, layers, h, w, channels, frames).check(device, "at " + w + "×" + h + " on " + net.name(), longest, s -> {
            int[] r = StyleTransfer.fit(contentPicture.getHeight(), contentPicture.getWidth(), s);
            return StyleMemory.of(net, layers, r[0], r[1], channels, frames);
        });

        StyleTransfer.Image contentImage = image(contentPicture, content, h, w);
        List<StyleTransfer.Style> styleImages = new ArrayList<>();
        int styleSide = (int) Math.max(16, Math.round(longest * styleScale));
        for (int i = 0; i < styles.size(); i++) {
            BufferedImage p = stylePictures.get(i);
            int[] shw = StyleTransfer.fit(p.getHeight(), p.getWidth(), styleSide);
            styleImages.add(new StyleTransfer.Style(image(p, styles.get(i), shw[0], shw[1]),
                    styleWeights.isEmpty() ? 1.0 : styleWeights.get(i)));
        }
        stylePictures.clear();
        StyleTransfer.Settings settings = new StyleTransfer.Settings(layers, contentWeight, styleWeight, tvWeight, steps, method,
                learningRate, seed, start, preserveColors);

        LossCurve curve = new LossCurve();
        Gif animation = new Gif();
        List<Listener> listeners = new ArrayList<>();
        listeners.add(Listeners.progress(new ConsoleProgress(), "style"));
        listeners.add(curve);
        int[] shape = {1, 3, h, w};
        if (gif) {
            listeners.add(Listeners.frames(animation, every, shape, 150));
        }
        long[] clock = new long[2];
        listeners.add(new Listener() {
            @Override
            public void start(int total, List<String> terms) {
                clock[0] = System.nanoTime();
            }

            @Override
            public void finish() {
                clock[1] = System.nanoTime();
            }
        });
        StyleTransfer.Result r;
        try (Engine engine = Engine.create(StyleTransfer.network(net, layers), device)) {
            r = StyleTransfer.run(engine, contentImage, styleImages, settings, listeners);
        }
        double seconds = (clock[1] - clock[0]) / 1e9; // the steps only: not loading, nor the style images' features

        Png.write(png, Listeners.picture(r.image().rgb(), shape, 0));
        List<String> written = new ArrayList<>(List.of(png.toString()));
        if (gif) {
            animation.write(gifFile);
            written.add(gifFile.toString());
        }
        if (losses) {
            curve.writeCsv(csvFile);
            curve.writePlot(plotFile, "style transfer: " + stem(content) + " in the style of " + stem(styles.get(0))
                    + (styles.size() > 1 ? " +" + (styles.size() - 1) : ""));
            written.add(csvFile.toString());
            written.add(plotFile.toString());
        }
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%d %s steps in %s (%.2f s/step); loss %s",
                steps, method == StyleTransfer.Method.LBFGS ? "L-BFGS" : "Adam", ConsoleProgress.duration(seconds), seconds / steps,
                range(curve.total())));
        for (String k : curve.kinds()) {
            sb.append(", ").append(k).append(' ').append(range(curve.series(k)));
        }
        o.println(sb);
        o.println("Wrote " + String.join(", ", written) + " (" + w + "×" + h + ")");
        o.flush();
        return 0;
    }

    private static String range(double[] v) {
        return String.format(Locale.ROOT, "%.3g → %.3g", v[0], v[v.length - 1]);
    }

    /** The picture resized to h × w (its aspect ratio, rounded) as RGB floats in [0, 1]. */
    static StyleTransfer.Image image(BufferedImage picture, Path name, int h, int w) {
        ImageTensor t = ImageTensor.of(picture, name.toString(), TensorShape.chw(3, h, w), Preprocessing.UNIT, Resize.STRETCH);
        return new StyleTransfer.Image(t.data(), h, w);
    }

    static String stem(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }
}
