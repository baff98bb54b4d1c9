package io.convscope.network;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The doubles {@code new SplittableRandom(seed).nextDouble()} returns, computed at any position of the
 * sequence instead of one after another, so that a model's random weights (138 million values for
 * VGG16) are drawn on every core and still are exactly the numbers the sequential generator gives.
 *
 * <p>SplittableRandom (Steele, Lea &amp; Flood, "Fast splittable pseudorandom number generators",
 * OOPSLA 2014) keeps a 64-bit state that grows by a fixed odd gamma per value and returns a mix of it:
 * the k-th value (from 0) of a generator made with {@code new SplittableRandom(seed)} is
 * {@code mix64(seed + (k + 1)·γ)} with γ = 0x9e3779b97f4a7c15 (its "golden gamma"), and
 * {@code nextDouble()} takes the top 53 bits of that. {@code SeededUniformTest} checks every value
 * against {@link java.util.SplittableRandom} itself, far into the sequence.
 */
final class SeededUniform {
    static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;
    private static final double DOUBLE_UNIT = 0x1.0p-53;
    /** Values per task: big enough that a task's overhead vanishes, small enough that the cores share the work. */
    static final int CHUNK = 1 << 18;
    /** Values computed before they are copied into the buffer together. */
    private static final int BLOCK = 4096;

    private SeededUniform() {
    }

    /** The value at {@code index} (from 0) of {@code new SplittableRandom(seed).nextDouble()}'s sequence. */
    static double at(long seed, long index) {
        return (mix64(seed + (index + 1) * GOLDEN_GAMMA) >>> 11) * DOUBLE_UNIT;
    }

    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /**
     * A buffer to fill with {@code (float) ((u·2 − 1)·limit)}, u the sequence's values from {@code first} on:
     * Glorot-uniform weights as the sequential loop {@code (float) ((rnd.nextDouble() * 2 - 1) * limit)} made them.
     */
    record Fill(FloatBuffer target, long first, int count, double limit) {
    }

    /** Fills every buffer, in parallel (the common fork-join pool); the values do not depend on the threads. */
    static void fill(long seed, List<Fill> fills) {
        record Task(Fill fill, int from, int to) {
        }
        List<Task> tasks = new ArrayList<>();
        for (Fill f : fills) {
            for (int from = 0; from < f.count(); from += CHUNK) {
                tasks.add(new Task(f, from, Math.min(f.count(), from + CHUNK)));
            }
        }
        IntStream.range(0, tasks.size()).parallel().forEach(t -> {
            Task task = tasks.get(t);
            Fill f = task.fill();
            FloatBuffer target = f.target().duplicate();
            float[] v = new float[Math.min(BLOCK, task.to() - task.from())]; // small: reused, never a fresh heap region
            long state = seed + (f.first() + task.from()) * GOLDEN_GAMMA;
            double limit = f.limit();
            for (int from = task.from(); from < task.to(); from += v.length) {
                int n = Math.min(v.length, task.to() - from);
                for (int i = 0; i < n; i++) {
                    state += GOLDEN_GAMMA;
                    double u = (mix64(state) >>> 11) * DOUBLE_UNIT;
                    v[i] = (float) ((u * 2 - 1) * limit);
                }
                target.put(from, v, 0, n);
            }
        });
    }
}
