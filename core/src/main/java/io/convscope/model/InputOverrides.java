package io.convscope.model;

import io.convscope.ConvscopeException;
import io.convscope.Setting;
import io.convscope.network.Network;
import io.convscope.network.Preprocessing;
import io.convscope.network.TensorShape;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What a user says about a model's input and output that the model file does not: how pixels are
 * preprocessed (an ONNX file, for one, records neither mean nor scale) and what its classes are
 * called. Every field is optional; {@link #apply} changes only what was given.
 *
 * <p>Pixel values v in 0–255 become {@code (v × scale − mean[c]) / std[c]} in the network's channel
 * order, as in {@link Preprocessing}. Explicit {@code mean}, {@code std}, {@code scale} and
 * {@code channels} refine the named {@code preprocess} mode, or the model's own when none is named.
 *
 * @param preprocess a mode name (caffe, tf, torch, unit, raw) or null
 * @param mean       one value, or one per channel, or null
 * @param std        one value, or one per channel, or null
 * @param scale      the factor applied to 0–255 values first, or null
 * @param channels   "rgb" or "bgr" (the order the network expects), or null
 * @param labels     a text file with one class name per line, or null
 */
public record InputOverrides(String preprocess, float[] mean, float[] std, Float scale, String channels, Path labels) {
    /** Nothing overridden. */
    public static final InputOverrides NONE = new InputOverrides(null, null, null, null, null, null);

    /** The accepted {@code preprocess} names. */
    public static final List<String> MODES = List.of("caffe", "tf", "torch", "unit", "raw");

    private static final Pattern SYNSET = Pattern.compile("^n\\d{8}\\s+");

    public InputOverrides {
        if (preprocess != null && Preprocessing.byName(preprocess) == null) {
            throw new ConvscopeException("unknown " + Setting.PREPROCESS + " '" + preprocess + "': use one of " + String.join(", ", MODES)
                    + ", or give " + Setting.MEAN + "/" + Setting.STD + "/" + Setting.SCALE);
        }
        if (channels != null && !channels.equalsIgnoreCase("rgb") && !channels.equalsIgnoreCase("bgr")) {
            throw new ConvscopeException("unknown " + Setting.CHANNEL_ORDER + " '" + channels + "': use rgb or bgr");
        }
        if (std != null) {
            for (float s : std) {
                if (!(s > 0) || Float.isInfinite(s)) {
                    throw new ConvscopeException(Setting.STD + " values must be positive, got " + fmt(std));
                }
            }
        }
        if (scale != null && (!(scale > 0) || scale.isInfinite())) {
            throw new ConvscopeException(Setting.SCALE + " must be positive, got " + scale);
        }
    }

    /** True when nothing is overridden. */
    public boolean isEmpty() {
        return preprocess == null && mean == null && std == null && scale == null && channels == null && labels == null;
    }

    /** The network with these overrides applied; checks that they fit its input and output. */
    public Network apply(Network net) {
        Network out = net;
        if (preprocess != null || mean != null || std != null || scale != null || channels != null) {
            out = out.withPreprocessing(preprocessing(net.preprocessing(), net.inputShape()));
        }
        if (labels != null) {
            out = out.withLabels(readLabels(labels, classes(net)));
        }
        return out;
    }

    /** The preprocessing these overrides give, starting from a model's own. */
    public Preprocessing preprocessing(Preprocessing own, TensorShape input) {
        Preprocessing base = preprocess != null ? Preprocessing.byName(preprocess) : own;
        if (base == null) {
            base = Preprocessing.RAW;
        }
        int c = input.rank() == 3 && input.channels() > 0 ? input.channels() : 3;
        float[] m = mean != null ? perChannel(mean, c, Setting.MEAN.toString()) : base.mean();
        float[] s = std != null ? perChannel(std, c, Setting.STD.toString()) : base.std();
        float sc = scale != null ? scale : base.scale();
        boolean bgr = channels != null ? channels.equalsIgnoreCase("bgr") : base.bgr();
        boolean custom = mean != null || std != null || scale != null || channels != null;
        String name = custom ? "custom(" + (bgr ? "bgr" : "rgb") + ", scale " + trim(sc) + ", mean " + fmt(m) + ", std "
                + fmt(s) + ")" : base.name();
        return new Preprocessing(name, bgr, sc, m, s);
    }

    /**
     * Reads a labels file: one class per line, blank lines ignored. ImageNet synset lines
     * ({@code n01440764 tench, Tinca tinca}) keep the first name ({@code tench}).
     *
     * @param expected the number of classes the model gives, or -1 when unknown
     */
    public static List<String> readLabels(Path file, int expected) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new ConvscopeException(Setting.LABELS + ": no such file: " + file);
        } catch (java.nio.charset.MalformedInputException e) {
            throw new ConvscopeException(Setting.LABELS + ": " + file + " is not UTF-8 text");
        } catch (IOException e) {
            throw new ConvscopeException(Setting.LABELS + ": cannot read " + file + ": " + e.getMessage());
        }
        List<String> names = new ArrayList<>(lines.size());
        for (String line : lines) {
            String s = line.strip();
            if (s.isEmpty()) {
                continue;
            }
            if (SYNSET.matcher(s).find()) {
                s = SYNSET.matcher(s).replaceFirst("");
                int comma = s.indexOf(',');
                if (comma > 0) {
                    s = s.substring(0, comma).strip();
                }
            }
            names.add(s);
        }
        if (names.isEmpty()) {
            throw new ConvscopeException(Setting.LABELS + ": " + file + " has no names");
        }
        if (expected > 0 && names.size() != expected) {
            throw new ConvscopeException(Setting.LABELS + ": " + file + " has " + names.size() + " names but the model has "
                    + expected + " classes");
        }
        return List.copyOf(names);
    }

    /**
     * Parses a list of numbers such as {@code 0.485,0.456,0.406}; each may be a fraction
     * ({@code 1/255}).
     */
    public static float[] parseNumbers(String text, String option) {
        if (text == null) {
            return null;
        }
        String[] parts = text.split("[,\\s]+");
        List<Float> vals = new ArrayList<>();
        for (String p : parts) {
            if (!p.isEmpty()) {
                vals.add(parseNumber(p, option));
            }
        }
        if (vals.isEmpty()) {
            throw new ConvscopeException(option + " needs one number or one per channel, e.g. 0.485,0.456,0.406");
        }
        float[] out = new float[vals.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = vals.get(i);
        }
        return out;
    }

    /** Parses one number, or a fraction such as {@code 1/255}. */
    public static float parseNumber(String p, String option) {
        try {
            int slash = p.indexOf('/');
            float v = slash > 0 ? Float.parseFloat(p.substring(0, slash)) / Float.parseFloat(p.substring(slash + 1))
                    : Float.parseFloat(p);
            if (!Float.isFinite(v)) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new ConvscopeException(option + ": '" + p + "' is not a number");
        }
    }

    private static int classes(Network net) {
        TensorShape s = net.outputShape();
        return s.rank() == 1 ? s.dim(0) : -1;
    }

    private static float[] perChannel(float[] v, int c, String option) {
        if (v.length == c) {
            return v.clone();
        }
        if (v.length == 1) {
            float[] out = new float[c];
            Arrays.fill(out, v[0]);
            return out;
        }
        throw new ConvscopeException(option + " has " + v.length + " values but the model's input has " + c
                + " channel" + (c == 1 ? "" : "s") + ": give one value or " + c);
    }

    private static String fmt(float[] v) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) {
            b.append(i > 0 ? ", " : "").append(trim(v[i]));
        }
        return b.append(']').toString();
    }

    private static String trim(float f) {
        String s = String.format(Locale.ROOT, "%.6g", f);
        if (s.contains("e") || !s.contains(".")) {
            return s;
        }
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
}
