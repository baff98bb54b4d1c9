package io.convscope.network;

import java.util.List;

/**
 * How the spatial positions of a layer's output read the spatial positions of its inputs: the one
 * step from which a receptive field is computed exactly by walking the graph back from a layer to the
 * input ({@link #positions} maps output rows or columns to the input ones they read).
 *
 * <p>Per spatial axis ({@code axis} 0 is the height, 1 the width) with kernel {@code k}, stride
 * {@code s}, dilation {@code d} and padding {@code p} before the first position:
 * <ul>
 *   <li>{@link Kind#POINTWISE}: output position i reads position i of every input (element-wise
 *       layers, 1×1 mixing of channels, BatchNorm, merges, channel concatenation);</li>
 *   <li>{@link Kind#WINDOW}: output position i reads {@code i·s − p + a·d} for {@code a} in
 *       {@code [0, k)} (convolutions, pooling; padding and cropping are 1×1 windows with a
 *       shift);</li>
 *   <li>{@link Kind#UPSAMPLE}: output position i reads {@code ⌊(i − p) / s⌋ + a} for {@code a} in
 *       {@code [0, k)}: {@code s} output positions per input one (nearest: k = 1, p = 0; bilinear
 *       with half-pixel centres: k = 2, p = ⌊s / 2⌋);</li>
 *   <li>{@link Kind#TRANSPOSED}: a transposed convolution; output position o reads the input
 *       positions i with {@code o = i·s − p + a·d}, {@code a} in {@code [0, k)};</li>
 *   <li>{@link Kind#GLOBAL}: every output position may read every input position (global pooling,
 *       Flatten, reshapes, and the safe answer for layers that do not say more);</li>
 *   <li>{@link Kind#NONE}: the input has no spatial positions (a Dense after a Flatten).</li>
 * </ul>
 * Positions outside the input (padding) are left out by {@link #positions}.
 */
public record Reach(Kind kind, int kh, int kw, int sh, int sw, int dh, int dw, int padTop, int padLeft) {

    /** What kind of step; see the class description. */
    public enum Kind { POINTWISE, WINDOW, UPSAMPLE, TRANSPOSED, GLOBAL, NONE }

    private static final Reach POINTWISE = new Reach(Kind.POINTWISE, 1, 1, 1, 1, 1, 1, 0, 0);
    private static final Reach GLOBAL = new Reach(Kind.GLOBAL, 0, 0, 0, 0, 0, 0, 0, 0);
    private static final Reach NONE = new Reach(Kind.NONE, 0, 0, 0, 0, 0, 0, 0, 0);

    /** Each output position reads the same position of every input. */
    public static Reach pointwise() {
        return POINTWISE;
    }

    /** Every output position may read every input position. */
    public static Reach global() {
        return GLOBAL;
    }

    /** The input has no spatial positions. */
    public static Reach none() {
        return NONE;
    }

    /** A window of {@code kh × kw} with strides, dilations and the padding before the first row and column. */
    public static Reach window(int kh, int kw, int sh, int sw, int dh, int dw, int padTop, int padLeft) {
        return new Reach(Kind.WINDOW, kh, kw, sh, sw, dh, dw, padTop, padLeft);
    }

    /** {@link #pointwise} when every input has spatial positions, else {@link #none}. */
    public static Reach perPosition(List<TensorShape> inputs) {
        return spatial(inputs) ? POINTWISE : NONE;
    }

    /** {@link #global} when every input has spatial positions, else {@link #none}. */
    public static Reach mixing(List<TensorShape> inputs) {
        return spatial(inputs) ? GLOBAL : NONE;
    }

    private static boolean spatial(List<TensorShape> inputs) {
        if (inputs.isEmpty()) {
            return false;
        }
        for (TensorShape s : inputs) {
            if (!s.isSpatial()) {
                return false;
            }
        }
        return true;
    }

    /**
     * The input rows (axis 0) or columns (axis 1) that the output positions {@code positions} read,
     * sorted and without repeats, within an input of {@code inSize} positions (padding is left out);
     * null for {@link Kind#NONE}. Walking sets, not intervals, keeps receptive fields exact: a dilated
     * window reads only some of the positions it spans, and which ones decides what the layer before
     * it reads.
     */
    public int[] positions(int axis, int[] positions, int inSize) {
        if (kind == Kind.NONE) {
            return null;
        }
        int k = axis == 0 ? kh : kw;
        int s = axis == 0 ? sh : sw;
        int d = axis == 0 ? dh : dw;
        int p = axis == 0 ? padTop : padLeft;
        boolean[] read = new boolean[Math.max(inSize, 0)];
        for (int o : positions) {
            switch (kind) {
                case GLOBAL -> java.util.Arrays.fill(read, true);
                case POINTWISE -> mark(read, o);
                case WINDOW -> {
                    for (int a = 0; a < k; a++) {
                        mark(read, (long) o * s - p + (long) a * d);
                    }
                }
                case UPSAMPLE -> {
                    for (int a = 0; a < k; a++) {
                        mark(read, Math.floorDiv((long) o - p, (long) s) + a);
                    }
                }
                case TRANSPOSED -> {
                    for (int a = 0; a < k; a++) {
                        long t = (long) o + p - (long) a * d;
                        if (Math.floorMod(t, (long) s) == 0) {
                            mark(read, t / s);
                        }
                    }
                }
                default -> throw new IllegalStateException(kind.toString());
            }
        }
        int n = 0;
        for (boolean b : read) {
            n += b ? 1 : 0;
        }
        int[] out = new int[n];
        for (int i = 0, j = 0; i < read.length; i++) {
            if (read[i]) {
                out[j++] = i;
            }
        }
        return out;
    }

    /**
     * The smallest interval {@code {first, last}} of input rows (axis 0) or columns (axis 1) that holds
     * every position the output positions {@code lo..hi} read; null for {@link Kind#NONE} or when
     * they read only padding. To follow several layers, walk {@link #positions} instead.
     */
    public int[] rows(int axis, int lo, int hi, int inSize) {
        int[] all = new int[Math.max(hi - lo + 1, 0)];
        for (int i = 0; i < all.length; i++) {
            all[i] = lo + i;
        }
        int[] read = positions(axis, all, inSize);
        return read == null || read.length == 0 ? null : new int[] {read[0], read[read.length - 1]};
    }

    private static void mark(boolean[] read, long i) {
        if (i >= 0 && i < read.length) {
            read[(int) i] = true;
        }
    }
}
