package io.convscope.optimize;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.convscope.ConvscopeException;
import io.convscope.engine.Tensors;

import java.util.SplittableRandom;

/**
 * A random change applied to the image at each step before the network sees it (Lucid's
 * transformation robustness): the optimised image must work under small shifts, zooms and
 * rotations, which keeps high-frequency adversarial patterns out. Differentiable; draws its random
 * numbers from the loop's seeded generator, so runs repeat exactly.
 */
@FunctionalInterface
public interface Transform {

    NDArray apply(NDArray image, SplittableRandom random);

    /** Shifts by up to ±{@code pixels} in each direction (edges repeated). */
    static Transform jitter(int pixels) {
        if (pixels < 0) {
            throw new ConvscopeException("jitter must be ≥ 0 pixels");
        }
        return (x, r) -> {
            if (pixels == 0) {
                return x;
            }
            int dy = r.nextInt(-pixels, pixels + 1);
            int dx = r.nextInt(-pixels, pixels + 1);
            return Affine.shift(Affine.shift(x, 2, dy), 3, dx);
        };
    }

    /** Zooms about the centre by a factor drawn uniformly from {@code factors}. */
    static Transform scale(double... factors) {
        if (factors.length == 0) {
            throw new ConvscopeException("scale needs at least one factor");
        }
        return (x, r) -> Affine.separable(x, factors[r.nextInt(factors.length)], 0, 0);
    }

    /** Rotates about the centre by a whole number of degrees in [−degrees, degrees]. */
    static Transform rotate(int degrees) {
        return (x, r) -> degrees == 0 ? x : Affine.apply(x, Math.toRadians(r.nextInt(-degrees, degrees + 1)), 1, 0, 0);
    }

    /** Pads every side with {@code pixels} of {@code value} (the image grows; for models of any size). */
    static Transform pad(int pixels, float value) {
        return (x, r) -> pixels == 0 ? x : x.pad(new Shape(pixels, pixels, pixels, pixels), value);
    }

    /**
     * A one-channel image repeated into three equal channels (R = G = B), for optimising a luminance
     * image through a colour network; three-channel images pass unchanged. Not random.
     */
    static Transform gray() {
        return (x, r) -> {
            Shape s = x.getShape();
            return s.get(1) == 1 ? x.broadcast(new Shape(s.get(0), 3, s.get(2), s.get(3))) : x;
        };
    }

    /**
     * Lucid's standard set, which keeps the image's size: jitter 8, scale 0.9–1.1, jitter 4 at 224 px;
     * the jitters scale with the image (1 and 1 at 28 px). Lucid also rotates by up to ±10°: that is
     * {@link #rotate}, left out here because it needs a per-pixel gather that costs more than the
     * separable zoom and shift (two small matrix products) and added nothing visible on SqueezeNet.
     */
    static Transform[] standard(int size) {
        int big = Math.max(1, (int) Math.round(8.0 * size / 224));
        int small = Math.max(1, (int) Math.round(4.0 * size / 224));
        double[] scales = new double[11];
        for (int i = 0; i < scales.length; i++) {
            scales[i] = 1 + (i - 5) / 50.0;
        }
        return new Transform[] {jitter(big), scale(scales), jitter(small)};
    }

    /** Bilinear resampling for rotate / zoom / shift about the image centre, edges clamped. */
    final class Affine {
        private Affine() {
        }

        /**
         * Shifts by {@code d} whole pixels along full-tensor axis {@code axis}, edges repeated: output i
         * is input clamp(i − d), as {@link #separable} with zoom 1 computes it, but by slicing and
         * concatenation (exact copies, no arithmetic) instead of a matrix product.
         */
        static NDArray shift(NDArray x, int axis, int d) {
            if (d == 0) {
                return x;
            }
            long[] s = x.getShape().getShape();
            long n = s[axis];
            long k = Math.min(Math.abs((long) d), n);
            long[] edgeShape = s.clone();
            edgeShape[axis] = k;
            // the repeated edge: the first row (shift forwards) or the last (backwards), broadcast k times
            NDArray edge = Tensors.slice(x, axis, d > 0 ? 0 : n - 1, d > 0 ? 1 : n).broadcast(new Shape(edgeShape));
            if (k == n) {
                return edge;
            }
            return d > 0 ? edge.concat(Tensors.slice(x, axis, 0, n - k), axis) : Tensors.slice(x, axis, k, n).concat(edge, axis);
        }

        /**
         * Zoom and shift without rotation, separable: along the rows, then along the columns, each
         * output entry the bilinear mix of its two nearest input entries ({@link #axis}'s weights).
         */
        static NDArray separable(NDArray x, double zoom, int dy, int dx) {
            if (zoom == 1 && dy == 0 && dx == 0) {
                return x;
            }
            return lerp(lerp(x, 2, zoom, dy), 3, zoom, dx);
        }

