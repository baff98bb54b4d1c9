package io.convscope.probe;

import io.convscope.ConvscopeException;
import io.convscope.network.Network;
import io.convscope.optimize.Listener;
import io.convscope.optimize.Listeners;
import io.convscope.util.Progress;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What classviz, filters and reconstruct share around the optimisation. */
final class GradientProbe {
    private GradientProbe() {
    }

    /** A progress bar with the loss, the metrics CSV and, when {@code gifEvery} is not null, a GIF every that many steps. */
    static List<Listener> listeners(Progress progress, String what, Path metrics, Path gif, Integer gifEvery, int[] shape) {
        List<Listener> l = new ArrayList<>();
        l.add(Listeners.progress(Progress.orNone(progress), what));
        l.add(Listeners.metrics(metrics));
        if (gifEvery != null) {
            l.add(Listeners.gif(gif, gifEvery, shape, 120));
        }
        return l;
    }

    /** Frames a GIF of one every {@code gifEvery} steps holds (0 without a GIF). */
    static int gifFrames(Integer gifEvery, int steps) {
        return gifEvery == null ? 0 : steps / gifEvery + 2;
    }

    /** Refuses a model that does not take images. */
    static void requireImages(Network net) {
        if (!net.inputShape().isSpatial()) {
            throw new ConvscopeException(net.name() + " does not take images (input " + net.inputShape().toKerasString() + ")");
        }
    }
}
