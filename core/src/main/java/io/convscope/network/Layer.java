package io.convscope.network;

import java.util.ArrayList;
import java.util.List;

/**
 * What one node of a {@link Network} computes. Layers are small immutable records; their
 * parameters live in the node. Semantics are channels-first: spatial tensors are (N, C, H, W).
 *
 * <p>Each layer infers its output shape from its input shapes and declares the parameters it needs
 * in convscope's layout (kernels OIHW, Dense weights (out, in)).
 */
public sealed interface Layer {

    /** The Keras class name, as shown by {@code convscope summary}. */
    String type();

    /** Output shape of one sample; throws {@link IllegalArgumentException} for incompatible inputs. */
    TensorShape outputShape(List<TensorShape> inputs);

    /** Parameters this layer needs for the given input shapes. */
    default List<ParamSpec> params(List<TensorShape> inputs) {
        return List.of();
    }

    /** The input tensor: carries no computation. */
    record Input(TensorShape shape) implements Layer {
        public String type() {
            return "InputLayer";
        }

        public TensorShape outputShape(List<TensorShape> inputs) {
            return shape;
        }
    }

    /**
     * 2-D convolution. {@code groups} > 1 splits the channels; a depthwise convolution is
     * {@code groups == inChannels} (see {@link DepthwiseConv2D}).
     */
    record Conv2D(int filters, int kh, int kw, int sh, int sw, int dh, int dw, Padding padding, int groups,
                  boolean useBias, Activation activation) implements Layer {
        public String type() {
            return "Conv2D";
        }

        public TensorShape outputShape(List<TensorShape> in) {
            TensorShape x = spatial(in, type());
            if (x.channels() > 0 && x.channels() % groups != 0) {
                throw new IllegalArgumentException(x.channels() + " input channels are not divisible by groups=" + groups);
            }
            return convOut(x, filters, kh, kw, sh, sw, dh, dw, padding, false);
        }

        public List<ParamSpec> params(List<TensorShape> in) {
            int c = in.get(0).channels();
            List<ParamSpec> p = new ArrayList<>();
            p.add(ParamSpec.weight("kernel", new int[] {filters, c / groups, kh, kw},
                    c / groups * kh * kw, filters / groups * kh * kw));
            if (useBias) {
                p.add(ParamSpec.constant("bias", new int[] {filters}, ParamSpec.Init.ZEROS, true));
            }
            return p;
        }
    }

    /** Keras DepthwiseConv2D: each input channel convolved with {@code multiplier} filters of its own. */
    record DepthwiseConv2D(int multiplier, int kh, int kw, int sh, int sw, int dh, int dw, Padding padding,
                           boolean useBias, Activation activation) implements Layer {
        public String type() {
            return "DepthwiseConv2D";
        }

        public TensorShape outputShape(List<TensorShape> in) {
            TensorShape x = spatial(in, type());
            return convOut(x, x.channels() * multiplier, kh, kw, sh, sw, dh, dw, padding, false);
        }

        public List<ParamSpec> params(List<TensorShape> in) {
            int c = in.get(0).channels();
            List<ParamSpec> p = new ArrayList<>();
            p.add(ParamSpec.weight("depthwise_kernel", new int[] {c * multiplier, 1, kh, kw}, kh * kw, multiplier * kh * kw));
            if (useBias) {
                p.add(ParamSpec.constant("bias", new int[] {c * multiplier}, ParamSpec.Init.ZEROS, true));
            }
            return p;
        }
    }

    /** Keras SeparableConv2D: a depthwise convolution, then a 1×1 pointwise convolution. */
    record SeparableConv2D(int filters, int multiplier, int kh, int kw, int sh, int sw, int dh, int dw,
                           Padding padding, boolean useBias, Activation activation) implements Layer {
        public String type() {
            return "SeparableConv2D";
        }

        public TensorShape outputShape(List<TensorShape> in) {
            return convOut(spatial(in, type()), filters, kh, kw, sh, sw, dh, dw, padding, false);
        }

        public List<ParamSpec> params(List<TensorShape> in) {
            int c = in.get(0).channels();
            List<ParamSpec> p = new ArrayList<>();
            p.add(ParamSpec.weight("depthwise_kernel", new int[] {c * multiplier, 1, kh, kw}, kh * kw, multiplier * kh * kw));
            p.add(ParamSpec.weight("pointwise_kernel", new int[] {filters, c * multiplier, 1, 1}, c * multiplier, filters));
            if (useBias) {
                p.add(ParamSpec.constant("bias", new int[] {filters}, ParamSpec.Init.ZEROS, true));
            }
            return p;
        }
    }

