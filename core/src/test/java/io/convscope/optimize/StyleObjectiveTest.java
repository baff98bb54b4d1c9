package io.convscope.optimize;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.convscope.engine.CollectorLoop;
import io.convscope.engine.Engine;
import io.convscope.network.Network;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What style transfer adds to the optimisation core: the Gram/style objective's gradient by hand,
 * by autograd and by finite differences, the gray transform, the loss curve and the progress line.
 */
class StyleObjectiveTest {

    /** ‖G(F) − A‖² / ‖A‖² and its gradient 4 (G − A) F / (M ‖A‖²), in doubles on the host; F is C×M. */
    static double styleByHand(double[][] f, double[][] a, double[][] grad) {
        int c = f.length;
        int m = f[0].length;
        double[][] g = new double[c][c];
        for (int i = 0; i < c; i++) {
            for (int j = 0; j < c; j++) {
                double s = 0;
                for (int k = 0; k < m; k++) {
                    s += f[i][k] * f[j][k];
                }
                g[i][j] = s / m;
            }
        }
        double num = 0;
        double den = 0;
        for (int i = 0; i < c; i++) {
            for (int j = 0; j < c; j++) {
                num += (g[i][j] - a[i][j]) * (g[i][j] - a[i][j]);
                den += a[i][j] * a[i][j];
            }
        }
        if (grad != null) {
            for (int i = 0; i < c; i++) {
                for (int k = 0; k < m; k++) {
                    double s = 0;
                    for (int j = 0; j < c; j++) {
                        s += (g[i][j] - a[i][j]) * f[j][k];
                    }
                    grad[i][k] = 4 * s / (m * den);
                }
            }
        }
        return num / den;
    }

    @Test
    void gramStyleGradientMatchesTheFormulaAndFiniteDifferences() {
        int c = 4;
        int h = 3;
        int w = 5;
        int m = h * w;
        SplittableRandom r = new SplittableRandom(3);
        float[] maps = new float[c * m];
        float[] other = new float[c * m];
        for (int i = 0; i < maps.length; i++) {
            maps[i] = (float) (r.nextDouble() * 2 - 0.5);
            other[i] = (float) (r.nextDouble() * 3 - 1);
        }
        double[][] f = new double[c][m];
        double[][] fo = new double[c][m];
        for (int i = 0; i < c; i++) {
            for (int k = 0; k < m; k++) {
                f[i][k] = maps[i * m + k];
                fo[i][k] = other[i * m + k];
            }
        }
        try (NDManager nd = NDManager.newBaseManager()) {
            NDArray target = Objective.gram(nd.create(other, new Shape(1, c, h, w)));
            double[][] a = new double[c][c];
            float[] t = target.toFloatArray();
            for (int i = 0; i < c; i++) {
                for (int j = 0; j < c; j++) {
                    a[i][j] = t[i * c + j];
                }
            }
            // the Gram matrix by hand
            for (int i = 0; i < c; i++) {
                for (int j = 0; j < c; j++) {
                    double s = 0;
                    for (int k = 0; k < m; k++) {
                        s += fo[i][k] * fo[j][k];
                    }
                    assertEquals(s / m, a[i][j], 1e-5, "G[" + i + "][" + j + "]");
                }
            }
            // autograd through Objective.styleNormalized
            Objective style = Objective.styleNormalized("x", target);
            NDArray x = nd.create(maps, new Shape(1, c, h, w));
            x.setRequiresGradient(true);
            double value;
            try (GradientCollector gc = ai.djl.engine.Engine.getEngine("PyTorch").newGradientCollector()) {
                NDArray loss = style.evaluate(new Forward(x, java.util.Map.of("x", x))).perImage().sum();
                value = loss.getFloat();
                gc.backward(loss);
            }
            float[] auto = x.getGradient().toFloatArray();
            double[][] formula = new double[c][m];
            assertEquals(styleByHand(f, a, formula), value, 1e-5 * value);
            double max = 0;
            for (float v : auto) {
                max = Math.max(max, Math.abs(v));
            }
            double eps = 1e-4;
            for (int i = 0; i < c; i++) {
                for (int k = 0; k < m; k++) {
                    assertEquals(formula[i][k], auto[i * m + k], 1e-4 * max, "formula vs autograd at " + i + "," + k);
                    double keep = f[i][k];
                    f[i][k] = keep + eps;
                    double plus = styleByHand(f, a, null);
                    f[i][k] = keep - eps;
                    double minus = styleByHand(f, a, null);
                    f[i][k] = keep;
                    assertEquals((plus - minus) / (2 * eps), auto[i * m + k], 1e-4 * max, "finite difference vs autograd at " + i + "," + k);
                }
            }
            // the target itself: 0; an all-zero image's maps: 1
            assertEquals(0, Objective.styleNormalized("x", target).evaluate(
                    new Forward(x, java.util.Map.of("x", nd.create(other, new Shape(1, c, h, w))))).perImage().getFloat(), 1e-6);
            assertEquals(1, Objective.styleNormalized("x", target).evaluate(
                    new Forward(x, java.util.Map.of("x", nd.zeros(new Shape(1, c, h, w))))).perImage().getFloat(), 1e-6);
        }
    }

