package io.convscope.probe;

import io.convscope.image.ImageTensor;
import io.convscope.network.Network;
import io.convscope.network.Preprocessing;
import io.convscope.network.TensorShape;
import io.convscope.optimize.GradientImages;
import io.convscope.optimize.Listeners;
import io.convscope.render.Grid;
import io.convscope.render.LinePlot;
import io.convscope.render.Png;
import io.convscope.util.AtomicFiles;
import io.convscope.util.Progress;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * A reconstruct run, planned: the size, the layers in network order and the files.
 *
 * @param request  what was asked
 * @param network  the model
 * @param picture  the image
 * @param settings the settings with the size resolved
 * @param height   the image's height as the model sees it
 * @param width    its width
 * @param layers   the layers, in network order
 */
public record ReconstructPlan(ReconstructRequest request, Network network, BufferedImage picture, GradientImages.Settings settings,
                              int height, int width, List<String> layers) {

    /** One layer's reconstruction. */
    public record Layer(int position, String layer, double error, Path file) {
    }

    /** The image's folder inside the output folder. */
    public Path folder() {
        return request.out().resolve(Outputs.slug(Outputs.stem(request.image())));
    }

    /** The panel of the original and every reconstruction. */
    public Path panel() {
        return folder().resolve("panel.png");
    }

    private String prefix(int i) {
        return Outputs.number(i + 1, layers.size()) + "_" + Outputs.slug(layers.get(i));
    }

    /** How many files the run writes: per layer a picture and metrics (and a GIF when asked), then errors.csv, panel.png, errors.png. */
    public int fileCount() {
        return layers.size() * (request.gifEvery() != null ? 3 : 2) + 3;
    }

    /** Rebuilds the image from each layer in turn, reporting each as it is done, then writes the panel, errors.csv and errors.png. */
    public List<Layer> run(Progress progress, Consumer<Layer> done) {
        GradientImages.Settings s = settings;
        int h = height;
        int w = width;
        // the image as the model sees it, in [0, 1]
        ImageTensor x = ImageTensor.of(picture, request.image().toString(), TensorShape.chw(network.inputShape().channels(), h, w),
                Preprocessing.UNIT, request.resize());
        String stem = Outputs.slug(Outputs.stem(request.image()));
        Path dir = Outputs.folder(folder());
        List<BufferedImage> panel = new ArrayList<>();
        List<String> captions = new ArrayList<>();
        panel.add(ImageTensor.toImage(x.data(), x.c(), h, w, Preprocessing.UNIT));
        captions.add("original");
        StringBuilder csv = new StringBuilder("position,layer,normalized_error\n");
        double[] errors = new double[layers.size()];
        List<Layer> out = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            String layer = layers.get(i);
            GradientImages.Reconstruction r = GradientImages.reconstruct(network, x.data(), h, w, layer, s,
                    GradientProbe.listeners(progress, "reconstruct " + layer + " (" + (i + 1) + "/" + layers.size() + ")",
                            dir.resolve(prefix(i) + "_metrics.csv"), dir.resolve(prefix(i) + "_progress.gif"), request.gifEvery(),
                            new int[] {1, x.c(), h, w}));
            BufferedImage img = Listeners.picture(r.image(), r.shape(), 0);
            Path file = dir.resolve(prefix(i) + ".png");
            Png.write(file, img);
            panel.add(img);
            captions.add(String.format(Locale.ROOT, "%s · %.3g", layer, r.error())); // 0.000101, not 0.000
            errors[i] = r.error();
            csv.append(i + 1).append(',').append(layer).append(',').append(String.format(Locale.ROOT, "%.6g", r.error())).append('\n');
            Layer l = new Layer(i + 1, layer, r.error(), file);
            out.add(l);
            done.accept(l);
        }
        AtomicFiles.write(dir.resolve("errors.csv"), os -> os.write(csv.toString().getBytes(StandardCharsets.UTF_8)));
        Png.write(panel(), Grid.panel(network.name() + " · " + stem + " rebuilt from each layer · " + s.steps() + " steps",
                panel, captions));
        Png.write(dir.resolve("errors.png"), new LinePlot("normalized reconstruction error by layer (" + network.name() + ")")
                .xLabel("layer (network order)").yLabel("‖Φ(x) − Φ₀‖² / ‖Φ₀‖²").categories(layers).series("error", errors).render());
        return out;
    }
}
