package io.convscope.atlas;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.convscope.engine.Engine;
import io.convscope.explain.Backprop;
import io.convscope.network.Network;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Map;

/**
 * The projection of one activation into the input, shown inside the unit's receptive field: by default
 * Zeiler &amp; Fergus's deconvnet projection (the single activation, unit c at (y, x) of one image, all
 * others zeroed, walked down by explain's {@link Backprop} under {@link Backprop.Rule#DECONVNET}:
 * max-unpooling by the forward switches, ReLU on the backward signal, transposed filters), or the plain
 * gradient of that value with respect to the pixels.
 *
 * <p>Many activations go through one backward pass: each image of a batch carries its own seed, and
 * images of a batch do not interact, so each image's projection is its own.
 */
public final class Projections {
    private Projections() {
    }

    /** How a top activation is projected into the input. */
    public enum Kind {
        /** The deconvnet of Zeiler &amp; Fergus 2014. */
        DECONVNET,
        /** The input gradient of the activation. */
        GRADIENT;

        /** The parser of the names (deconvnet, gradient). */
        public static final io.convscope.util.Choices<Kind> CHOICES = io.convscope.util.Choices.of(Kind.class);
    }

    /** One activation to project: image input (C × H × W), unit, position. */
    public record Request(float[] input, int channel, int y, int x) { }

    /**
     * The deconvnet projections of the requested activations of {@code layer}, one C × H × W array
     * each, in the requests' order (one backward walk of {@code walk}, built on the engine's network).
     */
    public static float[][] deconvnet(Backprop walk, Network net, String layer, List<Request> requests, int c, int h, int w) {
        int n = requests.size();
        int sample = c * h * w;
        float[] x = new float[n * sample];
        for (int i = 0; i < n; i++) {
            System.arraycopy(requests.get(i).input(), 0, x, i * sample, sample);
        }
        float[] seed = seeds(net, layer, requests);
        float[] all = walk.project(layer, x, n, c, h, w, seed, Backprop.Rule.DECONVNET);
        float[][] res = new float[n][sample];
        for (int i = 0; i < n; i++) {
            System.arraycopy(all, i * sample, res[i], 0, sample);
        }
        return res;
    }

    /** Where a unit's map is largest in one image, and the value there. */
    public record Position(int y, int x, float value) { }

    /** A unit's strongest activation in one image, and its deconvnet projection (C × H × W, the input's shape). */
    public record Strongest(Position at, float[] projection) { }

    /**
     * The position of the largest value of channel {@code channel} of a layer's output (channels ×
     * {@code height} × {@code width} values), the first in row-major order among equal maxima.
     */
    public static Position strongestPosition(float[] values, int channel, int height, int width) {
        int plane = height * width;
        if (plane <= 0 || channel < 0 || (long) (channel + 1) * plane > values.length) {
            throw new IllegalArgumentException("no unit " + channel + " of " + height + " × " + width + " in " + values.length + " values");
        }
        int best = 0;
        for (int i = 1; i < plane; i++) {
            if (values[channel * plane + i] > values[channel * plane + best]) {
                best = i;
            }
        }
        return new Position(best / width, best % width, values[channel * plane + best]);
    }

    /**
     * Zeiler &amp; Fergus's view of one unit for one image: the deconvnet projection of unit
     * {@code channel} of {@code layer} at its {@link #strongestPosition strongest position} in that
     * image, through {@code walk} (built on {@code net}, which computed {@code values}).
     *
     * @param values the layer's output for the image, channels × height × width (as an activations pass keeps it)
     * @param input  the image's input, c × h × w
     */
    public static Strongest strongest(Backprop walk, Network net, String layer, int channel, float[] values, float[] input,
                                      int c, int h, int w) {
        var out = net.node(layer).outputShape();
        int oh = out.rank() >= 3 ? out.height() : 1;
        int ow = out.rank() >= 3 ? out.width() : 1;
        if (oh <= 0 || ow <= 0 || values.length != (long) out.channels() * oh * ow) {
            throw new IllegalArgumentException("layer '" + layer + "' is " + out + " per sample, not " + values.length + " values");
        }
        Position at = strongestPosition(values, channel, oh, ow);
        float[] g = deconvnet(walk, net, layer, List.of(new Request(input, channel, at.y(), at.x())), c, h, w)[0];
        return new Strongest(at, g);
    }

    /** One 1 per sample, at the request's unit and position of {@code layer}'s output; zero elsewhere. */
    private static float[] seeds(Network net, String layer, List<Request> requests) {
        var out = net.node(layer).outputShape();
        int oc = out.channels();
        int oh = out.height();
        int ow = out.width();
        float[] mask = new float[requests.size() * oc * oh * ow];
        for (int i = 0; i < requests.size(); i++) {
            Request r = requests.get(i);
            mask[((i * oc + r.channel()) * oh + r.y()) * ow + r.x()] = 1f;
        }
        return mask;
    }

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
        float[] mask = seeds(net, layer, requests);
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

    /** A projection as a picture of the whole input, drawn as {@link #picture(float[], int, int, int, ReceptiveField.Box)} draws a box. */
    public static BufferedImage picture(float[] grad, int c, int h, int w) {
        return picture(grad, c, h, w, new ReceptiveField.Box(0, 0, h - 1, w - 1, true));
    }

    /**
     * A projection as a picture of the box: mid-gray is 0, brighter is positive, darker negative, scaled
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
