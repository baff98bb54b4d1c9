package io.convscope.cli;

import io.convscope.ConvscopeException;
import io.convscope.activations.LayerSelection;
import io.convscope.engine.Devices;
import io.convscope.image.ImageLoader;
import io.convscope.image.ImageTensor;
import io.convscope.image.Resize;
import io.convscope.network.Network;
import io.convscope.network.Preprocessing;
import io.convscope.optimize.GradientImages;
import io.convscope.optimize.Listeners;
import io.convscope.render.Grid;
import io.convscope.render.LinePlot;
import io.convscope.render.Png;
import io.convscope.util.AtomicFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
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
                + "per layer), metrics.csv (loss per step).",
            "Defaults: one layer per block (as --blocks in activations), the model's input size, 150 L-BFGS steps, --tv 0.001."},
        footer = {"", "Examples:",
            "  convscope reconstruct samples/fashion-mnist/7_sneaker.png",
            "  convscope reconstruct --model vgg16 --layers block1_conv2,block3_conv3,block5_conv3 cat.jpg",
            "  convscope reconstruct --model squeezenet.onnx --preprocess torch --steps 300 cat.png"})
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
    String resize;

    @Mixin
    OptimizeOptions opt;

    @Option(names = {"-o", "--out"}, defaultValue = "convscope-out/reconstruct", paramLabel = "DIR",
            description = "Output folder (default ${DEFAULT-VALUE}); a folder per image inside it.")
    Path out;

    @Override
    public Integer call() {
        Resize mode = Resize.byName(resize);
        if (mode == null) {
            throw new ConvscopeException("unknown --resize '" + resize + "': use " + Resize.names());
        }
        var request = modelOptions.request();
        io.convscope.model.ModelLoader.check(request);
        var device = Devices.choose(modelOptions.device);
        BufferedImage picture = ImageLoader.load(imagePath);
        Network net = modelOptions.load();
        if (!net.inputShape().isSpatial()) {
            throw new ConvscopeException(net.name() + " does not take images (input " + net.inputShape().toKerasString() + ")");
        }
        GradientImages.Settings d = GradientImages.Settings.reconstruction();
        int side = net.inputShape().height() > 0 ? net.inputShape().height() : 224;
        GradientImages.Settings s = opt.settings(d.withSize(side), device);
        int h = opt.size != null ? s.size() : side;
        int w = opt.size != null ? s.size() : (net.inputShape().width() > 0 ? net.inputShape().width() : side);
        Network probe = net.inputShape().height() == h && net.inputShape().width() == w ? net
                : net.fittingPrefix(h, w);
        List<String> chosen = (layers.isEmpty() ? new LayerSelection(List.of(), false, true, false)
                : new LayerSelection(layers, false, false, false)).resolve(probe);
        // the image as the model sees it, in [0, 1]
        ImageTensor x = ImageTensor.of(picture, imagePath.toString(), io.convscope.network.TensorShape.chw(net.inputShape().channels(), h, w),
                Preprocessing.UNIT, mode);
        String stem = GradientOutput.slug(stem(imagePath));
        Path dir = GradientOutput.folder(out.resolve(stem));
        PrintWriter o = spec.commandLine().getOut();
        List<BufferedImage> panel = new ArrayList<>();
        List<String> captions = new ArrayList<>();
        panel.add(ImageTensor.toImage(x.data(), x.c(), h, w, Preprocessing.UNIT));
        captions.add("original");
        StringBuilder csv = new StringBuilder("position,layer,normalized_error\n");
        double[] errors = new double[chosen.size()];
        o.printf(Locale.ROOT, "%-4s %-28s %s%n", "#", "layer", "normalized error ‖Φ(x) − Φ₀‖² / ‖Φ₀‖²");
        for (int i = 0; i < chosen.size(); i++) {
            String layer = chosen.get(i);
            String num = GradientOutput.number(i + 1, chosen.size());
            GradientImages.Reconstruction r = GradientImages.reconstruct(net, x.data(), h, w, layer, s,
                    GradientOutput.listeners("reconstruct " + layer + " (" + (i + 1) + "/" + chosen.size() + ")",
                            dir.resolve(num + "_" + GradientOutput.slug(layer) + "_metrics.csv"),
                            dir.resolve(num + "_" + GradientOutput.slug(layer) + "_progress.gif"), opt.gifEvery, new int[] {1, x.c(), h, w}));
            BufferedImage img = Listeners.picture(r.image(), r.shape(), 0);
            Png.write(dir.resolve(num + "_" + GradientOutput.slug(layer) + ".png"), img);
            panel.add(img);
            captions.add(String.format(Locale.ROOT, "%s · %.3f", layer, r.error()));
            errors[i] = r.error();
            csv.append(i + 1).append(',').append(layer).append(',').append(String.format(Locale.ROOT, "%.6g", r.error())).append('\n');
            o.printf(Locale.ROOT, "%-4d %-28s %.4f%n", i + 1, layer, r.error());
            o.flush();
        }
        AtomicFiles.write(dir.resolve("errors.csv"), os -> os.write(csv.toString().getBytes(StandardCharsets.UTF_8)));
        Png.write(dir.resolve("panel.png"), Grid.panel(net.name() + " · " + stem + " rebuilt from each layer · " + s.steps() + " steps",
                panel, captions));
        Png.write(dir.resolve("errors.png"), new LinePlot("normalized reconstruction error by layer (" + net.name() + ")")
                .xLabel("layer (network order)").yLabel("‖Φ(x) − Φ₀‖² / ‖Φ₀‖²").series("error", errors).render());
        o.println("Wrote " + (chosen.size() * (opt.gifEvery != null ? 3 : 2) + 3) + " files to " + dir + "; see " + dir.resolve("panel.png"));
        o.flush();
        return 0;
    }

    private static String stem(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }
}
