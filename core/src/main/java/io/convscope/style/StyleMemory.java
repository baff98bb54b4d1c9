package io.convscope.style;

import io.convscope.ConvscopeException;
import io.convscope.activations.MemoryEstimate;
import io.convscope.network.Network;
import io.convscope.network.Node;
import io.convscope.util.ConsoleProgress;

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
        Network sized = net.cut(layers.all(), height, width).orThrow();
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
     * largest {@code --size} that fits, found with {@code at} (the estimate for a longest side).
     */
    public void check(long heapLimit, long memoryLimit, long gpuLimit, String what, int size, IntFunction<StyleMemory> at) {
        if (fits(heapLimit, memoryLimit, gpuLimit)) {
            return;
        }
        // the largest multiple of 16 below size that fits (the estimate grows with the size)
        int smaller = 0;
        int lo = 2;
        int hi = (size - 1) / 16;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (at.apply(mid * 16).fits(heapLimit, memoryLimit, gpuLimit)) {
                smaller = mid * 16;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        String hint = smaller > 0 ? "; --size " + smaller + " fits" : "; even --size 32 does not fit";
        String need = ConsoleProgress.bytes(nativeBytes) + " for the network + " + ConsoleProgress.bytes(heapBytes) + " for the optimiser";
        if (heapBytes > heapLimit) {
            throw new ConvscopeException("style transfer " + what + " needs about " + need + " but the Java heap allows "
                    + ConsoleProgress.bytes(heapLimit) + hint + " (or raise the heap with CONVSCOPE_JAVA_OPTS=-Xmx<size>)");
        }
        if (gpuLimit != Long.MAX_VALUE && nativeBytes > gpuLimit) {
            throw new ConvscopeException("style transfer " + what + " needs about " + need + " but the GPU has "
                    + ConsoleProgress.bytes(gpuLimit) + hint);
        }
        throw new ConvscopeException("style transfer " + what + " needs about " + need + " but this machine has "
                + ConsoleProgress.bytes(memoryLimit) + hint);
    }

    boolean fits(long heapLimit, long memoryLimit, long gpuLimit) {
        if (heapBytes > heapLimit) {
            return false;
        }
        if (gpuLimit != Long.MAX_VALUE) {
            return nativeBytes <= gpuLimit && heapBytes <= memoryLimit;
        }
        return memoryLimit == Long.MAX_VALUE || nativeBytes + heapBytes <= memoryLimit;
    }

    /** {@link #check(long, long, long, String, int, IntFunction)} against this JVM and machine (and a GPU's memory when on one). */
    public void check(ai.djl.Device device, String what, int size, IntFunction<StyleMemory> at) {
        check(MemoryEstimate.maxHeap(), MemoryEstimate.physicalMemory(), gpuMemory(device), what, size, at);
    }

    /** The GPU's total memory, or Long.MAX_VALUE on the CPU or when unknown. */
    static long gpuMemory(ai.djl.Device device) {
        if (device == null || !device.isGpu()) {
            return Long.MAX_VALUE;
        }
        try {
            long max = ai.djl.util.cuda.CudaUtils.getGpuMemory(device).getMax();
            return max > 0 ? max : Long.MAX_VALUE;
        } catch (RuntimeException | LinkageError e) {
            return Long.MAX_VALUE;
        }
    }
}
