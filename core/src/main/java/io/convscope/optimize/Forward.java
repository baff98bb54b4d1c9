package io.convscope.optimize;

import ai.djl.ndarray.NDArray;
import io.convscope.ConvscopeException;

import java.util.Map;

/**
 * What an {@link Objective} sees at one step: the image being optimised (N, C, H, W, values in
 * [0, 1], before the step's random transforms) and the tapped layers' outputs for the transformed,
 * preprocessed image. Everything is attached to the step's manager and freed after the step.
 */
public final class Forward {
    private final NDArray image;
    private final Map<String, NDArray> layers;

    public Forward(NDArray image, Map<String, NDArray> layers) {
        this.image = image;
        this.layers = layers;
    }

    /** The image, (N, C, H, W) in [0, 1]: what regularizers act on. */
    public NDArray image() {
        return image;
    }

    /** The output of a layer the objective asked for, batch first. */
    public NDArray layer(String name) {
        NDArray a = layers.get(name);
        if (a == null) {
            throw new ConvscopeException("the objective needs layer '" + name + "', which was not computed");
        }
        return a;
    }

    /** How many images are optimised at once. */
    public int batch() {
        return (int) image.getShape().get(0);
    }
}
