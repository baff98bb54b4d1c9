package io.convscope.explain;

import ai.djl.Device;
import io.convscope.image.ImageTensor;
import io.convscope.network.Layer;
import io.convscope.network.Network;
import io.convscope.network.Node;
import io.convscope.network.Tensor;
import io.convscope.render.LinePlot;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The cascading model-randomization test of Adebayo et al. 2018 ("Sanity checks for saliency maps"):
 * the weights are replaced by random ones (Keras's initializers, seeded) from the class scores down,
 * one convolution or dense layer at a time (each step also randomizes the normalization layers above
 * it), and each method's maps of the randomized model are compared with the original ones by Spearman's
 * rank correlation, of the values and of their absolute values, averaged over the images. A method that
 * explains the model decorrelates as more of it is randomized.
 */
public final class Sanity {
    private Sanity() {
    }

    /**
     * Correlations per method and cascade step.
     *
     * @param layers   the layers randomized at each step, from the logits down (step i randomizes layers[0..i])
     * @param spearman [method][step] rank correlation of the values
     * @param absolute [method][step] rank correlation of the absolute values
     */
    public record Result(List<String> methods, List<String> layers, double[][] spearman, double[][] absolute) {
        /** The table as text (one row per step). */
        public String table() {
            StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%-4s %-28s", "step", "randomized down to"));
            for (String m : methods) {
                b.append(String.format(Locale.ROOT, " %22s", m + " (|.|)"));
            }
            b.append('\n');
            for (int s = 0; s < layers.size(); s++) {
                b.append(String.format(Locale.ROOT, "%-4d %-28s", s + 1, layers.get(s)));
                for (int m = 0; m < methods.size(); m++) {
                    b.append(String.format(Locale.ROOT, " %13.3f (%6.3f)", spearman[m][s], absolute[m][s]));
                }
                b.append('\n');
            }
            return b.toString();
        }

        /** CSV: step, layer, method, spearman, spearman_abs. */
        public String csv() {
            StringBuilder b = new StringBuilder("step,layer,method,spearman,spearman_abs\n");
            for (int s = 0; s < layers.size(); s++) {
                for (int m = 0; m < methods.size(); m++) {
                    b.append(s + 1).append(',').append(layers.get(s)).append(',').append(methods.get(m)).append(',')
                            .append(String.format(Locale.ROOT, "%.6f,%.6f", spearman[m][s], absolute[m][s])).append('\n');
                }
            }
            return b.toString();
        }

        /** Rank correlation of absolute values against the number of randomized layers, one line per method. */
        public BufferedImage plot(String title) {
            LinePlot p = new LinePlot(title).xLabel("layers randomized from the logits down").yLabel("Spearman (abs)");
            for (int m = 0; m < methods.size(); m++) {
                double[] x = new double[layers.size() + 1];
                double[] y = new double[layers.size() + 1];
                y[0] = 1;
                for (int s = 0; s < layers.size(); s++) {
                    x[s + 1] = s + 1;
                    y[s + 1] = absolute[m][s];
                }
                for (int s = 0; s <= layers.size(); s++) {
                    x[s] = s;
                }
                p.series(methods.get(m), x, y);
            }
            return p.render();
        }
    }

    /** The convolution and dense layers the class scores depend on, from the last to the first. */
    public static List<String> cascade(Network net, String scoreLayer) {
        Set<String> up = net.ancestors(List.of(scoreLayer));
        List<String> out = new ArrayList<>();
        for (Node n : net.nodes()) {
            Layer l = n.layer();
            if (up.contains(n.name()) && !n.params().isEmpty() && (l instanceof Layer.Conv2D || l instanceof Layer.Dense
                    || l instanceof Layer.DepthwiseConv2D || l instanceof Layer.SeparableConv2D)) {
                out.add(0, n.name());
            }
        }
        return out;
    }

    /**
     * Runs the test on a batch of images and their targets (at most {@code maxSteps} cascade steps; all
     * when ≤ 0). The CAM layer is resolved on the original network and kept.
     */
    public static Result run(Network net, ImageTensor x, int[] targets, List<String> methods, Methods.Settings settings, Score score,
                             Device device, int batch, long seed, int maxSteps) {
        Map<String, List<float[]>> original = new HashMap<>();
        List<String> layers;
        Methods.Settings s;
        try (ExplainContext ctx = ExplainContext.of(net, score, device, batch)) {
            s = settings.withLayer(CamLayers.choose(ctx.scoreNetwork(), ctx.scoreLayer(), settings.layer()));
            for (String m : methods) {
                original.put(m, Methods.create(m, ctx, s).attribute(x, targets).values());
            }
            layers = cascade(ctx.scoreNetwork(), ctx.scoreLayer());
        }
        if (maxSteps > 0 && layers.size() > maxSteps) {
            layers = layers.subList(0, maxSteps);
        }
        Network random = net.withRandomParams(seed);
        Map<String, Integer> order = new HashMap<>();
        for (int i = 0; i < net.nodes().size(); i++) {
            order.put(net.nodes().get(i).name(), i);
        }
        double[][] rho = new double[methods.size()][layers.size()];
        double[][] rhoAbs = new double[methods.size()][layers.size()];
        for (int step = 0; step < layers.size(); step++) {
            int from = order.get(layers.get(step));
            Map<String, Map<String, Tensor>> swap = new HashMap<>();
            for (Node n : random.nodes()) {
                if (order.get(n.name()) >= from && !n.params().isEmpty()) {
                    swap.put(n.name(), n.params());
                }
            }
            Network partly = net.withParams(swap);
            try (ExplainContext ctx = ExplainContext.of(partly, score, device, batch)) {
                for (int m = 0; m < methods.size(); m++) {
                    List<float[]> maps = Methods.create(methods.get(m), ctx, s).attribute(x, targets).values();
                    double a = 0;
                    double b = 0;
                    for (int i = 0; i < maps.size(); i++) {
                        float[] o = original.get(methods.get(m)).get(i);
                        a += MapOps.spearman(o, maps.get(i));
                        b += MapOps.spearman(MapOps.abs(o), MapOps.abs(maps.get(i)));
                    }
                    rho[m][step] = a / maps.size();
                    rhoAbs[m][step] = b / maps.size();
                }
            }
        }
        return new Result(List.copyOf(methods), List.copyOf(layers), rho, rhoAbs);
    }
}
