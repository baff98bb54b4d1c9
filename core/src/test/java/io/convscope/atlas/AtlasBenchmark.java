package io.convscope.atlas;

import io.convscope.activations.LayerSelection;
import io.convscope.data.FashionMnist;
import io.convscope.engine.Engine;
import io.convscope.image.Resize;
import io.convscope.model.ModelLoader;
import io.convscope.network.Network;
import io.convscope.util.Progress;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Atlas throughput and memory: the embedded model over Fashion-MNIST (the first {@code -Dimages=N},
 * default all 70,000), one block-end layer per block, top 9, batch {@code -Dbatch} (32). Prints images/s,
 * the peak Java heap (collected after each block: what stays live) and the peak resident size of the
 * process. Not a test (no Test suffix): run with
 * {@code mvn -o test -pl core -Dtest=AtlasBenchmark -Dsurefire.failIfNoSpecifiedTests=false -Dimages=10000}.
 */
public final class AtlasBenchmark {
    @org.junit.jupiter.api.Test
    void embeddedOverFashionMnist() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(FashionMnist.available(), "Fashion-MNIST is not installed");
        int images = Integer.getInteger("images", 70_000);
        int batch = Integer.getInteger("batch", 32);
        int threads = Integer.getInteger("threads", Math.max(1, Runtime.getRuntime().availableProcessors() - 1));
        Network model = ModelLoader.load(ModelLoader.Request.of(null), Progress.NONE);
        Dataset data = Dataset.open("fashion-mnist");
        AtlasJob job = new AtlasJob("fashion-mnist", LayerSelection.blockEnds(model), 9, batch, 28, 28, Resize.CROP, images);
        Network net = Atlas.prepare(model, job);
        long[] peakHeap = {0};
        long[] peakRss = {0};
        try (Engine e = Engine.create(net)) {
            long t0 = System.nanoTime();
            Atlas.computeBlocks(e, data, job, 0, job.blocks(job.images(data.size())), threads, (b, t) -> {
                System.gc();
                peakHeap[0] = Math.max(peakHeap[0], usedHeap());
                peakRss[0] = Math.max(peakRss[0], rss());
            }, Progress.NONE);
            double s = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "atlas benchmark: %d images, batch %d, %d decode threads: %.1f s, %.0f images/s, "
                    + "peak live heap %.1f MB, peak RSS %.0f MB%n", job.images(data.size()), batch, threads, s,
                    job.images(data.size()) / s, peakHeap[0] / 1e6, peakRss[0] / 1e6);
        }
    }

    static long usedHeap() {
        long used = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                used += p.getUsage().getUsed();
            }
        }
        return used;
    }

    static long rss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (Exception e) {
            return 0;
        }
        return 0;
    }
}
