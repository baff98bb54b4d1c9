package io.convscope.engine;

/** Interpolation matrices for resizing along one axis. */
final class Resample {
    private Resample() {
    }

    /**
     * Row-major (out × in) matrix of bilinear weights with half-pixel centres (TensorFlow 2's
     * {@code tf.image.resize}, PyTorch's {@code align_corners=False}): output pixel i samples input
     * coordinate (i + 0.5) · in / out − 0.5, clamped to the edges.
     */
    static float[] bilinearMatrix(int in, int out) {
        float[] m = new float[out * in];
        double scale = (double) in / out;
        for (int i = 0; i < out; i++) {
            double src = (i + 0.5) * scale - 0.5;
            if (src < 0) {
                src = 0;
            }
            int lo = (int) Math.floor(src);
            if (lo > in - 1) {
                lo = in - 1;
            }
            int hi = Math.min(lo + 1, in - 1);
            double f = src - lo;
            m[i * in + lo] += (float) (1 - f);
            m[i * in + hi] += (float) f;
        }
        return m;
    }
}
