package io.convscope.cli;

import io.convscope.ConvscopeException;
import io.convscope.optimize.GradientImages;
import io.convscope.optimize.Optimizer;
import picocli.CommandLine.Option;

/** The optimisation knobs of classviz, filters and reconstruct; unset ones take the method's default. */
public final class OptimizeOptions {
    @Option(names = "--size", paramLabel = "PX",
            description = "Image side in pixels (default: classviz 224, filters 128; reconstruct: the model's input size).")
    Integer size;

    @Option(names = "--steps", paramLabel = "N", description = "Optimisation steps (default: classviz 128, filters 128, reconstruct 150).")
    Integer steps;

    @Option(names = "--lr", paramLabel = "RATE", description = "Adam's learning rate (default 0.05; L-BFGS ignores it).")
    Double lr;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1",
            description = "Seed of the random start and transforms: the same command gives the same image (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--tv", paramLabel = "W", description = "Total-variation weight: smoother images (default: classviz and filters 0.05, reconstruct 0.001).")
    Double tv;

    @Option(names = "--l2", paramLabel = "W", description = "L2 weight pulling pixels to grey (default 0).")
    Double l2;

    @Option(names = "--param", paramLabel = "fourier|pixels",
            description = "What is optimised: fourier (a decorrelated spectrum, as in Lucid; default for classviz and filters) "
                    + "or pixels (default for reconstruct).")
    GradientImages.Param param;

    @Option(names = "--optimizer", paramLabel = "adam|lbfgs", description = "adam (default for classviz and filters) or lbfgs (default for reconstruct).")
    Optimizer.Kind optimizer;

    @Option(names = "--no-transforms", description = "Do not jitter, scale and rotate the image at each step (classviz and filters use "
            + "Lucid's jitter 8, scale 0.9-1.1, jitter 4 at 224 px by default; reconstruct never transforms).")
    boolean noTransforms;

    @Option(names = "--gif", paramLabel = "EVERY", description = "Also write progress.gif with a frame every EVERY steps.")
    Integer gifEvery;

    /** {@code defaults} with the options the user gave. */
    GradientImages.Settings settings(GradientImages.Settings d, ai.djl.Device device) {
        if (size != null && (size < 8 || size > 4096)) {
            throw new ConvscopeException("--size must be between 8 and 4096 pixels");
        }
        if (steps != null && steps < 1) {
            throw new ConvscopeException("--steps must be at least 1");
        }
        if (lr != null && !(lr > 0)) {
            throw new ConvscopeException("--lr must be positive");
        }
        if ((tv != null && !(tv >= 0)) || (l2 != null && !(l2 >= 0))) {
            throw new ConvscopeException("--tv and --l2 must be ≥ 0");
        }
        if (gifEvery != null && gifEvery < 1) {
            throw new ConvscopeException("--gif must be at least 1 (a frame every N steps)");
        }
        boolean fourier = param == null ? d.fourier() : param == GradientImages.Param.FOURIER;
        Optimizer.Kind opt = optimizer == null ? d.optimizer() : optimizer;
        return new GradientImages.Settings(size == null ? d.size() : size, steps == null ? d.steps() : steps,
                lr == null ? d.learningRate() : lr, seed, tv == null ? d.tv() : tv, l2 == null ? d.l2() : l2, fourier,
                d.transforms() && !noTransforms, d.octaves(), d.octaveScale(), opt, device);
    }
}
