package io.convscope.keras;

import java.util.Collection;
import java.util.List;

/** Finds the weight arrays of one layer in a Keras file. */
interface WeightSource {

    /**
     * The layer's arrays in the order Keras created them (kernel, bias; gamma, beta, moving_mean,
     * moving_variance), in Keras layout; null when the file has nothing for the layer.
     */
    List<RawArray> arrays(String node, KerasGraph.LeafRef ref);

    /** Names of the layers the file has weights for, for "did you mean" suggestions. */
    Collection<String> layerNames();
}
