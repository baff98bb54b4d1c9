package io.convscope.onnx;

import io.convscope.network.Tensor;

import java.util.List;

import static io.convscope.onnx.Attrs.attrInts;
import static io.convscope.onnx.OpType.legacy;

/** Element-wise arithmetic with numpy broadcasting, a few unary functions, and Transpose, on constants. */
final class ArithmeticFolder implements ConstFolder {
    @Override
    public List<OpType> ops() {
        return List.of(legacy("Add"), legacy("Sub"), legacy("Mul"), legacy("Div"), legacy("Neg"), legacy("Sqrt"),
                legacy("Relu"), legacy("Floor"), legacy("Ceil"), legacy("Transpose"));
    }

    @Override
    public Const[] fold(OnnxProto.NodeP n, ImportContext cx) {
        String op = n.opType();
        Const a = cx.raw(n, 0);
        if (a.containsBatch() || (ImportContext.present(n, 1) && cx.raw(n, 1).containsBatch())) {
            throw cx.unsupported("arithmetic on a tensor size known only at run time (the batch size or a free axis)");
        }
        Const out = switch (op) {
            case "Transpose" -> transpose(n, a);
            case "Neg", "Sqrt", "Relu", "Floor", "Ceil" -> unary(op, a);
            default -> ConstMath.broadcast(op, a, cx.raw(n, 1));
        };
        return new Const[] {out};
    }

    private static Const transpose(OnnxProto.NodeP n, Const a) {
        long[] perm = attrInts(n, "perm");
        int r = a.rank();
        if (perm == null || perm.length == 0) {
            perm = new long[r];
            for (int i = 0; i < r; i++) {
                perm[i] = r - 1 - i;
            }
        }
        Tensor t = Tensor.of(a.floats(), a.intDims()).permute(ImportContext.ints(perm));
        long[] d = new long[r];
        for (int i = 0; i < r; i++) {
            d[i] = t.shape()[i];
        }
        Const out = Const.ofFloats(d, t.toArray());
        return a.isFloat() ? out : out.cast(a.type());
    }

    private static Const unary(String op, Const a) {
        float[] f = a.floats();
        for (int i = 0; i < f.length; i++) {
            f[i] = switch (op) {
                case "Neg" -> -f[i];
                case "Sqrt" -> (float) Math.sqrt(f[i]);
                case "Floor" -> (float) Math.floor(f[i]);
                case "Ceil" -> (float) Math.ceil(f[i]);
                default -> Math.max(0f, f[i]);
            };
        }
        Const out = Const.ofFloats(a.dims(), f);
        return a.isFloat() ? out : out.cast(a.type());
    }
}
