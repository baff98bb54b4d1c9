package io.convscope.spark;

import io.convscope.activations.LayerSelection;
import io.convscope.atlas.Atlas;
import io.convscope.atlas.AtlasJob;
import io.convscope.atlas.Dataset;
import io.convscope.atlas.Tally;
import io.convscope.engine.Engine;
import io.convscope.image.Resize;
import io.convscope.model.ModelLoader;
import io.convscope.network.Network;
import io.convscope.network.Preprocessing;
import io.convscope.util.Progress;
import org.apache.spark.api.java.JavaSparkContext;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The atlas on one machine and on Spark local mode, on the same work in one run: images/s, the peak
 * live Java heap (sampled after a full collection every 2 s) and the peak resident size of the process
 * (the kernel's high-water mark, reset before each run), with the Spark result checked byte for byte
 * against the single machine's at the same batch size.
 *
 * <p>Runs, in this order ({@code -Druns=…}, comma-separated): {@code fm10k-single}, {@code fm10k-spark},
 * {@code fm70k-single}, {@code fm70k-spark} (the embedded model over the first 10,000 / all 70,000
 * Fashion-MNIST images, its block-end layers, top 9), {@code photos-single}, {@code photos-spark}
 * (SqueezeNet 1.1, {@code --preprocess torch}, its block-end layers over the folder {@code -Dphotos=DIR},
 * made by core's {@code AtlasPhotos}). Batch {@code -Dbatch} (32); Spark master {@code -Dmaster}
 * ({@code local[2]}); decoding threads on one machine {@code -Dthreads} (cores − 1). The Spark context
 * is started once, before its first run, and its start-up is printed apart. Not a test: run with
 * {@code mvn -o test -pl spark -am -Dtest=SparkAtlasBenchmark -Dsurefire.failIfNoSpecifiedTests=false}.
 */
public final class SparkAtlasBenchmark {
    @org.junit.jupiter.api.Test
    void singleMachineAndSparkLocalMode() throws Exception {
        List<String> runs = Arrays.asList(System.getProperty("runs",
                "fm10k-single,fm10k-spark,fm70k-single,photos-single,photos-spark").split(","));
        int batch = Integer.getInteger("batch", 32);
        int threads = Integer.getInteger("threads", Math.max(1, Runtime.getRuntime().availableProcessors() - 1));
        String master = System.getProperty("master", "local[2]");
        Map<String, byte[]> single = new HashMap<>();
        JavaSparkContext sc = null;
        System.out.printf(Locale.ROOT, "spark atlas benchmark: batch %d, %d decoding threads on one machine, Spark %s, %d cores%n",
                batch, threads, master, Runtime.getRuntime().availableProcessors());
        try {
            for (String run : runs) {
                String work = run.substring(0, run.indexOf('-'));
                boolean spark = run.endsWith("-spark");
                Network full;
                String dataset;
                int limit;
                if (work.equals("photos")) {
                    String photos = System.getProperty("photos");
                    Path onnx = Path.of("..", "..", "shared", "fixtures", "models", "squeezenet1.1", "model.onnx");
                    if (photos == null || !Files.isRegularFile(onnx)) {
                        System.out.println("  " + run + ": skipped (-Dphotos=DIR and " + onnx + " are needed)");
                        continue;
                    }
                    full = ModelLoader.load(ModelLoader.Request.of(onnx.toString()), Progress.NONE)
                            .withPreprocessing(Preprocessing.byName("torch"));
                    dataset = photos;
                    limit = 0;
                } else {
                    full = ModelLoader.load(ModelLoader.Request.of(null), Progress.NONE);
                    dataset = "fashion-mnist";
                    limit = Integer.parseInt(work.substring(2, work.length() - 1)) * 1000;
                }
                List<String> layers = new LayerSelection(List.of(), false, true, false).resolve(full);
                Dataset data = Dataset.open(dataset);
                int h = full.inputShape().height();
                int w = full.inputShape().width();
                AtlasJob job = new AtlasJob(data.spec(), layers, 9, batch, h, w, Resize.CROP, limit);
                Network net = Atlas.prepare(full, job);
                int images = job.images(data.size());
                if (spark && sc == null) {
                    long s0 = System.nanoTime();
                    sc = new JavaSparkContext(SparkAtlas.conf(master));
                    sc.setLogLevel("ERROR");
                    System.out.printf(Locale.ROOT, "  Spark context %s started in %.1f s%n", master, (System.nanoTime() - s0) / 1e9);
                }
                Memory mem = new Memory();
                String load0 = load();
                long t0 = System.nanoTime();
                Tally t;
                if (spark) {
                    t = SparkAtlas.run(sc, net, job, data, job.blocks(images), Progress.NONE);
                } else {
                    try (Engine e = Engine.create(net)) {
                        t = Atlas.run(e, data, job, new Atlas.Options(threads, null, false), Progress.NONE);
                    }
                }
                double s = (System.nanoTime() - t0) / 1e9;
                mem.stop();
                byte[] bytes = t.toBytes();
                String same = "";
                if (spark) {
                    byte[] ref = single.get(work);
                    same = ref == null ? ", no single-machine run to compare" : Arrays.equals(ref, bytes)
                            ? ", bytes identical to the single machine" : ", BYTES DIFFER FROM THE SINGLE MACHINE";
                } else {
                    single.put(work, bytes);
                }
                System.out.printf(Locale.ROOT, "  %-14s %-13s %6d images, %d units: %7.1f s, %6.1f images/s, peak live heap %6.1f MB, "
                                + "peak RSS %6.0f MB (load %s → %s)%s%n", run, net.name(), t.images(), units(t), s, t.images() / s,
                        mem.heap / 1e6, mem.hwm() / 1e6, load0, load(), same);
            }
        } finally {
            if (sc != null) {
                sc.close();
            }
        }
    }

    static int units(Tally t) {
        int u = 0;
        for (int l = 0; l < t.layers().size(); l++) {
            u += t.channels(l);
        }
        return u;
    }

    static String load() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (Exception e) {
            return "?";
        }
    }

    /** Peak live heap (after full collections, every 2 s) and the resident high-water mark from now on. */
    static final class Memory {
        volatile long heap;
        private final Thread sampler;
        private volatile boolean done;

        Memory() {
            resetHighWaterMark();
            System.gc();
            heap = usedHeap();
            sampler = new Thread(() -> {
                while (!done) {
                    try {
                        Thread.sleep(2000);
                    } catch (InterruptedException e) {
                        return;
                    }
                    System.gc();
                    heap = Math.max(heap, usedHeap());
                }
            }, "heap-sampler");
            sampler.setDaemon(true);
            sampler.start();
        }

        void stop() throws InterruptedException {
            done = true;
            sampler.interrupt();
            sampler.join();
            System.gc();
            heap = Math.max(heap, usedHeap());
        }

        long hwm() {
            return status("VmHWM:");
        }

        /** Linux: writing 5 to clear_refs resets the peak resident size (VmHWM) to the current one. */
        static void resetHighWaterMark() {
            try {
                Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            } catch (Exception e) {
                System.out.println("  (cannot reset the resident high-water mark: " + e + ")");
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

        static long status(String key) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                    if (line.startsWith(key)) {
                        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                    }
                }
            } catch (Exception e) {
                return 0;
            }
            return 0;
        }
    }
}
