package io.convscope.atlas;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.convscope.ConvscopeException;
import io.convscope.activations.LayerSelection;
import io.convscope.data.FashionMnist;
import io.convscope.engine.Engine;
import io.convscope.image.Resize;
import io.convscope.model.ModelLoader;
import io.convscope.network.Network;
import io.convscope.util.Progress;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The atlas computation on the embedded model over Fashion-MNIST images, against brute force. */
class AtlasTest {
    static final String NO_DATA = "Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)";
    static final int N = 1100; // three blocks, the last one short

    static Network model;
    static Dataset data;

    @BeforeAll
    static void load() {
        model = ModelLoader.load(ModelLoader.Request.of(null), Progress.NONE);
        data = FashionMnist.available() ? Dataset.open("fashion-mnist") : null;
    }

    static AtlasJob job(int batch) {
        return job(batch, N);
    }

    static AtlasJob job(int batch, int limit) {
        return new AtlasJob("fashion-mnist", LayerSelection.blockEnds(model), 9, batch, 28, 28, Resize.CROP, limit);
    }

    static Tally run(AtlasJob job, int threads) {
        Network net = Atlas.prepare(model, job);
        try (Engine e = Engine.create(net)) {
            return Atlas.run(e, data, job, new Atlas.Options(threads, null, false), Progress.NONE);
        }
    }

