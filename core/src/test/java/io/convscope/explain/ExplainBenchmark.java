package io.convscope.explain;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.convscope.image.ImageLoader;
import io.convscope.image.ImageTensor;
import io.convscope.image.Resize;
import io.convscope.network.Network;
import io.convscope.network.Preprocessing;
import io.convscope.onnx.OnnxImporter;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Every attribution method on 8 images of SqueezeNet 1.1 at 224 px (the four fixture photos, each also
 * mirrored), and Grad-CAM per image against one plain forward + backward pass of the same network in
 * the same run. Prints figures; not a unit test.
 *
 * <pre>
 * ONEDNN_MAX_CPU_ISA=AVX2 java -Dai.djl.offline=true -cp "core/target/classes:core/target/test-classes:cli/target/lib/*" \
 *     io.convscope.explain.ExplainBenchmark [FIXTURES_DIR] [RISE masks] [IG steps]
 * </pre>
 *
 * With {@code defaults [FIXTURES_DIR]}: the same with the settings a plain run has ({@code Methods.Settings.defaults()}).
 * With {@code memory [FIXTURES_DIR] [METHODS]} (comma-separated; default the five below; {@code -DchildJvm="…"} sets the children's JVM
 * options, default {@code -Xmx2g}): the whole run ({@code probe/ExplainRequest}, files written) of the batched methods
 * (occlusion, Score-CAM, RISE, SmoothGrad, integrated gradients) on 10 and then 50 images made from the fixture photos, each
 * in a JVM of its own, printing the peak resident memory (VmHWM) and the largest heap after a full GC sampled at ten points of
 * the run, with the committed heap, the direct buffers not yet freed and the NDArrays alive at each. With
 * {@code trace [FIXTURES_DIR] [N] [METHODS]}: the methods' attribution on N images in batches of 8 without the files, resident
 * memory and live NDArrays after every batch of every method. With {@code cpu [FIXTURES_DIR]}: Score-CAM and RISE per image, the settings before (every channel, each its own
 * masked image; 2000 masks) and the defaults now, at batch 16 and 32.
 */
