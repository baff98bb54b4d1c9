package io.convscope.optimize;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.convscope.ConvscopeException;
import io.convscope.engine.Engine;
import io.convscope.engine.Tensors;
import io.convscope.network.Preprocessing;
import io.convscope.util.Interrupts;

import io.convscope.util.Phases;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The one optimisation loop behind reconstruction, class and channel visualization and style
 * transfer: parameters → image → random transforms → preprocessing → the network as far as the
 * objective's deepest layer → objective → gradient → optimiser step. Every step runs in a manager
 * of its own that is closed before the next, so native memory stays flat.
 *
 * <pre>{@code
 * Optimization.Result r = new Optimization(engine, Objective.channel("block4_conv1", 7).plus(Objective.tv().times(0.05)),
 *         new FourierParam(1, 3, 224, 224, 0.01))
 *     .transforms(Transform.standard(224)).optimizer(Optimizer.adam(0.05)).steps(256).seed(1).run();
 * }</pre>
 */
public final class Optimization {
    private final Engine engine;
    private final Objective objective;
    private final ImageParam param;
    private List<Transform> transforms = List.of();
    private Optimizer optimizer = Optimizer.adam(0.05);
    private int steps = 100;
    private long seed = 1;
    private float[] start;
    private int blurEvery;
    private final List<Listener> listeners = new ArrayList<>();
    private final List<String> taps;

    public Optimization(Engine engine, Objective objective, ImageParam param) {
        this.engine = engine;
        this.objective = objective;
        this.param = param;
        this.taps = new ArrayList<>(objective.layers());
        for (String l : objective.layers()) {
            if (!engine.network().has(l)) {
                throw new ConvscopeException("the objective needs layer '" + l + "', which " + engine.network().name() + " does not have");
            }
        }
    }

    public Optimization transforms(Transform... t) {
        this.transforms = List.of(t);
        return this;
    }

    public Optimization optimizer(Optimizer o) {
        this.optimizer = o;
        return this;
    }

    public Optimization steps(int n) {
        if (n < 1) {
            throw new ConvscopeException("steps must be at least 1");
        }
        this.steps = n;
        return this;
    }

    public Optimization seed(long s) {
        this.seed = s;
        return this;
    }

    /** Start from these parameters instead of the parameterization's random start. */
    public Optimization start(float[] parameters) {
        if (parameters.length != param.size()) {
            throw new IllegalArgumentException("start has " + parameters.length + " values, the parameters " + param.size());
        }
        this.start = parameters.clone();
        return this;
    }

    /** Every {@code n} steps blur a {@link PixelParam} image with a 3×3 Gaussian (0: never). */
    public Optimization blurEvery(int n) {
        this.blurEvery = n;
        return this;
    }

    public Optimization listener(Listener l) {
        listeners.add(l);
        return this;
    }

    /**
     * The outcome: the final image, the loss after every step and how many times the objective was
     * evaluated in all (an L-BFGS step evaluates it once or more).
     */
    public record Result(float[] image, int[] shape, double[] losses, List<String> terms, double[][] termValues, int evaluations) {
        /** Image {@code i} of the batch, C×H×W in [0, 1]. */
        public float[] image(int i) {
            int size = shape[1] * shape[2] * shape[3];
            float[] out = new float[size];
            System.arraycopy(image, i * size, out, 0, size);
            return out;
        }
    }

