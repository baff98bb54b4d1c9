package io.convscope.activations;

import io.convscope.render.BarChart;
import io.convscope.render.Heatmap;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code grid}: every channel of a layer tiled, {@code --cols} per row, one file per layer and image,
 * {@code IMAGE/01_block1_conv1.png}; maps larger than {@link ActivationViews#GRID_MAX_TILE} shrunk
 * ({@link ActivationViews#grid}). A layer whose maps are 1×1 (one number per channel) is drawn as a
 * {@link BarChart} instead, its highest {@code --top} channels named.
 */
final class GridView implements ActivationView {
    @Override
    public String name() {
        return "grid";
    }

    @Override
    public String help() {
        return "every channel of a layer tiled (1×1 maps: a bar chart), one picture per layer and image";
    }

    @Override
    public boolean byDefault() {
        return true;
    }

    static String file(FilePlan plan, int image, FilePlan.Layer l) {
        return plan.layerFile(image, l, ".png");
    }

    @Override
    public List<String> files(FilePlan plan, List<? extends FilePlan.Layer> layers, ActivationViews.Options opt) {
        List<String> out = new ArrayList<>();
        for (FilePlan.Layer l : layers) {
            for (int i = 0; i < plan.images(); i++) {
                out.add(file(plan, i, l));
            }
        }
        return out;
    }

    @Override
    public void draw(Drawing d, LayerActivations l, int image, Heatmap[] maps) {
        if (l.plane() == 1) {
            // 1×1 maps are one number per channel: bars show them, squares of one colour each do not
            d.png(file(d.plan(), image, l), BarChart.render(d.label(image, l), l.values().get(image), d.options().topK(),
                    c -> d.acts().channelName(l, c), ActivationViews::shortNum));
            return;
        }
        d.pngAndReuse(file(d.plan(), image, l), ActivationViews.grid(d.label(image, l), maps, d.options(), d::canvas,
                c -> d.acts().channelName(l, c)));
    }

    @Override
    public String pictureHtml(IndexPage.Page p, LayerActivations l, int image) {
        return p.figure(file(p.plan(), image, l), l.name() + " grid", "all channels");
    }
}
