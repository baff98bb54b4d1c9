package io.convscope.onnx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static io.convscope.onnx.Attrs.attrInt;
import static io.convscope.onnx.Attrs.attrInts;
import static io.convscope.onnx.OpType.legacy;
import static io.convscope.onnx.OpType.op;

/**
 * Shape arithmetic at import: Shape (of a constant, or of a computed tensor, whose batch size is
 * {@link Const#BATCH} and whose free sizes are {@link Const#UNKNOWN}), Gather, Unsqueeze, Squeeze,
 * Concat, Reshape, Flatten, 1-D Slice, and the pass-through Identity, Dropout and Cast.
 */
final class ShapeFolder implements ConstFolder {
    @Override
    public List<OpType> ops() {
        return List.of(legacy("Identity"), op("Dropout"), op("Cast"), op("Shape"), op("Gather"), op("Unsqueeze"),
                op("Squeeze"), op("Concat"), op("Reshape"), legacy("Flatten"), op("Slice"));
    }

    @Override
    public Const[] fold(OnnxProto.NodeP n, ImportContext cx) {
        Const out = switch (n.opType()) {
            case "Identity", "Dropout" -> cx.raw(n, 0);
            case "Cast" -> cast(n, cx);
            case "Shape" -> shape(n, cx);
            case "Gather" -> {
                Const data = cx.raw(n, 0);
                yield ConstMath.gather(data, ImportContext.axis(attrInt(n, "axis", 0), data.rank()), cx.raw(n, 1));
            }
            case "Unsqueeze" -> unsqueeze(n, cx);
            case "Squeeze" -> squeeze(n, cx);
            case "Concat" -> concat(n, cx);
            case "Reshape" -> reshape(n, cx);
            case "Flatten" -> flatten(n, cx);
            default -> slice(n, cx);
        };
        return out == null ? null : new Const[] {out};
    }

    private static Const cast(OnnxProto.NodeP n, ImportContext cx) {
        int to = (int) attrInt(n, "to", OnnxProto.FLOAT);
        if (cx.raw(n, 0).containsBatch() && (to == OnnxProto.FLOAT || to == OnnxProto.DOUBLE || to == OnnxProto.FLOAT16)) {
            throw cx.unsupported("a tensor size known only at run time cast to " + OnnxProto.typeName(to));
        }
        return cx.raw(n, 0).cast(to);
    }

    private static Const shape(OnnxProto.NodeP n, ImportContext cx) {
        long[] s;
        if (cx.isConst(n, 0)) {
            s = cx.raw(n, 0).dims().clone();
        } else {
            int[] d = cx.shape(n, 0).dims();
            s = new long[d.length + cx.lead];
            if (cx.lead == 1) {
                s[0] = Const.BATCH;
            }
            for (int i = 0; i < d.length; i++) {
                s[i + cx.lead] = d[i] < 0 ? Const.UNKNOWN : d[i];
            }
        }
        int r = s.length;
        long start = attrInt(n, "start", 0);
        long end = attrInt(n, "end", r);
        start = Math.max(0, Math.min(r, start < 0 ? start + r : start));
        end = Math.max(0, Math.min(r, end < 0 ? end + r : end));
        long[] v = Arrays.copyOfRange(s, (int) start, (int) Math.max(start, end));
        return Const.ofLongs(new long[] {v.length}, v);
    }

    private static Const unsqueeze(OnnxProto.NodeP n, ImportContext cx) {
        Const data = cx.raw(n, 0);
        long[] axes = cx.axesInputOrAttr(n, 1);
        if (axes == null) {
            throw Attrs.missingAttribute("axes");
        }
        int outRank = data.rank() + axes.length;
        Set<Integer> ins = new HashSet<>();
        for (long a : axes) {
            ins.add(ImportContext.axis(a, outRank));
        }
        if (ins.size() != axes.length) {
            throw new IllegalArgumentException("axes " + Arrays.toString(axes) + " repeat an axis");
        }
        long[] d = new long[outRank];
        int k = 0;
        for (int i = 0; i < outRank; i++) {
            d[i] = ins.contains(i) ? 1 : data.dims()[k++];
        }
        return data.reshape(d);
    }

