package io.convscope.keras;

import io.convscope.network.Tensor;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;

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
 * The transposition works in tiles so that a 100-million-value Dense kernel (VGG16's fc1) takes
 * about as long as copying it.
 */
final class Layouts {
    private static final int TILE = 64;

    private Layouts() {
    }

    /** A direct, native-order copy of {@code src} (all of it, from position 0). */
    static FloatBuffer copy(FloatBuffer src) {
        FloatBuffer s = src.duplicate().rewind();
        FloatBuffer dst = Tensor.allocate(s.remaining());
        if (s.order() == ByteOrder.nativeOrder() || !s.isDirect()) {
            dst.put(s);
        } else {
            int n = s.remaining();
            for (int i = 0; i < n; i++) {
                dst.put(i, s.get(i));
            }
        }
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
        int srcStrideA = b * c; // step of src when a grows by one
        int dstStrideC = b * a; // step of dst when c grows by one
        for (int bi = 0; bi < b; bi++) {
            for (int a0 = 0; a0 < a; a0 += TILE) {
                int a1 = Math.min(a0 + TILE, a);
                for (int c0 = 0; c0 < c; c0 += TILE) {
                    int c1 = Math.min(c0 + TILE, c);
                    for (int ci = c0; ci < c1; ci++) {
                        int d = ci * dstStrideC + bi * a + a0;
                        int s = a0 * srcStrideA + bi * c + ci;
                        for (int ai = a0; ai < a1; ai++, d++, s += srcStrideA) {
                            dst.put(d, src.get(s));
                        }
                    }
                }
            }
        }
        return dst;
    }
}
