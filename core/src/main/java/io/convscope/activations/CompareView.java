package io.convscope.activations;

import io.convscope.render.Compose;
import io.convscope.render.Grid;
import io.convscope.image.Resampler;
import io.convscope.render.Heatmap;
import io.convscope.render.Images;
import io.convscope.render.Normalization;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code compare}: with several images, per layer one picture with a row per image, each the image as
 * the network saw it and the same {@code min(topK, C)} channels, those ranked highest over all images:
 * {@code compare/01_block1_conv1.png}.
 */
final class CompareView implements ActivationView {
    static final String FOLDER = "compare";

    @Override
    public String name() {
        return "compare";
    }

    @Override
    public String help() {
        return "with several images, per layer a row per image showing the same channels";
    }

    @Override
    public boolean byDefault() {
        return true;
    }

    @Override
    public String folder() {
        return FOLDER;
    }

    static String file(FilePlan plan, FilePlan.Layer l) {
        return FOLDER + "/" + plan.stem(l) + ".png";
    }

    @Override
    public List<String> files(FilePlan plan, List<? extends FilePlan.Layer> layers, ActivationViews.Options opt) {
        List<String> out = new ArrayList<>();
        if (plan.images() > 1) {
            for (FilePlan.Layer l : layers) {
                out.add(file(plan, l));
            }
        }
        return out;
    }

    @Override
    public void drawLayer(Drawing d, LayerActivations l) {
        if (d.imageCount() > 1) {
            d.png(file(d.plan(), l), picture(d.acts(), l, d.options()));
        }
    }

    /** The picture of layer {@code l}. */
    static BufferedImage picture(Activations acts, LayerActivations l, ActivationViews.Options opt) {
        double[] total = new double[l.channels()];
        for (LayerStats s : l.stats()) {
            for (int c = 0; c < total.length; c++) {
                total[c] += s.score(c, opt.rank());
            }
        }
        Integer[] idx = new Integer[total.length];
        for (int c = 0; c < idx.length; c++) {
            idx[c] = c;
        }
        Arrays.sort(idx, (a, b) -> total[a] != total[b] ? Double.compare(total[b], total[a]) : Integer.compare(a, b));
        int k = Math.min(opt.topK(), idx.length);
        List<BufferedImage> rows = new ArrayList<>();
        for (int i = 0; i < acts.imageCount(); i++) {
            Grid g = new Grid().title(ActivationViews.label(acts, i, l) + " · top " + k + " over all images").titleScale(1)
                    .columns(k + 1).minTileSize(ActivationViews.TOP_MIN_TILE).colormap(opt.colormap());
            g.add(inputTile(acts.inputImages().get(i), l), "input");
            // one layer-wide scale: the layer's maps once per image, not once per channel shown
            Heatmap[] whole = opt.normalization() == Normalization.LAYER
                    ? opt.normalization().layer(l.values().get(i), l.channels(), l.height(), l.width()) : null;
            for (int j = 0; j < k; j++) {
                int c = idx[j];
                Heatmap m = whole != null ? whole[c] : ActivationViews.map(l, i, c, opt.normalization());
                String name = acts.channelName(l, c);
                g.add(m, "#" + c + (name == null ? "" : "\n" + name));
            }
            rows.add(g.render());
        }
        return Compose.column(rows, 4, Grid.BACKGROUND);
    }

    /**
     * The input as a tile no larger than the layer's maps are drawn ({@link ActivationViews#TOP_MIN_TILE}
     * and up), so that the cells fit the maps: a 224 px image beside 27×27 maps drawn 108 px wide made a
     * sheet of mostly white cells. Shrunk with {@link Resampler#resize} (antialiased); a smaller image
     * is left to the grid, which enlarges it as it enlarges the maps.
     */
    static BufferedImage inputTile(BufferedImage in, LayerActivations l) {
        int s = Images.scaleFor(l.width(), l.height(), ActivationViews.TOP_MIN_TILE);
        int side = Math.max(l.width(), l.height()) * s;
        int longer = Math.max(in.getWidth(), in.getHeight());
        if (longer <= side) {
            return in;
        }
        double f = (double) side / longer;
        return Resampler.resize(in, Math.max(1, (int) Math.round(in.getWidth() * f)), Math.max(1, (int) Math.round(in.getHeight() * f)));
    }

    @Override
    public String layerHtml(IndexPage.Page p, LayerActivations l) {
        String f = file(p.plan(), l);
        if (!p.wrote(f)) {
            return "";
        }
        return "<p>All images: " + p.link(f) + "</p>\n<img src=\"" + p.attr(f) + "\" alt=\"compare " + p.attr(l.name()) + "\">\n";
    }
}
