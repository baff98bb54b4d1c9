package io.convscope.probe;

import io.convscope.ConvscopeException;
import io.convscope.Setting;

import io.convscope.memory.MemoryLimits;
import io.convscope.network.Network;
import io.convscope.optimize.GradientImages;
import io.convscope.optimize.Logits;

import java.nio.file.Path;
import java.util.List;

/**
 * Class visualization ({@code classviz}): the images each class's score likes most.
 *
 * @param classes  class names or numbers
 * @param settings the optimisation; a size of 0 takes the model's own (224 for a model of any size)
 * @param gifEvery a GIF frame every that many steps, or null
 * @param out      the output folder
 */
public record ClassvizRequest(List<String> classes, GradientImages.Settings settings, Integer gifEvery, Path out) {
    /** The side when neither the request nor the model gives one. */
    public static final int DEFAULT_SIZE = 224;

    /** Resolves the classes and the size, and refuses what would not fit in {@code limits}. */
    public ClassvizPlan plan(Network net, MemoryLimits limits) {
        GradientProbe.requireImages(net);
        int[] idx = GradientImages.classIndices(net, classes);
        GradientImages.Settings s = settings;
        if (s.size() <= 0) {
            s = s.withSize(net.inputShape().height() > 0 ? net.inputShape().height() : DEFAULT_SIZE);
        }
        if (s.octaves() > 1 && net.inputShape().height() > 0 && !fitsOctaves(net, s)) {
            throw new ConvscopeException(Setting.OCTAVES + " needs a model that takes any image size; " + net.name() + " takes only "
                    + net.inputShape().width() + "×" + net.inputShape().height());
        }
        GradientImages.Settings fixed = s;
        int frames = GradientProbe.gifFrames(gifEvery, s.steps());
        int last = GradientImages.lastOctaveSize(s.size(), s.octaves(), s.octaveScale());
        GradientImages.classesNeed(net, idx.length, s, s.size(), frames).check(limits,
                "classviz of " + idx.length + (idx.length == 1 ? " class" : " classes") + " at " + last + "×" + last, s.size(), 8,
                z -> GradientImages.classesNeed(net, idx.length, fixed, z, frames));
        return new ClassvizPlan(this, net, idx, s);
    }

    /** Whether the class scores can be computed at every octave's size. */
    private static boolean fitsOctaves(Network net, GradientImages.Settings s) {
        Network scores = Logits.of(net).network();
        int size = s.size();
        try {
            for (int i = 0; i < s.octaves(); i++) {
                scores.cut(net.outputs(), size, size).orNeedsModelSize(size, size);
                size = (int) Math.round(size * s.octaveScale());
            }
            return true;
        } catch (ConvscopeException e) {
            return false;
        }
    }
}
