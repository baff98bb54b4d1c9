package io.convscope.cli;

import io.convscope.ConvscopeException;
import io.convscope.activations.ActivationViews;
import io.convscope.activations.Activations;
import io.convscope.activations.LayerSelection;
import io.convscope.activations.LayerStats;
import io.convscope.activations.StatsReport;
import io.convscope.engine.Devices;
import io.convscope.image.Resize;
import io.convscope.memory.MemoryLimits;
import io.convscope.network.Network;
import io.convscope.probe.ActivationsPlan;
import io.convscope.probe.ActivationsRequest;
import io.convscope.render.Colormap;
import io.convscope.render.Normalization;
import io.convscope.util.Names;
import io.convscope.util.Phases;
import io.convscope.util.Progress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code convscope activations}: the feature maps of a network's layers for some images, as pictures. */
@Command(name = "activations", mixinStandardHelpOptions = true, sortOptions = false,
        resourceBundle = "io.convscope.cli.ActivationsHelp",
        description = {"Draws the feature maps (activations) of a network's layers for images.",
            "IMAGE may be a file (PNG, JPEG, BMP, GIF) or a folder of them. Writes, into --out: for each image a "
                + "folder with one grid of every channel per layer (01_block1_conv1.png, … in network order), the "
                + "top-k channels per layer, a GIF through the layers and the input as the network saw it; a compare "
                + "row per layer when there are several images; statistics (stats.csv, channel_stats.csv, stats.json) "
                + "and index.html, which shows it all. Prints a statistics table (mean, std, max, fraction of zeros, "
                + "dead channels per layer).",
            "Only layers with an (H, W, C) output have feature maps; Flatten, Dense and global pooling are left out."},
        footer = {"", "Examples:", "  convscope activations samples/fashion-mnist/7_sneaker.png",
            "  convscope activations samples/fashion-mnist/ --blocks --views grid,compare",
            "  convscope activations -m vgg16 -l 'block3_*,block5_conv3' cat.jpg",
            "  convscope activations --model vgg16 --no-top --keep-size --conv photo.jpg",
            "  convscope activations --model vgg16 --gif-channels block4_conv1 cat.jpg"})
