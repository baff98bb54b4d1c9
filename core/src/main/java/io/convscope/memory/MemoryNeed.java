package io.convscope.memory;

import io.convscope.Setting;
import io.convscope.TooLargeException;
import io.convscope.util.Units;

import java.util.function.IntFunction;

/**
 * What an optimisation (style transfer, class or channel visualization, reconstruction) needs,
 * estimated from the layers' shapes before anything is computed, and the refusal with the largest
 * image size that fits when it exceeds the {@link MemoryLimits}.
 *
 * @param nativeBytes PyTorch's memory for the weights and one evaluation (forward and backward)
 * @param heapBytes   the Java heap for the optimiser's vectors, the images and GIF frames
 */
public record MemoryNeed(long nativeBytes, long heapBytes) {

    /** Whether this fits: the heap part in the heap; the native part in the GPU (on one), else both in the machine. */
    public boolean fits(MemoryLimits limits) {
        if (heapBytes > limits.heapBytes()) {
            return false;
        }
        if (limits.gpuBytes() != Long.MAX_VALUE) {
            return nativeBytes <= limits.gpuBytes() && heapBytes <= limits.physicalBytes();
        }
        return limits.physicalBytes() == Long.MAX_VALUE || nativeBytes + heapBytes <= limits.physicalBytes();
    }

    /**
     * The largest multiple of {@code step} below {@code size} (at least {@code 2 × step}) whose need, by
     * {@code at}, fits; 0 when none does. The need grows with the size; a size {@code at} cannot
     * estimate (it throws) counts as not fitting.
     */
    public static int largestFitting(MemoryLimits limits, int size, int step, IntFunction<MemoryNeed> at) {
        int best = 0;
        int lo = 2;
        int hi = (size - 1) / step;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            boolean fits;
            try {
                fits = at.apply(mid * step).fits(limits);
            } catch (RuntimeException e) {
                fits = false;
            }
            if (fits) {
                best = mid * step;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return best;
    }

    /**
     * Refuses a run that does not fit with a {@link TooLargeException}: "{@code subject} needs about
     * 1.2 GB for the network + 3.0 GB for the optimiser but the Java heap allows 2.0 GB; size 512
     * fits (…)", the size found by {@link #largestFitting} in steps of {@code step}.
     */
    public void check(MemoryLimits limits, String subject, int size, int step, IntFunction<MemoryNeed> at) {
        if (fits(limits)) {
            return;
        }
        int smaller = largestFitting(limits, size, step, at);
        String hint = smaller > 0 ? "; " + Setting.SIZE + " " + smaller + " fits" : "; even " + Setting.SIZE + " " + 2 * step + " does not fit";
        String need = Units.bytes(nativeBytes) + " for the network + " + Units.bytes(heapBytes) + " for the optimiser";
        if (heapBytes > limits.heapBytes()) {
            throw new TooLargeException(subject + " needs about " + need + " but the Java heap allows "
                    + Units.bytes(limits.heapBytes()) + hint + " (or raise the heap with CONVSCOPE_JAVA_OPTS=-Xmx<size>)",
                    heapBytes, limits.heapBytes(), TooLargeException.Limit.HEAP, smaller);
        }
        if (limits.gpuBytes() != Long.MAX_VALUE && nativeBytes > limits.gpuBytes()) {
            throw new TooLargeException(subject + " needs about " + need + " but the GPU has " + Units.bytes(limits.gpuBytes()) + hint,
                    nativeBytes, limits.gpuBytes(), TooLargeException.Limit.GPU, smaller);
        }
        throw new TooLargeException(subject + " needs about " + need + " but this machine has " + Units.bytes(limits.physicalBytes()) + hint,
                nativeBytes + heapBytes, limits.physicalBytes(), TooLargeException.Limit.MEMORY, smaller);
    }
}
