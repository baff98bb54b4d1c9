package io.convscope.cli;

import io.convscope.optimize.Listener;
import io.convscope.optimize.Listeners;
import io.convscope.util.AtomicFiles;
import io.convscope.util.ConsoleProgress;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** What classviz, filters and reconstruct share around the optimisation: the output folder, the listeners, file names. */
final class GradientOutput {
    private GradientOutput() {
    }

    /** The output folder, checked writable (see {@link AtomicFiles#outputFolder}) and created, before any work. */
    static Path folder(Path out) {
        AtomicFiles.outputFolder(out);
        try {
            java.nio.file.Files.createDirectories(out);
        } catch (java.io.IOException e) {
            throw new io.convscope.ConvscopeException("--out " + out + ": cannot write there (" + AtomicFiles.reason(e) + ")");
        }
        return out;
    }

    /** A progress bar with the loss, the metrics CSV and, when asked, a GIF every {@code gifEvery} steps. */
    static List<Listener> listeners(String what, Path metrics, Path gif, Integer gifEvery, int[] shape) {
        List<Listener> l = new ArrayList<>();
        l.add(Listeners.progress(new ConsoleProgress(), what));
        l.add(Listeners.metrics(metrics));
        if (gifEvery != null) {
            l.add(Listeners.gif(gif, gifEvery, shape, 120));
        }
        return l;
    }

    /** A file-name-safe form of a label: "Egyptian cat" → "egyptian_cat". */
    static String slug(String s) {
        String t = s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_").replaceAll("^_+|_+$", "");
        return t.isEmpty() ? "x" : t.length() > 40 ? t.substring(0, 40) : t;
    }

    /** Two digits, or three from 100 items on, so files sort in order. */
    static String number(int i, int count) {
        return String.format(Locale.ROOT, count >= 100 ? "%03d" : "%02d", i);
    }
}
