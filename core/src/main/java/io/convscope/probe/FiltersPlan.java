package io.convscope.probe;

import io.convscope.network.Network;
import io.convscope.optimize.GradientImages;
import io.convscope.optimize.Listeners;
import io.convscope.optimize.Optimization;
import io.convscope.render.Grid;
import io.convscope.render.Png;
import io.convscope.util.Progress;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A filters run, planned: the network, the channels (resolved), and the files it writes.
 *
 * @param request  what was asked
 * @param network  the model
 * @param channels the channels, in order
 */
public record FiltersPlan(FiltersRequest request, Network network, int[] channels) {

    /** The file stem of the layer: "block4_conv1". */
    public String stem() {
        return Outputs.slug(request.layer());
    }

    /** The labelled sheet of every channel. */
    public Path sheet() {
        return request.out().resolve(stem() + ".png");
    }

    /** Every file the run writes: the sheet, a picture per channel, metrics.csv and the GIF when asked. */
    public List<Path> files() {
        List<Path> f = new ArrayList<>();
        for (int ch : channels) {
            f.add(request.out().resolve(stem()).resolve(String.format(Locale.ROOT, "c%03d.png", ch)));
        }
        f.add(sheet());
        f.add(request.out().resolve(stem() + "_metrics.csv"));
        if (request.gifEvery() != null) {
            f.add(request.out().resolve(stem() + "_progress.gif"));
        }
        return f;
    }

    /** Optimises the channels as one batch and writes the files; returns them. */
    public List<Path> run(Progress progress) {
        GradientImages.Settings s = request.settings();
        Path dir = Outputs.folder(request.out());
        String layer = request.layer();
        int c = network.inputShape().channels();
        Optimization.Result r = GradientImages.channels(network, layer, channels, s,
                GradientProbe.listeners(progress, "filters " + layer + " · " + channels.length + " channels",
                        dir.resolve(stem() + "_metrics.csv"), dir.resolve(stem() + "_progress.gif"), request.gifEvery(),
                        new int[] {channels.length, c, s.size(), s.size()}));
        Grid grid = new Grid().title(network.name() + " · " + layer + " · " + channels.length + " channels · " + s.size() + " px · "
                + s.steps() + " steps").columns(request.columns()).minTileSize(Math.min(128, s.size()));
        for (int i = 0; i < channels.length; i++) {
            var pic = Listeners.picture(r.image(), r.shape(), i);
            Png.write(dir.resolve(stem()).resolve(String.format(Locale.ROOT, "c%03d.png", channels[i])), pic);
            grid.add(pic, "channel " + channels[i]);
        }
        Png.write(sheet(), grid.render());
        return files();
    }
}
