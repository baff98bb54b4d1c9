package io.convscope.optimize;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.convscope.engine.Engine;
import io.convscope.network.Activation;
import io.convscope.network.Layer;
import io.convscope.network.Network;
import io.convscope.network.Padding;
import io.convscope.network.Preprocessing;
import io.convscope.network.TensorShape;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The optimisation core: gradients of every objective, regularizer, parameterization and transform against finite differences, and the loop's promises. */
class OptimizationTest {

    /** A small smooth network (tanh, average pooling) so that central differences are accurate; caffe preprocessing exercises the BGR path. */
    static Network tiny() {
        return new Network.Builder("tiny").preprocessing(Preprocessing.CAFFE).input("x", TensorShape.chw(3, 12, 12))
                .add("conv1", new Layer.Conv2D(8, 3, 3, 1, 1, 1, 1, Padding.SAME, 1, true, Activation.TANH), "x")
                .add("pool1", new Layer.Pool2D(false, 2, 2, 2, 2, Padding.VALID, false, false), "conv1")
                .add("conv2", new Layer.Conv2D(16, 3, 3, 1, 1, 1, 1, Padding.SAME, 1, true, Activation.TANH), "pool1")
                .add("flatten", new Layer.Flatten(false), "conv2")
                .add("predictions", new Layer.Dense(5, true, Activation.SOFTMAX), "flatten")
                .buildWithoutParams().withRandomParams(4);
    }

    /** Worst |finite difference − gradient| over the 10 largest-gradient coordinates and 10 random ones, relative to max |gradient|. */
    static double gradientError(Optimization o, float[] theta, double eps) {
        float[] g = new float[theta.length];
        o.lossAndGradient(theta, g);
        double max = 0;
        Integer[] order = new Integer[theta.length];
        for (int i = 0; i < theta.length; i++) {
            order[i] = i;
            max = Math.max(max, Math.abs(g[i]));
        }
        assertTrue(max > 0, "the gradient is zero");
        Arrays.sort(order, (a, b) -> Float.compare(Math.abs(g[b]), Math.abs(g[a])));
        SplittableRandom r = new SplittableRandom(2);
        int[] probe = new int[20];
        for (int i = 0; i < 10; i++) {
            probe[i] = order[i];
            probe[10 + i] = r.nextInt(theta.length);
        }
        double worst = 0;
        float[] scratch = new float[theta.length];
        for (int i : probe) {
            float[] plus = theta.clone();
            float[] minus = theta.clone();
            plus[i] += (float) eps;
            minus[i] -= (float) eps;
            double fd = (o.lossAndGradient(plus, scratch) - o.lossAndGradient(minus, scratch)) / (plus[i] - minus[i]);
            worst = Math.max(worst, Math.abs(fd - g[i]) / max);
        }
        return worst;
    }

    static float[] randomTheta(ImageParam p, long seed, double scale) {
        float[] t = p.init(new SplittableRandom(seed));
        for (int i = 0; i < t.length; i++) {
            t[i] *= (float) scale;
        }
        return t;
    }

    @Test
    @Tag("slow")
    void everyObjectiveAndRegularizerMatchesFiniteDifferences() {
        Network net = tiny();
        Logits.Scores scores = Logits.of(net);
        try (Engine e = Engine.create(scores.network()); NDManager m = NDManager.newBaseManager()) {
            PixelParam px = new PixelParam(2, 3, 12, 12, 1.0);
            float[] theta = randomTheta(px, 3, 1);
            // targets from another image
            float[] other = px.decode(randomTheta(px, 9, 1));
            NDArray target = e.forward(Optimization.toInput(m.create(other, new Shape(2, 3, 12, 12)), net.preprocessing()),
                    List.of("conv2")).get("conv2");
            NDArray gramTarget = Objective.gram(target);
            Map<String, Objective> objectives = new java.util.LinkedHashMap<>();
            objectives.put("content", Objective.content("conv2", target));
            objectives.put("channel", Objective.channel("conv1", 2, 5));
            objectives.put("neuron", Objective.neuron("conv2", 7));
            objectives.put("class logit", Objective.classLogit(scores.layer(), 1, 3));
            objectives.put("style", Objective.style("conv2", gramTarget).times(100));
            objectives.put("l2", Objective.l2());
            objectives.put("tv", Objective.tv());
            objectives.put("alpha-norm", Objective.alphaNorm(3));
            objectives.put("sum", Objective.content("conv1", e.forward(Optimization.toInput(m.create(other, new Shape(2, 3, 12, 12)),
                    net.preprocessing()), List.of("conv1")).get("conv1")).plus(Objective.tv().times(0.5)).plus(Objective.channel("conv2", 1).times(-2)));
            for (var entry : objectives.entrySet()) {
                double err = gradientError(new Optimization(e, entry.getValue(), px), theta, 1e-2);
                System.out.printf("gradient check %-12s worst |fd − g| / max|g| = %.2e%n", entry.getKey(), err);
                assertTrue(err < 1e-2, entry.getKey() + ": " + err);
            }
        }
    }

