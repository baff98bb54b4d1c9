package io.convscope.optimize;

import java.util.List;
import java.util.function.Supplier;

/**
 * Watches an optimisation: a progress bar, a GIF of the image every few steps, a metrics file.
 * Called on the optimising thread.
 */
public interface Listener {

    /** Before the first step. */
    default void start(int steps, List<String> terms) {
    }

    /**
     * After step {@code step} (1-based): the total loss, the weighted terms (batch means, in the
     * objective's order) and the current image (N, C, H, W floats in [0, 1], computed only when
     * asked for).
     */
    default void step(int step, double loss, double[] terms, Supplier<float[]> image) {
    }

    /** After the last step, also when the run failed. */
    default void finish() {
    }
}