        /**
         * Output i along full-tensor axis {@code axis} = w_lo[i]·x[lo[i]] + w_hi[i]·x[hi[i]]: the rows of
         * {@link #axis}'s matrix by gathering their two entries rather than multiplying by the whole,
         * mostly zero, n × n matrix (a 224-px zoom forward and backward: 4 products of 67 MFLOP each).
         * Both are deterministic; they agree up to float rounding.
         */
        private static NDArray lerp(NDArray x, int axis, double zoom, int shift) {
            int n = (int) x.getShape().get(axis);
            Taps t = taps(n, zoom, shift);
            long[] weightShape = new long[x.getShape().dimension()];
            java.util.Arrays.fill(weightShape, 1);
            weightShape[axis] = n;
            NDManager m = x.getManager();
            NDArray wLo = m.create(t.wLo(), new Shape(weightShape)).toDevice(x.getDevice(), false);
            NDArray wHi = m.create(t.wHi(), new Shape(weightShape)).toDevice(x.getDevice(), false);
            return Tensors.select(x, axis, t.lo()).mul(wLo).add(Tensors.select(x, axis, t.hi()).mul(wHi));
        }

        /** For each output i: the two input entries it mixes and their weights (1 − f, f). */
        private record Taps(long[] lo, long[] hi, float[] wLo, float[] wHi) {
        }

        /** Output i samples (i − c − shift) / zoom + c (c the centre), clamped to the edges. */
        private static Taps taps(int n, double zoom, int shift) {
            long[] lo = new long[n];
            long[] hi = new long[n];
            float[] wLo = new float[n];
            float[] wHi = new float[n];
            double c = (n - 1) / 2.0;
            for (int i = 0; i < n; i++) {
                double src = Math.min(n - 1, Math.max(0, (i - c - shift) / zoom + c));
                int l = Math.min(Math.max(0, n - 2), (int) Math.floor(src));
                double f = src - l;
                lo[i] = l;
                hi[i] = Math.min(n - 1, l + 1);
                wLo[i] = (float) (1 - f);
                wHi[i] = (float) f;
            }
            return new Taps(lo, hi, wLo, wHi);
        }

        /** The same resampling as a row-major (n × n) matrix: output = matrix · input along the axis. */
        static float[] axis(int n, double zoom, int shift) {
            Taps t = taps(n, zoom, shift);
            float[] m = new float[n * n];
            for (int i = 0; i < n; i++) {
                m[i * n + (int) t.lo()[i]] += t.wLo()[i];
                m[i * n + (int) t.hi()[i]] += t.wHi()[i];
            }
            return m;
        }

        /**
         * Output pixel (i, j) samples the input at the point that the rotation by {@code angle}, the
         * zoom by {@code zoom} and the shift by (dy, dx) bring onto it.
         */
        static NDArray apply(NDArray x, double angle, double zoom, int dy, int dx) {
            if (angle == 0 && zoom == 1 && dy == 0 && dx == 0) {
                return x;
            }
            Shape s = x.getShape();
            int n = (int) s.get(0);
            int c = (int) s.get(1);
            int h = (int) s.get(2);
            int w = (int) s.get(3);
            int hw = h * w;
            long[][] idx = new long[4][hw];
            float[][] wt = new float[4][hw];
            double cy = (h - 1) / 2.0;
            double cx = (w - 1) / 2.0;
            double cos = Math.cos(angle);
            double sin = Math.sin(angle);
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < w; j++) {
                    double y = i - cy - dy;
                    double xx = j - cx - dx;
                    double sy = (cos * y + sin * xx) / zoom + cy;
                    double sx = (-sin * y + cos * xx) / zoom + cx;
                    sy = Math.min(h - 1, Math.max(0, sy));
                    sx = Math.min(w - 1, Math.max(0, sx));
                    int y0 = Math.min(h - 2 < 0 ? 0 : h - 2, (int) Math.floor(sy));
                    int x0 = Math.min(w - 2 < 0 ? 0 : w - 2, (int) Math.floor(sx));
                    int y1 = Math.min(h - 1, y0 + 1);
                    int x1 = Math.min(w - 1, x0 + 1);
                    double fy = sy - y0;
                    double fx = sx - x0;
                    int o = i * w + j;
                    idx[0][o] = (long) y0 * w + x0;
                    idx[1][o] = (long) y0 * w + x1;
                    idx[2][o] = (long) y1 * w + x0;
                    idx[3][o] = (long) y1 * w + x1;
                    wt[0][o] = (float) ((1 - fy) * (1 - fx));
                    wt[1][o] = (float) ((1 - fy) * fx);
                    wt[2][o] = (float) (fy * (1 - fx));
                    wt[3][o] = (float) (fy * fx);
                }
            }
            NDManager m = x.getManager();
            NDArray flat = x.reshape(n, c, hw);
            NDArray out = null;
            for (int k = 0; k < 4; k++) {
                NDArray index = m.create(idx[k]).toDevice(x.getDevice(), false).reshape(1, 1, hw).broadcast(new Shape(n, c, hw));
                NDArray weight = m.create(wt[k], new Shape(1, 1, hw)).toDevice(x.getDevice(), false);
                NDArray term = flat.gather(index, 2).mul(weight);
                out = out == null ? term : out.add(term);
            }
            return out.reshape(n, c, h, w);
        }
    }
}