    /** Runs the optimisation. */
    public Result run() {
        SplittableRandom random = new SplittableRandom(seed);
        float[] theta = start != null ? start.clone() : param.init(random);
        double[] losses = new double[steps];
        double[][] termValues = new double[steps][];
        // the evaluations of this step and the last one of the step before: an optimiser reports the
        // value at the point the step started from, which L-BFGS computed in the step before
        List<Eval> recent = new ArrayList<>();
        NDManager base = engine.manager().newSubManager();
        try {
            for (Listener l : listeners) {
                l.start(steps, objective.names());
            }
            Phases.mark("loop-start");
            int[] evaluations = new int[1];
            Optimizer.Function f = new Optimizer.Function() {
                @Override
                public double evaluate(float[] th, float[] grad) {
                    try (Optimizer.Point p = at(th)) {
                        return p.gradient(grad) ? p.value() : Double.NaN;
                    }
                }

                @Override
                public Optimizer.Point at(float[] th) {
                    evaluations[0]++;
                    Pending p = begin(th, random, base);
                    recent.add(p.eval);
                    return p;
                }
            };
            long[] stepNanos = new long[steps];
            for (int s = 0; s < steps; s++) {
                long t0 = System.nanoTime();
                Interrupts.check(); // after SIGTERM/SIGINT: stop between steps
                if (recent.size() > 1) {
                    Eval last = recent.get(recent.size() - 1);
                    recent.clear();
                    recent.add(last);
                }
                losses[s] = optimizer.step(theta, f, s == steps - 1);
                if (!Double.isFinite(losses[s])) {
                    throw new ConvscopeException("the loss became " + losses[s] + " at step " + (s + 1)
                            + "; lower the learning rate or the weights");
                }
                termValues[s] = termsAt(recent, losses[s]);
                if (blurEvery > 0 && param instanceof PixelParam px && (s + 1) % blurEvery == 0 && s + 1 < steps) {
                    float[] img = px.decode(theta);
                    blur3(img, param.imageShape());
                    System.arraycopy(px.encode(img), 0, theta, 0, theta.length);
                }
                final float[] now = theta;
                for (Listener l : listeners) {
                    l.step(s + 1, losses[s], termValues[s], () -> image(now, base));
                }
                stepNanos[s] = System.nanoTime() - t0;
            }
            Phases.mark("loop-end steps=" + steps + " evaluations=" + evaluations[0] + " " + Phases.spread("step_ms", stepNanos));
            return new Result(image(theta, base), param.imageShape(), losses, objective.names(), termValues, evaluations[0]);
        } finally {
            for (Listener l : listeners) {
                l.finish();
            }
            base.close();
        }
    }

    /**
     * One evaluation, as the loop does it: the loss at {@code theta} and its gradient, written into
     * {@code gradient}; the transforms draw from a generator seeded with the run's seed (for tests,
     * gradient checks and benchmarks). NaN when the value or the gradient is not finite.
     */
    public double lossAndGradient(float[] theta, float[] gradient) {
        try (NDManager base = engine.manager().newSubManager()) {
            return evaluate(theta, gradient, new SplittableRandom(seed), base).loss();
        }
    }

    private record Eval(double loss, double[] terms) {
    }

    /** The terms of the evaluation whose loss the optimiser reported (else the latest). */
    private static double[] termsAt(List<Eval> evals, double loss) {
        for (Eval e : evals) {
            if (Double.compare(e.loss(), loss) == 0) {
                return e.terms();
            }
        }
        return evals.isEmpty() ? null : evals.get(evals.size() - 1).terms();
    }

    /**
     * The value of the objective (in total and per term, on the host) and its gradient. Two transfers
     * a step: the parameters in, and the gradient, the loss and the terms out (the loss and the terms
     * in one read); everything between stays on the engine's side.
     */
    private Eval evaluate(float[] th, float[] grad, SplittableRandom random, NDManager base) {
        try (Pending p = begin(th, random, base)) {
            return p.gradient(grad) ? p.eval : new Eval(Double.NaN, p.eval.terms());
        }
    }

    /**
     * The forward half of an evaluation: the value (and the terms) now, with the autograd graph kept
     * until {@link Pending#gradient} runs the backward pass or {@link Pending#close} drops it. The
     * step's arrays live in a manager of their own that closing frees.
     */
    private Pending begin(float[] th, SplittableRandom random, NDManager base) {
        NDManager step = base.newSubManager();
        GradientCollector gc = null;
        try {
            NDArray p = step.create(th, new Shape(param.shape())).toDevice(engine.device(), false);
            p.setRequiresGradient(true);
            gc = ai.djl.engine.Engine.getEngine("PyTorch").newGradientCollector();
            NDArray image = param.image(p);
            NDArray seen = image;
            for (Transform t : transforms) {
                seen = t.apply(seen, random);
            }
            Map<String, NDArray> out = taps.isEmpty() ? Map.of()
                    : engine.forward(toInput(seen, engine.network().preprocessing()), taps);
            Objective.Value v = objective.evaluate(new Forward(image, out));
            float[] values = v.host();
            double[] terms = new double[values.length - 1];
            for (int i = 0; i < terms.length; i++) {
                terms[i] = values[i + 1];
            }
            // a non-finite value reads as NaN: a line search then backtracks, and the loop stops with a
            // message when a step's own value is not finite
            double value = Double.isFinite(values[0]) ? values[0] : Double.NaN;
            return new Pending(step, gc, p, v, new Eval(value, terms));
        } catch (RuntimeException | Error e) {
            if (gc != null) {
                gc.close();
            }
            step.close();
            throw e;
        }
    }

