package io.convscope.network;

import java.util.Arrays;
import java.util.Locale;

/**
 * How pixel values 0–255 become the network's input: reorder channels (RGB or BGR), multiply by
 * {@code scale}, subtract {@code mean} and divide by {@code std} per channel (in the network's
 * channel order). One channel means grayscale.
 */
public record Preprocessing(String name, boolean bgr, float scale, float[] mean, float[] std) {

    /** Keras "caffe" mode (VGG16, VGG19): RGB→BGR, minus the ImageNet BGR means, no scaling. */
    public static final Preprocessing CAFFE = new Preprocessing("caffe", true, 1f,
            new float[] {103.939f, 116.779f, 123.68f}, new float[] {1f, 1f, 1f});
    /** Keras "tf" mode (ResNet50V2, MobileNet, Inception): x / 127.5 − 1. */
    public static final Preprocessing TF = new Preprocessing("tf", false, 1f / 127.5f,
            new float[] {1f, 1f, 1f}, new float[] {1f, 1f, 1f});
    /** Keras/PyTorch "torch" mode: x / 255, minus ImageNet mean, divided by ImageNet std (RGB). */
    public static final Preprocessing TORCH = new Preprocessing("torch", false, 1f / 255f,
            new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f});
    /** x / 255. */
    public static final Preprocessing UNIT = new Preprocessing("unit", false, 1f / 255f,
            new float[] {0f, 0f, 0f}, new float[] {1f, 1f, 1f});
    /** Raw 0–255 values. */
    public static final Preprocessing RAW = new Preprocessing("raw", false, 1f,
            new float[] {0f, 0f, 0f}, new float[] {1f, 1f, 1f});

    /**
     * Raw 0–255 values because the model file says nothing (an ONNX file without convention
     * metadata): computes as {@link #RAW}, but {@link #declared()} is false, so that a caller can say
     * the answers may be wrong without {@code --preprocess}.
     */
    public static final Preprocessing UNDECLARED = new Preprocessing("raw (the file declares none)", false, 1f,
            new float[] {0f, 0f, 0f}, new float[] {1f, 1f, 1f});

    /** False for {@link #UNDECLARED}: nobody said how pixels become this model's input. */
    public boolean declared() {
        return !equals(UNDECLARED);
    }

    public static Preprocessing byName(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "caffe" -> CAFFE;
            case "tf" -> TF;
            case "torch" -> TORCH;
            case "unit" -> UNIT;
            case "raw", "none" -> RAW;
            default -> null;
        };
    }

    /** Value of channel {@code c} (network order) for a pixel value v in 0–255. */
    public float apply(int c, float v) {
        int i = Math.min(c, mean.length - 1);
        return (v * scale - mean[i]) / std[i];
    }

    /** Inverse of {@link #apply}: back to 0–255. */
    public float invert(int c, float x) {
        int i = Math.min(c, mean.length - 1);
        return (x * std[i] + mean[i]) / scale;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Preprocessing p && p.name.equals(name) && p.bgr == bgr && p.scale == scale
                && Arrays.equals(p.mean, mean) && Arrays.equals(p.std, std);
    }

    @Override
    public int hashCode() {
        return name.hashCode();
    }

    @Override
    public String toString() {
        return name;
    }
}
