package io.convscope.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.convscope.network.Activation;
import io.convscope.network.Layer;
import io.convscope.network.Network;
import io.convscope.network.Node;
import io.convscope.network.Padding;
import io.convscope.network.Reach;
import io.convscope.network.TensorShape;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * The receptive field walked back through the layers' {@link Reach} steps equals the brute-force one:
 * the input pixels where the gradient of one output position is not zero (random weights, smooth
 * activations, so no gradient vanishes by chance).
 */
class ReceptiveFieldTest {
    static NDManager scope;

    @BeforeAll
    static void init() {
        System.setProperty("ai.djl.offline", "true");
        scope = NDManager.newBaseManager("PyTorch");
    }

    @AfterAll
    static void done() {
        scope.close();
    }

    /** {top, bottom, left, right} of the input region that output (i, j) of {@code layer} reads, walking the steps' position sets. */
    static int[] walked(Network net, String layer, int i, int j) {
        int[] rows = {i};
        int[] cols = {j};
        Node n = net.node(layer);
        while (!(n.layer() instanceof Layer.Input)) {
            Node in = net.node(n.inputs().get(0));
            List<TensorShape> shapes = new ArrayList<>();
            for (String s : n.inputs()) {
                shapes.add(net.node(s).outputShape());
            }
            Reach r = n.layer().reach(shapes);
            rows = r.positions(0, rows, in.outputShape().height());
            cols = r.positions(1, cols, in.outputShape().width());
            n = in;
        }
        return new int[] {rows[0], rows[rows.length - 1], cols[0], cols[cols.length - 1]};
    }

    /**
     * The same regions from the input gradient: a batch of one copy of a random image per position,
     * the objective the sum over copies of copy k's output at position k (all channels), so each
     * copy's gradient is its own position's.
     */
    static int[][] bruteForce(Engine e, NDManager m, String layer, List<int[]> at) {
        TensorShape s = e.network().inputShape();
        int size = s.channels() * s.height() * s.width();
        float[] x = new float[size * at.size()];
        Random r = new Random(3);
        for (int k = 0; k < size; k++) {
            x[k] = (float) r.nextGaussian();
        }
        for (int b = 1; b < at.size(); b++) {
            System.arraycopy(x, 0, x, b * size, size);
        }
        NDArray in = e.input(m, x, at.size(), s.channels(), s.height(), s.width());
        float[] g = e.inputGradient(in, List.of(layer), out -> {
            NDArray sum = null;
            for (int b = 0; b < at.size(); b++) {
                NDArray v = out.get(layer).get(b + ", :, " + at.get(b)[0] + ", " + at.get(b)[1]).sum();
                sum = sum == null ? v : sum.add(v);
            }
            return sum;
        }).gradient().toFloatArray();
        int[][] boxes = new int[at.size()][];
        for (int b = 0; b < at.size(); b++) {
            int top = Integer.MAX_VALUE;
            int bottom = -1;
            int left = Integer.MAX_VALUE;
            int right = -1;
            for (int c = 0; c < s.channels(); c++) {
                for (int y = 0; y < s.height(); y++) {
                    for (int xx = 0; xx < s.width(); xx++) {
                        if (g[b * size + (c * s.height() + y) * s.width() + xx] != 0f) {
                            top = Math.min(top, y);
                            bottom = Math.max(bottom, y);
                            left = Math.min(left, xx);
                            right = Math.max(right, xx);
                        }
                    }
                }
            }
            boxes[b] = new int[] {top, bottom, left, right};
        }
        return boxes;
    }

    /** Every {@code step}-th position from the start, and the last: the borders are where padding and dilation bite. */
    static java.util.SortedSet<Integer> positions(int n, int step) {
        java.util.SortedSet<Integer> p = new java.util.TreeSet<>();
        for (int i = 0; i < n; i += step) {
            p.add(i);
        }
        p.add(n - 1);
        return p;
    }

    static void assertFields(Network net, String layer) {
        TensorShape out = net.node(layer).outputShape();
        List<int[]> at = new ArrayList<>();
        for (int i : positions(out.height(), 2)) {
            for (int j : positions(out.width(), 2)) {
                at.add(new int[] {i, j});
            }
        }
        try (Engine e = Engine.create(net); NDManager m = scope.newSubManager()) {
            int[][] want = bruteForce(e, m, layer, at);
            for (int k = 0; k < at.size(); k++) {
                int i = at.get(k)[0];
                int j = at.get(k)[1];
                assertArrayEquals(want[k], walked(net, layer, i, j), layer + " at (" + i + ", " + j + ")");
            }
        }
    }

    @Test
    void stridedPaddedDilatedWindows() {
        Network net = new Network.Builder("w").input("input", TensorShape.chw(2, 23, 19))
                .add("c1", new Layer.Conv2D(3, 3, 3, 2, 2, 1, 1, Padding.SAME, 1, true, Activation.TANH), "input")
                .add("zp", new Layer.ZeroPadding2D(1, 0, 0, 1), "c1")
                .add("dw", new Layer.DepthwiseConv2D(1, 3, 3, 1, 1, 2, 2, Padding.VALID, true, Activation.TANH), "zp")
                .add("pool", new Layer.Pool2D(false, 2, 2, 1, 1, Padding.SAME, false, false), "dw")
                .add("crop", new Layer.Cropping2D(1, 0, 1, 0), "pool")
                .buildWithoutParams().withRandomParams(2);
        assertFields(net, "c1");
        assertFields(net, "crop");
    }

    @Test
    void upsamplingAndTransposedConvolution() {
        Network net = new Network.Builder("u").input("input", TensorShape.chw(1, 5, 4))
                .add("up", new Layer.UpSampling2D(2, 2, false), "input")
                .add("t", new Layer.ConvTranspose2D(2, 3, 3, 2, 2, 1, 1, Padding.explicit(1, 1, 1, 1), 0, 0, new int[0], 1, true), "up")
                .add("c", new Layer.Conv2D(2, 3, 3, 1, 1, 2, 2, Padding.SAME, 1, true, Activation.TANH), "t")
                .buildWithoutParams().withRandomParams(4);
        assertFields(net, "t");
        assertFields(net, "c");
    }
}
