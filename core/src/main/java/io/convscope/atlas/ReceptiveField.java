package io.convscope.atlas;

import io.convscope.network.Layer;
import io.convscope.network.Network;
import io.convscope.network.Node;
import io.convscope.network.Padding;
import io.convscope.network.TensorShape;

import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The part of the input that one position of a feature map can see, read from the network's own graph:
 * each layer's kernel, stride, padding and dilation, through branches (the union of what every path
 * needs) and concatenations.
 *
 * <p>The walk goes backwards from the unit's node in reverse topological order: every node holds the
 * set of rows and the set of columns of its output that the unit depends on; each layer maps them to the
 * rows and columns of each input it reads (a dilated kernel skips rows, so sets, not intervals), and
 * branches that meet again add their sets. Padding is dropped on the way: a padded cell is a constant.
 * Layers that mix positions in ways no box describes (resizes by
 * fractional factors, reshapes, transposes, global pooling) make the whole input the field and mark it
 * inexact.
 */
public final class ReceptiveField {
    private ReceptiveField() {
    }

    /**
     * Rows {@code top..bottom} and columns {@code left..right}, inclusive, in input pixels; {@code exact}
     * is false when some layer on the way made the whole input the field.
     */
    public record Box(int top, int left, int bottom, int right, boolean exact) {
        /** The box cut to an image of {@code height × width}. */
        public Box clip(int height, int width) {
            return new Box(Math.max(top, 0), Math.max(left, 0), Math.min(bottom, height - 1), Math.min(right, width - 1), exact);
        }

        public int height() {
            return bottom - top + 1;
        }

        public int width() {
            return right - left + 1;
        }
    }

    /**
     * The input box that position ({@code y}, {@code x}) of {@code layer}'s output depends on (for
     * every channel: channels do not change the spatial field), clipped to the input: the smallest box
     * that holds every input pixel that can change the unit. Padded cells of inner maps are constants and
     * depend on nothing, so a unit at a border sees fewer pixels, and one that sees only padding gets an
     * empty box ({@code height() <= 0}). Shapes are those inferred by the network (its input size must
     * be known).
     */
    public static Box of(Network net, String layer, int y, int x) {
        Map<String, BitSet[]> need = new HashMap<>();
        Map<String, Boolean> exact = new HashMap<>();
        BitSet r0 = new BitSet();
        r0.set(y);
        BitSet c0 = new BitSet();
        c0.set(x);
        need.put(layer, new BitSet[] {r0, c0});
        exact.put(layer, true);
        List<Node> nodes = net.nodes();
        String input = net.inputs().get(0);
        for (int i = nodes.size() - 1; i >= 0; i--) {
            Node n = nodes.get(i);
            BitSet[] out = need.get(n.name());
            if (out == null || n.layer() instanceof Layer.Input) {
                continue;
            }
            boolean ex = exact.get(n.name());
            for (String in : n.inputs()) {
                TensorShape inShape = net.node(in).outputShape();
                BitSet[] b = new BitSet[] {new BitSet(), new BitSet()};
                boolean known = back(n.layer(), out, inShape, b);
                BitSet[] have = need.get(in);
                if (have == null) {
                    need.put(in, b);
                } else {
                    have[0].or(b[0]);
                    have[1].or(b[1]);
                }
                exact.merge(in, ex && known, Boolean::logicalAnd);
            }
        }
        BitSet[] b = need.get(input);
        if (b == null) {
            throw new IllegalArgumentException("layer '" + layer + "' does not depend on the input");
        }
        if (b[0].isEmpty() || b[1].isEmpty()) {
            return new Box(0, 0, -1, -1, exact.get(input));
        }
        return new Box(b[0].nextSetBit(0), b[1].nextSetBit(0), b[0].length() - 1, b[1].length() - 1, exact.get(input));
    }