public final class ActivationsCommand implements Callable<Integer> {
    /** Where the files go when --out is not given. */
    public static final String DEFAULT_OUT = "convscope-out/activations";

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "Image files or folders.")
    List<String> images;

    @Option(names = {"-l", "--layers"}, split = ",", paramLabel = "NAME|GLOB",
            description = "Layers by name or glob, comma-separated (block3_*, block?_pool). "
                    + "Default: every convolution and pooling layer.")
    List<String> layers = new ArrayList<>();

    @Option(names = "--conv", description = "Every convolution layer (Conv2D, DepthwiseConv2D, SeparableConv2D).")
    boolean conv;

    @Option(names = "--blocks", description = "One layer per block: the last of each blockN_/convN_blockM_ group "
            + "(Keras names); for other networks each layer that feeds a downsampling, and the last.")
    boolean blocks;

    @Option(names = "--all", description = "Every layer with feature maps.")
    boolean all;

    @Option(names = "--views", split = ",", paramLabel = "VIEW", descriptionKey = "views",
            description = "Which pictures (the list comes from ActivationsHelp).")
    List<String> views = new ArrayList<>();

    @Option(names = "--cols", defaultValue = "16", paramLabel = "N", description = "Columns of a grid (default ${DEFAULT-VALUE}).")
    int cols;

    @Option(names = {"-k", "--top"}, defaultValue = "12", paramLabel = "K",
            description = "Channels in the top-k view and the statistics (default ${DEFAULT-VALUE}).")
    int top;

    @Option(names = "--rank", defaultValue = "sum", paramLabel = "sum|mean|max",
            description = "How the top-k channels are ranked (default ${DEFAULT-VALUE}).")
    LayerStats.Rank rank;

    @Option(names = "--gif-channels", paramLabel = "LAYER", description = "Also a GIF through the channels of LAYER.")
    String gifChannels;

    @Option(names = "--normalize", defaultValue = "standardize", paramLabel = "standardize|minmax|layer",
            description = "standardize (default): per channel (x − mean)/std × 64 + 128, clipped; minmax: per channel; "
                    + "layer: one scale for the whole layer.")
    Normalization normalize;

    @Option(names = "--colormap", defaultValue = "viridis", paramLabel = "NAME", descriptionKey = "colormap",
            description = "The colours (the list comes from ActivationsHelp).")
    Colormap colormap;

    @Option(names = "--size", paramLabel = "WxH",
            description = "Resize images to this size (layers that need the model's own size, like a Dense after a "
                    + "Flatten, cannot then be chosen).")
    String size;

    @Option(names = "--keep-size", description = "Run each image at its own size (several images must share it).")
    boolean keepSize;

    @Option(names = "--resize", defaultValue = "crop", paramLabel = "crop|stretch|pad|imagenet",
            description = "How an image is fitted to the size (default ${DEFAULT-VALUE})."
                    + InputOptions.RESIZE_MODES)
    Resize resize;

    @Option(names = {"-o", "--out"}, defaultValue = DEFAULT_OUT, paramLabel = "DIR",
            description = "Output folder (default ${DEFAULT-VALUE}); each run replaces it as a whole.")
    Path out;

    @Option(names = "--delay", defaultValue = "600", paramLabel = "MS", description = "GIF frame delay (default ${DEFAULT-VALUE} ms).")
    int delay;

    @Override
    public Integer call() {
        if (cols < 1) {
            throw new ConvscopeException("--cols must be at least 1");
        }
        if (top < 1) {
            throw new ConvscopeException("--top must be at least 1");
        }
        if (delay < 10) {
            throw new ConvscopeException("--delay must be at least 10 ms");
        }
        Set<ActivationViews.View> chosenViews = ActivationViews.View.parse(views);
        int[] wh = size == null ? null : parseSize(size);
        if (wh != null && keepSize) {
            throw new ConvscopeException("--size and --keep-size exclude each other");
        }
        ActivationViews.Options options = new ActivationViews.Options(chosenViews, cols, top, rank, normalize, colormap,
                gifChannels, delay, Runtime.getRuntime().availableProcessors());
        ActivationsRequest request = new ActivationsRequest(images, new LayerSelection(layers, conv, blocks, all), options,
                wh == null ? 0 : wh[0], wh == null ? 0 : wh[1], keepSize, resize, out);
        io.convscope.model.ModelLoader.check(modelOptions.request());
        var device = Devices.choose(modelOptions.device);
        List<Path> files = request.inputs();
        Phases.mark("start");
        Network net = modelOptions.load();
        Phases.mark("model");
        ActivationsPlan plan = request.plan(files, net, MemoryLimits.current(null));
        Phases.mark("plan");
        Activations acts = plan.compute(device, files.size() > 1 ? ConsoleProgress.create() : Progress.NONE);
        PrintWriter o = spec.commandLine().getOut();
        if (!plan.notDrawn().isEmpty()) {
            o.println("not drawn, no feature maps: " + String.join(", ", plan.notDrawn()));
        }
        o.print(StatsReport.table(acts));
        o.flush();
        Phases.mark("computed");
        List<String> written = plan.render(acts, ConsoleProgress.create());
        Phases.mark("drawn");
        o.println("Wrote " + written.size() + " files to " + out + "; open " + plan.index());
        o.flush();
        return 0;
    }

    private static final Pattern SIZE = Pattern.compile("(\\d{1,6})[x×X](\\d{1,6})");

    /** The largest --size side: far beyond what fits in memory for any model, and safe from integer overflow. */
    static final int MAX_SIDE = 32768;

    static int[] parseSize(String s) {
        Matcher m = SIZE.matcher(s.strip());
        if (!m.matches()) {
            throw new ConvscopeException("--size '" + s + "': give width×height, e.g. 224x224");
        }
        int w = Integer.parseInt(m.group(1));
        int h = Integer.parseInt(m.group(2));
        if (w < 1 || h < 1) {
            throw new ConvscopeException("--size '" + s + "': width and height must be at least 1");
        }
        if (w > MAX_SIDE || h > MAX_SIDE) {
            throw new ConvscopeException("--size '" + s + "': at most " + MAX_SIDE + " pixels a side");
        }
        return new int[] {w, h};
    }
}