    @Test
    void topNineAndStatisticsMatchBruteForce() {
        assumeTrue(data != null, NO_DATA);
        AtlasJob job = job(32);
        Tally t = run(job, 2);
        assertEquals(N, t.images());
        Network net = Atlas.prepare(model, job);
        List<String> layers = job.layers();
        // brute force: every activation of every image, in the same batches (32 from 0: blocks of 512 align)
        List<float[][]> maxima = new ArrayList<>(); // per layer: [image][channel]
        double[][] sums = new double[layers.size()][];
        try (Engine e = Engine.create(net)) {
            for (int l = 0; l < layers.size(); l++) {
                maxima.add(new float[N][]);
                sums[l] = new double[t.channels(l)];
            }
            for (int s = 0; s < N; s += 32) {
                int n = Math.min(32, N - s); // 512 is a multiple of 32: these are the run's batches
                float[] x = new float[n * 784];
                for (int j = 0; j < n; j++) {
                    System.arraycopy(Atlas.input(net, job, data, s + j), 0, x, j * 784, 784);
                }
                try (NDManager m = e.manager().newSubManager()) {
                    Map<String, NDArray> out = e.forward(e.input(m, x, n, 1, 28, 28), layers);
                    for (int l = 0; l < layers.size(); l++) {
                        float[] a = out.get(layers.get(l)).toFloatArray();
                        int c = t.channels(l);
                        int plane = t.height(l) * t.width(l);
                        for (int j = 0; j < n; j++) {
                            float[] mx = new float[c];
                            for (int ch = 0; ch < c; ch++) {
                                float best = Float.NEGATIVE_INFINITY;
                                double sum = 0;
                                for (int p = 0; p < plane; p++) {
                                    float v = a[j * c * plane + ch * plane + p];
                                    best = Math.max(best, v);
                                    sum += v;
                                }
                                mx[ch] = best;
                                sums[l][ch] += sum / plane;
                            }
                            maxima.get(l)[s + j] = mx;
                        }
                    }
                }
            }
        }
        for (int l = 0; l < layers.size(); l++) {
            for (int ch = 0; ch < t.channels(l); ch++) {
                final int lf = l;
                final int cf = ch;
                Integer[] order = new Integer[N];
                for (int i = 0; i < N; i++) {
                    order[i] = i;
                }
                Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> -maxima.get(lf)[i][cf]).thenComparingInt(i -> i));
                assertEquals(9, t.topCount(l, ch));
                for (int r = 0; r < 9; r++) {
                    assertEquals(order[r], t.topImage(l, ch, r), layers.get(l) + " unit " + ch + " rank " + r);
                    assertEquals(maxima.get(l)[order[r]][ch], t.topValue(l, ch, r));
                }
                assertEquals(sums[l][ch] / N, t.mean(l, ch), 1e-9 * (1 + Math.abs(sums[l][ch] / N)));
                float max = Float.NEGATIVE_INFINITY;
                for (int i = 0; i < N; i++) {
                    max = Math.max(max, maxima.get(l)[i][ch]);
                }
                assertEquals(max, t.max(l, ch));
                assertEquals(max <= 0, t.dead(l, ch));
            }
        }
        // per-class means average to the overall mean, weighted by class counts
        double weighted = 0;
        for (int c = 0; c < t.classes(); c++) {
            weighted += t.classMean(0, 3, c) * t.classCount(c);
        }
        assertEquals(t.mean(0, 3), weighted / N, 1e-9);
    }

    @Test
    void sameBytesForOneAndTwoThreadsAndOnRerun() {
        assumeTrue(data != null, NO_DATA);
        byte[] one = run(job(32, 600), 1).toBytes();
        byte[] two = run(job(32, 600), 2).toBytes();
        byte[] again = run(job(32, 600), 2).toBytes();
        assertArrayEquals(one, two);
        assertArrayEquals(two, again);
    }

    @Test
    void batchOneAndThirtyTwoAgreeOnImagesAndOrder() {
        assumeTrue(data != null, NO_DATA);
        Tally a = run(job(1, 256), 2);
        Tally b = run(job(32, 256), 2);
        for (int l = 0; l < a.layers().size(); l++) {
            for (int ch = 0; ch < a.channels(l); ch++) {
                for (int r = 0; r < a.topCount(l, ch); r++) {
                    assertEquals(a.topImage(l, ch, r), b.topImage(l, ch, r));
                    float va = a.topValue(l, ch, r);
                    assertEquals(va, b.topValue(l, ch, r), 1e-5 * Math.max(1e-6, Math.abs(va)));
                }
            }
        }
    }

    @Test
    void resumeAfterAnInterruptionGivesTheSameBytes(@TempDir Path dir) {
        assumeTrue(data != null, NO_DATA);
        AtlasJob job = job(32);
        byte[] whole = run(job, 2).toBytes();
        Network net = Atlas.prepare(model, job);
        Path cp = dir.resolve("atlas.checkpoint");
        try (Engine e = Engine.create(net)) {
            Progress stopper = new Progress() {
                @Override
                public void start(String what, long total, Unit unit) {
                }

                @Override
                public void advance(long done) {
                    if (done >= 600) {
                        throw new IllegalStateException("interrupted");
                    }
                }

                @Override
                public void finish() {
                }
            };
            assertThrows(IllegalStateException.class, () -> Atlas.run(e, data, job, new Atlas.Options(2, cp, false), stopper));
            Atlas.Checkpoint c = Atlas.Checkpoint.read(cp);
            assertEquals(1, c.blocks(), "the first block was done when the run stopped");
            assertEquals(512, c.tally().images());
            Tally resumed = Atlas.run(e, data, job, new Atlas.Options(1, cp, true), Progress.NONE);
            assertArrayEquals(whole, resumed.toBytes());
            // a checkpoint of another job is refused
            AtlasJob other = new AtlasJob("fashion-mnist", job.layers(), 5, 32, 28, 28, Resize.CROP, N);
            assertThrows(ConvscopeException.class, () -> Atlas.run(e, data, other, new Atlas.Options(1, cp, true), Progress.NONE));
        }
    }

    /**
     * A run stopped the way a signal stops it (the engine's step-boundary check throws) writes its
     * checkpoint on the way out, although writes of results are refused by then; a site being written
     * when the stop comes is removed, and the older site stays as it was.
     */
    @Test
    @org.junit.jupiter.api.Tag("slow")
    void aStoppedRunKeepsItsCheckpointAndLeavesNoHalfSite(@TempDir Path dir) throws Exception {
        assumeTrue(data != null, NO_DATA);
        AtlasJob job = job(32);
        Network net = Atlas.prepare(model, job);
        Path cp = dir.resolve("atlas.checkpoint");
        boolean[] stop = {false};
        Progress stopAfter600 = new Progress() {
            @Override
            public void start(String what, long total, Unit unit) {
            }

            @Override
            public void advance(long done) {
                stop[0] |= done >= 600;
            }

            @Override
            public void finish() {
            }
        };
        try (Engine e = Engine.create(net)) {
            io.convscope.util.Interrupts.cancelWhen(() -> stop[0]);
            try {
                assertThrows(io.convscope.util.Interrupts.Cancelled.class,
                        () -> Atlas.run(e, data, job, new Atlas.Options(1, cp, false), stopAfter600));
            } finally {
                io.convscope.util.Interrupts.cancelWhen(null);
            }
            Atlas.Checkpoint c = Atlas.Checkpoint.read(cp);
            assertTrue(c != null, "the checkpoint was written on the way out");
            assertEquals(1, c.blocks());
            assertEquals(512, c.tally().images());

            // the site: an old one stays whole when writing the new one is stopped half-way
            Path site = dir.resolve("site");
            Files.createDirectories(site);
            Files.writeString(site.resolve("index.html"), "the old site");
            Tally t = c.tally();
            stop[0] = false;
            long[] projected = {0};
            Progress stopWhileProjecting = new Progress() {
                @Override
                public void start(String what, long total, Unit unit) {
                }

                @Override
                public void advance(long done) {
                    projected[0] = done;
                    stop[0] |= done >= 100;
                }

                @Override
                public void finish() {
                }
            };
            io.convscope.util.Interrupts.cancelWhen(() -> stop[0]);
            try {
                assertThrows(io.convscope.util.Interrupts.Cancelled.class, () -> AtlasSite.write(net, job, data, t,
                        new AtlasSite.Options("m", null, 1, e), site, stopWhileProjecting));
            } finally {
                io.convscope.util.Interrupts.cancelWhen(null);
            }
            assertTrue(projected[0] >= 100, "the stop came while the site was being written");
            assertEquals("the old site", Files.readString(site.resolve("index.html")));
            try (var left = Files.list(dir)) {
                assertEquals(List.of("atlas.checkpoint", "site"), left.map(p -> p.getFileName().toString()).sorted().toList(),
                        "no partial folder beside the site");
            }
        }
    }

    @Test
    void unreadableImagesAreSkippedCountedAndListed(@TempDir Path dir) throws Exception {
        Path a = dir.resolve("shoes");
        Files.createDirectories(a);
        Files.copy(Path.of("..", "samples", "fashion-mnist", "7_sneaker.png"), a.resolve("s1.png"));
        Files.copy(Path.of("..", "samples", "fashion-mnist", "9_ankle-boot.png"), a.resolve("s2.png"));
        Files.writeString(a.resolve("broken.png"), "not a png");
        Dataset d = Dataset.open(dir.toString());
        assertEquals(3, d.size());
        assertEquals(List.of("shoes"), d.classes());
        AtlasJob job = new AtlasJob(dir.toString(), List.of("block1_conv1"), 2, 2, 28, 28, Resize.CROP, 0);
        Network net = Atlas.prepare(model, job);
        try (Engine e = Engine.create(net)) {
            Tally t = Atlas.run(e, d, job, Atlas.Options.defaults(), Progress.NONE);
            assertEquals(2, t.images());
            assertEquals(1, t.failed());
            assertTrue(t.failures().get(0).startsWith("shoes/broken.png"), t.failures().toString());
            Files.writeString(a.resolve("s1.png"), "broken too");
            Files.writeString(a.resolve("s2.png"), "and this");
            ConvscopeException all = assertThrows(ConvscopeException.class,
                    () -> Atlas.run(e, d, job, Atlas.Options.defaults(), Progress.NONE));
            assertTrue(all.getMessage().startsWith("none of the 3 images"), all.getMessage());
        }
    }

    @Test
    void badInputs(@TempDir Path dir) {
        assertThrows(ConvscopeException.class, () -> Dataset.open(dir.toString()), "empty folder");
        assertThrows(ConvscopeException.class, () -> Dataset.open(dir.resolve("nope").toString()));
        AtlasJob flat = new AtlasJob("x", List.of("flatten"), 9, 1, 28, 28, Resize.CROP, 0);
        String name = model.nodes().stream().filter(n -> !n.outputShape().isSpatial()).findFirst().orElseThrow().name();
        AtlasJob noMaps = new AtlasJob("x", List.of(name), 9, 1, 28, 28, Resize.CROP, 0);
        ConvscopeException e = assertThrows(ConvscopeException.class, () -> Atlas.prepare(model, noMaps));
        assertTrue(e.getMessage().contains("no spatial feature maps"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new AtlasJob("x", List.of("a"), 0, 1, 28, 28, Resize.CROP, 0));
        assertTrue(flat.blockSize() >= 512);
    }

    /**
     * A walk of many deconvnet projections (several units and positions per image, images repeated and
     * interleaved, so the engine gets each image once and repeats it natively) gives, for every
     * activation, exactly the projection that a walk of that one activation gives; at both layers, so
     * that the walk cut at a lower layer is checked too. (Walks always have the same size: the kernels
     * round differently at other batch sizes, by about one unit in the last place.)
     */
    @Test
    void batchedProjectionsEqualOneAtATimeExactly() {
        Dataset d = Dataset.open(Path.of("..", "samples", "fashion-mnist").toString());
        AtlasJob job = new AtlasJob(d.spec(), LayerSelection.blockEnds(model), 9, 4, 28, 28, Resize.CROP, 0);
        Network net = Atlas.prepare(model, job);
        float[][] xs = new float[3][];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = Atlas.input(net, job, d, 2 * i + 1);
        }
        try (Engine e = Engine.create(net);
             io.convscope.explain.Backprop walk = new io.convscope.explain.Backprop(net, e.device())) {
            for (String layer : job.layers()) {
                var out = net.node(layer).outputShape();
                List<Projections.Request> req = new ArrayList<>();
                for (int k = 0; k < 14; k++) {
                    float[] x = xs[(k * 5) % xs.length]; // the same array again and again, not in image order
                    req.add(new Projections.Request(x, (7 * k + 3) % out.channels(), (3 * k) % out.height(), (5 * k + 1) % out.width()));
                }
                int size = 16; // the walks' size (the site's is larger: Projections.perWalk), filled up with zero seeds
                float[][] batched = Projections.deconvnet(walk, net, layer, req, 1, 28, 28, size);
                assertEquals(req.size(), batched.length);
                int nonZero = 0;
                for (int k = 0; k < req.size(); k++) {
                    float[][] one = Projections.deconvnet(walk, net, layer, List.of(req.get(k)), 1, 28, 28, size);
                    assertArrayEquals(one[0], batched[k], layer + " request " + k);
                    nonZero += anyNonZero(batched[k]) ? 1 : 0;
                }
                assertTrue(nonZero >= req.size() / 2, layer + ": most projections are not empty (" + nonZero + ")");
                assertTrue(!Arrays.equals(batched[0], batched[1]) && !Arrays.equals(batched[0], batched[3]),
                        "other units, positions and images project differently");
            }
        }
    }

    private static boolean anyNonZero(float[] v) {
        for (float f : v) {
            if (f != 0) {
                return true;
            }
        }
        return false;
    }
}
