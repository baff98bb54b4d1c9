package io.convscope.network;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * A dense float32 host tensor: parameters of a layer as they are stored in a {@link Network}. Data
 * lives in a direct buffer in native byte order, so that handing it to the engine is one copy.
 */
public final class Tensor {
    private final int[] shape;
    private final FloatBuffer data;
    /** The direct bytes under {@code data} when this class allocated them (null for a wrapped buffer). */
    private final ByteBuffer bytes;

    private Tensor(int[] shape, FloatBuffer data) {
        this(shape, data, null);
    }

    private Tensor(int[] shape, FloatBuffer data, ByteBuffer bytes) {
        this.shape = shape.clone();
        this.data = data;
        this.bytes = bytes;
        if (data.capacity() != size(shape)) {
            throw new IllegalArgumentException(
                    "data has " + data.capacity() + " values, shape " + Arrays.toString(shape) + " needs " + size(shape));
        }
    }

    public static Tensor of(float[] values, int... shape) {
        ByteBuffer bytes = allocateBytes(values.length);
        FloatBuffer buf = bytes.asFloatBuffer();
        buf.put(values).flip();
        return new Tensor(shape, buf, bytes);
    }

    /** Wraps a buffer (position 0, capacity = element count); the buffer is not copied. */
    public static Tensor wrap(FloatBuffer data, int... shape) {
        return new Tensor(shape, data);
    }

    public static Tensor zeros(int... shape) {
        ByteBuffer bytes = allocateBytes(Math.toIntExact(size(shape)));
        return new Tensor(shape, bytes.asFloatBuffer(), bytes);
    }

    public static FloatBuffer allocate(int n) {
        return allocateBytes(n).asFloatBuffer();
    }

    private static ByteBuffer allocateBytes(int n) {
        return ByteBuffer.allocateDirect(Math.multiplyExact(n, 4)).order(ByteOrder.nativeOrder());
    }

    public static long size(int... shape) {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public long size() {
        return size(shape);
    }

    /** A read-only view of the values, position 0. */
    public FloatBuffer data() {
        return data.duplicate().rewind();
    }

    /**
     * The values as native-order bytes (a view, position 0), when this tensor owns a direct buffer it
     * allocated, else null: the engine hands these to PyTorch without copying them, and must then never
     * write into them (a Network's tensors do not change).
     */
    public ByteBuffer bytes() {
        return bytes == null ? null : bytes.duplicate().order(ByteOrder.nativeOrder()).rewind();
    }

    public float get(int flatIndex) {
        return data.get(flatIndex);
    }

    public float[] toArray() {
        float[] out = new float[data.capacity()];
        data.duplicate().rewind().get(out);
        return out;
    }

    public Tensor reshape(int... newShape) {
        return new Tensor(newShape, data, bytes);
    }

    /**
     * Reorders the axes: result axis i is source axis {@code perm[i]} (as numpy's transpose).
     */
    public Tensor permute(int... perm) {
        if (perm.length != shape.length) {
            throw new IllegalArgumentException("permutation " + Arrays.toString(perm) + " for rank " + shape.length);
        }
        int rank = shape.length;
        int[] outShape = new int[rank];
        for (int i = 0; i < rank; i++) {
            outShape[i] = shape[perm[i]];
        }
        int[] srcStride = new int[rank];
        int s = 1;
        for (int i = rank - 1; i >= 0; i--) {
            srcStride[i] = s;
            s *= shape[i];
        }
        int[] step = new int[rank]; // source stride of each output axis
        for (int i = 0; i < rank; i++) {
            step[i] = srcStride[perm[i]];
        }
        int n = data.capacity();
        FloatBuffer out = allocate(n);
        FloatBuffer src = data.duplicate();
        int[] idx = new int[rank];
        int srcPos = 0;
        int last = rank - 1;
        int innerLen = rank == 0 ? 1 : outShape[last];
        int innerStep = rank == 0 ? 0 : step[last];
        for (int o = 0; o < n; o += innerLen) {
            int p = srcPos;
            for (int j = 0; j < innerLen; j++, p += innerStep) {
                out.put(o + j, src.get(p));
            }
            // advance the multi-index over all but the last axis
            for (int a = last - 1; a >= 0; a--) {
                idx[a]++;
                srcPos += step[a];
                if (idx[a] < outShape[a]) {
                    break;
                }
                srcPos -= step[a] * outShape[a];
                idx[a] = 0;
            }
        }
        return new Tensor(outShape, out);
    }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape);
    }
}
