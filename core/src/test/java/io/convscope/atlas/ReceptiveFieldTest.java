package io.convscope.atlas;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.convscope.engine.Engine;
import io.convscope.network.Activation;
import io.convscope.network.Layer;
import io.convscope.network.Network;
import io.convscope.network.Padding;
import io.convscope.network.TensorShape;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The receptive field from the graph against brute-force sensitivity: every input pixel is pushed up
 * and down in turn, and the pixels that change the unit must fill exactly the computed box (clipped to
 * the image). Activations are linear before max pooling so that every pixel in the field can matter.
 */
class ReceptiveFieldTest {

    private static Layer.Conv2D conv(int f, int k, int s, int d, Padding p) {
        return new Layer.Conv2D(f, k, k, s, s, d, d, p, 1, true, Activation.LINEAR);
    }

    /** A chain: same-padded stride-2 conv, dilated conv, max pool with padding, valid conv. */
    static Network chain() {
        return new Network.Builder("chain").input("in", TensorShape.chw(2, 23, 21))
                .add("c1", conv(3, 3, 2, 1, Padding.SAME), "in")
                .add("c2", conv(3, 3, 1, 2, Padding.explicit(1, 2, 2, 1)), "c1")
                .add("p1", new Layer.Pool2D(true, 2, 2, 2, 2, Padding.SAME, false, false), "c2")
                .add("c3", conv(2, 2, 1, 1, Padding.VALID), "p1")
                .buildWithoutParams().withRandomParams(11);
    }

    /**
     * Two branches of different windows joined by concatenation and by addition: a 1×1 path, a 5×5
     * path and a dilated 3×3 path, zero padding and cropping on the way.
     */
    static Network branching() {
        return new Network.Builder("branch").input("in", TensorShape.chw(1, 20, 19))
                .add("stem", conv(3, 3, 1, 1, Padding.SAME), "in")
                .add("a", conv(2, 1, 1, 1, Padding.VALID), "stem")
                .add("b", conv(2, 5, 1, 1, Padding.SAME), "stem")
                .add("cat", new Layer.Concatenate(0), "a", "b")
                .add("d", conv(4, 3, 1, 2, Padding.SAME), "stem")
                .add("sum", new Layer.Merge(Layer.Merge.Op.ADD), "cat", "d")
                .add("pad", new Layer.ZeroPadding2D(1, 0, 2, 0), "sum")
                .add("crop", new Layer.Cropping2D(0, 1, 0, 2), "pad")
                .add("down", conv(3, 3, 2, 1, Padding.VALID), "crop")
                .add("bn", new Layer.BatchNorm(1e-3f, true, true), "down")
                .buildWithoutParams().withRandomParams(5);
    }

    @Test
    void chainFieldsMatchBruteForce() {
        Network net = chain();
        check(net, "c1");
        check(net, "c2");
        check(net, "p1");
        check(net, "c3");
    }

    @Test
    void branchingFieldsMatchBruteForce() {
        Network net = branching();
        check(net, "cat");
        check(net, "sum");
        check(net, "crop");
        check(net, "down");
        check(net, "bn");
    }

    @Test
    void knownValuesForTheChain() {
        // c1: 3×3 stride 2, SAME on 23 rows: 12 outputs, total pad 2 → 1 on top; row 0 reads rows -1..1 of
        // which -1 is padding; row 5 reads 9..11
        ReceptiveField.Box b = ReceptiveField.of(chain(), "c1", 0, 5);
        assertEquals(0, b.top());
        assertEquals(1, b.bottom());
        assertEquals(9, b.left());
        assertEquals(11, b.right());
        assertTrue(b.exact());
        // c2: dilation 2, pad 1 on top: row 0 reads c1 rows -1, 1, 3, so input rows 1..7, not 0
        ReceptiveField.Box d = ReceptiveField.of(chain(), "c2", 0, 0);
        assertEquals(1, d.top());
        assertEquals(7, d.bottom());
    }

