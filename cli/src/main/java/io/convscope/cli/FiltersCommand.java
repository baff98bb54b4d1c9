package io.convscope.cli;

import io.convscope.ConvscopeException;
import io.convscope.activations.Activations;
import io.convscope.activations.LayerActivations;
import io.convscope.engine.Devices;
import io.convscope.image.ImageLoader;
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

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
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
            "  convscope filters --model squeezenet.onnx --preprocess torch --layer fire5/concat --top 16 --image cat.png"})
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
        var request = modelOptions.request();
        io.convscope.model.ModelLoader.check(request);
        var device = Devices.choose(modelOptions.device);
        Network net = modelOptions.load();
        GradientImages.requireLayer(net, layer); // before --top computes activations of it
        int available = net.node(layer).outputShape().isSpatial() ? net.node(layer).outputShape().channels() : 0;
        int[] chosen;
        if (top != null) {
            var pic = ImageLoader.load(image);
            ImageTensor x = ImageTensor.of(pic, image.toString(), net.inputShape(), net.preprocessing(), Resize.CROP);
            LayerActivations a = Activations.compute(net.cut(List.of(layer), x.h(), x.w()).orThrow(), x, List.of(layer)).layer(layer);
            chosen = a.stats().get(0).top(top, io.convscope.activations.LayerStats.Rank.MEAN).stream()
                    .mapToInt(io.convscope.activations.LayerStats.Ranked::channel).toArray();
        } else {
            chosen = channels == null ? range(0, Math.min(64, Math.max(available, 1)) - 1) : parseChannels(channels);
        }
        GradientImages.Settings s = opt.settings(GradientImages.Settings.channels(), device);
        Path dir = GradientOutput.folder(out);
        int c = net.inputShape().channels();
        String file = GradientOutput.slug(layer);
        Optimization.Result r = GradientImages.channels(net, layer, chosen, s,
                GradientOutput.listeners("filters " + layer + " · " + chosen.length + " channels", dir.resolve(file + "_metrics.csv"),
                        dir.resolve(file + "_progress.gif"), opt.gifEvery, new int[] {chosen.length, c, s.size(), s.size()}));
        Grid grid = new Grid().title(net.name() + " · " + layer + " · " + chosen.length + " channels · " + s.size() + " px · "
                + s.steps() + " steps").columns(cols).minTileSize(Math.min(128, s.size()));
        for (int i = 0; i < chosen.length; i++) {
            var pic = Listeners.picture(r.image(), r.shape(), i);
            Png.write(dir.resolve(file).resolve(String.format(Locale.ROOT, "c%03d.png", chosen[i])), pic);
            grid.add(pic, "channel " + chosen[i]);
        }
        Path sheet = dir.resolve(file + ".png");
        Png.write(sheet, grid.render());
        PrintWriter o = spec.commandLine().getOut();
        o.println("Wrote " + (chosen.length + 2 + (opt.gifEvery != null ? 1 : 0)) + " files to " + dir + "; see " + sheet);
        o.flush();
        return 0;
    }

    static int[] range(int from, int to) {
        int[] r = new int[to - from + 1];
        for (int i = 0; i < r.length; i++) {
            r[i] = from + i;
        }
        return r;
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