    private static Const squeeze(OnnxProto.NodeP n, ImportContext cx) {
        Const data = cx.raw(n, 0);
        long[] axes = cx.axesInputOrAttr(n, 1);
        Set<Integer> drop = new HashSet<>();
        if (axes == null || axes.length == 0) {
            for (int i = 0; i < data.rank(); i++) {
                if (data.dims()[i] == 1) {
                    drop.add(i);
                }
            }
        } else {
            for (long a : axes) {
                int ax = ImportContext.axis(a, data.rank());
                if (data.dims()[ax] != 1) {
                    throw new IllegalArgumentException("axis " + a + " has size " + data.dims()[ax]);
                }
                drop.add(ax);
            }
        }
        List<Long> d = new ArrayList<>();
        for (int i = 0; i < data.rank(); i++) {
            if (!drop.contains(i)) {
                d.add(data.dims()[i]);
            }
        }
        return data.reshape(d.stream().mapToLong(Long::longValue).toArray());
    }

    private static Const concat(OnnxProto.NodeP n, ImportContext cx) {
        List<Const> parts = new ArrayList<>();
        for (int i = 0; i < n.inputs().size(); i++) {
            if (ImportContext.present(n, i)) {
                parts.add(cx.raw(n, i));
            }
        }
        if (parts.isEmpty()) {
            throw cx.missing(0);
        }
        int a = ImportContext.axis(attrInt(n, "axis", 0), parts.get(0).rank());
        return ConstMath.concat(parts, a);
    }

    private static Const reshape(OnnxProto.NodeP n, ImportContext cx) {
        Const data = cx.raw(n, 0);
        long[] t = cx.opset < 5 ? attrInts(n, "shape") : cx.raw(n, 1).longs();
        if (t == null) {
            throw Attrs.missingAttribute("shape");
        }
        long known = 1;
        int unknown = -1;
        for (int i = 0; i < t.length; i++) {
            if (t[i] == 0 && attrInt(n, "allowzero", 0) == 0) {
                if (i >= data.rank()) {
                    throw new IllegalArgumentException("target " + Arrays.toString(t) + " copies an axis the input lacks");
                }
                t[i] = data.dims()[i];
            }
            if (t[i] == -1 && unknown < 0) {
                unknown = i;
            } else if (t[i] < 0) {
                throw new IllegalArgumentException("target " + Arrays.toString(t) + " has a negative size");
            } else {
                known = Math.multiplyExact(known, t[i]);
            }
        }
        if (unknown >= 0 && known > 0) {
            t[unknown] = data.size() / known;
        }
        return ConstMath.reshape(data, t);
    }

    private static Const flatten(OnnxProto.NodeP n, ImportContext cx) {
        Const data = cx.raw(n, 0);
        long ax = attrInt(n, "axis", 1);
        int a = (int) (ax < 0 ? ax + data.rank() : ax);
        if (a < 0 || a > data.rank()) {
            throw new IllegalArgumentException("axis " + ax + " is out of range for rank " + data.rank());
        }
        long outer = 1;
        for (int i = 0; i < a; i++) {
            outer *= data.dims()[i];
        }
        return data.reshape(new long[] {outer, data.size() / Math.max(outer, 1)});
    }

    private static Const slice(OnnxProto.NodeP n, ImportContext cx) {
        Const data = cx.raw(n, 0);
        if (data.rank() != 1 || cx.opset < 10) {
            return null;
        }
        long[] starts = cx.raw(n, 1).longs();
        long[] ends = cx.raw(n, 2).longs();
        long step = ImportContext.present(n, 4) ? first(cx.raw(n, 4).longs(), "steps") : 1;
        long dim = data.size();
        long s = first(starts, "starts");
        long e = first(ends, "ends");
        s = s < 0 ? s + dim : s;
        e = e < 0 ? e + dim : e;
        if (step <= 0) {
            return null;
        }
        s = Math.max(0, Math.min(dim, s));
        e = Math.max(0, Math.min(dim, e));
        List<Long> idx = new ArrayList<>();
        for (long i = s; i < e; i += step) {
            idx.add(i);
        }
        long[] ii = idx.stream().mapToLong(Long::longValue).toArray();
        return ConstMath.gather(data, 0, Const.ofLongs(new long[] {ii.length}, ii));
    }

    private static long first(long[] v, String what) {
        if (v.length == 0) {
            throw new IllegalArgumentException(what + " is empty");
        }
        return v[0];
    }
}
