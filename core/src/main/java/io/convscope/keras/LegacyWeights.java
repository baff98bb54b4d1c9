package io.convscope.keras;

import io.convscope.ConvscopeException;
import io.jhdf.api.Group;
import io.jhdf.api.Node;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The HDF5 layout of {@code model.save("x.h5")} and {@code model.save_weights("x.h5")} (TF-Keras 2,
 * Keras 3's legacy h5, and Keras's ImageNet application files): one group per top-level layer
 * whose attribute {@code weight_names} lists dataset paths relative to the group, in the layer's
 * order. The paths differ between versions ({@code conv2d/kernel:0}, {@code sequential/conv2d/kernel},
 * {@code block1_conv1_W_1:0}); only their order matters for a plain layer.
 *
 * <p>A nested model (transfer learning) has one group holding the weights of all its inner layers
 * (trainable ones first). Those are assigned to inner layers by name: a weight path such as
 * {@code block1_conv1/kernel:0} or {@code vgg16/block1_conv1/kernel} belongs to the inner layer whose
 * name ends the path before the variable name (the longest matching chain of names wins).
 */
final class LegacyWeights implements WeightSource {
    private final H5 h5;
    private final Group root;
    private final Map<String, List<KerasGraph.LeafRef>> leavesByTop = new HashMap<>();
    private final Map<String, Map<KerasGraph.LeafRef, List<String>>> nestedCache = new HashMap<>();

    /** {@code root} is {@code /model_weights} of a model file, or the root of a weights-only file. */
    LegacyWeights(H5 h5, Group root, Collection<KerasGraph.LeafRef> leaves) {
        this.h5 = h5;
        this.root = root;
        for (KerasGraph.LeafRef r : leaves) {
            leavesByTop.computeIfAbsent(r.names().get(0), k -> new ArrayList<>()).add(r);
        }
    }

    @Override
    public Collection<String> layerNames() {
        List<String> names = H5.strings(root, "layer_names");
        if (names.isEmpty()) {
            for (Node n : root) {
                if (n.isGroup()) {
                    names.add(n.getName());
                }
            }
        }
        return names;
    }

    @Override
    public List<RawArray> arrays(String node, KerasGraph.LeafRef ref) {
        String top = ref.names().get(0);
        Node n = root.getChildren().get(top);
        if (!(n instanceof Group g)) {
            return null;
        }
        List<String> paths = ref.names().size() == 1 ? H5.strings(g, "weight_names")
                : nestedCache.computeIfAbsent(top, t -> assign(g, t)).get(ref);
        if (paths == null || paths.isEmpty()) {
            return null;
        }
        List<RawArray> out = new ArrayList<>();
        for (String p : paths) {
            RawArray a = h5.read(g, p);
            if (a == null) {
                throw new ConvscopeException(h5.display() + ": layer '" + top + "' lists weight '" + p
                        + "' but the file has no such dataset (the file is damaged or was not written by Keras)");
            }
            out.add(a);
        }
        return out;
    }

    /** Splits the weights of a nested model's group among its inner layers. */
    private Map<KerasGraph.LeafRef, List<String>> assign(Group g, String top) {
        List<KerasGraph.LeafRef> leaves = leavesByTop.getOrDefault(top, List.of());
        Map<KerasGraph.LeafRef, List<String>> out = new LinkedHashMap<>();
        for (String path : H5.strings(g, "weight_names")) {
            String[] seg = path.split("/");
            KerasGraph.LeafRef best = null;
            int bestScore = 0;
            boolean tie = false;
            for (KerasGraph.LeafRef leaf : leaves) {
                int score = score(seg, leaf.names());
                if (score > bestScore) {
                    best = leaf;
                    bestScore = score;
                    tie = false;
                } else if (score == bestScore && score > 0) {
                    tie = true;
                }
            }
            if (best == null) {
                continue; // not a weight of any layer we build
            }
            if (tie) {
                throw new ConvscopeException(h5.display() + ": cannot tell which layer of nested model '" + top
                        + "' weight '" + path + "' belongs to (two inner layers have the same name)");
            }
            out.computeIfAbsent(best, k -> new ArrayList<>()).add(path);
        }
        return out;
    }

    /**
     * How many names of the leaf's chain (below the top model) match the weight path's segments
     * before the variable name, aligned at the right; 0 when the closest one differs.
     */
    private static int score(String[] seg, List<String> names) {
        int s = seg.length - 2; // last segment is the variable ("kernel:0")
        int n = names.size() - 1;
        int score = 0;
        while (s >= 0 && n >= 1 && seg[s].equals(names.get(n))) {
            score++;
            s--;
            n--;
        }
        return score;
    }
}
