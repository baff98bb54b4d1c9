package io.convscope.style;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.convscope.ConvscopeException;
import io.convscope.Setting;

import io.convscope.engine.Engine;
import io.convscope.network.Network;
import io.convscope.optimize.Listener;
import io.convscope.optimize.Objective;
import io.convscope.optimize.Optimization;
import io.convscope.optimize.Optimizer;
import io.convscope.optimize.PixelParam;
import io.convscope.optimize.Transform;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Neural style transfer (Gatys, Ecker &amp; Bethge 2016) on the optimisation core: an image whose
 * features at the content layer match the content image's and whose Gram matrices at the style layers
 * match the style image's (several style images: the weighted mean of their Gram matrices), with a
 * total-variation term against noise. One {@link Optimization} does the work; this class only builds
 * the objective, the start and, for colour preservation, the luminance images.
 *
 * <pre>{@code
 * StyleLayers layers = StyleLayers.choose(net, null, null, h, w);
 * try (Engine e = Engine.create(StyleTransfer.network(net, layers))) {
 *     StyleTransfer.Result r = StyleTransfer.run(e, content, List.of(new StyleTransfer.Style(painting, 1)),
 *             StyleTransfer.Settings.defaults(layers), List.of());
 * }
 * }</pre>
 *
 * <p>The loss is α·content + β·Σ_l (1/L)·style_l + γ·tv with content = ‖Φ − Φ₀‖²/‖Φ₀‖² and
 * style_l = ‖G_l − A_l‖²/‖A_l‖², G = F·Fᵀ/(H·W) (see {@link Objective#styleNormalized}): both are
 * relative errors, so the default weights suit any model, and the L style layers weigh equally.
 */
public final class StyleTransfer {
    /** α: weight of the content term. */
    public static final double CONTENT_WEIGHT = 1;
    /** β: weight of the style terms together. */
    public static final double STYLE_WEIGHT = 1e3;
    /** γ: weight of total variation (mean squared difference of neighbouring pixels, values in [0, 1]). */
    public static final double TV_WEIGHT = 10;
    /** Adam's default learning rate, in the units of the sigmoid's input. */
    public static final double ADAM_RATE = 0.05;
    /** Standard deviation of the noise start, in the sigmoid's input (values spread over about 0.25–0.75). */
    public static final double NOISE = 1.0;
    /** L-BFGS history. */
    public static final int HISTORY = io.convscope.optimize.Optimizer.Kind.HISTORY;

    private StyleTransfer() {
    }

    /** Where the optimisation starts. */
    public enum Start {
        /** The content image (the usual choice: content is kept from the first step). */
        CONTENT,
        /** Seeded noise around grey, as in Gatys et al.'s figures. */
        NOISE;

        /** "content", "noise" (also "random"). */
        public static final io.convscope.util.Choices<Start> CHOICES = io.convscope.util.Choices.of(Start.class).alias("random", NOISE);
    }

    /** An RGB image, C×H×W floats in [0, 1]. */
    public record Image(float[] rgb, int height, int width) {
        public Image {
            if (height < 1 || width < 1 || rgb.length != 3L * height * width) {
                throw new IllegalArgumentException(rgb.length + " values for a 3×" + height + "×" + width + " image");
            }
        }
    }

    /** A style image and its weight in the blend (weights are normalised to sum 1). */
    public record Style(Image image, double weight) {
    }

    /**
     * Everything but the images.
     *
     * @param layers         content and style layers
     * @param contentWeight  α
     * @param styleWeight    β (shared equally by the style layers)
     * @param tvWeight       γ (0: no total-variation term)
     * @param steps          optimiser iterations (an L-BFGS iteration evaluates the network once or more)
     * @param method         L-BFGS or Adam
     * @param learningRate   Adam's learning rate (unused by L-BFGS)
     * @param seed           seeds the noise start (runs repeat exactly)
     * @param start          the content image or noise
     * @param preserveColors transfer on luminance only and keep the content's colours
     */
    public record Settings(StyleLayers layers, double contentWeight, double styleWeight, double tvWeight, int steps,
            io.convscope.optimize.Optimizer.Kind method, double learningRate, long seed, Start start, boolean preserveColors) {
        public Settings {
            if (!(contentWeight >= 0) || !(styleWeight >= 0) || !(tvWeight >= 0)) {
                throw new ConvscopeException("the content, style and TV weights must be 0 or more");
            }
            if (contentWeight == 0 && styleWeight == 0) {
                throw new ConvscopeException("the content and style weights are both 0: nothing to optimise");
            }
            if (steps < 1) {
                throw new ConvscopeException(Setting.STEPS + " must be at least 1");
            }
            if (method == io.convscope.optimize.Optimizer.Kind.ADAM && !(learningRate > 0)) {
                throw new ConvscopeException(Setting.LR + " must be positive");
            }
        }

        /** Gatys's setup: α, β, γ above, L-BFGS for 200 iterations from the content image, seed 1. */
        public static Settings defaults(StyleLayers layers) {
            return new Settings(layers, CONTENT_WEIGHT, STYLE_WEIGHT, TV_WEIGHT, 200, io.convscope.optimize.Optimizer.Kind.LBFGS, ADAM_RATE, 1, Start.CONTENT, false);
        }

        public Settings withSteps(int n) {
            return new Settings(layers, contentWeight, styleWeight, tvWeight, n, method, learningRate, seed, start, preserveColors);
        }

        public Settings withWeights(double content, double style, double tv) {
            return new Settings(layers, content, style, tv, steps, method, learningRate, seed, start, preserveColors);
        }

        public Settings withStart(Start s, long newSeed) {
            return new Settings(layers, contentWeight, styleWeight, tvWeight, steps, method, learningRate, newSeed, s, preserveColors);
        }

        public Settings withMethod(io.convscope.optimize.Optimizer.Kind m, double lr) {
            return new Settings(layers, contentWeight, styleWeight, tvWeight, steps, m, lr, seed, start, preserveColors);
        }

        public Settings withPreserveColors(boolean p) {
            return new Settings(layers, contentWeight, styleWeight, tvWeight, steps, method, learningRate, seed, start, p);
        }
    }

    /**
     * The outcome: the picture (the content's size), the optimisation's own result (its image is the
     * luminance when colours were preserved) and the loss per step.
     */
    public record Result(Image image, Optimization.Result optimization) {
    }

    /**
     * The part of {@code net} the layers need, taking images of any size (one engine serves the
     * content, the style images at their own sizes and the optimised image).
     */
    public static Network network(Network net, StyleLayers layers) {
        return net.cut(layers.all(), -1, -1).orNeedsModelSize(-1, -1);
    }

    /**
     * Runs the transfer on {@code engine} (made from {@link #network}). Listeners see the image being
     * optimised in colour (for colour preservation: its luminance with the content's colours), batch
     * of one, shape (1, 3, H, W).
     */
    public static Result run(Engine engine, Image content, List<Style> styles, Settings s, List<Listener> listeners) {
        if (styles.isEmpty()) {
            throw new ConvscopeException("give at least one style image");
        }
        double total = 0;
        for (Style st : styles) {
            if (!(st.weight() >= 0)) {
                throw new ConvscopeException("style weights must be 0 or more, got " + st.weight());
            }
            total += st.weight();
        }
        if (!(total > 0)) {
            throw new ConvscopeException("the style weights add up to 0");
        }
        int h = content.height();
        int w = content.width();
        boolean gray = s.preserveColors();
        int c = gray ? 1 : 3;
        float[] contentLuma = gray ? Colors.luminance(content.rgb(), h, w) : null;
        float[] contentSeen = gray ? contentLuma : content.rgb();
        StyleLayers layers = s.layers();
        try (NDManager targets = engine.manager().newSubManager()) {
            NDArray contentTarget = features(engine, targets, contentSeen, c, h, w, List.of(layers.content()), false).get(layers.content());
            Map<String, NDArray> grams = new LinkedHashMap<>();
            for (Style st : styles) {
                if (st.weight() == 0) {
                    continue;
                }
                Image im = st.image();
                float[] seen = gray
                        ? Colors.matchLuminance(Colors.luminance(im.rgb(), im.height(), im.width()), contentLuma)
                        : im.rgb();
                Map<String, NDArray> g = features(engine, targets, seen, c, im.height(), im.width(), layers.style(), true);
                float share = (float) (st.weight() / total);
                for (String l : layers.style()) {
                    NDArray part = g.get(l).mul(share);
                    grams.merge(l, part, NDArray::add);
                }
            }
            Objective objective = Objective.content(layers.content(), contentTarget).times(s.contentWeight());
            double perLayer = s.styleWeight() / layers.style().size();
            for (String l : layers.style()) {
                objective = objective.plus(Objective.styleNormalized(l, grams.get(l)).times(perLayer));
            }
            if (s.tvWeight() > 0) {
                objective = objective.plus(Objective.tv().times(s.tvWeight()));
            }
            PixelParam param = new PixelParam(1, c, h, w, NOISE);
            Optimization o = new Optimization(engine, objective, param)
                    .optimizer(s.method().create(s.learningRate()))
                    .steps(s.steps()).seed(s.seed());
            if (gray) {
                o.transforms(Transform.gray());
            }
            if (s.start() == Start.CONTENT) {
                o.start(param.encode(contentSeen));
            }
            for (Listener l : listeners) {
                o.listener(gray ? l.mapImages(y -> Colors.withLuminance(y, content.rgb(), h, w)) : l);
            }
            Optimization.Result r = o.run();
            float[] out = gray ? Colors.withLuminance(r.image(), content.rgb(), h, w) : r.image();
            return new Result(new Image(out, h, w), r);
        }
    }

    /**
     * The tapped layers (or their Gram matrices) of one image, owned by {@code keep}; everything else
     * the pass made is freed at once.
     */
    static Map<String, NDArray> features(Engine engine, NDManager keep, float[] image, int c, int h, int w, List<String> taps,
            boolean gram) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        try (NDManager m = keep.newSubManager()) {
            NDArray x = m.create(image, new Shape(1, c, h, w)).toDevice(engine.device(), false);
            x = Transform.gray().apply(x, null);
            Map<String, NDArray> f = engine.forward(Optimization.toInput(x, engine.network().preprocessing()), taps);
            for (String t : taps) {
                NDArray v = gram ? Objective.gram(f.get(t)) : f.get(t);
                v.attach(keep);
                out.put(t, v);
            }
        }
        return out;
    }

    /** The content image's size for a longest side of {@code size}: (height, width), aspect ratio kept. */
    public static int[] fit(int height, int width, int size) {
        if (size < 1) {
            throw new ConvscopeException(Setting.SIZE + " must be at least 1");
        }
        double s = (double) size / Math.max(height, width);
        return new int[] {(int) Math.max(1, Math.round(height * s)), (int) Math.max(1, Math.round(width * s))};
    }
}
