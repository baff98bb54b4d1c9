package io.convscope.optimize;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.convscope.engine.Engine;
import io.convscope.model.ModelLoader;
import io.convscope.network.Network;
import io.convscope.network.Preprocessing;
import io.convscope.util.Progress;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Time per optimisation step of classviz and filters against one plain forward + backward pass of
 * the same network at the same size, the speed-up from stopping at the deepest layer the objective
 * needs, and from optimising many channels as one batch. Prints figures; not a unit test.
 *
 * <pre>
 * java -Dai.djl.offline=true -cp "core/target/classes:core/target/test-classes:cli/target/lib/*" \
 *     io.convscope.optimize.GradientBenchmark [model.onnx|zoo name] [size] [layer]
 * </pre>
 * Default: the SqueezeNet 1.1 fixture at 224 px, filters on squeezenet0_concat3; set
 * ONEDNN_MAX_CPU_ISA=AVX2 as the launcher does.
 */
public final class GradientBenchmark {
    private GradientBenchmark() {
    }

    public static void main(String[] args) {
        String model = args.length > 0 ? args[0] : "../shared/fixtures/models/squeezenet1.1/model.onnx";
        int size = args.length > 1 ? Integer.parseInt(args[1]) : 224;
        String layer = args.length > 2 ? args[2] : "squeezenet0_concat3";
        if (model.endsWith(".onnx") && !Files.isRegularFile(Path.of(model))) {
            System.out.println("no model at " + model + " (give a path or a zoo name)");
            return;
        }
        Network net = ModelLoader.load(new ModelLoader.Request(model, "none", true, size, size), Progress.NONE);
        if (model.endsWith(".onnx")) {
            net = net.withPreprocessing(Preprocessing.TORCH);
        }
        Logits.Scores scores = Logits.of(net);
        String out = scores.layer();
        System.out.printf(Locale.ROOT, "%s at %d×%d, %d cores; median of 6 steps after 2 warm-up steps%n", net.name(), size, size,
                Runtime.getRuntime().availableProcessors());
        try (Engine full = Engine.create(scores.network())) {
            double fb = plainForwardBackward(full, size);
            System.out.printf(Locale.ROOT, "plain forward + backward (batch 1, to %s): %.0f ms%n", out, fb * 1e3);

            double cls = step(new Optimization(full, Objective.classLogit(out, 1).plus(Objective.tv().times(0.05)),
                    new FourierParam(1, 3, size, size, 0.01)).transforms(Transform.standard(size)));
            System.out.printf(Locale.ROOT, "classviz step (Fourier image, transforms, Adam): %.0f ms = %.2f× the plain pass%n", cls * 1e3, cls / fb);
            // the same step through the first layer only: what the parameterization, the transforms, the
            // transfers and Adam cost on their own (plus one small convolution)
            String first = net.nodes().stream().filter(n -> !(n.layer() instanceof io.convscope.network.Layer.Input))
                    .findFirst().orElseThrow().name();
            try (Engine one = Engine.create(net.cut(List.of(first), size, size).orThrow())) {
                double own = step(new Optimization(one, Objective.channel(first, 0).plus(Objective.tv().times(0.05)),
                        new FourierParam(1, 3, size, size, 0.01)).transforms(Transform.standard(size)));
                System.out.printf(Locale.ROOT, "step through %s only (Fourier image, transforms, TV, Adam): %.1f ms%n", first, own * 1e3);
            }

            Network prefix = net.cut(List.of(layer), size, size).orThrow();
            try (Engine part = Engine.create(prefix)) {
                double stop = step(new Optimization(part, Objective.channel(layer, 3), new FourierParam(1, 3, size, size, 0.01))
                        .transforms(Transform.standard(size)));
                Objective toTheEnd = Objective.channel(layer, 3).plus(Objective.of("to the output", List.of(out),
                        f -> f.layer(out).reshape(f.batch(), -1).sum(new int[] {1}).mul(0f)));
                double whole = step(new Optimization(full, toTheEnd, new FourierParam(1, 3, size, size, 0.01))
                        .transforms(Transform.standard(size)));
                System.out.printf(Locale.ROOT, "filters step on %s (1 channel): %.0f ms = %.2f× the plain pass; through the whole "
                        + "network %.0f ms: stopping at the layer is %.2f× faster%n", layer, stop * 1e3, stop / fb, whole * 1e3, whole / stop);
                int n = 16;
                int[] channels = new int[n];
                for (int i = 0; i < n; i++) {
                    channels[i] = i;
                }
                double batch = step(new Optimization(part, Objective.channel(layer, channels), new FourierParam(n, 3, size, size, 0.01))
                        .transforms(Transform.standard(size)));
                System.out.printf(Locale.ROOT, "filters step, %d channels as one batch: %.0f ms (%.0f ms per channel) against %d × %.0f ms "
                        + "one at a time: batching is %.2f× faster%n", n, batch * 1e3, batch * 1e3 / n, n, stop * 1e3, stop * n / batch);
            }
        }
    }

    /** Seconds of one forward + backward of the plain network (no parameterization, no transforms). */
    static double plainForwardBackward(Engine e, int size) {
        float[] x = new float[3 * size * size];
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        String out = e.network().outputs().get(0);
        double[] t = new double[8];
        try (NDManager m = e.manager().newSubManager()) {
            for (int i = 0; i < t.length; i++) {
                try (NDManager s = m.newSubManager()) {
                    NDArray in = s.create(x, new Shape(1, 3, size, size));
                    long t0 = System.nanoTime();
                    e.inputGradient(in, List.of(out), o -> o.get(out).sum()).gradient().toFloatArray();
                    t[i] = (System.nanoTime() - t0) / 1e9;
                }
            }
        }
        return median(Arrays.copyOfRange(t, 2, t.length));
    }

    /** Median seconds per step of {@code o} (2 warm-up steps, then 6 timed). */
    static double step(Optimization o) {
        double[] t = new double[8];
        long[] last = {System.nanoTime()};
        o.steps(t.length).listener(new Listener() {
            @Override
            public void step(int step, double loss, double[] terms, java.util.function.Supplier<float[]> image) {
                long now = System.nanoTime();
                t[step - 1] = (now - last[0]) / 1e9;
                last[0] = now;
            }
        }).run();
        return median(Arrays.copyOfRange(t, 2, t.length));
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
