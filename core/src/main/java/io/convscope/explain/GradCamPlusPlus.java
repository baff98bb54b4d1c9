package io.convscope.explain;

/**
 * Grad-CAM++ with the closed form for an exponential of the score: α_k^{ij} = g² / (2g² + ∑_ab A_k^{ab} g³)
 * (0 where the denominator is 0), W_k = ∑_ij α_k^{ij} relu(g_k^{ij}), the same weight at every position.
 */
public final class GradCamPlusPlus extends Cam {
    public GradCamPlusPlus(ExplainContext ctx, String layer) {
        super(ctx, layer);
    }

    @Override
    public String name() {
        return "gradcam++";
    }

    @Override
    float[] weights(float[] a, float[] g, int k, int hw) {
        float[] w = new float[k * hw];
        for (int ch = 0; ch < k; ch++) {
            double sumA = 0;
            for (int p = 0; p < hw; p++) {
                sumA += a[ch * hw + p];
            }
            double wk = 0;
            for (int p = 0; p < hw; p++) {
                double gv = g[ch * hw + p];
                double g2 = gv * gv;
                double denom = 2 * g2 + sumA * g2 * gv;
                double alpha = denom != 0 ? g2 / denom : 0;
                wk += alpha * Math.max(gv, 0);
            }
            java.util.Arrays.fill(w, ch * hw, (ch + 1) * hw, (float) wk);
        }
        return w;
    }
}
