package io.convscope.keras;

import io.convscope.ConvscopeException;
import io.convscope.network.Network;
import io.convscope.network.Node;
import io.jhdf.api.Group;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Fills an architecture built elsewhere (e.g. VGG16 built in code with Keras layer names) with the
 * weights of a Keras weights file, matched by layer name:
 * <ul>
 *   <li>{@code model.save_weights("x.h5")} of TF-Keras 2 / Keras 3's legacy h5, and Keras's ImageNet
 *       application files such as {@code vgg16_weights_tf_dim_ordering_tf_kernels.h5} (root
 *       attribute {@code layer_names}, one group per layer with {@code weight_names});</li>
 *   <li>the weights of a full HDF5 model file ({@code model_weights}, same layout);</li>
 *   <li>Keras 3's {@code .weights.h5} and the weights inside a {@code .keras} archive, where layers
 *       are found by class and position (the n-th Conv2D of the model), as Keras does.</li>
 * </ul>
 * Layouts are converted as in {@link KerasImporter}. Layers of the file that the architecture does
 * not have are ignored (e.g. the classifier of a full file applied to a network without its top).
 */
public final class KerasWeights {
    private KerasWeights() {
    }

    /**
     * A copy of {@code architecture} (same names, preprocessing and labels) with the file's weights.
     *
     * @throws ConvscopeException when the file is not a Keras weights file, lacks a layer of the
     *                            architecture, or has a weight of another shape (both shapes are named)
     */
    public static Network applyTo(Network architecture, Path h5File) {
        String display = h5File.toString();
        KerasImporter.Format format = KerasImporter.detect(h5File);
        if (format == KerasImporter.Format.OTHER) {
            throw new ConvscopeException(display + " is not a Keras weights file (not HDF5 or .keras zip)");
        }
        try {
            if (format == KerasImporter.Format.ZIP) {
                try (ZipFile zip = new ZipFile(h5File.toFile()); H5 h5 = KerasImporter.openWeights(zip, display)) {
                    return apply(architecture, new V3Weights(h5), display);
                }
            }
            try (H5 h5 = H5.open(h5File)) {
                Group root = h5.root();
                Group modelWeights = H5.group(root, "model_weights");
                WeightSource src;
                if (modelWeights != null) {
                    src = new LegacyWeights(h5, modelWeights, refs(architecture).values());
                } else if (H5.hasAttribute(root, "layer_names")) {
                    src = new LegacyWeights(h5, root, refs(architecture).values());
                } else if (H5.group(root, "layers") != null || H5.group(root, "_layer_checkpoint_dependencies") != null) {
                    src = new V3Weights(h5);
                } else {
                    throw new ConvscopeException(display + " is an HDF5 file but not Keras weights (no layer_names,"
                            + " model_weights or layers)");
                }
                return apply(architecture, src, display);
            }
        } catch (ConvscopeException e) {
            throw e;
        } catch (ZipException e) {
            throw new ConvscopeException(display + " looks truncated or corrupt (a damaged zip archive: " + e.getMessage() + ")", e);
        } catch (IOException | RuntimeException e) {
            throw H5.truncated(display, KerasImporter.describe(e), e);
        }
    }

    private static Network apply(Network arch, WeightSource src, String display) {
        Map<String, KerasGraph.LeafRef> refs = refs(arch);
        return Assembler.assemble(arch, n -> src.arrays(n.name(), refs.get(n.name())), display, src.layerNames());
    }

    /**
     * Where each node's weights are: its name split at '/' (nested models), and its .keras key,
     * numbered per class in node order as Keras numbers the layers of a model.
     */
    static Map<String, KerasGraph.LeafRef> refs(Network arch) {
        Map<String, KerasGraph.LeafRef> out = new LinkedHashMap<>();
        Map<String, Integer> used = new HashMap<>();
        for (Node n : arch.nodes()) {
            String base = KerasGraph.snakeCase(n.layer().type());
            Integer k = used.get(base);
            used.put(base, k == null ? 0 : k + 1);
            String key = k == null ? base : base + "_" + (k + 1);
            List<String> names = List.of(n.name().split("/"));
            List<String> keys = new ArrayList<>();
            if (names.size() == 1) {
                keys.add(key);
            } else {
                keys.addAll(names); // nested: fall back to names
            }
            out.put(n.name(), new KerasGraph.LeafRef(names, keys));
        }
        return out;
    }
}
