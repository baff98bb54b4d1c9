package io.convscope.optimize;

import ai.djl.ndarray.NDArray;

import java.util.SplittableRandom;

/**
 * How the optimised variables become an image. The optimiser works on a flat float vector; the
 * parameterization says its shape, how to start it and how to turn it (differentiably) into an
 * (N, C, H, W) image with values in [0, 1].
 */
public interface ImageParam {

    /** The images' shape (N, C, H, W). */
    int[] imageShape();

    /** The parameter tensor's shape. */
    long[] shape();

    /** A random start, from the seeded generator. */
    float[] init(SplittableRandom random);

    /** The image for parameters {@code p}: (N, C, H, W) in [0, 1]. */
    NDArray image(NDArray p);

    /** Number of parameters. */
    default int size() {
        long n = 1;
        for (long d : shape()) {
            n *= d;
            if (n > Integer.MAX_VALUE) {
                throw new io.convscope.ConvscopeException("the images to optimise, of shape " + java.util.Arrays.toString(shape())
                        + ", would have more than 2^31 values; use a smaller " + io.convscope.Setting.SIZE + " or fewer images at once");
            }
        }
        return (int) n;
    }
}
