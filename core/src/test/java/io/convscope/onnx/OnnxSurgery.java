package io.convscope.onnx;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Test helper: edits the nodes of a serialized ONNX model without generated protobuf code. A
 * message is read as its raw fields (tag and payload, unknown fields kept as they are), the nodes of
 * the graph are handed to an edit as {@link Fields}, and the model is written again with every
 * length prefix recomputed — so an edited file is still valid protobuf, only its meaning changes.
 */
final class OnnxSurgery {
    private OnnxSurgery() {
    }

    /** One raw field: its tag, and its varint/fixed value or its length-delimited payload. */
    record Field(int tag, long value, ByteString bytes) {
        int number() {
            return WireFormat.getTagFieldNumber(tag);
        }

        String string() {
            return bytes.toStringUtf8();
        }

        static Field string(int number, String s) {
            return new Field((number << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED, 0,
                    ByteString.copyFrom(s, StandardCharsets.UTF_8));
        }
    }

    /** The fields of one message, in file order. */
    static final class Fields {
        final List<Field> list;

        Fields(List<Field> list) {
            this.list = list;
        }

        static Fields parse(ByteString b) {
            try {
                CodedInputStream in = b.newCodedInput();
                List<Field> out = new ArrayList<>();
                int tag;
                while ((tag = in.readTag()) != 0) {
                    switch (WireFormat.getTagWireType(tag)) {
                        case WireFormat.WIRETYPE_VARINT -> out.add(new Field(tag, in.readRawVarint64(), null));
                        case WireFormat.WIRETYPE_FIXED32 -> out.add(new Field(tag, in.readRawLittleEndian32(), null));
                        case WireFormat.WIRETYPE_FIXED64 -> out.add(new Field(tag, in.readRawLittleEndian64(), null));
                        case WireFormat.WIRETYPE_LENGTH_DELIMITED -> out.add(new Field(tag, 0, in.readBytes()));
                        default -> throw new IOException("wire type " + WireFormat.getTagWireType(tag));
                    }
                }
                return new Fields(out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        ByteString write() {
            try {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                CodedOutputStream out = CodedOutputStream.newInstance(bytes);
                for (Field f : list) {
                    out.writeUInt32NoTag(f.tag());
                    switch (WireFormat.getTagWireType(f.tag())) {
                        case WireFormat.WIRETYPE_VARINT -> out.writeUInt64NoTag(f.value());
                        case WireFormat.WIRETYPE_FIXED32 -> out.writeFixed32NoTag((int) f.value());
                        case WireFormat.WIRETYPE_FIXED64 -> out.writeFixed64NoTag(f.value());
                        default -> out.writeBytesNoTag(f.bytes());
                    }
                }
                out.flush();
                return ByteString.copyFrom(bytes.toByteArray());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        String first(int number) {
            for (Field f : list) {
                if (f.number() == number) {
                    return f.string();
                }
            }
            return "";
        }

        /** NodeProto: the operator type (field 4). */
        String opType() {
            return first(4);
        }

        /** NodeProto: the node name (field 3). */
        String name() {
            return first(3);
        }

        /** NodeProto: the number of inputs (field 1). */
        int inputCount() {
            return (int) list.stream().filter(f -> f.number() == 1).count();
        }

        /** NodeProto: the names of the attributes (field 5, each a message whose field 1 is the name). */
        List<String> attributeNames() {
            List<String> names = new ArrayList<>();
            for (Field f : list) {
                if (f.number() == 5) {
                    names.add(parse(f.bytes()).first(1));
                }
            }
            return names;
        }

        Fields withOpType(String op) {
            List<Field> out = new ArrayList<>();
            for (Field f : list) {
                out.add(f.number() == 4 ? Field.string(4, op) : f);
            }
            return new Fields(out);
        }

        /** Without the k-th field with this number (an input: 1, an attribute: 5). */
        Fields without(int number, int k) {
            List<Field> out = new ArrayList<>();
            int seen = 0;
            for (Field f : list) {
                if (f.number() == number && seen++ == k) {
                    continue;
                }
                out.add(f);
            }
            return new Fields(out);
        }

        /** With the k-th varint field with this number set to {@code value} (a dim of a TensorProto: 1). */
        Fields withVarint(int number, int k, long value) {
            List<Field> out = new ArrayList<>();
            int seen = 0;
            for (Field f : list) {
                boolean hit = f.number() == number && WireFormat.getTagWireType(f.tag()) == WireFormat.WIRETYPE_VARINT
                        && seen++ == k;
                out.add(hit ? new Field(f.tag(), value, null) : f);
            }
            return new Fields(out);
        }

        Fields withoutAttribute(String name) {
            List<Field> out = new ArrayList<>();
            for (Field f : list) {
                if (f.number() != 5 || !parse(f.bytes()).first(1).equals(name)) {
                    out.add(f);
                }
            }
            return new Fields(out);
        }
    }

    /** Rewrites every node of the graph with {@code edit} (given the node's index and fields). */
    static byte[] editNodes(byte[] model, NodeEdit edit) {
        return editGraph(model, 1, edit);
    }

    /** Rewrites every initializer (TensorProto) of the graph with {@code edit}. */
    static byte[] editInitializers(byte[] model, NodeEdit edit) {
        return editGraph(model, 5, edit);
    }

    /** Rewrites every message with field number {@code number} of the graph (1: nodes, 5: initializers). */
    static byte[] editGraph(byte[] model, int number, NodeEdit edit) {
        Fields m = Fields.parse(ByteString.copyFrom(model));
        List<Field> out = new ArrayList<>();
        for (Field f : m.list) {
            if (f.number() != 7) {
                out.add(f);
                continue;
            }
            Fields g = Fields.parse(f.bytes());
            List<Field> gout = new ArrayList<>();
            int index = 0;
            for (Field gf : g.list) {
                if (gf.number() == number) {
                    Fields node = edit.apply(index++, Fields.parse(gf.bytes()));
                    gout.add(new Field(gf.tag(), 0, node.write()));
                } else {
                    gout.add(gf);
                }
            }
            out.add(new Field(f.tag(), 0, new Fields(gout).write()));
        }
        return new Fields(out).write().toByteArray();
    }

    /** The nodes of a model, as fields. */
    static List<Fields> nodes(byte[] model) {
        List<Fields> nodes = new ArrayList<>();
        editNodes(model, (i, n) -> {
            nodes.add(n);
            return n;
        });
        return nodes;
    }

    /** Changes the operator of the first node of type {@code from} to {@code to}. */
    static byte[] swapFirst(byte[] model, String from, String to) {
        int[] done = {0};
        return editNodes(model, (i, n) -> {
            if (done[0] == 0 && n.opType().equals(from)) {
                done[0] = 1;
                return n.withOpType(to);
            }
            return n;
        });
    }

    /** An edit of one node. */
    interface NodeEdit {
        Fields apply(int index, Fields node);
    }
}
