package io.convscope.cli;

import io.convscope.ConvscopeException;
import io.convscope.engine.Devices;
import io.convscope.engine.Engine;
import io.convscope.image.ImageTensor;
import io.convscope.image.Resize;
import io.convscope.network.Network;
import io.convscope.optimize.GradientImages;
import io.convscope.optimize.Listeners;
import io.convscope.optimize.Optimization;
import io.convscope.render.Grid;
import io.convscope.render.Png;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code convscope classviz}: the images that maximise class scores. */
@Command(name = "classviz", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Draws the image that each class's score likes most (class visualization by gradient ascent).",
            "Maximises the pre-softmax score of each --class, all classes as one batch, from a random Fourier-space image "
                + "(Lucid's decorrelated parameterization) under random jitter, scale and rotation, with a light total-variation "
                + "penalty. Then classifies each final image with the same model and prints the probability of its class.",
            "Writes, into --out: one PNG per class (01_egyptian_cat.png, …), classes.png (a labelled grid), metrics.csv "
                + "(loss per step) and, with --gif, progress.gif.",
            "Defaults (tried on SqueezeNet 1.1, where 128 steps give five classes at p > 0.99): 224 px (or the model's size), 128 Adam steps at 0.05, --tv 0.05; "
                + "--octaves 2 or 3 adds detail on models that take any size."},
        footer = {"", "Examples:",
            "  convscope classviz --model squeezenet.onnx --preprocess torch --labels synset.txt --class 'Egyptian cat' --class 281",
            "  convscope classviz --model vgg16 --class goldfish,volcano --steps 400 --gif 10",
            "  convscope classviz --class sneaker,bag        (the embedded Fashion-MNIST model, 28 px)"})
public final class ClassvizCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = {"-c", "--class"}, split = ",", paramLabel = "NAME|INDEX", required = true,
            description = "Class names (matched case-insensitively against the model's labels) or numbers; repeat or separate by commas.")
    List<String> classes;

    @Option(names = "--octaves", paramLabel = "N", defaultValue = "1",
            description = "Rounds of optimisation, each on the previous image enlarged by --octave-scale (default ${DEFAULT-VALUE}).")
    int octaves;

    @Option(names = "--octave-scale", paramLabel = "F", defaultValue = "1.25", description = "Enlargement per octave (default ${DEFAULT-VALUE}).")
    double octaveScale;

    @Mixin
    OptimizeOptions opt;

    @Option(names = {"-o", "--out"}, defaultValue = "convscope-out/classviz", paramLabel = "DIR",
            description = "Output folder (default ${DEFAULT-VALUE}); files of the same name are replaced.")
    Path out;

    @Override
    public Integer call() {
        if (octaves < 1 || octaves > 8) {
            throw new ConvscopeException("--octaves must be between 1 and 8");
        }
        if (!(octaveScale >= 1 && octaveScale <= 4)) {
            throw new ConvscopeException("--octave-scale must be between 1 and 4");
        }
        var request = modelOptions.request();
        io.convscope.model.ModelLoader.check(request);
        var device = Devices.choose(modelOptions.device);
        Network net = modelOptions.load();
        if (!net.inputShape().isSpatial()) {
            throw new ConvscopeException(net.name() + " does not take images (input " + net.inputShape().toKerasString() + ")");
        }
        int[] idx = GradientImages.classIndices(net, classes);
        GradientImages.Settings d = GradientImages.Settings.classes();
        if (net.inputShape().height() > 0 && opt.size == null) {
            d = d.withSize(net.inputShape().height());
        }
        GradientImages.Settings s = opt.settings(d, device);
        s = new GradientImages.Settings(s.size(), s.steps(), s.learningRate(), s.seed(), s.tv(), s.l2(), s.fourier(), s.transforms(),
                octaves, octaveScale, s.optimizer(), s.device());
        if (octaves > 1 && net.inputShape().height() > 0 && !fitsOctaves(net, s)) {
            throw new ConvscopeException("--octaves needs a model that takes any image size; " + net.name() + " takes only "
                    + net.inputShape().width() + "×" + net.inputShape().height());
        }
        Path dir = GradientOutput.folder(out);
        int c = net.inputShape().channels();
        Optimization.Result r = GradientImages.classes(net, idx, s,
                GradientOutput.listeners("classviz " + idx.length + (idx.length == 1 ? " class" : " classes"), dir.resolve("metrics.csv"),
                        dir.resolve("progress.gif"), opt.gifEvery, new int[] {idx.length, c, s.size(), s.size()}));

        // judge the final, untransformed images with the same model at its own size
        List<BufferedImage> pictures = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < idx.length; i++) {
            pictures.add(Listeners.picture(r.image(), r.shape(), i));
            names.add(net.label(idx[i]));
        }
        int h = net.inputShape().height() > 0 ? net.inputShape().height() : r.shape()[2];
        int w = net.inputShape().width() > 0 ? net.inputShape().width() : r.shape()[3];
        float[][] probs;
        try (Engine e = Engine.create(net.cut(net.outputs(), h, w).orThrow(), device)) {
            ImageTensor x = ImageTensor.of(pictures, names, io.convscope.image.ImageTensor.withSize(net.inputShape(), h, w),
                    net.preprocessing(), Resize.STRETCH);
            try (var scope = e.manager().newSubManager()) {
                probs = e.predict(e.input(scope, x.data(), x.n(), x.c(), x.h(), x.w()));
            }
        }
        PrintWriter o = spec.commandLine().getOut();
        o.printf(Locale.ROOT, "%-4s %-28s %8s   %s%n", "#", "class", "p(class)", "the model's top class for the image");
        Grid grid = new Grid().title(net.name() + " · classviz · " + s.size() + " px · " + s.steps() + " steps · seed " + s.seed())
                .columns(Math.min(idx.length, 4)).minTileSize(Math.min(224, Math.max(112, s.size())));
        for (int i = 0; i < idx.length; i++) {
            int top = 0;
            for (int k = 1; k < probs[i].length; k++) {
                if (probs[i][k] > probs[i][top]) {
                    top = k;
                }
            }
            String label = net.label(idx[i]);
            o.printf(Locale.ROOT, "%-4d %-28s %8.4f   %s (%.4f)%n", idx[i], label, probs[i][idx[i]], net.label(top), probs[i][top]);
            Png.write(dir.resolve(GradientOutput.number(i + 1, idx.length) + "_" + GradientOutput.slug(label) + ".png"), pictures.get(i));
            grid.add(pictures.get(i), String.format(Locale.ROOT, "%s (%d) p=%.3f", label, idx[i], probs[i][idx[i]]));
        }
        Png.write(dir.resolve("classes.png"), grid.render());
        o.println("Wrote " + (idx.length + 2 + (opt.gifEvery != null ? 1 : 0)) + " files to " + dir + "; see " + dir.resolve("classes.png"));
        o.flush();
        return 0;
    }

    /** Whether the class scores can be computed at every octave's size. */
    private static boolean fitsOctaves(Network net, GradientImages.Settings s) {
        Network scores = io.convscope.optimize.Logits.of(net).network();
        int size = s.size();
        try {
            for (int i = 0; i < s.octaves(); i++) {
                scores.cut(net.outputs(), size, size).orThrow();
                size = (int) Math.round(size * s.octaveScale());
            }
            return true;
        } catch (ConvscopeException e) {
            return false;
        }
    }
}