    /** Max or average pooling over windows. Average pooling never counts padded cells (as Keras). */
    record Pool2D(boolean max, int kh, int kw, int sh, int sw, Padding padding, boolean ceilMode,
                  boolean countIncludePad) implements Layer {
        public String type() {
            return max ? "MaxPooling2D" : "AveragePooling2D";
        }

        public TensorShape outputShape(List<TensorShape> in) {
            TensorShape x = spatial(in, type());
            return convOut(x, x.channels(), kh, kw, sh, sw, 1, 1, padding, ceilMode);
        }
    }

    /** Global average or max pooling to one value per channel; {@code keepDims} keeps (C, 1, 1). */
    record GlobalPool(boolean max, boolean keepDims) implements Layer {
        public String type() {
            return max ? "GlobalMaxPooling2D" : "GlobalAveragePooling2D";
        }

        public TensorShape outputShape(List<TensorShape> in) {
            TensorShape x = spatial(in, type());
            return keepDims ? TensorShape.chw(x.channels(), 1, 1) : TensorShape.of(x.channels());
        }
    }

    /**
     * Batch normalization over the channel axis, with moving statistics (inference). {@code center}
     * and {@code scale} say whether beta and gamma exist.
     */
    record BatchNorm(float epsilon, boolean center, boolean scale) implements Layer {
        public String type() {
            return "BatchNormalization";
        }

        public TensorShape outputShape(List<TensorShape> in) {
            return single(in, type());
        }

        public List<ParamSpec> params(List<TensorShape> in) {
            int c = in.get(0).dim(0);
            List<ParamSpec> p = new ArrayList<>();
            if (scale) {
                p.add(ParamSpec.constant("gamma", new int[] {c}, ParamSpec.Init.ONES, true));
            }
            if (center) {
                p.add(ParamSpec.constant("beta", new int[] {c}, ParamSpec.Init.ZEROS, true));
            }
            p.add(ParamSpec.constant("moving_mean", new int[] {c}, ParamSpec.Init.ZEROS, false));
            p.add(ParamSpec.constant("moving_variance", new int[] {c}, ParamSpec.Init.ONES, false));
            return p;
        }
    }

    /**
     * A layer that does nothing at inference: Dropout, SpatialDropout2D, GaussianNoise, … The
     * original class is kept for the summary; {@code rate} is the dropout rate used in training.
     */
    record Identity(String type, float rate) implements Layer {
        public TensorShape outputShape(List<TensorShape> in) {
            return single(in, type);
        }
    }

    /**
     * Flattens each sample. {@code channelsLast} flattens in (H, W, C) order as Keras does; importers
     * set it to false when every consumer is a Dense whose rows they permuted instead.
     */
    record Flatten(boolean channelsLast) implements Layer {
        public String type() {
            return "Flatten";
        }

        public TensorShape outputShape(List<TensorShape> in) {
            TensorShape x = single(in, type());
            return TensorShape.of(x.isFullyKnown() ? Math.toIntExact(x.size()) : -1);
        }
    }

    /** Fully connected layer on the last axis (channel axis for spatial inputs). Kernel is (units, in). */
    record Dense(int units, boolean useBias, Activation activation) implements Layer {
        public String type() {
            return "Dense";
        }

        public TensorShape outputShape(List<TensorShape> in) {
            TensorShape x = single(in, type());
            return x.isSpatial() ? x.withDim(0, units) : x.withDim(x.rank() - 1, units);
        }

