package io.convscope.probe;

import ai.djl.Device;
import io.convscope.ConvscopeException;
import io.convscope.Setting;
import io.convscope.image.ImageLoader;
import io.convscope.network.Network;
import io.convscope.network.TensorShape;
import io.convscope.optimize.Optimizer;
import io.convscope.style.StyleLayers;
import io.convscope.style.StyleTransfer;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Neural style transfer ({@code style}).
 *
 * @param content        the photo to paint
 * @param styles         the style images (blended)
 * @param out            the output folder (the picture is OUT/CONTENT-STYLE.png), or the picture itself (a name
 *                       ending in .png), or null for {@link #DEFAULT_DIR}/CONTENT-STYLE.png
 * @param size           the result's longest side, or null: {@link #GPU_SIZE} on a GPU, {@link #CPU_SIZE} on a CPU
 * @param styleScale     style images are resized to a longest side of this × the size
 * @param styleWeights   one weight per style image, or empty for equal weights
 * @param contentLayer   the content layer, or null for the rule's
 * @param styleLayers    the style layers, or empty for the rule's
 * @param contentWeight  α
 * @param styleWeight    β
 * @param tvWeight       γ
 * @param steps          optimiser iterations
 * @param optimizer      L-BFGS or Adam
 * @param learningRate   Adam's rate
 * @param start          start from the content or from noise
 * @param seed           the noise's seed
 * @param preserveColors transfer on luminance only
 * @param gif            also OUT.gif
 * @param gifEvery       a frame every that many steps, or null for about 30 frames
 * @param losses         also OUT-losses.csv and OUT-losses.png
 */
public record StyleRequest(Path content, List<Path> styles, Path out, Integer size, double styleScale, List<Double> styleWeights,
                           String contentLayer, List<String> styleLayers, double contentWeight, double styleWeight, double tvWeight,
                           int steps, Optimizer.Kind optimizer, double learningRate, StyleTransfer.Start start, long seed,
                           boolean preserveColors, boolean gif, Integer gifEvery, boolean losses) {
    /** Where the picture goes when no file is given. */
    public static final String DEFAULT_DIR = "convscope-out/style";
    /** The size on a GPU. */
    public static final int GPU_SIZE = 512;
    /** The size on a CPU: a step at 512 pixels takes several seconds there. */
    public static final int CPU_SIZE = 256;

    /** The files a run writes: the picture and, as asked, the GIF, the losses' CSV and plot. */
    public record Outputs(Path png, Path gif, Path csv, Path plot) {
        /** The page that shows the run, beside the picture: {@code NAME.html}. */
        public Path page() {
            String base = png.getFileName().toString();
            return png.resolveSibling(base.substring(0, base.length() - 4) + ".html");
        }
    }

    /** The output files, refusing a name that is not a PNG, is a folder, or is an input. Cheap: call it before loading. */
    public Outputs outputs() {
        if (!styleWeights.isEmpty() && styleWeights.size() != styles.size()) {
            throw new ConvscopeException(Setting.STYLE_WEIGHTS + " gives " + styleWeights.size() + " weights for " + styles.size()
                    + (styles.size() == 1 ? " style image" : " style images"));
        }
        // OUT is a folder, as every command's, which gets CONTENT-STYLE.png; or the picture itself (a .png)
        String picture = io.convscope.probe.Outputs.stem(content) + "-" + io.convscope.probe.Outputs.stem(styles.get(0)) + ".png";
        Path png = out == null ? Path.of(DEFAULT_DIR, picture) : isPictureName(out) ? out : out.resolve(picture);
        if (!png.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
            throw new ConvscopeException(Setting.OUT + " " + png + ": the picture is a PNG; give a name ending in .png");
        }
        if (Files.isDirectory(png)) {
            throw new ConvscopeException(Setting.OUT + " " + png + " is a folder; give a file name ending in .png");
        }
        String base = png.getFileName().toString();
        base = base.substring(0, base.length() - 4);
        Outputs o = new Outputs(png, png.resolveSibling(base + ".gif"), png.resolveSibling(base + "-losses.csv"),
                png.resolveSibling(base + "-losses.png"));
        List<Path> inputs = new ArrayList<>(styles);
        inputs.add(0, content);
        for (Path f : List.of(o.png(), o.gif(), o.csv(), o.plot(), o.page())) {
            for (Path in : inputs) {
                if (f.toAbsolutePath().normalize().equals(in.toAbsolutePath().normalize())) {
                    throw new ConvscopeException(in + " is an input; choose another " + Setting.OUT);
                }
            }
        }
        io.convscope.util.AtomicFiles.outputFile(png, Setting.OUT); // fails now, not after the steps, when it cannot be written
        return o;
    }

    /** True when {@code out} names a picture file (an image extension) rather than a folder. */
    static boolean isPictureName(Path out) {
        Path name = out.getFileName();
        return name != null && name.toString().toLowerCase(Locale.ROOT).matches(".*\\.(png|jpe?g|gif|bmp|webp|tiff?)")
                && !Files.isDirectory(out);
    }

    /** The longest side on {@code device}. */
    public int longest(Device device) {
        return size != null ? size : device != null && device.isGpu() ? GPU_SIZE : CPU_SIZE;
    }

    /** The content and style pictures, loaded. */
    public record Pictures(BufferedImage content, List<BufferedImage> styles) {
    }

    /** Loads the pictures (before the model, so a bad image is reported first). */
    public Pictures load() {
        BufferedImage c = ImageLoader.load(content);
        List<BufferedImage> s = new ArrayList<>();
        for (Path p : styles) {
            s.add(ImageLoader.load(p));
        }
        return new Pictures(c, s);
    }

    /** Fits the size, chooses the layers; {@link StylePlan#check} then refuses what would not fit. */
    public StylePlan plan(Pictures pictures, Network net, Device device) {
        Outputs files = outputs();
        int longest = longest(device);
        int[] hw = StyleTransfer.fit(pictures.content().getHeight(), pictures.content().getWidth(), longest);
        TensorShape in = net.inputShape();
        if (!in.isSpatial() || in.channels() != 3) {
            throw new ConvscopeException(net.name() + " takes " + in.toKerasString() + " inputs; style transfer needs a model of RGB images");
        }
        StyleLayers layers = StyleLayers.choose(net, contentLayer, styleLayers, hw[0], hw[1]);
        return new StylePlan(this, net, device, pictures, files, layers, longest, hw[0], hw[1]);
    }
}
