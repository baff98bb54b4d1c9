package io.convscope.onnx;

import io.convscope.ConvscopeException;

/** Reads node attributes with their specification defaults; a required one that is absent is one line. */
final class Attrs {
    private Attrs() {
    }

    static long attrInt(OnnxProto.NodeP n, String name, long def) {
        OnnxProto.Attr a = n.attrs().get(name);
        return a == null ? def : a.i();
    }

    static float attrFloat(OnnxProto.NodeP n, String name, float def) {
        OnnxProto.Attr a = n.attrs().get(name);
        return a == null ? def : a.f();
    }

    /** The ints of an attribute, null when it is absent. */
    static long[] attrInts(OnnxProto.NodeP n, String name) {
        OnnxProto.Attr a = n.attrs().get(name);
        return a == null ? null : a.ints();
    }

    static String attrString(OnnxProto.NodeP n, String name, String def) {
        OnnxProto.Attr a = n.attrs().get(name);
        return a == null || a.s() == null ? def : a.string();
    }

    /** The floats of an attribute the node must have. */
    static float[] requiredFloats(OnnxProto.NodeP n, String name) {
        OnnxProto.Attr a = n.attrs().get(name);
        if (a == null) {
            throw missingAttribute(name);
        }
        return a.floats();
    }

    /** The tensor of an attribute the node must have. */
    static OnnxProto.TensorP requiredTensor(OnnxProto.NodeP n, String name) {
        OnnxProto.Attr a = n.attrs().get(name);
        if (a == null || a.t() == null) {
            throw missingAttribute(name);
        }
        return a.t();
    }

    static ConvscopeException missingAttribute(String name) {
        return new ConvscopeException("attribute " + name + " missing");
    }
}
