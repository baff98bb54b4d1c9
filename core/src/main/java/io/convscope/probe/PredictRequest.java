package io.convscope.probe;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.convscope.ConvscopeException;
import io.convscope.engine.Engine;
import io.convscope.image.ImageLoader;
import io.convscope.image.ImageTensor;
import io.convscope.image.Inputs;
import io.convscope.image.Resize;
import io.convscope.network.Network;
import io.convscope.util.Prefetch;
import io.convscope.util.Phases;
import io.convscope.util.Progress;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;

/**
 * Classification ({@code predict}): the top-k classes of each image.
 *
 * @param images image files or folders, as given
 * @param top    classes per image
 * @param resize how an image is fitted to the model's input
 * @param batch  images per forward pass
 */
public record PredictRequest(List<String> images, int top, Resize resize, int batch) {

    /** One class of an image's top-k. */
    public record Scored(int index, String label, float probability) {
    }

    /** An image's top-k, most probable first. */
    public record Prediction(Path image, List<Scored> top) {
    }

    /** The image files (folders expanded). */
    public List<Path> inputs() {
        return Inputs.expand(images);
    }

    /** Refuses a model without a fixed input size (no classifier). */
    public void check(Network net) {
        if (net.inputShape().height() < 0 || net.inputShape().width() < 0) {
            throw new ConvscopeException("predict needs a model with a fixed input size and a classifier; "
                    + net.name() + " takes any size (was " + io.convscope.Setting.NO_TOP + " given?)");
        }
    }

    /** Classifies {@code files} in batches on {@code device}; {@code progress} counts images. */
    public List<Prediction> run(List<Path> files, Network net, Device device, Progress progress) {
        return run(files, () -> net, device, progress);
    }

    /**
     * Classifies {@code files} with the network {@code model} gives, in batches on {@code device}.
     *
     * <p>Images are decoded on worker threads from the start, while {@code model} is called on this
     * thread (loading a model file and decoding images overlap), and then a bounded window ahead of the
     * engine (the next batches are decoded, fitted and preprocessed while the engine computes one).
     * The answers are those of doing it one step after the other: each image's input does not depend
     * on the others, and the batches are the same. The first image that cannot be read, in order,
     * fails the run with its one-line message, as a plain loop would; an error of {@code model}
     * comes first. {@code progress} counts images.
     */
    public List<Prediction> run(List<Path> files, Supplier<Network> model, Device device, Progress progress) {
        int threads = Math.max(1, Math.min(DECODE_THREADS, Runtime.getRuntime().availableProcessors()));
        return run(files, model, device, progress, threads);
    }

    /** The same work one step after the other on this thread: the reference {@link #run} must match. */
    List<Prediction> runSequential(List<Path> files, Network net, Device device, Progress progress) {
        return run(files, () -> net, device, progress, 0);
    }

    /** Decoding threads at most (fewer on a machine with fewer cores). */
    static final int DECODE_THREADS = 2;

    /** {@link #run}, with {@code threads} decoding threads (0: decode on this thread when needed). */
    List<Prediction> run(List<Path> files, Supplier<Network> model, Device device, Progress progress, int threads) {
        CompletableFuture<Network> network = new CompletableFuture<>();
        List<float[]> probs = new ArrayList<>();
        Network net;
        // each task decodes its image first, then waits for the network to fit and preprocess it
        try (Prefetch<ImageTensor> feed = new Prefetch<>(files.size(), threads, Math.max(2, 2 * batch), "predict-decode",
                i -> sample(files.get(i), network))) {
            try {
                net = model.get();
                check(net);
            } catch (RuntimeException | Error e) {
                network.completeExceptionally(e);
                throw e;
            }
            network.complete(net);
            Phases.mark("model");
            Progress bar = Progress.orNone(progress);
            bar.start("classifying " + files.size() + " images", files.size(), Progress.Unit.STEPS);
            try (Engine engine = Engine.create(net, device)) {
                Phases.mark("engine");
                for (int start = 0; start < files.size(); start += batch) {
                    int n = Math.min(batch, files.size() - start);
                    ImageTensor first = feed.next();
                    int sampleSize = first.sampleSize(); // every image is fitted to the model's fixed size
                    float[] data = new float[n * sampleSize];
                    System.arraycopy(first.data(), 0, data, 0, sampleSize);
                    for (int k = 1; k < n; k++) {
                        System.arraycopy(feed.next().data(), 0, data, k * sampleSize, sampleSize);
                    }
                    try (NDManager scope = engine.manager().newSubManager()) {
                        NDArray x = engine.input(scope, data, n, first.c(), first.h(), first.w());
                        probs.addAll(Arrays.asList(engine.predict(x)));
                    }
                    bar.advance(probs.size());
                }
            } finally {
                bar.finish();
            }
            Phases.mark("classified images=" + files.size());
        }
        List<Prediction> out = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            List<Scored> s = new ArrayList<>();
            for (int c : topK(probs.get(i), top)) {
                s.add(new Scored(c, net.label(c), probs.get(i)[c]));
            }
            out.add(new Prediction(files.get(i), s));
        }
        return out;
    }

    /** One image as the network's input (a batch of one), decoded before the network is known. */
    private ImageTensor sample(Path file, CompletableFuture<Network> network) throws InterruptedException {
        BufferedImage image = ImageLoader.load(file);
        Network net;
        try {
            net = network.get();
        } catch (ExecutionException e) {
            throw new CancellationException("no network"); // the run fails with the model's error
        }
        return ImageTensor.of(image, file.toString(), net.inputShape(), net.preprocessing(), resize);
    }

    /** The indices of the k largest, largest first (ties: the lower index first): {@link Engine#topK}. */
    public static int[] topK(float[] p, int k) {
        return Engine.topK(p, k);
    }
}
