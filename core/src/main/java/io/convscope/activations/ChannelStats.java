package io.convscope.activations;

/**
 * Summary statistics of a block of activations (one channel of one image, or a whole layer):
 * count, sum, mean, population standard deviation, minimum, maximum and the fraction of values
 * that are exactly zero (ReLU sparsity, which grows with depth).
 */
public record ChannelStats(long count, double sum, double mean, double std, float min, float max, double zeros) {

    /** True when every value is exactly zero: a dead channel (or layer). */
    public boolean dead() {
        return count > 0 && zeros == 1.0;
    }

    /** The statistics of {@code len} values of {@code a} from {@code offset} (two passes, in double). */
    public static ChannelStats of(float[] a, int offset, int len) {
        if (len <= 0) {
            return new ChannelStats(0, 0, 0, 0, 0, 0, 0);
        }
        double sum = 0;
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        long zeros = 0;
        int end = offset + len;
        for (int i = offset; i < end; i++) {
            float v = a[i];
            sum += v;
            if (v < min) {
                min = v;
            }
            if (v > max) {
                max = v;
            }
            if (v == 0f) {
                zeros++;
            }
        }
        double mean = sum / len;
        double sq = 0;
        for (int i = offset; i < end; i++) {
            double d = a[i] - mean;
            sq += d * d;
        }
        return new ChannelStats(len, sum, mean, Math.sqrt(sq / len), min, max, (double) zeros / len);
    }

    /** The statistics of the union of disjoint blocks (pooled variance), as if computed over all values. */
    public static ChannelStats combine(Iterable<ChannelStats> parts) {
        long n = 0;
        double sum = 0;
        double zeros = 0;
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (ChannelStats p : parts) {
            n += p.count;
            sum += p.sum;
            zeros += p.zeros * p.count;
            min = Math.min(min, p.min);
            max = Math.max(max, p.max);
        }
        if (n == 0) {
            return new ChannelStats(0, 0, 0, 0, 0, 0, 0);
        }
        double mean = sum / n;
        double sq = 0;
        for (ChannelStats p : parts) {
            double d = p.mean - mean;
            sq += p.count * (p.std * p.std + d * d);
        }
        return new ChannelStats(n, sum, mean, Math.sqrt(sq / n), min, max, zeros / n);
    }
}
