package io.convscope.onnx;

import io.convscope.network.Layer;

import java.util.List;

import static io.convscope.onnx.Attrs.attrFloat;
import static io.convscope.onnx.Attrs.attrInt;
import static io.convscope.onnx.OpType.legacy;
import static io.convscope.onnx.OpType.op;

/** Identity, Dropout (inference) and Cast to float32: layers that pass their input on. */
final class PassThroughOps implements OpConverter {
    @Override
    public List<OpType> ops() {
        return List.of(legacy("Identity", "input"), op("Dropout", "data", "ratio", "training_mode"), op("Cast", "input"));
    }

    @Override
    public void convert(OnnxProto.NodeP n, ImportContext cx) {
        switch (n.opType()) {
            case "Identity" -> cx.add(n, new Layer.Identity("Identity", 0f), cx.dyn(n, 0));
            case "Dropout" -> dropout(n, cx);
            default -> {
                long to = attrInt(n, "to", 0);
                if (to != OnnxProto.FLOAT) {
                    throw cx.unsupported("cast of the input to " + OnnxProto.typeName((int) to) + " (float32 only)");
                }
                cx.add(n, new Layer.Identity("Cast", 0f), cx.dyn(n, 0));
            }
        }
    }

    private static void dropout(OnnxProto.NodeP n, ImportContext cx) {
        cx.noExtraOutputs(n);
        float ratio = attrFloat(n, "ratio", 0.5f);
        if (cx.isConst(n, 1)) {
            ratio = (float) first(cx.constant(n, 1), "ratio");
        }
        if (cx.isConst(n, 2) && first(cx.constant(n, 2), "training_mode") != 0) {
            throw cx.unsupported("training_mode=true (inference only)");
        }
        cx.add(n, new Layer.Identity("Dropout", ratio), cx.dyn(n, 0));
    }

    /** The first value of a scalar input. */
    static double first(Const v, String what) {
        if (v.size() == 0) {
            throw new IllegalArgumentException(what + " is empty");
        }
        return v.get(0);
    }
}
