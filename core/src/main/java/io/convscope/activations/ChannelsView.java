package io.convscope.activations;

import io.convscope.render.Grid;
import io.convscope.render.Heatmap;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code channels}: one file per channel, enlarged to at least {@link #MIN_TILE} pixels, in a folder
 * per layer and image: {@code IMAGE/01_block1_conv1/c07.png} (the channel number with as many digits
 * as the layer's last channel needs, at least two).
 */
final class ChannelsView implements ActivationView {
    /** Maps are enlarged (nearest neighbour, integer factor) to at least this many pixels. */
    static final int MIN_TILE = 256;

    @Override
    public String name() {
        return "channels";
    }

    @Override
    public String help() {
        return "one picture per channel, enlarged";
    }

    static String file(FilePlan plan, int image, FilePlan.Layer l, int channel) {
        int w = Math.max(2, Integer.toString(l.channels() - 1).length());
        return plan.layerFile(image, l, "/c" + FilePlan.padded(channel, w) + ".png");
    }

    @Override
    public List<String> files(FilePlan plan, List<? extends FilePlan.Layer> layers, ActivationViews.Options opt) {
        List<String> out = new ArrayList<>();
        for (FilePlan.Layer l : layers) {
            for (int i = 0; i < plan.images(); i++) {
                for (int c = 0; c < l.channels(); c++) {
                    out.add(file(plan, i, l, c));
                }
            }
        }
        return out;
    }

    @Override
    public void draw(Drawing d, LayerActivations l, int image, Heatmap[] maps) {
        String label = d.label(image, l);
        for (int c = 0; c < maps.length; c++) {
            d.png(file(d.plan(), image, l, c), new Grid().title(label).titleScale(1).minTileSize(MIN_TILE)
                    .colormap(d.options().colormap()).add(maps[c], "channel " + c + ActivationViews.channelNote(d.acts(), l, c, maps[c])).render());
        }
    }

    @Override
    public String linkHtml(IndexPage.Page p, LayerActivations l, int image) {
        List<String> links = new ArrayList<>();
        for (int c = 0; c < l.channels(); c++) {
            String f = file(p.plan(), image, l, c);
            if (p.wrote(f)) {
                links.add(p.link(f, Integer.toString(c)));
            }
        }
        if (links.isEmpty()) {
            return "";
        }
        return "<details><summary>" + links.size() + " channel images</summary><p>" + String.join(" ", links)
                + "</p></details>\n";
    }
}
