package io.convscope.image;

import io.convscope.render.Images;
import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.Locale;

/**
 * How an image is fitted to a model's fixed input size. All modes resample with {@link Resampler}
 * (bilinear, widened by the scale when shrinking).
 */
public enum Resize {
    /** Scale each axis independently to exactly the target size; the aspect ratio is not kept. */
    STRETCH,
    /**
     * Scale so that the image covers the target (the shorter side fits), keeping the aspect ratio, and
     * cut off the excess of the longer side equally on both ends: a centre crop, the usual way ImageNet
     * models see an image. The cut is done in source coordinates, so there is no intermediate rounding.
     */
    CROP,
    /**
     * Scale so that the whole image fits (the longer side fits), keeping the aspect ratio, centred, and
     * fill the rest with a padding colour (letterboxing).
     */
    PAD,
    /**
     * The crop ImageNet accuracy is measured with: as {@link #CROP}, but the image scaled so that the
     * target is the central {@link #IMAGENET_FRACTION} of it (for 224×224: the shorter side scaled to
     * 256, the centre 224×224 cut out), so a margin of 1/16 of the shorter side is dropped on each side.
     */
    IMAGENET;

    /** The part of the shorter side {@link #IMAGENET} keeps: 224 / 256. */
    public static final double IMAGENET_FRACTION = 224.0 / 256.0;

    /** The mode named {@code stretch}, {@code crop} or {@code pad} (any case), or null. */
    /** The one parser of the names ("crop", "stretch", "pad", "imagenet"). */
    public static final io.convscope.util.Choices<Resize> CHOICES = io.convscope.util.Choices.of(Resize.class);

    public static Resize byName(String name) {
        for (Resize r : values()) {
            if (r.name().equalsIgnoreCase(name.strip())) {
                return r;
            }
        }
        return null;
    }

    /** The lower-case names, for help texts and error messages. */
    public static String names() {
        return String.join(", ", Arrays.stream(values()).map(r -> r.name().toLowerCase(Locale.ROOT)).toList());
    }

    /** The image fitted to {@code width × height}; {@link #PAD} pads with black. */
    public BufferedImage apply(BufferedImage img, int width, int height) {
        return apply(img, width, height, 0x000000);
    }

    /**
     * The image fitted to {@code width × height} as a {@link BufferedImage#TYPE_INT_RGB} image.
     *
     * @param padRgb the colour, 0xRRGGBB, of the padding {@link #PAD} adds; ignored by other modes
     */
    public BufferedImage apply(BufferedImage img, int width, int height, int padRgb) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("target size " + width + "×" + height);
        }
        int w = img.getWidth();
        int h = img.getHeight();
        switch (this) {
            case STRETCH:
                return Resampler.resize(img, width, height);
            case CROP:
            case IMAGENET: {
                // the source box that covers the target at one scale, centred: the whole shorter side
                // for CROP, its central IMAGENET_FRACTION for IMAGENET (compared without division
                // first, so that exact fits take the plain resize)
                double f = this == IMAGENET ? IMAGENET_FRACTION : 1;
                long lhs = (long) w * height;
                long rhs = (long) width * h;
                if (lhs == rhs && f == 1) {
                    return Resampler.resize(img, width, height);
                }
                // wider than the target: the full height, the width it implies; taller: the other way
                double bw = lhs > rhs ? (double) h * width / height * f : w * f;
                double bh = lhs < rhs ? (double) w * height / width * f : h * f;
                return Resampler.resample(img, (w - bw) / 2, (h - bh) / 2, bw, bh, width, height);
            }
            case PAD:
            default: {
                double s = Math.min((double) width / w, (double) height / h);
                int iw = (int) Math.max(1, Math.min(width, Math.round(w * s)));
                int ih = (int) Math.max(1, Math.min(height, Math.round(h * s)));
                BufferedImage inner = Resampler.resize(img, iw, ih);
                if (iw == width && ih == height) {
                    return inner;
                }
                BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
                int[] dst = Images.pixels(out);
                Arrays.fill(dst, padRgb & 0xFFFFFF);
                int[] src = Images.pixels(inner);
                int ox = (width - iw) / 2;
                int oy = (height - ih) / 2;
                for (int y = 0; y < ih; y++) {
                    System.arraycopy(src, y * iw, dst, (y + oy) * width + ox, iw);
                }
                return out;
            }
        }
    }
}
