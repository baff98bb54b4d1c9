package io.convscope.onnx;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A reader for the parts of ONNX's protobuf messages ({@code onnx.proto}) that convscope uses,
 * written over {@link CodedInputStream} with the field numbers of the specification. Unknown fields
 * are skipped, so files from newer IR versions still read. Repeated numeric fields are accepted both
 * packed and unpacked, as the protobuf wire format allows.
 */
public final class OnnxProto {
    private OnnxProto() {
    }

    /** ONNX TensorProto.DataType values used here. */
    public static final int FLOAT = 1;
    public static final int UINT8 = 2;
    public static final int INT8 = 3;
    public static final int UINT16 = 4;
    public static final int INT16 = 5;
    public static final int INT32 = 6;
    public static final int INT64 = 7;
    public static final int STRING = 8;
    public static final int BOOL = 9;
    public static final int FLOAT16 = 10;
    public static final int DOUBLE = 11;
    public static final int UINT32 = 12;
    public static final int UINT64 = 13;

    /** The name of an ONNX data type, for messages. */
    public static String typeName(int t) {
        String[] names = {"UNDEFINED", "FLOAT", "UINT8", "INT8", "UINT16", "INT16", "INT32", "INT64", "STRING", "BOOL",
            "FLOAT16", "DOUBLE", "UINT32", "UINT64", "COMPLEX64", "COMPLEX128", "BFLOAT16"};
        return t >= 0 && t < names.length ? names[t] : "type " + t;
    }

    /** ModelProto: ir_version (1), opset_import (8), producer_name (2), graph (7), metadata_props (14). */
    public record Model(long irVersion, String producer, Map<String, Long> opsets, Graph graph, Map<String, String> metadata) { }

    /** GraphProto: node (1), name (2), initializer (5), input (11), output (12), value_info (13). */
    public record Graph(String name, List<NodeP> nodes, List<TensorP> initializers, List<ValueInfo> inputs,
                        List<ValueInfo> outputs, List<ValueInfo> valueInfo) { }

    /** NodeProto: input (1), output (2), name (3), op_type (4), attribute (5), domain (7). */
    public record NodeP(List<String> inputs, List<String> outputs, String name, String opType, String domain,
                        Map<String, Attr> attrs) { }

    /**
     * AttributeProto: name (1), f (2), i (3), s (4), t (5), g (6), floats (7), ints (8), strings (9),
     * tensors (10), type (20).
     */
    public record Attr(String name, int type, float f, long i, byte[] s, TensorP t, float[] floats, long[] ints,
                       List<byte[]> strings, boolean hasGraph) {
        public String string() {
            return s == null ? null : new String(s, java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    /**
     * TensorProto: dims (1), data_type (2), float_data (4), int32_data (5), string_data (6),
     * int64_data (7), name (8), raw_data (9), double_data (10), uint64_data (11), external_data (13,
     * key (1) / value (2) pairs), data_location (14; 1 = EXTERNAL).
     */
    public record TensorP(String name, int dataType, long[] dims, byte[] raw, float[] floatData, long[] int32Data,
                          long[] int64Data, double[] doubleData, long[] uint64Data, Map<String, String> external,
                          boolean isExternal, int stringCount) { }

    /**
     * ValueInfoProto name (1), type (2) → TypeProto.tensor_type (1) → elem_type (1), shape (2) →
     * TensorShapeProto.dim (1) → dim_value (1) / dim_param (2). {@code dims} is null when no shape
     * is given; an unknown dimension is -1, with its symbolic name in {@code params}.
     */
    public record ValueInfo(String name, int elemType, long[] dims, String[] params) { }

    public static Model parseModel(byte[] bytes) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        in.setSizeLimit(Integer.MAX_VALUE);
        in.setRecursionLimit(1000);
        long ir = 0;
        String producer = "";
        Map<String, Long> opsets = new LinkedHashMap<>();
        Graph graph = null;
        Map<String, String> metadata = new LinkedHashMap<>();
        int tag;
        while ((tag = in.readTag()) != 0) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> ir = in.readInt64();
                case 14 -> readEntry(sub(in, tag), metadata);
                case 2 -> producer = in.readString();
                case 7 -> graph = parseGraph(bytesOf(in, tag));
                case 8 -> {
                    CodedInputStream o = sub(in, tag);
                    String domain = "";
                    long version = 0;
                    int t;
                    while ((t = o.readTag()) != 0) {
                        switch (WireFormat.getTagFieldNumber(t)) {
                            case 1 -> domain = o.readString();
                            case 2 -> version = o.readInt64();
                            default -> o.skipField(t);
                        }
                    }
                    opsets.put(domain, version);
                }
                default -> in.skipField(tag);
            }
        }
        if (graph == null) {
            throw new IOException("no graph in the file");
        }
        return new Model(ir, producer, opsets, graph, metadata);
    }

