package io.convscope.explain;

/** LayerCAM: W_k^{ij} = relu(∂S_c/∂A_k^{ij}), a weight per position. */
public final class LayerCam extends Cam {
    public LayerCam(ExplainContext ctx, String layer) {
        super(ctx, layer);
    }

    @Override
    public String name() {
        return "layercam";
    }

    @Override
    float[] weights(float[] a, float[] g, int k, int hw) {
        float[] w = new float[k * hw];
        for (int i = 0; i < w.length; i++) {
            w[i] = Math.max(0f, g[i]);
        }
        return w;
    }
}
