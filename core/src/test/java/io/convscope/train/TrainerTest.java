package io.convscope.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.convscope.data.FashionMnist;
import io.convscope.embedded.EmbeddedModel;
import io.convscope.engine.Engine;
import io.convscope.network.Activation;
import io.convscope.network.Layer;
import io.convscope.network.Network;
import io.convscope.network.Node;
import io.convscope.network.Padding;
import io.convscope.network.Preprocessing;
import io.convscope.network.Tensor;
import io.convscope.network.TensorShape;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

@Tag("slow")
class TrainerTest {
    static final String NO_DATA = "Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist, or set "
            + "CONVSCOPE_FASHION_MNIST): skipping";

    @BeforeAll
    static void offline() {
        System.setProperty("ai.djl.offline", "true");
    }

    @Test
    void aShortRunOnASubsetLearns() {
        assumeTrue(FashionMnist.available(), NO_DATA);
        LabeledImages train = LabeledImages.of(FashionMnist.train()).head(2000);
        LabeledImages test = LabeledImages.of(FashionMnist.test()).head(1000);
        Network net = EmbeddedModel.architecture().withRandomParams(3);
        Evaluation before = Trainer.evaluate(net, test, 500);
        List<Trainer.Progress> steps = new ArrayList<>();
        List<Trainer.EpochSummary> epochs = new ArrayList<>();
        Trainer.Result r = Trainer.train(net, train, test, Trainer.Options.defaults().batchSize(32).seed(3),
                new Trainer.Listener() {
                    public void onStep(Trainer.Progress p) {
                        steps.add(p);
                    }

                    public void onEpoch(Trainer.EpochSummary s) {
                        epochs.add(s);
                    }
                });
        assertEquals(63, steps.size());
        Trainer.Progress first = steps.get(0);
        Trainer.Progress last = steps.get(steps.size() - 1);
        assertEquals(1, first.step());
        assertEquals(63, first.stepsPerEpoch());
        assertEquals(63, last.step());
        assertTrue(last.loss() < first.loss() - 0.5, "running loss " + first.loss() + " -> " + last.loss());
        assertEquals(1, epochs.size());
        assertEquals(last.loss(), epochs.get(0).loss(), 1e-12);

        Evaluation after = Trainer.evaluate(r.network(), test, 500);
        assertTrue(after.loss() < before.loss(), "test loss " + before.loss() + " -> " + after.loss());
        assertTrue(after.accuracy() > 0.6, "test accuracy after one epoch on 2,000 images: " + after.accuracy());
        assertEquals(after.accuracy(), epochs.get(0).validation().accuracy(), 1e-12);
        assertEquals(1000, after.count());
        // the network that comes back keeps the architecture, names and metadata
        assertEquals(net.nodes().size(), r.network().nodes().size());
        assertEquals(FashionMnist.CLASSES, r.network().labels());
        assertEquals(Preprocessing.UNIT, r.network().preprocessing());
    }

    @Test
    void theSameSeedGivesTheSameWeights() {
        assumeTrue(FashionMnist.available(), NO_DATA);
        LabeledImages train = LabeledImages.of(FashionMnist.train()).head(256);
        Trainer.Options o = Trainer.Options.defaults().batchSize(64).augment(true, 2);
        Network a = Trainer.train(EmbeddedModel.architecture().withRandomParams(5), train, null, o.seed(5), Trainer.Listener.NONE).network();
        Network b = Trainer.train(EmbeddedModel.architecture().withRandomParams(5), train, null, o.seed(5), Trainer.Listener.NONE).network();
        Network c = Trainer.train(EmbeddedModel.architecture().withRandomParams(5), train, null, o.seed(6), Trainer.Listener.NONE).network();
        boolean differs = false;
        for (Node n : a.nodes()) {
            for (String p : n.params().keySet()) {
                assertArrayEquals(n.params().get(p).toArray(), b.node(n.name()).params().get(p).toArray(), n.name() + "/" + p);
                differs |= !java.util.Arrays.equals(n.params().get(p).toArray(), c.node(n.name()).params().get(p).toArray());
            }
        }
        assertTrue(differs, "another seed (shuffling, augmentation, dropout) gives other weights");
    }

