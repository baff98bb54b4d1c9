package io.convscope.probe;

import ai.djl.Device;
import io.convscope.engine.Engine;
import io.convscope.image.ImageTensor;
import io.convscope.image.Resize;
import io.convscope.memory.MemoryLimits;
import io.convscope.network.Network;
import io.convscope.network.Preprocessing;
import io.convscope.network.TensorShape;
import io.convscope.optimize.Listener;
import io.convscope.optimize.Listeners;
import io.convscope.optimize.LossCurve;
import io.convscope.render.Gif;
import io.convscope.render.Png;
import io.convscope.style.StyleLayers;
import io.convscope.style.StyleMemory;
import io.convscope.style.StyleTransfer;
import io.convscope.util.Progress;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A style transfer, planned: the layers, the size and the files.
 *
 * @param request  what was asked
 * @param network  the model
 * @param device   where it runs
 * @param pictures the content and style pictures
 * @param files    the output files
 * @param layers   the content and style layers (with the rule that chose them, if one did)
 * @param longest  the longest side
 * @param height   the result's height
 * @param width    the result's width
 */
public record StylePlan(StyleRequest request, Network network, Device device, StyleRequest.Pictures pictures, StyleRequest.Outputs files,
                        StyleLayers layers, int longest, int height, int width) {

    /** What the run produced. */
    public record Result(LossCurve curve, double seconds, List<Path> written) {
    }

    /** GIF frames the run keeps (0 without a GIF). */
    public int gifFrames() {
        return request.gif() ? request.steps() / every() + 2 : 0;
    }

    private int every() {
        return request.gifEvery() != null ? request.gifEvery() : Math.max(1, request.steps() / 30);
    }

    /** The memory estimate at this size. */
    public StyleMemory estimate() {
        return StyleMemory.of(network, layers, height, width, request.preserveColors() ? 1 : 3, gifFrames());
    }

    /** Refuses a run that would not fit {@code limits}, naming the largest size that does. */
    public void check(MemoryLimits limits) {
        int channels = request.preserveColors() ? 1 : 3;
        int frames = gifFrames();
        estimate().check(limits, "at " + width + "×" + height + " on " + network.name(), longest, s -> {
            int[] r = StyleTransfer.fit(pictures.content().getHeight(), pictures.content().getWidth(), s);
            return StyleMemory.of(network, layers, r[0], r[1], channels, frames);
        });
    }

    /** Runs the optimisation and writes the files. */
    public Result run(Progress progress) {
        StyleRequest q = request;
        int h = height;
        int w = width;
        StyleTransfer.Image contentImage = image(pictures.content(), q.content(), h, w);
        List<StyleTransfer.Style> styleImages = new ArrayList<>();
        int styleSide = (int) Math.max(16, Math.round(longest * q.styleScale()));
        for (int i = 0; i < q.styles().size(); i++) {
            BufferedImage p = pictures.styles().get(i);
            int[] shw = StyleTransfer.fit(p.getHeight(), p.getWidth(), styleSide);
            styleImages.add(new StyleTransfer.Style(image(p, q.styles().get(i), shw[0], shw[1]),
                    q.styleWeights().isEmpty() ? 1.0 : q.styleWeights().get(i)));
        }
        pictures.styles().clear();
        StyleTransfer.Settings settings = new StyleTransfer.Settings(layers, q.contentWeight(), q.styleWeight(), q.tvWeight(), q.steps(),
                q.optimizer(), q.learningRate(), q.seed(), q.start(), q.preserveColors());

        LossCurve curve = new LossCurve();
        Gif animation = new Gif();
        List<Listener> listeners = new ArrayList<>();
        listeners.add(Listeners.progress(Progress.orNone(progress), "style"));
        listeners.add(curve);
        int[] shape = {1, 3, h, w};
        if (q.gif()) {
            listeners.add(Listeners.frames(animation, every(), shape, 150));
        }
        long[] clock = new long[2];
        listeners.add(new Listener() {
            @Override
            public void start(int total, List<String> terms) {
                clock[0] = System.nanoTime();
            }

            @Override
            public void finish() {
                clock[1] = System.nanoTime();
            }
        });
        StyleTransfer.Result r;
        try (Engine engine = Engine.create(StyleTransfer.network(network, layers), device)) {
            r = StyleTransfer.run(engine, contentImage, styleImages, settings, listeners);
        }
        double seconds = (clock[1] - clock[0]) / 1e9; // the steps only: not loading, nor the style images' features

        Png.write(files.png(), Listeners.picture(r.image().rgb(), shape, 0));
        List<Path> written = new ArrayList<>(List.of(files.png()));
        if (q.gif()) {
            animation.write(files.gif());
            written.add(files.gif());
        }
        if (q.losses()) {
            curve.writeCsv(files.csv());
            curve.writePlot(files.plot(), "style transfer: " + Outputs.stem(q.content()) + " in the style of "
                    + Outputs.stem(q.styles().get(0)) + (q.styles().size() > 1 ? " +" + (q.styles().size() - 1) : ""));
            written.add(files.csv());
            written.add(files.plot());
        }
        return new Result(curve, seconds, written);
    }

    /** The picture resized to h × w (its aspect ratio, rounded) as RGB floats in [0, 1]. */
    static StyleTransfer.Image image(BufferedImage picture, Path name, int h, int w) {
        ImageTensor t = ImageTensor.of(picture, name.toString(), TensorShape.chw(3, h, w), Preprocessing.UNIT, Resize.STRETCH);
        return new StyleTransfer.Image(t.data(), h, w);
    }
}
