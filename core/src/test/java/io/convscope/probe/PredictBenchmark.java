package io.convscope.probe;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.convscope.engine.Engine;
import io.convscope.image.ImageLoader;
import io.convscope.image.ImageTensor;
import io.convscope.image.Inputs;
import io.convscope.image.Resize;
import io.convscope.keras.Fixtures;
import io.convscope.model.InputOverrides;
import io.convscope.model.ModelLoader;
import io.convscope.network.Network;
import io.convscope.util.Progress;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Where {@code convscope predict} spends its time (not a unit test): in a fresh JVM, the phases the
 * command goes through, one after the other and timed each (cold: class loading and JIT included,
 * as a user's run has them): JVM start to {@code main}, model load (ONNX import, the overrides),
 * the native library (DJL's PyTorch engine), the engine (weights to native memory), decoding every
 * image, fitting (resize + crop) and preprocessing, the forward passes in batches, formatting the
 * output. Then {@code runs} warm repetitions of the image phases, and of {@link PredictRequest#run}
 * as a whole (images decoded on worker threads while the engine computes) against the same work
 * done one step after the other ({@link PredictRequest#runSequential}).
 *
 * <p>Usage: {@code java … io.convscope.probe.PredictBenchmark [MODEL.onnx [IMAGES [runs [batch]]]]}
 * (defaults: the SqueezeNet 1.1 fixture with {@code --preprocess torch} and its labels,
 * {@code /tmp/peer-in/img64} when there (bench/peers makes it) else the fixture photos, 3 runs,
 * batch 16).
 */
public final class PredictBenchmark {
    private PredictBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        long main = System.nanoTime();
        Instant started = ProcessHandle.current().info().startInstant().orElse(null);
        double jvm = started == null ? Double.NaN : Duration.between(started, Instant.now()).toNanos() / 1e6;
        Path model = args.length > 0 ? Path.of(args[0]) : Fixtures.fixture("models/squeezenet1.1/model.onnx");
        Path labels = model.resolveSibling("labels.txt");
        String images = args.length > 1 ? args[1]
                : Files.isDirectory(Path.of("/tmp/peer-in/img64")) ? "/tmp/peer-in/img64"
                : Fixtures.fixture("images").toString();
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        int batch = args.length > 3 ? Integer.parseInt(args[3]) : 16;
        System.out.printf(Locale.ROOT, "load1 %s, %d CPUs%n", Files.readString(Path.of("/proc/loadavg")).split(" ")[0],
                Runtime.getRuntime().availableProcessors());
        System.out.printf(Locale.ROOT, "%-52s %9.1f ms  (process CPU %7.1f ms)%n", "JVM start to main", jvm, cpuMark / 1e6);

        long t = System.nanoTime();
        Network net = ModelLoader.load(new ModelLoader.Request(model.toString(), "imagenet", true, 224, 224), Progress.NONE);
        net = new InputOverrides("torch", null, null, null, null, Files.isRegularFile(labels) ? labels : null).apply(net);
        t = phase("model load (ONNX import, preprocessing, labels)", t);
        ai.djl.engine.Engine.getEngine("PyTorch");
        NDManager.newBaseManager(Device.cpu(), "PyTorch").close();
        t = phase("native library (DJL PyTorch engine start)", t);
        List<Path> files = Inputs.expand(List.of(images));
        PredictRequest request = new PredictRequest(List.of(images), 5, Resize.CROP, batch);
        try (Engine engine = Engine.create(net, Device.cpu())) {
            t = phase("engine (weights to native memory, kernel check)", t);
            double[] cold = imagePhases(files, net, engine, batch);
            t = phase("images, all phases below (cold)", t);
            phase(String.format(Locale.ROOT, "  decode %d images (ImageLoader)", files.size()), cold[0], cold[5]);
            phase("  fit (resize + crop: Resize/Resampler)", cold[1], cold[6]);
            phase("  preprocess (ImageTensor: NCHW floats)", cold[2], cold[7]);
            phase(String.format(Locale.ROOT, "  forward %d batches of %d (input, predict)", (files.size() + batch - 1) / batch,
                    batch), cold[3], cold[8]);
            phase("  top-5 and the printed lines", cold[4], cold[9]);
            System.out.printf(Locale.ROOT, "%-52s %9.1f ms%n", "total since main (cold)", (System.nanoTime() - main) / 1e6);

            double[][] warm = new double[runs][];
            for (int r = 0; r < runs; r++) {
                warm[r] = imagePhases(files, net, engine, batch);
            }
            String[] names = {"decode", "fit", "preprocess", "forward", "print"};
            System.out.printf(Locale.ROOT, "warm, %d runs (wall median / min ms, process CPU median ms):", runs);
            for (int k = 0; k < names.length; k++) {
                double[] v = new double[runs];
                double[] c = new double[runs];
                for (int r = 0; r < runs; r++) {
                    v[r] = warm[r][k];
                    c[r] = warm[r][k + 5];
                }
                Arrays.sort(v);
                Arrays.sort(c);
                System.out.printf(Locale.ROOT, "  %s %.0f / %.0f (CPU %.0f)", names[k], v[runs / 2], v[0], c[runs / 2]);
            }
            System.out.println();
        }
        double[] seq = new double[runs];
        double[] pipe = new double[runs];
        double[] seqCpu = new double[runs];
        double[] pipeCpu = new double[runs];
        for (int r = 0; r < runs; r++) {
            long a = System.nanoTime();
            long ca = cpu();
            var one = request.runSequential(files, net, Device.cpu(), Progress.NONE);
            seq[r] = (System.nanoTime() - a) / 1e6;
            seqCpu[r] = (cpu() - ca) / 1e6;
            a = System.nanoTime();
            ca = cpu();
            var two = request.run(files, net, Device.cpu(), Progress.NONE);
            pipe[r] = (System.nanoTime() - a) / 1e6;
            pipeCpu[r] = (cpu() - ca) / 1e6;
            if (!one.equals(two)) {
                throw new AssertionError("pipelined predictions differ from the sequential ones");
            }
        }
        for (int r = 0; r < runs; r++) {
            System.out.printf(Locale.ROOT, "run %d: sequential %.0f ms (CPU %.0f), pipelined %.0f ms (CPU %.0f), ratio %.2f%n", r + 1,
                    seq[r], seqCpu[r], pipe[r], pipeCpu[r], pipe[r] / seq[r]);
        }
        Arrays.sort(seq);
        Arrays.sort(pipe);
        System.out.printf(Locale.ROOT, "PredictRequest, whole (engine included), %d images: sequential median %.0f min %.0f ms; "
                + "pipelined median %.0f min %.0f ms (ratio %.2f); load1 %s%n", files.size(), seq[runs / 2], seq[0],
                pipe[runs / 2], pipe[0], pipe[runs / 2] / seq[runs / 2],
                Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    }

    /** decode, fit, preprocess, forward, print: milliseconds each, over all files. */
    private static double[] imagePhases(List<Path> files, Network net, Engine engine, int batch) {
        double[] ms = new double[10]; // wall ms of the 5 phases, then their process CPU ms
        StringBuilder out = new StringBuilder();
        for (int start = 0; start < files.size(); start += batch) {
            List<Path> chunk = files.subList(start, Math.min(files.size(), start + batch));
            long t = System.nanoTime();
            long c0 = cpu();
            List<BufferedImage> decoded = new ArrayList<>();
            List<String> names = new ArrayList<>();
            for (Path p : chunk) {
                decoded.add(ImageLoader.load(p));
                names.add(p.toString());
            }
            long t1 = System.nanoTime();
            long c1 = cpu();
            List<BufferedImage> fitted = new ArrayList<>();
            for (BufferedImage b : decoded) {
                fitted.add(Resize.CROP.apply(b, net.inputShape().width(), net.inputShape().height()));
            }
            long t2 = System.nanoTime();
            long c2 = cpu();
            ImageTensor x = ImageTensor.of(fitted, names, net.inputShape(), net.preprocessing(), Resize.CROP);
            long t3 = System.nanoTime();
            long c3 = cpu();
            float[][] probs;
            try (NDManager scope = engine.manager().newSubManager()) {
                NDArray in = engine.input(scope, x.data(), x.n(), x.c(), x.h(), x.w());
                probs = engine.predict(in);
            }
            long t4 = System.nanoTime();
            long c4 = cpu();
            for (int i = 0; i < probs.length; i++) {
                out.append(names.get(i)).append('\n');
                int rank = 1;
                for (int c : Engine.topK(probs[i], 5)) {
                    out.append(String.format(Locale.ROOT, "  %d. %-28s %6.2f%%%n", rank++, net.label(c), 100 * probs[i][c]));
                }
            }
            long t5 = System.nanoTime();
            long c5 = cpu();
            ms[5] += (c1 - c0) / 1e6;
            ms[6] += (c2 - c1) / 1e6;
            ms[7] += (c3 - c2) / 1e6;
            ms[8] += (c4 - c3) / 1e6;
            ms[9] += (c5 - c4) / 1e6;
            ms[0] += (t1 - t) / 1e6;
            ms[1] += (t2 - t1) / 1e6;
            ms[2] += (t3 - t2) / 1e6;
            ms[3] += (t4 - t3) / 1e6;
            ms[4] += (t5 - t4) / 1e6;
        }
        if (out.length() == 0) {
            throw new AssertionError("nothing printed");
        }
        return ms;
    }

    private static long cpuMark = cpu();

    /** The process's CPU time (all threads: the JIT's, the GC's and PyTorch's included), ns. */
    private static long cpu() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** Prints the wall time since {@code since} and the process CPU time since the last phase. */
    private static long phase(String what, long since) {
        long now = System.nanoTime();
        long c = cpu();
        System.out.printf(Locale.ROOT, "%-52s %9.1f ms  (process CPU %7.1f ms)%n", what, (now - since) / 1e6, (c - cpuMark) / 1e6);
        cpuMark = c;
        return now;
    }

    private static void phase(String what, double ms, double cpuMs) {
        System.out.printf(Locale.ROOT, "%-52s %9.1f ms  (process CPU %7.1f ms)%n", what, ms, cpuMs);
    }
}
