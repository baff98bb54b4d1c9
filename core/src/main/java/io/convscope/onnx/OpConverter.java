package io.convscope.onnx;

import java.util.List;

/**
 * Converts one family of ONNX operators into layers of the {@link io.convscope.network.Network}:
 * {@link #convert} reads the node's inputs and attributes through the {@link ImportContext} and adds
 * the layer(s) for it there. Register a new converter in {@link Operators}.
 */
interface OpConverter {
    /** The operator types this converter handles. */
    List<OpType> ops();

    /** Adds the layers of node {@code n}, whose first input is computed at run time. */
    void convert(OnnxProto.NodeP n, ImportContext cx);
}
