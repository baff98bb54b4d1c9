package io.convscope.style;

import io.convscope.engine.Engine;
import io.convscope.image.ImageLoader;
import io.convscope.image.ImageTensor;
import io.convscope.image.Resize;
import io.convscope.keras.Fixtures;
import io.convscope.model.ModelLoader;
import io.convscope.network.Network;
import io.convscope.network.Preprocessing;
import io.convscope.network.TensorShape;
import io.convscope.optimize.Listener;
import io.convscope.util.Units;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Time per step of style transfer on VGG19 (seeded random weights: the same work as ImageNet
 * weights) at 256 and 512 pixels, L-BFGS and Adam (one evaluation per step), and the process's peak
 * resident memory against {@link StyleMemory}'s estimate. Not a unit test:
 *
 * <pre>
 * mvn -o -q -pl core test-compile &amp;&amp; mvn -o -q -pl core dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt &amp;&amp;
 * java -Dai.djl.offline=true -cp "core/target/classes:core/target/test-classes:$(cat /tmp/cp.txt)" io.convscope.style.StyleBenchmark [STEPS [SIZE…]]
 * </pre>
 * The content and style are chelsea.png and coffee.png from ../shared/fixtures (synthetic images
 * without them). PyTorch uses its default thread count unless OMP_NUM_THREADS or
 * -Dai.djl.pytorch.num_threads says otherwise.
 */
public final class StyleBenchmark {
    private StyleBenchmark() {
    }

    static long status(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(key + ":")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    static StyleTransfer.Image load(String name, int side, StyleTransfer.Image fallback) {
        Path p = Fixtures.fixture("images/" + name);
        if (!Files.isRegularFile(p)) {
            return fallback;
        }
        var img = ImageLoader.load(p);
        int[] hw = StyleTransfer.fit(img.getHeight(), img.getWidth(), side);
        return new StyleTransfer.Image(ImageTensor.of(img, name, TensorShape.chw(3, hw[0], hw[1]), Preprocessing.UNIT, Resize.STRETCH).data(),
                hw[0], hw[1]);
    }

    public static void main(String[] args) {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int[] sizes = args.length > 1 ? java.util.Arrays.stream(args, 1, args.length).mapToInt(Integer::parseInt).toArray() : new int[] {256, 512};
        System.out.printf(Locale.ROOT, "VGG19 (--weights none), default layers, %d steps after one warm-up; %d CPUs, OMP_NUM_THREADS=%s%n",
                steps, Runtime.getRuntime().availableProcessors(), System.getenv().getOrDefault("OMP_NUM_THREADS", "unset"));
        Network vgg = ModelLoader.load(new ModelLoader.Request("vgg19", "none", false, -1, -1), null);
        for (int size : sizes) {
            StyleTransfer.Image content = load("chelsea.png", size, StyleTransferTest.content(size * 2 / 3, size));
            StyleTransfer.Image style = load("coffee.png", size, StyleTransferTest.stripes(size, 16, new float[] {0.9f, 0.1f, 0.1f},
                    new float[] {0.1f, 0.2f, 0.9f}));
            StyleLayers layers = StyleLayers.choose(vgg, null, null, content.height(), content.width());
            StyleMemory estimate = StyleMemory.of(vgg, layers, content.height(), content.width(), 3, 0);
            try (Engine engine = Engine.create(StyleTransfer.network(vgg, layers))) {
                for (io.convscope.optimize.Optimizer.Kind m : io.convscope.optimize.Optimizer.Kind.values()) {
                    long[] t = new long[3];
                    Listener clock = new Listener() {
                        @Override
                        public void start(int total, List<String> terms) {
                            t[2] = System.nanoTime();
                        }

                        @Override
                        public void step(int step, double loss, double[] terms, Supplier<float[]> image) {
                            if (step == 1) {
                                t[0] = System.nanoTime();
                            } else if (step == steps + 1) {
                                t[1] = System.nanoTime();
                            }
                        }
                    };
                    StyleTransfer.Settings s = StyleTransfer.Settings.defaults(layers).withSteps(steps + 1).withMethod(m, StyleTransfer.ADAM_RATE);
                    StyleTransfer.Result res = StyleTransfer.run(engine, content, List.of(new StyleTransfer.Style(style, 1)), s, List.of(clock));
                    double perStep = (t[1] - t[0]) / 1e9 / steps;
                    // the whole loop over every evaluation (the first included): comparable with a peer's s/evaluation
                    int evals = res.optimization().evaluations();
                    double perEval = (t[1] - t[2]) / 1e9 / evals;
                    System.out.printf(Locale.ROOT, "%4d px (%d×%d)  %-5s  %.2f s/step, %d evaluations for %d steps, %.2f s/evaluation   "
                            + "RSS %s, peak RSS so far %s (estimate %s native + %s heap)%n",
                            size, content.width(), content.height(), m, perStep, evals, steps + 1, perEval, Units.bytes(status("VmRSS")),
                            Units.bytes(status("VmHWM")), Units.bytes(estimate.nativeBytes()),
                            Units.bytes(estimate.heapBytes()));
                }
            }
        }
    }
}