    @Test
    void gramOfABatchIsEachImagesOwnWithItsOwnGradient() {
        int n = 3;
        int c = 5;
        int h = 4;
        int w = 3;
        int m = h * w;
        SplittableRandom r = new SplittableRandom(11);
        float[] maps = new float[n * c * m];
        float[] weights = new float[n * c * c];
        for (int i = 0; i < maps.length; i++) {
            maps[i] = (float) (r.nextDouble() * 2 - 1);
        }
        for (int i = 0; i < weights.length; i++) {
            weights[i] = (float) (r.nextDouble() * 2 - 1); // not symmetric: both halves of dG/dF count
        }
        for (int batch : new int[] {1, n}) {
            try (NDManager nd = NDManager.newBaseManager()) {
                NDArray x = nd.create(java.util.Arrays.copyOf(maps, batch * c * m), new Shape(batch, c, h, w));
                x.setRequiresGradient(true);
                float[] g;
                try (GradientCollector gc = ai.djl.engine.Engine.getEngine("PyTorch").newGradientCollector()) {
                    NDArray gram = Objective.gram(x);
                    assertEquals(new Shape(batch, c, c), gram.getShape());
                    g = gram.toFloatArray();
                    gc.backward(gram.mul(nd.create(java.util.Arrays.copyOf(weights, batch * c * c), new Shape(batch, c, c))).sum());
                }
                float[] auto = x.getGradient().toFloatArray();
                for (int b = 0; b < batch; b++) {
                    int fo = b * c * m;
                    int go = b * c * c;
                    for (int i = 0; i < c; i++) {
                        for (int j = 0; j < c; j++) {
                            double s = 0;
                            for (int k = 0; k < m; k++) {
                                s += maps[fo + i * m + k] * maps[fo + j * m + k];
                            }
                            assertEquals(s / m, g[go + i * c + j], 1e-5, "G[" + b + "][" + i + "][" + j + "] of a batch of " + batch);
                        }
                    }
                    // d/dF[i][k] of sum(W * G) = sum_j (W[i][j] + W[j][i]) * F[j][k] / m
                    for (int i = 0; i < c; i++) {
                        for (int k = 0; k < m; k++) {
                            double s = 0;
                            for (int j = 0; j < c; j++) {
                                s += (weights[go + i * c + j] + weights[go + j * c + i]) * maps[fo + j * m + k];
                            }
                            assertEquals(s / m, auto[fo + i * m + k], 1e-5, "dF[" + b + "][" + i + "][" + k + "] of a batch of " + batch);
                        }
                    }
                }
            }
        }
    }