    @Test
    void projectionIsTheGradientOfTheOneActivationAndStaysInTheField() {
        Network net = chain(); // linear up to the max pool: c2 is linear in the input
        int c = 2;
        int h = 23;
        int w = 21;
        SplittableRandom rnd = new SplittableRandom(9);
        float[] x = new float[c * h * w];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextDouble(-1, 1);
        }
        int ch = 1;
        int oy = 4;
        int ox = 3;
        float[][] g;
        float[] y0;
        float[] y1;
        int pixel = (1 * h + 9) * w + 6; // channel 1, row 9, column 6: inside the field of c2 (4, 3)
        float[] x1 = x.clone();
        x1[pixel] += 1f;
        try (Engine engine = Engine.create(net)) {
            g = Projections.gradients(engine, "c2", List.of(new Projections.Request(x, ch, oy, ox),
                    new Projections.Request(x, 0, 0, 0)), c, h, w);
            try (NDManager m = engine.manager().newSubManager()) {
                y0 = engine.forward(engine.input(m, x, 1, c, h, w), List.of("c2")).get("c2").toFloatArray();
                y1 = engine.forward(engine.input(m, x1, 1, c, h, w), List.of("c2")).get("c2").toFloatArray();
            }
        }
        TensorShape out = net.node("c2").outputShape();
        int o = (ch * out.height() + oy) * out.width() + ox;
        assertEquals(y1[o] - y0[o], g[0][pixel], 1e-4, "a linear unit's gradient is its change for a unit step");
        ReceptiveField.Box box = ReceptiveField.of(net, "c2", oy, ox);
        boolean any = false;
        for (int k = 0; k < c; k++) {
            for (int yy = 0; yy < h; yy++) {
                for (int xx = 0; xx < w; xx++) {
                    float v = g[0][(k * h + yy) * w + xx];
                    boolean inside = yy >= box.top() && yy <= box.bottom() && xx >= box.left() && xx <= box.right();
                    if (!inside) {
                        assertEquals(0f, v, "no gradient outside the field at " + yy + "," + xx);
                    }
                    any |= v != 0;
                }
            }
        }
        assertTrue(any);
        // the second request (another unit) got its own gradient, not the sum
        assertTrue(g[1][pixel] == 0f || g[1][pixel] != g[0][pixel]);
    }

    /**
     * The deconvnet projection of one activation of a conv → ReLU → max pool → conv network against a
     * hand computation: the transposed filter of the top conv, unpooling to the forward maxima (the
     * switches, read from the forward pass here), the ReLU applied to the backward signal (not gated by
     * the forward sign), the transposed filter of the first conv; zero outside the receptive field.
     */
    @Test
    void deconvnetProjectionMatchesTheHandComputation() {
        int h = 10;
        int w = 10;
        Network net = new Network.Builder("two").input("in", TensorShape.chw(1, h, w))
                .add("c1", new Layer.Conv2D(2, 3, 3, 1, 1, 1, 1, Padding.VALID, 1, true, Activation.RELU), "in")
                .add("p1", new Layer.Pool2D(true, 2, 2, 2, 2, Padding.VALID, false, false), "c1")
                .add("c2", conv(2, 2, 1, 1, Padding.VALID), "p1")
                .buildWithoutParams().withRandomParams(3);
        SplittableRandom rnd = new SplittableRandom(4);
        float[][] xs = new float[2][h * w];
        for (float[] x : xs) {
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) rnd.nextDouble(-1, 1);
            }
        }
        var k1 = net.node("c1").params().get("kernel"); // (2, 1, 3, 3)
        var k2 = net.node("c2").params().get("kernel"); // (2, 2, 2, 2)
        int[][] units = {{1, 0, 0}, {0, 2, 1}}; // (unit, y, x) of c2, one per image
        float[][] proj;
        float[][] c1 = new float[2][];
        try (Engine engine = Engine.create(net);
             io.convscope.explain.Backprop walk = new io.convscope.explain.Backprop(net, engine.device())) {
            List<Projections.Request> req = List.of(new Projections.Request(xs[0], units[0][0], units[0][1], units[0][2]),
                    new Projections.Request(xs[1], units[1][0], units[1][1], units[1][2]));
            proj = Projections.deconvnet(walk, net, "c2", req, 1, h, w);
            try (NDManager m = engine.manager().newSubManager()) {
                for (int i = 0; i < 2; i++) {
                    c1[i] = engine.forward(engine.input(m, xs[i], 1, 1, h, w), List.of("c1")).get("c1").toFloatArray();
                }
            }
        }
        boolean clipped = false;
        for (int i = 0; i < 2; i++) {
            int u = units[i][0];
            int oy = units[i][1];
            int ox = units[i][2];
            // c2 backward: the transposed filter spreads the 1 over p1 (2 × 4 × 4)
            float[] gp = new float[2 * 4 * 4];
            for (int c = 0; c < 2; c++) {
                for (int dy = 0; dy < 2; dy++) {
                    for (int dx = 0; dx < 2; dx++) {
                        gp[(c * 4 + oy + dy) * 4 + ox + dx] = k2.get(((u * 2 + c) * 2 + dy) * 2 + dx);
                    }
                }
            }
            // unpooling by the switches, then ReLU on the signal
            float[] g1 = new float[2 * 8 * 8];
            for (int c = 0; c < 2; c++) {
                for (int py = 0; py < 4; py++) {
                    for (int px = 0; px < 4; px++) {
                        int best = -1;
                        for (int dy = 0; dy < 2; dy++) {
                            for (int dx = 0; dx < 2; dx++) {
                                int at = (c * 8 + 2 * py + dy) * 8 + 2 * px + dx;
                                if (best < 0 || c1[i][at] > c1[i][best]) {
                                    best = at;
                                }
                            }
                        }
                        float v = gp[(c * 4 + py) * 4 + px];
                        clipped |= v < 0;
                        g1[best] = Math.max(0f, v);
                    }
                }
            }
            // c1 backward: the transposed filter to the input
            float[] want = new float[h * w];
            for (int c = 0; c < 2; c++) {
                for (int y = 0; y < 8; y++) {
                    for (int x = 0; x < 8; x++) {
                        float g = g1[(c * 8 + y) * 8 + x];
                        for (int dy = 0; dy < 3; dy++) {
                            for (int dx = 0; dx < 3; dx++) {
                                want[(y + dy) * w + x + dx] += g * k1.get((c * 3 + dy) * 3 + dx);
                            }
                        }
                    }
                }
            }
            ReceptiveField.Box box = ReceptiveField.of(net, "c2", oy, ox);
            boolean any = false;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    assertEquals(want[y * w + x], proj[i][y * w + x], 1e-5, "image " + i + " at " + y + "," + x);
                    if (y < box.top() || y > box.bottom() || x < box.left() || x > box.right()) {
                        assertEquals(0f, proj[i][y * w + x], "zero outside the field at " + y + "," + x);
                    }
                    any |= proj[i][y * w + x] != 0;
                }
            }
            assertTrue(any, "image " + i + " has a projection");
        }
        assertTrue(clipped, "some backward signal was negative, so the ReLU rule was exercised");
    }

    @Test
    void patchesAreTheBoxesPixels() {
        java.awt.image.BufferedImage view = io.convscope.render.Images.create(9, 7, 0);
        int[] px = io.convscope.render.Images.pixels(view);
        for (int i = 0; i < px.length; i++) {
            px[i] = i * 1000;
        }
        java.awt.image.BufferedImage p = AtlasSite.crop(view, new ReceptiveField.Box(2, 3, 4, 7, true));
        assertEquals(5, p.getWidth());
        assertEquals(3, p.getHeight());
        for (int y = 0; y < 3; y++) {
            for (int x = 0; x < 5; x++) {
                assertEquals(((2 + y) * 9 + 3 + x) * 1000, p.getRGB(x, y) & 0xffffff);
            }
        }
    }

    /** Every position of {@code layer} whose brute-force field is not empty: the box must match it. */
    private static void check(Network net, String layer) {
        TensorShape in = net.inputShape();
        TensorShape out = net.node(layer).outputShape();
        int c = in.channels();
        int h = in.height();
        int w = in.width();
        int plane = h * w;
        SplittableRandom rnd = new SplittableRandom(3);
        float[] base = new float[c * plane];
        for (int i = 0; i < base.length; i++) {
            base[i] = (float) rnd.nextDouble(-1, 1);
        }
        // batch: the base image, then each pixel (all channels at once) pushed up, then pushed down
        int n = 1 + 2 * plane;
        float[] x = new float[n * c * plane];
        for (int s = 0; s < n; s++) {
            System.arraycopy(base, 0, x, s * c * plane, c * plane);
        }
        for (int p = 0; p < plane; p++) {
            for (int ch = 0; ch < c; ch++) {
                x[(1 + p) * c * plane + ch * plane + p] += 50f;
                x[(1 + plane + p) * c * plane + ch * plane + p] -= 50f;
            }
        }
        float[] y;
        try (Engine engine = Engine.create(net); NDManager m = engine.manager().newSubManager()) {
            NDArray a = engine.input(m, x, n, c, h, w);
            y = engine.forward(a, List.of(layer)).get(layer).toFloatArray();
        }
        int oc = out.channels();
        int oh = out.height();
        int ow = out.width();
        int per = oc * oh * ow;
        int checked = 0;
        for (int oy = 0; oy < oh; oy++) {
            for (int ox = 0; ox < ow; ox++) {
                int top = Integer.MAX_VALUE;
                int left = Integer.MAX_VALUE;
                int bottom = -1;
                int right = -1;
                for (int p = 0; p < plane; p++) {
                    boolean changed = false;
                    for (int ch = 0; ch < oc && !changed; ch++) {
                        int o = ch * oh * ow + oy * ow + ox;
                        float v0 = y[o];
                        changed = Math.abs(y[(1 + p) * per + o] - v0) > 1e-3f * (1 + Math.abs(v0))
                                || Math.abs(y[(1 + plane + p) * per + o] - v0) > 1e-3f * (1 + Math.abs(v0));
                    }
                    if (changed) {
                        top = Math.min(top, p / w);
                        bottom = Math.max(bottom, p / w);
                        left = Math.min(left, p % w);
                        right = Math.max(right, p % w);
                    }
                }
                ReceptiveField.Box box = ReceptiveField.of(net, layer, oy, ox);
                assertTrue(box.exact(), layer);
                ReceptiveField.Box clipped = box.clip(h, w);
                String where = layer + " (" + oy + ", " + ox + "): computed " + clipped + ", brute force rows " + top + ".."
                        + bottom + " cols " + left + ".." + right;
                if (bottom < 0) {
                    // nothing reaches this unit (it sees only padding): the clipped box must be empty
                    assertTrue(clipped.height() <= 0 || clipped.width() <= 0, where);
                    continue;
                }
                assertEquals(top, clipped.top(), where);
                assertEquals(bottom, clipped.bottom(), where);
                assertEquals(left, clipped.left(), where);
                assertEquals(right, clipped.right(), where);
                checked++;
            }
        }
        assertTrue(checked > 0);
    }
}
