package io.convscope.onnx;

import java.util.Arrays;
import java.util.List;

import static io.convscope.onnx.OpType.legacy;
import static io.convscope.onnx.OpType.op;

/** Constant (every dense value attribute) and ConstantOfShape: constants made by a node. */
final class ConstantFolder implements ConstFolder {
    @Override
    public List<OpType> ops() {
        return List.of(legacy("Constant"), op("ConstantOfShape", "input"));
    }

    @Override
    public Const[] fold(OnnxProto.NodeP n, ImportContext cx) {
        return new Const[] {n.opType().equals("Constant") ? constant(n, cx) : constantOfShape(n, cx)};
    }

    private static Const constant(OnnxProto.NodeP n, ImportContext cx) {
        for (OnnxProto.Attr a : n.attrs().values()) {
            switch (a.name()) {
                case "value":
                    return cx.decode(Attrs.requiredTensor(n, "value"));
                case "value_float":
                    return Const.ofFloats(new long[0], a.f());
                case "value_floats":
                    return Const.ofFloats(new long[] {a.floats().length}, a.floats());
                case "value_int":
                    return Const.ofLongs(new long[0], a.i());
                case "value_ints":
                    return Const.ofLongs(new long[] {a.ints().length}, a.ints());
                default:
                    break;
            }
        }
        throw cx.unsupported("Constant without a dense value");
    }

    private static Const constantOfShape(OnnxProto.NodeP n, ImportContext cx) {
        Const shape = cx.raw(n, 0);
        if (shape.containsBatch()) {
            throw cx.unsupported("a tensor whose shape is known only at run time");
        }
        OnnxProto.Attr a = n.attrs().get("value");
        Const v = a == null ? Const.ofFloats(new long[] {1}, 0f) : cx.decode(Attrs.requiredTensor(n, "value"));
        if (v.size() == 0) {
            throw new IllegalArgumentException("value is empty");
        }
        long[] dims = shape.longs();
        int size = ConstMath.checkedSize(dims);
        if (v.isFloat()) {
            float[] f = new float[size];
            Arrays.fill(f, v.f()[0]);
            return new Const(v.type(), dims, f, null);
        }
        long[] l = new long[size];
        Arrays.fill(l, v.l()[0]);
        return new Const(v.type(), dims, null, l);
    }
}
