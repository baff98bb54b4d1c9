package io.convscope.onnx;

import io.convscope.ConvscopeException;
import io.convscope.network.Layer;
import io.convscope.network.TensorShape;

import java.util.Arrays;
import java.util.List;

import static io.convscope.onnx.Attrs.attrFloat;
import static io.convscope.onnx.Attrs.attrInt;
import static io.convscope.onnx.Attrs.attrInts;
import static io.convscope.onnx.Attrs.attrString;
import static io.convscope.onnx.OpType.op;

/** Resize and Upsample (→ {@code Resize}): nearest, linear and cubic, by scales or by sizes. */
final class ResizeOps implements OpConverter {
    private static final List<String> COORDINATES = List.of("half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric",
            "tf_half_pixel_for_nn");
    private static final List<String> ROUNDING = List.of("round_prefer_floor", "round_prefer_ceil", "floor", "ceil");

    @Override
    public List<OpType> ops() {
        return List.of(op("Resize", "X", "roi", "scales", "sizes"), op("Upsample", "X", "scales"));
    }

    @Override
    public void convert(OnnxProto.NodeP n, ImportContext cx) {
        TensorShape x = cx.shape(n, 0);
        int full = cx.rank(x);
        String mode = attrString(n, "mode", "nearest");
        if (mode.equals("bilinear")) {
            mode = "linear";
        }
        if (!mode.equals("nearest") && !mode.equals("linear") && !mode.equals("cubic")) {
            throw cx.unsupported("mode=" + mode + " (nearest, linear, cubic)");
        }
        boolean legacy = n.opType().equals("Upsample") || cx.opset < 11;
        String coord = legacy ? "asymmetric" : attrString(n, "coordinate_transformation_mode", "half_pixel");
        String nearest = legacy ? "floor" : attrString(n, "nearest_mode", "round_prefer_floor");
        checkAttributes(n, cx, coord, nearest);
        Const[] ss = scalesOrSizes(n, cx);
        Const scales = ss[0];
        Const sizes = ss[1];
        long[] axes = attrInts(n, "axes");
        int count = sizes != null ? sizes.size() : scales.size();
        if (axes == null || axes.length == 0) {
            axes = new long[full];
            for (int i = 0; i < full; i++) {
                axes[i] = i;
            }
        }
        if (count != axes.length) {
            throw new IllegalArgumentException(count + " scales/sizes for " + axes.length + " axes");
        }
        float[] sc = new float[full - cx.lead];
        Arrays.fill(sc, 1f);
        int[] sz = sizes == null ? new int[0] : new int[full - cx.lead];
        if (sizes != null) {
            System.arraycopy(x.dims(), 0, sz, 0, full - cx.lead);
        }
        for (int i = 0; i < axes.length; i++) {
            int a = ImportContext.axis(axes[i], full);
            if (a < cx.lead) {
                boolean same = sizes != null ? cx.isBatch(sizes.getLong(i)) : scales.get(i) == 1.0;
                if (!same) {
                    throw cx.unsupported("resizing the batch axis");
                }
                continue;
            }
            if (sizes != null) {
                sz[a - cx.lead] = Windows.small(sizes.getLong(i), "sizes");
            } else {
                sc[a - cx.lead] = (float) scales.get(i);
            }
        }
        cx.add(n, new Layer.Resize(sc, sz, mode, coord, nearest, attrFloat(n, "cubic_coeff_a", -0.75f),
                attrInt(n, "exclude_outside", 0) != 0), cx.dyn(n, 0));
    }

    /** {scales, sizes} of the node, one of them null. */
    private static Const[] scalesOrSizes(OnnxProto.NodeP n, ImportContext cx) {
        Const scales;
        Const sizes = null;
        if (n.opType().equals("Upsample") && cx.opset < 9) {
            float[] f = Attrs.requiredFloats(n, "scales");
            scales = Const.ofFloats(new long[] {f.length}, f);
        } else if (n.opType().equals("Upsample") || cx.opset < 11) {
            if (!ImportContext.present(n, 1)) {
                throw new ConvscopeException("input scales missing");
            }
            scales = cx.constant(n, 1);
        } else {
            scales = cx.c(n, 2);
            if (scales != null && scales.size() == 0) {
                scales = null;
            }
            if (scales == null) {
                if (!ImportContext.present(n, 3)) {
                    throw new ConvscopeException("input scales or sizes missing");
                }
                sizes = cx.shapeC(n, 3);
            }
        }
        return new Const[] {scales, sizes};
    }

    private static void checkAttributes(OnnxProto.NodeP n, ImportContext cx, String coord, String nearest) {
        if (!COORDINATES.contains(coord)) {
            throw cx.unsupported("coordinate_transformation_mode=" + coord);
        }
        if (!ROUNDING.contains(nearest)) {
            throw cx.unsupported("nearest_mode=" + nearest);
        }
        if (attrInt(n, "antialias", 0) != 0) {
            throw cx.unsupported("antialias=1");
        }
        if (!attrString(n, "keep_aspect_ratio_policy", "stretch").equals("stretch")) {
            throw cx.unsupported("keep_aspect_ratio_policy=" + attrString(n, "keep_aspect_ratio_policy", ""));
        }
    }
}