        public List<ParamSpec> params(List<TensorShape> in) {
            TensorShape x = in.get(0);
            int fanIn = x.isSpatial() ? x.channels() : x.dim(-1);
            List<ParamSpec> p = new ArrayList<>();
            p.add(ParamSpec.weight("kernel", new int[] {units, fanIn}, fanIn, units));
            if (useBias) {
                p.add(ParamSpec.constant("bias", new int[] {units}, ParamSpec.Init.ZEROS, true));
            }
            return p;
        }
    }

    /** An activation function as a layer of its own (Keras Activation, Softmax with axis -1). */
    record Act(String type, Activation activation) implements Layer {
        public TensorShape outputShape(List<TensorShape> in) {
            return single(in, type);
        }
    }

    /** Keras ReLU: {@code max_value}, {@code negative_slope} and {@code threshold}. */
    record ReLU(float maxValue, float negativeSlope, float threshold) implements Layer {
        public String type() {
            return "ReLU";
        }

        public TensorShape outputShape(List<TensorShape> in) {
            return single(in, type());
        }
    }

    /** Keras LeakyReLU. */
    record LeakyReLU(float alpha) implements Layer {
        public String type() {
            return "LeakyReLU";
        }

        public TensorShape outputShape(List<TensorShape> in) {
            return single(in, type());
        }
    }

    /** Element-wise merge of equally shaped tensors. */
    record Merge(Op op) implements Layer {
        public enum Op { ADD("Add"), SUBTRACT("Subtract"), MULTIPLY("Multiply"), AVERAGE("Average"),
            MAXIMUM("Maximum"), MINIMUM("Minimum");
            public final String kerasName;
            Op(String k) {
                kerasName = k;
            }
        }

        public String type() {
            return op.kerasName;
        }

        public TensorShape outputShape(List<TensorShape> in) {
            if (in.size() < 2 || (op == Op.SUBTRACT && in.size() != 2)) {
                throw new IllegalArgumentException(type() + " needs " + (op == Op.SUBTRACT ? "2" : "at least 2") + " inputs, got " + in.size());
            }
            TensorShape first = in.get(0);
            for (TensorShape s : in) {
                if (!compatible(first, s)) {
                    throw new IllegalArgumentException(type() + " inputs differ in shape: " + first.toKerasString() + " vs " + s.toKerasString());
                }
            }
            return first;
        }
    }

    /** Concatenation along an internal (channels-first) axis of the sample, e.g. 0 for channels. */
    record Concatenate(int axis) implements Layer {
        public String type() {
            return "Concatenate";
        }

        public TensorShape outputShape(List<TensorShape> in) {
            TensorShape first = in.get(0);
            int total = 0;
            for (TensorShape s : in) {
                if (s.rank() != first.rank()) {
                    throw new IllegalArgumentException("Concatenate inputs differ in rank");
                }
                for (int i = 0; i < s.rank(); i++) {
                    if (i != axis && s.dim(i) >= 0 && first.dim(i) >= 0 && s.dim(i) != first.dim(i)) {
                        throw new IllegalArgumentException("Concatenate inputs differ outside the concatenation axis: "
                                + first.toKerasString() + " vs " + s.toKerasString());
                    }
                }
                total = (total < 0 || s.dim(axis) < 0) ? -1 : total + s.dim(axis);
            }
            return first.withDim(axis, total);
        }
    }

    /** Zero padding of rows and columns. */
    record ZeroPadding2D(int top, int bottom, int left, int right) implements Layer {
        public String type() {
            return "ZeroPadding2D";
        }

        public TensorShape outputShape(List<TensorShape> in) {
            TensorShape x = spatial(in, type());
            return TensorShape.chw(x.channels(), add(x.height(), top + bottom), add(x.width(), left + right));
        }
    }

    /** Removes rows and columns at the borders. */
    record Cropping2D(int top, int bottom, int left, int right) implements Layer {
        public String type() {
            return "Cropping2D";
        }

        public TensorShape outputShape(List<TensorShape> in) {
            TensorShape x = spatial(in, type());
            return TensorShape.chw(x.channels(), add(x.height(), -top - bottom), add(x.width(), -left - right));
        }
    }

