package io.convscope.explain;

import io.convscope.image.ImageTensor;
import io.convscope.util.Progress;

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

    /**
     * The amount of work {@link #attribute(ImageTensor, int[], Progress)} reports for {@code images}
     * images: its internal passes' samples for the slow methods (occlusion positions, Score-CAM
     * channels, RISE masks, SmoothGrad copies, integrated gradients' evaluations), else one per image.
     */
    default long work(int images) {
        return images;
    }

    /**
     * {@link #attribute(ImageTensor, int[])}, reporting to {@code progress} one task of {@link #work}
     * steps ({@code start}, {@code advance} with the steps done, {@code finish}); a step is a boundary
     * where the run may be stopped.
     */
    default Maps attribute(ImageTensor images, int[] targets, Progress progress) {
        progress.start(name(), work(images.n()), Progress.Unit.STEPS);
        try {
            Maps m = attribute(images, targets);
            progress.advance(work(images.n()));
            return m;
        } finally {
            progress.finish();
        }
    }

    /**
     * A method whose internal passes report progress (occlusion positions, Score-CAM channels, RISE masks,
     * SmoothGrad copies, integrated gradients' evaluations): it implements {@link #compute}, which advances
     * {@code progress} by its own steps, and gets both {@code attribute} methods, inside one task of
     * {@link #work} steps.
     */
    interface Stepped extends Attribution {
        /** The maps, advancing {@code progress} (already started, finished by the caller) as the internal passes complete. */
        Maps compute(ImageTensor images, int[] targets, Progress progress);

        @Override
        default Maps attribute(ImageTensor images, int[] targets) {
            return attribute(images, targets, Progress.NONE);
        }

        @Override
        default Maps attribute(ImageTensor images, int[] targets, Progress progress) {
            progress.start(name(), work(images.n()), Progress.Unit.STEPS);
            try {
                return compute(images, targets, progress);
            } finally {
                progress.finish();
            }
        }
    }
}
