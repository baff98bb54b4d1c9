package io.convscope.explain;

import io.convscope.ConvscopeException;
import io.convscope.Setting;
import io.convscope.network.Network;
import io.convscope.optimize.GradientImages;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Which classes to explain: the predicted class (default), classes by name or index, or the top K.
 * Names match the model's labels case-insensitively, with nearest-name suggestions (the matching
 * classviz uses).
 */
public record Targets(List<String> classes, int top) {

    /** The predicted class of each image. */
    public static Targets predicted() {
        return new Targets(List.of(), 1);
    }

    /** The same classes for every image. */
    public static Targets of(List<String> classes) {
        return new Targets(List.copyOf(classes), 0);
    }

    /** The k most probable classes of each image. */
    public static Targets top(int k) {
        if (k < 1) {
            throw new ConvscopeException(Setting.TOP + " must be at least 1");
        }
        return new Targets(List.of(), k);
    }

    /** Checks names and indices against the network (before any image is read). */
    public int[] fixed(Network net, int classes) {
        if (classes <= 1) {
            throw new ConvscopeException(net.name() + " has no classifier (output " + net.outputShape().toKerasString()
                    + "); explain needs class scores (was " + Setting.NO_TOP + " given?)");
        }
        return classes().isEmpty() ? null : GradientImages.classIndices(net, classes());
    }

    /** The classes to explain for each image, from its probabilities. */
    public int[][] resolve(Network net, float[][] probabilities) {
        int[] fixed = fixed(net, probabilities[0].length);
        int[][] out = new int[probabilities.length][];
        for (int i = 0; i < probabilities.length; i++) {
            out[i] = fixed != null ? fixed : topK(probabilities[i], Math.max(1, top));
        }
        return out;
    }

    /** The indices of the k largest values, largest first (ties: lower index first). */
    public static int[] topK(float[] p, int k) {
        Integer[] idx = new Integer[p.length];
        for (int i = 0; i < p.length; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, Comparator.comparingDouble((Integer i) -> -p[i]).thenComparingInt(i -> i));
        int n = Math.min(k, p.length);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = idx[i];
        }
        return out;
    }
}
