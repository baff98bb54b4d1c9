package io.convscope.render;

import org.w3c.dom.Node;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Times a GIF through five VGG16-sized activation sheets (64 × 224² … 512 × 14², random ReLU-like
 * floats, canvas 2036 × 2336): the whole {@link Gif#write}, its palette and index steps, and the LZW
 * encoding by convscope's {@link GifEncoder} against {@code javax.imageio}'s GIF writer on the same
 * indexed frames. Not a test; run by hand after {@code mvn -o -q -pl core test-compile}:
 *
 * <pre>
 * java -cp core/target/classes:core/target/test-classes io.convscope.render.GifBenchmark [REPEATS]
 * </pre>
 */
public final class GifBenchmark {
    private GifBenchmark() {
    }

    /** Runs the comparison; argument: repeats (default 3, the best is printed). */
    public static void main(String[] args) throws Exception {
        int repeats = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        Random r = new Random(1);
        List<BufferedImage> sheets = new ArrayList<>();
        int[][] layers = {{64, 224}, {128, 112}, {256, 56}, {512, 28}, {512, 14}};
        for (int[] l : layers) {
            float[] x = new float[l[0] * l[1] * l[1]];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) Math.max(0, r.nextGaussian());
            }
            sheets.add(new Grid().title(l[0] + " channels").addChannels(
                    Normalization.STANDARDIZE.layer(x, l[0], l[1], l[1])).render());
        }
        int w = 0;
        int h = 0;
        for (BufferedImage s : sheets) {
            w = Math.max(w, s.getWidth());
            h = Math.max(h, s.getHeight());
        }
        List<int[]> canvases = new ArrayList<>();
        for (BufferedImage s : sheets) {
            canvases.add(Images.pixels(Images.centre(s, w, h, Grid.BACKGROUND)));
        }
        long bestWhole = Long.MAX_VALUE;
        long bestPalette = Long.MAX_VALUE;
        long bestIndices = Long.MAX_VALUE;
        long bestOwn = Long.MAX_VALUE;
        long bestImageIo = Long.MAX_VALUE;
        int sizeOwn = 0;
        int sizeImageIo = 0;
        for (int rep = 0; rep < repeats; rep++) {
            Gif gif = new Gif();
            for (BufferedImage s : sheets) {
                gif.add(s, 500);
            }
            long t0 = System.nanoTime();
            gif.write(new ByteArrayOutputStream());
            long t1 = System.nanoTime();
            Palette p = Palette.of(canvases);
            long t2 = System.nanoTime();
            List<byte[]> idx = new ArrayList<>();
            for (int[] c : canvases) {
                idx.add(p.indices(c));
            }
            long t3 = System.nanoTime();
            ByteArrayOutputStream own = new ByteArrayOutputStream();
            GifEncoder enc = new GifEncoder(own, w, h, p.colors, 0, 0);
            for (byte[] b : idx) {
                enc.frame(b, 50);
            }
            enc.finish();
            long t4 = System.nanoTime();
            ByteArrayOutputStream io = new ByteArrayOutputStream();
            imageio(io, idx, p.colors, w, h);
            long t5 = System.nanoTime();
            bestWhole = Math.min(bestWhole, t1 - t0);
            bestPalette = Math.min(bestPalette, t2 - t1);
            bestIndices = Math.min(bestIndices, t3 - t2);
            bestOwn = Math.min(bestOwn, t4 - t3);
            bestImageIo = Math.min(bestImageIo, t5 - t4);
            sizeOwn = own.size();
            sizeImageIo = io.size();
        }
        System.out.printf("5 frames %dx%d, best of %d:%n", w, h, repeats);
        System.out.printf("  Gif.write total        %7.1f ms%n", bestWhole / 1e6);
        System.out.printf("  palette                %7.1f ms%n", bestPalette / 1e6);
        System.out.printf("  indices                %7.1f ms%n", bestIndices / 1e6);
        System.out.printf("  LZW, GifEncoder        %7.1f ms  %d bytes%n", bestOwn / 1e6, sizeOwn);
        System.out.printf("  LZW, javax.imageio    %7.1f ms  %d bytes  (%.1fx)%n", bestImageIo / 1e6, sizeImageIo,
                (double) bestImageIo / bestOwn);
    }

    private static void imageio(ByteArrayOutputStream out, List<byte[]> frames, int[] colors, int w, int h)
            throws IOException {
        byte[] r = new byte[256];
        byte[] g = new byte[256];
        byte[] b = new byte[256];
        for (int i = 0; i < colors.length; i++) {
            r[i] = (byte) (colors[i] >> 16);
            g[i] = (byte) (colors[i] >> 8);
            b[i] = (byte) colors[i];
        }
        IndexColorModel icm = new IndexColorModel(8, 256, r, g, b);
        ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
        try (MemoryCacheImageOutputStream ios = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(ios);
            ImageWriteParam param = writer.getDefaultWriteParam();
            writer.prepareWriteSequence(null);
            for (byte[] f : frames) {
                BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_INDEXED, icm);
                System.arraycopy(f, 0, ((DataBufferByte) img.getRaster().getDataBuffer()).getData(), 0, f.length);
                IIOMetadata md = writer.getDefaultImageMetadata(new ImageTypeSpecifier(img), param);
                String format = "javax_imageio_gif_image_1.0";
                IIOMetadataNode root = (IIOMetadataNode) md.getAsTree(format);
                for (Node n = root.getFirstChild(); n != null; n = n.getNextSibling()) {
                    if (n.getNodeName().equals("GraphicControlExtension")) {
                        ((IIOMetadataNode) n).setAttribute("delayTime", "50");
                    }
                }
                md.setFromTree(format, root);
                writer.writeToSequence(new IIOImage(img, null, md), param);
            }
            writer.endWriteSequence();
        } finally {
            writer.dispose();
        }
    }
}
