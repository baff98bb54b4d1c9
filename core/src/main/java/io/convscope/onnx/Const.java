package io.convscope.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A tensor whose value is known at import time (an initializer, a Constant, or the result of
 * folding). Floating-point types are held as float32 in {@code f}, integer and boolean types as
 * int64 in {@code l}; {@code type} keeps the ONNX data type. In shape arithmetic the batch size of
 * a dynamic tensor is not known at import: it is held as {@link #BATCH}.
 */
public record Const(int type, long[] dims, float[] f, long[] l) {
    /** Stands for "the batch size" inside shape tensors (Shape → Gather → Concat → Reshape chains). */
    public static final long BATCH = Long.MIN_VALUE + 7;
    /** Stands for a dimension of a dynamic tensor that is known only at run time (e.g. a free image size). */
    public static final long UNKNOWN = Long.MIN_VALUE + 11;

    public boolean isFloat() {
        return f != null;
    }

    public int size() {
        return isFloat() ? f.length : l.length;
    }

    public int rank() {
        return dims.length;
    }

    public static Const ofLongs(long[] dims, long... values) {
        return new Const(OnnxProto.INT64, dims, null, values);
    }

    public static Const ofFloats(long[] dims, float... values) {
        return new Const(OnnxProto.FLOAT, dims, values, null);
    }

    /** Element {@code i} as a double (int64 values converted). */
    public double get(int i) {
        return isFloat() ? f[i] : l[i];
    }

    /** Element {@code i} as a long (floats truncated). */
    public long getLong(int i) {
        return isFloat() ? (long) f[i] : l[i];
    }

    public long[] longs() {
        if (!isFloat()) {
            return l.clone();
        }
        long[] r = new long[f.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = (long) f[i];
        }
        return r;
    }

    public float[] floats() {
        if (isFloat()) {
            return f.clone();
        }
        float[] r = new float[l.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = l[i];
        }
        return r;
    }

    public int[] intDims() {
        int[] r = new int[dims.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = Math.toIntExact(dims[i]);
        }
        return r;
    }

    /** True when a value stands for a size known only at run time ({@link #BATCH} or {@link #UNKNOWN}). */
    public boolean containsBatch() {
        return contains(BATCH) || contains(UNKNOWN);
    }

    public boolean contains(long marker) {
        if (isFloat()) {
            return false;
        }
        for (long v : l) {
            if (v == marker) {
                return true;
            }
        }
        return false;
    }

    /** The same values with another shape. */
    public Const reshape(long[] newDims) {
        return new Const(type, newDims, f, l);
    }

    /** Converted to another ONNX type (Cast). */
    public Const cast(int to) {
        boolean toFloat = to == OnnxProto.FLOAT || to == OnnxProto.DOUBLE || to == OnnxProto.FLOAT16;
        if (toFloat) {
            return new Const(to, dims, floats(), null);
        }
        long[] v = longs();
        if (to == OnnxProto.BOOL) {
            for (int i = 0; i < v.length; i++) {
                v[i] = get(i) != 0 ? 1 : 0;
            }
        }
        return new Const(to, dims, null, v);
    }

    /** Decodes a TensorProto; {@code externalBytes} holds the data of an external tensor. */
    static Const decode(OnnxProto.TensorP t, byte[] externalBytes) {
        long[] dims = t.dims();
        long n = 1;
        for (long d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension " + d);
            }
            n = d == 0 ? 0 : n > Long.MAX_VALUE / d ? Long.MAX_VALUE : n * d; // saturates: no overflow
        }
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("tensor of " + n + " values is too large");
        }
        int count = (int) n;
        byte[] raw = externalBytes != null ? externalBytes : t.raw();
        int type = t.dataType();
        return switch (type) {
            case OnnxProto.FLOAT, OnnxProto.DOUBLE, OnnxProto.FLOAT16 -> new Const(type, dims, floats(t, raw, count), null);
            case OnnxProto.INT64, OnnxProto.INT32, OnnxProto.INT16, OnnxProto.INT8, OnnxProto.UINT8, OnnxProto.UINT16,
                 OnnxProto.UINT32, OnnxProto.BOOL, OnnxProto.UINT64 -> new Const(type, dims, null, longs(t, raw, count));
            default -> throw new UnsupportedOperationException("tensor '" + t.name() + "' has data type "
                    + OnnxProto.typeName(type) + ", which convscope does not read");
        };
    }

    /** The values of a floating-point tensor as float32; the data is checked against the shape before allocating. */
    private static float[] floats(OnnxProto.TensorP t, byte[] raw, int count) {
        int type = t.dataType();
        if (raw != null) {
            need(raw.length, (long) count * (type == OnnxProto.FLOAT ? 4 : type == OnnxProto.DOUBLE ? 8 : 2), t.name());
        } else {
            need(type == OnnxProto.FLOAT ? t.floatData().length : type == OnnxProto.DOUBLE ? t.doubleData().length
                    : t.int32Data().length, count, t.name());
        }
        float[] v = new float[count];
        if (raw != null) {
            ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < count; i++) {
                v[i] = type == OnnxProto.FLOAT ? b.getFloat(i * 4)
                        : type == OnnxProto.DOUBLE ? (float) b.getDouble(i * 8) : half(b.getShort(i * 2));
            }
        } else if (type == OnnxProto.FLOAT) {
            System.arraycopy(t.floatData(), 0, v, 0, count);
        } else if (type == OnnxProto.DOUBLE) {
            for (int i = 0; i < count; i++) {
                v[i] = (float) t.doubleData()[i];
            }
        } else {
            for (int i = 0; i < count; i++) {
                v[i] = half((short) t.int32Data()[i]);
            }
        }
        return v;
    }

    /** The values of an integer or boolean tensor as int64; the data is checked against the shape before allocating. */
    private static long[] longs(OnnxProto.TensorP t, byte[] raw, int count) {
        int type = t.dataType();
        long[] src = type == OnnxProto.INT64 ? t.int64Data() : type == OnnxProto.UINT64 ? t.uint64Data() : t.int32Data();
        if (raw != null) {
            int width = switch (type) {
                case OnnxProto.INT64, OnnxProto.UINT64 -> 8;
                case OnnxProto.INT32, OnnxProto.UINT32 -> 4;
                case OnnxProto.INT16, OnnxProto.UINT16 -> 2;
                default -> 1;
            };
            need(raw.length, (long) count * width, t.name());
        } else {
            need(src.length, count, t.name());
        }
        long[] v = new long[count];
        if (raw != null) {
            ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < count; i++) {
                v[i] = switch (type) {
                    case OnnxProto.INT64, OnnxProto.UINT64 -> b.getLong(i * 8);
                    case OnnxProto.INT32 -> b.getInt(i * 4);
                    case OnnxProto.UINT32 -> b.getInt(i * 4) & 0xffffffffL;
                    case OnnxProto.INT16 -> b.getShort(i * 2);
                    case OnnxProto.UINT16 -> b.getShort(i * 2) & 0xffff;
                    case OnnxProto.INT8 -> b.get(i);
                    default -> b.get(i) & 0xff;
                };
            }
        } else {
            System.arraycopy(src, 0, v, 0, count);
        }
        return v;
    }

    /** IEEE 754 half precision bits to float. */
    static float half(short bits) {
        int h = bits & 0xffff;
        int sign = (h >>> 15) << 31;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            float v = mant / 1024f / 16384f;
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    private static void need(long have, long want, String name) {
        if (have < want) {
            throw new IllegalArgumentException("tensor '" + name + "' holds " + have + " values/bytes, its shape needs " + want);
        }
    }

    @Override
    public String toString() {
        return OnnxProto.typeName(type) + Arrays.toString(dims);
    }
}
