package io.convscope.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.pooling.Pool;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import io.convscope.model.ModelLoader;
import io.convscope.network.Layer;
import io.convscope.network.Network;
import io.convscope.network.Node;
import io.convscope.util.Progress;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Where the network pass loses against PyTorch: the same SqueezeNet 1.1 pass (224 px, batch 1 and
 * 16) (a) through convscope's {@link Engine} (forward as predict does it; forward + backward to the
 * input as classviz does it, the gradient of one class score) and (b) written directly as DJL
 * operations (conv2d with bias, relu, max pool, concat, average pool: no engine between), in one
 * JVM. Its Python twin, {@code bench/network_pass.py}, times (c) torchvision's
 * squeezenet1_1 the same way. Prints the median milliseconds of each; with {@code profile} as the
 * last argument it also writes libtorch's profiler trace of one engine pass
 * ({@code /tmp/convscope-pass-*.json}, chrome trace format) for a per-operator comparison with
 * torch.profiler.
 *
 * <pre>
 * ONEDNN_MAX_CPU_ISA=AVX2 java -Dai.djl.offline=true -cp "core/target/classes:core/target/test-classes:cli/target/lib/*" \
 *     io.convscope.engine.NetworkPassBenchmark [model.onnx [runs [profile]]]
 * </pre>
 */
public final class NetworkPassBenchmark {
    private NetworkPassBenchmark() {
    }

    public static void main(String[] args) {
        String model = args.length > 0 ? args[0] : "../shared/fixtures/models/squeezenet1.1/model.onnx";
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        boolean profile = args.length > 2 && args[2].equals("profile");
        if (!Files.isRegularFile(Path.of(model))) {
            System.out.println("no model at " + model);
            return;
        }
        int size = 224;
        Network net = ModelLoader.load(new ModelLoader.Request(model, "none", true, size, size), Progress.NONE);
        String out = net.outputs().get(0);
        ai.djl.engine.Engine.getEngine("PyTorch"); // loads the native library before the thread counts are read
        System.out.printf(Locale.ROOT, "%s at %d px; intra-op threads %d, inter-op %d, grad mode %b; median ms of %d runs after 3 warm-up%n",
                net.name(), size, JniUtils.getNumThreads(), JniUtils.getNumInteropThreads(), JniUtils.isGradMode(), runs);
        try (Engine e = Engine.create(net)) {
            Map<String, NDArray> params = e.parameters();
            for (int batch : new int[] {1, 16}) {
                float[] x = input(batch, size);
                Shape shape = new Shape(batch, 3, size, size);
                double engineFwd = time(runs, () -> {
                    try (NDManager s = e.manager().newSubManager()) {
                        NDArray in = s.create(x, shape);
                        e.forward(in, List.of(out)).get(out).toFloatArray();
                    }
                });
                double rawFwd = time(runs, () -> {
                    try (NDManager s = e.manager().newSubManager()) {
                        NDArray in = s.create(x, shape);
                        raw(net, params, in, true).toFloatArray();
                    }
                });
                double engineBwd = time(runs, () -> {
                    try (NDManager s = e.manager().newSubManager()) {
                        NDArray in = s.create(x, shape);
                        e.inputGradient(in, List.of(out), o -> o.get(out).get(":, 1").sum()).gradient().toFloatArray();
                    }
                });
                double rawBwd = time(runs, () -> {
                    try (NDManager s = e.manager().newSubManager()) {
                        NDArray in = s.create(x, shape);
                        in.setRequiresGradient(true);
                        try (GradientCollector gc = ai.djl.engine.Engine.getEngine("PyTorch").newGradientCollector()) {
                            gc.backward(raw(net, params, in, false).get(":, 1").sum());
                        }
                        in.getGradient().toFloatArray();
                    }
                });
                System.out.printf(Locale.ROOT, "batch %2d  forward: engine %7.1f ms, raw DJL %7.1f ms (engine/raw %.2f)   "
                                + "forward+backward: engine %7.1f ms, raw DJL %7.1f ms (engine/raw %.2f)%n",
                        batch, engineFwd, rawFwd, engineFwd / rawFwd, engineBwd, rawBwd, engineBwd / rawBwd);
                if (profile) {
                    String file = "/tmp/convscope-pass-b" + batch + ".json";
                    JniUtils.startProfile(false, true, false);
                    try (NDManager s = e.manager().newSubManager()) {
                        NDArray in = s.create(x, shape);
                        e.inputGradient(in, List.of(out), o -> o.get(out).get(":, 1").sum());
                    }
                    JniUtils.stopProfile(file);
                    System.out.println("profile of one engine forward+backward: " + file);
                }
            }
        }
    }

