package io.convscope.activations;

import io.convscope.render.Gif;
import io.convscope.render.Grid;
import io.convscope.render.Heatmap;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code --gif-channels LAYER}: per image an animated GIF through the channels of one layer,
 * {@code IMAGE/01_block1_conv1_channels.gif}, each map fitted into half of
 * {@link ActivationViews#GIF_SIDE}. Asked for by an option rather than by {@code --views}, so not a
 * constant of {@link ActivationViews.View}.
 */
final class ChannelsGifView implements ActivationView {
    static final ChannelsGifView INSTANCE = new ChannelsGifView();

    private ChannelsGifView() {
    }

    @Override
    public String name() {
        return "gif-channels";
    }

    @Override
    public String help() {
        return "per image, an animated GIF through the channels of one layer";
    }

    @Override
    public boolean active(ActivationViews.Options opt) {
        return opt.gifChannels() != null;
    }

    static String file(FilePlan plan, int image, FilePlan.Layer l) {
        return plan.layerFile(image, l, "_channels.gif");
    }

    @Override
    public List<String> files(FilePlan plan, List<? extends FilePlan.Layer> layers, ActivationViews.Options opt) {
        List<String> out = new ArrayList<>();
        for (FilePlan.Layer l : layers) {
            if (l.name().equals(opt.gifChannels())) {
                for (int i = 0; i < plan.images(); i++) {
                    out.add(file(plan, i, l));
                }
            }
        }
        return out;
    }

    @Override
    public void draw(Drawing d, LayerActivations l, int image, Heatmap[] maps) {
        if (!l.name().equals(d.options().gifChannels())) {
            return;
        }
        int side = ActivationViews.GIF_SIDE / 2;
        double s = Math.min((double) side / l.width(), (double) side / l.height());
        int scale = Math.max(1, (int) s);
        Gif g = new Gif();
        for (int c = 0; c < maps.length; c++) {
            String label = ActivationViews.fileName(d.acts().imageNames().get(image)) + " · " + l.name() + " · "
                    + l.height() + "×" + l.width() + " · channel " + c + " of " + l.channels() + ActivationViews.channelNote(d.acts(), l, c, maps[c])
                    + (io.convscope.network.Network.saysRandomWeights(d.acts().network()) ? " · random weights" : "");
            Heatmap m = s >= 1 ? maps[c] : ActivationViews.resample(maps[c], Math.max(1, (int) (l.width() * s)),
                    Math.max(1, (int) (l.height() * s)));
            g.add(new Grid().title(label).titleScale(1).minTileSize(s >= 1 ? scale * Math.max(l.width(), l.height()) : 1)
                    .colormap(d.options().colormap()).add(m, "").render(), d.options().gifDelayMs());
        }
        d.gif(file(d.plan(), image, l), g);
    }

    @Override
    public String linkHtml(IndexPage.Page p, LayerActivations l, int image) {
        String f = file(p.plan(), image, l);
        return p.wrote(f) ? "<p>" + p.link(f, "GIF through the channels") + "</p>\n" : "";
    }
}
