package io.convscope.network;

import java.util.Arrays;

/**
 * The shape of one sample (no batch axis). Spatial tensors are channels-first: {@code (C, H, W)};
 * flat tensors are {@code (F)}. A dimension of -1 is unknown (a model that takes any image size).
 */
public final class TensorShape {
    private final int[] dims;

    private TensorShape(int[] dims) {
        this.dims = dims.clone();
    }

    public static TensorShape of(int... dims) {
        return new TensorShape(dims);
    }

    /** A channels-first image shape. */
    public static TensorShape chw(int c, int h, int w) {
        return new TensorShape(new int[] {c, h, w});
    }

    public int rank() {
        return dims.length;
    }

    public int dim(int i) {
        return dims[i < 0 ? dims.length + i : i];
    }

    public int[] dims() {
        return dims.clone();
    }

    public boolean isSpatial() {
        return dims.length == 3;
    }

    public int channels() {
        return dims[0];
    }

    public int height() {
        return dims[1];
    }

    public int width() {
        return dims[2];
    }

    public boolean isFullyKnown() {
        for (int d : dims) {
            if (d < 0) {
                return false;
            }
        }
        return true;
    }

    /** Number of elements, or -1 when a dimension is unknown. */
    public long size() {
        long n = 1;
        for (int d : dims) {
            if (d < 0) {
                return -1;
            }
            n *= d;
        }
        return n;
    }

    public TensorShape withDim(int i, int value) {
        int[] d = dims.clone();
        d[i] = value;
        return new TensorShape(d);
    }

    /** The shape as Keras prints it: batch first, channels last, {@code None} for unknown. */
    public String toKerasString() {
        int[] order = dims.clone();
        if (dims.length == 3) {
            order = new int[] {dims[1], dims[2], dims[0]};
        }
        StringBuilder sb = new StringBuilder("(None");
        for (int d : order) {
            sb.append(", ").append(d < 0 ? "None" : Integer.toString(d));
        }
        return sb.append(')').toString();
    }

    /** Height × width × channels for spatial shapes, as a person reads a feature map. */
    public String toHwcString() {
        if (dims.length == 3) {
            return str(dims[1]) + "×" + str(dims[2]) + "×" + str(dims[0]);
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < dims.length; i++) {
            sb.append(i == 0 ? "" : "×").append(str(dims[i]));
        }
        return sb.toString();
    }

    private static String str(int d) {
        return d < 0 ? "?" : Integer.toString(d);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorShape t && Arrays.equals(dims, t.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    /** As the command line writes shapes: {@link #toKerasString()}, "(None, 224, 224, 3)" (one form everywhere). */
    @Override
    public String toString() {
        return toKerasString();
    }
}