    @Test
    @Tag("slow")
    void fourierParameterizationAndTransformsMatchFiniteDifferences() {
        try (Engine e = Engine.create(tiny())) {
            FourierParam fp = new FourierParam(1, 3, 12, 12, 0.5);
            float[] theta = randomTheta(fp, 5, 1);
            Optimization plain = new Optimization(e, Objective.channel("conv2", 3), fp);
            double err = gradientError(plain, theta, 1e-2);
            System.out.printf("gradient check fourier      worst %.2e%n", err);
            assertTrue(err < 1e-2, "fourier: " + err);
            PixelParam px = new PixelParam(1, 3, 12, 12, 1.0);
            Optimization moved = new Optimization(e, Objective.channel("conv2", 3), px)
                    .transforms(Transform.jitter(2), Transform.scale(0.9, 1.1), Transform.rotate(10)).seed(11);
            double err2 = gradientError(moved, randomTheta(px, 6, 1), 3e-3);
            System.out.printf("gradient check transforms   worst %.2e%n", err2);
            assertTrue(err2 < 1e-2, "transforms: " + err2);
        }
    }

    @Test
    void fourierImageIsTheInverseDftOfItsScaledSpectrum() {
        // the engine's FFT against the DFT written out, for even and odd sizes
        for (int[] size : new int[][] {{8, 6}, {7, 5}, {6, 9}, {5, 4}}) {
            int h = size[0];
            int w = size[1];
            FourierParam fp = new FourierParam(2, 3, h, w, 1.0);
            assertArrayEquals(new long[] {2, 2, 3, h, w}, fp.shape());
            float[] theta = fp.init(new SplittableRandom(4));
            double[] x = new double[2 * 3 * h * w];
            double floor = 1.0 / Math.max(h, w);
            for (int plane = 0; plane < 6; plane++) {
                for (int i = 0; i < h; i++) {
                    for (int j = 0; j < w; j++) {
                        double sum = 0;
                        for (int u = 0; u < h; u++) {
                            for (int v = 0; v < w; v++) {
                                double fu = Math.min(u, h - u) / (double) h;
                                double f = Math.hypot(fu, Math.min(v, w - v) / (double) w);
                                double scale = 1 / Math.max(f, floor);
                                int o = (plane * h + u) * w + v; // real parts, then (after 6 planes) imaginary parts
                                double t = 2 * Math.PI * ((double) u * i / h + (double) v * j / w);
                                sum += scale * (theta[o] * Math.cos(t) - theta[o + 6 * h * w] * Math.sin(t));
                            }
                        }
                        x[(plane * h + i) * w + j] = sum / Math.sqrt((double) h * w);
                    }
                }
            }
            try (NDManager m = NDManager.newBaseManager()) {
                NDArray p = m.create(theta, new Shape(fp.shape()));
                float[] got = fp.spatial(p).toFloatArray();
                float[] img = fp.image(p).toFloatArray();
                for (int k = 0; k < x.length; k++) {
                    assertEquals(x[k], got[k], 1e-5 * (1 + Math.abs(x[k])), h + "×" + w + " at " + k);
                }
                // the picture: σ(Σ_j COLOR[i][j]·x_j / 4) at every pixel
                for (int n = 0; n < 2; n++) {
                    for (int ch = 0; ch < 3; ch++) {
                        for (int q = 0; q < h * w; q++) {
                            double mixed = 0;
                            for (int j = 0; j < 3; j++) {
                                mixed += FourierParam.COLOR[ch][j] * x[(n * 3 + j) * h * w + q];
                            }
                            assertEquals(1 / (1 + Math.exp(-mixed / 4)), img[(n * 3 + ch) * h * w + q], 1e-6, "pixel " + q);
                        }
                    }
                }
            }
        }
    }

