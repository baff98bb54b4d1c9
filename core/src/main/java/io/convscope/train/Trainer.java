package io.convscope.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.convscope.ConvscopeException;
import io.convscope.data.FashionMnist;
import io.convscope.engine.Engine;
import io.convscope.network.Layer;
import io.convscope.network.Network;
import io.convscope.network.Node;
import io.convscope.network.ParamSpec;
import io.convscope.network.Preprocessing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Trains a {@link Network} as a classifier with the {@link Engine}: mini-batch {@link Adam} on the
 * softmax cross-entropy of its output, shuffled by a seeded {@link Random}, with optional light
 * augmentation (horizontal flips, small shifts). Dropout is on during training; BatchNorm is not
 * trained (the engine always uses moving statistics), so networks trained here should not use it.
 *
 * <p>The loss is computed from logits: when the output node is a softmax {@link Layer.Act} its input
 * is used, otherwise the output is taken as logits unless it already ends in softmax, in which case
 * the log of the (clipped) probabilities is used, as Keras does.
 *
 * <p>Reproducible: the same network, data, options and seed give the same weights on the same
 * machine with the same number of PyTorch threads. The seed drives the shuffling and augmentation
 * ({@code java.util.Random}) and PyTorch's generator (dropout masks).
 */
public final class Trainer {

    /**
     * How to train. {@code lrDecay} multiplies the learning rate after each epoch (1 keeps it
     * constant); {@code maxShift} is the largest random translation in pixels (0 for none), filled
     * with pixel value 0; {@code flip} mirrors half of the images left–right.
     */
    public record Options(int epochs, int batchSize, float learningRate, float lrDecay, long seed, boolean flip,
                          int maxShift) {
        public Options {
            if (epochs < 1 || batchSize < 1 || !(learningRate > 0) || !(lrDecay > 0) || maxShift < 0) {
                throw new IllegalArgumentException("epochs and batch size must be ≥ 1, learning rate and decay > 0, shift ≥ 0");
            }
        }

        /** 1 epoch of batches of 64 at Adam's usual 0.001, constant, seed 1, no augmentation. */
        public static Options defaults() {
            return new Options(1, 64, 1e-3f, 1f, 1, false, 0);
        }

        public Options epochs(int n) {
            return new Options(n, batchSize, learningRate, lrDecay, seed, flip, maxShift);
        }

        public Options batchSize(int n) {
            return new Options(epochs, n, learningRate, lrDecay, seed, flip, maxShift);
        }

        public Options learningRate(float lr, float decayPerEpoch) {
            return new Options(epochs, batchSize, lr, decayPerEpoch, seed, flip, maxShift);
        }

        public Options seed(long s) {
            return new Options(epochs, batchSize, learningRate, lrDecay, s, flip, maxShift);
        }

        public Options augment(boolean horizontalFlip, int shift) {
            return new Options(epochs, batchSize, learningRate, lrDecay, seed, horizontalFlip, shift);
        }
    }

    /** Where training stands after a step; {@code loss} and {@code accuracy} are running means over the epoch so far. */
    public record Progress(int epoch, int epochs, int step, int stepsPerEpoch, double loss, double accuracy) { }

    /**
     * One finished epoch: its mean training loss and accuracy (with dropout and augmentation on),
     * the learning rate used, its duration and, when a validation set was given, the evaluation on it.
     */
    public record EpochSummary(int epoch, double loss, double accuracy, float learningRate, double seconds,
                               Evaluation validation) { }

    /** Hears about training as it goes (the command line draws a progress bar from it). */
    public interface Listener {
        /** After every step; {@code epoch} and {@code step} count from 1. */
        void onStep(Progress progress);

        /** After every epoch. */
        default void onEpoch(EpochSummary summary) {
        }

        Listener NONE = p -> { };
    }

    /** The trained network (same architecture, new weights) and the history of its epochs. */
    public record Result(Network network, List<EpochSummary> epochs, double seconds) { }

    private Trainer() {
    }

