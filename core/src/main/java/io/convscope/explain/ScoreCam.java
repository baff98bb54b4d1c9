package io.convscope.explain;

import io.convscope.ConvscopeException;
import io.convscope.Setting;
import io.convscope.image.ImageTensor;
import io.convscope.util.Progress;

import java.util.ArrayList;
import java.util.List;

/**
 * Score-CAM (Wang et al. 2020): each map A_k of the layer, resized to the input and scaled to [0, 1],
 * masks the image (towards black: x′ = b + M_k (x − b), b the black image); the weights are the softmax
 * over k of the target's scores for the masked images, and the map is relu(∑_k w_k A_k), resized to the
 * input. The masked images go through the network in batches; the channels that are constant on the
 * image (all zero after a ReLU, as most of a late layer's are) all give the same masked image, the black
 * one, whose score is computed once. With {@code maxChannels} &gt; 0 it is Faster Score-CAM (Tabayashi's
 * variant): only the {@code maxChannels} channels whose activations vary most over the map (largest
 * variance) mask the image, and the softmax and the sum run over those.
 */
public final class ScoreCam implements Attribution.Stepped {
    private final ExplainContext ctx;
    private final String layer;
    private final int maxChannels;

    /** Score-CAM over every channel of {@code layer}. */
    public ScoreCam(ExplainContext ctx, String layer) {
        this(ctx, layer, 0);
    }

    /** Faster Score-CAM over the {@code maxChannels} channels of largest variance (0: every channel, Score-CAM itself). */
    public ScoreCam(ExplainContext ctx, String layer, int maxChannels) {
        if (maxChannels < 0) {
            throw new ConvscopeException(Setting.SCORECAM_CHANNELS + " must be 0 (every channel) or more");
        }
        this.ctx = ctx;
        this.layer = CamLayers.choose(ctx.scoreNetwork(), ctx.scoreLayer(), layer);
        this.maxChannels = maxChannels;
    }

    /** The channels that mask the image: 0 for every one. */
    public int maxChannels() {
        return maxChannels;
    }

    /** The layer's channel count. */
    private int layerChannels() {
        return (int) ctx.scoreNetwork().node(layer).outputShape().channels();
    }

    /** The channels used per image. */
    public int used() {
        int k = layerChannels();
        return maxChannels > 0 ? Math.min(maxChannels, k) : k;
    }

    @Override
    public long work(int images) {
        return (long) images * used();
    }

    @Override
    public String name() {
        return "scorecam";
    }

    public String layer() {
        return layer;
    }

    @Override
    public Maps compute(ImageTensor x, int[] targets, Progress progress) {
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
        long done = 0;
        for (int i = 0; i < x.n(); i++) {
            float[] xi = x.sample(i);
            float[] a = MapOps.sample(acts, i, k * hw);
            int[] channels = channels(a, k, hw);
            // the channels constant on this image mask it to black: one score for all of them
            List<Integer> varying = new ArrayList<>();
            boolean anyConstant = false;
            for (int ch : channels) {
                if (constant(a, ch * hw, hw)) {
                    anyConstant = true;
                } else {
                    varying.add(ch);
                }
            }
            double[] scores = new double[k];
            if (anyConstant) {
                double s = ctx.targetScores(black, 1, c, h, w, new int[] {targets[i]})[0];
                for (int ch : channels) {
                    scores[ch] = s;
                }
                done += channels.length - varying.size();
                progress.advance(done);
            }
            int chunk = ctx.batch();
            for (int k0 = 0; k0 < varying.size(); k0 += chunk) {
                int m = Math.min(chunk, varying.size() - k0);
                float[] masked = new float[m * size];
                for (int j = 0; j < m; j++) {
                    int ch = varying.get(k0 + j);
                    float[] mask = MapOps.resize(java.util.Arrays.copyOfRange(a, ch * hw, (ch + 1) * hw), lh, lw, h, w);
                    unit(mask);
                    for (int cc = 0; cc < c; cc++) {
                        for (int p = 0; p < h * w; p++) {
                            int q = cc * h * w + p;
                            masked[j * size + q] = black[q] + mask[p] * (xi[q] - black[q]);
                        }
                    }
                }
                double[] s = ctx.targetScores(masked, m, c, h, w, new int[] {targets[i]});
                for (int j = 0; j < m; j++) {
                    scores[varying.get(k0 + j)] = s[j];
                }
                done += m;
                progress.advance(done);
            }
            double[] picked = new double[channels.length];
            for (int j = 0; j < channels.length; j++) {
                picked[j] = scores[channels[j]];
            }
            double[] wts = softmax(picked);
            float[] map = new float[hw];
            for (int j = 0; j < channels.length; j++) {
                int ch = channels[j];
                for (int p = 0; p < hw; p++) {
                    map[p] += (float) (wts[j] * a[ch * hw + p]);
                }
            }
            maps.add(MapOps.resize(MapOps.relu(map), lh, lw, h, w));
        }
        return new Maps(maps, h, w, false);
    }

    /** The channels that mask the image: all, or the {@code maxChannels} of largest variance (ties: lower index), in channel order. */
    int[] channels(float[] a, int k, int hw) {
        if (maxChannels <= 0 || maxChannels >= k) {
            int[] all = new int[k];
            for (int ch = 0; ch < k; ch++) {
                all[ch] = ch;
            }
            return all;
        }
        float[] variance = new float[k];
        for (int ch = 0; ch < k; ch++) {
            double sum = 0;
            double sq = 0;
            for (int p = 0; p < hw; p++) {
                double v = a[ch * hw + p];
                sum += v;
                sq += v * v;
            }
            double mean = sum / hw;
            variance[ch] = (float) Math.max(0, sq / hw - mean * mean);
        }
        int[] top = Targets.topK(variance, maxChannels);
        java.util.Arrays.sort(top);
        return top;
    }

    private static boolean constant(float[] a, int from, int n) {
        for (int p = from + 1; p < from + n; p++) {
            if (a[p] != a[from]) {
                return false;
            }
        }
        return true;
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
