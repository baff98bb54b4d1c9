package io.convscope.memory;

import ai.djl.Device;

import java.lang.management.ManagementFactory;

/**
 * The memory a run may use: the Java heap, the machine's physical memory and, on a GPU, its memory.
 * {@link #current(Device)} reads them from this JVM and machine; tests and servers pass their own.
 *
 * @param heapBytes     the largest heap this JVM may grow to
 * @param physicalBytes the machine's memory, or Long.MAX_VALUE when unknown
 * @param gpuBytes      the GPU's memory, or Long.MAX_VALUE on the CPU or when unknown
 */
public record MemoryLimits(long heapBytes, long physicalBytes, long gpuBytes) {

    /** The limits of this JVM and machine for a run on {@code device} (null: the CPU). */
    public static MemoryLimits current(Device device) {
        return new MemoryLimits(maxHeap(), physicalMemory(), gpuMemory(device));
    }

    /** The largest heap this JVM may grow to. */
    public static long maxHeap() {
        return Runtime.getRuntime().maxMemory();
    }

    /** The machine's physical memory, or Long.MAX_VALUE when unknown. */
    public static long physicalMemory() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            long total = os.getTotalMemorySize();
            return total > 0 ? total : Long.MAX_VALUE;
        }
        return Long.MAX_VALUE;
    }

    /** The GPU's total memory, or Long.MAX_VALUE on the CPU or when unknown. */
    public static long gpuMemory(Device device) {
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
