package io.convscope.onnx;

import io.convscope.network.Layer;
import io.convscope.network.TensorShape;

import java.util.List;

import static io.convscope.onnx.Attrs.attrInt;
import static io.convscope.onnx.Attrs.attrInts;
import static io.convscope.onnx.OpType.op;

/** ReduceMean, ReduceSum, ReduceMax, ReduceMin over sample axes (→ {@code Reduce}). */
final class ReduceOps implements OpConverter {
    @Override
    public List<OpType> ops() {
        return List.of(op("ReduceMean", "data", "axes"), op("ReduceSum", "data", "axes"), op("ReduceMax", "data", "axes"),
                op("ReduceMin", "data", "axes"));
    }

    @Override
    public void convert(OnnxProto.NodeP n, ImportContext cx) {
        TensorShape x = cx.shape(n, 0);
        int full = cx.rank(x);
        boolean axesAsInput = n.opType().equals("ReduceSum") ? cx.opset >= 13 : cx.opset >= 18;
        long[] axes = axesAsInput ? (ImportContext.present(n, 1) ? cx.constant(n, 1).longs() : null) : attrInts(n, "axes");
        boolean keep = attrInt(n, "keepdims", 1) != 0;
        if (axes == null || axes.length == 0) {
            if (attrInt(n, "noop_with_empty_axes", 0) != 0) {
                cx.add(n, new Layer.Identity(n.opType(), 0f), cx.dyn(n, 0));
                return;
            }
            if (cx.lead == 1) {
                throw cx.unsupported("a reduction over all axes includes the batch axis");
            }
            axes = new long[x.rank()];
            for (int i = 0; i < axes.length; i++) {
                axes[i] = i;
            }
        }
        int[] a = new int[axes.length];
        for (int i = 0; i < axes.length; i++) {
            a[i] = cx.sampleAxis(axes[i], full, n.opType());
        }
        Layer.Reduce.Op op = switch (n.opType()) {
            case "ReduceMean" -> Layer.Reduce.Op.MEAN;
            case "ReduceSum" -> Layer.Reduce.Op.SUM;
            case "ReduceMax" -> Layer.Reduce.Op.MAX;
            default -> Layer.Reduce.Op.MIN;
        };
        cx.add(n, new Layer.Reduce(op, a, keep), cx.dyn(n, 0));
    }
}
