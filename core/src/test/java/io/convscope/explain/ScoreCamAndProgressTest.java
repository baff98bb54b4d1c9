package io.convscope.explain;

import io.convscope.embedded.EmbeddedModel;
import io.convscope.image.ImageTensor;
import io.convscope.image.Resize;
import io.convscope.network.Network;
import io.convscope.util.Progress;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Score-CAM's shared pass for constant channels and Faster Score-CAM against a step-by-step computation (one masked image
 * per channel, one forward pass each, from the context's primitives), and the progress every slow method reports.
 */
class ScoreCamAndProgressTest {
    static Network net;
    static ExplainContext ctx;
    static ImageTensor images;

    @BeforeAll
    static void load() throws IOException {
        net = EmbeddedModel.load();
        ctx = ExplainContext.of(net, Score.LOGIT, 16);
        List<BufferedImage> pics = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int c : new int[] {8, 7}) {
            try (InputStream in = EmbeddedModel.openSample(c)) {
                pics.add(javax.imageio.ImageIO.read(in));
            }
            names.add(EmbeddedModel.sampleFileName(c));
        }
        images = ImageTensor.of(pics, names, net.inputShape(), net.preprocessing(), Resize.STRETCH);
    }

    @AfterAll
    static void close() {
        ctx.close();
    }

    /** Score-CAM of image i over {@code channels} (null: all), step by step: each channel's masked image scored alone. */
    static float[] stepByStep(String layer, int i, int target, int[] channels) {
        float[] x = images.sample(i);
        ExplainContext.LayerValues lv = ctx.activations(x, 1, 1, 28, 28, layer);
        int k = lv.channels();
        int hw = lv.height() * lv.width();
        if (channels == null) {
            channels = new int[k];
            for (int ch = 0; ch < k; ch++) {
                channels[ch] = ch;
            }
        }
        double[] s = new double[channels.length];
        for (int j = 0; j < channels.length; j++) {
            int ch = channels[j];
            float[] a = Arrays.copyOfRange(lv.values(), ch * hw, (ch + 1) * hw);
            float[] mask = MapOps.resize(a, lv.height(), lv.width(), 28, 28);
            float min = Float.POSITIVE_INFINITY;
            float max = Float.NEGATIVE_INFINITY;
            for (float v : mask) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            float[] masked = new float[28 * 28];
            for (int p = 0; p < masked.length; p++) {
                float m = max > min ? (mask[p] - min) / (max - min) : 0f;
                masked[p] = m * x[p]; // black is 0 for this model
            }
            s[j] = ctx.targetScores(masked, 1, 1, 28, 28, new int[] {target})[0];
        }
        double top = Arrays.stream(s).max().orElse(0);
        double z = 0;
        for (double v : s) {
            z += Math.exp(v - top);
        }
        float[] map = new float[hw];
        for (int j = 0; j < channels.length; j++) {
            double wj = Math.exp(s[j] - top) / z;
            for (int p = 0; p < hw; p++) {
                map[p] += (float) (wj * lv.values()[channels[j] * hw + p]);
            }
        }
        for (int p = 0; p < hw; p++) {
            map[p] = Math.max(0f, map[p]);
        }
        return MapOps.resize(map, lv.height(), lv.width(), 28, 28);
    }

    static int constantChannels(String layer, int i) {
        ExplainContext.LayerValues lv = ctx.activations(images.sample(i), 1, 1, 28, 28, layer);
        int hw = lv.height() * lv.width();
        int n = 0;
        for (int ch = 0; ch < lv.channels(); ch++) {
            boolean constant = true;
            for (int p = 1; p < hw; p++) {
                constant &= lv.values()[ch * hw + p] == lv.values()[ch * hw];
            }
            n += constant ? 1 : 0;
        }
        return n;
    }

    @Test
    void scoreCamWithSharedBlackPassEqualsOneMaskedImagePerChannel() {
        ScoreCam sc = new ScoreCam(ctx, null);
        Maps m = sc.attribute(images, new int[] {8, 7});
        int constant = constantChannels(sc.layer(), 0) + constantChannels(sc.layer(), 1);
        assertTrue(constant > 0, "the case tests the shared pass: some channel is constant on an image");
        for (int i = 0; i < 2; i++) {
            float[] ref = stepByStep(sc.layer(), i, i == 0 ? 8 : 7, null);
            float max = 0;
            for (float v : ref) {
                max = Math.max(max, Math.abs(v));
            }
            assertTrue(max > 0);
            assertArrayEquals(ref, m.map(i), 1e-4f * max, "image " + i);
        }
    }

    @Test
    void fasterScoreCamUsesTheChannelsOfLargestVariance() {
        ScoreCam sc = new ScoreCam(ctx, null, 6);
        Maps m = sc.attribute(images, new int[] {8, 7});
        for (int i = 0; i < 2; i++) {
            // the six channels of largest variance, found here by sorting
            ExplainContext.LayerValues lv = ctx.activations(images.sample(i), 1, 1, 28, 28, sc.layer());
            int hw = lv.height() * lv.width();
            Integer[] order = new Integer[lv.channels()];
            double[] var = new double[lv.channels()];
            for (int ch = 0; ch < order.length; ch++) {
                order[ch] = ch;
                double mean = 0;
                for (int p = 0; p < hw; p++) {
                    mean += lv.values()[ch * hw + p] / hw;
                }
                for (int p = 0; p < hw; p++) {
                    double d = lv.values()[ch * hw + p] - mean;
                    var[ch] += d * d / hw;
                }
            }
            Arrays.sort(order, (a, b) -> var[b] != var[a] ? Double.compare(var[b], var[a]) : Integer.compare(a, b));
            int[] top = new int[6];
            for (int j = 0; j < 6; j++) {
                top[j] = order[j];
            }
            float[] ref = stepByStep(sc.layer(), i, i == 0 ? 8 : 7, top);
            float max = 0;
            for (float v : ref) {
                max = Math.max(max, Math.abs(v));
            }
            assertArrayEquals(ref, m.map(i), 1e-4f * max + 1e-6f, "image " + i);
            // and it is not Score-CAM over every channel
            float[] full = stepByStep(sc.layer(), i, i == 0 ? 8 : 7, null);
            assertTrue(!Arrays.equals(full, m.map(i)));
        }
        // as many channels as the layer has: Score-CAM itself
        int k = (int) ctx.scoreNetwork().node(sc.layer()).outputShape().channels();
        assertArrayEquals(new ScoreCam(ctx, null).attribute(images, new int[] {8, 7}).map(0),
                new ScoreCam(ctx, null, k).attribute(images, new int[] {8, 7}).map(0));
    }

    /** Records a method's progress calls. */
    static final class Recorder implements Progress {
        long total = -1;
        final List<Long> done = new ArrayList<>();
        int starts;
        int finishes;

        @Override
        public void start(String what, long t, Unit unit) {
            starts++;
            total = t;
        }

        @Override
        public void advance(long d) {
            done.add(d);
        }

        @Override
        public void finish() {
            finishes++;
        }
    }

    @Test
    void slowMethodsReportTheirPassesUpToTheirWork() {
        Methods.Settings s = Methods.Settings.defaults().withSteps(20).withSamples(3).withMasks(40).withWindow(7, 7).withScorecamChannels(0);
        int[] t = {8, 7};
        for (String name : List.of("occlusion", "scorecam", "rise", "smoothgrad", "integrated-gradients")) {
            Attribution a = Methods.create(name, ctx, s);
            Recorder r = new Recorder();
            a.attribute(images, t, r);
            assertEquals(1, r.starts, name);
            assertEquals(1, r.finishes, name);
            assertEquals(a.work(2), r.total, name + ": the task's total is the method's work");
            assertTrue(r.done.size() >= 2, name + " advances during the work, not only at its end: " + r.done);
            for (int j = 1; j < r.done.size(); j++) {
                assertTrue(r.done.get(j) >= r.done.get(j - 1), name + " never goes back: " + r.done);
            }
            assertEquals(r.total, r.done.get(r.done.size() - 1), name + " ends at its total");
        }
        assertEquals(2L * (16 + 1), Methods.create("occlusion", ctx, s).work(2), "occlusion: 4×4 positions and the clean image, per image");
        assertEquals(2L * 40, Methods.create("rise", ctx, s).work(2));
        assertEquals(2L * 3, Methods.create("smoothgrad", ctx, s).work(2), "smoothgrad of saliency: 3 copies per image");
        assertEquals(2L * 20, Methods.create("integrated-gradients", ctx, s).work(2));
    }
}
