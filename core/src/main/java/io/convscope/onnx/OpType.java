package io.convscope.onnx;

import java.util.List;

/**
 * An ONNX operator type as a converter or folder declares it: its name, the first default-domain
 * opset whose semantics it implements (1 where the operator has not changed, for what convscope
 * reads, since opset 1; {@link #CURRENT} otherwise), and the names of its inputs as the
 * specification gives them, for messages ("input W missing").
 */
record OpType(String name, int since, List<String> inputs) {
    /** The oldest opset convscope reads in general; older files import when every operator is older than it. */
    static final int CURRENT = 7;

    /** An operator read from opset 7 on. */
    static OpType op(String name, String... inputs) {
        return new OpType(name, CURRENT, List.of(inputs));
    }

    /** An operator whose meaning is the same in opsets 1–6 as in opset 7. */
    static OpType legacy(String name, String... inputs) {
        return new OpType(name, 1, List.of(inputs));
    }

    /** The specification's name of input {@code i}, or its index where none is declared. */
    String inputName(int i) {
        return i < inputs.size() ? inputs.get(i) : Integer.toString(i);
    }
}
