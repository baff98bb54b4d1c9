package io.convscope.explain;

import io.convscope.image.ImageTensor;

import java.util.ArrayList;
import java.util.List;

/** Simonyan et al. 2013: the largest |∂S_c/∂x| over the colour channels of each pixel. */
public final class Saliency implements Attribution {
    private final ExplainContext ctx;

    public Saliency(ExplainContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public String name() {
        return "saliency";
    }

    @Override
    public Maps attribute(ImageTensor x, int[] targets) {
        float[] g = ctx.inputGradient(x.data(), x.n(), x.c(), x.h(), x.w(), targets).gradient();
        List<float[]> maps = new ArrayList<>();
        for (int i = 0; i < x.n(); i++) {
            maps.add(MapOps.maxAbs(g, i, x.c(), x.h(), x.w()));
        }
        return new Maps(maps, x.h(), x.w(), false);
    }
}
