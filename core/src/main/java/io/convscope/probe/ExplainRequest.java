package io.convscope.probe;

import io.convscope.ConvscopeException;
import io.convscope.Setting;
import io.convscope.TooLargeException;
import io.convscope.explain.Attribution;
import io.convscope.explain.ExplainContext;
import io.convscope.explain.ExplainRun;
import io.convscope.explain.Maps;
import io.convscope.explain.Methods;
import io.convscope.explain.Occlusion;
import io.convscope.explain.Score;
import io.convscope.explain.Targets;
import io.convscope.image.ImageTensor;
import io.convscope.image.Inputs;
import io.convscope.image.Resize;
import io.convscope.memory.MemoryLimits;
import io.convscope.memory.MemoryNeed;
import io.convscope.network.Network;
import io.convscope.network.Node;
import io.convscope.render.Colormap;
import io.convscope.util.Progress;
import io.convscope.util.RunFolder;
import io.convscope.util.Units;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Attribution maps ({@code explain}): why the model gave a class to each image.
 *
 * @param images      image files or folders, as given
 * @param methods     method names ({@link Methods#NAMES})
 * @param targets     which classes to explain
 * @param settings    the methods' settings
 * @param score       logits or probabilities
 * @param batch       images per pass, and samples per internal pass of the methods
 * @param colormap    the colormap of unsigned maps
 * @param opacity     the maps' opacity over the image
 * @param metrics     "deletion", "insertion" or none
 * @param metricSteps portions of pixels per deletion/insertion game
 * @param resize      how an image is fitted to the model's input
 * @param tolerance   integrated gradients' largest completeness error (relative) before a warning
 * @param out         the output folder (replaced as a whole by the run)
 */
public record ExplainRequest(List<String> images, List<String> methods, Targets targets, Methods.Settings settings, Score score,
                             int batch, Colormap colormap, float opacity, List<String> metrics, int metricSteps, Resize resize,
                             double tolerance, Path out) {

    /** The image files (folders expanded), the output folder checked. Cheap: call it before loading a model. */
    public List<Path> inputs() {
        if (batch < 1) {
            throw new ConvscopeException(Setting.BATCH + " must be at least 1");
        }
        if (metricSteps < 2) {
            throw new ConvscopeException(Setting.METRIC_STEPS + " must be at least 2");
        }
        if (!(tolerance > 0)) {
            throw new ConvscopeException(Setting.TOLERANCE + " must be positive");
        }
        if (opacity < 0 || opacity > 1) {
            throw new ConvscopeException(Setting.OPACITY + " must be between 0 and 1");
        }
        Methods.parse(methods);
        List<Path> files = Inputs.expand(images);
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new ConvscopeException(Setting.OUT + " " + out + " is a file, not a folder");
        }
        RunFolder.requireReplaceable(out, ExplainRun.SIGNATURE);
        Path dir = out.toAbsolutePath().normalize();
        for (Path f : files) {
            if (f.toAbsolutePath().normalize().startsWith(dir)) {
                throw new ConvscopeException(f + " is inside the output folder " + out + ", which the run replaces as a whole; choose another "
                        + Setting.OUT);
            }
        }
        return files;
    }

    /** {@link #plan(List, Network, MemoryLimits)} for {@link #inputs()}. */
    public ExplainPlan plan(Network net, MemoryLimits limits) {
        return plan(inputs(), net, limits);
    }

    /**
     * Checks that the model classifies images, estimates the memory of a batch and refuses a run that
     * would not fit {@code limits} (naming the largest batch that fits).
     */
    public ExplainPlan plan(List<Path> files, Network net, MemoryLimits limits) {
        if (!net.inputShape().isSpatial()) {
            throw new ConvscopeException(net.name() + " does not take images (input " + net.inputShape().toKerasString() + ")");
        }
        if (net.inputShape().height() < 0 || net.inputShape().width() < 0) {
            throw new ConvscopeException(net.name() + " has no classifier (was " + Setting.NO_TOP + " given?); explain needs class scores");
        }
        List<String> ms = Methods.parse(methods);
        MemoryNeed need = estimate(net, ms, batch);
        if (!need.fits(limits)) {
            int fits = 0;
            for (int b = batch / 2; b >= 1; b /= 2) {
                if (estimate(net, ms, b).fits(limits)) {
                    fits = b;
                    break;
                }
            }
            String hint = fits > 0 ? "; " + Setting.BATCH + " " + fits + " fits" : "; even " + Setting.BATCH + " 1 does not fit";
            String what = "explaining with " + Setting.BATCH + " " + batch + " needs about " + Units.bytes(need.nativeBytes())
                    + " for the network + " + Units.bytes(need.heapBytes()) + " for the maps";
            if (need.heapBytes() > limits.heapBytes()) {
                throw new TooLargeException(what + " but the Java heap allows " + Units.bytes(limits.heapBytes()) + hint
                        + " (or raise the heap with CONVSCOPE_JAVA_OPTS=-Xmx<size>)", need.heapBytes(), limits.heapBytes(),
                        TooLargeException.Limit.HEAP, fits);
            }
            if (limits.gpuBytes() != Long.MAX_VALUE && need.nativeBytes() > limits.gpuBytes()) {
                throw new TooLargeException(what + " but the GPU has " + Units.bytes(limits.gpuBytes()) + hint, need.nativeBytes(),
                        limits.gpuBytes(), TooLargeException.Limit.GPU, fits);
            }
            throw new TooLargeException(what + " but this machine has " + Units.bytes(limits.physicalBytes()) + hint,
                    need.nativeBytes() + need.heapBytes(), limits.physicalBytes(), TooLargeException.Limit.MEMORY, fits);
        }
        return new ExplainPlan(this, net, files, ms, need);
    }

    /** The runtime's own native memory. */
    static final long RUNTIME_BYTES = 300L << 20;

    /**
     * What a run needs, from the layers' shapes. Native: the weights twice (the network and the engine's
     * copy), every layer's output for a batch 5 times over (kept for the backward pass, its gradient, the
     * allocator's slack, as {@code optimize/GradientMemory}), the input batch and its gradient, the runtime.
     * Heap: a batch of images and of one internal pass (the samples, their gradient, a copy: 4 floats each),
     * integrated gradients' stored gradients (one per step: the adaptive rule reweights them) and sums, the
     * maps of the batch (per method and class), the pictures (the panel and its tiles), and 64 MB of slack.
     * The count of images does not enter: the run writes each batch before the next.
     */
    public MemoryNeed estimate(Network net, List<String> ms, int b) {
        long params = 0;
        long outputs = 0;
        for (Node n : net.nodes()) {
            params += 4L * net.paramCount(n);
            outputs += Math.max(0, n.outputShape().size()) * 4L;
        }
        int h = net.inputShape().height();
        int w = net.inputShape().width();
        long sample = 4L * net.inputShape().channels() * h * w;
        long nativeBytes = 2 * params + 5L * b * outputs + 4L * b * sample + RUNTIME_BYTES;
        int classes = targets.classes().isEmpty() ? Math.max(1, targets.top()) : targets.classes().size();
        long heap = 4L * b * sample + 4L * b * outputs / Math.max(1, net.nodes().size()); // layer values copied to the host (one layer)
        if (ms.contains("integrated-gradients") || ms.contains("smoothgrad")) {
            heap += (long) Math.max(1, settings.steps()) * sample + 2L * sample;
        }
        heap += (long) ms.size() * classes * b * 4L * h * w;
        heap += (long) b * (ms.size() * classes + 1) * 4L * 200 * 200;
        heap += 64L << 20;
        return new MemoryNeed(nativeBytes, heap);
    }

    /**
     * One method's maps for a batch already in memory (the explorer's attribution views and jobs): the
     * method by name on {@code ctx}, occlusion's window checked against the image, and the method's
     * internal passes reported to {@code progress} as one task ({@link Attribution#work} steps).
     */
    public static Maps attribute(ExplainContext ctx, String method, Methods.Settings settings, ImageTensor x, int[] targets,
                                 Progress progress) {
        String name = Methods.parse(List.of(method)).get(0);
        Attribution a = Methods.create(name, ctx, settings);
        if (a instanceof Occlusion o) {
            o.check(x.h(), x.w());
        }
        return a.attribute(x, targets, Progress.orNone(progress));
    }
}
