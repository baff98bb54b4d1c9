package io.convscope.onnx;

import io.convscope.network.Layer;
import io.convscope.network.TensorShape;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.convscope.onnx.Attrs.attrInt;
import static io.convscope.onnx.Attrs.attrInts;
import static io.convscope.onnx.OpType.legacy;
import static io.convscope.onnx.OpType.op;

/**
 * Operators that rearrange a tensor: Flatten, Reshape, Squeeze, Unsqueeze (→ {@code Flatten} or
 * {@code View}), Transpose (→ {@code Permute}), Concat (→ {@code Concatenate}); Shape of a tensor
 * whose size is known only at run time (otherwise it is folded).
 */
final class ShapeOps implements OpConverter {
    @Override
    public List<OpType> ops() {
        return List.of(legacy("Flatten", "input"), op("Reshape", "data", "shape"), legacy("Transpose", "data"),
                op("Squeeze", "data", "axes"), op("Unsqueeze", "data", "axes"), op("Concat", "inputs"), op("Shape", "data"));
    }

    @Override
    public void convert(OnnxProto.NodeP n, ImportContext cx) {
        switch (n.opType()) {
            case "Flatten" -> flatten(n, cx);
            case "Reshape" -> reshape(n, cx);
            case "Transpose" -> transpose(n, cx);
            case "Squeeze" -> squeeze(n, cx);
            case "Unsqueeze" -> unsqueeze(n, cx);
            case "Concat" -> concat(n, cx);
            default -> throw cx.unsupported("the shape of a tensor whose size is known only at run time");
        }
    }

    private static void flatten(OnnxProto.NodeP n, ImportContext cx) {
        TensorShape x = cx.shape(n, 0);
        int full = cx.rank(x);
        long ax = attrInt(n, "axis", 1);
        long a = ax < 0 ? ax + full : ax;
        if (cx.lead == 1 && a != 1) {
            throw cx.unsupported("Flatten at axis " + a + " merges the batch axis with others (axis 1 only)");
        }
        if (cx.lead == 1) {
            cx.add(n, new Layer.Flatten(false), cx.dyn(n, 0));
            return;
        }
        long outer = 1;
        long inner = 1;
        for (int i = 0; i < x.rank(); i++) {
            int d = x.dim(i);
            if (i < a) {
                outer = d < 0 || outer < 0 ? -1 : outer * d;
            } else {
                inner = d < 0 || inner < 0 ? -1 : inner * d;
            }
        }
        view(n, cx, List.of((int) outer, (int) inner));
    }

    /** A View to the given sample dims (at most one unknown). */
    static void view(OnnxProto.NodeP n, ImportContext cx, List<Integer> dims) {
        int unknown = 0;
        int[] t = new int[dims.size()];
        for (int i = 0; i < t.length; i++) {
            t[i] = dims.get(i);
            if (t[i] < 0) {
                unknown++;
            }
        }
        if (unknown > 1) {
            throw cx.unsupported("needs the input's size, which is known only at run time");
        }
        cx.add(n, new Layer.View(t), cx.dyn(n, 0));
    }

    private static void transpose(OnnxProto.NodeP n, ImportContext cx) {
        if (ImportContext.present(n, 0) && cx.nhwc.contains(n.inputs().get(0))) {
            cx.add(n, new Layer.Identity("Transpose", 0f), cx.dyn(n, 0)); // the input is already channels-first
            return;
        }
        TensorShape x = cx.shape(n, 0);
        int full = cx.rank(x);
        long[] perm = attrInts(n, "perm");
        if (perm == null || perm.length == 0) {
            perm = new long[full];
            for (int i = 0; i < full; i++) {
                perm[i] = full - 1 - i;
            }
        }
        if (perm.length != full || (cx.lead == 1 && perm[0] != 0)) {
            throw cx.unsupported("perm " + Arrays.toString(perm) + " moves the batch axis");
        }
        int[] p = new int[full - cx.lead];
        for (int i = cx.lead; i < full; i++) {
            p[i - cx.lead] = (int) perm[i] - cx.lead;
        }
        cx.add(n, new Layer.Permute(p), cx.dyn(n, 0));
    }

    private static void squeeze(OnnxProto.NodeP n, ImportContext cx) {
        TensorShape x = cx.shape(n, 0);
        long[] axes = cx.axesInputOrAttr(n, 1);
        if ((axes == null || axes.length == 0) && cx.lead == 0) {
            List<Long> all = new ArrayList<>();
            for (int i = 0; i < x.rank(); i++) {
                if (x.dim(i) == 1) {
                    all.add((long) i);
                }
            }
            axes = all.stream().mapToLong(Long::longValue).toArray();
        }
        if (axes == null || axes.length == 0) {
            throw cx.unsupported("Squeeze without axes would remove the batch axis when the batch has one sample");
        }
        Set<Integer> drop = new HashSet<>();
        for (long a : axes) {
            int s = cx.sampleAxis(a, cx.rank(x), "Squeeze");
            if (x.dim(s) > 1) {
                throw new IllegalArgumentException("axis " + a + " has size " + x.dim(s));
            }
            drop.add(s);
        }
        List<Integer> d = new ArrayList<>();
        for (int i = 0; i < x.rank(); i++) {
            if (!drop.contains(i)) {
                d.add(x.dim(i));
            }
        }
        view(n, cx, d);
    }

