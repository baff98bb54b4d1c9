package io.convscope.render;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.convscope.engine.Engine;
import io.convscope.image.ImageTensor;
import io.convscope.image.Resize;
import io.convscope.model.ModelLoader;
import io.convscope.network.Network;
import io.convscope.network.Node;
import io.convscope.util.Progress;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The activations issue's budget, measured in one run: VGG16 (seeded random weights, no download) on
 * one 224 × 224 image computes all 18 feature layers ({@code block1_conv1 … block5_pool}); then every
 * layer is rendered to a labelled grid PNG (STANDARDIZE, viridis) and all grids to one GIF. Prints the
 * network time (forward + copying the maps to Java arrays), per-layer render and write times, and the
 * ratio render+write / network (the goal is at most 2). Not a test; run by hand after
 * {@code mvn -o -q -pl core test-compile}:
 *
 * <pre>
 * java -Dai.djl.offline=true -cp "core/target/classes:core/target/test-classes:cli/target/lib/*" \
 *     io.convscope.render.VggRenderBenchmark [IMAGE] [OUT_DIR] [REPEATS]
 * </pre>
 *
 * IMAGE defaults to {@code ../shared/fixtures/images/chelsea.png}.
 */
public final class VggRenderBenchmark {
    private VggRenderBenchmark() {
    }

    /** Runs the benchmark. */
    public static void main(String[] args) throws Exception {
        Path image = Path.of(args.length > 0 ? args[0] : "../shared/fixtures/images/chelsea.png");
        Path out = args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("vgg-render");
        int repeats = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        Network net = ModelLoader.load(new ModelLoader.Request("vgg16", "none", false, 224, 224), Progress.NONE);
        List<String> taps = new ArrayList<>();
        for (Node n : net.nodes()) {
            if (n.name().startsWith("block")) {
                taps.add(n.name());
            }
        }
        ImageTensor x = ImageTensor.load(List.of(image), net.inputShape(), net.preprocessing(), Resize.CROP);
        try (Engine engine = Engine.create(net)) {
            long bestNet = Long.MAX_VALUE;
            long bestRender = Long.MAX_VALUE;
            long bestGif = Long.MAX_VALUE;
            for (int rep = 0; rep < repeats; rep++) {
                List<float[]> maps = new ArrayList<>();
                List<long[]> shapes = new ArrayList<>();
                long t0 = System.nanoTime();
                try (NDManager scope = engine.manager().newSubManager()) {
                    NDArray in = engine.input(scope, x.data(), 1, x.c(), x.h(), x.w());
                    Map<String, NDArray> m = engine.forward(in, taps);
                    for (String t : taps) {
                        maps.add(m.get(t).toFloatArray());
                        shapes.add(m.get(t).getShape().getShape());
                    }
                }
                long t1 = System.nanoTime();
                long render = 0;
                Gif gif = new Gif();
                boolean print = rep == repeats - 1;
                if (print) {
                    System.out.printf("%-14s %14s %11s %8s %8s %8s %10s%n", "layer", "shape", "sheet px", "norm ms",
                            "grid ms", "png ms", "png bytes");
                }
                for (int k = 0; k < taps.size(); k++) {
                    long[] s = shapes.get(k);
                    int c = (int) s[1];
                    int h = (int) s[2];
                    int w = (int) s[3];
                    long r0 = System.nanoTime();
                    Heatmap[] hm = Normalization.STANDARDIZE.layer(maps.get(k), c, h, w);
                    long r1 = System.nanoTime();
                    BufferedImage sheet = new Grid().title(image.getFileName() + " · " + taps.get(k) + " · " + h + "×" + w
                            + " · " + c + " channels").addChannels(hm).render();
                    long r2 = System.nanoTime();
                    Path file = out.resolve(String.format("%02d_%s.png", k + 1, taps.get(k)));
                    Png.write(file, sheet);
                    long r3 = System.nanoTime();
                    render += r3 - r0;
                    gif.add(sheet, 800);
                    if (print) {
                        int dead = 0;
                        for (Heatmap m : hm) {
                            dead += m.dead() ? 1 : 0;
                        }
                        System.out.printf("%-14s %14s %11s %8.1f %8.1f %8.1f %10d  %d dead%n", taps.get(k),
                                c + "x" + h + "x" + w, sheet.getWidth() + "x" + sheet.getHeight(), (r1 - r0) / 1e6,
                                (r2 - r1) / 1e6, (r3 - r2) / 1e6, Files.size(file), dead);
                    }
                }
                long g0 = System.nanoTime();
                gif.write(out.resolve("layers.gif"));
                long g1 = System.nanoTime();
                bestNet = Math.min(bestNet, t1 - t0);
                bestRender = Math.min(bestRender, render);
                bestGif = Math.min(bestGif, g1 - g0);
                System.out.printf("repeat %d: network %.0f ms, render+write %d PNGs %.0f ms, GIF %.0f ms%n", rep + 1,
                        (t1 - t0) / 1e6, taps.size(), render / 1e6, (g1 - g0) / 1e6);
            }
            System.out.printf("best of %d: network %.0f ms; PNGs %.0f ms = %.2fx network; with the GIF %.0f ms = %.2fx%n",
                    repeats, bestNet / 1e6, bestRender / 1e6, (double) bestRender / bestNet,
                    (bestRender + bestGif) / 1e6, (double) (bestRender + bestGif) / bestNet);
        }
        System.out.println("output in " + out);
    }
}
