package io.convscope.cli;

import io.convscope.ConvscopeException;
import io.convscope.engine.Devices;
import io.convscope.image.ImageLoader;
import io.convscope.image.Resize;
import io.convscope.memory.MemoryLimits;
import io.convscope.network.Network;
import io.convscope.optimize.GradientImages;
import io.convscope.probe.ReconstructPlan;
import io.convscope.probe.ReconstructRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code convscope reconstruct}: an image rebuilt from each layer's feature map. */
@Command(name = "reconstruct", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Rebuilds an image from what one layer computes for it, for each chosen layer (Mahendran & Vedaldi 2015).",
            "Starting from faint noise, L-BFGS changes the pixels until the layer's feature map matches the original's; deep "
                + "layers keep what the network needs to classify and lose the rest, so detail fades with depth.",
            "Writes, into --out/IMAGE: 01_LAYER.png per layer in network order, panel.png (the original and every "
                + "reconstruction, labelled with the normalized error), errors.csv and errors.png (the error ‖Φ(x) − Φ₀‖² / ‖Φ₀‖² "
                + "per layer), 01_LAYER_metrics.csv per layer (loss per step); with --gif, 01_LAYER_progress.gif per layer.",
            "Defaults: one layer per block (as --blocks in activations), the model's input size, 150 L-BFGS steps, --tv 0.001."},
        footer = {"", "Examples:",
            "  convscope reconstruct samples/fashion-mnist/7_sneaker.png",
            "  convscope reconstruct -m vgg16 -l block1_conv2,block5_conv3 cat.jpg",
            "  convscope reconstruct -m squeezenet1.1 --steps 300 cat.png",
            "  convscope reconstruct -m net.onnx --preprocess torch cat.png"})
public final class ReconstructCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Parameters(arity = "1", paramLabel = "IMAGE", description = "The image to rebuild.")
    Path imagePath;

    @Option(names = {"-l", "--layers"}, split = ",", paramLabel = "NAME|GLOB",
            description = "Layers by name or glob (default: the last layer of each block).")
    List<String> layers = new ArrayList<>();

    @Option(names = "--resize", defaultValue = "crop", paramLabel = "crop|stretch|pad|imagenet",
            description = "How the image is fitted to the size (default ${DEFAULT-VALUE})."
                    + InputOptions.RESIZE_MODES)
    Resize resize;

    @Mixin
    OptimizeOptions opt;

    @Option(names = {"-o", "--out"}, defaultValue = "convscope-out/reconstruct", paramLabel = "DIR",
            description = "Output folder (default ${DEFAULT-VALUE}); a folder per image inside it.")
    Path out;

    @Override
    public Integer call() {
        io.convscope.model.ModelLoader.check(modelOptions.request());
        var device = Devices.choose(modelOptions.device);
        BufferedImage picture = ImageLoader.load(imagePath);
        Network net = modelOptions.load();
        if (!net.inputShape().isSpatial()) {
            throw new ConvscopeException(net.name() + " does not take images (input " + net.inputShape().toKerasString() + ")");
        }
        int px = opt.size != null ? opt.size : net.inputShape().height() > 0 ? net.inputShape().height() : 224;
        GradientImages.Settings s = opt.settings(GradientImages.Settings.reconstruction(px, px), device);
        ReconstructPlan plan = new ReconstructRequest(imagePath, layers, resize, s, opt.gifEvery(s.steps()), out)
                .plan(picture, net, MemoryLimits.current(device));
        PrintWriter o = spec.commandLine().getOut();
        o.printf(Locale.ROOT, "%-4s %-28s %s%n", "#", "layer", "normalized error ‖Φ(x) − Φ₀‖² / ‖Φ₀‖²");
        plan.run(ConsoleProgress.create(), l -> {
            o.printf(Locale.ROOT, "%-4d %-28s %.4f%n", l.position(), l.layer(), l.error());
            o.flush();
        });
        o.println("Wrote " + plan.fileCount() + " files to " + plan.folder() + "; see " + plan.panel());
        o.flush();
        return 0;
    }
}
