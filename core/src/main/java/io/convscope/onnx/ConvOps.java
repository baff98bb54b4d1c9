package io.convscope.onnx;

import io.convscope.network.Activation;
import io.convscope.network.Layer;
import io.convscope.network.Padding;
import io.convscope.network.Tensor;
import io.convscope.network.TensorShape;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.convscope.onnx.Attrs.attrInt;
import static io.convscope.onnx.Attrs.attrInts;
import static io.convscope.onnx.OpType.legacy;
import static io.convscope.onnx.OpType.op;

/** Conv (→ {@code Conv2D}, with groups) and ConvTranspose (→ {@code ConvTranspose2D}), 2-D only. */
final class ConvOps implements OpConverter {
    @Override
    public List<OpType> ops() {
        return List.of(legacy("Conv", "X", "W", "B"), op("ConvTranspose", "X", "W", "B"));
    }

    @Override
    public void convert(OnnxProto.NodeP n, ImportContext cx) {
        if (n.opType().equals("Conv")) {
            conv(n, cx);
        } else {
            convTranspose(n, cx);
        }
    }

    private static void conv(OnnxProto.NodeP n, ImportContext cx) {
        cx.batchMajor();
        Const w = cx.constant(n, 1);
        TensorShape x = cx.shape(n, 0);
        if (w.rank() != 4 || x.rank() != 3) {
            throw cx.unsupported("only 2-D convolutions (4-D input and kernel) are supported; kernel " + Arrays.toString(w.dims()));
        }
        int[] st = Windows.pair(n, cx, "strides", 1);
        int[] dl = Windows.pair(n, cx, "dilations", 1);
        int group = Windows.small(attrInt(n, "group", 1), "group");
        Const bias = cx.c(n, 2);
        Map<String, Tensor> p = new LinkedHashMap<>();
        p.put("kernel", ImportContext.tensor(w));
        if (bias != null) {
            p.put("bias", ImportContext.tensor(bias.floats(), (int) w.dims()[0]));
        }
        cx.add(n, new Layer.Conv2D((int) w.dims()[0], (int) w.dims()[2], (int) w.dims()[3], st[0], st[1], dl[0], dl[1],
                Windows.padding(n, cx, 2), group, bias != null, Activation.LINEAR), List.of(cx.dyn(n, 0)), p);
    }

    private static void convTranspose(OnnxProto.NodeP n, ImportContext cx) {
        cx.batchMajor();
        Const w = cx.constant(n, 1);
        TensorShape x = cx.shape(n, 0);
        if (w.rank() != 4 || x.rank() != 3) {
            throw cx.unsupported("only 2-D transposed convolutions are supported; kernel " + Arrays.toString(w.dims()));
        }
        int[] st = Windows.pair(n, cx, "strides", 1);
        int[] dl = Windows.pair(n, cx, "dilations", 1);
        int[] op = Windows.pair(n, cx, "output_padding", 0);
        int group = Windows.small(attrInt(n, "group", 1), "group");
        long[] os = attrInts(n, "output_shape");
        int[] outputSize = new int[0];
        if (os != null && os.length > 0) {
            if (os.length < 2) {
                throw new IllegalArgumentException("output_shape " + Arrays.toString(os) + " has fewer than 2 values");
            }
            outputSize = new int[] {Windows.small(os[os.length - 2], "output_shape"), Windows.small(os[os.length - 1], "output_shape")};
        }
        Padding pad = Windows.padding(n, cx, 2);
        if (pad.kind() == Padding.Kind.VALID && outputSize.length == 0) {
            pad = Padding.explicit(0, 0, 0, 0);
        }
        int filters = Math.multiplyExact((int) w.dims()[1], group);
        Const bias = cx.c(n, 2);
        Map<String, Tensor> p = new LinkedHashMap<>();
        p.put("kernel", ImportContext.tensor(w));
        if (bias != null) {
            p.put("bias", ImportContext.tensor(bias.floats(), filters));
        }
        cx.add(n, new Layer.ConvTranspose2D(filters, (int) w.dims()[2], (int) w.dims()[3], st[0], st[1], dl[0], dl[1], pad,
                op[0], op[1], outputSize, group, bias != null), List.of(cx.dyn(n, 0)), p);
    }
}
