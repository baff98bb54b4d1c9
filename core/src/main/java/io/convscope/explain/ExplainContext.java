package io.convscope.explain;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.convscope.ConvscopeException;
import io.convscope.Setting;
import io.convscope.engine.Engine;
import io.convscope.image.ImageTensor;
import io.convscope.network.Network;
import io.convscope.network.Preprocessing;
import io.convscope.optimize.Logits;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model being explained: its class-score layer ({@link Logits}), the score kind, an engine, and the
 * derivatives the methods need — of a target's score with respect to the input or to any layer.
 * Passes over more than {@link #batch()} samples are split into batches. Not thread-safe.
 */
public final class ExplainContext implements AutoCloseable {
    private final Network network;
    private final Network scores;
    private final String scoreLayer;
    private final Score score;
    private final Device device;
    private final int batch;
    private final Engine engine;
    /** Whether {@link #close} closes {@link #engine} (false when it is the caller's). */
    private final boolean ownsEngine;
    private Backprop backprop;

    private ExplainContext(Network network, Score score, Device device, int batch, Engine weights) {
        if (batch < 1) {
            throw new ConvscopeException(Setting.BATCH + " must be at least 1");
        }
        this.network = network;
        Logits.Scores s = Logits.of(network);
        this.scores = s.network();
        this.scoreLayer = s.layer();
        this.score = score;
        this.device = device;
        this.batch = batch;
        if (weights == null) {
            this.engine = Engine.create(scores, device);
        } else {
            this.engine = scores == weights.network() ? weights : Engine.sharing(scores, weights);
        }
        this.ownsEngine = engine != weights;
    }

    /** A context for {@code network} (a classifier) on {@code device}, {@code batch} samples per pass. */
    public static ExplainContext of(Network network, Score score, Device device, int batch) {
        return new ExplainContext(network, score, device, batch, null);
    }

    /**
     * A context on the caller's engine (of a classifier), whose weights it uses without copying them:
     * its passes run on {@code engine} itself, or, when the class scores need a copy of the network with
     * a linear output layer, on an engine sharing {@code engine}'s parameter arrays
     * ({@link Engine#sharing}); so do the per-layer engines of {@link #backprop()}. Close the context
     * before the engine; the context does not close it. Not thread-safe: the caller keeps other users
     * of {@code engine} from running while the context does.
     */
    public static ExplainContext of(Engine engine, Score score, int batch) {
        return new ExplainContext(engine.network(), score, engine.device(), batch, engine);
    }

    /** A context on the CPU. */
    public static ExplainContext of(Network network, Score score, int batch) {
        return of(network, score, Device.cpu(), batch);
    }

    public Network network() {
        return network;
    }

    /** The network whose {@link #scoreLayer()} gives pre-softmax class scores. */
    public Network scoreNetwork() {
        return scores;
    }

    public String scoreLayer() {
        return scoreLayer;
    }

    public Score score() {
        return score;
    }

    public int batch() {
        return batch;
    }

    public Device device() {
        return device;
    }

    public Engine engine() {
        return engine;
    }

    /** Number of classes. */
    public int classes() {
        return (int) scores.node(scoreLayer).outputShape().size();
    }

    /** The input value of channel c for a pixel value v in 0–255 (black: 0, grey: 128). */
    public float fill(int c, float v) {
        Preprocessing p = network.preprocessing();
        return p.apply(c, v);
    }

    /** A tensor like {@code x} holding one pixel value everywhere (its preprocessed value per channel). */
    public float[] constantLike(int n, int c, int h, int w, float pixel) {
        float[] out = new float[n * c * h * w];
        int plane = h * w;
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                java.util.Arrays.fill(out, (i * c + ch) * plane, (i * c + ch + 1) * plane, fill(ch, pixel));
            }
        }
        return out;
    }

    // ---- scores --------------------------------------------------------------------------------

    /** Pre-softmax class scores of n samples (NCHW floats), batched. */
    public float[][] logits(float[] nchw, int n, int c, int h, int w) {
        float[][] out = new float[n][];
        int sample = c * h * w;
        for (int start = 0; start < n; start += batch) {
            int m = Math.min(batch, n - start);
            try (NDManager step = engine.manager().newSubManager()) {
                NDArray x = engine.input(step, nchw, start, m, c, h, w);
                NDArray y = engine.forward(x, List.of(scoreLayer)).get(scoreLayer);
                float[] flat = y.toType(DataType.FLOAT32, false).toFloatArray();
                int k = flat.length / m;
                for (int i = 0; i < m; i++) {
                    out[start + i] = java.util.Arrays.copyOfRange(flat, i * k, (i + 1) * k);
                }
            }
        }
        return out;
    }

    public float[][] logits(ImageTensor t) {
        return logits(t.data(), t.n(), t.c(), t.h(), t.w());
    }

    /** Softmax of each row. */
    public static float[][] softmax(float[][] logits) {
        float[][] out = new float[logits.length][];
        for (int i = 0; i < logits.length; i++) {
            float[] l = logits[i];
            double max = Double.NEGATIVE_INFINITY;
            for (float v : l) {
                max = Math.max(max, v);
            }
            double sum = 0;
            double[] e = new double[l.length];
            for (int k = 0; k < l.length; k++) {
                e[k] = Math.exp(l[k] - max);
                sum += e[k];
            }
            out[i] = new float[l.length];
            for (int k = 0; k < l.length; k++) {
                out[i][k] = (float) (e[k] / sum);
            }
        }
        return out;
    }

    /** Class probabilities of n samples. */
    public float[][] probabilities(float[] nchw, int n, int c, int h, int w) {
        return softmax(logits(nchw, n, c, h, w));
    }

    /** The chosen score of class {@code targets[i]} for each sample i (targets may be shorter: repeated cyclically). */
    public double[] targetScores(float[] nchw, int n, int c, int h, int w, int[] targets) {
        return pick(logits(nchw, n, c, h, w), targets, score);
    }

    /** Row i's score of class targets[i % targets.length], as a logit or probability. */
    public static double[] pick(float[][] logits, int[] targets, Score kind) {
        float[][] s = kind == Score.PROB ? softmax(logits) : logits;
        double[] out = new double[s.length];
        for (int i = 0; i < s.length; i++) {
            out[i] = s[i][targets[i % targets.length]];
        }
        return out;
    }

    /** The scalar ∑ᵢ score(targets[i]) of a (N, K…) array of logits, as an array for autograd. */
    NDArray objective(NDArray logits, int[] targets) {
        long n = logits.getShape().get(0);
        NDArray flat = logits.reshape(n, -1);
        int k = (int) flat.getShape().get(1);
        NDArray s = score == Score.PROB ? flat.softmax(1) : flat;
        float[] onehot = new float[(int) n * k];
        for (int i = 0; i < n; i++) {
            onehot[i * k + targets[i % targets.length]] = 1f;
        }
        NDArray mask = flat.getManager().create(onehot, new Shape(n, k)).toDevice(flat.getDevice(), false);
        return s.mul(mask).sum();
    }

    /** d score / d logits for a (N, K) array of logits (host floats): one-hot, or p_t (e_t − p) for probabilities. */
    float[] scoreGradient(float[][] logits, int[] targets) {
        int n = logits.length;
        int k = logits[0].length;
        float[] g = new float[n * k];
        float[][] p = score == Score.PROB ? softmax(logits) : null;
        for (int i = 0; i < n; i++) {
            int t = targets[i % targets.length];
            if (p == null) {
                g[i * k + t] = 1f;
            } else {
                for (int j = 0; j < k; j++) {
                    g[i * k + j] = p[i][t] * ((j == t ? 1f : 0f) - p[i][j]);
                }
            }
        }
        return g;
    }

    // ---- gradients -----------------------------------------------------------------------------

    /** Gradient of the target scores with respect to the input (host NCHW floats) and the scores. */
    public record InputGradient(float[] gradient, double[] scores) { }

    /** d score(targets[i]) / d x_i for n samples, batched. */
    public InputGradient inputGradient(float[] nchw, int n, int c, int h, int w, int[] targets) {
        float[] grad = new float[nchw.length];
        double[] values = new double[n];
        int sample = c * h * w;
        for (int start = 0; start < n; start += batch) {
            int m = Math.min(batch, n - start);
            int[] t = slice(targets, start, m);
            try (NDManager step = engine.manager().newSubManager()) {
                NDArray x = engine.input(step, nchw, start, m, c, h, w);
                x.setRequiresGradient(true);
                float[] logit;
                try (GradientCollector gc = collector()) {
                    NDArray y = engine.forward(x, List.of(scoreLayer)).get(scoreLayer);
                    logit = y.toType(DataType.FLOAT32, false).toFloatArray();
                    gc.backward(objective(y, t));
                }
                float[] g = x.getGradient().toType(DataType.FLOAT32, false).toFloatArray();
                System.arraycopy(g, 0, grad, start * sample, m * sample);
                float[][] rows = rows(logit, m);
                double[] s = pick(rows, t, score);
                System.arraycopy(s, 0, values, start, m);
            }
        }
        return new InputGradient(grad, values);
    }

    /** A layer's activations and the gradient of the target scores with respect to them (host floats, (N, K, h, w)). */
    public record LayerGradient(float[] activations, float[] gradient, int channels, int height, int width, double[] scores) { }

    /**
     * The activations of {@code layer} and d score(targets[i]) / d layer for n samples, batched, by
     * {@link Engine#gradients} (the layer's output is the free variable; paths that bypass it keep their values).
     */
    public LayerGradient layerGradient(float[] nchw, int n, int c, int h, int w, String layer, int[] targets) {
        if (!scores.has(layer)) {
            throw new ConvscopeException("no layer named '" + layer + "'");
        }
        float[] acts = null;
        float[] grads = null;
        double[] values = new double[n];
        int sample = c * h * w;
        int lc = 0;
        int lh = 1;
        int lw = 1;
        for (int start = 0; start < n; start += batch) {
            int m = Math.min(batch, n - start);
            int[] t = slice(targets, start, m);
            try (NDManager step = engine.manager().newSubManager()) {
                NDArray x = engine.input(step, nchw, start, m, c, h, w);
                float[][] logit = new float[1][];
                Engine.LayerGradients lg = engine.gradients(x, List.of(scoreLayer), List.of(layer), out -> {
                    NDArray y = out.get(scoreLayer);
                    logit[0] = y.toType(DataType.FLOAT32, false).toFloatArray();
                    return objective(y, t);
                });
                NDArray a = lg.activation(layer);
                Shape as = a.getShape();
                if (acts == null) {
                    lc = (int) as.get(1);
                    lh = as.dimension() > 2 ? (int) as.get(2) : 1;
                    lw = as.dimension() > 3 ? (int) as.get(3) : 1;
                    acts = new float[n * lc * lh * lw];
                    grads = new float[acts.length];
                }
                int per = lc * lh * lw;
                System.arraycopy(a.toType(DataType.FLOAT32, false).toFloatArray(), 0, acts, start * per, m * per);
                System.arraycopy(lg.gradient(layer).toType(DataType.FLOAT32, false).toFloatArray(), 0, grads, start * per, m * per);
                System.arraycopy(pick(rows(logit[0], m), t, score), 0, values, start, m);
            }
        }
        return new LayerGradient(acts, grads, lc, lh, lw, values);
    }

    /** A layer's values for a batch: (N, channels, height, width) host floats (height = width = 1 for vectors). */
    public record LayerValues(float[] values, int channels, int height, int width) { }

    /** The activations of {@code layer} for n samples, batched. */
    public LayerValues activations(float[] nchw, int n, int c, int h, int w, String layer) {
        return values(nchw, n, c, h, w, List.of(layer)).get(layer);
    }

    /** The values of several layers for n samples, batched (one forward pass per batch). */
    public Map<String, LayerValues> values(float[] nchw, int n, int c, int h, int w, List<String> layers) {
        Map<String, float[]> out = new LinkedHashMap<>();
        Map<String, int[]> dims = new HashMap<>();
        int sample = c * h * w;
        for (int start = 0; start < n; start += batch) {
            int m = Math.min(batch, n - start);
            try (NDManager step = engine.manager().newSubManager()) {
                NDArray x = engine.input(step, nchw, start, m, c, h, w);
                Map<String, NDArray> got = engine.forward(x, layers);
                for (String l : layers) {
                    NDArray v = got.get(l);
                    Shape s = v.getShape();
                    float[] a = v.toType(DataType.FLOAT32, false).toFloatArray();
                    if (!out.containsKey(l)) {
                        int lc = (int) (s.size() / s.get(0) / (s.dimension() > 2 ? s.get(2) : 1) / (s.dimension() > 3 ? s.get(3) : 1));
                        int lh = s.dimension() > 2 ? (int) s.get(2) : 1;
                        int lw = s.dimension() > 3 ? (int) s.get(3) : 1;
                        dims.put(l, new int[] {lc, lh, lw});
                        out.put(l, new float[n * lc * lh * lw]);
                    }
                    System.arraycopy(a, 0, out.get(l), start * (a.length / m), a.length);
                }
            }
        }
        Map<String, LayerValues> r = new LinkedHashMap<>();
        for (String l : layers) {
            int[] d = dims.get(l);
            r.put(l, new LayerValues(out.get(l), d[0], d[1], d[2]));
        }
        return r;
    }

    /** The walker that computes gradients with modified rules at ReLUs (created on first use). */
    public Backprop backprop() {
        if (backprop == null) {
            backprop = new Backprop(this);
        }
        return backprop;
    }

    static GradientCollector collector() {
        return ai.djl.engine.Engine.getEngine("PyTorch").newGradientCollector();
    }

    static int[] slice(int[] targets, int start, int m) {
        int[] t = new int[m];
        for (int i = 0; i < m; i++) {
            t[i] = targets[(start + i) % targets.length];
        }
        return t;
    }

    static float[][] rows(float[] flat, int n) {
        int k = flat.length / n;
        float[][] out = new float[n][];
        for (int i = 0; i < n; i++) {
            out[i] = java.util.Arrays.copyOfRange(flat, i * k, (i + 1) * k);
        }
        return out;
    }

    @Override
    public void close() {
        if (backprop != null) {
            backprop.close();
        }
        if (ownsEngine) {
            engine.close();
        }
    }
}
