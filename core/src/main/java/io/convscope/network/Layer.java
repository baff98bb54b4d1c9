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

    /**
     * Calls the visitor's method for this record. Every record implements it with
     * {@code v.visit(this)}, so a new record without a {@link Visitor} method, or a visitor (the
     * engine) without a case for a record, fails to compile.
     */
    <R> R accept(Visitor<R> v);

    /** One method per layer record: what the engine implements to run a network. */
    interface Visitor<R> {
        R visit(Input l);

        R visit(Conv2D l);

        R visit(DepthwiseConv2D l);

        R visit(SeparableConv2D l);

        R visit(Pool2D l);

        R visit(GlobalPool l);

        R visit(BatchNorm l);

        R visit(Identity l);

        R visit(Flatten l);

        R visit(Dense l);

        R visit(Act l);

        R visit(ReLU l);

        R visit(LeakyReLU l);

        R visit(Merge l);

        R visit(Concatenate l);

        R visit(ZeroPadding2D l);

        R visit(Cropping2D l);

        R visit(UpSampling2D l);

        R visit(Rescaling l);

        R visit(Reshape l);

        R visit(ConvTranspose2D l);

        R visit(InstanceNorm l);

        R visit(LRN l);

        R visit(PRelu l);

        R visit(Unary l);

        R visit(Arith l);

        R visit(MatMul l);

        R visit(Permute l);

        R visit(View l);

        R visit(Slice l);

        R visit(Gather l);

        R visit(Pad l);

        R visit(Resize l);

        R visit(Reduce l);

        R visit(Softmax l);
    }

    // ---- traits: what callers ask about a layer, answered here once -----------------------------

    /**
     * A forward convolution with a kernel over the spatial axes (Conv2D, DepthwiseConv2D,
     * SeparableConv2D); not the transposed convolution, which upsamples.
     */
    default boolean isConvolution() {
        return false;
    }

    /**
     * An element-wise activation layer of its own (Keras Activation, ReLU, LeakyReLU, Softmax with
     * axis -1, PReLU; ONNX Relu/Sigmoid/Tanh and the {@link Unary} functions that are activations).
     * Which function: {@link #activation()} when it is one of Keras's, else the record itself.
     */
    default boolean isActivation() {
        return false;
    }

    /**
     * The activation function this layer applies last, fused (Conv2D, Dense, …) or alone ({@link
     * Act}); null when it applies none of {@link Activation}'s (records implement this with their
     * {@code activation} component).
     */
    default Activation activation() {
        return null;
    }

    /**
     * The same layer with another final activation (same parameters); only for layers whose {@link
     * #activation()} is not null.
     */
    default Layer withActivation(Activation a) {
        throw new UnsupportedOperationException(type() + " has no activation to change");
    }

    /** True when this layer's output is a softmax of something (fused or alone); log-softmax is not. */
    default boolean endsInSoftmax() {
        return activation() == Activation.SOFTMAX;
    }

    /**
     * True when this layer is a softmax and nothing else, so that its input holds the scores before
     * it (the logits).
     */
    default boolean isSoftmax() {
        return false;
    }

    /** True when the layer passes its input through unchanged at inference (Dropout, GaussianNoise, Identity, …). */
    default boolean isPassThrough() {
        return false;
    }

    /** The rate at which training drops units (Dropout and its kin); 0 for every other layer. */
    default float dropoutRate() {
        return 0f;
    }

    /**
     * True when this layer's output of shape {@code output} is a stack of feature maps (C, H, W) that
     * can be drawn; the network's input is not one.
     */
    default boolean hasFeatureMaps(TensorShape output) {
        return output.isSpatial();
    }

    /**
     * How this layer's output positions read its inputs' positions, for inputs of these shapes: the
     * step from which exact receptive fields follow by walking the graph (see {@link Reach}). The
     * default is the safe answer "every output position may read every input position"; layers
     * that read less say so.
     */
    default Reach reach(List<TensorShape> inputs) {
        return Reach.mixing(inputs);
    }

    /** The input tensor: carries no computation. */
    record Input(TensorShape shape) implements Layer {
        public <R> R accept(Visitor<R> v) {
            return v.visit(this);
        }

        public boolean hasFeatureMaps(TensorShape output) {
            return false;
        }

        public Reach reach(List<TensorShape> inputs) {
            return Reach.pointwise();
        }

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
        public <R> R accept(Visitor<R> v) {
            return v.visit(this);
        }

        public boolean isConvolution() {
            return true;
        }

        public Reach reach(List<TensorShape> in) {
            return window(in, kh, kw, sh, sw, dh, dw, padding);
        }

        public String type() {
            return "Conv2D";
        }

        /** The same convolution followed by another activation (its parameters are unchanged). */
        public Conv2D withActivation(Activation a) {
            return new Conv2D(filters, kh, kw, sh, sw, dh, dw, padding, groups, useBias, a);
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
        public <R> R accept(Visitor<R> v) {
            return v.visit(this);
        }

        public boolean isConvolution() {
            return true;
        }

        public DepthwiseConv2D withActivation(Activation a) {
            return new DepthwiseConv2D(multiplier, kh, kw, sh, sw, dh, dw, padding, useBias, a);
        }

        public Reach reach(List<TensorShape> in) {
            return window(in, kh, kw, sh, sw, dh, dw, padding);
        }

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
        public <R> R accept(Visitor<R> v) {
            return v.visit(this);
        }

        public boolean isConvolution() {
            return true;
        }

        public SeparableConv2D withActivation(Activation a) {
            return new SeparableConv2D(filters, multiplier, kh, kw, sh, sw, dh, dw, padding, useBias, a);
        }

        public Reach reach(List<TensorShape> in) {
            return window(in, kh, kw, sh, sw, dh, dw, padding);
        }

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
        public <R> R accept(Visitor<R> v) {
            return v.visit(this);
        }

        public Reach reach(List<TensorShape> in) {
            return window(in, kh, kw, sh, sw, 1, 1, padding);
        }

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
        public <R> R accept(Visitor<R> v) {
            return v.visit(this);
        }

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
        public <R> R accept(Visitor<R> v) {
            return v.visit(this);
        }

        public Reach reach(List<TensorShape> in) {
            return Reach.perPosition(in);
        }

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
        public <R> R accept(Visitor<R> v) {
            return v.visit(this);
        }

        public boolean isPassThrough() {
            return true;
        }

        /** {@code rate}: importers set it for dropout layers only. */
        public float dropoutRate() {
            return rate;
        }

        public Reach reach(List<TensorShape> in) {
            return Reach.perPosition(in);
        }

        public TensorShape outputShape(List<TensorShape> in) {
            return single(in, type);
        }
    }

    /**
     * Flattens each sample. {@code channelsLast} flattens in (H, W, C) order as Keras does; importers
     * set it to false when every consumer is a Dense whose rows they permuted instead.
     */
    record Flatten(boolean channelsLast) implements Layer {
        public <R> R accept(Visitor<R> v) {
            return v.visit(this);
        }

        public String type() {
            return "Flatten";
        }

        public TensorShape outputShape(List<TensorShape> in) {
            TensorShape x = single(in, type());
            if (x.isFullyKnown() && x.size() > Integer.MAX_VALUE) {
                throw new io.convscope.ConvscopeException("Flatten of " + x.toKerasString() + " would have " + x.size()
                        + " values, more than 2^31: the input is far too large");
            }
            return TensorShape.of(x.isFullyKnown() ? (int) x.size() : -1);
        }
    }

    /** Fully connected layer on the last axis (channel axis for spatial inputs). Kernel is (units, in). */
    record Dense(int units, boolean useBias, Activation activation) implements Layer {
        public <R> R accept(Visitor<R> v) {
            return v.visit(this);
        }

        /** On a (C, H, W) input a Dense mixes the channels of each position (a 1×1 convolution). */
        public Reach reach(List<TensorShape> in) {
            return Reach.perPosition(in);
        }

        public String type() {
            return "Dense";
        }

        /** The same layer followed by another activation (its parameters are unchanged). */
        public Dense withActivation(Activation a) {
            return new Dense(units, useBias, a);
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
        public <R> R accept(Visitor<R> v) {
            return v.visit(this);
        }

        public boolean isActivation() {
            return true;
        }

        public boolean isSoftmax() {
            return activation == Activation.SOFTMAX;
        }

        public boolean isPassThrough() {
            return activation == null || activation == Activation.LINEAR;
        }

        public Act withActivation(Activation a) {
            return new Act(type, a);
        }

        /** Softmax runs over the channels of a (C, H, W) input: still per position. */
        public Reach reach(List<TensorShape> in) {
            return Reach.perPosition(in);
        }

        public TensorShape outputShape(List<TensorShape> in) {
            return single(in, type);
        }
    }

    /** Keras ReLU: {@code max_value}, {@code negative_slope} and {@code threshold}. */
    record ReLU(float maxValue, float negativeSlope, float threshold) implements Layer {
        public <R> R accept(Visitor<R> v) {
            return v.visit(this);
        }

        public boolean isActivation() {
            return true;
        }

        public Reach reach(List<TensorShape> in) {
            return Reach.perPosition(in);
        }

        public String type() {
            return "ReLU";
        }

        public TensorShape outputShape(List<TensorShape> in) {
            return single(in, type());
        }
    }

    /** Keras LeakyReLU. */
    record LeakyReLU(float alpha) implements Layer {
        public <R> R accept(Visitor<R> v) {
            return v.visit(this);
        }

        public boolean isActivation() {
            return true;
        }

        public Reach reach(List<TensorShape> in) {
            return Reach.perPosition(in);
        }

        public String type() {
            return "LeakyReLU";
        }

        public TensorShape outputShape(List<TensorShape> in) {
            return single(in, type());
        }
    }

    /** Element-wise merge of equally shaped tensors. */
    record Merge(Op op) implements Layer {
        public <R> R accept(Visitor<R> v) {
            return v.visit(this);
        }

        public Reach reach(List<TensorShape> in) {
            return Reach.perPosition(in);
        }

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
        public <R> R accept(Visitor<R> v) {
            return v.visit(this);
        }

        /** Per position when the channels are joined; along a spatial axis, the safe answer. */
        public Reach reach(List<TensorShape> in) {
            return axis == 0 ? Reach.perPosition(in) : Reach.mixing(in);
        }

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
        public <R> R accept(Visitor<R> v) {
            return v.visit(this);
        }

        public Reach reach(List<TensorShape> in) {
            return Reach.window(1, 1, 1, 1, 1, 1, top, left);
        }

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
        public <R> R accept(Visitor<R> v) {
            return v.visit(this);
        }

        public Reach reach(List<TensorShape> in) {
            return Reach.window(1, 1, 1, 1, 1, 1, -top, -left);
        }

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
        public <R> R accept(Visitor<R> v) {
            return v.visit(this);
        }

        public Reach reach(List<TensorShape> in) {
            return bilinear ? new Reach(Reach.Kind.UPSAMPLE, 2, 2, sh, sw, 1, 1, sh / 2, sw / 2)
                    : new Reach(Reach.Kind.UPSAMPLE, 1, 1, sh, sw, 1, 1, 0, 0);
        }

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
        public <R> R accept(Visitor<R> v) {
            return v.visit(this);
        }

        public Reach reach(List<TensorShape> in) {
            return Reach.perPosition(in);
        }

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
        public <R> R accept(Visitor<R> v) {
            return v.visit(this);
        }

        @Override
        public boolean equals(Object o) {
            return Records.equal(this, o);
        }

        @Override
        public int hashCode() {
            return Records.hash(this);
        }

        @Override
        public String toString() {
            return Records.string(this);
        }

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

    // ---- layers for imported ONNX graphs (any rank; per-sample axes, batch excluded) -----------

    /**
     * 2-D transposed convolution (ONNX ConvTranspose). Kernel is (inChannels, filters / groups, kh, kw).
     * The output is the full transposed convolution, extended by {@code outPadH/outPadW} zero rows and
     * columns at the end, then cropped by the padding: explicit pads, or for {@code SAME}/{@code
     * SAME_LOWER} and a given {@code outputSize} the padding that gives that size.
     */
    record ConvTranspose2D(int filters, int kh, int kw, int sh, int sw, int dh, int dw, Padding padding, int outPadH,
                           int outPadW, int[] outputSize, int groups, boolean useBias) implements Layer {
        public <R> R accept(Visitor<R> v) {
            return v.visit(this);
        }

        @Override
        public boolean equals(Object o) {
            return Records.equal(this, o);
        }

        @Override
        public int hashCode() {
            return Records.hash(this);
        }

        @Override
        public String toString() {
            return Records.string(this);
        }

        public Reach reach(List<TensorShape> in) {
            TensorShape x = in.get(0);
            if (!x.isSpatial()) {
                return Reach.none();
            }
            int[] c = crop(Math.max(x.height(), 0), Math.max(x.width(), 0));
            return new Reach(Reach.Kind.TRANSPOSED, kh, kw, sh, sw, dh, dw, c[0], c[2]);
        }

        public String type() {
            return "ConvTranspose";
        }

        /** {begin, out} for each axis (H then W) for an input of {@code inH × inW}; {-1,-1} when unknown. */
        public int[] crop(int inH, int inW) {
            int[] h = axis(inH, kh, sh, dh, outPadH, padding.top(), padding.bottom(), outputSize.length == 0 ? -1 : outputSize[0]);
            int[] w = axis(inW, kw, sw, dw, outPadW, padding.left(), padding.right(), outputSize.length == 0 ? -1 : outputSize[1]);
            return new int[] {h[0], h[1], w[0], w[1]};
        }

        private int[] axis(int in, int k, int s, int d, int outPad, int padBegin, int padEnd, int given) {
            if (in < 0) {
                return new int[] {-1, -1};
            }
            int natural = s * (in - 1) + (k - 1) * d + 1 + outPad;
            int out;
            if (given >= 0) {
                out = given;
            } else if (padding.isSame()) {
                out = in * s;
            } else {
                return new int[] {padBegin, natural - padBegin - padEnd};
            }
            int total = natural - out;
            int small = Math.floorDiv(Math.max(total, 0), 2);
            int begin = total <= 0 ? 0 : padding.kind() == Padding.Kind.SAME_LOWER ? total - small : small;
            return new int[] {begin, out};
        }

        public TensorShape outputShape(List<TensorShape> in) {
            TensorShape x = spatial(in, type());
            int[] c = crop(x.height(), x.width());
            if ((c[1] == 0 || c[3] == 0) || c[1] < -1 || c[3] < -1) {
                throw new IllegalArgumentException("output size " + c[1] + "×" + c[3] + " is empty");
            }
            return TensorShape.chw(filters, c[1], c[3]);
        }

        public List<ParamSpec> params(List<TensorShape> in) {
            int c = in.get(0).channels();
            List<ParamSpec> p = new ArrayList<>();
            p.add(ParamSpec.weight("kernel", new int[] {c, filters / groups, kh, kw}, filters / groups * kh * kw, c * kh * kw));
            if (useBias) {
                p.add(ParamSpec.constant("bias", new int[] {filters}, ParamSpec.Init.ZEROS, true));
            }
            return p;
        }
    }

    /** Instance normalization: each channel of each sample normalized over its other axes, then scaled and shifted. */
    record InstanceNorm(float epsilon) implements Layer {
        public <R> R accept(Visitor<R> v) {
            return v.visit(this);
        }

        public String type() {
            return "InstanceNormalization";
        }

        public TensorShape outputShape(List<TensorShape> in) {
            TensorShape x = single(in, type());
            if (x.rank() < 2) {
                throw new IllegalArgumentException("InstanceNormalization needs (C, ...) inputs, got " + x);
            }
            return x;
        }

        public List<ParamSpec> params(List<TensorShape> in) {
            int c = in.get(0).dim(0);
            return List.of(ParamSpec.constant("gamma", new int[] {c}, ParamSpec.Init.ONES, true),
                    ParamSpec.constant("beta", new int[] {c}, ParamSpec.Init.ZEROS, true));
        }
    }

    /**
     * Local response normalization across channels (ONNX LRN):
     * {@code y = x / (bias + alpha / size · Σ x²)^beta}, the sum over {@code size} neighbouring channels.
     */
    record LRN(int size, float alpha, float beta, float bias) implements Layer {
        public <R> R accept(Visitor<R> v) {
            return v.visit(this);
        }

        public Reach reach(List<TensorShape> in) {
            return Reach.perPosition(in);
        }

        public String type() {
            return "LRN";
        }

        public TensorShape outputShape(List<TensorShape> in) {
            TensorShape x = single(in, type());
            if (x.rank() < 2) {
                throw new IllegalArgumentException("LRN needs (C, ...) inputs, got " + x);
            }
            return x;
        }
    }

    /** Parametric ReLU: x for x ≥ 0, slope · x otherwise; {@code slopeShape} broadcasts against the sample. */
    record PRelu(int[] slopeShape) implements Layer {
        public <R> R accept(Visitor<R> v) {
            return v.visit(this);
        }

        @Override
        public boolean equals(Object o) {
            return Records.equal(this, o);
        }

        @Override
        public int hashCode() {
            return Records.hash(this);
        }

        @Override
        public String toString() {
            return Records.string(this);
        }

        public boolean isActivation() {
            return true;
        }

        public Reach reach(List<TensorShape> in) {
            return Reach.perPosition(in);
        }

        public String type() {
            return "PRelu";
        }

        public TensorShape outputShape(List<TensorShape> in) {
            TensorShape x = single(in, type());
            return broadcast(List.of(x, TensorShape.of(slopeShape)));
        }

        public List<ParamSpec> params(List<TensorShape> in) {
            return List.of(ParamSpec.constant("slope", slopeShape.clone(), ParamSpec.Init.ZEROS, true));
        }
    }

    /**
     * Element-wise functions with up to two constants {@code alpha} and {@code beta} (ONNX names).
     * ReLU, sigmoid and tanh are not here: they are {@link Act}, which both importers use.
     */
    record Unary(Fn fn, float alpha, float beta) implements Layer {
        public <R> R accept(Visitor<R> v) {
            return v.visit(this);
        }

        /** The functions that act as activations (not Abs, Neg, Exp, Log, Sqrt, Reciprocal, Floor, Ceil). */
        public boolean isActivation() {
            return switch (fn) {
                case LEAKY_RELU, ELU, SELU, HARD_SIGMOID, HARD_SWISH, CLIP, SOFTPLUS, SOFTSIGN -> true;
                default -> false;
            };
        }

        public Reach reach(List<TensorShape> in) {
            return Reach.perPosition(in);
        }

        /** The function; {@code onnxName} is shown by the summary. */
        public enum Fn { LEAKY_RELU("LeakyRelu"), ELU("Elu"), SELU("Selu"),
            HARD_SIGMOID("HardSigmoid"), HARD_SWISH("HardSwish"), CLIP("Clip"), ABS("Abs"), NEG("Neg"),
            EXP("Exp"), LOG("Log"), SQRT("Sqrt"), RECIPROCAL("Reciprocal"), SOFTPLUS("Softplus"), SOFTSIGN("Softsign"),
            FLOOR("Floor"), CEIL("Ceil");
            public final String onnxName;
            Fn(String n) {
                onnxName = n;
            }
        }

        public String type() {
            return fn.onnxName;
        }

        public TensorShape outputShape(List<TensorShape> in) {
            return single(in, type());
        }
    }

    /**
     * Element-wise arithmetic with numpy broadcasting over the sample axes. The inputs are the
     * node's inputs, with a constant operand (parameter "b", shape {@code constShape}) inserted at
     * position {@code constIndex} when that is ≥ 0 ({@code constShape} is empty otherwise). Two or more
     * operands for the commutative ops.
     */
    record Arith(Op op, int constIndex, int[] constShape) implements Layer {
        public <R> R accept(Visitor<R> v) {
            return v.visit(this);
        }

        @Override
        public boolean equals(Object o) {
            return Records.equal(this, o);
        }

        @Override
        public int hashCode() {
            return Records.hash(this);
        }

        @Override
        public String toString() {
            return Records.string(this);
        }

        /** Per position; an operand broadcast over the positions is read at each of them. */
        public Reach reach(List<TensorShape> in) {
            return Reach.perPosition(in);
        }

        /** The operation; {@code onnxName} is shown by the summary. */
        public enum Op { ADD("Add"), SUB("Sub"), MUL("Mul"), DIV("Div"), MAX("Max"), MIN("Min"), POW("Pow");
            public final String onnxName;
            Op(String n) {
                onnxName = n;
            }
        }

        public String type() {
            return op.onnxName;
        }

        public TensorShape outputShape(List<TensorShape> in) {
            List<TensorShape> all = new ArrayList<>(in);
            if (constIndex >= 0) {
                all.add(Math.min(constIndex, all.size()), TensorShape.of(constShape));
            }
            if (all.size() < 2 || ((op == Op.SUB || op == Op.DIV || op == Op.POW) && all.size() != 2)) {
                throw new IllegalArgumentException(type() + " got " + all.size() + " operands");
            }
            return broadcast(all);
        }

        public List<ParamSpec> params(List<TensorShape> in) {
            return constIndex < 0 ? List.of() : List.of(ParamSpec.constant("b", constShape.clone(), ParamSpec.Init.ZEROS, false));
        }
    }

    /**
     * Matrix product over the last two axes (numpy matmul) of the input and a constant matrix
     * (parameter "b", shape {@code constShape}), or of two inputs when {@code constShape} is empty.
     */
    record MatMul(int[] constShape) implements Layer {
        public <R> R accept(Visitor<R> v) {
            return v.visit(this);
        }

        @Override
        public boolean equals(Object o) {
            return Records.equal(this, o);
        }

        @Override
        public int hashCode() {
            return Records.hash(this);
        }

        @Override
        public String toString() {
            return Records.string(this);
        }

        public String type() {
            return "MatMul";
        }

        public TensorShape outputShape(List<TensorShape> in) {
            TensorShape a = in.get(0);
            boolean constant = constShape.length > 0;
            TensorShape b = constant ? TensorShape.of(constShape) : in.get(1);
            if (a.rank() < 1 || b.rank() < 2 || (constant && in.size() != 1) || (!constant && in.size() != 2)) {
                throw new IllegalArgumentException("MatMul operands " + a + " and " + b + " are not supported");
            }
            int k = a.dim(-1);
            if (k >= 0 && b.dim(-2) >= 0 && k != b.dim(-2)) {
                throw new IllegalArgumentException("MatMul: " + a + " × " + b + " do not match");
            }
            if (constant && b.rank() == 2) {
                return a.withDim(a.rank() - 1, b.dim(-1));
            }
            if (a.rank() != b.rank()) {
                throw new IllegalArgumentException("MatMul operands " + a + " and " + b + " differ in rank");
            }
            return a.withDim(a.rank() - 1, b.dim(-1));
        }

        public List<ParamSpec> params(List<TensorShape> in) {
            return constShape.length == 0 ? List.of() : List.of(ParamSpec.weight("b", constShape.clone(), constShape[0], constShape[1]));
        }
    }

    /** Reorders the sample axes: output axis i is input axis {@code perm[i]} (ONNX Transpose, batch fixed). */
    record Permute(int[] perm) implements Layer {
        public <R> R accept(Visitor<R> v) {
            return v.visit(this);
        }

        @Override
        public boolean equals(Object o) {
            return Records.equal(this, o);
        }

        @Override
        public int hashCode() {
            return Records.hash(this);
        }

        @Override
        public String toString() {
            return Records.string(this);
        }

        public Reach reach(List<TensorShape> in) {
            for (int i = 0; i < perm.length; i++) {
                if (perm[i] != i) {
                    return Reach.mixing(in);
                }
            }
            return Reach.perPosition(in);
        }

        public String type() {
            return "Transpose";
        }

        public TensorShape outputShape(List<TensorShape> in) {
            TensorShape x = single(in, type());
            if (perm.length != x.rank()) {
                throw new IllegalArgumentException("permutation of " + perm.length + " axes for " + x);
            }
            int[] d = new int[perm.length];
            for (int i = 0; i < perm.length; i++) {
                d[i] = x.dim(perm[i]);
            }
            return TensorShape.of(d);
        }
    }

    /**
     * Row-major reshape of each sample (ONNX Reshape, batch kept): a target entry 0 copies the input's
     * dimension at that position, one entry may be -1.
     */
    record View(int[] target) implements Layer {
        public <R> R accept(Visitor<R> v) {
            return v.visit(this);
        }

        @Override
        public boolean equals(Object o) {
            return Records.equal(this, o);
        }

        @Override
        public int hashCode() {
            return Records.hash(this);
        }

        @Override
        public String toString() {
            return Records.string(this);
        }

        public String type() {
            return "Reshape";
        }

        public TensorShape outputShape(List<TensorShape> in) {
            TensorShape x = single(in, type());
            int[] t = resolve(x.dims());
            long n = x.size();
            int unknown = -1;
            long known = 1;
            for (int i = 0; i < t.length; i++) {
                if (t[i] < 0) {
                    if (unknown >= 0) {
                        return TensorShape.of(t);
                    }
                    unknown = i;
                } else {
                    known *= t[i];
                }
            }
            if (n >= 0) {
                if (unknown >= 0) {
                    if (known == 0 || n % known != 0) {
                        throw new IllegalArgumentException("cannot reshape " + x + " to " + java.util.Arrays.toString(target));
                    }
                    t[unknown] = Math.toIntExact(n / known);
                } else if (known != n) {
                    throw new IllegalArgumentException("cannot reshape " + x + " (" + n + " values) to " + java.util.Arrays.toString(target));
                }
            }
            return TensorShape.of(t);
        }

        /** The target with 0 entries replaced by the input's dimensions. */
        public int[] resolve(int[] inDims) {
            int[] t = target.clone();
            for (int i = 0; i < t.length; i++) {
                if (t[i] == 0) {
                    t[i] = i < inDims.length ? inDims[i] : 0;
                }
            }
            return t;
        }
    }

    /** Picks {@code counts[i]} elements from {@code starts[i]} in steps of {@code steps[i]} along sample axis {@code axes[i]}. */
    record Slice(int[] axes, int[] starts, int[] steps, int[] counts) implements Layer {
        public <R> R accept(Visitor<R> v) {
            return v.visit(this);
        }

        @Override
        public boolean equals(Object o) {
            return Records.equal(this, o);
        }

        @Override
        public int hashCode() {
            return Records.hash(this);
        }

        @Override
        public String toString() {
            return Records.string(this);
        }

        /** Slicing channels reads each position; slicing rows or columns with positive steps is a 1×1 strided window. */
        public Reach reach(List<TensorShape> in) {
            if (!in.get(0).isSpatial()) {
                return Reach.none();
            }
            int[] k = {1, 1, 0, 0};
            for (int i = 0; i < axes.length; i++) {
                if (axes[i] == 1 || axes[i] == 2) {
                    if (steps[i] < 1) {
                        return Reach.global();
                    }
                    k[axes[i] - 1] = steps[i];
                    k[axes[i] + 1] = -starts[i];
                }
            }
            return Reach.window(1, 1, k[0], k[1], 1, 1, k[2], k[3]);
        }

        public String type() {
            return "Slice";
        }

        public TensorShape outputShape(List<TensorShape> in) {
            TensorShape x = single(in, type());
            for (int i = 0; i < axes.length; i++) {
                x = x.withDim(axes[i], counts[i]);
            }
            return x;
        }
    }

    /** Takes the entries {@code indices} (shaped {@code indicesShape}) along sample axis {@code axis} (ONNX Gather). */
    record Gather(int axis, int[] indices, int[] indicesShape) implements Layer {
        public <R> R accept(Visitor<R> v) {
            return v.visit(this);
        }

        @Override
        public boolean equals(Object o) {
            return Records.equal(this, o);
        }

        @Override
        public int hashCode() {
            return Records.hash(this);
        }

        @Override
        public String toString() {
            return Records.string(this);
        }

        public String type() {
            return "Gather";
        }

        public TensorShape outputShape(List<TensorShape> in) {
            TensorShape x = single(in, type());
            int[] d = x.dims();
            int[] out = new int[d.length - 1 + indicesShape.length];
            int k = 0;
            for (int i = 0; i < axis; i++) {
                out[k++] = d[i];
            }
            for (int s : indicesShape) {
                out[k++] = s;
            }
            for (int i = axis + 1; i < d.length; i++) {
                out[k++] = d[i];
            }
            return TensorShape.of(out);
        }
    }

    /**
     * Pads the sample axes: {@code pads} holds the begin amounts of every axis, then the end amounts
     * (negative amounts crop). Constant, reflect or edge mode.
     */
    record Pad(int[] pads, Mode mode, float value) implements Layer {
        public <R> R accept(Visitor<R> v) {
            return v.visit(this);
        }

        @Override
        public boolean equals(Object o) {
            return Records.equal(this, o);
        }

        @Override
        public int hashCode() {
            return Records.hash(this);
        }

        @Override
        public String toString() {
            return Records.string(this);
        }

        /** Constant and edge padding of rows and columns shift the positions; reflection is given as global. */
        public Reach reach(List<TensorShape> in) {
            TensorShape x = in.get(0);
            if (!x.isSpatial()) {
                return Reach.none();
            }
            return mode == Mode.REFLECT ? Reach.global() : Reach.window(1, 1, 1, 1, 1, 1, pads[1], pads[2]);
        }

        /** How padded cells are filled. */
        public enum Mode { CONSTANT, REFLECT, EDGE }

        public String type() {
            return "Pad";
        }

        public TensorShape outputShape(List<TensorShape> in) {
            TensorShape x = single(in, type());
            if (pads.length != 2 * x.rank()) {
                throw new IllegalArgumentException(pads.length + " pads for " + x);
            }
            for (int i = 0; i < x.rank(); i++) {
                x = x.withDim(i, add(x.dim(i), pads[i] + pads[i + x.rank()]));
            }
            return x;
        }
    }

    /**
     * ONNX Resize / Upsample on the sample axes: output size {@code floor(in · scales[i])}, or
     * {@code sizes[i]} when sizes are given (not empty). {@code mode} is "nearest", "linear" or "cubic";
     * {@code coordinates} the coordinate_transformation_mode; {@code nearestMode} the rounding;
     * {@code cubicA} and {@code excludeOutside} ONNX's cubic_coeff_a and exclude_outside.
     */
    record Resize(float[] scales, int[] sizes, String mode, String coordinates, String nearestMode, float cubicA,
                  boolean excludeOutside) implements Layer {
        public <R> R accept(Visitor<R> v) {
            return v.visit(this);
        }

        @Override
        public boolean equals(Object o) {
            return Records.equal(this, o);
        }

        @Override
        public int hashCode() {
            return Records.hash(this);
        }

        @Override
        public String toString() {
            return Records.string(this);
        }

        public String type() {
            return "Resize";
        }

        public int outSize(int axis, int in) {
            if (sizes.length > 0) {
                return sizes[axis];
            }
            return in < 0 ? -1 : (int) Math.floor(in * (double) scales[axis] + 1e-9);
        }

        public TensorShape outputShape(List<TensorShape> in) {
            TensorShape x = in.get(0);
            int rank = sizes.length > 0 ? sizes.length : scales.length;
            if (rank != x.rank()) {
                throw new IllegalArgumentException("Resize with " + rank + " scales for " + x);
            }
            for (int i = 0; i < x.rank(); i++) {
                x = x.withDim(i, outSize(i, x.dim(i)));
            }
            return x;
        }
    }

    /** Reduction over sample axes (ONNX ReduceMean, ReduceSum, ReduceMax, ReduceMin). */
    record Reduce(Op op, int[] axes, boolean keepDims) implements Layer {
        public <R> R accept(Visitor<R> v) {
            return v.visit(this);
        }

        @Override
        public boolean equals(Object o) {
            return Records.equal(this, o);
        }

        @Override
        public int hashCode() {
            return Records.hash(this);
        }

        @Override
        public String toString() {
            return Records.string(this);
        }

        /** A reduction over the channels alone, keeping them, is per position. */
        public Reach reach(List<TensorShape> in) {
            return axes.length == 1 && axes[0] == 0 && keepDims ? Reach.perPosition(in) : Reach.mixing(in);
        }

        /** The reduction. */
        public enum Op { MEAN("ReduceMean"), SUM("ReduceSum"), MAX("ReduceMax"), MIN("ReduceMin");
            public final String onnxName;
            Op(String n) {
                onnxName = n;
            }
        }

        public String type() {
            return op.onnxName;
        }

        public TensorShape outputShape(List<TensorShape> in) {
            TensorShape x = single(in, type());
            List<Integer> d = new ArrayList<>();
            for (int i = 0; i < x.rank(); i++) {
                boolean reduced = false;
                for (int a : axes) {
                    reduced |= a == i;
                }
                if (!reduced) {
                    d.add(x.dim(i));
                } else if (keepDims) {
                    d.add(1);
                }
            }
            return TensorShape.of(d.stream().mapToInt(Integer::intValue).toArray());
        }
    }

    /**
     * Softmax (or log-softmax) over sample axis {@code axis}. {@code flattenFrom} (ONNX opsets before
     * 13) takes it over all axes from {@code axis} on at once.
     */
    record Softmax(int axis, boolean log, boolean flattenFrom) implements Layer {
        public <R> R accept(Visitor<R> v) {
            return v.visit(this);
        }

        public boolean endsInSoftmax() {
            return !log;
        }

        public boolean isSoftmax() {
            return !log;
        }

        public boolean isActivation() {
            return true;
        }

        /** Over the channels alone, per position. */
        public Reach reach(List<TensorShape> in) {
            return axis == 0 && !flattenFrom ? Reach.perPosition(in) : Reach.mixing(in);
        }

        public String type() {
            return log ? "LogSoftmax" : "Softmax";
        }

        public TensorShape outputShape(List<TensorShape> in) {
            return single(in, type());
        }
    }

    /** Numpy broadcasting of sample shapes (aligned at the last axis; -1 is unknown). */
    private static TensorShape broadcast(List<TensorShape> shapes) {
        int rank = 0;
        for (TensorShape s : shapes) {
            rank = Math.max(rank, s.rank());
        }
        int[] out = new int[rank];
        java.util.Arrays.fill(out, 1);
        for (TensorShape s : shapes) {
            for (int i = 0; i < s.rank(); i++) {
                int o = rank - s.rank() + i;
                int d = s.dim(i);
                if (d == 1) {
                    continue;
                }
                if (out[o] == 1 || out[o] == d) {
                    out[o] = d;
                } else if (d == -1) {
                    continue;
                } else if (out[o] == -1) {
                    out[o] = d;
                } else {
                    throw new IllegalArgumentException("shapes " + shapes + " do not broadcast");
                }
            }
        }
        return TensorShape.of(out);
    }

    /** The window of a convolution or pooling, its padding resolved for the input's size. */
    private static Reach window(List<TensorShape> in, int kh, int kw, int sh, int sw, int dh, int dw, Padding padding) {
        TensorShape x = in.get(0);
        if (!x.isSpatial()) {
            return Reach.none();
        }
        int[] p = padding.resolve(Math.max(x.height(), 0), Math.max(x.width(), 0), kh, kw, sh, sw, dh, dw);
        return Reach.window(kh, kw, sh, sw, dh, dw, p[0], p[2]);
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
