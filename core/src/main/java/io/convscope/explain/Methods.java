package io.convscope.explain;

import io.convscope.ConvscopeException;
import io.convscope.util.Names;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The attribution methods by command-line name, and the settings they take. */
public final class Methods {
    private Methods() {
    }

    /** Every method, in the order the pictures show them. */
    public static final List<String> NAMES = List.of("saliency", "gradient-x-input", "integrated-gradients", "smoothgrad",
            "guided-backprop", "deconvnet", "gradcam", "gradcam++", "layercam", "scorecam", "guided-gradcam", "occlusion", "rise");

    /** RISE's masks on a CPU when none are asked: a forward pass per mask takes tens of milliseconds there. */
    public static final int CPU_MASKS = 500;
    /** RISE's masks on a GPU when none are asked (Petsiuk et al. used 4000 to 8000). */
    public static final int GPU_MASKS = 4000;
    /** Score-CAM's channels on a CPU when none are asked: Faster Score-CAM over the 64 of largest variance (a GPU: every channel). */
    public static final int CPU_SCORECAM_CHANNELS = 64;

    /**
     * Settings of the methods. {@code layer} null: the default CAM layer ({@link CamLayers}).
     *
     * @param smoothOf         the gradient method SmoothGrad averages
     * @param masks            RISE's masks, or -1 for {@link #CPU_MASKS} on a CPU, {@link #GPU_MASKS} on a GPU
     * @param scorecamChannels 0: Score-CAM over every channel; N &gt; 0: Faster Score-CAM over the N channels of largest variance;
     *                         -1: {@link #CPU_SCORECAM_CHANNELS} on a CPU, every channel on a GPU
     */
    public record Settings(String layer, IntegratedGradients.Baseline baseline, int steps, double noise, int samples, String smoothOf,
                           int window, int stride, int masks, int cells, double keep, long seed, int scorecamChannels) {

        public Settings(String layer, IntegratedGradients.Baseline baseline, int steps, double noise, int samples, String smoothOf,
                        int window, int stride, int masks, int cells, double keep, long seed) {
            this(layer, baseline, steps, noise, samples, smoothOf, window, stride, masks, cells, keep, seed, 0);
        }

        /** The defaults: IG black baseline, 64 steps; SmoothGrad 25 samples, noise 0.15 around saliency; occlusion window and
         * stride from the input size; RISE masks by device ({@link #CPU_MASKS}, {@link #GPU_MASKS}) of 7×7 cells, keep 0.5;
         * Score-CAM channels by device; seed 0. */
        public static Settings defaults() {
            return new Settings(null, IntegratedGradients.Baseline.BLACK, 64, 0.15, 25, "saliency", -1, -1, -1, 7, 0.5, 0, -1);
        }

        public Settings withLayer(String l) {
            return new Settings(l, baseline, steps, noise, samples, smoothOf, window, stride, masks, cells, keep, seed, scorecamChannels);
        }

        public Settings withSteps(int s) {
            return new Settings(layer, baseline, s, noise, samples, smoothOf, window, stride, masks, cells, keep, seed, scorecamChannels);
        }

        public Settings withMasks(int m) {
            return new Settings(layer, baseline, steps, noise, samples, smoothOf, window, stride, m, cells, keep, seed, scorecamChannels);
        }

        public Settings withSamples(int s) {
            return new Settings(layer, baseline, steps, noise, s, smoothOf, window, stride, masks, cells, keep, seed, scorecamChannels);
        }

        public Settings withWindow(int win, int str) {
            return new Settings(layer, baseline, steps, noise, samples, smoothOf, win, str, masks, cells, keep, seed, scorecamChannels);
        }

        public Settings withScorecamChannels(int n) {
            return new Settings(layer, baseline, steps, noise, samples, smoothOf, window, stride, masks, cells, keep, seed, n);
        }

        /** Score-CAM's channels on {@code device}: the asked number, else by device (0: every channel). */
        public int scorecamChannelsOn(ai.djl.Device device) {
            return scorecamChannels != -1 ? scorecamChannels : device != null && device.isGpu() ? 0 : CPU_SCORECAM_CHANNELS;
        }

        /** RISE's masks on {@code device}: the asked number, else by device. */
        public int masksOn(ai.djl.Device device) {
            return masks != -1 ? masks : device != null && device.isGpu() ? GPU_MASKS : CPU_MASKS;
        }
    }