public final class ExplainBenchmark {
    private ExplainBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("memory")) {
            ExplainMemoryBenchmark.parent(Path.of(args.length > 1 ? args[1] : "../shared/fixtures"),
                    args.length > 2 ? args[2] : ExplainMemoryBenchmark.BATCHED);
            return;
        }
        if (args.length > 0 && args[0].equals("memory-child")) {
            ExplainMemoryBenchmark.child(Path.of(args[1]), Integer.parseInt(args[2]), args[3]);
            return;
        }
        if (args.length > 0 && args[0].equals("trace")) {
            ExplainMemoryBenchmark.trace(Path.of(args.length > 1 ? args[1] : "../shared/fixtures"), args.length > 2 ? Integer.parseInt(args[2]) : 50,
                    args.length > 3 ? args[3] : ExplainMemoryBenchmark.BATCHED);
            return;
        }
        if (args.length > 0 && args[0].equals("cpu")) {
            ExplainMemoryBenchmark.cpuDefaults(Path.of(args.length > 1 ? args[1] : "../shared/fixtures"));
            return;
        }
        // "defaults [FIXTURES]": every method with the settings a plain run has (Methods.Settings.defaults() on the CPU)
        boolean defaults = args.length > 0 && args[0].equals("defaults");
        if (defaults) {
            args = java.util.Arrays.copyOfRange(args, 1, args.length);
        }
        Path fixtures = Path.of(args.length > 0 ? args[0] : "../shared/fixtures");
        int masks = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        int steps = args.length > 2 ? Integer.parseInt(args[2]) : 32;
        Path model = fixtures.resolve("models/squeezenet1.1/model.onnx");
        if (!Files.isRegularFile(model)) {
            System.out.println("fixture absent: " + model);
            return;
        }
        List<String> labels = Files.readAllLines(fixtures.resolve("models/squeezenet1.1/labels.txt")).stream()
                .map(l -> l.substring(l.indexOf(' ') + 1)).toList();
        Network net = OnnxImporter.load(model).withPreprocessing(Preprocessing.TORCH).withLabels(labels);
        List<BufferedImage> pics = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (String f : List.of("chelsea.png", "coffee.png", "astronaut.png", "rocket.jpg")) {
            BufferedImage img = ImageLoader.load(fixtures.resolve("images/" + f));
            pics.add(img);
            names.add(f);
            BufferedImage m = new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < img.getHeight(); y++) {
                for (int x = 0; x < img.getWidth(); x++) {
                    m.setRGB(img.getWidth() - 1 - x, y, img.getRGB(x, y));
                }
            }
            pics.add(m);
            names.add("mirrored " + f);
        }
        ImageTensor x = ImageTensor.of(pics, names, net.inputShape(), net.preprocessing(), Resize.CROP);
        Methods.Settings s = defaults ? Methods.Settings.defaults()
                : Methods.Settings.defaults().withSteps(steps).withMasks(masks).withSamples(16).withWindow(32, 16);
        Runtime rt = Runtime.getRuntime();
        try (ExplainContext ctx = ExplainContext.of(net, Score.LOGIT, 16)) {
            int[] targets = new int[x.n()];
            float[][] p = ctx.probabilities(x.data(), x.n(), x.c(), x.h(), x.w());
            for (int i = 0; i < x.n(); i++) {
                targets[i] = MapOps.argmax(p[i]);
            }
            // warm up
            new GradCam(ctx, null).attribute(x, targets);
            System.out.println("load " + Files.readString(Path.of("/proc/loadavg")).strip());
            System.out.println(defaults ? "SqueezeNet 1.1, 8 images at 224 px, batch 16, the default settings (IG 64 steps, SmoothGrad 25 samples "
                    + "of saliency, RISE 500 masks, Score-CAM 64 channels, occlusion 28 px window, stride 14)"
                    : String.format(Locale.ROOT, "SqueezeNet 1.1, 8 images at 224 px, batch 16 (IG %d steps, SmoothGrad 16 samples, RISE %d masks, "
                    + "occlusion 32/16)", steps, masks));
            for (String name : Methods.NAMES) {
                Attribution a = Methods.create(name, ctx, s);
                long t0 = System.nanoTime();
                a.attribute(x, targets);
                double sec = (System.nanoTime() - t0) / 1e9;
                System.out.printf(Locale.ROOT, "  %-22s %8.2f s  (%.3f s per image), heap %d MB%n", name, sec, sec / x.n(),
                        (rt.totalMemory() - rt.freeMemory()) >> 20);
            }
            // Grad-CAM per image against one forward + backward pass of the whole network, same images, same run
            int reps = 5;
            GradCam cam = new GradCam(ctx, null);
            double camBest = Double.MAX_VALUE;
            double fbBest = Double.MAX_VALUE;
            for (int r = 0; r < reps; r++) {
                long t0 = System.nanoTime();
                cam.attribute(x, targets);
                camBest = Math.min(camBest, (System.nanoTime() - t0) / 1e9);
                t0 = System.nanoTime();
                try (NDManager m = ctx.engine().manager().newSubManager()) {
                    NDArray in = m.create(x.data(), new Shape(x.n(), 3, 224, 224));
                    in.setRequiresGradient(true);
                    try (GradientCollector gc = ExplainContext.collector()) {
                        NDArray y = ctx.engine().forward(in, List.of(ctx.scoreLayer())).get(ctx.scoreLayer());
                        gc.backward(ctx.objective(y, targets));
                    }
                    in.getGradient().toFloatArray();
                }
                fbBest = Math.min(fbBest, (System.nanoTime() - t0) / 1e9);
            }
            System.out.printf(Locale.ROOT, "Grad-CAM %.3f s per image, forward+backward %.3f s per image: ratio %.2f (best of %d)%n",
                    camBest / x.n(), fbBest / x.n(), camBest / fbBest, reps);
            System.out.println("load " + Files.readString(Path.of("/proc/loadavg")).strip());
        }
    }
}
