package io.convscope.style;

import io.convscope.engine.Engine;
import io.convscope.model.ModelLoader;
import io.convscope.network.Network;
import io.convscope.optimize.Listener;
import io.convscope.optimize.LossCurve;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Style transfer end to end on VGG19 with seeded random weights (the default layers, tiny images,
 * few steps): the style loss falls, the content stays, the picture has the content's size, colours
 * can be kept, style images blend, and native memory stays flat.
 */
@Tag("slow")
class StyleTransferTest {
    static Network vgg;
    static StyleLayers layers;
    static Engine engine;

    @BeforeAll
    static void load() {
        vgg = ModelLoader.load(new ModelLoader.Request("vgg19", "none", false, -1, -1), null);
        layers = StyleLayers.choose(vgg, null, null, 48, 72);
        engine = Engine.create(StyleTransfer.network(vgg, layers));
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    /** A smooth "photo": a light disk on a vertical gradient, h × w. */
    static StyleTransfer.Image content(int h, int w) {
        float[] rgb = new float[3 * h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double d = Math.hypot(y - h * 0.5, x - w * 0.4) / h;
                boolean disk = d < 0.3;
                int p = y * w + x;
                rgb[p] = disk ? 0.9f : 0.2f + 0.5f * y / h;
                rgb[h * w + p] = disk ? 0.8f : 0.3f;
                rgb[2 * h * w + p] = disk ? 0.3f : 0.7f - 0.4f * y / h;
            }
        }
        return new StyleTransfer.Image(rgb, h, w);
    }