    @Test
    @Tag("slow")
    void styleAndContentThroughANetworkMatchFiniteDifferences() {
        Network net = OptimizationTest.tiny();
        try (Engine e = Engine.create(net); NDManager m = NDManager.newBaseManager()) {
            PixelParam px = new PixelParam(1, 3, 12, 12, 1.0);
            float[] theta = OptimizationTest.randomTheta(px, 3, 1);
            // the blended target of two "style images" and a content target of a third image
            float[] s1 = px.decode(OptimizationTest.randomTheta(px, 9, 2));
            float[] s2 = px.decode(OptimizationTest.randomTheta(px, 10, 2));
            float[] content = px.decode(OptimizationTest.randomTheta(px, 11, 1));
            List<String> layers = List.of("conv1", "conv2");
            var f1 = e.forward(Optimization.toInput(m.create(s1, new Shape(1, 3, 12, 12)), net.preprocessing()), layers);
            var f2 = e.forward(Optimization.toInput(m.create(s2, new Shape(1, 3, 12, 12)), net.preprocessing()), layers);
            NDArray phi = e.forward(Optimization.toInput(m.create(content, new Shape(1, 3, 12, 12)), net.preprocessing()),
                    List.of("conv2")).get("conv2");
            Objective o = Objective.content("conv2", phi);
            for (String l : layers) {
                NDArray blend = Objective.gram(f1.get(l)).mul(0.7f).add(Objective.gram(f2.get(l)).mul(0.3f));
                o = o.plus(Objective.styleNormalized(l, blend).times(50));
            }
            o = o.plus(Objective.tv().times(3));
            double err = OptimizationTest.gradientError(new Optimization(e, o, px), theta, 1e-2);
            System.out.printf("gradient check style transfer  worst |fd − g| / max|g| = %.2e%n", err);
            assertTrue(err < 1e-2, "style transfer objective: " + err);

            // a luminance image seen through the gray transform
            PixelParam gray = new PixelParam(1, 1, 12, 12, 1.0);
            Objective g = Objective.styleNormalized("conv1", Objective.gram(f1.get("conv1"))).plus(Objective.tv());
            double err2 = OptimizationTest.gradientError(new Optimization(e, g, gray).transforms(Transform.gray()),
                    OptimizationTest.randomTheta(gray, 4, 1), 3e-3); // the error falls as eps²: curvature, not a wrong gradient
            System.out.printf("gradient check gray style      worst |fd − g| / max|g| = %.2e%n", err2);
            assertTrue(err2 < 1e-2, "gray: " + err2);
        }
    }

    /**
     * DJL's {@code x.mul(2f)} makes a scalar tensor on a direct buffer and frees it at once, while
     * autograd keeps it for the backward pass: after a garbage collection between the forward and
     * the backward pass the gradient read freed memory (a NaN or 1e30 now and then, far more often
     * under this test's collector thread). The core's scalars live in the step's manager instead.
     */
    @Test
    @Tag("slow")
    void gradientsDoNotChangeWhenTheCollectorRunsMidStep() throws InterruptedException {
        Network net = OptimizationTest.tiny();
        try (Engine e = Engine.create(net); NDManager m = NDManager.newBaseManager()) {
            PixelParam px = new PixelParam(1, 3, 12, 12, 1.0);
            float[] theta = OptimizationTest.randomTheta(px, 3, 1);
            NDArray gram = Objective.gram(e.forward(Optimization.toInput(m.create(px.decode(OptimizationTest.randomTheta(px, 5, 1)),
                    new Shape(1, 3, 12, 12)), net.preprocessing()), List.of("conv2")).get("conv2"));
            Objective o = Objective.styleNormalized("conv2", gram).times(7).plus(Objective.tv().times(3)).plus(Objective.alphaNorm(3).times(0.5));
            Optimization opt = new Optimization(e, o, px);
            Optimization fourier = new Optimization(e, Objective.channel("conv1", 2).times(2), new FourierParam(1, 3, 12, 12, 0.5));
            float[] ft = OptimizationTest.randomTheta(new FourierParam(1, 3, 12, 12, 0.5), 2, 1);
            float[] want = new float[theta.length];
            float[] fwant = new float[ft.length];
            double v0 = opt.lossAndGradient(theta, want);
            double f0 = fourier.lossAndGradient(ft, fwant);
            float[] g = new float[theta.length];
            float[] fg = new float[ft.length];
            try (CollectorLoop gc = CollectorLoop.start()) {
                for (int i = 0; i < 150; i++) {
                    assertEquals(v0, opt.lossAndGradient(theta, g), 0, "value, evaluation " + i);
                    assertArrayEquals(want, g, "gradient, evaluation " + i);
                    assertEquals(f0, fourier.lossAndGradient(ft, fg), 0, "fourier value, evaluation " + i);
                    assertArrayEquals(fwant, fg, "fourier gradient, evaluation " + i);
                }
            }
        }
    }

