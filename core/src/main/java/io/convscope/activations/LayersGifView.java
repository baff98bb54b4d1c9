package io.convscope.activations;

import io.convscope.render.Colormap;
import io.convscope.render.Gif;
import io.convscope.render.Grid;
import io.convscope.render.GridLayout;
import io.convscope.render.Heatmap;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code gif}: per image an animated GIF through the layers, {@code IMAGE/layers.gif}, a frame per
 * layer: every channel in a near-square grid fitted into {@link ActivationViews#GIF_SIDE}² pixels.
 * The thread that draws an image's last frame writes its GIF, while the others go on.
 */
final class LayersGifView implements ActivationView {
    static final String FILE = "layers.gif";

    @Override
    public String name() {
        return "gif";
    }

    @Override
    public String help() {
        return "per image, an animated GIF through the layers";
    }

    @Override
    public boolean byDefault() {
        return true;
    }

    @Override
    public List<String> files(FilePlan plan, List<? extends FilePlan.Layer> layers, ActivationViews.Options opt) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < plan.images(); i++) {
            out.add(plan.inImage(i, FILE));
        }
        return out;
    }

    /** The frames of each image drawn so far, and how many are still to come. */
    private record Frames(BufferedImage[][] frames, AtomicInteger[] left) {
        Frames(int images, int layers) {
            this(new BufferedImage[images][layers], new AtomicInteger[images]);
            for (int i = 0; i < images; i++) {
                left[i] = new AtomicInteger(layers);
            }
        }
    }

    @Override
    public void draw(Drawing d, LayerActivations l, int image, Heatmap[] maps) {
        int layers = d.acts().layers().size();
        Frames f = d.state(this, () -> new Frames(d.imageCount(), layers));
        f.frames()[image][d.acts().layers().indexOf(l)] = frame(d.label(image, l), maps, d.options().colormap());
        if (f.left()[image].decrementAndGet() == 0) {
            Gif g = new Gif();
            for (BufferedImage frame : f.frames()[image]) {
                g.add(frame, d.options().gifDelayMs());
            }
            f.frames()[image] = null;
            d.gif(d.plan().inImage(image, FILE), g);
        }
    }

    /**
     * A frame: every channel in a near-square grid fitted into {@link ActivationViews#GIF_SIDE}² pixels
     * (maps shrunk by averaging or enlarged by repeating pixels), under the label.
     */
    static BufferedImage frame(String label, Heatmap[] maps, Colormap cmap) {
        int cols = GridLayout.columnsFor(maps.length);
        int gap = maps.length > 64 ? 1 : 2;
        int room = ActivationViews.GIF_SIDE - (cols - 1) * gap;
        int h0 = maps[0].height();
        int w0 = maps[0].width();
        double s = Math.min((double) room / cols / w0, (double) room / cols / h0);
        int tw = Math.max(1, (int) (w0 * s));
        int th = Math.max(1, (int) (h0 * s));
        Grid g = new Grid().title(label).titleScale(1).columns(cols).gap(gap).minTileSize(1).colormap(cmap);
        for (Heatmap m : maps) {
            g.add(ActivationViews.resample(m, tw, th), "");
        }
        return g.render();
    }

    @Override
    public String inputHtml(IndexPage.Page p, int image) {
        String f = p.plan().inImage(image, FILE);
        return p.wrote(f) ? "<br>" + p.link(f, "GIF through the layers") : "";
    }
}
