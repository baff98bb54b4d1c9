package io.convscope.cli;

import io.convscope.ConvscopeException;
import io.convscope.engine.Devices;
import io.convscope.explain.ExplainRun;
import io.convscope.explain.IntegratedGradients;
import io.convscope.explain.Methods;
import io.convscope.explain.Metrics;
import io.convscope.explain.Score;
import io.convscope.explain.Targets;
import io.convscope.memory.MemoryLimits;
import io.convscope.image.Resize;
import io.convscope.network.Network;
import io.convscope.probe.ExplainPlan;
import io.convscope.probe.ExplainRequest;
import io.convscope.render.Colormap;
import io.convscope.util.Progress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code convscope explain}: attribution maps — why the model gave a class to an image. */
@Command(name = "explain", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Explains a prediction: maps of how much each pixel counts for a class's score.",
            "Methods: saliency, gradient-x-input, integrated-gradients, smoothgrad, guided-backprop, deconvnet (gradients); "
                + "gradcam, gradcam++, layercam, scorecam, guided-gradcam (class activation maps at --layer); occlusion, rise "
                + "(perturbation); or all.",
            "Writes, into --out: IMAGE/panel.png (the image, then one map per method and class over it, each labelled), "
                + "IMAGE/METHOD-CLASS.npy (every raw map, float32), occlusion's Fig. 7 maps, explain.csv and index.html.",
            "Scores are pre-softmax logits unless --score prob. The CAM layer defaults to the last layer with spatial maps before "
                + "the classifier."},
        footer = {"", "Examples:",
            "  convscope explain --method gradcam,integrated-gradients sneaker.png",
            "  convscope explain -m squeezenet1.1 --class 'Egyptian cat' --method all cat.png",
            "  convscope explain -m vgg16 --top 3 --method gradcam,occlusion photos/",
            "  convscope explain --method occlusion --window 32 --stride 16 cat.png",
            "  convscope explain --metrics deletion,insertion cat.png"})