    /** A "painting": diagonal stripes of two colours with a period of {@code period} pixels. */
    static StyleTransfer.Image stripes(int side, int period, float[] a, float[] b) {
        float[] rgb = new float[3 * side * side];
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                float[] c = ((x + y) / (period / 2)) % 2 == 0 ? a : b;
                for (int k = 0; k < 3; k++) {
                    rgb[k * side * side + y * side + x] = c[k];
                }
            }
        }
        return new StyleTransfer.Image(rgb, side, side);
    }

    static final StyleTransfer.Image RED_BLUE = stripes(48, 8, new float[] {0.9f, 0.1f, 0.1f}, new float[] {0.1f, 0.2f, 0.9f});
    static final StyleTransfer.Image YELLOW_BLACK = stripes(40, 6, new float[] {0.95f, 0.9f, 0.1f}, new float[] {0.05f, 0.05f, 0.05f});

    @Test
    void theStyleLossFallsTenfoldTheContentStaysAndTheSizeIsTheContents() {
        StyleTransfer.Image c = content(48, 72);
        StyleTransfer.Image painting = stripes(72, 12, new float[] {0.9f, 0.1f, 0.1f}, new float[] {0.1f, 0.2f, 0.9f});
        LossCurve curve = new LossCurve();
        StyleTransfer.Result r = StyleTransfer.run(engine, c, List.of(new StyleTransfer.Style(painting, 1)),
                StyleTransfer.Settings.defaults(layers).withSteps(30), List.of(curve));
        double[] style = curve.series("style");
        double[] content = curve.series("content");
        double[] tv = curve.series("tv");
        System.out.printf("style %.4g → %.4g, content %.4g → %.4g, tv %.4g → %.4g over %d steps%n",
                style[0], style[29], content[0], content[29], tv[0], tv[29], curve.steps());
        assertEquals(30, curve.steps());
        assertTrue(style[29] < style[0] / 10, "style falls tenfold: " + Arrays.toString(style));
        assertTrue(content[0] < 1e-6, "starts at the content image: " + content[0]);
        // the content error is relative (1: as far as an all-zero map); it rises while the style comes
        // in, overshoots in the first line searches, and settles below 1
        for (double v : content) {
            assertTrue(v < 2.0, "content bounded: " + Arrays.toString(content));
        }
        assertTrue(content[29] < 1.0, "content ends closer than an all-zero map: " + Arrays.toString(content));
        assertEquals(48, r.image().height());
        assertEquals(72, r.image().width());
        assertEquals(3 * 48 * 72, r.image().rgb().length);
        // the stripes' colours came in: more red and blue, relative to green, than the content had
        assertTrue(saturation(r.image().rgb()) > saturation(c.rgb()), saturation(c.rgb()) + " → " + saturation(r.image().rgb()));
    }

    /** Mean |R − G| + |B − G|. */
    static double saturation(float[] rgb) {
        int plane = rgb.length / 3;
        double s = 0;
        for (int p = 0; p < plane; p++) {
            s += Math.abs(rgb[p] - rgb[plane + p]) + Math.abs(rgb[2 * plane + p] - rgb[plane + p]);
        }
        return s / plane;
    }

    @Test
    void preservedColoursAreTheContentsAndOnlyTheLuminanceIsOptimised() {
        StyleTransfer.Image c = content(32, 48);
        List<float[]> seen = new ArrayList<>();
        Listener frames = new Listener() {
            @Override
            public void step(int step, double loss, double[] terms, Supplier<float[]> image) {
                seen.add(image.get());
            }
        };
        StyleTransfer.Result r = StyleTransfer.run(engine, c, List.of(new StyleTransfer.Style(RED_BLUE, 1)),
                StyleTransfer.Settings.defaults(layers).withSteps(5).withPreserveColors(true), List.of(frames));
        assertEquals(new io.convscope.optimize.PixelParam(1, 1, 32, 48, 0).size(), r.optimization().image().length, "one channel optimised");
        assertEquals(3 * 32 * 48, seen.get(4).length, "listeners see colour");
        // the result is the optimised luminance in the content's colours
        assertArrayEquals(Colors.withLuminance(r.optimization().image(), c.rgb(), 32, 48), r.image().rgb(), 1e-6f);
        assertTrue(r.optimization().losses()[4] < r.optimization().losses()[0] / 2, Arrays.toString(r.optimization().losses()));
    }

    @Test
    void aStyleOfWeightZeroChangesNothingAndTwoStylesBlend() {
        StyleTransfer.Image c = content(32, 48);
        StyleTransfer.Settings s = StyleTransfer.Settings.defaults(layers).withSteps(2);
        float[] one = StyleTransfer.run(engine, c, List.of(new StyleTransfer.Style(RED_BLUE, 2)), s, List.of()).image().rgb();
        float[] withZero = StyleTransfer.run(engine, c, List.of(new StyleTransfer.Style(RED_BLUE, 1),
                new StyleTransfer.Style(YELLOW_BLACK, 0)), s, List.of()).image().rgb();
        assertArrayEquals(one, withZero);
        float[] blend = StyleTransfer.run(engine, c, List.of(new StyleTransfer.Style(RED_BLUE, 1),
                new StyleTransfer.Style(YELLOW_BLACK, 1)), s, List.of()).image().rgb();
        assertTrue(!Arrays.equals(one, blend));
    }

    @Test
    void noiseStartsRepeatWithTheirSeed() {
        StyleTransfer.Image c = content(32, 48);
        StyleTransfer.Settings s = StyleTransfer.Settings.defaults(layers).withSteps(1).withStart(StyleTransfer.Start.NOISE, 5);
        List<StyleTransfer.Style> st = List.of(new StyleTransfer.Style(RED_BLUE, 1));
        float[] a = StyleTransfer.run(engine, c, st, s, List.of()).image().rgb();
        assertArrayEquals(a, StyleTransfer.run(engine, c, st, s, List.of()).image().rgb());
        assertTrue(!Arrays.equals(a, StyleTransfer.run(engine, c, st, s.withStart(StyleTransfer.Start.NOISE, 6), List.of()).image().rgb()));
        float[] adam = StyleTransfer.run(engine, c, st, s.withMethod(io.convscope.optimize.Optimizer.Kind.ADAM, 0.05), List.of()).image().rgb();
        assertEquals(a.length, adam.length);
    }

    /** Resident memory of this process (VmRSS), bytes; -1 where /proc is absent. */
    static long rss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    @Test
    void fiftyStepsDoNotGrowNativeMemory() {
        org.junit.jupiter.api.Assumptions.assumeTrue(rss() > 0, "skipped: no /proc/self/status on this system");
        StyleTransfer.Image c = content(24, 32);
        long[] at = new long[2];
        Listener probe = new Listener() {
            @Override
            public void step(int step, double loss, double[] terms, Supplier<float[]> image) {
                if (step == 10) {
                    at[0] = rss();
                } else if (step == 60) {
                    at[1] = rss();
                }
            }
        };
        StyleTransfer.run(engine, c, List.of(new StyleTransfer.Style(RED_BLUE, 1)),
                StyleTransfer.Settings.defaults(layers).withSteps(60).withMethod(io.convscope.optimize.Optimizer.Kind.ADAM, 0.05), List.of(probe));
        long growth = at[1] - at[0];
        System.out.printf("RSS after 10 steps %d MB, after 60 %d MB: %+d kB over 50 steps%n", at[0] >> 20, at[1] >> 20, growth >> 10);
        assertTrue(growth < 24L << 20, "RSS grew by " + (growth >> 10) + " kB over 50 steps");
    }
}
