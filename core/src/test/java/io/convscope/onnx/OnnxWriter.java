package io.convscope.onnx;

import com.google.protobuf.CodedOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Test helper: writes small ONNX models (ModelProto bytes) with the field numbers of onnx.proto, so
 * tests can build graphs that exercise the importer without model files.
 */
final class OnnxWriter {
    private final List<byte[]> nodes = new ArrayList<>();
    private final List<byte[]> inits = new ArrayList<>();
    private final List<byte[]> inputs = new ArrayList<>();
    private final List<byte[]> outputs = new ArrayList<>();
    private final java.util.Map<String, String> metadata = new java.util.LinkedHashMap<>();

    /** A metadata_props entry of the model. */
    OnnxWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    /** An attribute of a node. */
    record A(String name, Object value) { }

    static A attr(String name, Object value) {
        return new A(name, value);
    }

    OnnxWriter input(String name, long... dims) {
        inputs.add(valueInfo(name, dims));
        return this;
    }

    OnnxWriter output(String name) {
        outputs.add(valueInfo(name, null));
        return this;
    }

    OnnxWriter init(String name, long[] dims, float... values) {
        inits.add(tensor(name, dims, values, null, null));
        return this;
    }

    OnnxWriter initInts(String name, long[] dims, long... values) {
        inits.add(tensor(name, dims, null, values, null));
        return this;
    }

    /** An initializer whose data lies in {@code location} at {@code offset}, {@code length} bytes. */
    OnnxWriter initExternal(String name, long[] dims, String location, long offset, long length) {
        inits.add(msg(out -> {
            for (long d : dims) {
                out.writeInt64(1, d);
            }
            out.writeInt32(2, OnnxProto.FLOAT);
            out.writeString(8, name);
            out.writeByteArray(13, msg(e -> {
                e.writeString(1, "location");
                e.writeString(2, location);
            }));
            out.writeByteArray(13, msg(e -> {
                e.writeString(1, "offset");
                e.writeString(2, Long.toString(offset));
            }));
            out.writeByteArray(13, msg(e -> {
                e.writeString(1, "length");
                e.writeString(2, Long.toString(length));
            }));
            out.writeEnum(14, 1);
        }));
        return this;
    }

    OnnxWriter node(String op, String name, String[] in, String[] out, A... attrs) {
        nodes.add(msg(o -> {
            for (String s : in) {
                o.writeString(1, s);
            }
            for (String s : out) {
                o.writeString(2, s);
            }
            o.writeString(3, name);
            o.writeString(4, op);
            for (A a : attrs) {
                o.writeByteArray(5, attribute(a));
            }
        }));
        return this;
    }

    byte[] build(long opset) {
        byte[] graph = msg(g -> {
            for (byte[] n : nodes) {
                g.writeByteArray(1, n);
            }
            g.writeString(2, "test");
            for (byte[] t : inits) {
                g.writeByteArray(5, t);
            }
            for (byte[] v : inputs) {
                g.writeByteArray(11, v);
            }
            for (byte[] v : outputs) {
                g.writeByteArray(12, v);
            }
        });
        return msg(m -> {
            m.writeInt64(1, 8);
            m.writeString(2, "convscope-test");
            m.writeByteArray(7, graph);
            m.writeByteArray(8, msg(o -> {
                o.writeString(1, "");
                o.writeInt64(2, opset);
            }));
            for (var e : metadata.entrySet()) {
                m.writeByteArray(14, msg(o -> {
                    o.writeString(1, e.getKey());
                    o.writeString(2, e.getValue());
                }));
            }
        });
    }

    static byte[] floatsLE(float... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        return b.array();
    }

    private static byte[] attribute(A a) {
        return msg(o -> {
            o.writeString(1, a.name());
            Object v = a.value();
            if (v instanceof Float f) {
                o.writeFloat(2, f);
                o.writeEnum(20, 1);
            } else if (v instanceof Integer || v instanceof Long) {
                o.writeInt64(3, ((Number) v).longValue());
                o.writeEnum(20, 2);
            } else if (v instanceof String s) {
                o.writeString(4, s);
                o.writeEnum(20, 3);
            } else if (v instanceof long[] ints) {
                for (long i : ints) {
                    o.writeInt64(8, i);
                }
                o.writeEnum(20, 7);
            } else if (v instanceof float[] fs) {
                for (float f : fs) {
                    o.writeFloat(7, f);
                }
                o.writeEnum(20, 6);
            } else {
                throw new IllegalArgumentException("attribute value " + v);
            }
        });
    }

    private static byte[] valueInfo(String name, long[] dims) {
        return msg(o -> {
            o.writeString(1, name);
            o.writeByteArray(2, msg(type -> type.writeByteArray(1, msg(t -> {
                t.writeInt32(1, OnnxProto.FLOAT);
                if (dims != null) {
                    t.writeByteArray(2, msg(shape -> {
                        for (long d : dims) {
                            shape.writeByteArray(1, msg(dim -> {
                                if (d < 0) {
                                    dim.writeString(2, "N");
                                } else {
                                    dim.writeInt64(1, d);
                                }
                            }));
                        }
                    }));
                }
            }))));
        });
    }

    private static byte[] tensor(String name, long[] dims, float[] f, long[] l, byte[] raw) {
        return msg(o -> {
            for (long d : dims) {
                o.writeInt64(1, d);
            }
            o.writeInt32(2, f != null ? OnnxProto.FLOAT : OnnxProto.INT64);
            o.writeString(8, name);
            if (f != null) {
                o.writeByteArray(9, floatsLE(f));
            } else {
                for (long v : l) {
                    o.writeInt64(7, v);
                }
            }
        });
    }

    interface Body {
        void write(CodedOutputStream out) throws IOException;
    }

    static byte[] msg(Body body) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            body.write(out);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
