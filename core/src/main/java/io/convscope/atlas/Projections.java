package io.convscope.atlas;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.convscope.engine.Engine;
import io.convscope.network.Network;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Map;

/**
 * The projection of one activation into the input: the gradient of that single value (unit c at
 * (y, x) of one image) with respect to the image's pixels, shown inside the unit's receptive field. It
 * stands in for Zeiler & Fergus's deconvnet projection until the explain command's deconvnet is in the
 * engine; like it, it shows which pixels of the patch drive the unit and with which sign.
 *
 * <p>Many activations go through one backward pass: the objective is the sum of each image's own
 * selected activation, and images of a batch do not interact, so each image's gradient is its own.
 */
public final class Projections {
    private Projections() {
    }

    /** One activation to project: image input (C × H × W), unit, position. */
    public record Request(float[] input, int channel, int y, int x) { }

    /**
     * The input gradients of the requested activations of {@code layer}, one C × H × W array each, in
     * the requests' order (one backward pass).
     */
    public static float[][] gradients(Engine engine, String layer, List<Request> requests, int c, int h, int w) {
        int n = requests.size();
        int sample = c * h * w;
        float[] x = new float[n * sample];
        for (int i = 0; i < n; i++) {
            System.arraycopy(requests.get(i).input(), 0, x, i * sample, sample);
        }
        Network net = engine.network();
        var out = net.node(layer).outputShape();
        int oc = out.channels();
        int oh = out.height();
        int ow = out.width();
        float[] mask = new float[n * oc * oh * ow];
        for (int i = 0; i < n; i++) {
            Request r = requests.get(i);
            mask[((i * oc + r.channel()) * oh + r.y()) * ow + r.x()] = 1f;
        }
        try (NDManager scope = engine.manager().newSubManager()) {
            NDArray in = engine.input(scope, x, n, c, h, w);
            Engine.Gradient g = engine.inputGradient(in, List.of(layer), (Map<String, NDArray> taps) -> {
                NDArray a = taps.get(layer);
                NDArray m = a.getManager().create(mask, new Shape(n, oc, oh, ow)).toDevice(a.getDevice(), false);
                return a.mul(m).sum();
            });
            float[] all = g.gradient().toFloatArray();
            float[][] res = new float[n][sample];
            for (int i = 0; i < n; i++) {
                System.arraycopy(all, i * sample, res[i], 0, sample);
            }
            return res;
        }
    }

    /**
     * A gradient as a picture of the box: mid-gray is 0, brighter is positive, darker negative, scaled
     * by the largest magnitude inside the box (per channel colour for three channels).
     */
    public static BufferedImage picture(float[] grad, int c, int h, int w, ReceptiveField.Box box) {
        int bw = Math.max(1, box.width());
        int bh = Math.max(1, box.height());
        BufferedImage img = new BufferedImage(bw, bh, BufferedImage.TYPE_INT_RGB);
        if (box.width() <= 0 || box.height() <= 0) {
            return img;
        }
        double max = 1e-20;
        for (int ch = 0; ch < c; ch++) {
            for (int y = box.top(); y <= box.bottom(); y++) {
                for (int x = box.left(); x <= box.right(); x++) {
                    max = Math.max(max, Math.abs(grad[(ch * h + y) * w + x]));
                }
            }
        }
        for (int y = 0; y < bh; y++) {
            for (int x = 0; x < bw; x++) {
                int rgb = 0;
                for (int k = 0; k < 3; k++) {
                    int ch = c == 1 ? 0 : k;
                    double v = grad[(ch * h + box.top() + y) * w + box.left() + x] / max;
                    int b = (int) Math.round(127.5 + 127.5 * Math.max(-1, Math.min(1, v)));
                    rgb = (rgb << 8) | b;
                }
                img.setRGB(x, y, rgb);
            }
        }
        return img;
    }
}