    /**
     * Trains {@code network} (which must have parameters: use {@link Network#withRandomParams} for a
     * new one) on {@code data}; {@code validation} may be null. Returns a new Network.
     */
    public static Result train(Network network, LabeledImages data, LabeledImages validation, Options options,
                               Listener listener) {
        checkData(network, data);
        if (validation != null) {
            checkData(network, validation); // before training, not after the first epoch
        }
        long start = System.nanoTime();
        ai.djl.engine.Engine.getEngine("PyTorch").setRandomSeed((int) options.seed());
        Random random = new Random(options.seed());
        Target target = Target.of(network);
        int classes = classes(network);
        int n = data.count();
        int steps = (n + options.batchSize() - 1) / options.batchSize();
        int c = data.channels();
        int h = data.height();
        int w = data.width();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        List<EpochSummary> history = new ArrayList<>();
        try (Engine engine = Engine.create(network);
             NDManager scope = engine.manager().newSubManager();
             Adam adam = new Adam(engine.manager(), options.learningRate())) {
            Map<String, NDArray> trainable = trainable(network, engine);
            for (NDArray p : trainable.values()) {
                p.setRequiresGradient(true);
            }
            float lr = options.learningRate();
            for (int epoch = 1; epoch <= options.epochs(); epoch++) {
                long epochStart = System.nanoTime();
                shuffle(order, random);
                double lossSum = 0;
                long correct = 0;
                long seen = 0;
                for (int s = 0; s < steps; s++) {
                    int from = s * options.batchSize();
                    int b = Math.min(options.batchSize(), n - from);
                    Batch batch = Batch.of(data, order, from, b, classes, network.preprocessing(), options, random);
                    try (NDManager step = scope.newSubManager()) {
                        NDArray input = engine.input(step, batch.x(), b, c, h, w);
                        NDArray y = step.create(batch.onehot(), new Shape(b, classes));
                        float loss;
                        long[] predicted;
                        try (GradientCollector gc = ai.djl.engine.Engine.getEngine("PyTorch").newGradientCollector()) {
                            NDArray out = engine.forward(input, List.of(target.node()), true).get(target.node());
                            NDArray lossArray = crossEntropy(out, y, target.logits());
                            gc.backward(lossArray);
                            loss = lossArray.getFloat();
                            predicted = out.argMax(1).toLongArray();
                        }
                        adam.step(trainable, step, lr);
                        lossSum += (double) loss * b;
                        for (int j = 0; j < b; j++) {
                            if (predicted[j] == batch.labels()[j]) {
                                correct++;
                            }
                        }
                        seen += b;
                    }
                    if (!Double.isFinite(lossSum)) {
                        throw new ConvscopeException("training diverged (loss is " + lossSum + ") in epoch " + epoch
                                + "; try a smaller learning rate");
                    }
                    listener.onStep(new Progress(epoch, options.epochs(), s + 1, steps, lossSum / seen, (double) correct / seen));
                }
                double seconds = (System.nanoTime() - epochStart) / 1e9;
                Evaluation val = validation == null ? null : evaluate(engine, validation, 500);
                EpochSummary summary = new EpochSummary(epoch, lossSum / seen, (double) correct / seen, lr, seconds, val);
                history.add(summary);
                listener.onEpoch(summary);
                lr *= options.lrDecay();
            }
            for (NDArray p : trainable.values()) {
                p.setRequiresGradient(false);
            }
            return new Result(engine.toNetwork(), history, (System.nanoTime() - start) / 1e9);
        }
    }

    /** Accuracy, per-class accuracy and confusion matrix of {@code network} on a Fashion-MNIST split. */
    public static Evaluation accuracy(Network network, FashionMnist.Split split, int batch) {
        return evaluate(network, LabeledImages.of(split), batch);
    }

    public static Evaluation evaluate(Network network, LabeledImages data, int batch) {
        try (Engine engine = Engine.create(network)) {
            return evaluate(engine, data, batch);
        }
    }

