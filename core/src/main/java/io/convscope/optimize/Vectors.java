package io.convscope.optimize;

/**
 * Loops over the flat vectors the optimisers keep on the host, written for the JIT the short commands
 * run with (C1 alone, see the launcher): there {@link Float#isFinite} is a call per element, 0.99 ms
 * for 151,872 values against 0.09 ms for the subtraction below; and a sum in one chain waits for each
 * addition, so long ones are split into chunks that the cores share.
 */
final class Vectors {
    /** Vectors shorter than this are updated on the calling thread alone. */
    static final int PARALLEL_FROM = 1 << 16;
    /**
     * Whether the chunks of long vectors run on the common pool's threads: not while PyTorch's OpenMP
     * threads spin between operations ({@link #openMpSpins}). A spinning thread keeps the other core
     * during the host work between steps, and a pool thread beside it only takes turns with it
     * (classviz, 64 steps at 1000000 turns, three pairs: step 51–57 ms on the calling thread alone
     * against 58–67 ms shared).
     */
    static final boolean SHARE = !openMpSpins(System.getenv("OMP_WAIT_POLICY"), System.getenv("GOMP_SPINCOUNT"));
    private static final int CHUNK = 1 << 15;

    private Vectors() {
    }

    /** Whether every value is finite: x − x is 0 for a finite x and NaN for ±∞ and NaN. */
    static boolean allFinite(float[] v) {
        for (float x : v) {
            if (x - x != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Σ a[i]·b[i]. Below {@link #PARALLEL_FROM} values, one sum in index order; above, the sums of
     * consecutive chunks of {@code 2^15} values, each in index order, computed on the pool's threads
     * and added in chunk order: the same value on any number of threads.
     */
    static double dot(double[] a, double[] b) {
        return sum(a.length, (from, to) -> {
            double d = 0;
            for (int i = from; i < to; i++) {
                d += a[i] * b[i];
            }
            return d;
        });
    }

    /**
     * q ← g (widened), then returns z·q: {@link #dot(double[], double[])}'s value, from the same pass.
     * The fused passes below give the dot product of the updated vector with the next one, chunk by
     * chunk in the order {@link #dot} sums, so their values are those of the separate loops.
     */
    static double copyDot(float[] g, double[] q, double[] z) {
        return sum(q.length, (from, to) -> {
            double d = 0;
            for (int i = from; i < to; i++) {
                q[i] = g[i];
                d += z[i] * q[i];
            }
            return d;
        });
    }

    /** q ← −g (widened), then returns g·q. */
    static double negateDot(float[] g, double[] q) {
        return sum(q.length, (from, to) -> {
            double d = 0;
            for (int i = from; i < to; i++) {
                q[i] = -(double) g[i];
                d += g[i] * q[i];
            }
            return d;
        });
    }

    /** q ← (q + a·x)·scale (each element rounded after the sum, then after the product), then returns z·q. */
    static double axpyDot(double a, double[] x, double[] q, double scale, double[] z) {
        return sum(q.length, (from, to) -> {
            double d = 0;
            for (int i = from; i < to; i++) {
                double t = q[i] + a * x[i];
                q[i] = t * scale;
                d += z[i] * q[i];
            }
            return d;
        });
    }

    /** q ← −(q + a·x), then returns g·q. */
    static double axpyNegateDot(double a, double[] x, double[] q, float[] g) {
        return sum(q.length, (from, to) -> {
            double d = 0;
            for (int i = from; i < to; i++) {
                q[i] = -(q[i] + a * x[i]);
                d += g[i] * q[i];
            }
            return d;
        });
    }

    /** A partial sum over {@code [from, to)}. */
    @FunctionalInterface
    interface PartialSum {
        double over(int from, int to);
    }

    /**
     * Whether libgomp's threads wait for the next operation by spinning 100000 turns or more, from its
     * variables as libgomp reads them: GOMP_SPINCOUNT (a count, optionally with a k, M, G or T suffix,
     * or "infinite"), else OMP_WAIT_POLICY (PASSIVE: 0, ACTIVE: forever, unset: 300000).
     */
    static boolean openMpSpins(String waitPolicy, String spinCount) {
        if (spinCount != null && !spinCount.isBlank()) {
            String v = spinCount.trim().toLowerCase(java.util.Locale.ROOT);
            if (v.equals("infinite") || v.equals("infinity")) {
                return true;
            }
            long scale = 1;
            char last = v.charAt(v.length() - 1);
            int power = "kmgt".indexOf(last);
            if (power >= 0) {
                scale = (long) Math.pow(1000, power + 1);
                v = v.substring(0, v.length() - 1);
            }
            try {
                return Long.parseLong(v.trim()) * scale >= 100_000;
            } catch (NumberFormatException e) {
                return true; // libgomp ignores a value it cannot read: its default spins
            }
        }
        if (waitPolicy != null && waitPolicy.trim().equalsIgnoreCase("passive")) {
            return false;
        }
        return true;
    }

    private static double sum(int n, PartialSum part) {
        if (n < PARALLEL_FROM) {
            return part.over(0, n);
        }
        // forEachRange's chunks, one partial sum each, kept by chunk and added in chunk order
        double[] parts = new double[(n + CHUNK - 1) / CHUNK];
        forEachRange(n, (from, to) -> parts[from / CHUNK] = part.over(from, to));
        double total = 0;
        for (double p : parts) {
            total += p;
        }
        return total;
    }

    /** A loop body over {@code [from, to)}. */
    @FunctionalInterface
    interface Range {
        void run(int from, int to);
    }

    /**
     * Runs {@code body} over {@code [0, n)}: in chunks when {@code n} is large, on the common fork-join
     * pool's threads too unless PyTorch's threads spin ({@link #SHARE}). For element-wise bodies only
     * (each element's result must not depend on the others), so that the values are the same whatever
     * the threads.
     */
    static void forEachRange(int n, Range body) {
        if (n < PARALLEL_FROM) {
            body.run(0, n);
            return;
        }
        int chunks = (n + CHUNK - 1) / CHUNK;
        java.util.stream.IntStream range = java.util.stream.IntStream.range(0, chunks);
        (SHARE ? range.parallel() : range).forEach(c -> body.run(c * CHUNK, Math.min(n, (c + 1) * CHUNK)));
    }
}
