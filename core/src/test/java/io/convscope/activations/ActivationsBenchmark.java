package io.convscope.activations;

import ai.djl.ndarray.NDManager;
import io.convscope.engine.Engine;
import io.convscope.image.ImageTensor;
import io.convscope.image.Resize;
import io.convscope.model.ModelLoader;
import io.convscope.network.Network;
import io.convscope.util.Progress;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Benchmark (run by hand, not a test): VGG16 with seeded random weights ({@code --weights none}) at
 * 224×224 on the shipped samples (enlarged), its 13 convolution and 5 pooling layers, grid + top-k + GIF + index.html, for 1 and for 8
 * images; prints the network's compute time, the rendering-and-writing time and their ratio, measured in
 * the same run, as wall-clock time and as CPU time of the process (steadier on a busy machine). Usage (after {@code mvn -o -q install -DskipTests && mvn -o -q -pl core test-compile}):
 *
 * <pre>
 * java -Dai.djl.offline=true -Xmx6g -cp "core/target/test-classes:cli/target/lib/*" \
 *     io.convscope.activations.ActivationsBenchmark [repeats [views]]
 * </pre>
 */
public final class ActivationsBenchmark {
    static final Path SAMPLES = Path.of("samples", "fashion-mnist");

    private ActivationsBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("ai.djl.offline", "true");
        int repeats = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        Network vgg = ModelLoader.load(new ModelLoader.Request("vgg16", "none", true, 224, 224), Progress.NONE);
        List<String> layers = LayerSelection.defaults().resolve(vgg);
        EnumSet<ActivationViews.View> views = EnumSet.of(ActivationViews.View.GRID, ActivationViews.View.TOPK, ActivationViews.View.GIF);
        if (args.length > 1) { // another set of views, e.g. "grid" or "gif", to see what each costs
            views = EnumSet.noneOf(ActivationViews.View.class);
            for (String v : args[1].split(",")) {
                views.add(ActivationViews.View.byName(v));
            }
        }
        ActivationViews.Options opt = ActivationViews.Options.defaults().withViews(views);
        System.out.printf(Locale.ROOT, "VGG16 (--weights none) 224×224, %d layers (%s … %s), views %s + index.html, "
                + "%d drawing threads, %d cores%n", layers.size(), layers.get(0), layers.get(layers.size() - 1), views, opt.threads(),
                Runtime.getRuntime().availableProcessors());
        try (Engine engine = Engine.create(vgg)) {
            // warm-up: the first forward pass initialises PyTorch; the first drawing loads the encoders
            run(engine, layers, opt, 1, false);
            run(engine, layers, opt, 1, false);
            for (int images : new int[] {1, 8}) {
                if (images == 8 && args.length > 2) {
                    break;
                }
                for (int r = 0; r < repeats; r++) {
                    run(engine, layers, opt, images, true);
                }
            }
        }
    }

    /** CPU time of the whole process (all threads, PyTorch's included), in nanoseconds. */
    private static long cpu() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static void run(Engine engine, List<String> layers, ActivationViews.Options opt, int images, boolean print)
            throws Exception {
        // the shipped Fashion-MNIST samples, enlarged to 224×224 RGB: structured pictures, as a person would give
        List<Path> paths = new ArrayList<>();
        try (Stream<Path> st = Files.list(SAMPLES)) {
            st.filter(p -> p.toString().endsWith(".png")).sorted().forEach(paths::add);
        }
        ImageTensor x = ImageTensor.load(paths.subList(0, images), engine.network().inputShape(),
                engine.network().preprocessing(), Resize.STRETCH);
        Path dir = Files.createTempDirectory("convscope-bench");
        try {
            // the network alone: the same forward passes, outputs closed without copying
            long f0 = System.nanoTime();
            for (int i = 0; i < images; i++) {
                try (NDManager scope = engine.manager().newSubManager()) {
                    engine.forward(engine.input(scope, x.sample(i), 1, x.c(), x.h(), x.w()), layers);
                }
            }
            long f1 = System.nanoTime();
            long c0 = cpu();
            long t0 = System.nanoTime();
            Activations acts = Activations.compute(engine, x, layers, Progress.NONE);
            long t1 = System.nanoTime();
            long c1 = cpu();
            List<String> files = ActivationViews.render(acts, opt, dir);
            long t2 = System.nanoTime();
            long c2 = cpu();
            long bytes = 0;
            for (String f : files) {
                bytes += Files.size(dir.resolve(f));
            }
            if (print) {
                double compute = (t1 - t0) / 1e9;
                double render = (t2 - t1) / 1e9;
                System.out.printf(Locale.ROOT, "%d image%s: forward passes alone %.2f s (render/forward %.2f); "
                        + "compute (forward, copy, statistics) %.2f s, render+write %.2f s (%d files, %.1f MB), total %.2f s, "
                        + "render/compute %.2f; CPU time: compute %.2f s, render+write %.2f s, ratio %.2f%n", images,
                        images == 1 ? " " : "s", (f1 - f0) / 1e9, render / ((f1 - f0) / 1e9), compute, render, files.size(), bytes / 1e6, compute + render, render / compute,
                        (c1 - c0) / 1e9, (c2 - c1) / 1e9, (double) (c2 - c1) / (c1 - c0));
            }
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
