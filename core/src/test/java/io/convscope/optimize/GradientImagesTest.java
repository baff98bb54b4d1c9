package io.convscope.optimize;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.convscope.embedded.EmbeddedModel;
import io.convscope.engine.Engine;
import io.convscope.image.ImageLoader;
import io.convscope.image.ImageTensor;
import io.convscope.image.Resize;
import io.convscope.keras.Fixtures;
import io.convscope.model.ModelLoader;
import io.convscope.network.Network;
import io.convscope.network.Preprocessing;
import io.convscope.util.Progress;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The three gradient methods on real networks, small and few steps: the embedded Fashion-MNIST model
 * always, SqueezeNet 1.1 from ../shared/fixtures when it is there.
 */
class GradientImagesTest {

    static GradientImages.Settings quick(GradientImages.Settings s, int size, int steps) {
        return s.withSize(size).withSteps(steps);
    }

    /** Each image's probability for its target class under {@code net} at its own input size. */
    static double[] probabilities(Network net, Optimization.Result r, int[] classes) {
        List<java.awt.image.BufferedImage> pics = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < classes.length; i++) {
            pics.add(Listeners.picture(r.image(), r.shape(), i)); // 8-bit, as saved
            names.add("c" + classes[i]);
        }
        ImageTensor x = ImageTensor.of(pics, names, net.inputShape(), net.preprocessing(), Resize.STRETCH);
        try (Engine e = Engine.create(net); NDManager m = e.manager().newSubManager()) {
            float[][] p = e.predict(e.input(m, x.data(), x.n(), x.c(), x.h(), x.w()));
            double[] out = new double[classes.length];
            for (int i = 0; i < classes.length; i++) {
                out[i] = p[i][classes[i]];
            }
            return out;
        }
    }

    @Test
    @Tag("slow")
    void classImagesOfTheEmbeddedModelAreClassifiedAsTheirClass() {
        Network net = EmbeddedModel.load();
        int[] classes = GradientImages.classIndices(net, List.of("sneaker", "BAG", "3"));
        assertEquals(List.of(7, 8, 3), Arrays.stream(classes).boxed().toList());
        Optimization.Result r = GradientImages.classes(net, classes, quick(GradientImages.Settings.classes(), 28, 80), List.of());
        double[] p = probabilities(net, r, classes);
        System.out.println("embedded classviz p(class) = " + Arrays.toString(p));
        for (double v : p) {
            assertTrue(v >= 0.9, Arrays.toString(p));
        }
    }

    @Test
    void classNamesAreMatchedWithSuggestions() {
        Network net = EmbeddedModel.load();
        var e = assertThrows(io.convscope.ConvscopeException.class, () -> GradientImages.classIndices(net, List.of("sneakr")));
        assertTrue(e.getMessage().contains("no class named 'sneakr'") && e.getMessage().contains("sneaker"), e.getMessage());
        var range = assertThrows(io.convscope.ConvscopeException.class, () -> GradientImages.classIndices(net, List.of("10")));
        assertTrue(range.getMessage().contains("0–9"), range.getMessage());
    }

    @Test
    @Tag("slow")
    void reconstructionLosesDetailWithDepth() {
        Network net = EmbeddedModel.load();
        float[] img = sample(net);
        GradientImages.Settings s = quick(GradientImages.Settings.reconstruction(), 28, 60);
        GradientImages.Reconstruction first = GradientImages.reconstruct(net, img, 28, 28, "block1_conv1", s, List.of());
        GradientImages.Reconstruction last = GradientImages.reconstruct(net, img, 28, 28, "block2_pool", s, List.of());
        System.out.printf("embedded reconstruction error: block1_conv1 %.4f, block2_pool %.4f%n", first.error(), last.error());
        assertTrue(first.error() <= 0.05, "first block: " + first.error());
        assertTrue(last.error() > first.error(), first.error() + " vs " + last.error());
        // the loss fell from the noise start
        assertTrue(first.losses()[first.losses().length - 1] < first.losses()[0] / 10, Arrays.toString(first.losses()));
    }

    @Test
    @Tag("slow")
    void smallImagesAreReconstructedInFourierSpaceSoPooledLayersConverge() {
        // pixels stalled on the embedded model: block1_pool 0.355 after 150 steps, worse than block2_pool 0.192
        assertTrue(GradientImages.Settings.reconstruction(28, 28).fourier());
        assertFalse(GradientImages.Settings.reconstruction(224, 224).fourier());
        assertEquals(0, GradientImages.Settings.reconstruction(28, 28).size());
        Network net = EmbeddedModel.load();
        float[] img = sample(net);
        GradientImages.Settings s = GradientImages.Settings.reconstruction(28, 28).withSize(28).withSteps(60);
        GradientImages.Reconstruction pool1 = GradientImages.reconstruct(net, img, 28, 28, "block1_pool", s, List.of());
        GradientImages.Reconstruction pool2 = GradientImages.reconstruct(net, img, 28, 28, "block2_pool", s, List.of());
        System.out.printf("embedded reconstruction error (60 steps): block1_pool %.4f, block2_pool %.4f%n", pool1.error(),
                pool2.error());
        assertTrue(pool1.error() < 0.02, "block1_pool: " + pool1.error());
        assertTrue(pool2.error() > pool1.error(), pool1.error() + " vs " + pool2.error());
    }

    @Test
    @Tag("slow")
    void channelImagesAreAllDifferent() {
        Network net = EmbeddedModel.load();
        int[] channels = new int[16];
        for (int i = 0; i < 16; i++) {
            channels[i] = i;
        }
        Optimization.Result r = GradientImages.channels(net, "block2_conv1", channels, quick(GradientImages.Settings.channels(), 28, 30), List.of());
        assertEquals(16, r.shape()[0]);
        assertEquals(16, distinctTiles(r), "two channels gave the same picture");
    }

    static int distinctTiles(Optimization.Result r) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < r.shape()[0]; i++) {
            seen.add(Arrays.toString(io.convscope.render.Images.pixels(Listeners.picture(r.image(), r.shape(), i))));
        }
        return seen.size();
    }

    static float[] sample(Network net) {
        Path p = Path.of("..", "samples", "fashion-mnist", "7_sneaker.png");
        Assumptions.assumeTrue(Files.isRegularFile(p), "sample image absent: " + p.toAbsolutePath());
        return ImageTensor.of(ImageLoader.load(p), p.toString(), net.inputShape(), Preprocessing.UNIT, Resize.CROP).data();
    }

    // ---- SqueezeNet 1.1 (fixture) ---------------------------------------------------------------

    static Network squeezenet() {
        Path f = Fixtures.fixture("models/squeezenet1.1/model.onnx");
        Assumptions.assumeTrue(Files.isRegularFile(f), "fixture absent: " + f);
        Network net = ModelLoader.load(ModelLoader.Request.of(f.toString()), Progress.NONE);
        List<String> labels;
        try {
            labels = new ArrayList<>();
            for (String line : Files.readAllLines(Fixtures.fixture("models/squeezenet1.1/labels.txt"))) {
                String name = line.replaceFirst("^n\\d+\\s+", "");
                labels.add(name.split(",")[0].strip());
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return net.withPreprocessing(Preprocessing.TORCH).withLabels(labels);
    }

    @Test
    @Tag("slow")
    void squeezenetClassImagesAreClassifiedAsTheirClass() {
        Network net = squeezenet();
        int[] classes = GradientImages.classIndices(net, List.of("Egyptian cat", "goldfish", "volcano", "espresso", "daisy"));
        // short for CI: 48 steps at the model's 224 px (its last pooling is a fixed 13×13 window)
        Optimization.Result r = GradientImages.classes(net, classes, quick(GradientImages.Settings.classes(), 224, 48), List.of());
        double[] p = probabilities(net, r, classes);
        System.out.println("squeezenet classviz p(class) = " + Arrays.toString(p));
        for (double v : p) {
            assertTrue(v >= 0.9, Arrays.toString(p));
        }
    }

    @Test
    @Tag("slow")
    void squeezenetReconstructionFromTheFirstBlockIsClose() {
        Network net = squeezenet();
        Path cat = Fixtures.fixture("images/chelsea.png");
        float[] img = ImageTensor.of(ImageLoader.load(cat), "chelsea", io.convscope.network.TensorShape.chw(3, 112, 112),
                Preprocessing.UNIT, Resize.CROP).data();
        GradientImages.Reconstruction r = GradientImages.reconstruct(net, img, 112, 112, "squeezenet0_relu0",
                quick(GradientImages.Settings.reconstruction(), 112, 60), List.of());
        System.out.printf("squeezenet reconstruction error, first block: %.4f%n", r.error());
        assertTrue(r.error() <= 0.05, "error " + r.error());
    }

    @Test
    @Tag("slow")
    void squeezenetChannelGridHasNoTwoIdenticalTiles() {
        Network net = squeezenet();
        int[] channels = new int[64];
        for (int i = 0; i < 64; i++) {
            channels[i] = i;
        }
        // concat1 joins two ReLUs: channels dead on the grey start would all stay grey (identical) after
        // the ReLU, so they are optimised before it
        Optimization.Result r = GradientImages.channels(net, "squeezenet0_concat1", channels, quick(GradientImages.Settings.channels(), 48, 12), List.of());
        assertEquals(64, distinctTiles(r));
    }

    @Test
    void channelsAreTakenBeforeTheirRelu() {
        Network net = squeezenet();
        java.util.Set<String> linear = new HashSet<>();
        // concat1 = [relu5 (64), relu6 (64)]; relu6 is the ReLU of conv6
        assertEquals(new GradientImages.Target("squeezenet0_conv6", 6), GradientImages.preRelu(net, "squeezenet0_concat1", 70, linear));
        assertEquals(new GradientImages.Target("squeezenet0_conv5", 3), GradientImages.preRelu(net, "squeezenet0_concat1", 3, linear));
        assertTrue(linear.isEmpty());
        Network embedded = EmbeddedModel.load(); // Keras convolutions with the ReLU fused
        assertEquals(new GradientImages.Target("block2_conv1", 5), GradientImages.preRelu(embedded, "block2_conv1", 5, linear));
        assertEquals(java.util.Set.of("block2_conv1"), linear);
        assertEquals(io.convscope.network.Activation.LINEAR, ((io.convscope.network.Layer.Conv2D) GradientImages.linearized(embedded, linear)
                .node("block2_conv1").layer()).activation());
    }
}
