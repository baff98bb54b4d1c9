package io.convscope.onnx;

import io.convscope.network.Layer;
import io.convscope.network.TensorShape;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.convscope.onnx.Attrs.attrFloat;
import static io.convscope.onnx.Attrs.attrInt;
import static io.convscope.onnx.Attrs.attrInts;
import static io.convscope.onnx.Attrs.attrString;
import static io.convscope.onnx.OpType.op;

/** Operators that select or add elements by index: Pad, Gather (constant indices), Slice. */
final class IndexOps implements OpConverter {
    @Override
    public List<OpType> ops() {
        return List.of(op("Pad", "data", "pads", "constant_value", "axes"), op("Gather", "data", "indices"),
                op("Slice", "data", "starts", "ends", "axes", "steps"));
    }

    @Override
    public void convert(OnnxProto.NodeP n, ImportContext cx) {
        switch (n.opType()) {
            case "Pad" -> pad(n, cx);
            case "Gather" -> gather(n, cx);
            default -> slice(n, cx);
        }
    }

    private static void pad(OnnxProto.NodeP n, ImportContext cx) {
        TensorShape x = cx.shape(n, 0);
        int full = cx.rank(x);
        String mode = attrString(n, "mode", "constant");
        long[] pads;
        float value;
        if (cx.opset < 11) {
            pads = attrInts(n, "pads");
            value = attrFloat(n, "value", 0f);
        } else {
            pads = cx.constant(n, 1).longs();
            value = ImportContext.present(n, 2) ? (float) PassThroughOps.first(cx.constant(n, 2), "constant_value") : 0f;
            if (ImportContext.present(n, 3)) {
                long[] axes = cx.constant(n, 3).longs();
                if (pads.length != 2 * axes.length) {
                    throw new IllegalArgumentException(pads.length + " pads for " + axes.length + " axes");
                }
                long[] all = new long[2 * full];
                for (int i = 0; i < axes.length; i++) {
                    int a = ImportContext.axis(axes[i], full);
                    all[a] = pads[i];
                    all[a + full] = pads[i + axes.length];
                }
                pads = all;
            }
        }
        if (pads == null || pads.length != 2 * full) {
            throw new IllegalArgumentException("pads " + Arrays.toString(pads) + " for rank " + full);
        }
        if (cx.lead == 1 && (pads[0] != 0 || pads[full] != 0)) {
            throw cx.unsupported("padding the batch axis");
        }
        Layer.Pad.Mode m = switch (mode) {
            case "constant" -> Layer.Pad.Mode.CONSTANT;
            case "reflect" -> Layer.Pad.Mode.REFLECT;
            case "edge" -> Layer.Pad.Mode.EDGE;
            default -> throw cx.unsupported("mode=" + mode + " (constant, reflect, edge)");
        };
        int r = full - cx.lead;
        int[] p = new int[2 * r];
        for (int i = cx.lead; i < full; i++) {
            p[i - cx.lead] = Windows.small(pads[i], "pads");
            p[i - cx.lead + r] = Windows.small(pads[i + full], "pads");
        }
        cx.add(n, new Layer.Pad(p, m, value), cx.dyn(n, 0));
    }

    private static void gather(OnnxProto.NodeP n, ImportContext cx) {
        if (cx.isConst(n, 0)) {
            throw cx.unsupported("indices computed at run time (embedding lookup)");
        }
        TensorShape x = cx.shape(n, 0);
        Const idx = cx.constant(n, 1);
        int a = cx.sampleAxis(attrInt(n, "axis", 0), cx.rank(x), "Gather");
        cx.add(n, new Layer.Gather(a, ImportContext.ints(idx.longs()), idx.intDims()), cx.dyn(n, 0));
    }

    private static void slice(OnnxProto.NodeP n, ImportContext cx) {
        TensorShape x = cx.shape(n, 0);
        int full = cx.rank(x);
        long[] starts;
        long[] ends;
        long[] axes;
        long[] steps = null;
        if (cx.opset < 10) {
            starts = attrInts(n, "starts");
            ends = attrInts(n, "ends");
            axes = attrInts(n, "axes");
            if (starts == null || ends == null) {
                throw Attrs.missingAttribute(starts == null ? "starts" : "ends");
            }
        } else {
            starts = cx.constant(n, 1).longs();
            ends = cx.shapeC(n, 2).longs();
            axes = ImportContext.present(n, 3) ? cx.constant(n, 3).longs() : null;
            steps = ImportContext.present(n, 4) ? cx.constant(n, 4).longs() : null;
        }
        if (axes == null) {
            axes = new long[starts.length];
            for (int i = 0; i < axes.length; i++) {
                axes[i] = i;
            }
        }
        if (starts.length != axes.length || ends.length != axes.length || (steps != null && steps.length != axes.length)) {
            throw new IllegalArgumentException("starts, ends, axes and steps differ in length");
        }
        List<int[]> parts = new ArrayList<>();
        for (int i = 0; i < axes.length; i++) {
            int[] part = slicePart(cx, x, full, axes[i], starts[i], ends[i], steps == null ? 1 : steps[i]);
            if (part != null) {
                parts.add(part);
            }
        }
        int[] ax = new int[parts.size()];
        int[] st = new int[parts.size()];
        int[] sp = new int[parts.size()];
        int[] ct = new int[parts.size()];
        for (int i = 0; i < ax.length; i++) {
            ax[i] = parts.get(i)[0];
            st[i] = parts.get(i)[1];
            sp[i] = parts.get(i)[2];
            ct[i] = parts.get(i)[3];
        }
        cx.add(n, new Layer.Slice(ax, st, sp, ct), cx.dyn(n, 0));
    }

    /** {sample axis, start, step, count} of one sliced axis; null for a whole batch axis. */
    private static int[] slicePart(ImportContext cx, TensorShape x, int full, long axis, long start, long end, long step) {
        int a = ImportContext.axis(axis, full);
        if (step == 0) {
            throw new IllegalArgumentException("step 0");
        }
        if (a < cx.lead) {
            if (start == 0 && step == 1 && (end == Long.MAX_VALUE || end == Integer.MAX_VALUE || cx.isBatch(end))) {
                return null;
            }
            throw cx.unsupported("slicing the batch axis");
        }
        int dim = x.dim(a - cx.lead);
        if (dim < 0) {
            throw cx.unsupported("slicing an axis whose size is known only at run time");
        }
        long s = start < 0 ? start + dim : start;
        long e = end < 0 ? end + dim : end;
        long count;
        if (step > 0) {
            s = Math.max(0, Math.min(dim, s));
            e = Math.max(0, Math.min(dim, e));
            count = Math.max(0, (e - s + step - 1) / step);
        } else {
            s = Math.max(-1, Math.min(dim - 1, s));
            e = Math.max(-1, Math.min(dim - 1, e));
            count = Math.max(0, (s - e + (-step) - 1) / (-step));
        }
        return new int[] {a - cx.lead, (int) s, Windows.small(step, "steps"), (int) count};
    }
}