    /** An evaluated point whose gradient is still to be computed (or dropped). */
    private static final class Pending implements Optimizer.Point {
        private final NDManager step;
        private GradientCollector gc;
        private final NDArray parameters;
        private final Objective.Value value;
        final Eval eval;

        Pending(NDManager step, GradientCollector gc, NDArray parameters, Objective.Value value, Eval eval) {
            this.step = step;
            this.gc = gc;
            this.parameters = parameters;
            this.value = value;
            this.eval = eval;
        }

        @Override
        public double value() {
            return eval.loss();
        }

        @Override
        public boolean gradient(float[] into) {
            if (gc == null) {
                throw new IllegalStateException("the gradient of a point is computed once");
            }
            try {
                gc.backward(value.perImage().sum());
            } finally {
                gc.close();
                gc = null;
            }
            // read straight into the caller's array (DJL's toFloatArray would make a second copy)
            try (NDArray gradient = parameters.getGradient()) {
                gradient.toByteBuffer().asFloatBuffer().get(into);
            }
            return Vectors.allFinite(into);
        }

        @Override
        public void close() {
            if (gc != null) {
                gc.close();
                gc = null;
            }
            step.close();
        }
    }

    /** The image of parameters {@code theta}, on the host. */
    private float[] image(float[] theta, NDManager base) {
        try (NDManager m = base.newSubManager()) {
            NDArray p = m.create(theta, new Shape(param.shape())).toDevice(engine.device(), false);
            return param.image(p).toFloatArray();
        }
    }

    /**
     * The network's input for an image in [0, 1]: ×255, channel order, then the model's own
     * preprocessing ((v·scale − mean) / std per channel), all differentiable.
     */
    public static NDArray toInput(NDArray image01, Preprocessing pre) {
        long c = image01.getShape().get(1);
        NDArray x = image01.mul(Tensors.scalar(image01, 255f));
        if (pre.bgr() && c == 3) {
            x = x.flip(1);
        }
        float[] scale = new float[(int) c];
        float[] shift = new float[(int) c];
        for (int i = 0; i < c; i++) {
            // (v·scale − mean) / std  =  v · (scale/std) − mean/std
            int k = Math.min(i, pre.mean().length - 1);
            scale[i] = pre.scale() / pre.std()[k];
            shift[i] = pre.mean()[k] / pre.std()[k];
        }
        NDManager m = x.getManager();
        NDArray sc = m.create(scale, new Shape(1, c, 1, 1)).toDevice(x.getDevice(), false);
        NDArray sh = m.create(shift, new Shape(1, c, 1, 1)).toDevice(x.getDevice(), false);
        return x.mul(sc).sub(sh);
    }

    /** In-place 3×3 Gaussian blur (weights 1-2-1), edges repeated. */
    static void blur3(float[] img, int[] shape) {
        int planes = shape[0] * shape[1];
        int h = shape[2];
        int w = shape[3];
        float[] tmp = new float[h * w];
        for (int p = 0; p < planes; p++) {
            int off = p * h * w;
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < w; j++) {
                    int l = Math.max(0, j - 1);
                    int r = Math.min(w - 1, j + 1);
                    tmp[i * w + j] = (img[off + i * w + l] + 2 * img[off + i * w + j] + img[off + i * w + r]) / 4;
                }
            }
            for (int i = 0; i < h; i++) {
                int u = Math.max(0, i - 1);
                int d = Math.min(h - 1, i + 1);
                for (int j = 0; j < w; j++) {
                    img[off + i * w + j] = (tmp[u * w + j] + 2 * tmp[i * w + j] + tmp[d * w + j]) / 4;
                }
            }
        }
    }
}
