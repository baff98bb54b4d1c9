package io.convscope.render;

import io.convscope.ConvscopeException;
import io.convscope.util.Names;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How activations become unit values [0, 1] for a colormap. Dead channels (every value exactly zero)
 * give all-zero maps flagged {@link Heatmap#dead()} under every normalization; a constant channel
 * never turns into noise. Statistics ignore non-finite values; NaN maps to 0, ±infinity to the ends.
 */
public enum Normalization {
    /**
     * Per channel, as in Chollet's notebooks: {@code x - mean}, divided by the (population) standard
     * deviation, {@code × 64 + 128}, clipped to [0, 255] and truncated to a byte {@code b}; the unit
     * value is {@code b / 255}, so the colormap shows entry {@code b}. A constant channel (std 0) gives
     * 128 everywhere. Mean and deviation are computed in double precision.
     */
    STANDARDIZE,
    /** Per channel: {@code (x - min) / (max - min)}; a constant channel gives 0.5. */
    MINMAX,
    /**
     * One min–max scale for the whole layer, so channels can be compared: {@code (x - layerMin) /
     * (layerMax - layerMin)}; a constant layer gives 0.5.
     */
    LAYER;

    /** The normalization used when none is chosen. */
    public static final Normalization DEFAULT = STANDARDIZE;

    /**
     * Every channel of a layer given as channels-first floats ({@code chw[c][h][w]} flattened, e.g. one
     * sample of an NCHW tensor starting at {@code offset}).
     */
    public Heatmap[] layer(float[] chw, int offset, int channels, int height, int width) {
        int hw = height * width;
        if (offset < 0 || (long) offset + (long) channels * hw > chw.length) {
            throw new IllegalArgumentException(channels + "x" + height + "x" + width + " at " + offset
                    + " exceeds " + chw.length + " values");
        }
        Range layer = this == LAYER ? Range.of(chw, offset, channels * hw) : null;
        Heatmap[] out = new Heatmap[channels];
        for (int c = 0; c < channels; c++) {
            out[c] = channel(chw, offset + c * hw, width, height, layer);
        }
        return out;
    }

    /** {@link #layer(float[], int, int, int, int)} from offset 0. */
    public Heatmap[] layer(float[] chw, int channels, int height, int width) {
        return layer(chw, 0, channels, height, width);
    }

    /**
     * One channel (or any 2-D map), {@code data[offset .. offset + width*height)} row-major. Note the
     * order: width, then height, as in {@link Heatmap} (unlike {@link #layer}, which takes tensor order
     * channels, height, width).
     *
     * @param layer the whole layer's range, used by {@link #LAYER} (ignored otherwise); null means the
     *              channel's own range
     */
    public Heatmap channel(float[] data, int offset, int width, int height, Range layer) {
        int n = width * height;
        float[] unit = new float[n];
        if (this == STANDARDIZE) {
            // its first pass over the values also tells whether the channel is dead
            return new Heatmap(unit, width, height, !standardize(data, offset, n, unit));
        }
        if (isDead(data, offset, n)) {
            return new Heatmap(unit, width, height, true);
        }
        scale(data, offset, n, this == MINMAX || layer == null ? Range.of(data, offset, n) : layer, unit);
        return new Heatmap(unit, width, height, false);
    }

    /**
     * {@link #STANDARDIZE} of a channel whose figures are known already (the statistics an activations
     * run computes), without the passes that find them: {@code mean} and population {@code std} of
     * the channel's values, summed in double precision in index order as {@link #channel} does, and
     * their minimum and maximum. The values must all be finite. Gives the same map as
     * {@code STANDARDIZE.channel(data, offset, width, height, null)}.
     */
    public static Heatmap standardized(float[] data, int offset, int width, int height, double mean, double std,
                                       float min, float max) {
        int n = width * height;
        if (offset < 0 || (long) offset + n > data.length) {
            throw new IllegalArgumentException(width + "x" + height + " at " + offset + " exceeds " + data.length + " values");
        }
        float[] unit = new float[n];
        if (min == 0f && max == 0f) {
            return new Heatmap(unit, width, height, true);
        }
        standardBytes(data, offset, n, mean, min == max ? 0 : std, unit);
        return new Heatmap(unit, width, height, false);
    }

    /** {@code true} when every value of {@code data[offset .. offset+length)} is exactly zero (±0). */
    public static boolean isDead(float[] data, int offset, int length) {
        for (int i = offset, end = offset + length; i < end; i++) {
            if (data[i] != 0f) {
                return false;
            }
        }
        return true;
    }

    /**
     * Chollet's byte for one value: {@code clip((x - mean) / std * 64 + 128, 0, 255)} truncated; 128
     * when {@code std} is 0 (a constant channel), 0 for NaN, 255 / 0 for ±infinity.
     */
    public static int standardizedByte(double x, double mean, double std) {
        if (Double.isNaN(x)) {
            return 0;
        }
        if (std == 0) {
            return x == Double.POSITIVE_INFINITY ? 255 : x == Double.NEGATIVE_INFINITY ? 0 : 128;
        }
        double v = (x - mean) / std * 64 + 128;
        if (!(v > 0)) {
            return 0;
        }
        return v >= 255 ? 255 : (int) v;
    }

    /**
     * Fills {@code unit} with the standardized bytes' unit values; returns false, leaving {@code unit}
     * all zero, when the channel is dead (every value exactly zero: all finite, minimum and maximum 0).
     */
    private static boolean standardize(float[] data, int offset, int n, float[] unit) {
        double sum = 0;
        int count = 0;
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (int i = offset, end = offset + n; i < end; i++) {
            float v = data[i];
            if (Float.isFinite(v)) {
                sum += v;
                count++;
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        if (count == n && lo == 0f && hi == 0f) {
            return false;
        }
        double mean = count == 0 ? 0 : sum / count;
        double ss = 0;
        for (int i = offset, end = offset + n; i < end; i++) {
            float v = data[i];
            if (Float.isFinite(v)) {
                double d = v - mean;
                ss += d * d;
            }
        }
        // exactly constant: no deviation at all (rounding in the mean must not become noise)
        double std = count == 0 || lo == hi ? 0 : Math.sqrt(ss / count);
        standardBytes(data, offset, n, mean, std, unit);
        return true;
    }

    /** The unit value of {@link #standardizedByte} of each value. */
    private static void standardBytes(float[] data, int offset, int n, double mean, double std, float[] unit) {
        if (std == 0) {
            for (int i = 0; i < n; i++) {
                unit[i] = BYTE_UNIT[standardizedByte(data[offset + i], mean, std)];
            }
            return;
        }
        // zeros, most of a ReLU layer's values, all give one byte
        float zero = BYTE_UNIT[standardizedByte(0, mean, std)];
        // (x − mean) × (64 / std) is within a few units in the last place of (x − mean) / std × 64 (64
        // is a power of two), so it has the same whole part unless it lies that close to a whole
        // number (or is NaN): then the formula itself decides, and the bytes are the same
        double k = 64 / std;
        for (int i = 0; i < n; i++) {
            float x = data[offset + i];
            if (x == 0f) {
                unit[i] = zero;
                continue;
            }
            double v = (x - mean) * k + 128;
            int b;
            if (v >= 255 + NEAR) {
                b = 255;
            } else if (v <= -NEAR) {
                b = 0;
            } else {
                b = (int) v;
                double f = v - b;
                if (!(f >= NEAR && f <= 1 - NEAR)) {
                    b = standardizedByte(x, mean, std);
                }
            }
            unit[i] = BYTE_UNIT[b];
        }
    }

    /** How close to a whole number the fast standardized value may come before the exact formula is asked. */
    private static final double NEAR = 1e-9;

    private static void scale(float[] data, int offset, int n, Range r, float[] unit) {
        float span = r.span();
        if (!(span > 0) || !Float.isFinite(span)) {
            for (int i = 0; i < n; i++) {
                float v = data[offset + i];
                unit[i] = v == Float.POSITIVE_INFINITY ? 1f : v == Float.NEGATIVE_INFINITY || v != v ? 0f : 0.5f;
            }
            return;
        }
        float min = r.min();
        float inv = 1f / span;
        for (int i = 0; i < n; i++) {
            float t = (data[offset + i] - min) * inv;
            unit[i] = t > 0f ? (t < 1f ? t : 1f) : 0f;
        }
    }

    /** {@code b / 255} for every byte: the unit value that selects colormap entry {@code b}. */
    private static final float[] BYTE_UNIT = new float[256];

    static {
        for (int b = 0; b < 256; b++) {
            BYTE_UNIT[b] = b / 255f;
        }
    }

    /** The name used on the command line: the constant in lower case ({@code standardize}). */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The normalization called {@code name} (case-insensitive).
     *
     * @throws ConvscopeException for an unknown name, with suggestions
     */
    /** The one parser of the names ({@code standardize, minmax, layer}). */
    public static final io.convscope.util.Choices<Normalization> CHOICES = io.convscope.util.Choices.of(Normalization.class, Normalization::cliName);

    public static Normalization byName(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        for (Normalization v : values()) {
            if (v.cliName().equals(n)) {
                return v;
            }
        }
        String hint = Names.didYouMean(n, names());
        throw new ConvscopeException("unknown normalization '" + name + "'"
                + (hint.isEmpty() ? "; known normalizations: " + String.join(", ", names()) : hint));
    }

    /** The names {@link #byName} knows: {@code standardize, minmax, layer}. */
    public static List<String> names() {
        List<String> out = new ArrayList<>();
        for (Normalization v : values()) {
            out.add(v.cliName());
        }
        return out;
    }
}
