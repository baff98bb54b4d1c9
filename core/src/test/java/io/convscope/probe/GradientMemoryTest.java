package io.convscope.probe;

import io.convscope.TooLargeException;
import io.convscope.embedded.EmbeddedModel;
import io.convscope.keras.Fixtures;
import io.convscope.memory.MemoryLimits;
import io.convscope.memory.MemoryNeed;
import io.convscope.model.ModelLoader;
import io.convscope.network.Activation;
import io.convscope.network.Layer;
import io.convscope.network.Network;
import io.convscope.network.Padding;
import io.convscope.network.TensorShape;
import io.convscope.optimize.GradientImages;
import io.convscope.optimize.GradientMemory;
import io.convscope.optimize.Optimizer;
import io.convscope.util.Progress;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 13 item 2: classviz, filters and reconstruct estimate their memory and refuse, before
 * anything runs, what would not fit, naming the largest size that does. Limits are passed in, so
 * nothing large is allocated.
 */
class GradientMemoryTest {
    private static final long GB = 1L << 30;
    /** The surefire JVM's -Xmx3g and a 23 GB machine: what the issue's run had, about. */
    private static final MemoryLimits SMALL = new MemoryLimits(3 * GB, 23 * GB, Long.MAX_VALUE);

    /** Input 1×8×8 → Conv2D 2 filters 3×3 same with bias: 20 parameters. */
    static Network tiny() {
        return new Network.Builder("tiny").input("in", TensorShape.chw(1, 8, 8))
                .add("c", new Layer.Conv2D(2, 3, 3, 1, 1, 1, 1, Padding.SAME, 1, true, Activation.RELU), "in")
                .buildWithoutParams().withRandomParams(1);
    }

    @Test
    void theEstimateIsTheSumWrittenOutByHand() {
        Network net = tiny();
        assertEquals(20, net.paramCount());
        MemoryNeed adam = GradientMemory.of(net, List.of("c"), net.paramCount(), 3, 1, 8, 8, Optimizer.Kind.ADAM, 0);
        // native: weights twice (80 + 80 B), 5 copies of the batch's outputs (3 × (64 + 128) floats = 3 × 768 B),
        // 8 copies of the batch's images (3 × 64 floats), the Fourier matrices (16 × (64 + 64) B), 300 MB of runtime
        assertEquals(160 + 5 * 3 * 768 + 8 * 4 * 192 + 2048 + 300L * 1024 * 1024, adam.nativeBytes());
        // heap: Adam's θ, g (floats) and m, v (doubles) = 24 B per parameter, 3 float copies of the batch,
        // the pictures (ARGB), the Fourier matrices
        assertEquals(24 * 192 + 12 * 192 + 4 * 3 * 64 + 2048, adam.heapBytes());
        MemoryNeed lbfgs = GradientMemory.of(net, List.of("c"), net.paramCount(), 3, 1, 8, 8, Optimizer.Kind.LBFGS, 10);
        assertEquals(adam.nativeBytes(), lbfgs.nativeBytes());
        // L-BFGS: 2 × 10 + 6 double vectors and one more; a GIF: 10 frames of the batch
        assertEquals(26 * 8 * 192 + 8 * 192 + 12 * 192 + 4 * 3 * 64 + 10 * 3 * 64 * 4 + 2048, lbfgs.heapBytes());
    }

    @Test
    void fitsComparesTheRightParts() {
        MemoryNeed n = new MemoryNeed(10 * GB, 2 * GB);
        assertTrue(n.fits(new MemoryLimits(2 * GB, 12 * GB, Long.MAX_VALUE)));
        assertFalse(n.fits(new MemoryLimits(2 * GB - 1, 100 * GB, Long.MAX_VALUE)), "heap");
        assertFalse(n.fits(new MemoryLimits(3 * GB, 12 * GB - 1, Long.MAX_VALUE)), "native + heap in the machine");
        assertTrue(n.fits(new MemoryLimits(3 * GB, 3 * GB, 10 * GB)), "on a GPU the native part goes there");
        assertFalse(n.fits(new MemoryLimits(3 * GB, 3 * GB, 10 * GB - 1)));
    }

    @Test
    void largestFittingIsTheBoundaryByBruteForce() {
        MemoryLimits limits = new MemoryLimits(1000, Long.MAX_VALUE, Long.MAX_VALUE);
        java.util.function.IntFunction<MemoryNeed> at = s -> new MemoryNeed(0, (long) s * s / 10);
        int best = MemoryNeed.largestFitting(limits, 4096, 8, at);
        int brute = 0;
        for (int s = 16; s < 4096; s += 8) {
            if (at.apply(s).fits(limits)) {
                brute = s;
            }
        }
        assertEquals(brute, best);
        assertEquals(96, best); // 96² / 10 = 921 ≤ 1000 < 104² / 10
    }

