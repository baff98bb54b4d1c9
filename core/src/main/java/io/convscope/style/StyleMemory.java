package io.convscope.style;


import io.convscope.memory.MemoryLimits;
import io.convscope.memory.MemoryNeed;
import io.convscope.network.Network;
import io.convscope.network.Node;

import java.util.Set;
import java.util.function.IntFunction;

/**
 * How much memory a style transfer needs, from the layers' shapes, before anything is computed.
 *
 * <p>Native memory: the model's weights twice (the loaded network, and the engine's copy of the
 * layers the objective needs), and for one evaluation every needed layer's output at the image's
 * size {@value #ACTIVATION_COPIES} times over (the output kept for the backward pass, the value
 * before a fused activation, the gradients of the backward pass and the allocator's slack), plus
 * the JVM's and PyTorch's own memory ({@value #RUNTIME_MB} MB). Heap (Java): L-BFGS's history of
 * 2 × {@value StyleTransfer#HISTORY} vectors of doubles plus a few more, and the GIF's frames.
 * The factors were fitted to the peak resident memory that {@code StyleBenchmark} measured on VGG19
 * at 256 and 512 pixels (0.59–0.65 GB and 1.3–1.5 GB over four runs; the estimate says 0.73 and
 * 1.6 GB).
 *
 * @param nativeBytes PyTorch's memory for the weights and one evaluation
 * @param heapBytes   the optimiser's vectors and the GIF frames
 */
public record StyleMemory(long nativeBytes, long heapBytes) {
    static final int ACTIVATION_COPIES = 5;
    static final int RUNTIME_MB = 300;

    /**
     * The estimate for an H×W image ({@code channels} 3, or 1 when colours are preserved) through
     * {@code net} for {@code layers}, with a GIF of {@code gifFrames} frames.
     */
    public static StyleMemory of(Network net, StyleLayers layers, int height, int width, int channels, int gifFrames) {
        Network sized = net.cut(layers.all(), height, width).orNeedsModelSize(width, height);
        Set<String> needed = sized.ancestors(layers.all());
        long params = 0;
        long outputs = 0;
        for (Node n : sized.nodes()) {
            if (!needed.contains(n.name())) {
                continue;
            }
            params += 4L * sized.paramCount(n);
            long s = n.outputShape().size();
            outputs += Math.max(0, s) * 4L;
        }
        long nativeBytes = params + 4L * net.paramCount() + ACTIVATION_COPIES * outputs + ((long) RUNTIME_MB << 20);
        long n = (long) channels * height * width;
        long lbfgs = (2L * StyleTransfer.HISTORY + 6) * 8 * n;
        long gif = (long) gifFrames * height * width * 4;
        return new StyleMemory(nativeBytes, lbfgs + gif);
    }

    /**
     * Refuses a run that would not fit: the heap part against {@code heapLimit}, native and heap
     * together against {@code memoryLimit} (the machine's memory, or the GPU's for the native part
     * when {@code gpuLimit} is known, else Long.MAX_VALUE); the message gives the estimate and the
     * largest size that fits, found with {@code at} (the estimate for a longest side).
     */
    public void check(long heapLimit, long memoryLimit, long gpuLimit, String what, int size, IntFunction<StyleMemory> at) {
        check(new MemoryLimits(heapLimit, memoryLimit, gpuLimit), what, size, at);
    }

    /** {@link #check(long, long, long, String, int, IntFunction)} against {@code limits}. */
    public void check(MemoryLimits limits, String what, int size, IntFunction<StyleMemory> at) {
        need().check(limits, "style transfer " + what, size, 16, s -> at.apply(s).need());
    }

    /** The estimate as the shared {@link MemoryNeed}. */
    public MemoryNeed need() {
        return new MemoryNeed(nativeBytes, heapBytes);
    }

    boolean fits(long heapLimit, long memoryLimit, long gpuLimit) {
        return need().fits(new MemoryLimits(heapLimit, memoryLimit, gpuLimit));
    }

    /** {@link #check(long, long, long, String, int, IntFunction)} against this JVM and machine (and a GPU's memory when on one). */
    public void check(ai.djl.Device device, String what, int size, IntFunction<StyleMemory> at) {
        check(MemoryLimits.current(device), what, size, at);
    }
}
