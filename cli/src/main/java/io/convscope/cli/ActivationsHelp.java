package io.convscope.cli;

import io.convscope.activations.ActivationViews;
import io.convscope.render.Colormap;

import java.util.ArrayList;
import java.util.List;
import java.util.ListResourceBundle;

/**
 * The parts of {@code convscope activations --help} that list what core knows (picocli reads them as the
 * command's resource bundle, key = option name): the views, one line each from the views themselves,
 * and the colormaps. A new view or colormap shows here without an edit.
 */
public final class ActivationsHelp extends ListResourceBundle {
    @Override
    protected Object[][] getContents() {
        List<Object[]> out = new ArrayList<>();
        List<String> defaults = new ArrayList<>();
        for (ActivationViews.View v : ActivationViews.View.values()) {
            if (ActivationViews.View.DEFAULTS.contains(v)) {
                defaults.add(v.cliName());
            }
        }
        out.add(new Object[] {"views.0", "Which pictures, comma-separated (default: " + String.join(",", defaults) + "):"});
        int k = 1;
        for (ActivationViews.View v : ActivationViews.View.values()) {
            out.add(new Object[] {"views." + k++, v.cliName() + ": " + v.help() + "."});
        }
        List<String> maps = new ArrayList<>();
        for (String name : Colormap.names()) {
            maps.add(name + (name.equals(Colormap.DEFAULT.cliName()) ? " (default)" : ""));
        }
        String last = maps.remove(maps.size() - 1);
        out.add(new Object[] {"colormap", String.join(", ", maps) + " or " + last + "."});
        return out.toArray(Object[][]::new);
    }
}
