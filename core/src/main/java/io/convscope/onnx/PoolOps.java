package io.convscope.onnx;

import io.convscope.network.Layer;
import io.convscope.network.TensorShape;

import java.util.Arrays;
import java.util.List;

import static io.convscope.onnx.Attrs.attrInt;
import static io.convscope.onnx.OpType.legacy;

/** MaxPool/AveragePool (→ {@code Pool2D}) and GlobalAveragePool/GlobalMaxPool (→ {@code GlobalPool} or {@code Reduce}). */
final class PoolOps implements OpConverter {
    @Override
    public List<OpType> ops() {
        return List.of(legacy("MaxPool", "X"), legacy("AveragePool", "X"), legacy("GlobalAveragePool", "X"),
                legacy("GlobalMaxPool", "X"));
    }

    @Override
    public void convert(OnnxProto.NodeP n, ImportContext cx) {
        if (n.opType().startsWith("Global")) {
            globalPool(n, cx);
        } else {
            pool(n, cx);
        }
    }

    private static void pool(OnnxProto.NodeP n, ImportContext cx) {
        cx.batchMajor();
        cx.noExtraOutputs(n);
        TensorShape x = cx.shape(n, 0);
        if (x.rank() != 3) {
            throw cx.unsupported("only 2-D pooling (4-D input) is supported, input " + x);
        }
        int[] k = Windows.pair(n, cx, "kernel_shape", 1);
        int[] st = Windows.pair(n, cx, "strides", 1);
        int[] dl = Windows.pair(n, cx, "dilations", 1);
        if (dl[0] != 1 || dl[1] != 1) {
            throw cx.unsupported("dilations " + Arrays.toString(dl) + " (1 only)");
        }
        if (attrInt(n, "storage_order", 0) != 0) {
            throw cx.unsupported("storage_order=1");
        }
        boolean max = n.opType().equals("MaxPool");
        boolean ceil = attrInt(n, "ceil_mode", 0) != 0;
        boolean include = attrInt(n, "count_include_pad", 0) != 0;
        cx.add(n, new Layer.Pool2D(max, k[0], k[1], st[0], st[1], Windows.padding(n, cx, 2), ceil, include), cx.dyn(n, 0));
    }

    private static void globalPool(OnnxProto.NodeP n, ImportContext cx) {
        TensorShape x = cx.shape(n, 0);
        boolean max = n.opType().equals("GlobalMaxPool");
        if (x.rank() == 3 && cx.lead == 1) {
            cx.add(n, new Layer.GlobalPool(max, true), cx.dyn(n, 0));
            return;
        }
        int first = 2 - cx.lead;
        int[] axes = new int[Math.max(0, x.rank() - first)];
        for (int i = 0; i < axes.length; i++) {
            axes[i] = i + first;
        }
        cx.add(n, new Layer.Reduce(max ? Layer.Reduce.Op.MAX : Layer.Reduce.Op.MEAN, axes, true), cx.dyn(n, 0));
    }
}
