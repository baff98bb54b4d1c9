package io.convscope.explain;

import io.convscope.image.ImageTensor;

/**
 * An attribution method: for each image of a batch and its target class, a map of how much each
 * pixel counts for the target's score (Captum's {@code attribute(inputs, target)}). Implementations
 * batch their internal passes by the context's batch size.
 */
public interface Attribution {

    /** The method's command-line name, e.g. "gradcam". */
    String name();

    /** One map per image of {@code images} (preprocessed NCHW), explaining class {@code targets[i]} of image i. */
    Maps attribute(ImageTensor images, int[] targets);
}
