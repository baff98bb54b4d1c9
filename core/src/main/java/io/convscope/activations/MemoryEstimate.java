package io.convscope.activations;

import io.convscope.Setting;
import io.convscope.TooLargeException;
import io.convscope.memory.MemoryLimits;
import io.convscope.network.Network;
import io.convscope.network.Node;
import io.convscope.network.TensorShape;
import io.convscope.util.Units;

import java.util.List;
import java.util.Set;

/**
 * How much memory an activations run needs, estimated from the layers' shapes before anything is
 * computed, so that a run that cannot fit is refused with the figures rather than crashing.
 *
 * @param activationBytes host memory for the kept activations: Σ C·H·W over the layers × images × 4
 * @param renderBytes     host memory for drawing: per worker thread, the largest layer's grid as ARGB
 *                        pixels (upscaled) and its PNG encoding, plus the frames of one layer GIF
 * @param nativeBytes     native memory of one forward pass: weights, the tapped outputs of one image
 *                        and the two largest intermediate tensors
 */
public record MemoryEstimate(long activationBytes, long renderBytes, long nativeBytes) {

    /** Host (Java heap) memory: activations plus drawing. */
    public long heapBytes() {
        return activationBytes + renderBytes;
    }

    /**
     * The estimate for {@code images} images through {@code net} (already cut to its layers, {@link io.convscope.network.Network#cut(java.util.Collection, int, int) Network.cut})
     * keeping {@code layers}, drawn by {@code workers} threads; {@code gifFrames} is how many frames (all images)
     * of {@code gifSide}² pixels a GIF holds (0 without GIFs).
     */
    public static MemoryEstimate of(Network net, List<String> layers, int images, int workers, int gifFrames, int gifSide) {
        long perImage = 0;
        long largest = 0;
        for (String l : layers) {
            long s = size(net.node(l).outputShape());
            perImage += s;
            largest = Math.max(largest, s);
        }
        long activations = perImage * images * 4L;
        // a grid: one ARGB pixel per activation, ×4 when small maps are upscaled, and the encoder's buffers
        long grid = largest * 4L * 4L * 2L;
        long gif = (long) gifFrames * gifSide * gifSide * 2L;
        long render = grid * Math.max(1, workers) + gif;
        long params = 0;
        long big1 = 0;
        long big2 = 0;
        Set<String> needed = net.ancestors(layers);
        for (Node n : net.nodes()) {
            if (!needed.contains(n.name())) {
                continue;
            }
            params += 4L * net.paramCount(n);
            long s = size(n.outputShape()) * 4L;
            if (s > big1) {
                big2 = big1;
                big1 = s;
            } else if (s > big2) {
                big2 = s;
            }
        }
        return new MemoryEstimate(activations, render, params + perImage * 4L + big1 + big2);
    }

    private static long size(TensorShape s) {
        long n = s.size();
        return n < 0 ? 0 : n;
    }

    /** The largest heap this JVM may grow to: {@link MemoryLimits#maxHeap()}. */
    public static long maxHeap() {
        return MemoryLimits.maxHeap();
    }

    /** The machine's physical memory, or Long.MAX_VALUE when unknown: {@link MemoryLimits#physicalMemory()}. */
    public static long physicalMemory() {
        return MemoryLimits.physicalMemory();
    }

    /** {@link #check(long, long, String)} against this JVM's heap and the machine's memory. */
    public void check(String what) {
        check(maxHeap(), physicalMemory(), what);
    }

    /**
     * Refuses a run that would not fit: throws a {@link TooLargeException} with the estimate and how
     * to lower it when the heap part exceeds {@code heapLimit} or the native part (plus the heap)
     * exceeds {@code physicalLimit}.
     *
     * @param what the run in words, e.g. "8 images × 18 layers at 224×224"
     */
    public void check(long heapLimit, long physicalLimit, String what) {
        String lower = "choose fewer layers (" + Setting.LAYERS + ", " + Setting.BLOCKS + "), fewer images, or a smaller " + Setting.SIZE;
        if (heapBytes() > heapLimit) {
            throw new TooLargeException("activations of " + what + " need about " + Units.bytes(heapBytes())
                    + " of memory (" + Units.bytes(activationBytes) + " activations + "
                    + Units.bytes(renderBytes) + " drawing) but the Java heap allows "
                    + Units.bytes(heapLimit) + "; " + lower
                    + ", or raise the heap with CONVSCOPE_JAVA_OPTS=-Xmx<size>", heapBytes(), heapLimit, TooLargeException.Limit.HEAP, 0);
        }
        if (physicalLimit != Long.MAX_VALUE && nativeBytes + heapBytes() > physicalLimit) {
            throw new TooLargeException("activations of " + what + " need about "
                    + Units.bytes(nativeBytes + heapBytes()) + " of memory ("
                    + Units.bytes(nativeBytes) + " for the forward pass + " + Units.bytes(heapBytes())
                    + " kept and drawn) but this machine has " + Units.bytes(physicalLimit) + "; " + lower,
                    nativeBytes + heapBytes(), physicalLimit, TooLargeException.Limit.MEMORY, 0);
        }
    }
}
