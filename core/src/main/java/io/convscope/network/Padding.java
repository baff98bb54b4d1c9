package io.convscope.network;

/**
 * How a convolution or pooling window is padded. {@code SAME} is TensorFlow's rule: output size
 * {@code ceil(in / stride)}, and when the total padding is odd the extra row/column goes at the
 * bottom/right (ONNX's SAME_UPPER). {@code SAME_LOWER} puts it at the top/left. {@code explicit}
 * gives each side.
 */
public record Padding(Kind kind, int top, int bottom, int left, int right) {
    public enum Kind { VALID, SAME, SAME_LOWER, EXPLICIT }

    public static final Padding VALID = new Padding(Kind.VALID, 0, 0, 0, 0);
    public static final Padding SAME = new Padding(Kind.SAME, 0, 0, 0, 0);
    public static final Padding SAME_LOWER = new Padding(Kind.SAME_LOWER, 0, 0, 0, 0);

    public static Padding explicit(int top, int bottom, int left, int right) {
        return new Padding(Kind.EXPLICIT, top, bottom, left, right);
    }

    /** Resolved padding {top, bottom, left, right} for a given input size. */
    public int[] resolve(int inH, int inW, int kh, int kw, int sh, int sw, int dh, int dw) {
        return switch (kind) {
            case VALID -> new int[] {0, 0, 0, 0};
            case EXPLICIT -> new int[] {top, bottom, left, right};
            case SAME, SAME_LOWER -> {
                int th = total(inH, kh, sh, dh);
                int tw = total(inW, kw, sw, dw);
                int smallH = th / 2;
                int smallW = tw / 2;
                yield kind == Kind.SAME
                        ? new int[] {smallH, th - smallH, smallW, tw - smallW}
                        : new int[] {th - smallH, smallH, tw - smallW, smallW};
            }
        };
    }

    private static int total(int in, int k, int s, int d) {
        int effective = (k - 1) * d + 1;
        int out = (in + s - 1) / s;
        return Math.max((out - 1) * s + effective - in, 0);
    }

    /** Output size along one axis; -1 stays -1. */
    public static int outSize(int in, int k, int s, int d, int padBefore, int padAfter, boolean ceil) {
        if (in < 0) {
            return -1;
        }
        int effective = (k - 1) * d + 1;
        int span = in + padBefore + padAfter - effective;
        if (span < 0) {
            return 0;
        }
        int out = (ceil ? (span + s - 1) / s : span / s) + 1;
        if (ceil && (out - 1) * s >= in + padBefore) {
            out--; // the last window must start inside the input or the left padding
        }
        return out;
    }

    public boolean isSame() {
        return kind == Kind.SAME || kind == Kind.SAME_LOWER;
    }

    public String describe() {
        return switch (kind) {
            case VALID -> "valid";
            case SAME -> "same";
            case SAME_LOWER -> "same_lower";
            case EXPLICIT -> "pads(" + top + "," + bottom + "," + left + "," + right + ")";
        };
    }
}
