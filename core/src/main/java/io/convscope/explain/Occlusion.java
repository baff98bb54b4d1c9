package io.convscope.explain;

import io.convscope.ConvscopeException;
import io.convscope.Setting;
import io.convscope.image.ImageTensor;
import io.convscope.util.Progress;

import java.util.ArrayList;
import java.util.List;

/**
 * Occlusion sensitivity as in Zeiler &amp; Fergus 2014, Fig. 7: a grey square (pixel value 128 in every
 * channel) of {@code window} pixels slid over the image by {@code stride}; for every position the
 * network sees the occluded image and gives (b) the total activation of the strongest feature map of a
 * layer (the map with the largest sum on the unoccluded image), (d) the probability of the target class,
 * (e) the most probable class. The attribution map is, per pixel, the mean over the windows covering it
 * of the drop in the target's score S(x) − S(x occluded) (zero where no window reaches). The occluded
 * images go through the network in batches.
 */
public final class Occlusion implements Attribution.Stepped {
    private final ExplainContext ctx;
    private final int window;
    private final int stride;
    private final String layer;

    /** The grids of one image: rows × cols positions (row-major). */
    public record Grids(int rows, int cols, int window, int stride, String layer, int featureMap, float[] feature,
                        float[] probability, int[] topClass, float[] attribution) { }

    public Occlusion(ExplainContext ctx, int window, int stride, String layer) {
        if (window < 1) {
            throw new ConvscopeException(Setting.WINDOW + " must be at least 1 pixel");
        }
        if (stride < 1) {
            throw new ConvscopeException(Setting.STRIDE + " must be at least 1 pixel");
        }
        this.ctx = ctx;
        this.window = window;
        this.stride = stride;
        this.layer = CamLayers.choose(ctx.scoreNetwork(), ctx.scoreLayer(), layer);
    }

    @Override
    public String name() {
        return "occlusion";
    }

    public int window() {
        return window;
    }

    public int stride() {
        return stride;
    }

    /** Checks that the window fits an image of h × w. */
    public void check(int h, int w) {
        if (window > h || window > w) {
            throw new ConvscopeException(Setting.WINDOW + " " + window + " is larger than the image (" + w + "×" + h + " at the model's input)");
        }
    }

    /** Positions of the window on an image of h × w. */
    public int positions(int h, int w) {
        return ((h - window) / stride + 1) * ((w - window) / stride + 1);
    }

    @Override
    public long work(int images) {
        var in = ctx.network().inputShape();
        int h = in.height() > 0 ? in.height() : 224;
        int w = in.width() > 0 ? in.width() : 224;
        return (long) images * (positions(h, w) + 1);
    }

    /** The three maps of Fig. 7 and the attribution, for image i of x. */
    public Grids grids(ImageTensor x, int i, int target) {
        return grids(x, i, target, Progress.NONE);
    }

    /** {@link #grids(ImageTensor, int, int)}, advancing {@code progress} by one step per forward pass (positions + 1). */
    public Grids grids(ImageTensor x, int i, int target, Progress progress) {
        int c = x.c();
        int h = x.h();
        int w = x.w();
        check(h, w);
        int rows = (h - window) / stride + 1;
        int cols = (w - window) / stride + 1;
        int size = c * h * w;
        float[] xi = x.sample(i);
        float[] grey = ctx.constantLike(1, c, h, w, 128f);
        Occlusion.Result clean = forward(xi, 1, c, h, w);
        progress.advance(1);
        int k = clean.layer.channels();
        int hw = clean.layer.height() * clean.layer.width();
        int strongest = 0;
        double best = Double.NEGATIVE_INFINITY;
        for (int ch = 0; ch < k; ch++) {
            double s = 0;
            for (int p = 0; p < hw; p++) {
                s += clean.layer.values()[ch * hw + p];
            }
            if (s > best) {
                best = s;
                strongest = ch;
            }
        }
        double base = ExplainContext.pick(clean.logits, new int[] {target}, ctx.score())[0];
        int positions = rows * cols;
        float[] feature = new float[positions];
        float[] prob = new float[positions];
        int[] top = new int[positions];
        float[] drop = new float[positions];
        int chunk = ctx.batch();
        for (int p0 = 0; p0 < positions; p0 += chunk) {
            int m = Math.min(chunk, positions - p0);
            float[] batch = new float[m * size];
            for (int j = 0; j < m; j++) {
                System.arraycopy(xi, 0, batch, j * size, size);
                int y0 = ((p0 + j) / cols) * stride;
                int x0 = ((p0 + j) % cols) * stride;
                for (int ch = 0; ch < c; ch++) {
                    for (int y = y0; y < y0 + window; y++) {
                        int o = j * size + ch * h * w + y * w;
                        java.util.Arrays.fill(batch, o + x0, o + x0 + window, grey[ch * h * w]);
                    }
                }
            }
            Occlusion.Result r = forward(batch, m, c, h, w);
            float[][] probs = ExplainContext.softmax(r.logits);
            double[] s = ExplainContext.pick(r.logits, new int[] {target}, ctx.score());
            for (int j = 0; j < m; j++) {
                double f = 0;
                for (int p = 0; p < hw; p++) {
                    f += r.layer.values()[(j * k + strongest) * hw + p];
                }
                feature[p0 + j] = (float) f;
                prob[p0 + j] = probs[j][target];
                top[p0 + j] = MapOps.argmax(probs[j]);
                drop[p0 + j] = (float) (base - s[j]);
            }
            progress.advance(1 + p0 + m);
        }
        float[] attr = new float[h * w];
        int[] count = new int[h * w];
        for (int pos = 0; pos < positions; pos++) {
            int y0 = (pos / cols) * stride;
            int x0 = (pos % cols) * stride;
            for (int y = y0; y < y0 + window; y++) {
                for (int xx = x0; xx < x0 + window; xx++) {
                    attr[y * w + xx] += drop[pos];
                    count[y * w + xx]++;
                }
            }
        }
        for (int p = 0; p < attr.length; p++) {
            attr[p] = count[p] > 0 ? attr[p] / count[p] : 0f;
        }
        return new Grids(rows, cols, window, stride, layer, strongest, feature, prob, top, attr);
    }

    private record Result(ExplainContext.LayerValues layer, float[][] logits) { }

    private Result forward(float[] data, int n, int c, int h, int w) {
        var v = ctx.values(data, n, c, h, w, List.of(layer, ctx.scoreLayer()));
        ExplainContext.LayerValues s = v.get(ctx.scoreLayer());
        return new Result(v.get(layer), ExplainContext.rows(s.values(), n));
    }

    @Override
    public Maps compute(ImageTensor x, int[] targets, Progress progress) {
        List<float[]> maps = new ArrayList<>();
        long per = work(1);
        for (int i = 0; i < x.n(); i++) {
            maps.add(grids(x, i, targets[i], Steps.after(progress, i * per)).attribution());
        }
        return new Maps(maps, x.h(), x.w(), true);
    }
}
