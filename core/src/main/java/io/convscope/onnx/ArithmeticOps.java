package io.convscope.onnx;

import io.convscope.network.Layer;
import io.convscope.network.TensorShape;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.convscope.onnx.OpType.legacy;
import static io.convscope.onnx.OpType.op;

/** Broadcasting arithmetic (Add, Sub, Mul, Div, Pow, and the variadic Sum, Max, Min) → {@code Arith}. */
final class ArithmeticOps implements OpConverter {
    @Override
    public List<OpType> ops() {
        return List.of(legacy("Add", "A", "B"), legacy("Sub", "A", "B"), legacy("Mul", "A", "B"), legacy("Div", "A", "B"),
                op("Pow", "X", "Y"), legacy("Sum", "data_0"), legacy("Max", "data_0"), legacy("Min", "data_0"));
    }

    @Override
    public void convert(OnnxProto.NodeP n, ImportContext cx) {
        String op = n.opType();
        Layer.Arith.Op o = switch (op) {
            case "Add", "Sum" -> Layer.Arith.Op.ADD;
            case "Sub" -> Layer.Arith.Op.SUB;
            case "Mul" -> Layer.Arith.Op.MUL;
            case "Div" -> Layer.Arith.Op.DIV;
            case "Pow" -> Layer.Arith.Op.POW;
            case "Max" -> Layer.Arith.Op.MAX;
            default -> Layer.Arith.Op.MIN;
        };
        List<String> inputs = new ArrayList<>();
        int rank = -1;
        int constIndex = -1;
        for (int i = 0; i < n.inputs().size(); i++) {
            if (!ImportContext.present(n, i)) {
                continue;
            }
            if (cx.isConst(n, i)) {
                if (constIndex >= 0) {
                    throw cx.unsupported("more than one constant operand");
                }
                constIndex = i;
                continue;
            }
            TensorShape s = cx.shape(n, i);
            if (rank >= 0 && s.rank() != rank && cx.lead == 1) {
                throw cx.unsupported("inputs of different ranks broadcast across the batch axis");
            }
            rank = Math.max(rank, s.rank());
            inputs.add(cx.dyn(n, i));
        }
        if (inputs.isEmpty()) {
            throw cx.missing(0);
        }
        if (o == Layer.Arith.Op.POW && constIndex == 0) {
            throw cx.unsupported("a constant base (the exponent must be the constant)");
        }
        if (constIndex < 0 && inputs.size() == 1) {
            cx.add(n, new Layer.Identity(op, 0f), inputs.get(0));
            return;
        }
        if (constIndex < 0) {
            cx.add(n, new Layer.Arith(o, -1, new int[0]), inputs, Map.of());
            return;
        }
        Const v = cx.operand(cx.constant(n, constIndex), rank, "the constant operand");
        if (!v.isFloat()) {
            v = v.cast(OnnxProto.FLOAT);
        }
        cx.add(n, new Layer.Arith(o, constIndex, v.intDims()), inputs, Map.of("b", ImportContext.tensor(v)));
    }
}
