package io.convscope.cli;

import io.convscope.ConvscopeException;
import io.convscope.activations.ActivationViews;
import io.convscope.activations.Activations;
import io.convscope.activations.FilePlan;
import io.convscope.activations.LayerSelection;
import io.convscope.activations.LayerStats;
import io.convscope.activations.MemoryEstimate;
import io.convscope.activations.StatsReport;
import io.convscope.engine.Devices;
import io.convscope.engine.Engine;
import io.convscope.image.ImageLoader;
import io.convscope.image.ImageTensor;
import io.convscope.image.Inputs;
import io.convscope.image.Resize;
import io.convscope.network.Network;
import io.convscope.network.TensorShape;
import io.convscope.render.Colormap;
import io.convscope.render.Normalization;
import io.convscope.util.ConsoleProgress;
import io.convscope.util.Names;
import io.convscope.util.Progress;
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
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code convscope activations}: the feature maps of a network's layers for some images, as pictures. */
@Command(name = "activations", mixinStandardHelpOptions = true, sortOptions = false,
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
            "  convscope activations -m vgg16 -l 'block3_*,block5_conv3' --colormap magma cat.jpg",
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

    @Option(names = "--views", split = ",", paramLabel = "VIEW",
            description = "Which pictures: grid, channels (one file per channel), topk, gif, compare (needs several "
                    + "images). Default: grid,topk,gif,compare.")
    List<String> views = new ArrayList<>();

    @Option(names = "--cols", defaultValue = "16", paramLabel = "N", description = "Columns of a grid (default ${DEFAULT-VALUE}).")
    int cols;

    @Option(names = {"-k", "--top"}, defaultValue = "12", paramLabel = "K",
            description = "Channels in the top-k view and the statistics (default ${DEFAULT-VALUE}).")
    int top;

    @Option(names = "--rank", defaultValue = "sum", paramLabel = "sum|mean|max",
            description = "How the top-k channels are ranked (default ${DEFAULT-VALUE}).")
    String rank;

    @Option(names = "--gif-channels", paramLabel = "LAYER", description = "Also a GIF through the channels of LAYER.")
    String gifChannels;

    @Option(names = "--normalize", defaultValue = "standardize", paramLabel = "standardize|minmax|layer",
            description = "standardize (default): per channel (x − mean)/std × 64 + 128, clipped; minmax: per channel; "
                    + "layer: one scale for the whole layer.")
    String normalize;

    @Option(names = "--colormap", defaultValue = "viridis", paramLabel = "NAME",
            description = "viridis (default), magma, inferno, plasma, cividis or gray.")
    String colormap;

    @Option(names = "--size", paramLabel = "WxH",
            description = "Resize images to this size (layers that need the model's own size, like a Dense after a "
                    + "Flatten, cannot then be chosen).")
    String size;

    @Option(names = "--keep-size", description = "Run each image at its own size (several images must share it).")
    boolean keepSize;

    @Option(names = "--resize", defaultValue = "crop", paramLabel = "crop|stretch|pad|imagenet",
            description = "How an image is fitted to the size (default ${DEFAULT-VALUE})."
                    + InputOptions.RESIZE_MODES)
    String resize;

    @Option(names = {"-o", "--out"}, defaultValue = DEFAULT_OUT, paramLabel = "DIR",
            description = "Output folder (default ${DEFAULT-VALUE}); files of the same name are replaced.")
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
        LayerStats.Rank rk = LayerStats.Rank.byName(rank);
        if (rk == null) {
            throw new ConvscopeException("unknown --rank '" + rank + "': use sum, mean or max");
        }
        Resize mode = Resize.byName(resize);
        if (mode == null) {
            throw new ConvscopeException("unknown --resize '" + resize + "': use " + Resize.names());
        }
        Normalization norm = Normalization.byName(normalize);
        Colormap cmap = Colormap.byName(colormap);
        Set<ActivationViews.View> chosenViews = views(views);
        int[] wh = size == null ? null : parseSize(size);
        if (wh != null && keepSize) {
            throw new ConvscopeException("--size and --keep-size exclude each other");
        }
        var request = modelOptions.request();
        io.convscope.model.ModelLoader.check(request);
        var device = Devices.choose(modelOptions.device);
        List<Path> files = Inputs.expand(images);
        checkNotAnInput(files);
        Network net = modelOptions.load();
        TensorShape in = net.inputShape();
        if (!in.isSpatial()) {
            throw new ConvscopeException(net.name() + " does not take images (input " + in.toKerasString() + ")");
        }

        // the input size: --size, the first image's (--keep-size, or a model that takes any size), or the model's
        List<BufferedImage> pictures = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (Path p : files) {
            pictures.add(ImageLoader.load(p));
            names.add(p.toString());
        }
        int h = in.height();
        int w = in.width();
        if (wh != null) {
            w = wh[0];
            h = wh[1];
        } else if (keepSize || h < 0 || w < 0) {
            h = h < 0 || keepSize ? pictures.get(0).getHeight() : h;
            w = w < 0 || keepSize ? pictures.get(0).getWidth() : w;
        }
        // layers are chosen on the part of the model that works at that size
        Network probe = in.height() == h && in.width() == w ? net : net.fittingPrefix(h, w);
        for (String p : layers) {
            if (net.has(p.strip()) && !probe.has(p.strip())) {
                net.cut(List.of(p.strip()), h, w).orThrow(); // says which layer needs the model's own size
            }
        }
        LayerSelection sel = new LayerSelection(layers, conv, blocks, all);
        List<String> chosen = sel.resolve(probe);
        if (gifChannels != null && !chosen.contains(gifChannels)) {
            if (!probe.has(gifChannels) || !LayerSelection.drawable(probe, probe.node(gifChannels))) {
                throw new ConvscopeException("--gif-channels: no layer with feature maps named '" + gifChannels + "'"
                        + Names.didYouMean(gifChannels, LayerSelection.drawableNames(probe)));
            }
            List<String> more = new ArrayList<>(chosen);
            more.add(gifChannels);
            chosen = LayerSelection.of(more.toArray(String[]::new)).resolve(probe);
        }
        probe = probe.cut(chosen, h, w).orThrow();

        ActivationViews.Options options = new ActivationViews.Options(chosenViews, cols, top, rk, norm, cmap,
                gifChannels, delay, Runtime.getRuntime().availableProcessors());
        MemoryEstimate estimate = MemoryEstimate.of(probe, chosen, files.size(), options.threads(),
                chosenViews.contains(ActivationViews.View.GIF) ? chosen.size() * files.size() : 0, ActivationViews.GIF_SIDE);
        estimate.check(files.size() + (files.size() == 1 ? " image" : " images") + " × " + chosen.size()
                + (chosen.size() == 1 ? " layer" : " layers") + " at " + w + "×" + h);

        ImageTensor x = ImageTensor.of(pictures, names, probe.inputShape(), probe.preprocessing(), mode);
        pictures.clear();
        Activations acts;
        try (Engine engine = Engine.create(probe, device)) {
            acts = Activations.compute(engine, x, chosen, files.size() > 1 ? new ConsoleProgress() : Progress.NONE);
        }
        PrintWriter o = spec.commandLine().getOut();
        if (all) {
            List<String> flat = new ArrayList<>();
            for (var n : net.nodes()) {
                if (!n.outputShape().isSpatial()) {
                    flat.add(n.name());
                }
            }
            if (!flat.isEmpty()) {
                o.println("not drawn, no feature maps: " + String.join(", ", flat));
            }
        }
        o.print(StatsReport.table(acts));
        o.flush();
        List<String> written = ActivationViews.render(acts, options, out, new ConsoleProgress());
        o.println("Wrote " + written.size() + " files to " + out + "; open " + out.resolve(FilePlan.INDEX));
        o.flush();
        return 0;
    }

    static Set<ActivationViews.View> views(List<String> names) {
        if (names.isEmpty()) {
            return ActivationViews.View.DEFAULTS;
        }
        Set<ActivationViews.View> v = EnumSet.noneOf(ActivationViews.View.class);
        for (String n : names) {
            ActivationViews.View view = ActivationViews.View.byName(n);
            if (view == null) {
                String hint = Names.didYouMean(n, ActivationViews.View.names());
                throw new ConvscopeException("unknown view '" + n + "'"
                        + (hint.isEmpty() ? "; views: " + String.join(", ", ActivationViews.View.names()) : hint));
            }
            v.add(view);
        }
        return v;
    }

    private static final Pattern SIZE = Pattern.compile("(\\d{1,6})[x×X](\\d{1,6})");

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
        return new int[] {w, h};
    }

    /** Never write over an input: the output folder must not be an image's folder with a name we write. */
    private void checkNotAnInput(List<Path> files) {
        Path dir = out.toAbsolutePath().normalize();
        for (Path f : files) {
            Path abs = f.toAbsolutePath().normalize();
            if (abs.startsWith(dir)) {
                String rel = dir.relativize(abs).toString().replace('\\', '/');
                if (rel.equals(FilePlan.INDEX) || rel.startsWith("compare/") || rel.endsWith(".csv") || rel.endsWith(".json")
                        || rel.matches("[^/]+/(input\\.png|layers\\.gif|\\d+_.*)")) {
                    throw new ConvscopeException(f + " is inside the output folder " + out
                            + " where convscope may write; choose another --out");
                }
            }
        }
        try {
            if (Files.exists(out) && !Files.isDirectory(out)) {
                throw new ConvscopeException("--out " + out + " is a file, not a folder");
            }
        } catch (SecurityException e) {
            throw new ConvscopeException("--out " + out + ": " + e.getMessage());
        }
    }
}
