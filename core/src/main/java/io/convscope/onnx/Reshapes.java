package io.convscope.onnx;

import io.convscope.network.Layer;
import io.convscope.network.TensorShape;

import static io.convscope.onnx.Attrs.attrInt;
import static io.convscope.onnx.Attrs.attrInts;

/** Reshape: a target shape that keeps the batch first becomes a {@code View} of the sample. */
final class Reshapes {
    private Reshapes() {
    }

    static void reshape(OnnxProto.NodeP n, ImportContext cx) {
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
