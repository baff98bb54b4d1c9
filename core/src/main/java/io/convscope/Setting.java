package io.convscope;

import java.util.Locale;

/**
 * A setting a user chooses (image size, layers, steps, …), named in core's error messages without
 * knowing how a front end spells it. A message refers to a setting by concatenating it: its
 * {@link #toString()} is a marker, <code>{size}</code>, that {@link ConvscopeException#message}
 * renders — as the plain key for library users ({@link ConvscopeException#getMessage()}), as a
 * flag ({@code --size}) on the command line, as a form field in a web page.
 */
public enum Setting {
    MODEL, WEIGHTS, NO_TOP, DEVICE, PREPROCESS, MEAN, STD, SCALE, CHANNEL_ORDER, LABELS,
    SIZE, KEEP_SIZE, LAYERS, BLOCKS, ALL, CHANNELS, TOP, IMAGE, STEPS, LR, OCTAVES, CONTENT_LAYER, STYLE_LAYERS, STYLE_WEIGHTS, GIF_CHANNELS, OUT,
    METHOD, CLASS, LAYER, SCORE, BATCH, BASELINE, TOLERANCE, NOISE, SAMPLES, SMOOTH, WINDOW, STRIDE, MASKS, SEED, METRICS,
    METRIC_STEPS, OPACITY, COLORMAP, SANITY_LAYERS, SCORECAM_CHANNELS;

    /** The plain name: {@code size}, {@code keep-size}, {@code channel-order}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The marker a message holds in place of this setting's name: <code>{size}</code>. */
    @Override
    public String toString() {
        return "{" + key() + "}";
    }

    /** The setting with this key, or null. */
    public static Setting byKey(String key) {
        for (Setting s : values()) {
            if (s.key().equals(key)) {
                return s;
            }
        }
        return null;
    }
}