    @Test
    void grayRepeatsOneChannelAndLeavesColourAlone() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray one = m.create(new float[] {0.1f, 0.2f, 0.3f, 0.4f}, new Shape(1, 1, 2, 2));
            NDArray three = Transform.gray().apply(one, null);
            assertEquals(new Shape(1, 3, 2, 2), three.getShape());
            assertArrayEquals(new float[] {0.1f, 0.2f, 0.3f, 0.4f, 0.1f, 0.2f, 0.3f, 0.4f, 0.1f, 0.2f, 0.3f, 0.4f}, three.toFloatArray());
            assertEquals(three, Transform.gray().apply(three, null));
        }
    }

    @Test
    @Tag("slow")
    void eachStepReportsTheTermsOfItsOwnLossUnderLbfgsAndAdam() {
        try (Engine e = Engine.create(OptimizationTest.tiny()); NDManager m = NDManager.newBaseManager()) {
            PixelParam px = new PixelParam(1, 3, 12, 12, 1.0);
            float[] other = px.decode(OptimizationTest.randomTheta(px, 9, 1));
            NDArray gram = Objective.gram(e.forward(Optimization.toInput(m.create(other, new Shape(1, 3, 12, 12)),
                    e.network().preprocessing()), List.of("conv2")).get("conv2"));
            Objective o = Objective.styleNormalized("conv2", gram).times(10).plus(Objective.tv());
            for (Optimizer opt : List.of(Optimizer.lbfgs(5), Optimizer.adam(0.1))) {
                Optimization.Result r = new Optimization(e, o, px).optimizer(opt).steps(12).run();
                for (int s = 0; s < 12; s++) {
                    double sum = r.termValues()[s][0] + r.termValues()[s][1];
                    assertEquals(r.losses()[s], sum, 1e-4 * Math.abs(r.losses()[s]), opt.getClass().getSimpleName() + " step " + (s + 1));
                }
                assertTrue(r.losses()[11] < r.losses()[0] / 2, java.util.Arrays.toString(r.losses()));
            }
        }
    }

    @Test
    void lossCurveGroupsTermsByKindAndWritesCsvAndPlot(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        LossCurve c = new LossCurve();
        List<String> names = List.of("content block5_conv2", "style block1_conv1", "style block2_conv1", "tv");
        c.start(2, names);
        Supplier<float[]> none = () -> {
            throw new AssertionError("the curve needs no image");
        };
        c.step(1, 10, new double[] {0, 6, 3, 1}, none);
        c.step(2, 5, new double[] {1, 2, 1, 1}, none);
        assertEquals(List.of("content", "style", "tv"), c.kinds());
        assertArrayEquals(new double[] {9, 3}, c.series("style"));
        assertArrayEquals(new double[] {10, 5}, c.total());
        assertEquals("step,loss,content,style,tv,style block1_conv1,style block2_conv1\n"
                + "1,10.0000,0.00000,9.00000,1.00000,6.00000,3.00000\n"
                + "2,5.00000,1.00000,3.00000,1.00000,2.00000,1.00000\n", c.csv());
        c.writeCsv(dir.resolve("l.csv"));
        c.writePlot(dir.resolve("l.png"), "test");
        assertEquals(c.csv(), Files.readString(dir.resolve("l.csv")));
        BufferedImage img = ImageIO.read(dir.resolve("l.png").toFile());
        assertEquals(640, img.getWidth());
    }

    @Test
    void progressShowsEachKindOnce() {
        List<String> status = new ArrayList<>();
        io.convscope.util.Progress p = new io.convscope.util.Progress() {
            public void start(String what, long total, Unit unit) {
            }

            public void advance(long done) {
            }

            public void status(String text) {
                status.add(text);
            }

            public void finish() {
            }
        };
        Listener l = Listeners.progress(p, "style");
        l.start(1, List.of("content c5", "style a", "style b", "tv"));
        l.step(1, 7, new double[] {1, 2, 3, 1}, () -> null);
        assertEquals(List.of("loss 7.00  content 1.00  style 5.00  tv 1.00"), status);
    }

    @Test
    void framesMapImagesAndWriteNothingByThemselves() throws IOException {
        io.convscope.render.Gif gif = new io.convscope.render.Gif();
        int[] shape = {1, 3, 2, 2};
        Listener frames = Listeners.frames(gif, 2, shape, 100).mapImages(y -> {
            float[] rgb = new float[12];
            for (int i = 0; i < 12; i++) {
                rgb[i] = y[i % 4];
            }
            return rgb;
        });
        frames.start(5, List.of("tv"));
        for (int s = 1; s <= 5; s++) {
            frames.step(s, 1, new double[] {1}, () -> new float[] {0, 0.5f, 1, 0.25f});
        }
        frames.finish();
        assertEquals(4, gif.size(), "steps 1, 2, 4 and the last");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        gif.write(bytes);
        BufferedImage first = ImageIO.read(new ByteArrayInputStream(bytes.toByteArray()));
        int rgb = first.getRGB(1, 0);
        int red = (rgb >> 16) & 0xff;
        assertTrue(Math.abs(red - 128) <= 1 && red == ((rgb >> 8) & 0xff) && red == (rgb & 0xff), "gray from one channel: " + Integer.toHexString(rgb));
    }
}
