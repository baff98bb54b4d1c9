package io.convscope.cli;

import ai.djl.Device;
import io.convscope.ConvscopeException;
import io.convscope.engine.Devices;
import io.convscope.image.ImageLoader;
import io.convscope.model.ModelLoader;
import io.convscope.memory.MemoryLimits;
import io.convscope.network.Network;
import io.convscope.optimize.Optimizer;
import io.convscope.probe.StylePlan;
import io.convscope.probe.StyleRequest;
import io.convscope.optimize.LossCurve;
import io.convscope.style.StyleLayers;
import io.convscope.style.StyleTransfer;
import io.convscope.util.Phases;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
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
                + "by --style-weights. Loss = α·content + β·mean over style layers + γ·total variation (--content-weight, --style-weight, --tv), where content and each "
                + "style layer are relative errors (‖Φ−Φ₀‖²/‖Φ₀‖², ‖G−A‖²/‖A‖²), so the default weights suit any model.",
            "Without --model the model is vgg19 (without its classifier; --weights none gives seeded random weights, "
                + "which carry texture statistics too, and works offline). Any model with convolutional layers works; "
                + "without VGG's layer names, layers are chosen by rule: style = the first full-width layer of each of the first "
                + "five resolution stages, content = the second of the next-to-last stage (the note printed names them).",
            "Writes DIR/CONTENT-STYLE.png (--out DIR; the content's aspect ratio, longest side --size); with --gif also "
                + "CONTENT-STYLE.gif, with --losses CONTENT-STYLE-losses.csv and -losses.png (content, style, TV and total per step)."},
        footer = {"", "Examples:",
            "  convscope style photo.jpg starry-night.jpg     # VGG19, fetched once",
            "  convscope style --weights none --size 256 --gif photo.jpg art.jpg",
            "  convscope style --style-weights 0.7,0.3 photo.jpg a.jpg b.jpg",
            "  convscope style --preserve-colors --losses photo.jpg art.jpg",
            "  convscope style -m squeezenet1.1 photo.jpg art.jpg"})
public final class StyleCommand implements Callable<Integer> {
    /** Where the picture goes when --out is not given. */
    public static final String DEFAULT_DIR = StyleRequest.DEFAULT_DIR;
    /** --size on a GPU. */
    public static final int GPU_SIZE = StyleRequest.GPU_SIZE;
    /** --size on a CPU: a step at 512 pixels takes several seconds there. */
    public static final int CPU_SIZE = StyleRequest.CPU_SIZE;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Parameters(index = "0", paramLabel = "CONTENT", description = "The photo to paint.")
    Path content;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "STYLE", description = "Style image(s); several are blended.")
    List<Path> styles;

    @Option(names = {"-o", "--out"}, paramLabel = "DIR",
            description = "Output folder (default " + DEFAULT_DIR + "); the picture is DIR/CONTENT-STYLE.png, replaced "
                    + "if it exists. A name ending in .png names the picture itself.")
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

    /** The older spelling of {@code --tv}, kept working (hidden: one vocabulary across commands). */
    @Option(names = "--tv-weight", paramLabel = "γ", hidden = true)
    void tvWeight(double w) {
        tvWeight = w;
    }

    @Option(names = "--tv", paramLabel = "γ",
            description = "Total-variation weight against noise (default 10; 0: none).")
    double tvWeight = io.convscope.style.StyleTransfer.TV_WEIGHT; // no defaultValue: picocli would apply it after --tv-weight

    @Option(names = "--steps", defaultValue = "200", paramLabel = "N", description = "Optimiser iterations (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--optimizer", defaultValue = "lbfgs", paramLabel = "lbfgs|adam", description = "L-BFGS (default) or Adam.")
    Optimizer.Kind optimizer;

    @Option(names = "--lr", defaultValue = "0.05", paramLabel = "RATE", description = "Adam's learning rate (default ${DEFAULT-VALUE}).")
    double learningRate;

    @Option(names = "--init", defaultValue = "content", paramLabel = "content|noise",
            description = "Start from the content image (default) or from seeded noise.")
    StyleTransfer.Start init;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "N", description = "Seed of the noise start (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--preserve-colors", description = "Transfer on luminance only and keep the content's colours.")
    boolean preserveColors;

    @Option(names = "--gif", arity = "0", parameterConsumer = OptimizeOptions.GifSwitch.class,
            description = "Also a GIF beside the picture (its name, .gif): the image as it develops.")
    Integer gif;

    @Option(names = "--gif-every", paramLabel = "N", description = "A GIF frame every N steps (default: about 30 frames; implies --gif).")
    Integer gifEvery;

    @Option(names = "--losses", description = "Also NAME-losses.csv and NAME-losses.png beside the picture: content, style, TV and total loss per step.")
    boolean losses;

    @Override
    public Integer call() {
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
            throw new ConvscopeException("--content-weight, --style-weight and --tv must be 0 or more");
        }
        if (gifEvery != null && gifEvery < 1) {
            throw new ConvscopeException("--gif-every must be at least 1");
        }
        StyleRequest request = new StyleRequest(content, styles, out, size, styleScale, styleWeights, contentLayer, styleLayers,
                contentWeight, styleWeight, tvWeight, steps, optimizer, learningRate, init, seed, preserveColors,
                gif != null || gifEvery != null, gifEvery != null ? gifEvery : gif != null && gif > 0 ? gif : null, losses);
        request.outputs();
        var modelRequest = new ModelLoader.Request(modelOptions.model == null ? "vgg19" : modelOptions.model,
                modelOptions.weights, false, -1, -1);
        ModelLoader.check(modelRequest);
        Device device = Devices.choose(modelOptions.device);
        Phases.mark("start");
        StyleRequest.Pictures pictures = request.load();
        Network net = modelOptions.load(modelRequest);
        Phases.mark("model");
        StylePlan plan = request.plan(pictures, net, device);
        PrintWriter o = spec.commandLine().getOut();
        if (plan.layers().rule() != null) {
            o.println("note: " + plan.layers().rule(Flags::name));
        }
        o.println("content " + plan.layers().content() + "; style " + String.join(", ", plan.layers().style()));
        o.flush();
        plan.check(MemoryLimits.current(device));

        Phases.mark("plan");
        StylePlan.Result r = plan.run(ConsoleProgress.create());
        Phases.mark("done");
        LossCurve curve = r.curve();
        double seconds = r.seconds();
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%d %s steps in %s (%.2f s/step); loss %s",
                steps, optimizer.title(), ConsoleProgress.duration(seconds), seconds / steps, range(curve.total())));
        for (String k : curve.kinds()) {
            sb.append(", ").append(k).append(' ').append(range(curve.series(k)));
        }
        o.println(sb);
        o.println("Wrote " + String.join(", ", r.written().stream().map(Path::toString).toList()) + " (" + plan.width() + "×"
                + plan.height() + ")");
        o.flush();
        return 0;
    }

    private static String range(double[] v) {
        return String.format(Locale.ROOT, "%.3g → %.3g", v[0], v[v.length - 1]);
    }
}