    @Test
    void filtersOnTheEmbeddedModelAreRefusedWithASizeThatFits() {
        Network net = EmbeddedModel.load();
        GradientImages.Settings s = GradientImages.Settings.channels().withSize(2000).withSteps(1);
        FiltersRequest q = new FiltersRequest("block1_conv1", FiltersRequest.range(0, 31), null, null, 8, s, null, Path.of("unused"));
        TooLargeException e = assertThrows(TooLargeException.class, () -> q.plan(net, SMALL));
        assertEquals(TooLargeException.Limit.HEAP, e.limit());
        assertTrue(e.neededBytes() > e.limitBytes());
        int fits = e.suggestedSize();
        assertTrue(fits >= 16 && fits < 2000, "suggested " + fits);
        assertTrue(GradientImages.channelsNeed(net, "block1_conv1", 32, s, fits, 0).fits(SMALL));
        assertFalse(GradientImages.channelsNeed(net, "block1_conv1", 32, s, fits + 8, 0).fits(SMALL));
        assertTrue(e.getMessage().startsWith("filters of 32 channels of block1_conv1 at 2000×2000 needs about "), e.getMessage());
        assertTrue(e.getMessage().contains("; size " + fits + " fits"), e.getMessage());
        // and the suggested size is planned without complaint
        FiltersPlan plan = new FiltersRequest("block1_conv1", FiltersRequest.range(0, 31), null, null, 8, s.withSize(fits), null,
                Path.of("unused")).plan(net, SMALL);
        assertEquals(32, plan.channels().length);
        assertEquals(32 + 2, plan.files().size());
    }

    static Network squeezenet() {
        Path f = Fixtures.fixture("models/squeezenet1.1/model.onnx");
        Assumptions.assumeTrue(Files.isRegularFile(f), "fixture absent: " + f);
        return ModelLoader.load(ModelLoader.Request.of(f.toString()), Progress.NONE);
    }

    @Test
    void theIssuesFiltersRunIsRefused() {
        Network net = squeezenet();
        GradientImages.Settings s = GradientImages.Settings.channels().withSize(2000).withSteps(1);
        long t = System.nanoTime();
        TooLargeException e = assertThrows(TooLargeException.class, () -> new FiltersRequest("squeezenet0_conv0",
                FiltersRequest.range(0, 63), null, null, 8, s, null, Path.of("unused")).plan(net, SMALL));
        assertTrue(System.nanoTime() - t < 5_000_000_000L, "refused at once");
        assertTrue(e.suggestedSize() > 0 && e.suggestedSize() < 2000, e.getMessage());
    }

    @Test
    void classvizAndReconstructAreRefusedToo() {
        Network net = squeezenet();
        GradientImages.Settings c = GradientImages.Settings.classes().withSize(4096);
        TooLargeException e = assertThrows(TooLargeException.class,
                () -> new ClassvizRequest(List.of("1", "2"), c, null, Path.of("unused")).plan(net, SMALL));
        assertTrue(e.suggestedSize() >= 224 && e.suggestedSize() < 4096, e.getMessage());
        assertTrue(GradientImages.classesNeed(net, 2, c, e.suggestedSize(), 0).fits(SMALL));
        assertTrue(e.getMessage().startsWith("classviz of 2 classes at 4096×4096 needs about"), e.getMessage());

        GradientImages.Settings r = GradientImages.Settings.reconstruction().withSize(4096);
        java.awt.image.BufferedImage pic = new java.awt.image.BufferedImage(64, 64, java.awt.image.BufferedImage.TYPE_INT_RGB);
        TooLargeException f = assertThrows(TooLargeException.class, () -> new ReconstructRequest(Path.of("x.png"), List.of(),
                io.convscope.image.Resize.CROP, r, null, Path.of("unused")).plan(pic, net, SMALL));
        assertTrue(f.suggestedSize() > 0 && f.suggestedSize() < 4096, f.getMessage());
        // the default sizes fit
        assertEquals(224, new ClassvizRequest(List.of("1", "2"), GradientImages.Settings.classes().withSize(0), null, Path.of("u"))
                .plan(net, SMALL).settings().size());
    }

    @Test
    void growsWithSizeAndBatch() {
        Network net = EmbeddedModel.load();
        GradientImages.Settings s = GradientImages.Settings.channels();
        MemoryNeed a = GradientImages.channelsNeed(net, "block2_conv1", 8, s, 64, 0);
        MemoryNeed b = GradientImages.channelsNeed(net, "block2_conv1", 8, s, 128, 0);
        MemoryNeed c = GradientImages.channelsNeed(net, "block2_conv1", 16, s, 64, 0);
        assertTrue(b.nativeBytes() > a.nativeBytes() && b.heapBytes() > a.heapBytes());
        assertTrue(c.nativeBytes() > a.nativeBytes() && c.heapBytes() > a.heapBytes());
    }
}
