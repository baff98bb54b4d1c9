package io.convscope.onnx;

import io.convscope.network.Layer;
import io.convscope.network.Tensor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.convscope.onnx.Attrs.attrFloat;
import static io.convscope.onnx.Attrs.attrInt;
import static io.convscope.onnx.ImportContext.tensor;
import static io.convscope.onnx.OpType.legacy;
import static io.convscope.onnx.OpType.op;

/** BatchNormalization (inference), InstanceNormalization and LRN; all need batch-major tensors. */
final class NormalizationOps implements OpConverter {
    @Override
    public List<OpType> ops() {
        return List.of(op("BatchNormalization", "X", "scale", "B", "input_mean", "input_var"),
                legacy("InstanceNormalization", "input", "scale", "B"), legacy("LRN", "X"));
    }

    @Override
    public void convert(OnnxProto.NodeP n, ImportContext cx) {
        cx.batchMajor();
        switch (n.opType()) {
            case "BatchNormalization" -> batchNorm(n, cx);
            case "InstanceNormalization" -> {
                String x = cx.dyn(n, 0);
                cx.add(n, new Layer.InstanceNorm(attrFloat(n, "epsilon", 1e-5f)), List.of(x),
                        Map.of("gamma", tensor(cx.constant(n, 1)), "beta", tensor(cx.constant(n, 2))));
            }
            default -> cx.add(n, new Layer.LRN((int) attrInt(n, "size", 1), attrFloat(n, "alpha", 1e-4f),
                    attrFloat(n, "beta", 0.75f), attrFloat(n, "bias", 1f)), cx.dyn(n, 0));
        }
    }

    private static void batchNorm(OnnxProto.NodeP n, ImportContext cx) {
        cx.noExtraOutputs(n);
        if (attrInt(n, "training_mode", 0) != 0) {
            throw cx.unsupported("training_mode=1 (inference only)");
        }
        if (cx.opset < 9 && attrInt(n, "spatial", 1) == 0) {
            throw cx.unsupported("spatial=0");
        }
        String x = cx.dyn(n, 0);
        Map<String, Tensor> p = new LinkedHashMap<>();
        p.put("gamma", tensor(cx.constant(n, 1)));
        p.put("beta", tensor(cx.constant(n, 2)));
        p.put("moving_mean", tensor(cx.constant(n, 3)));
        p.put("moving_variance", tensor(cx.constant(n, 4)));
        cx.add(n, new Layer.BatchNorm(attrFloat(n, "epsilon", 1e-5f), true, true), List.of(x), p);
    }
}
