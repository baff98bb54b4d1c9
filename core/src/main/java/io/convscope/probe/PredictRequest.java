package io.convscope.probe;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.convscope.ConvscopeException;
import io.convscope.engine.Engine;
import io.convscope.image.ImageTensor;
import io.convscope.image.Inputs;
import io.convscope.image.Resize;
import io.convscope.network.Network;
import io.convscope.util.Progress;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

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
        check(net);
        Progress bar = Progress.orNone(progress);
        List<float[]> probs = new ArrayList<>();
        bar.start("classifying " + files.size() + " images", files.size(), Progress.Unit.STEPS);
        try (Engine engine = Engine.create(net, device)) {
            for (int start = 0; start < files.size(); start += batch) {
                List<Path> chunk = files.subList(start, Math.min(files.size(), start + batch));
                ImageTensor t = ImageTensor.load(chunk, net.inputShape(), net.preprocessing(), resize);
                try (NDManager scope = engine.manager().newSubManager()) {
                    NDArray x = engine.input(scope, t.data(), t.n(), t.c(), t.h(), t.w());
                    probs.addAll(Arrays.asList(engine.predict(x)));
                }
                bar.advance(probs.size());
            }
        } finally {
            bar.finish();
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

    /** The indices of the k largest, largest first (ties: the lower index first). */
    public static int[] topK(float[] p, int k) {
        Integer[] idx = new Integer[p.length];
        for (int i = 0; i < p.length; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, Comparator.comparingDouble((Integer i) -> -p[i]).thenComparingInt(i -> i));
        int n = Math.min(k, p.length);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = idx[i];
        }
        return out;
    }
}