    @Test
    void evaluationCountsTheConfusionMatrix() {
        Evaluation e = new Evaluation(new int[][] {{3, 1, 0}, {0, 2, 2}, {0, 0, 0}}, 0.5);
        assertEquals(8, e.count());
        assertEquals(5, e.correct());
        assertEquals(5 / 8.0, e.accuracy(), 1e-12);
        double[] per = e.perClassAccuracy();
        assertEquals(0.75, per[0], 1e-12);
        assertEquals(0.5, per[1], 1e-12);
        assertTrue(Double.isNaN(per[2]));
        assertTrue(e.format(List.of("a", "b", "c")).startsWith("accuracy 0.6250 (5/8)"));
    }

    @Test
    void accuracyReportsPerClassResultsOnASplit() {
        assumeTrue(FashionMnist.available(), NO_DATA);
        FashionMnist.Split test = FashionMnist.test();
        FashionMnist.Split small = new FashionMnist.Split(java.util.Arrays.copyOf(test.pixels(), 200 * 784),
                java.util.Arrays.copyOf(test.labels(), 200), 200);
        Evaluation e = Trainer.accuracy(EmbeddedModel.architecture().withRandomParams(1), small, 64);
        assertEquals(200, e.count());
        assertEquals(10, e.classes());
        int[] perTrue = new int[10];
        for (int i = 0; i < 200; i++) {
            perTrue[small.label(i)]++;
        }
        for (int c = 0; c < 10; c++) {
            assertEquals(perTrue[c], java.util.Arrays.stream(e.confusion()[c]).sum());
        }
    }

    @Test
    void augmentationFlipsAndShiftsWithZeroFill() {
        float[] img = new float[2 * 3 * 4];
        for (int i = 0; i < img.length; i++) {
            img[i] = i + 1;
        }
        // find a seed whose first draws are: flip, then a shift of (+1, −1)
        Trainer.Options o = Trainer.Options.defaults().augment(true, 1);
        for (long seed = 0; seed < 1000; seed++) {
            Random probe = new Random(seed);
            boolean flip = probe.nextBoolean();
            int dy = probe.nextInt(3) - 1;
            int dx = probe.nextInt(3) - 1;
            if (flip && dy == 1 && dx == -1) {
                float[] out = img.clone();
                Trainer.augment(out, 2, 3, 4, o, new Random(seed));
                for (int c = 0; c < 2; c++) {
                    for (int y = 0; y < 3; y++) {
                        for (int x = 0; x < 4; x++) {
                            int sy = y - dy;
                            int sx = 4 - 1 - (x - dx);
                            float want = sy >= 0 && sy < 3 && sx >= 0 && sx < 4 ? img[c * 12 + sy * 4 + sx] : 0f;
                            assertEquals(want, out[c * 12 + y * 4 + x], "c" + c + " y" + y + " x" + x);
                        }
                    }
                }
                assertEquals(0f, out[0]); // the top row came from outside the image
                return;
            }
        }
        throw new AssertionError("no seed found");
    }

    /** A tiny classifier: conv → flatten → dense logits → softmax. */
    static Network tiny(long seed) {
        return new Network.Builder("tiny").input("in", TensorShape.chw(1, 4, 4))
                .add("conv", new Layer.Conv2D(2, 3, 3, 1, 1, 1, 1, Padding.VALID, 1, true, Activation.TANH), "in")
                .add("flat", new Layer.Flatten(true), "conv")
                .add("logits", new Layer.Dense(3, true, Activation.LINEAR), "flat")
                .add("probs", new Layer.Act("Softmax", Activation.SOFTMAX), "logits")
                .buildWithoutParams().withRandomParams(seed);
    }

    static float loss(Network net, float[] x, float[] onehot, int n) {
        try (Engine e = Engine.create(net); NDManager m = e.manager().newSubManager()) {
            NDArray logits = e.forward(e.input(m, x, n, 1, 4, 4), List.of("logits")).get("logits");
            return Trainer.crossEntropy(logits, m.create(onehot, new Shape(n, 3)), true).getFloat();
        }
    }

