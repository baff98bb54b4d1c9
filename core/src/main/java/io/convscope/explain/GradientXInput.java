package io.convscope.explain;

import io.convscope.image.ImageTensor;

import java.util.ArrayList;
import java.util.List;

/** Gradient × input (Shrikumar et al. 2016): ∑ over channels of x · ∂S_c/∂x, signed. */
public final class GradientXInput implements Attribution {
    private final ExplainContext ctx;

    public GradientXInput(ExplainContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public String name() {
        return "gradient-x-input";
    }

    @Override
    public Maps attribute(ImageTensor x, int[] targets) {
        float[] g = ctx.inputGradient(x.data(), x.n(), x.c(), x.h(), x.w(), targets).gradient();
        float[] d = x.data();
        for (int i = 0; i < g.length; i++) {
            g[i] *= d[i];
        }
        List<float[]> maps = new ArrayList<>();
        for (int i = 0; i < x.n(); i++) {
            maps.add(MapOps.sumChannels(g, i, x.c(), x.h(), x.w()));
        }
        return new Maps(maps, x.h(), x.w(), true);
    }
}
