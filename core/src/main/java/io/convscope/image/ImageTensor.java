package io.convscope.image;

import io.convscope.render.Images;
import io.convscope.ConvscopeException;
import io.convscope.network.Preprocessing;
import io.convscope.network.TensorShape;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A batch of images as a model's input: {@code n × c × h × w} floats, channels-first (NCHW), row-major,
 * with the name of each image (its path as given, for reports).
 *
 * <p>How an image becomes a sample ({@link #of}):
 * <ol>
 *   <li>channels: a 3-channel model gets RGB (a gray image has R = G = B, i.e. it is replicated); a
 *       1-channel model gets luma, {@code round(0.299 R + 0.587 G + 0.114 B)} as PIL's {@code "L"}
 *       mode, computed before resizing as Keras' {@code load_img(color_mode="grayscale")} does;</li>
 *   <li>size: fitted to the model's height and width with the {@link Resize} mode; {@link Resize#PAD}
 *       pads with {@link #padColor the colour whose network input is 0} (the preprocessing mean);
 *       a dimension of -1 (the model takes any size) keeps the image's own size (see {@link #of});</li>
 *   <li>values: channel order reversed when {@link Preprocessing#bgr()}, then
 *       {@link Preprocessing#apply} per network channel.</li>
 * </ol>
 */
public record ImageTensor(float[] data, int n, int c, int h, int w, List<String> names) {

    public ImageTensor {
        names = List.copyOf(names);
        if (n < 0 || c <= 0 || h <= 0 || w <= 0 || names.size() != n || data.length != (long) n * c * h * w) {
            throw new IllegalArgumentException("inconsistent tensor: " + data.length + " floats for " + n + "×"
                    + c + "×" + h + "×" + w + " with " + names.size() + " names");
        }
    }

    /** Floats per sample: {@code c * h * w}. */
    public int sampleSize() {
        return c * h * w;
    }

    /** A copy of sample {@code i}'s {@code c × h × w} floats. */
    public float[] sample(int i) {
        float[] s = new float[sampleSize()];
        System.arraycopy(data, i * sampleSize(), s, 0, s.length);
        return s;
    }

    /** Sample {@code i} back as an image; see {@link #toImage(float[], int, int, int, Preprocessing)}. */
    public BufferedImage toImage(int i, Preprocessing pre) {
        return toImage(data, i * sampleSize(), c, h, w, pre);
    }

    /** The shape of one sample, {@code (c, h, w)}. */
    public TensorShape sampleShape() {
        return TensorShape.chw(c, h, w);
    }

    @Override
    public String toString() {
        return "ImageTensor[" + n + "×" + c + "×" + h + "×" + w + " " + names + "]";
    }

    // ---------------------------------------------------------------------------------------------

    /** Loads the files with {@link ImageLoader#load} and makes the batch; names are the paths. */
    public static ImageTensor load(List<Path> paths, TensorShape input, Preprocessing pre, Resize resize) {
        List<BufferedImage> images = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (Path p : paths) {
            images.add(ImageLoader.load(p));
            names.add(p.toString());
        }
        return of(images, names, input, pre, resize);
    }

    /**
     * The batch for a model whose input sample shape is {@code input} = (C, H, W), C = 1 or 3.
     *
     * <p>H and W may be -1 (the model takes any size). With both -1 each image keeps its own size; with
     * one of them -1 each image is scaled, keeping its aspect ratio, to the known one. Either way all
     * images must end up the same size, else a {@link ConvscopeException} says so; resolve the unknown
     * dimensions first with {@link #withSize} to fit every image to one size.
     */
    public static ImageTensor of(List<BufferedImage> images, List<String> names, TensorShape input,
            Preprocessing pre, Resize resize) {
        if (images.size() != names.size()) {
            throw new IllegalArgumentException(images.size() + " images but " + names.size() + " names");
        }
        if (images.isEmpty()) {
            throw new ConvscopeException("no images given");
        }
        if (!input.isSpatial()) {
            throw new ConvscopeException("the model's input " + input.toKerasString()
                    + " is not an image (it needs height, width and channels)");
        }
        int channels = input.channels();
        if (channels != 1 && channels != 3) {
            throw new ConvscopeException("the model's input " + input.toKerasString() + " has " + channels
                    + " channels; images can feed only 1 (grayscale) or 3 (RGB) channels");
        }
        int padRgb = padColor(pre, channels);
        List<int[]> pixels = new ArrayList<>();
        int outH = -1;
        int outW = -1;
        String firstName = null;
        for (int i = 0; i < images.size(); i++) {
            BufferedImage img = Images.toRgb(images.get(i));
            if (channels == 1) {
                img = luma(img);
            }
            img = fit(img, input.height(), input.width(), resize, padRgb);
            if (outH < 0) {
                outH = img.getHeight();
                outW = img.getWidth();
                firstName = names.get(i);
            } else if (img.getHeight() != outH || img.getWidth() != outW) {
                throw new ConvscopeException("images differ in size: " + firstName + " is " + outW + "×" + outH
                        + " but " + names.get(i) + " is " + img.getWidth() + "×" + img.getHeight()
                        + "; the model takes any size, so give a size to resize them all to");
            }
            pixels.add(Images.pixels(img));
        }
        long total = (long) images.size() * channels * outH * outW;
        if (total > Integer.MAX_VALUE - 8) {
            throw new ConvscopeException("the batch of " + images.size() + " images of " + outW + "×" + outH
                    + " is too large for one tensor; use fewer images or a smaller size");
        }
        float[] data = new float[(int) total];
        int plane = outH * outW;
        for (int i = 0; i < pixels.size(); i++) {
            int[] px = pixels.get(i);
            int base = i * channels * plane;
            for (int nc = 0; nc < channels; nc++) {
                // Which byte of 0xRRGGBB feeds network channel nc: gray images have R = G = B.
                int rgbChannel = channels == 1 ? 0 : pre.bgr() ? 2 - nc : nc;
                int shift = 16 - 8 * rgbChannel;
                int o = base + nc * plane;
                for (int p = 0; p < plane; p++) {
                    data[o + p] = pre.apply(nc, (px[p] >> shift) & 0xFF);
                }
            }
        }
        return new ImageTensor(data, images.size(), channels, outH, outW, names);
    }

    /** One image as a batch of one. */
    public static ImageTensor of(BufferedImage image, String name, TensorShape input, Preprocessing pre,
            Resize resize) {
        return of(List.of(image), List.of(name), input, pre, resize);
    }

    /**
     * {@code input} with its unknown (-1) height and width replaced by a user's size. Known dimensions
     * stay; a size that contradicts them is a {@link ConvscopeException}, since the model cannot take it.
     */
    public static TensorShape withSize(TensorShape input, int height, int width) {
        if (height <= 0 || width <= 0) {
            throw new ConvscopeException("image size " + width + "×" + height + " must be positive");
        }
        if (!input.isSpatial()) {
            return input;
        }
        if (input.height() > 0 && input.height() != height || input.width() > 0 && input.width() != width) {
            throw new ConvscopeException("the model takes " + dim(input.width()) + "×" + dim(input.height())
                    + " images (width×height); a size of " + width + "×" + height + " does not fit it");
        }
        return TensorShape.chw(input.channels(), height, width);
    }

    private static String dim(int d) {
        return d < 0 ? "any" : Integer.toString(d);
    }

    /**
     * The padding colour {@link Resize#PAD} uses for this preprocessing, 0xRRGGBB: per channel the pixel
     * value whose network input is 0 (the mean: mid-gray for "tf", ImageNet's mean colour for "caffe" and
     * "torch", black for "unit" and "raw"), so padding adds no signal, like a convolution's zero padding.
     */
    public static int padColor(Preprocessing pre) {
        return padColor(pre, 3);
    }

    private static int padColor(Preprocessing pre, int channels) {
        int[] rgb = new int[3];
        for (int k = 0; k < 3; k++) {
            int nc = channels == 1 ? 0 : pre.bgr() ? 2 - k : k;
            rgb[k] = clip(pre.invert(nc, 0f));
        }
        return (rgb[0] << 16) | (rgb[1] << 8) | rgb[2];
    }

    private static BufferedImage fit(BufferedImage img, int height, int width, Resize resize, int padRgb) {
        int ih = img.getHeight();
        int iw = img.getWidth();
        if (height > 0 && width > 0) {
            return resize.apply(img, width, height, padRgb);
        }
        if (height > 0) { // width free: keep the aspect ratio at the given height
            int w = (int) Math.max(1, Math.round((double) iw * height / ih));
            return Resampler.resize(img, w, height);
        }
        if (width > 0) {
            int h = (int) Math.max(1, Math.round((double) ih * width / iw));
            return Resampler.resize(img, width, h);
        }
        return img;
    }

    /** Gray as PIL's "L": round(0.299 R + 0.587 G + 0.114 B), stored with R = G = B. */
    static BufferedImage luma(BufferedImage rgb) {
        int[] src = Images.pixels(rgb);
        BufferedImage out = new BufferedImage(rgb.getWidth(), rgb.getHeight(), BufferedImage.TYPE_INT_RGB);
        int[] dst = Images.pixels(out);
        for (int i = 0; i < src.length; i++) {
            int p = src[i];
            // Integer arithmetic: 299 R + 587 G + 114 B in thousandths, rounded half up.
            int l = (299 * ((p >> 16) & 0xFF) + 587 * ((p >> 8) & 0xFF) + 114 * (p & 0xFF) + 500) / 1000;
            dst[i] = (l << 16) | (l << 8) | l;
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------------

    /** {@link #toImage(float[], int, int, int, int, Preprocessing)} from offset 0. */
    public static BufferedImage toImage(float[] chw, int c, int h, int w, Preprocessing pre) {
        return toImage(chw, 0, c, h, w, pre);
    }

    /**
     * The inverse of {@link #of}'s value mapping: {@code c × h × w} floats starting at {@code offset},
     * in the network's channel order and scale, back to a {@link BufferedImage#TYPE_INT_RGB} image
     * ({@link Preprocessing#invert}, BGR undone, values rounded and clipped to 0–255; one channel gives
     * a gray image with R = G = B).
     */
    public static BufferedImage toImage(float[] data, int offset, int c, int h, int w, Preprocessing pre) {
        if (c != 1 && c != 3) {
            throw new IllegalArgumentException("an image has 1 or 3 channels, not " + c);
        }
        if (h <= 0 || w <= 0 || offset < 0 || offset + (long) c * h * w > data.length) {
            throw new IllegalArgumentException(c + "×" + h + "×" + w + " at offset " + offset + " does not fit in "
                    + data.length + " floats");
        }
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] dst = Images.pixels(out);
        int plane = h * w;
        for (int p = 0; p < plane; p++) {
            int rgb;
            if (c == 1) {
                int v = clip(pre.invert(0, data[offset + p]));
                rgb = (v << 16) | (v << 8) | v;
            } else {
                rgb = 0;
                for (int nc = 0; nc < 3; nc++) {
                    int v = clip(pre.invert(nc, data[offset + nc * plane + p]));
                    int rgbChannel = pre.bgr() ? 2 - nc : nc;
                    rgb |= v << (16 - 8 * rgbChannel);
                }
            }
            dst[p] = rgb;
        }
        return out;
    }

    private static int clip(float v) {
        if (!(v > 0)) { // also NaN
            return 0;
        }
        return v >= 255 ? 255 : Math.round(v);
    }
}
