package io.convscope.onnx;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The one table of ONNX operators convscope imports: each {@link OpConverter} (operators that become
 * layers) and {@link ConstFolder} (operators evaluated at import) is registered here once. The list
 * of supported operators, the "not supported" message, the opsets each operator is read from and the
 * names of its inputs all come from this table, as do the operator suite's expectations.
 */
final class Operators {
    /** Every converter, one per operator family. Add a new family here. */
    private static final List<OpConverter> CONVERTERS = List.of(
            new PassThroughOps(),
            new ActivationOps(),
            new ConvOps(),
            new PoolOps(),
            new NormalizationOps(),
            new LinearOps(),
            new ArithmeticOps(),
            new ShapeOps(),
            new IndexOps(),
            new ResizeOps(),
            new ReduceOps());

    /** Every folder of constants. Add a new one here. */
    private static final List<ConstFolder> FOLDERS = List.of(
            new ConstantFolder(),
            new ShapeFolder(),
            new ArithmeticFolder());

    private static final Map<String, OpConverter> CONVERTER = new HashMap<>();
    private static final Map<String, ConstFolder> FOLDER = new HashMap<>();
    private static final Map<String, OpType> TYPE = new HashMap<>();

    /** The names of every operator convscope imports, sorted. */
    static final List<String> SUPPORTED;

    static {
        for (OpConverter c : CONVERTERS) {
            for (OpType t : c.ops()) {
                register(t, c, CONVERTER);
            }
        }
        for (ConstFolder f : FOLDERS) {
            for (OpType t : f.ops()) {
                register(t, f, FOLDER);
            }
        }
        SUPPORTED = Collections.unmodifiableList(new ArrayList<>(new TreeSet<>(TYPE.keySet())));
    }

    private Operators() {
    }

    private static <T> void register(OpType t, T handler, Map<String, T> into) {
        if (into.put(t.name(), handler) != null) {
            throw new IllegalStateException("operator " + t.name() + " is registered twice");
        }
        OpType before = TYPE.putIfAbsent(t.name(), t);
        if (before != null && before.since() != t.since()) {
            throw new IllegalStateException("operator " + t.name() + " is declared with opsets from " + before.since()
                    + " and from " + t.since());
        }
        if (before != null && before.inputs().size() > t.inputs().size()) {
            return;
        }
        TYPE.put(t.name(), t);
    }

    /** The converter of an operator, null when it is never a layer. */
    static OpConverter converter(String op) {
        return CONVERTER.get(op);
    }

    /** The folder of an operator, null when it is never evaluated at import. */
    static ConstFolder folder(String op) {
        return FOLDER.get(op);
    }

    /** The declaration of an operator, null when it is not supported. */
    static OpType type(String op) {
        return TYPE.get(op);
    }

    static boolean supports(String op) {
        return TYPE.containsKey(op);
    }

    /** True when convscope reads this operator in files of this (old) opset. */
    static boolean readsBefore(String op, long opset) {
        OpType t = TYPE.get(op);
        return t != null && t.since() <= opset;
    }

    /** The message for an operator no converter or folder handles. */
    static String unsupportedMessage(String op) {
        return "operator " + op + " is not supported; supported: " + String.join(", ", SUPPORTED);
    }
}
