package io.convscope.render;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Renders a VGG16-sized set of activations (the 18 feature layers of VGG16 at 224 × 224, random
 * ReLU-like floats) to grid PNGs and one GIF through the layers, and prints milliseconds per layer for
 * each phase. Not a test: run by hand after {@code mvn -o -q -pl core test-compile}:
 *
 * <pre>
 * java -cp core/target/classes:core/target/test-classes io.convscope.render.RenderBenchmark [OUT_DIR] [REPEATS]
 * </pre>
 */
public final class RenderBenchmark {
    private RenderBenchmark() {
    }

    private record LayerSpec(String name, int channels, int size) {
    }

    private static final List<LayerSpec> VGG16 = List.of(
            new LayerSpec("block1_conv1", 64, 224), new LayerSpec("block1_conv2", 64, 224),
            new LayerSpec("block1_pool", 64, 112),
            new LayerSpec("block2_conv1", 128, 112), new LayerSpec("block2_conv2", 128, 112),
            new LayerSpec("block2_pool", 128, 56),
            new LayerSpec("block3_conv1", 256, 56), new LayerSpec("block3_conv2", 256, 56),
            new LayerSpec("block3_conv3", 256, 56), new LayerSpec("block3_pool", 256, 28),
            new LayerSpec("block4_conv1", 512, 28), new LayerSpec("block4_conv2", 512, 28),
            new LayerSpec("block4_conv3", 512, 28), new LayerSpec("block4_pool", 512, 14),
            new LayerSpec("block5_conv1", 512, 14), new LayerSpec("block5_conv2", 512, 14),
            new LayerSpec("block5_conv3", 512, 14), new LayerSpec("block5_pool", 512, 7));

    /** Runs the benchmark; arguments: output folder (default a temporary one), repeats (default 3). */
    public static void main(String[] args) throws Exception {
        Path out = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("render-bench");
        int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Random random = new Random(42);
        List<float[]> data = new ArrayList<>();
        for (LayerSpec l : VGG16) {
            float[] x = new float[l.channels() * l.size() * l.size()];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) Math.max(0, random.nextGaussian());
            }
            for (int i = 0; i < l.size() * l.size(); i++) { // one dead channel per layer
                x[i] = 0;
            }
            data.add(x);
        }
        System.out.printf("%-14s %9s %11s %8s %8s %8s %10s%n", "layer", "shape", "sheet px", "norm ms", "grid ms",
                "png ms", "png bytes");
        for (int rep = 0; rep < repeats; rep++) {
            long tNorm = 0;
            long tGrid = 0;
            long tPng = 0;
            long tGif = 0;
            Gif gif = new Gif();
            for (int k = 0; k < VGG16.size(); k++) {
                LayerSpec l = VGG16.get(k);
                long t0 = System.nanoTime();
                Heatmap[] maps = Normalization.STANDARDIZE.layer(data.get(k), l.channels(), l.size(), l.size());
                long t1 = System.nanoTime();
                BufferedImage sheet = new Grid().title("bench · " + l.name() + " · " + l.size() + "×" + l.size()
                        + " · " + l.channels() + " channels").addChannels(maps).render();
                long t2 = System.nanoTime();
                Path file = out.resolve(String.format("%02d_%s.png", k + 1, l.name()));
                Png.write(file, sheet);
                long t3 = System.nanoTime();
                gif.add(sheet, 800);
                tNorm += t1 - t0;
                tGrid += t2 - t1;
                tPng += t3 - t2;
                if (rep == repeats - 1) {
                    System.out.printf("%-14s %9s %11s %8.1f %8.1f %8.1f %10d%n", l.name(),
                            l.channels() + "x" + l.size() + "²", sheet.getWidth() + "x" + sheet.getHeight(),
                            (t1 - t0) / 1e6, (t2 - t1) / 1e6, (t3 - t2) / 1e6, Files.size(file));
                }
            }
            long g0 = System.nanoTime();
            gif.write(out.resolve("layers.gif"));
            tGif = System.nanoTime() - g0;
            int n = VGG16.size();
            System.out.printf("repeat %d: per layer norm %.1f ms, grid %.1f ms, png %.1f ms; total %.0f ms for %d layers;"
                            + " gif of %d frames %.0f ms (%d bytes)%n",
                    rep + 1, tNorm / 1e6 / n, tGrid / 1e6 / n, tPng / 1e6 / n, (tNorm + tGrid + tPng) / 1e6, n,
                    gif.size(), tGif / 1e6, Files.size(out.resolve("layers.gif")));
        }
        System.out.println("output in " + out);
    }
}
