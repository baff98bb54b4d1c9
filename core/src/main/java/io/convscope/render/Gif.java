package io.convscope.render;

import io.convscope.ConvscopeException;
import io.convscope.util.AtomicFiles;
import org.w3c.dom.Node;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An animated GIF that loops forever: frames (any size, each centred on one canvas as large as the
 * largest frame, on the {@link #background}) with their own delays. Colours go through one
 * deterministic 256-colour palette for all frames ({@link Palette}: exact when the frames use 256
 * colours or fewer, else median cut), so the same frames always give the same bytes.
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
        frames.add(new Frame(image, delayMs));
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
        List<int[]> canvases = new ArrayList<>();
        for (Frame f : frames) {
            BufferedImage img = f.image();
            if (img.getWidth() != w || img.getHeight() != h || img.getType() != BufferedImage.TYPE_INT_RGB) {
                img = Images.centre(img, w, h, background);
            }
            canvases.add(Images.pixels(img));
        }
        Palette palette = Palette.of(canvases);
        IndexColorModel icm = colorModel(palette.colors);
        ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
        try (ImageOutputStream ios = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(ios);
            ImageWriteParam param = writer.getDefaultWriteParam();
            writer.prepareWriteSequence(null);
            for (int i = 0; i < frames.size(); i++) {
                BufferedImage indexed = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_INDEXED, icm);
                byte[] data = ((DataBufferByte) indexed.getRaster().getDataBuffer()).getData();
                byte[] idx = palette.indices(canvases.get(i));
                System.arraycopy(idx, 0, data, 0, idx.length);
                IIOMetadata md = writer.getDefaultImageMetadata(new ImageTypeSpecifier(indexed), param);
                configure(md, frames.get(i).delayMs(), i == 0);
                writer.writeToSequence(new IIOImage(indexed, null, md), param);
            }
            writer.endWriteSequence();
        } finally {
            writer.dispose();
        }
    }

    private static IndexColorModel colorModel(int[] colors) {
        // 256 entries always: the GIF writer then writes an 8-bit table (unused entries black)
        byte[] r = new byte[256];
        byte[] g = new byte[256];
        byte[] b = new byte[256];
        for (int i = 0; i < colors.length; i++) {
            r[i] = (byte) (colors[i] >> 16);
            g[i] = (byte) (colors[i] >> 8);
            b[i] = (byte) colors[i];
        }
        return new IndexColorModel(8, 256, r, g, b);
    }

    private static void configure(IIOMetadata md, int delayMs, boolean first) throws IOException {
        IIOMetadataNode root = (IIOMetadataNode) md.getAsTree(IMAGE_FORMAT);
        IIOMetadataNode gce = child(root, "GraphicControlExtension");
        gce.setAttribute("disposalMethod", "none");
        gce.setAttribute("userInputFlag", "FALSE");
        gce.setAttribute("transparentColorFlag", "FALSE");
        gce.setAttribute("transparentColorIndex", "0");
        gce.setAttribute("delayTime", Integer.toString(Math.min(65535, (delayMs + 5) / 10)));
        if (first) {
            IIOMetadataNode apps = child(root, "ApplicationExtensions");
            IIOMetadataNode app = new IIOMetadataNode("ApplicationExtension");
            app.setAttribute("applicationID", "NETSCAPE");
            app.setAttribute("authenticationCode", "2.0");
            app.setUserObject(new byte[] {1, 0, 0}); // sub-block 1: loop count 0 = forever
            apps.appendChild(app);
        }
        md.setFromTree(IMAGE_FORMAT, root);
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
