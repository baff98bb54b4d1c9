package io.convscope.onnx;

import java.util.Arrays;
import java.util.List;

/**
 * Array arithmetic on {@link Const}s for folding: gather, concatenation, broadcasting binary
 * operations and checked reshapes. A result larger than its inputs is bounded by {@link #MAX_VALUES},
 * so a hostile file cannot make the importer allocate without limit (one no larger than its inputs,
 * which the file holds, is always computed).
 */
final class ConstMath {
    /** The most values a tensor computed at import may hold (shape arithmetic needs a handful). */
    static final int MAX_VALUES = 1 << 24;

    private ConstMath() {
    }

    /** The number of values of a tensor with these dims, refused when negative or above {@link #MAX_VALUES}. */
    static int checkedSize(long[] dims) {
        return checkedSize(dims, 0);
    }

    /**
     * As {@link #checkedSize(long[])}, allowing {@code inputs} values where that is more: a result no
     * larger than its inputs (which the file holds) is always computed.
     */
    static int checkedSize(long[] dims, long inputs) {
        long limit = Math.min(Integer.MAX_VALUE - 8, Math.max(MAX_VALUES, inputs));
        boolean empty = false;
        for (long d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException("shape " + Arrays.toString(dims) + " has a negative size");
            }
            empty |= d == 0;
        }
        if (empty) {
            return 0;
        }
        long size = 1;
        for (long d : dims) {
            size *= Math.min(d, limit + 1); // both factors at most 2^31: no overflow
            if (size > limit) {
                throw new IllegalArgumentException("a constant of shape " + Arrays.toString(dims)
                        + " is larger than convscope computes at import (" + limit + " values)");
            }
        }
        return (int) size;
    }

    /** The same values with another shape of the same size. */
    static Const reshape(Const data, long[] dims) {
        if (checkedSize(dims, data.size()) != data.size()) {
            throw new IllegalArgumentException("cannot reshape " + data.size() + " values to " + Arrays.toString(dims));
        }
        return data.reshape(dims);
    }

    static Const gather(Const data, int axis, Const idx) {
        long[] d = data.dims();
        long outer = 1;
        for (int i = 0; i < axis; i++) {
            outer *= d[i];
        }
        long inner = 1;
        for (int i = axis + 1; i < d.length; i++) {
            inner *= d[i];
        }
        long dim = d[axis];
        int count = idx.size();
        long[] outDims = new long[d.length - 1 + idx.rank()];
        int k = 0;
        for (int i = 0; i < axis; i++) {
            outDims[k++] = d[i];
        }
        for (long v : idx.dims()) {
            outDims[k++] = v;
        }
        for (int i = axis + 1; i < d.length; i++) {
            outDims[k++] = d[i];
        }
        int total = checkedSize(outDims, data.size());
        float[] f = data.isFloat() ? new float[total] : null;
        long[] l = data.isFloat() ? null : new long[total];
        int o = 0;
        for (long a = 0; a < outer; a++) {
            for (int j = 0; j < count; j++) {
                long ix = idx.getLong(j);
                ix = ix < 0 ? ix + dim : ix;
                if (ix < 0 || ix >= dim) {
                    throw new IllegalArgumentException("Gather index " + idx.getLong(j) + " outside 0.." + (dim - 1));
                }
                for (long i = 0; i < inner; i++) {
                    int src = (int) ((a * dim + ix) * inner + i);
                    if (f != null) {
                        f[o++] = data.f()[src];
                    } else {
                        l[o++] = data.l()[src];
                    }
                }
            }
        }
        return new Const(data.type(), outDims, f, l);
    }

    static Const concat(List<Const> parts, int axis) {
        Const first = parts.get(0);
        long[] d = first.dims().clone();
        long total = 0;
        for (Const p : parts) {
            if (p.rank() != first.rank()) {
                throw new IllegalArgumentException("Concat of ranks " + first.rank() + " and " + p.rank());
            }
            for (int i = 0; i < d.length; i++) {
                if (i != axis && p.dims()[i] != d[i]) {
                    throw new IllegalArgumentException("Concat of shapes " + Arrays.toString(first.dims()) + " and "
                            + Arrays.toString(p.dims()));
                }
            }
            total += p.dims()[axis];
        }
        d[axis] = total;
        long outer = 1;
        for (int i = 0; i < axis; i++) {
            outer *= d[i];
        }
        boolean isFloat = first.isFloat();
        int size = checkedSize(d, parts.stream().mapToLong(Const::size).sum());
        float[] f = isFloat ? new float[size] : null;
        long[] l = isFloat ? null : new long[size];
        int o = 0;
        for (long a = 0; a < outer; a++) {
            for (Const p : parts) {
                int chunk = (int) (p.size() / outer);
                for (int i = 0; i < chunk; i++) {
                    int src = (int) (a * chunk + i);
                    if (isFloat) {
                        f[o++] = (float) p.get(src);
                    } else {
                        l[o++] = p.getLong(src);
                    }
                }
            }
        }
        return new Const(first.type(), d, f, l);
    }

    /** Add, Sub, Mul or Div with numpy broadcasting; integer division floors. */
    static Const broadcast(String op, Const a, Const b) {
        int rank = Math.max(a.rank(), b.rank());
        long[] d = new long[rank];
        for (int i = 0; i < rank; i++) {
            long da = i - (rank - a.rank()) >= 0 ? a.dims()[i - (rank - a.rank())] : 1;
            long db = i - (rank - b.rank()) >= 0 ? b.dims()[i - (rank - b.rank())] : 1;
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException("shapes " + Arrays.toString(a.dims()) + " and " + Arrays.toString(b.dims())
                        + " do not broadcast");
            }
            d[i] = Math.max(da, db);
        }
        int size = checkedSize(d, Math.max(a.size(), b.size()));
        boolean isFloat = a.isFloat() || b.isFloat();
        float[] f = isFloat ? new float[size] : null;
        long[] l = isFloat ? null : new long[size];
        int[] idx = new int[rank];
        for (int o = 0; o < size; o++) {
            int ia = index(idx, a.dims(), rank);
            int ib = index(idx, b.dims(), rank);
            if (isFloat) {
                f[o] = (float) apply(op, a.get(ia), b.get(ib));
            } else {
                l[o] = apply(op, a.getLong(ia), b.getLong(ib));
            }
            for (int k = rank - 1; k >= 0; k--) {
                if (++idx[k] < d[k]) {
                    break;
                }
                idx[k] = 0;
            }
        }
        return new Const(isFloat ? OnnxProto.FLOAT : a.type(), d, f, l);
    }

    private static double apply(String op, double x, double y) {
        return switch (op) {
            case "Add" -> x + y;
            case "Sub" -> x - y;
            case "Mul" -> x * y;
            default -> x / y;
        };
    }

    private static long apply(String op, long x, long y) {
        return switch (op) {
            case "Add" -> x + y;
            case "Sub" -> x - y;
            case "Mul" -> x * y;
            default -> Math.floorDiv(x, y);
        };
    }

    private static int index(int[] idx, long[] dims, int rank) {
        int off = rank - dims.length;
        int flat = 0;
        for (int i = 0; i < dims.length; i++) {
            int v = dims[i] == 1 ? 0 : idx[i + off];
            flat = (int) (flat * dims[i] + v);
        }
        return flat;
    }
}
