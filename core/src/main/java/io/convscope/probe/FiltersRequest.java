package io.convscope.probe;

import io.convscope.ConvscopeException;
import io.convscope.Setting;
import io.convscope.activations.Activations;
import io.convscope.activations.LayerActivations;
import io.convscope.activations.LayerStats;
import io.convscope.image.ImageLoader;
import io.convscope.image.ImageTensor;
import io.convscope.image.Resize;
import io.convscope.memory.MemoryLimits;
import io.convscope.network.Network;
import io.convscope.optimize.GradientImages;

import java.nio.file.Path;
import java.util.List;

/**
 * Channel visualization ({@code filters}): what each chosen channel of {@code layer} responds to most.
 *
 * @param layer    the layer
 * @param channels the channels, or null for the first 64 (or the {@code top} most active on {@code image})
 * @param top      the number of channels most active (by mean) on {@code image} instead of {@code channels}, or null
 * @param image    the image {@code top} ranks channels on, or null
 * @param columns  columns of the sheet
 * @param settings the optimisation (size, steps, …)
 * @param gifEvery a GIF frame every that many steps, or null for no GIF
 * @param out      the output folder
 */
public record FiltersRequest(String layer, int[] channels, Integer top, Path image, int columns, GradientImages.Settings settings,
                             Integer gifEvery, Path out) {

    /** The channels (the ranking by {@code top} runs the network once on the image) and the memory refusal. */
    public FiltersPlan plan(Network net, MemoryLimits limits) {
        if (channels != null && top != null) {
            throw new ConvscopeException(Setting.CHANNELS + " and " + Setting.TOP + " exclude each other");
        }
        if (top != null && image == null) {
            throw new ConvscopeException(Setting.TOP + " ranks channels on an image: give " + Setting.IMAGE + " IMAGE");
        }
        GradientImages.requireLayer(net, layer); // before top computes activations of it
        int available = net.node(layer).outputShape().isSpatial() ? net.node(layer).outputShape().channels() : 0;
        int[] chosen;
        if (top != null) {
            var pic = ImageLoader.load(image);
            ImageTensor x = ImageTensor.of(pic, image.toString(), net.inputShape(), net.preprocessing(), Resize.CROP);
            LayerActivations a = Activations.compute(net.cut(List.of(layer), x.h(), x.w()).orNeedsModelSize(x.w(), x.h()), x, List.of(layer)).layer(layer);
            chosen = a.stats().get(0).top(top, LayerStats.Rank.MEAN).stream().mapToInt(LayerStats.Ranked::channel).toArray();
        } else {
            chosen = channels == null ? range(0, Math.min(64, Math.max(available, 1)) - 1) : channels.clone();
        }
        if (net.node(layer).outputShape().isSpatial()) {
            int frames = GradientProbe.gifFrames(gifEvery, settings.steps());
            int n = chosen.length;
            GradientImages.channelsNeed(net, layer, n, settings, settings.size(), frames).check(limits,
                    "filters of " + n + (n == 1 ? " channel" : " channels") + " of " + layer + " at " + settings.size() + "×"
                            + settings.size(), settings.size(), 8, s -> GradientImages.channelsNeed(net, layer, n, settings, s, frames));
        }
        return new FiltersPlan(this, net, chosen);
    }

    static int[] range(int from, int to) {
        int[] r = new int[to - from + 1];
        for (int i = 0; i < r.length; i++) {
            r[i] = from + i;
        }
        return r;
    }
}
