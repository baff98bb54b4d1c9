package io.convscope.render;

import io.convscope.ConvscopeException;
import io.convscope.util.AtomicFiles;
import org.w3c.dom.Node;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageInputStream;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An animated GIF that loops forever: frames (any size, each centred on one canvas as large as the
 * largest frame, on the {@link #background}) with their own delays. Colours go through one
 * deterministic 256-colour palette for all frames ({@link Palette}: exact when the frames use 256
 * colours or fewer, else median cut), and the file is encoded by convscope's own LZW encoder
 * ({@code javax.imageio}'s GIF writer took about twice as long in {@code GifBenchmark}), so the same frames give the same
 * bytes, on any machine.
 *
 * <p>Frames are kept (by reference, {@code TYPE_INT_RGB} ones without a copy) until {@link #write}:
 * do not change an image after adding it.
 *
 * <pre>{@code
 * new Gif().add(sheet1, 500).add(sheet2, 500).write(dir.resolve("layers.gif"));
 * }</pre>
 *
 * <p>GIF delays are in hundredths of a second: a delay is rounded to the nearest 10 ms (browsers
 * show delays under 20 ms as 100 ms).
 */
public final class Gif {
    private static final String IMAGE_FORMAT = "javax_imageio_gif_image_1.0";
    private static final String STREAM_FORMAT = "javax_imageio_gif_stream_1.0";

    /** A frame and how long it shows. */
    private record Frame(BufferedImage image, int delayMs) {
    }

    private final List<Frame> frames = new ArrayList<>();
    private int background = Grid.BACKGROUND;

    /** An empty animation with a white background. */
    public Gif() {
    }

    /** The colour around frames smaller than the canvas (default white). */
    public Gif background(int rgb) {
        this.background = rgb & 0xffffff;
        return this;
    }

    /** Adds a frame shown for {@code delayMs} milliseconds (0 or more). */
    public Gif add(BufferedImage image, int delayMs) {
        if (delayMs < 0) {
            throw new IllegalArgumentException("delay " + delayMs + " ms");
        }
        frames.add(new Frame(Images.toRgb(image), delayMs));
        return this;
    }

    /** Number of frames added. */
    public int size() {
        return frames.size();
    }

    /**
     * Writes the animation to {@code file} via a temporary file and a rename.
     *
     * @throws ConvscopeException when the file cannot be written
     * @throws IllegalStateException when there are no frames
     */
    public void write(Path file) {
        AtomicFiles.write(file, this::write);
    }

    /** Encodes the animation onto {@code out} (left open). */
    public void write(OutputStream out) throws IOException {
        if (frames.isEmpty()) {
            throw new IllegalStateException("a GIF needs at least one frame");
        }
        int w = 1;
        int h = 1;
        for (Frame f : frames) {
            w = Math.max(w, f.image().getWidth());
            h = Math.max(h, f.image().getHeight());
        }
        List<int[]> pixels = new ArrayList<>();
        boolean padded = false;
        for (Frame f : frames) {
            pixels.add(Images.pixels(f.image()));
            padded |= f.image().getWidth() != w || f.image().getHeight() != h;
        }
        if (padded) {
            pixels.add(new int[] {background});
        }
        Palette palette = Palette.of(pixels);
        int bg = padded ? palette.index(background) : 0;
        // each frame's indices and codes on its own (in parallel), then written in order
        int canvasW = w;
        int canvasH = h;
        byte[][] data = new byte[frames.size()][];
        java.util.stream.IntStream.range(0, frames.size()).parallel().forEach(k -> {
            BufferedImage img = frames.get(k).image();
            byte[] idx = palette.indices(Images.pixels(img));
            if (img.getWidth() != canvasW || img.getHeight() != canvasH) {
                idx = centre(idx, img.getWidth(), img.getHeight(), canvasW, canvasH, (byte) bg);
            }
            data[k] = GifEncoder.imageData(idx);
        });
        GifEncoder gif = new GifEncoder(out, w, h, palette.colors, bg, 0);
        for (int k = 0; k < frames.size(); k++) {
            gif.frameData(data[k], Math.min(65535, (frames.get(k).delayMs() + 5) / 10));
        }
        gif.finish();
    }

    private static byte[] centre(byte[] src, int sw, int sh, int w, int h, byte fill) {
        byte[] out = new byte[w * h];
        java.util.Arrays.fill(out, fill);
        int x0 = (w - sw) / 2;
        int y0 = (h - sh) / 2;
        for (int r = 0; r < sh; r++) {
            System.arraycopy(src, r * sw, out, (y0 + r) * w + x0, sw);
        }
        return out;
    }

    private static IIOMetadataNode child(IIOMetadataNode root, String name) {
        for (Node n = root.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n.getNodeName().equals(name)) {
                return (IIOMetadataNode) n;
            }
        }
        IIOMetadataNode node = new IIOMetadataNode(name);
        root.appendChild(node);
        return node;
    }

    /**
     * What a GIF file holds, as read back by {@link #read}.
     *
     * @param frames   number of frames
     * @param width    logical screen width
     * @param height   logical screen height
     * @param delaysMs each frame's delay in milliseconds (GIF stores hundredths)
     * @param loops    the NETSCAPE2.0 loop count (0 = forever), or -1 when the file has none
     */
    public record Info(int frames, int width, int height, List<Integer> delaysMs, int loops) {
    }

    /** Reads frame count, canvas size, delays and loop count of a GIF file (for tests and checks). */
    public static Info read(Path file) {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) {
                throw new ConvscopeException("cannot read " + file);
            }
            ImageReader reader = ImageIO.getImageReadersByFormatName("gif").next();
            try {
                reader.setInput(in, false, false);
                int n = reader.getNumImages(true);
                IIOMetadataNode stream = (IIOMetadataNode) reader.getStreamMetadata().getAsTree(STREAM_FORMAT);
                IIOMetadataNode screen = child(stream, "LogicalScreenDescriptor");
                int w = Integer.parseInt(screen.getAttribute("logicalScreenWidth"));
                int h = Integer.parseInt(screen.getAttribute("logicalScreenHeight"));
                List<Integer> delays = new ArrayList<>();
                int loops = -1;
                for (int i = 0; i < n; i++) {
                    IIOMetadataNode root = (IIOMetadataNode) reader.getImageMetadata(i).getAsTree(IMAGE_FORMAT);
                    IIOMetadataNode gce = child(root, "GraphicControlExtension");
                    String d = gce.getAttribute("delayTime");
                    delays.add(d.isEmpty() ? 0 : Integer.parseInt(d) * 10);
                    for (Node a = child(root, "ApplicationExtensions").getFirstChild(); a != null; a = a.getNextSibling()) {
                        IIOMetadataNode app = (IIOMetadataNode) a;
                        if ("NETSCAPE".equals(app.getAttribute("applicationID"))
                                && app.getUserObject() instanceof byte[] b && b.length >= 3 && b[0] == 1) {
                            loops = (b[1] & 255) | (b[2] & 255) << 8;
                        }
                    }
                }
                return new Info(n, w, h, List.copyOf(delays), loops);
            } finally {
                reader.dispose();
            }
        } catch (IOException e) {
            throw new ConvscopeException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
