package io.convscope.activations;

import io.convscope.render.Grid;
import io.convscope.render.Heatmap;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code topk}: the {@code --top} strongest channels of a layer by {@code --rank}, each with its index
 * and score, at full resolution: {@code IMAGE/01_block1_conv1_top12.png}.
 */
final class TopKView implements ActivationView {
    @Override
    public String name() {
        return "topk";
    }

    @Override
    public List<String> aliases() {
        return List.of("top");
    }

    @Override
    public String help() {
        return "the k strongest channels of a layer with their scores, one picture per layer and image";
    }

    @Override
    public boolean byDefault() {
        return true;
    }

    static String file(FilePlan plan, int image, FilePlan.Layer l, int topK) {
        return plan.layerFile(image, l, "_top" + topK + ".png");
    }

    @Override
    public List<String> files(FilePlan plan, List<? extends FilePlan.Layer> layers, ActivationViews.Options opt) {
        List<String> out = new ArrayList<>();
        for (FilePlan.Layer l : layers) {
            for (int i = 0; i < plan.images(); i++) {
                out.add(file(plan, i, l, opt.topK()));
            }
        }
        return out;
    }

    @Override
    public void draw(Drawing d, LayerActivations l, int image, Heatmap[] maps) {
        ActivationViews.Options opt = d.options();
        Grid g = new Grid().title(d.label(image, l) + " · top " + Math.min(opt.topK(), l.channels()) + " by "
                + opt.rank().name().toLowerCase(Locale.ROOT)).colormap(opt.colormap())
                .columns(Math.min(Math.min(opt.topK(), l.channels()), 6)).minTileSize(ActivationViews.TOP_MIN_TILE);
        for (LayerStats.Ranked r : l.stats().get(image).top(opt.topK(), opt.rank())) {
            String name = d.acts().channelName(l, r.channel());
            g.add(maps[r.channel()], "#" + r.channel() + " " + ActivationViews.shortNum(r.score()) + (name == null ? "" : "\n" + name));
        }
        d.pngAndReuse(file(d.plan(), image, l, opt.topK()), g.render(d::canvas));
    }

    @Override
    public String pictureHtml(IndexPage.Page p, LayerActivations l, int image) {
        return p.figure(file(p.plan(), image, l, p.options().topK()), l.name() + " top channels", "top channels");
    }
}
