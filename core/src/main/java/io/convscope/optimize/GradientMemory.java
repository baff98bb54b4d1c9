package io.convscope.optimize;

import io.convscope.memory.MemoryNeed;
import io.convscope.network.Network;
import io.convscope.network.Node;

import java.util.Collection;
import java.util.Set;

/**
 * What an optimisation of a batch of images needs, from the layers' shapes, before anything runs.
 *
 * <p>Native (PyTorch): the weights twice (the loaded network and the engine's copy), every needed
 * layer's output for the batch {@value #ACTIVATION_COPIES} times over (kept for the backward pass,
 * before a fused activation, its gradient, the allocator's slack: the factor {@code StyleMemory}
 * fitted to measurements), the image side {@value #IMAGE_COPIES} times (parameters, transforms,
 * preprocessing and their gradients), the Fourier matrices and the runtime ({@value #RUNTIME_MB} MB).
 * Heap: the optimiser's vectors (Adam: θ, m, v as doubles, g = 24 bytes per parameter; L-BFGS:
 * 2 × {@value Optimizer.Kind#HISTORY} + 6 double vectors), three more float copies of the batch
 * (image, start, result), the pictures and the GIF frames.
 */
public final class GradientMemory {
    static final int ACTIVATION_COPIES = 5;
    static final int IMAGE_COPIES = 8;
    static final int RUNTIME_MB = 300;

    private GradientMemory() {
    }

    /**
     * The need for {@code batch} images of {@code channels}×{@code height}×{@code width} optimised
     * through {@code sized} (the network cut to {@code layers} at that size; {@code modelParams} are the
     * whole model's), by {@code optimizer}, with {@code gifFrames} frames of the batch.
     */
    public static MemoryNeed of(Network sized, Collection<String> layers, long modelParams, int batch, int channels, int height,
                                int width, Optimizer.Kind optimizer, int gifFrames) {
        Set<String> needed = sized.ancestors(layers);
        long params = 0;
        long outputs = 0;
        for (Node n : sized.nodes()) {
            if (!needed.contains(n.name())) {
                continue;
            }
            params += 4L * sized.paramCount(n);
            outputs += Math.max(0, n.outputShape().size()) * 4L;
        }
        long pixels = (long) height * width;
        long n = (long) batch * channels * pixels;
        long fourier = 4L * 4L * ((long) height * height + (long) width * width);
        long nativeBytes = params + 4L * modelParams + ACTIVATION_COPIES * (long) batch * outputs + IMAGE_COPIES * 4L * n + fourier
                + ((long) RUNTIME_MB << 20);
        long vectors = optimizer == Optimizer.Kind.ADAM ? 24L * n : (2L * Optimizer.Kind.HISTORY + 6) * 8L * n + 8L * n;
        long heap = vectors + 3 * 4L * n + 4L * batch * pixels + (long) gifFrames * batch * pixels * 4L + fourier;
        return new MemoryNeed(nativeBytes, heap);
    }
}
