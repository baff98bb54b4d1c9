package io.convscope.explain;

import io.convscope.image.ImageTensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Score-CAM (Wang et al. 2020): each map A_k of the layer, resized to the input and scaled to [0, 1],
 * masks the image (towards black: x′ = b + M_k (x − b), b the black image); the weights are the softmax
 * over k of the target's scores for the masked images, and the map is relu(∑_k w_k A_k), resized to the
 * input. The masked images go through the network in batches.
 */
public final class ScoreCam implements Attribution {
    private final ExplainContext ctx;
    private final String layer;

    public ScoreCam(ExplainContext ctx, String layer) {
        this.ctx = ctx;
        this.layer = CamLayers.choose(ctx.scoreNetwork(), ctx.scoreLayer(), layer);
    }

    @Override
    public String name() {
        return "scorecam";
    }

    public String layer() {
        return layer;
    }

    @Override
    public Maps attribute(ImageTensor x, int[] targets) {
        int c = x.c();
        int h = x.h();
        int w = x.w();
        int size = c * h * w;
        ExplainContext.LayerValues lv = ctx.activations(x.data(), x.n(), c, h, w, layer);
        float[] acts = lv.values();
        int k = lv.channels();
        int lh = lv.height();
        int lw = lv.width();
        int hw = lh * lw;
        float[] black = ctx.constantLike(1, c, h, w, 0f);
        List<float[]> maps = new ArrayList<>();
        for (int i = 0; i < x.n(); i++) {
            float[] xi = x.sample(i);
            float[] a = MapOps.sample(acts, i, k * hw);
            double[] scores = new double[k];
            int chunk = ctx.batch();
            for (int k0 = 0; k0 < k; k0 += chunk) {
                int m = Math.min(chunk, k - k0);
                float[] masked = new float[m * size];
                for (int j = 0; j < m; j++) {
                    float[] mask = MapOps.resize(java.util.Arrays.copyOfRange(a, (k0 + j) * hw, (k0 + j + 1) * hw), lh, lw, h, w);
                    unit(mask);
                    for (int ch = 0; ch < c; ch++) {
                        for (int p = 0; p < h * w; p++) {
                            int q = ch * h * w + p;
                            masked[j * size + q] = black[q] + mask[p] * (xi[q] - black[q]);
                        }
                    }
                }
                double[] s = ctx.targetScores(masked, m, c, h, w, new int[] {targets[i]});
                System.arraycopy(s, 0, scores, k0, m);
            }
            double[] wts = softmax(scores);
            float[] map = new float[hw];
            for (int ch = 0; ch < k; ch++) {
                for (int p = 0; p < hw; p++) {
                    map[p] += (float) (wts[ch] * a[ch * hw + p]);
                }
            }
            maps.add(MapOps.resize(MapOps.relu(map), lh, lw, h, w));
        }
        return new Maps(maps, h, w, false);
    }

    /** Scales a map to [0, 1] in place (all zeros when constant). */
    static void unit(float[] m) {
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (float v : m) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        float range = max - min;
        for (int p = 0; p < m.length; p++) {
            m[p] = range > 0 ? (m[p] - min) / range : 0f;
        }
    }

    static double[] softmax(double[] s) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : s) {
            max = Math.max(max, v);
        }
        double sum = 0;
        double[] e = new double[s.length];
        for (int i = 0; i < s.length; i++) {
            e[i] = Math.exp(s[i] - max);
            sum += e[i];
        }
        for (int i = 0; i < s.length; i++) {
            e[i] /= sum;
        }
        return e;
    }
}
