package io.convscope.atlas;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.convscope.engine.Engine;
import io.convscope.explain.Backprop;
import io.convscope.network.Network;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The projection of one activation into the input, shown inside the unit's receptive field: by default
 * Zeiler &amp; Fergus's deconvnet projection (the single activation, unit c at (y, x) of one image, all
 * others zeroed, walked down by explain's {@link Backprop} under {@link Backprop.Rule#DECONVNET}:
 * max-unpooling by the forward switches, ReLU on the backward signal, transposed filters), or the plain
 * gradient of that value with respect to the pixels.
 *
 * <p>Many activations go through one backward walk: each sample of the walk's batch carries its own
 * seed, and samples do not interact, so each projection is its own whatever shares its walk (tested
 * bit for bit against one walk per activation).
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
     * each, in the requests' order, by backward walks of {@code walk} (built on {@code net}) over the part
     * of the network below {@code layer}, {@link #perWalk} activations per walk. Requests that share an
     * input array (the same image: pass the same {@code float[]}) send it to the engine once; the walk's
     * batch repeats it natively, one sample per request.
     *
     * <p>Every walk has the same number of samples (the last one is filled up with samples whose seed is
     * zero), because the engine's kernels round differently at different batch sizes: so a request's
     * projection is the same bits whichever other requests share its walk, or none.
     */
    public static float[][] deconvnet(Backprop walk, Network net, String layer, List<Request> requests, int c, int h, int w) {
        return deconvnet(walk, net, layer, requests, c, h, w, perWalk(net, layer));
    }

    /** {@link #deconvnet} in walks of {@code size} samples. */
    static float[][] deconvnet(Backprop walk, Network net, String layer, List<Request> requests, int c, int h, int w, int size) {
        float[][] res = new float[requests.size()][];
        for (int s = 0; s < requests.size(); s += size) {
            List<Request> part = requests.subList(s, Math.min(requests.size(), s + size));
            float[] all = oneWalk(walk, net, layer, part, size, c, h, w);
            int sample = c * h * w;
            for (int i = 0; i < part.size(); i++) {
                res[s + i] = java.util.Arrays.copyOfRange(all, i * sample, (i + 1) * sample);
            }
        }
        return res;
    }

    /** One walk of {@code size} samples: the requests', then samples with a zero seed. Their projections, flat. */
    private static float[] oneWalk(Backprop walk, Network net, String layer, List<Request> requests, int size, int c, int h, int w) {
        int n = requests.size();
        int sample = c * h * w;
        java.util.IdentityHashMap<float[], Integer> distinct = new java.util.IdentityHashMap<>();
        List<float[]> images = new ArrayList<>();
        long[] imageOf = new long[size]; // the samples past the requests repeat image 0
        for (int i = 0; i < n; i++) {
            float[] in = requests.get(i).input();
            Integer k = distinct.get(in);
            if (k == null) {
                k = images.size();
                distinct.put(in, k);
                images.add(in);
            }
            imageOf[i] = k;
        }
        float[] x = new float[images.size() * sample];
        for (int k = 0; k < images.size(); k++) {
            System.arraycopy(images.get(k), 0, x, k * sample, sample);
        }
        var out = net.node(layer).outputShape();
        int oc = out.channels();
        int oh = out.height();
        int ow = out.width();
        long[] at = new long[n]; // each request's one 1, as a flat index into the layer's output
        for (int i = 0; i < n; i++) {
            Request r = requests.get(i);
            at[i] = ((long) r.channel() * oh + r.y()) * ow + r.x();
        }
        try (NDManager scope = NDManager.newBaseManager(walk.device())) {
            NDArray unique = scope.create(x, new Shape(images.size(), c, h, w));
            NDArray batch = unique.get(new NDIndex("{}", scope.create(imageOf)));
            NDArray seed = scope.create(at).oneHot(oc * oh * ow);
            if (size > n) {
                seed = seed.concat(scope.zeros(new Shape(size - n, (long) oc * oh * ow), seed.getDataType()), 0);
            }
            NDArray g = walk.project(layer, batch, seed.reshape(size, oc, oh, ow), Backprop.Rule.DECONVNET);
            return g.get(new NDIndex("0:{}", n)).toType(DataType.FLOAT32, false).toFloatArray();
        }
    }

    /** Native memory one projection walk may use: it sets how many activations go through one walk. */
    public static final long WALK_BYTES = 384L << 20;

    /** The most activations {@link #perWalk} puts in one walk. */
    public static final int MAX_PER_WALK = 256;

    /**
     * How many activations of {@code layer} one walk projects: as many as fit {@link #WALK_BYTES} (each
     * one holds, for every layer below, about a value, its record and its backward signal), at least 1
     * and at most {@link #MAX_PER_WALK}.
     */
    public static int perWalk(Network net, String layer) {
        long floats = 0;
        for (String name : net.ancestors(List.of(layer))) {
            floats += Math.max(1, net.node(name).outputShape().size());
        }
        long each = 4L * 4 * floats;
        return (int) Math.max(1, Math.min(MAX_PER_WALK, WALK_BYTES / Math.max(1, each)));
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
        float[] g = deconvnet(walk, net, layer, List.of(new Request(input, channel, at.y(), at.x())), c, h, w, 1)[0]; // one walk of one
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
