package io.convscope.keras;

import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The weights layout of the .keras format ({@code model.weights.h5} in the zip) and of Keras 3's
 * {@code .weights.h5}: each layer's variables are datasets {@code 0, 1, …} in a group {@code vars}
 * at {@code layers/<key>} (Keras 3) or {@code _layer_checkpoint_dependencies/<key>} (TF-Keras
 * 2.13+), where {@code key} is the snake-cased class name numbered per model ({@code conv2d},
 * {@code conv2d_1}, {@code batch_normalization}); a nested model repeats the pattern below its own
 * key ({@code layers/functional/layers/conv2d/vars/0}). Other container names and the layer's own
 * name are tried as fallbacks.
 */
final class V3Weights implements WeightSource {
    private static final List<String> CONTAINERS = List.of("layers", "_layer_checkpoint_dependencies");

    private final H5 h5;

    V3Weights(H5 h5) {
        this.h5 = h5;
    }

    @Override
    public Collection<String> layerNames() {
        List<String> out = new ArrayList<>();
        for (String c : CONTAINERS) {
            Group g = H5.group(h5.root(), c);
            if (g != null) {
                g.getChildren().keySet().forEach(out::add);
            }
        }
        return out;
    }

    @Override
    public List<RawArray> arrays(String node, KerasGraph.LeafRef ref) {
        Group g = h5.root();
        for (int i = 0; i < ref.keys().size(); i++) {
            g = find(g, ref.keys().get(i), ref.names().get(i));
            if (g == null) {
                return null;
            }
        }
        Group vars = H5.group(g, "vars");
        if (vars == null) {
            return null;
        }
        Map<Integer, Dataset> byIndex = new TreeMap<>();
        for (Node n : vars) {
            if (n instanceof Dataset d) {
                try {
                    byIndex.put(Integer.parseInt(n.getName()), d);
                } catch (NumberFormatException e) {
                    // not a variable
                }
            }
        }
        List<RawArray> out = new ArrayList<>();
        for (Dataset d : byIndex.values()) {
            out.add(h5.read(d, d.getPath()));
        }
        return out;
    }

    /** The group of one layer below a model's group: by key in the known containers, then by name. */
    private static Group find(Group model, String key, String name) {
        for (String wanted : new String[] {key, name}) {
            for (String c : CONTAINERS) {
                Group hit = H5.group(model, c + "/" + wanted);
                if (hit != null) {
                    return hit;
                }
            }
            for (Node n : model) {
                if (n instanceof Group c && !n.getName().equals("vars") && !CONTAINERS.contains(n.getName())) {
                    Node hit = c.getChildren().get(wanted);
                    if (hit instanceof Group hg && (hg.getChildren().containsKey("vars") || hasContainer(hg))) {
                        return hg;
                    }
                }
            }
        }
        return null;
    }

    private static boolean hasContainer(Group g) {
        for (String c : CONTAINERS) {
            if (g.getChildren().containsKey(c)) {
                return true;
            }
        }
        return false;
    }
}
