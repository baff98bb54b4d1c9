package io.convscope.atlas;

import io.convscope.network.Layer;
import io.convscope.network.Network;
import io.convscope.network.Node;
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
            List<TensorShape> inShapes = new java.util.ArrayList<>();
            for (String in : n.inputs()) {
                inShapes.add(net.node(in).outputShape());
            }
            io.convscope.network.Reach reach = n.layer().reach(inShapes); // the layer's own step (network/Reach)
            for (String in : n.inputs()) {
                TensorShape inShape = net.node(in).outputShape();
                if (!inShape.isSpatial()) {
                    continue;
                }
                BitSet[] b = new BitSet[] {new BitSet(), new BitSet()};
                boolean known = reach.kind() != io.convscope.network.Reach.Kind.GLOBAL;
                int[] rows = reach.positions(0, out[0].stream().toArray(), inShape.height());
                int[] cols = reach.positions(1, out[1].stream().toArray(), inShape.width());
                if (rows == null || cols == null) {
                    continue;
                }
                for (int r : rows) {
                    b[0].set(r);
                }
                for (int c : cols) {
                    b[1].set(c);
                }
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
}
