package io.convscope.explain;

import java.util.List;

/**
 * Attribution maps of a batch: one map of height × width values per image (at the model's input
 * resolution), row-major. {@code signed} maps have meaningful signs (drawn with a diverging colormap);
 * {@code completeness} holds, for integrated gradients, ∑attr − (f(x) − f(x′)) per image, and
 * {@code delta} f(x) − f(x′) (both null for other methods).
 */
public record Maps(List<float[]> values, int height, int width, boolean signed, double[] completeness, double[] delta) {

    public Maps(List<float[]> values, int height, int width, boolean signed) {
        this(values, height, width, signed, null, null);
    }

    /** The map of image {@code i}. */
    public float[] map(int i) {
        return values.get(i);
    }

    public int size() {
        return values.size();
    }
}