    private static void unsqueeze(OnnxProto.NodeP n, ImportContext cx) {
        TensorShape x = cx.shape(n, 0);
        long[] axes = cx.axesInputOrAttr(n, 1);
        if (axes == null || axes.length == 0) {
            throw new IllegalArgumentException("no axes");
        }
        int outFull = cx.rank(x) + axes.length;
        Set<Integer> ins = new HashSet<>();
        for (long a : axes) {
            ins.add(cx.sampleAxis(a, outFull, "Unsqueeze"));
        }
        List<Integer> d = new ArrayList<>();
        int k = 0;
        for (int i = 0; i < outFull - cx.lead; i++) {
            d.add(ins.contains(i) ? 1 : x.dim(k++));
        }
        view(n, cx, d);
    }

    private static void concat(OnnxProto.NodeP n, ImportContext cx) {
        List<String> inputs = new ArrayList<>();
        for (int i = 0; i < n.inputs().size(); i++) {
            if (!ImportContext.present(n, i)) {
                continue;
            }
            if (cx.isConst(n, i)) {
                throw cx.unsupported("a constant among inputs computed at run time");
            }
            inputs.add(cx.dyn(n, i));
        }
        if (inputs.isEmpty()) {
            throw cx.missing(0);
        }
        int full = cx.rank(cx.b.shape(inputs.get(0)));
        int a = cx.sampleAxis(attrInt(n, "axis", 1), full, "Concat");
        if (inputs.size() == 1) {
            cx.add(n, new Layer.Identity("Concat", 0f), inputs.get(0));
        } else {
            cx.add(n, new Layer.Concatenate(a), inputs, Map.of());
        }
    }

    private static void reshape(OnnxProto.NodeP n, ImportContext cx) {
        TensorShape x = cx.shape(n, 0);
        long[] t;
        if (cx.opset < 5 || !ImportContext.present(n, 1)) {
            t = attrInts(n, "shape");
        } else {
            t = cx.shapeC(n, 1).longs();
        }
        if (t == null || (t.length == 0 && cx.lead == 1)) {
            throw cx.unsupported("a reshape to a scalar removes the batch axis");
        }
        boolean allowZero = attrInt(n, "allowzero", 0) != 0;
        int[] sample = x.dims();
        if (cx.lead == 0) {
            int[] target = new int[t.length];
            for (int i = 0; i < t.length; i++) {
                if (t[i] == 0 && allowZero) {
                    throw cx.unsupported("allowzero=1 with a zero dimension");
                }
                target[i] = t[i] == 0 ? (i < sample.length && sample[i] >= 0 ? sample[i] : 0) : Math.toIntExact(t[i]);
            }
            cx.add(n, new Layer.View(target), cx.dyn(n, 0));
            return;
        }
        long first = t[0];
        boolean batchFirst = first == 0 && !allowZero || cx.isBatch(first);
        if (!batchFirst && first == -1) {
            boolean restKnown = true;
            for (int i = 1; i < t.length; i++) {
                restKnown &= t[i] >= 0 && t[i] != Const.BATCH;
            }
            batchFirst = restKnown && x.isFullyKnown() && product(t, 1, sample) == x.size();
        }
        if (!batchFirst) {
            throw cx.unsupported("reshape to " + show(t) + " changes the batch axis (the target must keep the batch first)");
        }
        cx.add(n, new Layer.View(sampleTarget(t, sample, allowZero, cx)), cx.dyn(n, 0));
    }

    /** The per-sample target of a batch-first ONNX target. */
    private static int[] sampleTarget(long[] t, int[] sample, boolean allowZero, ImportContext cx) {
        int[] target = new int[t.length - 1];
        for (int i = 1; i < t.length; i++) {
            long v = t[i];
            if (v == Const.BATCH) {
                throw cx.unsupported("reshape to " + show(t) + " moves the batch size to another axis");
            }
            if (v == 0 && allowZero) {
                throw cx.unsupported("allowzero=1 with a zero dimension");
            }
            if (v == 0) {
                if (i - 1 >= sample.length) {
                    throw new IllegalArgumentException("target " + show(t) + " copies an axis the input lacks");
                }
                target[i - 1] = sample[i - 1] >= 0 ? sample[i - 1] : 0;
            } else {
                target[i - 1] = Math.toIntExact(v);
            }
        }
        return target;
    }

    static long product(long[] t, int from, int[] sample) {
        long p = 1;
        for (int i = from; i < t.length; i++) {
            p *= t[i] == 0 && i - 1 < sample.length ? sample[i - 1] : t[i];
        }
        return p;
    }

    static String show(long[] t) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < t.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(t[i] == Const.BATCH ? "batch" : Long.toString(t[i]));
        }
        return sb.append(']').toString();
    }
}
