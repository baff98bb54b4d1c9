package io.convscope.explain;

import io.convscope.image.ImageTensor;

import java.util.ArrayList;
import java.util.List;

/**
 * The gradient-weighted class activation maps at a layer with activations A (K maps of h × w) and
 * gradients G = ∂S_c/∂A: Grad-CAM (Selvaraju et al. 2017), Grad-CAM++ (Chattopadhay et al. 2018) and
 * LayerCAM (Jiang et al. 2021). Each gives a map relu(∑_k W_k ⊙ A_k) at the layer's resolution,
 * resized bilinearly (half-pixel centres) to the input.
 */
public abstract sealed class Cam implements Attribution permits GradCam, GradCamPlusPlus, LayerCam {
    final ExplainContext ctx;
    final String layer;

    Cam(ExplainContext ctx, String layer) {
        this.ctx = ctx;
        this.layer = CamLayers.choose(ctx.scoreNetwork(), ctx.scoreLayer(), layer);
    }

    /** The layer the maps are computed at. */
    public String layer() {
        return layer;
    }

    /** Per-position weights W (K × h × w) of one sample from its activations and gradients. */
    abstract float[] weights(float[] a, float[] g, int k, int hw);

    /** The map at the layer's resolution for one sample: relu(∑_k W_k ⊙ A_k). */
    float[] layerMap(float[] a, float[] g, int k, int hw) {
        float[] wts = weights(a, g, k, hw);
        float[] map = new float[hw];
        for (int ch = 0; ch < k; ch++) {
            for (int p = 0; p < hw; p++) {
                map[p] += wts[ch * hw + p] * a[ch * hw + p];
            }
        }
        return MapOps.relu(map);
    }

    @Override
    public Maps attribute(ImageTensor x, int[] targets) {
        ExplainContext.LayerGradient lg = ctx.layerGradient(x.data(), x.n(), x.c(), x.h(), x.w(), layer, targets);
        int k = lg.channels();
        int hw = lg.height() * lg.width();
        List<float[]> maps = new ArrayList<>();
        for (int i = 0; i < x.n(); i++) {
            float[] a = MapOps.sample(lg.activations(), i, k * hw);
            float[] g = MapOps.sample(lg.gradient(), i, k * hw);
            maps.add(MapOps.resize(layerMap(a, g, k, hw), lg.height(), lg.width(), x.h(), x.w()));
        }
        return new Maps(maps, x.h(), x.w(), false);
    }
}
