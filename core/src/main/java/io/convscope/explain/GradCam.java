package io.convscope.explain;

/** Grad-CAM: W_k = the mean over positions of ∂S_c/∂A_k. */
public final class GradCam extends Cam {
    public GradCam(ExplainContext ctx, String layer) {
        super(ctx, layer);
    }

    @Override
    public String name() {
        return "gradcam";
    }

    @Override
    float[] weights(float[] a, float[] g, int k, int hw) {
        float[] w = new float[k * hw];
        for (int ch = 0; ch < k; ch++) {
            double s = 0;
            for (int p = 0; p < hw; p++) {
                s += g[ch * hw + p];
            }
            java.util.Arrays.fill(w, ch * hw, (ch + 1) * hw, (float) (s / hw));
        }
        return w;
    }
}
