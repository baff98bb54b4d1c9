package io.convscope.optimize;

import java.util.List;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

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

    /**
     * This listener seeing every image through {@code map} (for example a luminance image recoloured
     * with the content's colours); {@code map} runs only when the image is asked for.
     */
    default Listener mapImages(UnaryOperator<float[]> map) {
        Listener self = this;
        return new Listener() {
            @Override
            public void start(int steps, List<String> terms) {
                self.start(steps, terms);
            }

            @Override
            public void step(int step, double loss, double[] terms, Supplier<float[]> image) {
                self.step(step, loss, terms, () -> map.apply(image.get()));
            }

            @Override
            public void finish() {
                self.finish();
            }
        };
    }
}
