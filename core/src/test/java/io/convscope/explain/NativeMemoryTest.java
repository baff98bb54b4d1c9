package io.convscope.explain;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.convscope.embedded.EmbeddedModel;
import io.convscope.image.ImageTensor;
import io.convscope.image.Resize;
import io.convscope.network.Network;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every method leaves no NDArray behind: after a first batch (which may create what the context keeps for the
 * run, such as {@link Backprop}'s per-node engines), further batches end with as many live arrays as before
 * them, and closing the context frees everything it made. Counted over the whole process (every manager is a
 * descendant of PyTorch's system manager), so an array attached anywhere, the engine's manager or another,
 * counts.
 */
class NativeMemoryTest {

    /** NDArrays alive in the process. */
    static int liveArrays() {
        try (NDManager probe = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            return probe.getParentManager().getManagedArrays().size();
        }
    }

    @Test
    void noMethodLeavesArraysBehind() throws Exception {
        Network net = EmbeddedModel.load();
        List<BufferedImage> pics = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int c : new int[] {0, 7, 8}) {
            try (InputStream in = EmbeddedModel.openSample(c)) {
                pics.add(javax.imageio.ImageIO.read(in));
            }
            names.add(EmbeddedModel.sampleFileName(c));
        }
        ImageTensor x = ImageTensor.of(pics, names, net.inputShape(), net.preprocessing(), Resize.STRETCH);
        int[] targets = {0, 7, 8};
        // batch 2: three images and every method's internal passes split into several batches
        Methods.Settings s = Methods.Settings.defaults().withSteps(6).withSamples(3).withMasks(5).withWindow(14, 7).withScorecamChannels(4);
        int before = liveArrays();
        List<String> leaks = new ArrayList<>();
        try (ExplainContext ctx = ExplainContext.of(net, Score.LOGIT, 2)) {
            for (String name : Methods.NAMES) {
                Attribution a = Methods.create(name, ctx, s);
                a.attribute(x, targets);
                int after1 = liveArrays();
                a.attribute(x, targets);
                int after2 = liveArrays();
                if (after2 != after1) {
                    leaks.add(name + ": " + (after2 - after1) + " arrays over one run");
                }
            }
            for (Score score : new Score[] {Score.PROB}) {
                try (ExplainContext p = ExplainContext.of(net, score, 2)) {
                    for (String name : List.of("saliency", "guided-backprop")) {
                        Attribution a = Methods.create(name, p, s);
                        a.attribute(x, targets);
                        int after1 = liveArrays();
                        a.attribute(x, targets);
                        int after2 = liveArrays();
                        if (after2 != after1) {
                            leaks.add(name + " (" + score + "): " + (after2 - after1) + " arrays over one run");
                        }
                    }
                }
            }
        }
        assertEquals(List.of(), leaks, "methods that leave arrays behind");
        assertEquals(before, liveArrays(), "arrays left after the context closed");
    }

    /** Bytes of direct buffers not yet freed, and the number of garbage collections so far. */
    static long[] directAndCollections() {
        long direct = 0;
        for (var pool : java.lang.management.ManagementFactory.getPlatformMXBeans(java.lang.management.BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                direct = pool.getMemoryUsed();
            }
        }
        long gcs = 0;
        for (var gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
            gcs += Math.max(0, gc.getCollectionCount());
        }
        return new long[] {direct, gcs};
    }

    /**
     * Input batches leave no native memory for the garbage collector: over passes between which no collection ran (so
     * nothing freed a direct buffer), the direct buffers not yet freed grow by less than one input batch (DJL's
     * {@code create(float[])} left one per pass, 1 MB here, until a collection's cleaner freed it).
     */
    @Test
    void batchesLeaveNoDirectBuffersForTheCollector() {
        int size = 256;
        // no convolution (its channels are padded to 16 on the CPU): a global average pool and a dense layer over a large input
        Network net = new Network.Builder("wide").preprocessing(io.convscope.network.Preprocessing.RAW).labels(List.of("zero", "one"))
                .input("input", io.convscope.network.TensorShape.chw(1, size, size))
                .add("gap", new io.convscope.network.Layer.GlobalPool(false, false), "input")
                .add("scores", new io.convscope.network.Layer.Dense(2, false, io.convscope.network.Activation.LINEAR), List.of("gap"),
                        java.util.Map.of("kernel", io.convscope.network.Tensor.of(new float[] {2f, -1f}, 2, 1)))
                .build();
        int n = 4;
        long batchBytes = (long) n * size * size * 4;
        float[] x = new float[n * size * size];
        java.util.SplittableRandom r = new java.util.SplittableRandom(1);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextDouble();
        }
        int[] targets = {1};
        try (ExplainContext ctx = ExplainContext.of(net, Score.LOGIT, n)) {
            ctx.logits(x, n, 1, size, size); // the first batch may set up what the context keeps
            ctx.inputGradient(x, n, 1, size, size, targets);
            for (int attempt = 0; attempt < 5; attempt++) {
                long[] before = directAndCollections();
                for (int pass = 0; pass < 3; pass++) {
                    ctx.logits(x, n, 1, size, size);
                    ctx.inputGradient(x, n, 1, size, size, targets);
                    ctx.activations(x, n, 1, size, size, "gap");
                }
                long[] after = directAndCollections();
                if (after[1] == before[1]) {
                    assertTrue(after[0] - before[0] < batchBytes, "direct buffers grew by " + (after[0] - before[0]) + " bytes over 9 passes of "
                            + batchBytes + "-byte batches");
                    return;
                }
            }
        }
        assumeTrue(false, "a garbage collection ran during every attempt");
    }
}
