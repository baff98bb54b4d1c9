package io.convscope.explain;

import io.convscope.ConvscopeException;
import io.convscope.Setting;
import io.convscope.image.ImageTensor;
import io.convscope.util.Progress;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * RISE (Petsiuk et al. 2018): {@code masks} random masks, each a {@code cells} × {@code cells} grid of
 * cells kept with probability {@code keep}, enlarged bilinearly to (cells + 1) × the cell size and
 * shifted by a random offset within one cell; the map is ∑ᵢ S(x ⊙ Mᵢ) Mᵢ / (N · keep), where x ⊙ M
 * blends towards black. Masks come from a seeded generator: the same seed gives the same map bit for bit.
 */
public final class Rise implements Attribution.Stepped {
    private final ExplainContext ctx;
    private final int masks;
    private final int cells;
    private final double keep;
    private final long seed;

    public Rise(ExplainContext ctx, int masks, int cells, double keep, long seed) {
        if (masks < 1) {
            throw new ConvscopeException(Setting.MASKS + " must be at least 1");
        }
        if (cells < 2) {
            throw new ConvscopeException("RISE needs at least 2 cells a side");
        }
        if (!(keep > 0 && keep < 1)) {
            throw new ConvscopeException("RISE's probability of keeping a cell must be between 0 and 1");
        }
        this.ctx = ctx;
        this.masks = masks;
        this.cells = cells;
        this.keep = keep;
        this.seed = seed;
    }

    @Override
    public String name() {
        return "rise";
    }

    /** Mask j of the seeded sequence for an image of h × w. */
    float[] mask(SplittableRandom r, int h, int w) {
        float[] grid = new float[cells * cells];
        for (int i = 0; i < grid.length; i++) {
            grid[i] = r.nextDouble() < keep ? 1f : 0f;
        }
        int ch = (h + cells - 1) / cells;
        int cw = (w + cells - 1) / cells;
        int bigH = (cells + 1) * ch;
        int bigW = (cells + 1) * cw;
        float[] big = MapOps.resize(grid, cells, cells, bigH, bigW);
        int dy = r.nextInt(ch);
        int dx = r.nextInt(cw);
        float[] m = new float[h * w];
        for (int y = 0; y < h; y++) {
            System.arraycopy(big, (y + dy) * bigW + dx, m, y * w, w);
        }
        return m;
    }

    public int masks() {
        return masks;
    }

    @Override
    public long work(int images) {
        return (long) images * masks;
    }

    @Override
    public Maps compute(ImageTensor x, int[] targets, Progress progress) {
        long done = 0;
        int c = x.c();
        int h = x.h();
        int w = x.w();
        int size = c * h * w;
        float[] black = ctx.constantLike(1, c, h, w, 0f);
        List<float[]> maps = new ArrayList<>();
        for (int i = 0; i < x.n(); i++) {
            float[] xi = x.sample(i);
            SplittableRandom r = new SplittableRandom(seed);
            double[] sum = new double[h * w];
            int chunk = ctx.batch();
            for (int m0 = 0; m0 < masks; m0 += chunk) {
                int m = Math.min(chunk, masks - m0);
                float[][] ms = new float[m][];
                float[] batch = new float[m * size];
                for (int j = 0; j < m; j++) {
                    ms[j] = mask(r, h, w);
                    for (int ch = 0; ch < c; ch++) {
                        for (int p = 0; p < h * w; p++) {
                            int q = ch * h * w + p;
                            batch[j * size + q] = black[q] + ms[j][p] * (xi[q] - black[q]);
                        }
                    }
                }
                double[] s = ctx.targetScores(batch, m, c, h, w, new int[] {targets[i]});
                for (int j = 0; j < m; j++) {
                    for (int p = 0; p < h * w; p++) {
                        sum[p] += s[j] * ms[j][p];
                    }
                }
                done += m;
                progress.advance(done);
            }
            float[] map = new float[h * w];
            for (int p = 0; p < map.length; p++) {
                map[p] = (float) (sum[p] / (masks * keep));
            }
            maps.add(map);
        }
        return new Maps(maps, h, w, false);
    }
}