    @Test
    void crossEntropyGradientMatchesFiniteDifferences() {
        Network net = tiny(9);
        Random r = new Random(4);
        int n = 3;
        float[] x = new float[n * 16];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        float[] onehot = new float[n * 3];
        onehot[0] = 1;
        onehot[3 + 2] = 1;
        onehot[6 + 1] = 1;
        Map<String, float[]> grads = new HashMap<>();
        try (Engine e = Engine.create(net); NDManager m = e.manager().newSubManager()) {
            Map<String, NDArray> params = Trainer.trainable(net, e);
            for (NDArray p : params.values()) {
                p.setRequiresGradient(true);
            }
            try (GradientCollector gc = ai.djl.engine.Engine.getEngine("PyTorch").newGradientCollector()) {
                NDArray logits = e.forward(e.input(m, x, n, 1, 4, 4), List.of("logits")).get("logits");
                gc.backward(Trainer.crossEntropy(logits, m.create(onehot, new Shape(n, 3)), true));
            }
            params.forEach((k, v) -> grads.put(k, v.getGradient().toFloatArray()));
        }
        // d(mean CE)/d logits = (softmax − onehot) / n
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            float[] z = {0.5f, -1f, 2f, 0f, 0f, 0f, 3f, -2f, 0.25f};
            NDArray logits = m.create(z, new Shape(n, 3));
            logits.setRequiresGradient(true);
            try (GradientCollector gc = ai.djl.engine.Engine.getEngine("PyTorch").newGradientCollector()) {
                gc.backward(Trainer.crossEntropy(logits, m.create(onehot, new Shape(n, 3)), true));
            }
            float[] g = logits.getGradient().toFloatArray();
            for (int i = 0; i < n; i++) {
                double sum = 0;
                for (int k = 0; k < 3; k++) {
                    sum += Math.exp(z[i * 3 + k]);
                }
                for (int k = 0; k < 3; k++) {
                    double p = Math.exp(z[i * 3 + k]) / sum;
                    assertEquals((p - onehot[i * 3 + k]) / n, g[i * 3 + k], 1e-6, "logit " + i + "," + k);
                }
            }
        }
        // every trainable parameter against central differences
        double eps = 1e-2;
        for (String key : List.of("conv/kernel", "conv/bias", "logits/kernel", "logits/bias")) {
            String node = key.substring(0, key.indexOf('/'));
            String name = key.substring(key.indexOf('/') + 1);
            float[] base = net.node(node).params().get(name).toArray();
            int[] shape = net.node(node).params().get(name).shape();
            float[] g = grads.get(key);
            double maxGrad = 0;
            for (int i = 0; i < base.length; i++) {
                float[] plus = base.clone();
                float[] minus = base.clone();
                plus[i] += (float) eps;
                minus[i] -= (float) eps;
                double fd = (loss(with(net, node, name, Tensor.of(plus, shape)), x, onehot, n)
                        - loss(with(net, node, name, Tensor.of(minus, shape)), x, onehot, n)) / (2 * eps);
                assertEquals(fd, g[i], 2e-3 + 1e-2 * Math.abs(fd), key + "[" + i + "]");
                maxGrad = Math.max(maxGrad, Math.abs(g[i]));
            }
            assertTrue(maxGrad > 1e-3, key + " has a non-trivial gradient");
        }
    }

    static Network with(Network net, String node, String name, Tensor value) {
        Map<String, Map<String, Tensor>> all = new HashMap<>();
        for (Node n : net.nodes()) {
            all.put(n.name(), new HashMap<>(n.params()));
        }
        all.get(node).put(name, value);
        return net.withParams(all);
    }

    @Test
    void theLossReadsLogitsBeforeASoftmaxNode() {
        assertEquals(new Trainer.Target("logits", true), Trainer.Target.of(tiny(1)));
        Network probs = new Network.Builder("p").input("in", TensorShape.of(4))
                .add("out", new Layer.Dense(3, true, Activation.SOFTMAX), "in").buildWithoutParams();
        assertEquals(new Trainer.Target("out", false), Trainer.Target.of(probs));
        assertFalse(Trainer.Target.of(probs).logits());
    }
}
