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

    /** Style's spelling of {@code --tv}, kept working (hidden: one vocabulary in the help). */
    @Option(names = "--tv-weight", paramLabel = "W", hidden = true)
    void tvWeight(double w) {
        tv = w;
    }

    @Option(names = "--l2", paramLabel = "W", description = "L2 weight pulling pixels to grey (default 0).")
    Double l2;

    @Option(names = "--param", paramLabel = "fourier|pixels",
            description = "What is optimised: fourier (a decorrelated spectrum, as in Lucid; default for classviz and filters, "
                    + "and for reconstruct at most " + GradientImages.Settings.SMALL_IMAGE + " px a side) or pixels "
                    + "(default for larger reconstructions).")
    GradientImages.Param param;

    @Option(names = "--optimizer", paramLabel = "adam|lbfgs", description = "adam (default for classviz and filters) or lbfgs (default for reconstruct).")
    Optimizer.Kind optimizer;

    @Option(names = "--gif", arity = "0", parameterConsumer = GifSwitch.class,
            description = "Also a GIF of the image as it develops (progress.gif; reconstruct: 01_LAYER_progress.gif).")
    Integer gif;

    @Option(names = "--gif-every", paramLabel = "N", description = "A GIF frame every N steps (default: about 30 frames; implies --gif).")
    Integer gifEveryOption;

    /**
     * {@code --gif} is a switch, as in style; the older {@code --gif N} (a frame every N steps) still
     * works: a number right after it is taken as {@code --gif-every} (an image file name is not).
     */
    static final class GifSwitch implements picocli.CommandLine.IParameterConsumer {
        @Override
        public void consumeParameters(java.util.Stack<String> args, picocli.CommandLine.Model.ArgSpec spec,
                                      picocli.CommandLine.Model.CommandSpec command) {
            int every = 0;
            if (!args.isEmpty() && args.peek().matches("-?\\d{1,9}")) {
                every = Integer.parseInt(args.pop());
                if (every < 1) {
                    throw new picocli.CommandLine.ParameterException(command.commandLine(),
                            "--gif-every must be at least 1 (a frame every N steps)");
                }
            }
            spec.setValue(every);
        }
    }

    /** A GIF frame every this many steps of a run of {@code steps}, or null without a GIF. */
    Integer gifEvery(int steps) {
        if (gifEveryOption != null) {
            return gifEveryOption;
        }
        if (gif == null) {
            return null;
        }
        return gif > 0 ? gif : Math.max(1, steps / 30);
    }

    /** {@code defaults} with the options the user gave; the image is transformed as the defaults say. */
    GradientImages.Settings settings(GradientImages.Settings d, ai.djl.Device device) {
        return settings(d, device, false);
    }

    /** {@code defaults} with the options the user gave; {@code noTransforms} turns the defaults' transforms off. */
    GradientImages.Settings settings(GradientImages.Settings d, ai.djl.Device device, boolean noTransforms) {
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
        if (gifEveryOption != null && gifEveryOption < 1) {
            throw new ConvscopeException("--gif-every must be at least 1 (a frame every N steps)");
        }
        boolean fourier = param == null ? d.fourier() : param == GradientImages.Param.FOURIER;
        Optimizer.Kind opt = optimizer == null ? d.optimizer() : optimizer;
        return new GradientImages.Settings(size == null ? d.size() : size, steps == null ? d.steps() : steps,
                lr == null ? d.learningRate() : lr, seed, tv == null ? d.tv() : tv, l2 == null ? d.l2() : l2, fourier,
                d.transforms() && !noTransforms, d.octaves(), d.octaveScale(), opt, device);
    }
}