    /** The network as plain DJL operations, for the layer kinds SqueezeNet has; closes intermediates when {@code free}. */
    static NDArray raw(Network net, Map<String, NDArray> params, NDArray input, boolean free) {
        Map<String, NDArray> values = new HashMap<>();
        Map<String, Integer> uses = new HashMap<>();
        for (Node n : net.nodes()) {
            for (String i : n.inputs()) {
                uses.merge(i, 1, Integer::sum);
            }
        }
        NDArray last = null;
        for (Node n : net.nodes()) {
            NDArray y;
            List<NDArray> in = new ArrayList<>();
            for (String i : n.inputs()) {
                in.add(values.get(i));
            }
            Layer l = n.layer();
            if (l instanceof Layer.Input) {
                y = input;
            } else if (l instanceof Layer.Conv2D c) {
                int[] p = c.padding().resolve(0, 0, c.kh(), c.kw(), c.sh(), c.sw(), c.dh(), c.dw());
                y = Conv2d.conv2d(in.get(0), params.get(n.name() + "/kernel"), params.get(n.name() + "/bias"),
                        new Shape(c.sh(), c.sw()), new Shape(p[0], p[2]), new Shape(c.dh(), c.dw()), c.groups()).singletonOrThrow();
            } else if (l instanceof Layer.Act a) {
                y = ai.djl.nn.Activation.relu(in.get(0));
            } else if (l instanceof Layer.Pool2D pl) {
                int[] p = pl.padding().resolve(0, 0, pl.kh(), pl.kw(), pl.sh(), pl.sw(), 1, 1);
                Shape k = new Shape(pl.kh(), pl.kw());
                Shape s = new Shape(pl.sh(), pl.sw());
                y = pl.max() ? Pool.maxPool2d(in.get(0), k, s, new Shape(p[0], p[2]), pl.ceilMode())
                        : Pool.avgPool2d(in.get(0), k, s, new Shape(p[0], p[2]), pl.ceilMode(), true);
            } else if (l instanceof Layer.Concatenate c) {
                y = NDArrays.concat(new NDList(in), c.axis() + 1);
            } else if (l instanceof Layer.Reshape || l instanceof Layer.Flatten || l instanceof Layer.View) {
                y = in.get(0).reshape(in.get(0).getShape().get(0), -1);
            } else {
                throw new IllegalArgumentException("the raw pass has no " + l.type());
            }
            values.put(n.name(), y);
            if (free) {
                for (String i : n.inputs()) {
                    if (uses.merge(i, -1, Integer::sum) == 0 && !(net.node(i).layer() instanceof Layer.Input)) {
                        values.remove(i).close();
                    }
                }
            }
            last = y;
        }
        return last;
    }

    static float[] input(int batch, int size) {
        float[] x = new float[batch * 3 * size * size];
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    static double time(int runs, Runnable r) {
        double[] t = new double[runs + 3];
        for (int i = 0; i < t.length; i++) {
            long t0 = System.nanoTime();
            r.run();
            t[i] = (System.nanoTime() - t0) / 1e6;
        }
        double[] s = Arrays.copyOfRange(t, 3, t.length);
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