    static Graph parseGraph(ByteString b) throws IOException {
        CodedInputStream in = b.newCodedInput();
        in.setSizeLimit(Integer.MAX_VALUE);
        String name = "";
        List<NodeP> nodes = new ArrayList<>();
        List<TensorP> inits = new ArrayList<>();
        List<ValueInfo> inputs = new ArrayList<>();
        List<ValueInfo> outputs = new ArrayList<>();
        List<ValueInfo> info = new ArrayList<>();
        int tag;
        while ((tag = in.readTag()) != 0) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> nodes.add(parseNode(bytesOf(in, tag)));
                case 2 -> name = in.readString();
                case 5 -> inits.add(parseTensor(bytesOf(in, tag)));
                case 11 -> inputs.add(parseValueInfo(bytesOf(in, tag)));
                case 12 -> outputs.add(parseValueInfo(bytesOf(in, tag)));
                case 13 -> info.add(parseValueInfo(bytesOf(in, tag)));
                default -> in.skipField(tag);
            }
        }
        return new Graph(name, nodes, inits, inputs, outputs, info);
    }

    static NodeP parseNode(ByteString b) throws IOException {
        CodedInputStream in = b.newCodedInput();
        List<String> inputs = new ArrayList<>();
        List<String> outputs = new ArrayList<>();
        String name = "";
        String op = "";
        String domain = "";
        Map<String, Attr> attrs = new LinkedHashMap<>();
        int tag;
        while ((tag = in.readTag()) != 0) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> inputs.add(in.readString());
                case 2 -> outputs.add(in.readString());
                case 3 -> name = in.readString();
                case 4 -> op = in.readString();
                case 5 -> {
                    Attr a = parseAttr(bytesOf(in, tag));
                    attrs.put(a.name(), a);
                }
                case 7 -> domain = in.readString();
                default -> in.skipField(tag);
            }
        }
        return new NodeP(inputs, outputs, name, op, domain, attrs);
    }

    static Attr parseAttr(ByteString b) throws IOException {
        CodedInputStream in = b.newCodedInput();
        String name = "";
        int type = 0;
        float f = 0;
        long i = 0;
        byte[] s = null;
        TensorP t = null;
        FloatList floats = new FloatList();
        LongList ints = new LongList();
        List<byte[]> strings = new ArrayList<>();
        boolean graph = false;
        int tag;
        while ((tag = in.readTag()) != 0) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> name = in.readString();
                case 2 -> f = in.readFloat();
                case 3 -> i = in.readInt64();
                case 4 -> s = in.readByteArray();
                case 5 -> t = parseTensor(bytesOf(in, tag));
                case 6, 11 -> {
                    graph = true;
                    in.skipField(tag);
                }
                case 7 -> readFloats(in, tag, floats);
                case 8 -> readLongs(in, tag, ints);
                case 9 -> strings.add(in.readByteArray());
                case 20 -> type = in.readEnum();
                default -> in.skipField(tag);
            }
        }
        return new Attr(name, type, f, i, s, t, floats.toArray(), ints.toArray(), strings, graph);
    }

    public static TensorP parseTensor(byte[] bytes) throws IOException {
        return parseTensor(ByteString.copyFrom(bytes));
    }

    static TensorP parseTensor(ByteString b) throws IOException {
        CodedInputStream in = b.newCodedInput();
        in.setSizeLimit(Integer.MAX_VALUE);
        String name = "";
        int type = 0;
        LongList dims = new LongList();
        byte[] raw = null;
        FloatList fl = new FloatList();
        LongList i32 = new LongList();
        LongList i64 = new LongList();
        LongList u64 = new LongList();
        List<Double> dbl = new ArrayList<>();
        Map<String, String> ext = new LinkedHashMap<>();
        boolean external = false;
        int strings = 0;
        int tag;
        while ((tag = in.readTag()) != 0) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> readLongs(in, tag, dims);
                case 2 -> type = in.readInt32();
                case 4 -> readFloats(in, tag, fl);
                case 5 -> readLongs(in, tag, i32);
                case 6 -> {
                    strings++;
                    in.skipField(tag);
                }
                case 7 -> readLongs(in, tag, i64);
                case 8 -> name = in.readString();
                case 9 -> raw = in.readByteArray();
                case 10 -> readDoubles(in, tag, dbl);
                case 11 -> readLongs(in, tag, u64);
                case 13 -> readEntry(sub(in, tag), ext);
                case 14 -> external = in.readEnum() == 1;
                default -> in.skipField(tag);
            }
        }
        double[] d = new double[dbl.size()];
        for (int k = 0; k < d.length; k++) {
            d[k] = dbl.get(k);
        }
        return new TensorP(name, type, dims.toArray(), raw, fl.toArray(), i32.toArray(), i64.toArray(), d,
                u64.toArray(), ext, external, strings);
    }

    static ValueInfo parseValueInfo(ByteString b) throws IOException {
        CodedInputStream in = b.newCodedInput();
        String name = "";
        int elem = 0;
        long[] dims = null;
        String[] params = null;
        int tag;
        while ((tag = in.readTag()) != 0) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> name = in.readString();
                case 2 -> {
                    CodedInputStream type = sub(in, tag);
                    int t;
                    while ((t = type.readTag()) != 0) {
                        if (WireFormat.getTagFieldNumber(t) != 1) {
                            type.skipField(t);
                            continue;
                        }
                        CodedInputStream tensor = sub(type, t);
                        int u;
                        while ((u = tensor.readTag()) != 0) {
                            switch (WireFormat.getTagFieldNumber(u)) {
                                case 1 -> elem = tensor.readInt32();
                                case 2 -> {
                                    List<Long> d = new ArrayList<>();
                                    List<String> ps = new ArrayList<>();
                                    readShape(sub(tensor, u), d, ps);
                                    dims = d.stream().mapToLong(Long::longValue).toArray();
                                    params = ps.toArray(new String[0]);
                                }
                                default -> tensor.skipField(u);
                            }
                        }
                    }
                }
                default -> in.skipField(tag);
            }
        }
        return new ValueInfo(name, elem, dims, params);
    }

    /** TensorShapeProto: dim (1) → dim_value (1) / dim_param (2); an unknown dimension is -1. */
    private static void readShape(CodedInputStream shape, List<Long> dims, List<String> params) throws IOException {
        int v;
        while ((v = shape.readTag()) != 0) {
            if (WireFormat.getTagFieldNumber(v) != 1) {
                shape.skipField(v);
                continue;
            }
            CodedInputStream dim = sub(shape, v);
            long value = -1;
            String param = null;
            int w;
            while ((w = dim.readTag()) != 0) {
                switch (WireFormat.getTagFieldNumber(w)) {
                    case 1 -> value = dim.readInt64();
                    case 2 -> param = dim.readString();
                    default -> dim.skipField(w);
                }
            }
            dims.add(value);
            params.add(param);
        }
    }

    // ---- wire helpers -------------------------------------------------------------------------------

    private static ByteString bytesOf(CodedInputStream in, int tag) throws IOException {
        if (WireFormat.getTagWireType(tag) != WireFormat.WIRETYPE_LENGTH_DELIMITED) {
            throw new IOException("field " + WireFormat.getTagFieldNumber(tag) + " has wire type "
                    + WireFormat.getTagWireType(tag) + " where a message is expected");
        }
        return in.readBytes();
    }

    private static CodedInputStream sub(CodedInputStream in, int tag) throws IOException {
        return bytesOf(in, tag).newCodedInput();
    }

    /** A StringStringEntryProto: key (1), value (2). */
    private static void readEntry(CodedInputStream e, Map<String, String> into) throws IOException {
        String k = "";
        String v = "";
        int t;
        while ((t = e.readTag()) != 0) {
            switch (WireFormat.getTagFieldNumber(t)) {
                case 1 -> k = e.readString();
                case 2 -> v = e.readString();
                default -> e.skipField(t);
            }
        }
        into.put(k, v);
    }

    private static void readDoubles(CodedInputStream in, int tag, List<Double> out) throws IOException {
        if (WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
            int limit = in.pushLimit(in.readRawVarint32());
            while (in.getBytesUntilLimit() > 0) {
                out.add(in.readDouble());
            }
            in.popLimit(limit);
        } else {
            out.add(in.readDouble());
        }
    }

    private static void readLongs(CodedInputStream in, int tag, LongList out) throws IOException {
        if (WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
            int limit = in.pushLimit(in.readRawVarint32());
            while (in.getBytesUntilLimit() > 0) {
                out.add(in.readInt64());
            }
            in.popLimit(limit);
        } else {
            out.add(in.readInt64());
        }
    }

    private static void readFloats(CodedInputStream in, int tag, FloatList out) throws IOException {
        if (WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
            int limit = in.pushLimit(in.readRawVarint32());
            while (in.getBytesUntilLimit() > 0) {
                out.add(in.readFloat());
            }
            in.popLimit(limit);
        } else {
            out.add(in.readFloat());
        }
    }

    private static final class LongList {
        long[] a = new long[8];
        int n;

        void add(long v) {
            if (n == a.length) {
                a = java.util.Arrays.copyOf(a, n * 2);
            }
            a[n++] = v;
        }

        long[] toArray() {
            return java.util.Arrays.copyOf(a, n);
        }
    }

    private static final class FloatList {
        float[] a = new float[8];
        int n;

        void add(float v) {
            if (n == a.length) {
                a = java.util.Arrays.copyOf(a, n * 2);
            }
            a[n++] = v;
        }

        float[] toArray() {
            return java.util.Arrays.copyOf(a, n);
        }
    }
}