    /**
     * Sets in {@code into} the rows and columns of an input of {@code layer} (shape {@code in}) that the
     * output rows and columns {@code out} read; false when the layer is not understood and the whole
     * input was taken.
     */
    static boolean back(Layer layer, BitSet[] out, TensorShape in, BitSet[] into) {
        int h = in.isSpatial() ? in.height() : 1;
        int w = in.isSpatial() ? in.width() : 1;
        if (!in.isSpatial()) {
            into[0].set(0);
            into[1].set(0);
            return false;
        }
        if (layer instanceof Layer.Conv2D c) {
            return window(out, h, w, c.kh(), c.kw(), c.sh(), c.sw(), c.dh(), c.dw(), c.padding(), into);
        }
        if (layer instanceof Layer.DepthwiseConv2D c) {
            return window(out, h, w, c.kh(), c.kw(), c.sh(), c.sw(), c.dh(), c.dw(), c.padding(), into);
        }
        if (layer instanceof Layer.SeparableConv2D c) { // depthwise window; the 1×1 pointwise adds nothing
            return window(out, h, w, c.kh(), c.kw(), c.sh(), c.sw(), c.dh(), c.dw(), c.padding(), into);
        }
        if (layer instanceof Layer.Pool2D p) {
            return window(out, h, w, p.kh(), p.kw(), p.sh(), p.sw(), 1, 1, p.padding(), into);
        }
        if (layer instanceof Layer.ZeroPadding2D z) {
            map(out[0], h, into[0], o -> new int[] {o - z.top()});
            map(out[1], w, into[1], o -> new int[] {o - z.left()});
            return true;
        }
        if (layer instanceof Layer.Cropping2D c) {
            map(out[0], h, into[0], o -> new int[] {o + c.top()});
            map(out[1], w, into[1], o -> new int[] {o + c.left()});
            return true;
        }
        if (layer instanceof Layer.Pad p && p.pads().length == 6 && p.mode() == Layer.Pad.Mode.CONSTANT) {
            map(out[0], h, into[0], o -> new int[] {o - p.pads()[1]}); // sample axes (C, H, W): begins at 0..2
            map(out[1], w, into[1], o -> new int[] {o - p.pads()[2]});
            return true;
        }
        if (layer instanceof Layer.UpSampling2D u) {
            if (!u.bilinear()) {
                map(out[0], h, into[0], o -> new int[] {Math.floorDiv(o, u.sh())});
                map(out[1], w, into[1], o -> new int[] {Math.floorDiv(o, u.sw())});
                return true;
            }
            // half-pixel centres: output o samples input (o + 0.5) / s - 0.5 (clamped at 0), its floor and floor + 1
            map(out[0], h, into[0], o -> bilinear(o, u.sh()));
            map(out[1], w, into[1], o -> bilinear(o, u.sw()));
            return true;
        }
        if (pointwise(layer)) {
            into[0].or(out[0]);
            into[1].or(out[1]);
            return true;
        }
        into[0].set(0, h);
        into[1].set(0, w);
        return false;
    }

    private static int[] bilinear(int o, int s) {
        double src = Math.max(0, (o + 0.5) / s - 0.5);
        int f = (int) Math.floor(src);
        return new int[] {f, f + 1};
    }

    /** Sets {@code f(o)} ∩ [0, size) in {@code into} for every {@code o} set in {@code out}. */
    private static void map(BitSet out, int size, BitSet into, java.util.function.IntFunction<int[]> f) {
        for (int o = out.nextSetBit(0); o >= 0; o = out.nextSetBit(o + 1)) {
            for (int i : f.apply(o)) {
                if (i >= 0 && i < size) {
                    into.set(i);
                }
            }
        }
    }

    /** Output index o of a window layer reads inputs o·s − p + j·d for j in 0 … k − 1. */
    private static boolean window(BitSet[] out, int h, int w, int kh, int kw, int sh, int sw, int dh, int dw,
                                  Padding padding, BitSet[] into) {
        int[] p = padding.resolve(h, w, kh, kw, sh, sw, dh, dw);
        map(out[0], h, into[0], o -> taps(o, kh, sh, dh, p[0]));
        map(out[1], w, into[1], o -> taps(o, kw, sw, dw, p[2]));
        return true;
    }

    private static int[] taps(int o, int k, int s, int d, int pad) {
        int[] t = new int[k];
        for (int j = 0; j < k; j++) {
            t[j] = o * s - pad + j * d;
        }
        return t;
    }

    /** Layers whose output position (y, x) reads only input position (y, x) (of any channel). */
    private static boolean pointwise(Layer l) {
        return l instanceof Layer.BatchNorm || l instanceof Layer.Identity || l instanceof Layer.Act
                || l instanceof Layer.ReLU || l instanceof Layer.LeakyReLU || l instanceof Layer.Merge
                || l instanceof Layer.Concatenate c && c.axis() == 0 || l instanceof Layer.Rescaling
                || l instanceof Layer.Unary || l instanceof Layer.Arith || l instanceof Layer.PRelu
                || l instanceof Layer.LRN
                || l instanceof Layer.Dense || l instanceof Layer.Softmax s && s.axis() == 0 && !s.flattenFrom();
    }

}