    /** Evaluates the engine's current parameters with inference semantics (no dropout). */
    public static Evaluation evaluate(Engine engine, LabeledImages data, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be ≥ 1");
        }
        Network network = engine.network();
        checkData(network, data);
        Target target = Target.of(network);
        int classes = classes(network);
        int[][] confusion = new int[classes][classes];
        double lossSum = 0;
        try (NDManager scope = engine.manager().newSubManager()) {
            for (int from = 0; from < data.count(); from += batchSize) {
                int b = Math.min(batchSize, data.count() - from);
                Batch batch = Batch.of(data, null, from, b, classes, network.preprocessing(), null, null);
                try (NDManager step = scope.newSubManager()) {
                    NDArray input = engine.input(step, batch.x(), b, data.channels(), data.height(), data.width());
                    NDArray out = engine.forward(input, List.of(target.node()), false).get(target.node());
                    NDArray perImage = crossEntropyPerImage(out, step.create(batch.onehot(), new Shape(b, classes)), target.logits());
                    float[] losses = perImage.toFloatArray();
                    long[] predicted = out.argMax(1).toLongArray();
                    for (int j = 0; j < b; j++) {
                        confusion[batch.labels()[j]][(int) predicted[j]]++;
                        lossSum += losses[j];
                    }
                }
            }
        }
        return new Evaluation(confusion, data.count() == 0 ? 0 : lossSum / data.count());
    }

    /**
     * Mean softmax cross-entropy of a batch, {@code -mean(sum(onehot · log softmax(logits)))}; when
     * {@code logits} is false, {@code out} holds probabilities and their clipped log is used.
     */
    public static NDArray crossEntropy(NDArray out, NDArray onehot, boolean logits) {
        return crossEntropyPerImage(out, onehot, logits).mean();
    }

    private static NDArray crossEntropyPerImage(NDArray out, NDArray onehot, boolean logits) {
        NDArray logp = logits ? out.logSoftmax(1) : out.clip(1e-7f, 1f - 1e-7f).log();
        return logp.mul(onehot).sum(new int[] {1}).neg();
    }

    /** The node whose values the loss reads, and whether they are logits (else probabilities). */
    record Target(String node, boolean logits) {
        static Target of(Network network) {
            Node out = network.node(network.outputs().get(0));
            if (out.layer().isSoftmax() && out.inputs().size() == 1) {
                return new Target(out.inputs().get(0), true);
            }
            return new Target(out.name(), !out.layer().endsInSoftmax());
        }
    }

    /** The engine's trainable parameter arrays (everything but BatchNorm moving statistics). */
    static Map<String, NDArray> trainable(Network network, Engine engine) {
        Map<String, NDArray> all = engine.parametersToTrain();
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (Node node : network.nodes()) {
            for (ParamSpec spec : network.specs(node)) {
                if (spec.trainable()) {
                    out.put(node.name() + "/" + spec.name(), all.get(node.name() + "/" + spec.name()));
                }
            }
        }
        return out;
    }

    private static int classes(Network network) {
        var shape = network.node(Target.of(network).node()).outputShape();
        if (shape.rank() != 1 || shape.dim(0) < 2) {
            throw new ConvscopeException("training needs a classifier whose output is one vector of class scores; '"
                    + network.name() + "' outputs " + shape.toKerasString());
        }
        return shape.dim(0);
    }

    private static void checkData(Network network, LabeledImages data) {
        var in = network.inputShape();
        if (!in.isSpatial() || in.channels() != data.channels()
                || (in.height() >= 0 && in.height() != data.height()) || (in.width() >= 0 && in.width() != data.width())) {
            throw new ConvscopeException("'" + network.name() + "' takes " + in.toKerasString() + " inputs but the images are "
                    + data.height() + "×" + data.width() + "×" + data.channels());
        }
        int classes = classes(network);
        for (int i = 0; i < data.count(); i++) {
            int l = data.label(i);
            if (l < 0 || l >= classes) {
                throw new ConvscopeException("image " + i + " has label " + l + " but '" + network.name() + "' has "
                        + classes + " classes");
            }
        }
    }

    /** One batch in the network's input layout: preprocessed images (N, C, H, W), one-hot targets, labels. */
    private record Batch(float[] x, float[] onehot, int[] labels) {
        /**
         * Images {@code order[from]} … {@code order[from + b - 1]} ({@code from} … when {@code order} is
         * null), augmented as {@code augment} says when it is not null.
         */
        static Batch of(LabeledImages data, int[] order, int from, int b, int classes, Preprocessing p, Options augment,
                        Random random) {
            int c = data.channels();
            int h = data.height();
            int w = data.width();
            float[] pixels = new float[c * h * w];
            float[] x = new float[b * c * h * w];
            float[] onehot = new float[b * classes];
            int[] labels = new int[b];
            for (int j = 0; j < b; j++) {
                int idx = order == null ? from + j : order[from + j];
                data.pixels(idx, pixels, 0);
                if (augment != null) {
                    augment(pixels, c, h, w, augment, random);
                }
                preprocess(pixels, p, c, h * w, x, j * c * h * w);
                labels[j] = data.label(idx);
                onehot[j * classes + labels[j]] = 1f;
            }
            return new Batch(x, onehot, labels);
        }
    }

    /** Fisher–Yates with the training Random, so that the order depends only on the seed. */
    private static void shuffle(int[] a, Random random) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    /** Random left–right flip and shift of one image (channels-first), in place. */
    static void augment(float[] img, int c, int h, int w, Options o, Random random) {
        boolean flip = o.flip() && random.nextBoolean();
        int dy = o.maxShift() > 0 ? random.nextInt(2 * o.maxShift() + 1) - o.maxShift() : 0;
        int dx = o.maxShift() > 0 ? random.nextInt(2 * o.maxShift() + 1) - o.maxShift() : 0;
        if (!flip && dx == 0 && dy == 0) {
            return;
        }
        float[] src = img.clone();
        for (int ch = 0; ch < c; ch++) {
            int base = ch * h * w;
            for (int y = 0; y < h; y++) {
                int sy = y - dy;
                for (int x = 0; x < w; x++) {
                    int sx = x - dx;
                    if (flip) {
                        sx = w - 1 - sx;
                    }
                    img[base + y * w + x] = sy >= 0 && sy < h && sx >= 0 && sx < w ? src[base + sy * w + sx] : 0f;
                }
            }
        }
    }

    /** Applies the network's preprocessing to pixel values 0–255 (RGB order) and writes them at {@code offset}. */
    static void preprocess(float[] pixels, Preprocessing p, int c, int hw, float[] dst, int offset) {
        for (int ch = 0; ch < c; ch++) {
            int src = p.bgr() && c == 3 ? 2 - ch : ch;
            for (int i = 0; i < hw; i++) {
                dst[offset + ch * hw + i] = p.apply(ch, pixels[src * hw + i]);
            }
        }
    }
}
