package io.convscope.explain;

import io.convscope.network.Activation;
import io.convscope.network.Layer;
import io.convscope.network.Network;
import io.convscope.network.Padding;
import io.convscope.network.Preprocessing;
import io.convscope.network.Tensor;
import io.convscope.network.TensorShape;

import java.util.List;
import java.util.Map;

/** Small networks whose every number a test can compute by hand. */
final class TinyNets {
    private TinyNets() {
    }

    /** 1×1 convolution weights and biases of the CAM network: A0 = relu(x), A1 = relu(0.5 − x). */
    static final float[] CAM_W = {1f, -1f};
    static final float[] CAM_B = {0f, 0.5f};
    /** Dense (2 classes × 2 channels) after the global average pool. */
    static final float[][] CAM_DENSE = {{2f, -1f}, {-1f, 3f}};

    /** x (1×3×3) → conv 1×1, 2 filters, relu ("maps") → global average pool → dense 2 (linear, "scores"). */
    static Network cam() {
        return new Network.Builder("tiny-cam").preprocessing(Preprocessing.RAW).labels(List.of("zero", "one"))
                .input("input", TensorShape.chw(1, 3, 3))
                .add("maps", new Layer.Conv2D(2, 1, 1, 1, 1, 1, 1, Padding.VALID, 1, true, Activation.RELU), List.of("input"),
                        Map.of("kernel", Tensor.of(CAM_W, 2, 1, 1, 1), "bias", Tensor.of(CAM_B, 2)))
                .add("gap", new Layer.GlobalPool(false, false), "maps")
                .add("scores", new Layer.Dense(2, false, Activation.LINEAR), List.of("gap"),
                        Map.of("kernel", Tensor.of(new float[] {2f, -1f, -1f, 3f}, 2, 2)))
                .build();
    }

    /** Weights of the two-layer network: conv 1×1 from one channel to two, then dense 2 × 8. */
    static final float[] TWO_W = {1.5f, -0.5f};
    static final float[] TWO_B = {-0.2f, 0.3f};
    static final float[] TWO_DENSE = {
        1f, -2f, 0.5f, 3f, -1f, 2f, -0.5f, 1f,
        -1f, 1f, 2f, -3f, 0.5f, -2f, 1f, 0.25f};

    /**
     * x (1×4×4) → conv 1×1 with 2 filters, relu (layer 1) → max pool 2×2 → flatten (channels first) →
     * dense 2, linear (layer 2).
     */
    static Network twoLayer() {
        return new Network.Builder("two-layer").preprocessing(Preprocessing.RAW).labels(List.of("a", "b"))
                .input("input", TensorShape.chw(1, 4, 4))
                .add("conv", new Layer.Conv2D(2, 1, 1, 1, 1, 1, 1, Padding.VALID, 1, true, Activation.RELU), List.of("input"),
                        Map.of("kernel", Tensor.of(TWO_W, 2, 1, 1, 1), "bias", Tensor.of(TWO_B, 2)))
                .add("pool", new Layer.Pool2D(true, 2, 2, 2, 2, Padding.VALID, false, false), "conv")
                .add("flatten", new Layer.Flatten(false), "pool")
                .add("scores", new Layer.Dense(2, false, Activation.LINEAR), List.of("flatten"),
                        Map.of("kernel", Tensor.of(TWO_DENSE, 2, 8)))
                .build();
    }
}
