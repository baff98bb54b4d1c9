package io.convscope.cli;

import io.convscope.ConvscopeException;
import io.convscope.engine.Devices;
import io.convscope.memory.MemoryLimits;
import io.convscope.network.Network;
import io.convscope.optimize.GradientImages;
import io.convscope.probe.ClassvizPlan;
import io.convscope.probe.ClassvizRequest;
import io.convscope.util.Phases;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
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
            "  convscope classviz -m squeezenet1.1 --class 'Egyptian cat' --class 281",
            "  convscope classviz -m vgg16 --class goldfish,volcano --steps 400 --gif",
            "  convscope classviz --class sneaker,bag      # the embedded model, 28 px"})
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

    @Mixin
    TransformOptions transforms;

    @Option(names = {"-o", "--out"}, defaultValue = "convscope-out/classviz", paramLabel = "DIR",
            description = "Output folder (default ${DEFAULT-VALUE}); files of the same name are replaced.")
    Path out;

    @Override
    public Integer call() {
        Phases.mark("start");
        if (octaves < 1 || octaves > 8) {
            throw new ConvscopeException("--octaves must be between 1 and 8");
        }
        if (!(octaveScale >= 1 && octaveScale <= 4)) {
            throw new ConvscopeException("--octave-scale must be between 1 and 4");
        }
        io.convscope.model.ModelLoader.check(modelOptions.request());
        var device = Devices.choose(modelOptions.device);
        Network net = modelOptions.load();
        GradientImages.Settings s = opt.settings(GradientImages.Settings.classes().withSize(0), device, transforms.noTransforms).withOctaves(octaves, octaveScale);
        ClassvizPlan plan = new ClassvizRequest(classes, s, opt.gifEvery(s.steps()), out).plan(net, MemoryLimits.current(device));
        List<ClassvizPlan.Judged> judged = plan.run(ConsoleProgress.create());
        PrintWriter o = spec.commandLine().getOut();
        o.printf(Locale.ROOT, "%-4s %-28s %8s   %s%n", "#", "class", "p(class)", "the model's top class for the image");
        for (ClassvizPlan.Judged j : judged) {
            o.printf(Locale.ROOT, "%-4d %-28s %8.4f   %s (%.4f)%n", j.classIndex(), j.label(), j.probability(), j.topLabel(),
                    j.topProbability());
        }
        o.println("Wrote " + plan.files().size() + " files to " + out + "; see " + plan.sheet());
        o.flush();
        return 0;
    }
}
