package io.convscope.onnx;

import java.util.List;

/**
 * Evaluates ONNX operators at import when all their inputs are known (initializers, constants, the
 * shapes of tensors): shape arithmetic such as PyTorch's Shape → Gather → Unsqueeze → Concat →
 * Reshape chains becomes constants. Register a new folder in {@link Operators}.
 */
interface ConstFolder {
    /** The operator types this folder evaluates. */
    List<OpType> ops();

    /** The node's outputs, or null when it cannot be evaluated on these inputs. */
    Const[] fold(OnnxProto.NodeP n, ImportContext cx);
}
