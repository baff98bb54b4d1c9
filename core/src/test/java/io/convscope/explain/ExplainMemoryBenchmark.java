package io.convscope.explain;

import io.convscope.image.ImageLoader;
import io.convscope.image.ImageTensor;
import io.convscope.image.Resize;
import io.convscope.memory.MemoryLimits;
import io.convscope.network.Network;
import io.convscope.network.Preprocessing;
import io.convscope.onnx.OnnxImporter;
import io.convscope.probe.ExplainRequest;
import io.convscope.render.Colormap;
import io.convscope.render.Png;
import io.convscope.util.Progress;

import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The memory and CPU-default parts of {@link ExplainBenchmark} (see there). */
final class ExplainMemoryBenchmark {
    private ExplainMemoryBenchmark() {
    }

    static Network squeezenet(Path fixtures) throws Exception {
        Path model = fixtures.resolve("models/squeezenet1.1/model.onnx");
        List<String> labels = Files.readAllLines(fixtures.resolve("models/squeezenet1.1/labels.txt")).stream()
                .map(l -> l.substring(l.indexOf(' ') + 1)).toList();
        return OnnxImporter.load(model).withPreprocessing(Preprocessing.TORCH).withLabels(labels).withName("squeezenet1.1");
    }

    /** Image i of a set made from the four fixture photos: photo i % 4, a 3/4 crop at one of 13 offsets, mirrored every other. */
    static BufferedImage variant(List<BufferedImage> photos, int i) {
        BufferedImage img = photos.get(i % photos.size());
        int w = img.getWidth() * 3 / 4;
        int h = img.getHeight() * 3 / 4;
        int k = i / photos.size();
        int x0 = (img.getWidth() - w) * (k % 4) / 3;
        int y0 = (img.getHeight() - h) * ((k / 4) % 4) / 3;
        boolean mirror = k % 2 == 1;
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                out.setRGB(mirror ? w - 1 - x : x, y, img.getRGB(x0 + x, y0 + y));
            }
        }
        return out;
    }

    /** The batched methods the issue names: the default of {@code memory}. */
    static final String BATCHED = "occlusion,scorecam,rise,smoothgrad,integrated-gradients";

    static void parent(Path fixtures) throws Exception {
        parent(fixtures, BATCHED);
    }

    /** 10 then 50 images of {@code methods} (comma-separated), each in a JVM of its own. */
    static void parent(Path fixtures, String methods) throws Exception {
        if (!Files.isRegularFile(fixtures.resolve("models/squeezenet1.1/model.onnx"))) {
            System.out.println("fixture absent: " + fixtures);
            return;
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("java.class.path");
        List<String[]> results = new ArrayList<>();
        for (int n : new int[] {10, 50}) {
            // -DchildJvm="…": the children's JVM options (default -Xmx2g), e.g. a fixed, pre-touched heap to see native memory alone
            List<String> cmd = new ArrayList<>(List.of(java));
            cmd.addAll(List.of(System.getProperty("childJvm", "-Xmx2g").trim().split("\\s+")));
            cmd.addAll(List.of("-Dai.djl.offline=true", "-cp", cp, ExplainBenchmark.class.getName(), "memory-child", fixtures.toString(),
                    "" + n, methods));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().put("ONEDNN_MAX_CPU_ISA", "AVX2");
            Process p = pb.start();
            String last = null;
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    System.out.println("  [" + n + "] " + line);
                    if (line.startsWith("RESULT ")) {
                        last = line;
                    }
                }
            }
            if (p.waitFor() != 0 || last == null) {
                System.out.println("child for " + n + " images failed");
                return;
            }
            results.add(last.substring(7).split(" "));
        }
        long hwm10 = Long.parseLong(results.get(0)[1]);
        long hwm50 = Long.parseLong(results.get(1)[1]);
        long heap10 = Long.parseLong(results.get(0)[2]);
        long heap50 = Long.parseLong(results.get(1)[2]);
        System.out.println("methods " + methods + ", child JVM " + System.getProperty("childJvm", "-Xmx2g"));
        System.out.printf(Locale.ROOT, "peak resident memory: 10 images %d MB, 50 images %d MB (ratio %.3f)%n", hwm10 >> 20, hwm50 >> 20,
                (double) hwm50 / hwm10);
        System.out.printf(Locale.ROOT, "largest heap after GC: 10 images %d MB, 50 images %d MB (ratio %.3f)%n", heap10 >> 20, heap50 >> 20,
                (double) heap50 / heap10);
        System.out.println("load " + Files.readString(Path.of("/proc/loadavg")).strip());
    }

    /** Resident memory now (VmRSS) or at its peak (VmHWM), in bytes. */
    static long resident(String key) throws java.io.IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(key + ":")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return -1;
    }

    /** NDArrays alive in the whole process: every manager is a descendant of PyTorch's system manager. */
    static int liveArrays() {
        try (ai.djl.ndarray.NDManager probe = ai.djl.ndarray.NDManager.newBaseManager(ai.djl.Device.cpu(), "PyTorch")) {
            return probe.getParentManager().getManagedArrays().size();
        }
    }

    /** Bytes of direct buffers not yet freed (DJL makes one per array created from host data; the GC's cleaner frees them). */
    static long direct() {
        for (var pool : java.lang.management.ManagementFactory.getPlatformMXBeans(java.lang.management.BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                return pool.getMemoryUsed();
            }
        }
        return -1;
    }

    static void child(Path fixtures, int n, String methods) throws Exception {
        Network net = squeezenet(fixtures);
        List<BufferedImage> photos = new ArrayList<>();
        for (String f : List.of("chelsea.png", "coffee.png", "astronaut.png", "rocket.jpg")) {
            photos.add(ImageLoader.load(fixtures.resolve("images/" + f)));
        }
        Path tmp = Files.createTempDirectory("explain-memory");
        Path in = Files.createDirectories(tmp.resolve("in"));
        for (int i = 0; i < n; i++) {
            Png.write(in.resolve(String.format(Locale.ROOT, "img%02d.png", i)), variant(photos, i));
        }
        photos.clear();
        // the batched methods, with few internal passes: memory depends on the batch, not on their counts
        Methods.Settings s = Methods.Settings.defaults().withSteps(4).withMasks(8).withSamples(2).withWindow(112, 112).withScorecamChannels(4);
        ExplainRequest q = new ExplainRequest(List.of(in.toString()), List.of(methods.split(",")), Targets.predicted(), s, Score.LOGIT, 8, Colormap.INFERNO, 0.6f, List.of(), 50, Resize.CROP, 0.05,
                tmp.resolve("out"));
        Runtime rt = Runtime.getRuntime();
        long[] maxHeap = new long[1];
        long[] total = new long[1];
        long[] next = new long[1];
        Progress sampler = new Progress() {
            @Override
            public void start(String what, long t, Unit unit) {
                total[0] = t;
                next[0] = t / n;
            }

            @Override
            public void advance(long done) {
                // once per image's worth of steps, whatever the image count: a full GC here also frees what waits for the
                // collector (direct buffers), so sampling every tenth of the run would free the shorter run's more often
                if (done >= next[0]) {
                    next[0] += Math.max(1, total[0] / n);
                    System.gc();
                    maxHeap[0] = Math.max(maxHeap[0], rt.totalMemory() - rt.freeMemory());
                    try {
                        System.out.printf(Locale.ROOT, "step %d/%d: RSS %d MB (peak %d MB), heap %d MB (committed %d MB), direct buffers %d MB, "
                                + "live NDArrays %d%n", done, total[0], resident("VmRSS") >> 20, resident("VmHWM") >> 20,
                                (rt.totalMemory() - rt.freeMemory()) >> 20, rt.totalMemory() >> 20, direct() >> 20, liveArrays());
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            }

            @Override
            public void finish() {
            }
        };
        long t0 = System.nanoTime();
        var plan = q.plan(net, MemoryLimits.current(null));
        var r = plan.run(null, sampler, line -> { });
        double sec = (System.nanoTime() - t0) / 1e9;
        long hwm = resident("VmHWM");
        System.out.printf(Locale.ROOT, "%d images, %d files, %.1f s, estimate %d MB native + %d MB heap%n", n, r.files().size(), sec,
                plan.estimate().nativeBytes() >> 20, plan.estimate().heapBytes() >> 20);
        System.out.printf(Locale.ROOT, "peak RSS %d MB, heap committed %d MB, live NDArrays %d%n", hwm >> 20, rt.totalMemory() >> 20, liveArrays());
        System.out.println("RESULT " + n + " " + hwm + " " + maxHeap[0]);
    }

    /**
     * The attribution loop of an explain run without the files: {@code n} images of the fixture variants in batches of 8, each
     * method on each batch, printing after every batch and method the resident memory and the NDArrays alive (in the process,
     * and in the context's engine's manager).
     */
    static void trace(Path fixtures, int n, String methods) throws Exception {
        Network net = squeezenet(fixtures);
        List<BufferedImage> photos = new ArrayList<>();
        for (String f : List.of("chelsea.png", "coffee.png", "astronaut.png", "rocket.jpg")) {
            photos.add(ImageLoader.load(fixtures.resolve("images/" + f)));
        }
        Methods.Settings s = Methods.Settings.defaults().withSteps(4).withMasks(8).withSamples(2).withWindow(112, 112).withScorecamChannels(4);
        int batch = 8;
        try (ExplainContext ctx = ExplainContext.of(net, Score.LOGIT, batch)) {
            System.out.printf(Locale.ROOT, "start: RSS %d MB, live NDArrays %d (engine %d)%n", resident("VmRSS") >> 20, liveArrays(),
                    ctx.engine().manager().getManagedArrays().size());
            for (String name : methods.split(",")) {
                Attribution a = Methods.create(name, ctx, s);
                for (int start = 0; start < n; start += batch) {
                    int m = Math.min(batch, n - start);
                    List<BufferedImage> pics = new ArrayList<>();
                    List<String> names = new ArrayList<>();
                    for (int i = start; i < start + m; i++) {
                        pics.add(variant(photos, i));
                        names.add("img" + i);
                    }
                    ImageTensor x = ImageTensor.of(pics, names, net.inputShape(), net.preprocessing(), Resize.CROP);
                    float[][] p = ctx.probabilities(x.data(), x.n(), x.c(), x.h(), x.w());
                    int[] t = new int[m];
                    for (int i = 0; i < m; i++) {
                        t[i] = MapOps.argmax(p[i]);
                    }
                    a.attribute(x, t);
                    System.out.printf(Locale.ROOT, "%s, images %d-%d: RSS %d MB (peak %d MB), heap committed %d MB, direct buffers %d MB, "
                            + "live NDArrays %d (engine %d)%n", name, start, start + m - 1, resident("VmRSS") >> 20, resident("VmHWM") >> 20,
                            Runtime.getRuntime().totalMemory() >> 20, direct() >> 20, liveArrays(), ctx.engine().manager().getManagedArrays().size());
                }
            }
        }
        System.out.println("load " + Files.readString(Path.of("/proc/loadavg")).strip());
    }

    static void cpuDefaults(Path fixtures) throws Exception {
        if (!Files.isRegularFile(fixtures.resolve("models/squeezenet1.1/model.onnx"))) {
            System.out.println("fixture absent: " + fixtures);
            return;
        }
        Network net = squeezenet(fixtures);
        List<BufferedImage> pics = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (String f : List.of("chelsea.png")) {
            pics.add(ImageLoader.load(fixtures.resolve("images/" + f)));
            names.add(f);
        }
        ImageTensor x = ImageTensor.of(pics, names, net.inputShape(), net.preprocessing(), Resize.CROP);
        System.out.println("load " + Files.readString(Path.of("/proc/loadavg")).strip());
        for (int batch : Integer.getInteger("batches", 16) == 16 ? new int[] {16} : new int[] {16, Integer.getInteger("batches")}) {
            try (ExplainContext ctx = ExplainContext.of(net, Score.LOGIT, batch)) {
                int[] t = new int[x.n()];
                float[][] p = ctx.probabilities(x.data(), x.n(), x.c(), x.h(), x.w());
                for (int i = 0; i < x.n(); i++) {
                    t[i] = MapOps.argmax(p[i]);
                }
                ScoreCam now = new ScoreCam(ctx, null);
                // before: every channel its own masked image, as the earlier code did
                long t0 = System.nanoTime();
                List<float[]> before = scoreCamEveryChannel(ctx, now.layer(), x, t);
                double beforeSec = (System.nanoTime() - t0) / 1e9 / x.n();
                t0 = System.nanoTime();
                Maps m = now.attribute(x, t);
                double nowSec = (System.nanoTime() - t0) / 1e9 / x.n();
                double diff = 0;
                for (int i = 0; i < x.n(); i++) {
                    diff = Math.max(diff, maxAbsDiff(before.get(i), m.map(i)));
                }
                var lv = ctx.activations(x.sample(0), 1, x.c(), x.h(), x.w(), now.layer());
                t0 = System.nanoTime();
                new ScoreCam(ctx, null, 64).attribute(x, t);
                double fasterSec = (System.nanoTime() - t0) / 1e9 / x.n();
                System.out.printf(Locale.ROOT, "batch %d: Score-CAM @%s (%d channels) per image: before %.2f s, now %.2f s (max map difference %.2g), "
                        + "Faster Score-CAM 64 channels %.2f s%n", batch, now.layer(), lv.channels(), beforeSec, nowSec, diff, fasterSec);
                t0 = System.nanoTime();
                new Rise(ctx, 2000, 7, 0.5, 0).attribute(x, t);
                double rise2000 = (System.nanoTime() - t0) / 1e9 / x.n();
                t0 = System.nanoTime();
                new Rise(ctx, Methods.CPU_MASKS, 7, 0.5, 0).attribute(x, t);
                double riseNow = (System.nanoTime() - t0) / 1e9 / x.n();
                System.out.printf(Locale.ROOT, "batch %d: RISE per image: 2000 masks (before) %.2f s, %d masks (CPU default now) %.2f s%n", batch,
                        rise2000, Methods.CPU_MASKS, riseNow);
                System.out.println("load " + Files.readString(Path.of("/proc/loadavg")).strip());
            }
        }
    }

    static double maxAbsDiff(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }

    /** Score-CAM as the earlier code computed it: one masked image per channel, constant channels included. */
    static List<float[]> scoreCamEveryChannel(ExplainContext ctx, String layer, ImageTensor x, int[] targets) {
        int c = x.c();
        int h = x.h();
        int w = x.w();
        int size = c * h * w;
        ExplainContext.LayerValues lv = ctx.activations(x.data(), x.n(), c, h, w, layer);
        int k = lv.channels();
        int hw = lv.height() * lv.width();
        float[] black = ctx.constantLike(1, c, h, w, 0f);
        List<float[]> maps = new ArrayList<>();
        for (int i = 0; i < x.n(); i++) {
            float[] xi = x.sample(i);
            float[] a = MapOps.sample(lv.values(), i, k * hw);
            double[] scores = new double[k];
            for (int k0 = 0; k0 < k; k0 += ctx.batch()) {
                int m = Math.min(ctx.batch(), k - k0);
                float[] masked = new float[m * size];
                for (int j = 0; j < m; j++) {
                    float[] mask = MapOps.resize(java.util.Arrays.copyOfRange(a, (k0 + j) * hw, (k0 + j + 1) * hw), lv.height(), lv.width(), h, w);
                    ScoreCam.unit(mask);
                    for (int q = 0; q < size; q++) {
                        masked[j * size + q] = black[q] + mask[q % (h * w)] * (xi[q] - black[q]);
                    }
                }
                System.arraycopy(ctx.targetScores(masked, m, c, h, w, new int[] {targets[i]}), 0, scores, k0, m);
            }
            double[] wts = ScoreCam.softmax(scores);
            float[] map = new float[hw];
            for (int ch = 0; ch < k; ch++) {
                for (int p = 0; p < hw; p++) {
                    map[p] += (float) (wts[ch] * a[ch * hw + p]);
                }
            }
            maps.add(MapOps.resize(MapOps.relu(map), lv.height(), lv.width(), h, w));
        }
        return maps;
    }
}
