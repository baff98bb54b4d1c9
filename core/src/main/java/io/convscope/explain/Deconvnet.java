package io.convscope.explain;

import io.convscope.image.ImageTensor;

/**
 * The deconvnet of Zeiler &amp; Fergus 2014 projected from a class score: max-unpooling by the forward
 * pass's switches, the ReLU applied to the backward signal, transposed filters ({@link Backprop.Rule#DECONVNET}).
 */
public final class Deconvnet implements Attribution {
    private final GuidedBackprop walk;

    public Deconvnet(ExplainContext ctx) {
        this.walk = new GuidedBackprop(ctx, Backprop.Rule.DECONVNET);
    }

    @Override
    public String name() {
        return "deconvnet";
    }

    @Override
    public Maps attribute(ImageTensor images, int[] targets) {
        return walk.attribute(images, targets);
    }
}
