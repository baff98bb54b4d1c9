package io.convscope.probe;


import io.convscope.activations.LayerSelection;
import io.convscope.image.ImageLoader;
import io.convscope.image.Resize;
import io.convscope.memory.MemoryLimits;
import io.convscope.memory.MemoryNeed;
import io.convscope.network.Network;
import io.convscope.optimize.GradientImages;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;

/**
 * Reconstruction ({@code reconstruct}): an image rebuilt from each chosen layer's feature map.
 *
 * @param image    the image to rebuild
 * @param layers   layer names or globs; empty: one layer per block
 * @param resize   how the image is fitted to the size
 * @param settings the optimisation; a size of 0 takes the model's input size (224 for a model of any size)
 * @param gifEvery a GIF frame every that many steps, or null
 * @param out      the output folder (a folder per image inside it)
 */
public record ReconstructRequest(Path image, List<String> layers, Resize resize, GradientImages.Settings settings, Integer gifEvery,
                                 Path out) {
    /** The side when neither the request nor the model gives one. */
    public static final int DEFAULT_SIZE = 224;

    /** Loads the image, resolves the size and the layers, and refuses what would not fit in {@code limits}. */
    public ReconstructPlan plan(Network net, MemoryLimits limits) {
        return plan(ImageLoader.load(image), net, limits);
    }

    /** {@link #plan(Network, MemoryLimits)} with the picture already loaded. */
    public ReconstructPlan plan(BufferedImage picture, Network net, MemoryLimits limits) {
        GradientProbe.requireImages(net);
        int side = net.inputShape().height() > 0 ? net.inputShape().height() : DEFAULT_SIZE;
        boolean given = settings.size() > 0;
        GradientImages.Settings s = given ? settings : settings.withSize(side);
        int h = given ? s.size() : side;
        int w = given ? s.size() : (net.inputShape().width() > 0 ? net.inputShape().width() : side);
        Network probe = net.inputShape().height() == h && net.inputShape().width() == w ? net : net.fittingPrefix(h, w);
        List<String> chosen = (layers.isEmpty() ? new LayerSelection(List.of(), false, true, false)
                : new LayerSelection(layers, false, false, false)).resolve(probe);
        // the layers run one after another: the deepest one's need decides
        int frames = GradientProbe.gifFrames(gifEvery, s.steps());
        String deepest = chosen.get(chosen.size() - 1);
        GradientImages.Settings fixed = s;
        MemoryNeed need = GradientImages.reconstructNeed(net, deepest, s, h, w, frames);
        need.check(limits, "reconstruct from " + deepest + " at " + w + "×" + h, Math.max(h, w), 8,
                z -> GradientImages.reconstructNeed(net, deepest, fixed, z, z, frames));
        return new ReconstructPlan(this, net, picture, s, h, w, chosen);
    }
}
