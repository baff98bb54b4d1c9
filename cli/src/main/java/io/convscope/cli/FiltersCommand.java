package io.convscope.cli;

import io.convscope.ConvscopeException;
import io.convscope.engine.Devices;
import io.convscope.memory.MemoryLimits;
import io.convscope.network.Network;
import io.convscope.optimize.GradientImages;
import io.convscope.probe.FiltersPlan;
import io.convscope.probe.FiltersRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.Callable;

/** {@code convscope filters}: what each channel of a layer responds to most. */
@Command(name = "filters", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Draws what each channel of a layer responds to most (channel visualization by gradient ascent).",
            "For each chosen channel, the image that maximises the channel's mean activation; all channels are optimised "
                + "as one batch, from random Fourier-space images under random jitter, scale and rotation.",
            "Writes, into --out: LAYER.png (a labelled grid, 8 per row: the classic 8×8 for 64 channels), LAYER/c007.png "
                + "per channel, metrics.csv and, with --gif, progress.gif.",
            "Defaults: the first 64 channels, 128 px, 128 Adam steps at 0.05, --tv 0.05."},
        footer = {"", "Examples:",
            "  convscope filters --layer block2_conv1",
            "  convscope filters --model vgg16 --layer block4_conv1 --channels 0-63",
            "  convscope filters -m squeezenet1.1 -l squeezenet0_concat3 --image cat.png"})
public final class FiltersCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = {"-l", "--layer"}, required = true, paramLabel = "NAME", description = "The layer (a convolution or pooling layer).")
    String layer;

    @Option(names = "--channels", paramLabel = "LIST", description = "Channels, e.g. 0-63 or 3,7,12-15 (default: the first 64).")
    String channels;

    @Option(names = "--top", paramLabel = "N", description = "The N channels most active (by mean) for --image instead of --channels.")
    Integer top;

    @Option(names = "--image", paramLabel = "IMAGE", description = "The image --top ranks the channels on.")
    Path image;

    @Option(names = "--cols", defaultValue = "8", paramLabel = "N", description = "Columns of the grid (default ${DEFAULT-VALUE}).")
    int cols;

    @Mixin
    OptimizeOptions opt;

    @Mixin
    TransformOptions transforms;

    @Option(names = {"-o", "--out"}, defaultValue = "convscope-out/filters", paramLabel = "DIR",
            description = "Output folder (default ${DEFAULT-VALUE}); files of the same name are replaced.")
    Path out;

    @Override
    public Integer call() {
        if (cols < 1) {
            throw new ConvscopeException("--cols must be at least 1");
        }
        if (channels != null && top != null) {
            throw new ConvscopeException("--channels and --top exclude each other");
        }
        if (top != null && image == null) {
            throw new ConvscopeException("--top ranks channels on an image: give --image IMAGE");
        }
        if (top != null && top < 1) {
            throw new ConvscopeException("--top must be at least 1");
        }
        io.convscope.model.ModelLoader.check(modelOptions.request());
        var device = Devices.choose(modelOptions.device);
        Network net = modelOptions.load();
        GradientImages.requireLayer(net, layer); // before the options' checks, as always
        int[] chosen = channels == null ? null : parseChannels(channels);
        GradientImages.Settings s = opt.settings(GradientImages.Settings.channels(), device, transforms.noTransforms);
        FiltersPlan plan = new FiltersRequest(layer, chosen, top, image, cols, s, opt.gifEvery(s.steps()), out).plan(net, MemoryLimits.current(device));
        plan.run(ConsoleProgress.create());
        PrintWriter o = spec.commandLine().getOut();
        o.println("Wrote " + plan.files().size() + " files to " + out + "; see " + plan.sheet());
        o.flush();
        return 0;
    }

    /** "0-63", "3,7,12-15". */
    static int[] parseChannels(String spec) {
        Set<Integer> out = new LinkedHashSet<>();
        for (String part : spec.split(",")) {
            String p = part.strip();
            if (!p.matches("\\d{1,6}(-\\d{1,6})?")) {
                throw new ConvscopeException("--channels '" + spec + "': give numbers and ranges, e.g. 0-63 or 3,7,12-15");
            }
            String[] ends = p.split("-");
            int a = Integer.parseInt(ends[0]);
            int b = ends.length == 2 ? Integer.parseInt(ends[1]) : a;
            if (b < a) {
                throw new ConvscopeException("--channels '" + p + "': the range runs backwards");
            }
            if (b - a > 4096) {
                throw new ConvscopeException("--channels '" + p + "': at most 4096 channels at once");
            }
            for (int i = a; i <= b; i++) {
                out.add(i);
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }
}
