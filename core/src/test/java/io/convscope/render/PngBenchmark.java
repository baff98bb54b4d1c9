package io.convscope.render;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.Deflater;

/**
 * Compares PNG encoders on activation sheets in one run: javax.imageio's writer (default and fastest
 * compression setting) against convscope's {@link Png} (level 1 on one thread and in parallel strips,
 * Huffman only, level 6). Prints the number of processors. Sheets: VGG16's
 * block1_conv1 (64 × 224²), block3_conv1 (256 × 56²) and block5_conv3 (512 × 14²), once with random
 * ReLU-like floats (hard to compress) and once with smooth sparse maps (closer to real activations).
 * Not a test; run by hand after {@code mvn -o -q -pl core test-compile}:
 *
 * <pre>
 * java -cp core/target/classes:core/target/test-classes io.convscope.render.PngBenchmark [REPEATS]
 * </pre>
 */
public final class PngBenchmark {
    private PngBenchmark() {
    }

    private interface Encoder {
        void encode(BufferedImage img, ByteArrayOutputStream out) throws IOException;
    }

    /** Runs the comparison; argument: repeats (default 3). */
    public static void main(String[] args) throws Exception {
        int repeats = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        List<String> names = new ArrayList<>();
        List<BufferedImage> sheets = new ArrayList<>();
        int[][] layers = {{64, 224}, {256, 56}, {512, 14}};
        for (String kind : new String[] {"random", "smooth"}) {
            for (int[] l : layers) {
                float[] x = kind.equals("random") ? random(l[0], l[1]) : smooth(l[0], l[1]);
                sheets.add(new Grid().title(kind + " " + l[0] + "x" + l[1])
                        .addChannels(Normalization.STANDARDIZE.layer(x, l[0], l[1], l[1])).render());
                names.add(kind + " " + l[0] + "x" + l[1] + "²");
            }
        }
        String[] encNames = {"imageio default", "imageio fastest", "convscope serial", "convscope parallel",
            "convscope huffman", "convscope level6"};
        Encoder[] encoders = {
            (img, out) -> imageio(img, out, -1f),
            (img, out) -> imageio(img, out, 1f),
            (img, out) -> Png.write(img, out, Deflater.BEST_SPEED, Deflater.DEFAULT_STRATEGY, false),
            (img, out) -> Png.write(img, out, Deflater.BEST_SPEED, Deflater.DEFAULT_STRATEGY, true),
            (img, out) -> Png.write(img, out, Deflater.BEST_SPEED, Deflater.HUFFMAN_ONLY, true),
            (img, out) -> Png.write(img, out, 6, Deflater.DEFAULT_STRATEGY, true),
        };
        System.out.println(Runtime.getRuntime().availableProcessors() + " processors");
        System.out.printf("%-18s", "sheet");
        for (String e : encNames) {
            System.out.printf(" %22s", e);
        }
        System.out.println();
        for (int s = 0; s < sheets.size(); s++) {
            BufferedImage img = sheets.get(s);
            System.out.printf("%-18s", names.get(s));
            for (Encoder e : encoders) {
                long best = Long.MAX_VALUE;
                int size = 0;
                for (int r = 0; r < repeats; r++) {
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    long t0 = System.nanoTime();
                    e.encode(img, out);
                    best = Math.min(best, System.nanoTime() - t0);
                    size = out.size();
                }
                System.out.printf(" %8.1f ms %9d B", best / 1e6, size);
            }
            System.out.println("   (" + img.getWidth() + "x" + img.getHeight() + ")");
        }
        System.out.println("(best of " + repeats + " per cell)");
    }

    private static void imageio(BufferedImage img, ByteArrayOutputStream out, float quality) throws IOException {
        ImageWriter w = ImageIO.getImageWritersByFormatName("png").next();
        try (MemoryCacheImageOutputStream ios = new MemoryCacheImageOutputStream(out)) {
            w.setOutput(ios);
            ImageWriteParam p = w.getDefaultWriteParam();
            if (quality >= 0) {
                p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                p.setCompressionQuality(quality);
            }
            w.write(null, new IIOImage(img, null, null), p);
        } finally {
            w.dispose();
        }
    }

    private static float[] random(int c, int s) {
        Random r = new Random(1);
        float[] x = new float[c * s * s];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.max(0, r.nextGaussian());
        }
        return x;
    }

    /** Per channel a few Gaussian blobs, ReLU'd: smooth and mostly zero, like real feature maps. */
    private static float[] smooth(int c, int s) {
        Random r = new Random(2);
        float[] x = new float[c * s * s];
        for (int ch = 0; ch < c; ch++) {
            double cx = r.nextDouble() * s;
            double cy = r.nextDouble() * s;
            double sig = s * (0.05 + 0.2 * r.nextDouble());
            double fx = r.nextDouble() * 0.5;
            for (int y = 0; y < s; y++) {
                for (int xx = 0; xx < s; xx++) {
                    double d = ((xx - cx) * (xx - cx) + (y - cy) * (y - cy)) / (2 * sig * sig);
                    double v = Math.exp(-d) + 0.3 * Math.sin(fx * xx + y * 0.2) - 0.3;
                    x[ch * s * s + y * s + xx] = (float) Math.max(0, v);
                }
            }
        }
        return x;
    }
}
