package io.convscope.explain;

import io.convscope.image.ImageTensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Guided backpropagation (Springenberg et al. 2015) and the deconvnet (Zeiler &amp; Fergus 2014):
 * backpropagation with a modified rule at every ReLU ({@link Backprop.Rule}); the map is the largest
 * |signal| over the colour channels.
 */
public final class GuidedBackprop implements Attribution {
    private final ExplainContext ctx;
    private final Backprop.Rule rule;

    /** Guided backpropagation. */
    public GuidedBackprop(ExplainContext ctx) {
        this(ctx, Backprop.Rule.GUIDED);
    }

    /** Backpropagation under {@code rule} (DECONVNET for the deconvnet). */
    public GuidedBackprop(ExplainContext ctx, Backprop.Rule rule) {
        this.ctx = ctx;
        this.rule = rule;
    }

    @Override
    public String name() {
        return switch (rule) {
            case GUIDED -> "guided-backprop";
            case DECONVNET -> "deconvnet";
            case GRADIENT -> "gradient";
        };
    }

    /** The signal at the input (N, C, H, W) before the reduction over channels. */
    public float[] signal(ImageTensor x, int[] targets) {
        return ctx.backprop().inputGradient(x.data(), x.n(), x.c(), x.h(), x.w(), targets, rule);
    }

    @Override
    public Maps attribute(ImageTensor x, int[] targets) {
        float[] g = signal(x, targets);
        List<float[]> maps = new ArrayList<>();
        for (int i = 0; i < x.n(); i++) {
            maps.add(MapOps.maxAbs(g, i, x.c(), x.h(), x.w()));
        }
        return new Maps(maps, x.h(), x.w(), false);
    }
}