    /** Parses a list of method names ("all" for every one), with nearest-name suggestions. */
    public static List<String> parse(List<String> names) {
        List<String> out = new ArrayList<>();
        for (String raw : names) {
            String n = raw.strip().toLowerCase(Locale.ROOT);
            if (n.equals("all")) {
                for (String m : NAMES) {
                    if (!out.contains(m)) {
                        out.add(m);
                    }
                }
                continue;
            }
            if (!NAMES.contains(n)) {
                throw new ConvscopeException("unknown method '" + raw + "'" + Names.didYouMean(n, NAMES) + "; methods: " + String.join(", ", NAMES));
            }
            if (!out.contains(n)) {
                out.add(n);
            }
        }
        if (out.isEmpty()) {
            throw new ConvscopeException("no method given");
        }
        return out;
    }

    /** Whether the method works at a layer with spatial maps. */
    public static boolean needsLayer(String name) {
        return name.contains("cam") || name.equals("occlusion");
    }

    /** Occlusion's default window for an input of h × w: an eighth of the shorter side, at least 2. */
    public static int defaultWindow(int h, int w) {
        return Math.max(2, Math.min(h, w) / 8);
    }

    /** The method {@code name} on {@code ctx}. */
    public static Attribution create(String name, ExplainContext ctx, Settings s) {
        return switch (name) {
            case "saliency" -> new Saliency(ctx);
            case "gradient-x-input" -> new GradientXInput(ctx);
            case "integrated-gradients" -> new IntegratedGradients(ctx, s.baseline(), s.steps(), s.seed());
            case "smoothgrad" -> {
                if (s.smoothOf().equals("smoothgrad") || !List.of("saliency", "gradient-x-input", "integrated-gradients", "guided-backprop",
                        "deconvnet").contains(s.smoothOf())) {
                    throw new ConvscopeException("smoothgrad averages a gradient method: saliency, gradient-x-input, "
                            + "integrated-gradients, guided-backprop or deconvnet, not '" + s.smoothOf() + "'");
                }
                yield new SmoothGrad(create(s.smoothOf(), ctx, s), s.noise(), s.samples(), s.seed());
            }
            case "guided-backprop" -> new GuidedBackprop(ctx);
            case "deconvnet" -> new Deconvnet(ctx);
            case "gradcam" -> new GradCam(ctx, s.layer());
            case "gradcam++" -> new GradCamPlusPlus(ctx, s.layer());
            case "layercam" -> new LayerCam(ctx, s.layer());
            case "scorecam" -> new ScoreCam(ctx, s.layer(), s.scorecamChannelsOn(ctx.device()));
            case "guided-gradcam" -> new GuidedGradCam(ctx, s.layer());
            case "occlusion" -> {
                var in = ctx.network().inputShape();
                int h = in.height() > 0 ? in.height() : 224;
                int w = in.width() > 0 ? in.width() : 224;
                int win = s.window() > 0 ? s.window() : defaultWindow(h, w);
                int str = s.stride() > 0 ? s.stride() : Math.max(1, win / 2);
                yield new Occlusion(ctx, win, str, s.layer());
            }
            case "rise" -> new Rise(ctx, s.masksOn(ctx.device()), s.cells(), s.keep(), s.seed());
            default -> throw new ConvscopeException("unknown method '" + name + "'" + Names.didYouMean(name, NAMES));
        };
    }
}
