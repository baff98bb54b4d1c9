package io.convscope.onnx;

import io.convscope.network.Padding;

import java.util.Arrays;

import static io.convscope.onnx.Attrs.attrInts;
import static io.convscope.onnx.Attrs.attrString;

/** The window attributes that convolutions and pools share: auto_pad/pads and 2-D pairs (strides, dilations). */
final class Windows {
    private Windows() {
    }

    static Padding padding(OnnxProto.NodeP n, ImportContext cx, int spatial) {
        String auto = attrString(n, "auto_pad", "NOTSET");
        switch (auto) {
            case "SAME_UPPER":
                return Padding.SAME;
            case "SAME_LOWER":
                return Padding.SAME_LOWER;
            case "VALID":
                return Padding.VALID;
            case "NOTSET":
            case "":
                break;
            default:
                throw cx.unsupported("auto_pad=" + auto);
        }
        long[] pads = attrInts(n, "pads");
        if (pads == null || pads.length == 0) {
            return Padding.VALID;
        }
        if (pads.length != 2 * spatial) {
            throw new IllegalArgumentException(pads.length + " pads for " + spatial + " spatial axes");
        }
        if (Arrays.stream(pads).allMatch(p -> p == 0)) {
            return Padding.VALID;
        }
        return Padding.explicit(small(pads[0], "pads"), small(pads[2], "pads"), small(pads[1], "pads"), small(pads[3], "pads"));
    }

    static int[] pair(OnnxProto.NodeP n, ImportContext cx, String name, int def) {
        long[] v = attrInts(n, name);
        if (v == null || v.length == 0) {
            return new int[] {def, def};
        }
        if (v.length != 2) {
            throw cx.unsupported(name + " " + Arrays.toString(v) + ": only 2-D windows are supported");
        }
        return new int[] {small(v[0], name), small(v[1], name)};
    }

    /** A window size, stride, dilation or padding that fits an int. */
    static int small(long v, String what) {
        if (v != (int) v) {
            throw new IllegalArgumentException(what + " " + v + " is out of range");
        }
        return (int) v;
    }
}