public final class ExplainCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "Image files or folders.")
    List<String> images;

    @Option(names = "--method", split = ",", paramLabel = "M", defaultValue = "gradcam",
            description = "Methods, separated by commas, or all (default ${DEFAULT-VALUE}).")
    List<String> methods;

    @Option(names = {"-c", "--class"}, split = ",", paramLabel = "NAME|INDEX",
            description = "Classes to explain (names matched case-insensitively against the labels, or numbers); default: the predicted class.")
    List<String> classes;

    @Option(names = {"-k", "--top"}, paramLabel = "K", description = "Explain each image's K most probable classes.")
    Integer top;

    @Option(names = "--layer", paramLabel = "L", description = "The layer of the CAM methods and of occlusion's feature map (default: "
            + "the last layer with spatial maps before the classifier).")
    String layer;

    @Option(names = "--score", paramLabel = "logit|prob", defaultValue = "logit",
            description = "What the maps explain: the class's pre-softmax score (default) or its probability.")
    String score;

    @Option(names = "--colormap", paramLabel = "NAME", defaultValue = "inferno",
            description = "Colormap of unsigned maps (default ${DEFAULT-VALUE}); signed maps are blue-white-red.")
    String colormap;

    @Option(names = "--opacity", paramLabel = "A", defaultValue = "0.6", description = "Opacity of the map over the image (default ${DEFAULT-VALUE}).")
    float opacity;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "16",
            description = "Images per pass, and samples per internal pass of the methods (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--baseline", paramLabel = "black|blur|noise", defaultValue = "black",
            description = "integrated-gradients: where the path starts (default ${DEFAULT-VALUE}).")
    String baseline;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "64", description = "integrated-gradients: gradient evaluations (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--tolerance", paramLabel = "F", defaultValue = "0.05",
            description = "integrated-gradients: largest completeness error, as a fraction of f(x) - f(x'), before a warning (default ${DEFAULT-VALUE}).")
    double tolerance;

    @Option(names = "--noise", paramLabel = "F", defaultValue = "0.15",
            description = "smoothgrad: noise deviation as a fraction of the image's value range (default ${DEFAULT-VALUE}).")
    double noise;

    @Option(names = "--samples", paramLabel = "N", defaultValue = "25", description = "smoothgrad: noisy copies (default ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--smooth", paramLabel = "M", defaultValue = "saliency",
            description = "smoothgrad: the gradient method it averages (default ${DEFAULT-VALUE}).")
    String smoothOf;

    @Option(names = "--window", paramLabel = "PX", description = "occlusion: side of the grey square (default: an eighth of the input).")
    Integer window;

    @Option(names = "--stride", paramLabel = "PX", description = "occlusion: step of the square (default: half the window).")
    Integer stride;

    @Option(names = "--masks", paramLabel = "N", description = "rise: random masks (default: " + Methods.CPU_MASKS + " on a CPU, "
            + Methods.GPU_MASKS + " on a GPU; a forward pass each: more masks, smoother maps).")
    Integer masks;

    @Option(names = "--scorecam-channels", paramLabel = "N",
            description = "scorecam: 0 masks the image with every channel of the layer (Score-CAM); N > 0 with only the N channels "
                + "whose activations vary most (Faster Score-CAM, Tabayashi's variant: N forward passes per image instead of one per "
                + "channel). Default: " + Methods.CPU_SCORECAM_CHANNELS + " on a CPU, 0 on a GPU. Channels all zero on an image "
                + "share one pass.")
    Integer scorecamChannels;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "Seed of smoothgrad, rise and noise baselines (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--metrics", split = ",", paramLabel = "deletion,insertion",
            description = "Also score each map by the RISE deletion and insertion games (AUC of the probability, in explain.csv).")
    List<String> metrics;

    @Option(names = "--metric-steps", paramLabel = "N", defaultValue = "50", description = "Portions of pixels per game (default ${DEFAULT-VALUE}).")
    int metricSteps;

    @Option(names = "--sanity", description = "Instead of pictures, the cascading model-randomization test (Adebayo et al. 2018): "
            + "Spearman rank correlation of each method's maps with those of the model randomized from the logits down, layer by layer "
            + "(sanity.csv, sanity.png).")
    boolean sanity;

    @Option(names = "--sanity-layers", paramLabel = "N", defaultValue = "0",
            description = "--sanity: randomize at most N layers (default: all).")
    int sanityLayers;

    @Option(names = "--resize", defaultValue = "crop", paramLabel = "crop|stretch|pad|imagenet",
            description = "How an image is fitted to the model's input (default ${DEFAULT-VALUE})." + InputOptions.RESIZE_MODES)
    String resize;

    @Option(names = {"-o", "--out"}, defaultValue = "convscope-out/explain", paramLabel = "DIR",
            description = "Output folder (default ${DEFAULT-VALUE}), replaced as a whole when the run is complete; only a new, empty "
                + "or convscope output folder is accepted.")
    Path out;

    @Override
    public Integer call() {
        if (classes != null && top != null) {
            throw new ConvscopeException("give --class or --top, not both");
        }
        List<String> ms = Methods.parse(methods);
        Colormap cmap = Colormap.byName(colormap);
        if (cmap == null) {
            throw new ConvscopeException("unknown --colormap '" + colormap + "': use " + String.join(", ", Colormap.names()));
        }
        Resize mode = Resize.byName(resize);
        if (mode == null) {
            throw new ConvscopeException("unknown --resize '" + resize + "': use " + Resize.names());
        }
        if (masks != null && masks < 1) {
            throw new ConvscopeException("--masks must be at least 1");
        }
        if (scorecamChannels != null && scorecamChannels < 0) {
            throw new ConvscopeException("--scorecam-channels must be 0 (every channel) or more");
        }
        Score kind = Score.byName(score);
        List<String> metricNames = metrics == null ? List.of() : Metrics.parse(metrics);
        Targets targets = classes != null ? Targets.of(classes) : top != null ? Targets.top(top) : Targets.predicted();
        Methods.Settings settings = new Methods.Settings(layer, IntegratedGradients.Baseline.byName(baseline), steps, noise, samples,
                smoothOf.strip().toLowerCase(Locale.ROOT), window == null ? -1 : window, stride == null ? -1 : stride,
                masks == null ? -1 : masks, 7, 0.5, seed, scorecamChannels == null ? -1 : scorecamChannels);
        ExplainRequest request = new ExplainRequest(images, ms, targets, settings, kind, batch, cmap, opacity, metricNames, metricSteps,
                mode, tolerance, out);
        var modelRequest = modelOptions.request();
        io.convscope.model.ModelLoader.check(modelRequest);
        var device = Devices.choose(modelOptions.device);
        List<Path> files = request.inputs();
        Network net = modelOptions.load();
        if (sanity) {
            if (net.inputShape().height() < 0 || net.inputShape().width() < 0) {
                throw new ConvscopeException(net.name() + " has no classifier (was --no-top given?); explain needs class scores");
            }
            return sanity(net, files, ms, targets, settings, kind, mode, device, out);
        }
        ExplainPlan plan = request.plan(files, net, MemoryLimits.current(device));
        PrintWriter err = spec.commandLine().getErr();
        Progress bar = ConsoleProgress.create();
        ExplainRun.Result r = plan.run(device, bar, line -> {
            err.println("convscope: warning: " + Flags.message(new ConvscopeException(line)));
            err.flush();
        });
        PrintWriter o = spec.commandLine().getOut();
        o.printf(Locale.ROOT, "%-24s %-20s %-24s %8s %12s%s%n", "image", "method", "class", "p", "completeness",
                metricNames.isEmpty() ? "" : "  deletion insertion");
        for (ExplainRun.Row row : r.rows()) {
            o.printf(Locale.ROOT, "%-24s %-20s %-24s %8.4f %12s%s%n", Path.of(row.image()).getFileName(), row.method(), row.className(),
                    row.probability(), Double.isNaN(row.completeness()) ? "" : String.format(Locale.ROOT, "%.3g", row.completeness()),
                    metricNames.isEmpty() ? "" : String.format(Locale.ROOT, "  %8s %9s", fmt(row.deletion()), fmt(row.insertion())));
        }
        o.println("Wrote " + r.files().size() + " files to " + out + "; see " + plan.index());
        o.flush();
        return 0;
    }

    private int sanity(Network net, List<Path> files, List<String> ms, Targets targets, Methods.Settings settings, Score kind, Resize mode,
                       ai.djl.Device device, Path dir) {
        if (files.size() > batch) {
            throw new ConvscopeException("--sanity takes at most --batch images (" + batch + "), got " + files.size());
        }
        var input = io.convscope.image.ImageTensor.withSize(net.inputShape(), net.inputShape().height(), net.inputShape().width());
        io.convscope.image.ImageTensor x = io.convscope.image.ImageTensor.load(files, input, net.preprocessing(), mode);
        int[] t = new int[x.n()];
        try (io.convscope.explain.ExplainContext ctx = io.convscope.explain.ExplainContext.of(net, kind, device, batch)) {
            int[][] all = targets.resolve(net, ctx.probabilities(x.data(), x.n(), x.c(), x.h(), x.w()));
            for (int i = 0; i < t.length; i++) {
                t[i] = all[i][0];
            }
        }
        io.convscope.explain.Sanity.Result r = io.convscope.explain.Sanity.run(net, x, t, ms, settings, kind, device, batch, seed,
                sanityLayers);
        String csv = r.csv();
        io.convscope.util.AtomicFiles.write(dir.resolve("sanity.csv"), o -> o.write(csv.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        io.convscope.render.Png.write(dir.resolve("sanity.png"), r.plot(net.name() + ": cascading randomization, " + x.n()
                + (x.n() == 1 ? " image" : " images")));
        PrintWriter o = spec.commandLine().getOut();
        o.print(r.table());
        o.println("Wrote 2 files to " + dir + "; see " + dir.resolve("sanity.png"));
        o.flush();
        return 0;
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.4f", v);
    }
}
