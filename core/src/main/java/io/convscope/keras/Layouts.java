package io.convscope.keras;

import io.convscope.network.Tensor;

import java.nio.FloatBuffer;
import java.util.stream.IntStream;

/**
 * Copies Keras weight arrays into convscope's layout. Every conversion the importer needs is one
 * of two kinds: a plain copy (biases, BatchNorm vectors) or {@link #reverse3}, which turns an
 * array viewed as (A, B, C) into (C, B, A):
 * <ul>
 *   <li>Conv2D HWIO → OIHW: (kh·kw, in/groups, out) → (out, in/groups, kh·kw);</li>
 *   <li>Dense (in, units) → (units, in): (in, 1, units);</li>
 *   <li>Dense after a flattened (H, W, C) tensor whose rows must follow (C, H, W) order:
 *       (h·w, c, units) → (units, c, h·w);</li>
 *   <li>DepthwiseConv2D (kh, kw, in, mult) → (in·mult, 1, kh, kw): (kh·kw, 1, in·mult);</li>
 *   <li>SeparableConv2D pointwise (1, 1, in·mult, out) → (out, in·mult, 1, 1): (in·mult, 1, out).</li>
 * </ul>
 * The transposition works in cache-sized blocks (in parallel for large arrays) so that VGG16's
 * 100-million-value fc1 kernel takes a fraction of a second.
 */
final class Layouts {
    private static final int BLOCK = 16;
    private static final long PARALLEL_MIN = 1 << 20;

    private Layouts() {
    }

    /** A direct, native-order copy of {@code src} (all of it, from position 0). */
    static FloatBuffer copy(FloatBuffer src) {
        FloatBuffer s = src.duplicate().rewind();
        FloatBuffer dst = Tensor.allocate(s.remaining());
        dst.put(s); // a memory copy when the byte orders agree, else value by value
        return dst.rewind();
    }

    /** {@code dst[c][b][a] = src[a][b][c]} for {@code src} viewed as (A, B, C); a direct native buffer. */
    static FloatBuffer reverse3(FloatBuffer src, int a, int b, int c) {
        long n = (long) a * b * c;
        if (n != src.limit()) {
            throw new IllegalArgumentException("array of " + src.limit() + " values viewed as " + a + "×" + b + "×" + c);
        }
        FloatBuffer dst = Tensor.allocate(Math.toIntExact(n));
        if ((a > 1 ? 1 : 0) + (b > 1 ? 1 : 0) + (c > 1 ? 1 : 0) <= 1) {
            // only one axis longer than 1: the values keep their order
            dst.put(src.duplicate().rewind());
            return dst.rewind();
        }
        // Work in blocks of C: the destination rows of one block (BLOCK · B · A values) stay in cache
        // while the source is read row by row. One call per block lets the JIT compile the loop
        // early (this runs once per process), and large arrays use all cores.
        int blocks = (c + BLOCK - 1) / BLOCK;
        IntStream range = IntStream.range(0, blocks);
        if (n >= PARALLEL_MIN) {
            range = range.parallel();
        }
        range.forEach(k -> block(src, dst, a, b, c, k * BLOCK, Math.min(c, k * BLOCK + BLOCK)));
        return dst;
    }

    private static void block(FloatBuffer src, FloatBuffer dst, int a, int b, int c, int c0, int c1) {
        int dstStrideC = b * a;
        for (int ai = 0; ai < a; ai++) {
            for (int bi = 0; bi < b; bi++) {
                int s = (ai * b + bi) * c;
                int d = bi * a + ai;
                for (int ci = c0; ci < c1; ci++) {
                    dst.put(ci * dstStrideC + d, src.get(s + ci));
                }
            }
        }
    }
}
