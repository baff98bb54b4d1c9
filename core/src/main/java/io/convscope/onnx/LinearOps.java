package io.convscope.onnx;

import io.convscope.network.Activation;
import io.convscope.network.Layer;
import io.convscope.network.Tensor;
import io.convscope.network.TensorShape;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.convscope.onnx.Attrs.attrFloat;
import static io.convscope.onnx.Attrs.attrInt;
import static io.convscope.onnx.ImportContext.tensor;
import static io.convscope.onnx.OpType.legacy;
import static io.convscope.onnx.OpType.op;

/** Gemm (→ {@code Dense}, alpha and transB folded into the kernel) and MatMul. */
final class LinearOps implements OpConverter {
    @Override
    public List<OpType> ops() {
        return List.of(op("Gemm", "A", "B", "C"), legacy("MatMul", "A", "B"));
    }

    @Override
    public void convert(OnnxProto.NodeP n, ImportContext cx) {
        if (n.opType().equals("Gemm")) {
            gemm(n, cx);
        } else {
            matmul(n, cx);
        }
    }

    private static void gemm(OnnxProto.NodeP n, ImportContext cx) {
        boolean transA = attrInt(n, "transA", 0) != 0;
        if (transA && cx.lead == 1) {
            throw cx.unsupported("transA=1 transposes the batch axis of the input");
        }
        TensorShape x = cx.shape(n, 0);
        if (cx.rank(x) != 2) {
            throw cx.unsupported("Gemm input of shape " + x + " (needs a matrix)");
        }
        String input = cx.dyn(n, 0);
        if (transA) {
            String t = cx.unique(ImportContext.label(n) + "/transpose_a");
            cx.b.add(t, new Layer.Permute(new int[] {1, 0}), input);
            input = t;
        }
        Const bm = cx.constant(n, 1);
        if (bm.rank() != 2) {
            throw new IllegalArgumentException("B has rank " + bm.rank());
        }
        boolean transB = attrInt(n, "transB", 0) != 0;
        int k = (int) (transB ? bm.dims()[1] : bm.dims()[0]);
        int units = (int) (transB ? bm.dims()[0] : bm.dims()[1]);
        Map<String, Tensor> p = new LinkedHashMap<>();
        p.put("kernel", tensor(kernel(bm, attrFloat(n, "alpha", 1f), transB, k, units), units, k));
        float beta = attrFloat(n, "beta", 1f);
        Const cm = cx.c(n, 2);
        if (cm != null) {
            long size = cm.size();
            boolean perUnit = (cm.rank() <= 1 && (size == units || size == 1))
                    || (cm.rank() == 2 && cm.dims()[0] == 1 && (cm.dims()[1] == units || cm.dims()[1] == 1));
            if (!perUnit && cx.lead == 1) {
                throw cx.unsupported("bias C of shape " + Arrays.toString(cm.dims()) + " depends on the batch row");
            }
            if (!perUnit) {
                String dense = cx.unique(ImportContext.label(n) + "/matmul");
                cx.b.add(dense, new Layer.Dense(units, false, Activation.LINEAR), List.of(input), p);
                float[] cv = cm.floats();
                for (int i = 0; i < cv.length; i++) {
                    cv[i] *= beta;
                }
                cx.add(n, new Layer.Arith(Layer.Arith.Op.ADD, 1, cm.intDims()), List.of(dense), Map.of("b", tensor(cv, cm.intDims())));
                return;
            }
            float[] bias = new float[units];
            for (int u = 0; u < units; u++) {
                bias[u] = beta * (float) cm.get(size == 1 ? 0 : u);
            }
            p.put("bias", tensor(bias, units));
        }
        cx.add(n, new Layer.Dense(units, cm != null, Activation.LINEAR), List.of(input), p);
    }

    /** The Dense kernel (units, k) of B, scaled by alpha. */
    private static float[] kernel(Const bm, float alpha, boolean transB, int k, int units) {
        float[] src = bm.floats();
        float[] kernel = new float[src.length];
        for (int u = 0; u < units; u++) {
            for (int i = 0; i < k; i++) {
                kernel[u * k + i] = alpha * (transB ? src[u * k + i] : src[i * units + u]);
            }
        }
        return kernel;
    }

    private static void matmul(OnnxProto.NodeP n, ImportContext cx) {
        if (cx.isConst(n, 0)) {
            throw cx.unsupported("a constant left operand (the input must come first)");
        }
        TensorShape a = cx.shape(n, 0);
        if (cx.isConst(n, 1)) {
            Const bm = cx.constant(n, 1);
            if (bm.rank() != 2 || a.rank() < 1) {
                throw cx.unsupported("constant right operand of shape " + Arrays.toString(bm.dims()) + " (2-D only)");
            }
            cx.add(n, new Layer.MatMul(bm.intDims()), List.of(cx.dyn(n, 0)), Map.of("b", tensor(bm)));
            return;
        }
        TensorShape bs = cx.shape(n, 1);
        if (a.rank() < 2 || a.rank() != bs.rank()) {
            throw cx.unsupported("MatMul of inputs shaped " + a + " and " + bs + " per sample (equal ranks ≥ 2 only)");
        }
        cx.add(n, new Layer.MatMul(new int[0]), cx.dyn(n, 0), cx.dyn(n, 1));
    }
}