    /** Upsampling by integer factors, nearest or bilinear (half-pixel centres, as Keras). */
    record UpSampling2D(int sh, int sw, boolean bilinear) implements Layer {
        public String type() {
            return "UpSampling2D";
        }

        public TensorShape outputShape(List<TensorShape> in) {
            TensorShape x = spatial(in, type());
            return TensorShape.chw(x.channels(), x.height() < 0 ? -1 : x.height() * sh, x.width() < 0 ? -1 : x.width() * sw);
        }
    }

    /** y = x · scale + offset. */
    record Rescaling(float scale, float offset) implements Layer {
        public String type() {
            return "Rescaling";
        }

        public TensorShape outputShape(List<TensorShape> in) {
            return single(in, type());
        }
    }

    /**
     * Keras Reshape. {@code target} is the Keras (channels-last) target shape without the batch axis,
     * -1 allowed once. Spatial inputs are read in (H, W, C) order and rank-3 results are returned as
     * (C, H, W), so the element order is exactly Keras's.
     */
    record Reshape(int[] target) implements Layer {
        public String type() {
            return "Reshape";
        }

        public TensorShape outputShape(List<TensorShape> in) {
            TensorShape x = single(in, type());
            long n = x.size();
            int[] t = target.clone();
            int unknown = -1;
            long known = 1;
            for (int i = 0; i < t.length; i++) {
                if (t[i] == -1) {
                    if (unknown >= 0) {
                        throw new IllegalArgumentException("Reshape target has more than one -1");
                    }
                    unknown = i;
                } else {
                    known *= t[i];
                }
            }
            if (n >= 0) {
                if (unknown >= 0) {
                    if (n % known != 0) {
                        throw new IllegalArgumentException("cannot reshape " + n + " values to " + java.util.Arrays.toString(target));
                    }
                    t[unknown] = Math.toIntExact(n / known);
                } else if (known != n) {
                    throw new IllegalArgumentException("cannot reshape " + x.toKerasString() + " (" + n + " values) to " + java.util.Arrays.toString(target));
                }
            }
            return t.length == 3 ? TensorShape.chw(t[2], t[0], t[1]) : TensorShape.of(t);
        }
    }

    // ---- shape helpers -------------------------------------------------------------------------

    private static TensorShape single(List<TensorShape> in, String type) {
        if (in.size() != 1) {
            throw new IllegalArgumentException(type + " takes one input, got " + in.size());
        }
        return in.get(0);
    }

    private static TensorShape spatial(List<TensorShape> in, String type) {
        TensorShape x = single(in, type);
        if (!x.isSpatial()) {
            throw new IllegalArgumentException(type + " needs an image-shaped input (H, W, C), got " + x.toKerasString());
        }
        return x;
    }

    private static boolean compatible(TensorShape a, TensorShape b) {
        if (a.rank() != b.rank()) {
            return false;
        }
        for (int i = 0; i < a.rank(); i++) {
            if (a.dim(i) >= 0 && b.dim(i) >= 0 && a.dim(i) != b.dim(i)) {
                return false;
            }
        }
        return true;
    }

    private static int add(int d, int delta) {
        return d < 0 ? -1 : d + delta;
    }

    private static TensorShape convOut(TensorShape x, int channels, int kh, int kw, int sh, int sw, int dh, int dw,
                                       Padding padding, boolean ceil) {
        int h = x.height();
        int w = x.width();
        int[] p = padding.resolve(Math.max(h, 0), Math.max(w, 0), kh, kw, sh, sw, dh, dw);
        int oh = padding.isSame() ? (h < 0 ? -1 : (h + sh - 1) / sh) : Padding.outSize(h, kh, sh, dh, p[0], p[1], ceil);
        int ow = padding.isSame() ? (w < 0 ? -1 : (w + sw - 1) / sw) : Padding.outSize(w, kw, sw, dw, p[2], p[3], ceil);
        if (oh == 0 || ow == 0) {
            throw new IllegalArgumentException("the " + kh + "×" + kw + " window does not fit the " + x.toHwcString() + " input");
        }
        return TensorShape.chw(channels, oh, ow);
    }
}
