package io.convscope.explain;

import io.convscope.image.ImageTensor;

import java.util.ArrayList;
import java.util.List;

/** Guided Grad-CAM (Selvaraju et al. 2017): the guided-backpropagation map times the Grad-CAM map, pixel by pixel. */
public final class GuidedGradCam implements Attribution {
    private final GuidedBackprop guided;
    private final GradCam cam;

    public GuidedGradCam(ExplainContext ctx, String layer) {
        this.guided = new GuidedBackprop(ctx);
        this.cam = new GradCam(ctx, layer);
    }

    @Override
    public String name() {
        return "guided-gradcam";
    }

    public String layer() {
        return cam.layer();
    }

    @Override
    public Maps attribute(ImageTensor x, int[] targets) {
        Maps g = guided.attribute(x, targets);
        Maps c = cam.attribute(x, targets);
        List<float[]> maps = new ArrayList<>();
        for (int i = 0; i < x.n(); i++) {
            float[] a = g.map(i);
            float[] b = c.map(i);
            float[] m = new float[a.length];
            for (int p = 0; p < m.length; p++) {
                m[p] = a[p] * b[p];
            }
            maps.add(m);
        }
        return new Maps(maps, x.h(), x.w(), false);
    }
}