    @Test
    void fourierImageGradientMatchesFiniteDifferences() {
        // no network: a fixed weighting of the pixels plus TV, so only the parameterization is differentiated
        try (Engine e = Engine.create(tiny())) {
            for (int[] size : new int[][] {{8, 6}, {7, 5}}) {
                FourierParam fp = new FourierParam(1, 3, size[0], size[1], 0.3);
                float[] weights = new PixelParam(1, 3, size[0], size[1], 1).init(new SplittableRandom(8));
                Objective weighted = Objective.of("weighted", List.of(), f -> {
                    NDArray r = f.image().getManager().create(weights, f.image().getShape());
                    return Objective.perImage(f.image().mul(r), false);
                });
                double err = gradientError(new Optimization(e, weighted.plus(Objective.tv()), fp), randomTheta(fp, 3, 1), 1e-2);
                System.out.printf("gradient check fourier %d×%d (no network) worst %.2e%n", size[0], size[1], err);
                assertTrue(err < 1e-2, size[0] + "×" + size[1] + ": " + err);
            }
        }
    }

    @Test
    void jitterIsAnExactShiftWithRepeatedEdges() {
        // the slicing shift against the bilinear matrix at zoom 1 (which is a 0/1 matrix) and by hand
        try (NDManager m = NDManager.newBaseManager()) {
            int h = 5;
            int w = 7;
            float[] v = new float[2 * h * w];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) Math.sin(i * 1.7) * 3;
            }
            NDArray x = m.create(v, new Shape(1, 2, h, w));
            for (int dy = -6; dy <= 6; dy++) {
                for (int dx : new int[] {-8, -3, 0, 2, 7}) {
                    float[] got = Transform.Affine.shift(Transform.Affine.shift(x, 2, dy), 3, dx).toFloatArray();
                    float[] matrix = Transform.Affine.separable(x, 1, dy, dx).toFloatArray();
                    assertArrayEquals(matrix, got, dy + "," + dx);
                    for (int c = 0; c < 2; c++) {
                        for (int i = 0; i < h; i++) {
                            for (int j = 0; j < w; j++) {
                                int si = Math.min(h - 1, Math.max(0, i - dy));
                                int sj = Math.min(w - 1, Math.max(0, j - dx));
                                assertEquals(v[(c * h + si) * w + sj], got[(c * h + i) * w + j]);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void zoomGathersWhatTheBilinearMatrixMultipliesWithTheSameGradient() {
        // Affine.separable (two gathered taps per entry) against the n × n matrices of Affine.axis applied on the host
        int h = 9;
        int w = 6;
        int c = 2;
        float[] v = new float[c * h * w];
        float[] k = new float[c * h * w];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) Math.sin(i * 1.3) * 2;
            k[i] = (float) Math.cos(i * 0.7);
        }
        for (double zoom : new double[] {0.9, 1.0, 1.06, 1.1, 2.5}) {
            for (int[] d : new int[][] {{0, 0}, {2, -1}, {-3, 4}, {12, -12}}) {
                if (zoom == 1.0 && d[0] == 0 && d[1] == 0) {
                    continue;
                }
                float[] my = Transform.Affine.axis(h, zoom, d[0]);
                float[] mx = Transform.Affine.axis(w, zoom, d[1]);
                double[] want = new double[v.length];
                double[] wantGrad = new double[v.length];
                for (int ch = 0; ch < c; ch++) {
                    for (int i = 0; i < h; i++) {
                        for (int j = 0; j < w; j++) {
                            int o = (ch * h + i) * w + j;
                            for (int a = 0; a < h; a++) {
                                for (int b = 0; b < w; b++) {
                                    double weight = (double) my[i * h + a] * mx[j * w + b];
                                    want[o] += weight * v[(ch * h + a) * w + b];
                                    wantGrad[(ch * h + a) * w + b] += weight * k[o]; // Mᵀ·k
                                }
                            }
                        }
                    }
                }
                try (NDManager m = NDManager.newBaseManager()) {
                    NDArray x = m.create(v, new Shape(1, c, h, w));
                    x.setRequiresGradient(true);
                    float[] got;
                    try (GradientCollector gc = ai.djl.engine.Engine.getEngine("PyTorch").newGradientCollector()) {
                        NDArray y = Transform.Affine.separable(x, zoom, d[0], d[1]);
                        got = y.toFloatArray();
                        gc.backward(y.mul(m.create(k, new Shape(1, c, h, w))).sum());
                    }
                    float[] grad = x.getGradient().toFloatArray();
                    for (int i = 0; i < v.length; i++) {
                        assertEquals(want[i], got[i], 1e-5, "value " + i + " at zoom " + zoom + " shift " + d[0] + "," + d[1]);
                        assertEquals(wantGrad[i], grad[i], 1e-5, "gradient " + i + " at zoom " + zoom + " shift " + d[0] + "," + d[1]);
                    }
                }
            }
        }
    }

    @Test
    void gramMatrixByHand() {
        // one image, 2 channels of 1×2: F = [[1, 2], [3, 4]] → F·Fᵀ / 2 = [[2.5, 5.5], [5.5, 12.5]]
        try (NDManager m = NDManager.newBaseManager()) {
            float[] g = Objective.gram(m.create(new float[] {1, 2, 3, 4}, new Shape(1, 2, 1, 2))).toFloatArray();
            assertArrayEquals(new float[] {2.5f, 5.5f, 5.5f, 12.5f}, g, 1e-6f);
        }
    }

    @Test
    void contentObjectiveIsTheNormalizedError() {
        try (NDManager m = NDManager.newBaseManager(); Engine e = Engine.create(tiny())) {
            PixelParam px = new PixelParam(1, 3, 12, 12, 1.0);
            float[] theta = randomTheta(px, 1, 1);
            NDArray image = m.create(px.decode(theta), new Shape(1, 3, 12, 12));
            NDArray phi = e.forward(Optimization.toInput(image, Preprocessing.CAFFE), List.of("conv1")).get("conv1");
            // the target itself: error 0; a target of twice the map: ‖Φ − 2Φ‖² / ‖2Φ‖² = 1/4
            assertEquals(0, new Optimization(e, Objective.content("conv1", phi), px).lossAndGradient(theta, new float[theta.length]), 1e-6);
            assertEquals(0.25, new Optimization(e, Objective.content("conv1", phi.mul(2)), px).lossAndGradient(theta, new float[theta.length]), 1e-5);
        }
    }

    @Test
    void classLogitsDropTheSoftmax() {
        Network net = tiny();
        Logits.Scores s = Logits.of(net);
        assertEquals("predictions", s.layer());
        assertEquals(Activation.LINEAR, ((Layer.Dense) s.network().node("predictions").layer()).activation());
        assertEquals(Activation.SOFTMAX, ((Layer.Dense) net.node("predictions").layer()).activation());
    }

    @Test
    void sameSeedSameImageAndTheForwardPassStopsAtTheDeepestLayer() {
        try (Engine e = Engine.create(tiny())) {
            java.util.function.LongFunction<float[]> run = seed -> new Optimization(e, Objective.channel("conv1", 3).plus(Objective.tv()),
                    new FourierParam(1, 3, 12, 12, 0.01)).transforms(Transform.jitter(1), Transform.rotate(5))
                    .optimizer(Optimizer.adam(0.05)).steps(5).seed(seed).run().image();
            float[] a = run.apply(7);
            assertEquals(2, e.lastComputedLayers(), "input and conv1 only");
            assertArrayEquals(a, run.apply(7));
            assertFalse(Arrays.equals(a, run.apply(8)));
        }
    }

    @Test
    void aBatchOptimisesIndependentImages() {
        try (Engine e = Engine.create(tiny())) {
            PixelParam two = new PixelParam(2, 3, 12, 12, 1.0);
            float[] theta = randomTheta(two, 3, 1);
            float[] g = new float[theta.length];
            double both = new Optimization(e, Objective.channel("conv2", 4, 9), two).lossAndGradient(theta, g);
            PixelParam one = new PixelParam(1, 3, 12, 12, 1.0);
            int half = theta.length / 2;
            float[] g0 = new float[half];
            float[] g1 = new float[half];
            double first = new Optimization(e, Objective.channel("conv2", 4), one).lossAndGradient(Arrays.copyOfRange(theta, 0, half), g0);
            double second = new Optimization(e, Objective.channel("conv2", 9), one).lossAndGradient(Arrays.copyOfRange(theta, half, theta.length), g1);
            assertEquals(first + second, both, 1e-5);
            assertArrayEquals(g0, Arrays.copyOfRange(g, 0, half), 1e-6f);
            assertArrayEquals(g1, Arrays.copyOfRange(g, half, g.length), 1e-6f);
        }
    }

    @Test
    @Tag("slow")
    void optimizingRaisesTheChannelAndLowersTheLoss() {
        try (Engine e = Engine.create(tiny())) {
            Optimization.Result r = new Optimization(e, Objective.channel("conv2", 3), new PixelParam(1, 3, 12, 12, 0.5))
                    .optimizer(Optimizer.adam(0.1)).steps(30).run();
            assertTrue(r.losses()[29] < r.losses()[0] - 0.1, Arrays.toString(r.losses()));
        }
    }

    /** Rosenbrock's valley, f = (1 − x)² + 100 (y − x²)², minimum 0 at (1, 1); its gradient into {@code g}. */
    static double rosenbrock(float[] x, float[] g) {
        double a = 1 - x[0];
        double b = x[1] - x[0] * x[0];
        g[0] = (float) (-2 * a - 400 * x[0] * b);
        g[1] = (float) (200 * b);
        return a * a + 100 * b * b;
    }

    @Test
    void lbfgsSolvesRosenbrockAndAdamAQuadratic() {
        Optimizer.Function rosenbrock = OptimizationTest::rosenbrock;
        float[] x = {-1.2f, 1f};
        Optimizer lbfgs = Optimizer.lbfgs(10);
        for (int i = 0; i < 100; i++) {
            lbfgs.step(x, rosenbrock);
        }
        assertEquals(1, x[0], 1e-3);
        assertEquals(1, x[1], 1e-3);

        Optimizer.Function quadratic = (v, g) -> {
            double f = 0;
            for (int i = 0; i < v.length; i++) {
                double d = v[i] - i;
                g[i] = (float) (2 * (i + 1) * d);
                f += (i + 1) * d * d;
            }
            return f;
        };
        float[] y = new float[4];
        Optimizer adam = Optimizer.adam(0.1);
        for (int i = 0; i < 500; i++) {
            adam.step(y, quadratic);
        }
        for (int i = 0; i < 4; i++) {
            assertEquals(i, y[i], 1e-2);
        }
    }

    @Test
    void lbfgsComputesGradientsOnlyWherePointsAreKeptAndFollowsTheSamePath() {
        Optimizer.Function rosenbrock = OptimizationTest::rosenbrock;
        int[] values = new int[1];
        int[] gradients = new int[1];
        // the same function, its gradient computed only when the optimiser asks for it, counted
        Optimizer.Function deferred = new Optimizer.Function() {
            @Override
            public double evaluate(float[] x, float[] g) {
                values[0]++;
                gradients[0]++;
                return rosenbrock.evaluate(x, g);
            }

            @Override
            public Optimizer.Point at(float[] x) {
                values[0]++;
                float[] g = new float[2];
                double v = rosenbrock.evaluate(x, g);
                return new Optimizer.Point() {
                    @Override
                    public double value() {
                        return v;
                    }

                    @Override
                    public boolean gradient(float[] into) {
                        gradients[0]++;
                        System.arraycopy(g, 0, into, 0, 2);
                        return true;
                    }
                };
            }
        };
        float[] a = {-1.2f, 1f};
        float[] b = a.clone();
        Optimizer eager = Optimizer.lbfgs(10);
        Optimizer lazy = Optimizer.lbfgs(10);
        int steps = 0;
        for (int i = 0; i < 40; i++) {
            eager.step(a, rosenbrock);
            lazy.step(b, deferred);
            assertArrayEquals(a, b, "step " + (i + 1));
            steps++;
        }
        // the line search backtracked on Rosenbrock's valley, and no rejected point cost a gradient:
        // one gradient at the start and one per kept point
        assertTrue(values[0] > gradients[0], values[0] + " values, " + gradients[0] + " gradients");
        assertEquals(steps + 1, gradients[0]);

        // told that its step is the run's last, L-BFGS keeps the same point without its gradient
        float[] c = {-1.2f, 1f};
        Optimizer told = Optimizer.lbfgs(10);
        int before = gradients[0];
        for (int i = 0; i < 40; i++) {
            told.step(c, deferred, i == 39);
        }
        assertArrayEquals(a, c, "the same path to the same last point");
        assertEquals(steps, gradients[0] - before, "one gradient at the start and one per kept point but the last");
        // and a step after a last one evaluates its start afresh and goes on downhill
        float[] gr = new float[2];
        double at = rosenbrock(c, gr);
        double from = told.step(c, deferred);
        assertEquals(at, from, 1e-12, "the step reports the value at its start");
        assertTrue(rosenbrock(c, gr) <= at, "no progress after a last step");
    }

    @Test
    void blurSmoothsWithoutShiftingTheMean() {
        float[] img = new float[16];
        img[5] = 1;
        Optimization.blur3(img, new int[] {1, 1, 4, 4});
        assertEquals(0.25, img[5], 1e-6);
        assertEquals(0.125, img[4], 1e-6);
        assertEquals(0.0625, img[0], 1e-6);
        double sum = 0;
        for (float v : img) {
            sum += v;
        }
        assertEquals(1, sum, 1e-6);
    }
}
