package io.convscope.activations;

import io.convscope.network.TensorShape;

import java.util.List;

/**
 * One layer's activations for every image of a run, copied to the host.
 *
 * @param position the layer's place in the network ({@link FilePlan.Numbering}): the file name prefix
 * @param name     the layer's name
 * @param type     the layer's Keras class name
 * @param shape    one image's output shape, (C, H, W)
 * @param values   per image, {@code C × H × W} floats, channels-first, row-major
 * @param stats    per image, the layer's and each channel's statistics
 */
public record LayerActivations(int position, String name, String type, TensorShape shape, List<float[]> values,
                               List<LayerStats> stats) implements FilePlan.Layer {

    public LayerActivations {
        values = List.copyOf(values);
        stats = List.copyOf(stats);
    }

    public int channels() {
        return shape.channels();
    }

    public int height() {
        return shape.height();
    }

    public int width() {
        return shape.width();
    }

    /** Values per channel map: height × width. */
    public int plane() {
        return shape.height() * shape.width();
    }

    /** A copy of one channel of one image, {@code H × W} floats. */
    public float[] channel(int image, int channel) {
        float[] out = new float[plane()];
        System.arraycopy(values.get(image), channel * plane(), out, 0, out.length);
        return out;
    }
}
