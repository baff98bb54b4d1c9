package io.convscope.explain;

import io.convscope.image.ImageLoader;
import io.convscope.image.ImageTensor;
import io.convscope.image.Resize;
import io.convscope.keras.Fixtures;
import io.convscope.network.Network;
import io.convscope.network.Preprocessing;
import io.convscope.onnx.OnnxImporter;
import io.convscope.render.Images;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Attribution maps of SqueezeNet 1.1 (ONNX, ../shared/fixtures) on the fixture photos; skipped without the fixtures. */
class SqueezeNetExplainTest {

    static Network squeezenet() throws IOException {
        Path dir = Fixtures.fixture("models/squeezenet1.1");
        Assumptions.assumeTrue(Files.isRegularFile(dir.resolve("model.onnx")), "fixture absent: " + dir);
        List<String> labels = Files.readAllLines(dir.resolve("labels.txt")).stream().map(l -> l.substring(l.indexOf(' ') + 1))
                .map(l -> l.contains(",") ? l.substring(0, l.indexOf(',')) : l).toList();
        return OnnxImporter.load(dir.resolve("model.onnx")).withPreprocessing(Preprocessing.TORCH).withLabels(labels).withName("squeezenet1.1");
    }

    static BufferedImage photo(String name) {
        Path p = Fixtures.fixture("images/" + name);
        Assumptions.assumeTrue(Files.isRegularFile(p), "fixture absent: " + p);
        return ImageLoader.load(p);
    }

    /** Row and column of the largest value of an h × w map. */
    static int[] peak(float[] m, int w) {
        int a = MapOps.argmax(m);
        return new int[] {a / w, a % w};
    }

    @Test
    @Tag("slow")
    void gradcamOfEgyptianCatPeaksOnTheCat() throws IOException {
        Network net = squeezenet();
        ImageTensor x = ImageTensor.of(photo("chelsea.png"), "chelsea", net.inputShape(), net.preprocessing(), Resize.CROP);
        try (ExplainContext ctx = ExplainContext.of(net, Score.LOGIT, 8)) {
            int cat = Targets.of(List.of("egyptian CAT")).fixed(net, ctx.classes())[0];
            assertEquals("Egyptian cat", net.label(cat));
            GradCam cam = new GradCam(ctx, null);
            assertTrue(cam.layer().contains("fire9") || cam.layer().startsWith("Concat") || cam.layer().contains("concat"), cam.layer());
            float[] m = cam.attribute(x, new int[] {cat}).map(0);
            int[] p = peak(m, 224);
            System.out.printf("squeezenet1.1 chelsea gradcam(Egyptian cat) at %s peaks at row %d col %d%n", cam.layer(), p[0], p[1]);
            // the 224 centre crop shows the cat's head from x ≈ 0 to 210; the background is the right edge above the head
            assertTrue(p[1] < 200 && p[0] > 20, "peak at " + p[0] + "," + p[1]);
        }
    }

    @Test
    @Tag("slow")
    void eachClassMapPeaksOnItsOwnHalfOfTwoPhotosSideBySide() throws IOException {
        Network net = squeezenet();
        BufferedImage cat = photo("chelsea.png");
        BufferedImage cup = photo("coffee.png");
        BufferedImage both = Images.create(448, 224, 0);
        Images.draw(both, io.convscope.image.Resampler.resize(square(cat), 224, 224), 0, 0);
        Images.draw(both, io.convscope.image.Resampler.resize(square(cup), 224, 224), 224, 0);
        ImageTensor x = ImageTensor.of(both, "chelsea+coffee", net.inputShape(), net.preprocessing(), Resize.STRETCH);
        try (ExplainContext ctx = ExplainContext.of(net, Score.LOGIT, 8)) {
            float[] p = ctx.probabilities(x.data(), 1, 3, 224, 224)[0];
            int[] top = Targets.topK(p, 10);
            int catClass = -1;
            int cupClass = -1;
            for (int t : top) {
                String l = net.label(t).toLowerCase();
                if (catClass < 0 && (l.contains("cat") || l.equals("tabby"))) {
                    catClass = t;
                }
                if (cupClass < 0 && (l.contains("espresso") || l.contains("cup") || l.contains("coffee"))) {
                    cupClass = t;
                }
            }
            System.out.printf("side by side: cat class %s, cup class %s%n", catClass < 0 ? "-" : net.label(catClass),
                    cupClass < 0 ? "-" : net.label(cupClass));
            assertTrue(catClass >= 0 && cupClass >= 0, "both objects among the top 10");
            for (String method : List.of("gradcam", "gradcam++", "layercam")) {
                Attribution a = Methods.create(method, ctx, Methods.Settings.defaults());
                float[] mCat = a.attribute(x, new int[] {catClass}).map(0);
                float[] mCup = a.attribute(x, new int[] {cupClass}).map(0);
                int[] pc = peak(mCat, 224);
                int[] pu = peak(mCup, 224);
                System.out.printf("side by side %s: %s peaks at col %d, %s at col %d%n", method, net.label(catClass), pc[1],
                        net.label(cupClass), pu[1]);
                assertTrue(pc[1] < 112, method + ": the cat's map peaks on the left half, at column " + pc[1]);
                assertTrue(pu[1] >= 112, method + ": the cup's map peaks on the right half, at column " + pu[1]);
            }
        }
    }

    @Test
    @Tag("slow")
    void integratedGradientsAreCompleteAt256Steps() throws IOException {
        Network net = squeezenet();
        ImageTensor x = ImageTensor.of(photo("chelsea.png"), "chelsea", net.inputShape(), net.preprocessing(), Resize.CROP);
        try (ExplainContext ctx = ExplainContext.of(net, Score.LOGIT, 16)) {
            Maps m = new IntegratedGradients(ctx, IntegratedGradients.Baseline.BLACK, 256, 0).attribute(x, new int[] {285});
            double rel = Math.abs(m.completeness()[0]) / Math.abs(m.delta()[0]);
            System.out.printf("squeezenet1.1 IG 256 steps chelsea: f(x)-f(x')=%.4f completeness error %.3g (relative %.2e)%n",
                    m.delta()[0], m.completeness()[0], rel);
            assertTrue(rel < 1e-3, "relative completeness error " + rel);
        }
    }

    static BufferedImage square(BufferedImage img) {
        int s = Math.min(img.getWidth(), img.getHeight());
        int[] px = img.getRGB((img.getWidth() - s) / 2, (img.getHeight() - s) / 2, s, s, null, 0, s);
        BufferedImage out = new BufferedImage(s, s, BufferedImage.TYPE_INT_RGB);
        out.setRGB(0, 0, s, s, px, 0, s);
        return out;
    }
}
