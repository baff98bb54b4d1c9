package io.convscope.render;

/**
 * The smallest and largest finite value of some floats (a channel, a layer). Non-finite values are
 * ignored; when there is no finite value both ends are 0.
 *
 * @param min the smallest finite value
 * @param max the largest finite value
 */
public record Range(float min, float max) {

    /** The range of all of {@code data}. */
    public static Range of(float[] data) {
        return of(data, 0, data.length);
    }

    /** The range of {@code data[offset .. offset+length)}. */
    public static Range of(float[] data, int offset, int length) {
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (int i = offset, end = offset + length; i < end; i++) {
            float v = data[i];
            if (v < lo && v != Float.NEGATIVE_INFINITY) {
                lo = v;
            }
            if (v > hi && v != Float.POSITIVE_INFINITY) {
                hi = v;
            }
        }
        if (lo > hi) {
            return new Range(0f, 0f);
        }
        return new Range(lo, hi);
    }

    /** {@code max - min}. */
    public float span() {
        return max - min;
    }
}
