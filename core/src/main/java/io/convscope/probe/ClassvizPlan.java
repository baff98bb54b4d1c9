package io.convscope.probe;


import io.convscope.engine.Engine;
import io.convscope.image.ImageTensor;
import io.convscope.image.Resize;
import io.convscope.network.Network;
import io.convscope.optimize.GradientImages;
import io.convscope.optimize.Listeners;
import io.convscope.optimize.Optimization;
import io.convscope.render.Grid;
import io.convscope.render.Png;
import io.convscope.util.Progress;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A classviz run, planned.
 *
 * @param request  what was asked
 * @param network  the model
 * @param classes  the class indices
 * @param settings the settings with the size resolved
 */
public record ClassvizPlan(ClassvizRequest request, Network network, int[] classes, GradientImages.Settings settings) {

    /** How the model judges one final image. */
    public record Judged(int classIndex, String label, double probability, int topIndex, String topLabel, double topProbability,
                         Path file) {
    }

    /** The labelled sheet of every class. */
    public Path sheet() {
        return request.out().resolve("classes.png");
    }

    /** The picture of the {@code i}-th class. */
    public Path file(int i) {
        return request.out().resolve(Outputs.number(i + 1, classes.length) + "_" + Outputs.slug(network.label(classes[i])) + ".png");
    }

    /** Every file the run writes. */
    public List<Path> files() {
        List<Path> f = new ArrayList<>();
        for (int i = 0; i < classes.length; i++) {
            f.add(file(i));
        }
        f.add(sheet());
        f.add(request.out().resolve("metrics.csv"));
        if (request.gifEvery() != null) {
            f.add(request.out().resolve("progress.gif"));
        }
        return f;
    }

    /** Optimises the classes as one batch, judges each final image with the same model and writes the files. */
    public List<Judged> run(Progress progress) {
        GradientImages.Settings s = settings;
        Path dir = Outputs.folder(request.out());
        int[] idx = classes;
        int c = network.inputShape().channels();
        Optimization.Result r = GradientImages.classes(network, idx, s,
                GradientProbe.listeners(progress, "classviz " + idx.length + (idx.length == 1 ? " class" : " classes"),
                        dir.resolve("metrics.csv"), dir.resolve("progress.gif"), request.gifEvery(), new int[] {idx.length, c, s.size(), s.size()}));

        // judge the final, untransformed images with the same model at its own size
        List<BufferedImage> pictures = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < idx.length; i++) {
            pictures.add(Listeners.picture(r.image(), r.shape(), i));
            names.add(network.label(idx[i]));
        }
        int h = network.inputShape().height() > 0 ? network.inputShape().height() : r.shape()[2];
        int w = network.inputShape().width() > 0 ? network.inputShape().width() : r.shape()[3];
        float[][] probs;
        try (Engine e = Engine.create(network.cut(network.outputs(), h, w).orNeedsModelSize(w, h), s.device())) {
            ImageTensor x = ImageTensor.of(pictures, names, ImageTensor.withSize(network.inputShape(), h, w),
                    network.preprocessing(), Resize.STRETCH);
            try (var scope = e.manager().newSubManager()) {
                probs = e.predict(e.input(scope, x.data(), x.n(), x.c(), x.h(), x.w()));
            }
        }
        Grid grid = new Grid().title(network.name() + " · classviz · " + s.size() + " px · " + s.steps() + " steps · seed " + s.seed())
                .columns(Math.min(idx.length, 4)).minTileSize(Math.min(224, Math.max(112, s.size())));
        List<Judged> out = new ArrayList<>();
        for (int i = 0; i < idx.length; i++) {
            int top = 0;
            for (int k = 1; k < probs[i].length; k++) {
                if (probs[i][k] > probs[i][top]) {
                    top = k;
                }
            }
            String label = network.label(idx[i]);
            Png.write(file(i), pictures.get(i));
            grid.add(pictures.get(i), String.format(Locale.ROOT, "%s (%d) p=%.3f", label, idx[i], probs[i][idx[i]]));
            out.add(new Judged(idx[i], label, probs[i][idx[i]], top, network.label(top), probs[i][top], file(i)));
        }
        Png.write(sheet(), grid.render());
        return out;
    }
}
