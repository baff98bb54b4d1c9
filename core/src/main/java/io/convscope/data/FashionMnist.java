package io.convscope.data;

import io.convscope.ConvscopeException;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * The Fashion-MNIST data set (70,000 28×28 grayscale images of clothing in 10 classes) read from
 * its IDX files, as Debian's {@code dataset-fashion-mnist} installs them under
 * {@code /usr/share/datasets/fashion-mnist} ({@code .gz} or uncompressed).
 */
public final class FashionMnist {
    public static final Path DEFAULT_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    public static final List<String> CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
    public static final int SIDE = 28;

    /** Images as unsigned bytes, row-major, {@code count × 28 × 28}; labels 0–9. */
    public record Split(byte[] pixels, byte[] labels, int count) {
        public int label(int i) {
            return labels[i];
        }

        /** Pixel values 0–255 of image {@code i}, as floats. */
        public float[] image(int i) {
            float[] out = new float[SIDE * SIDE];
            for (int p = 0; p < out.length; p++) {
                out[p] = pixels[i * SIDE * SIDE + p] & 0xff;
            }
            return out;
        }
    }

    private FashionMnist() {
    }

    /** Where the data set lives: {@code $CONVSCOPE_FASHION_MNIST} if set, else the Debian folder. */
    public static Path dir() {
        String env = System.getenv("CONVSCOPE_FASHION_MNIST");
        return env != null && !env.isBlank() ? Path.of(env) : DEFAULT_DIR;
    }

    public static boolean available() {
        return file(dir(), "t10k-images-idx3-ubyte") != null;
    }

    public static Split test() {
        return load(dir(), "t10k");
    }

    public static Split train() {
        return load(dir(), "train");
    }

    public static Split load(Path dir, String prefix) {
        Path images = file(dir, prefix + "-images-idx3-ubyte");
        Path labels = file(dir, prefix + "-labels-idx1-ubyte");
        if (images == null || labels == null) {
            throw new ConvscopeException("Fashion-MNIST not found in " + dir
                    + ": install it with 'apt-get install dataset-fashion-mnist' or set CONVSCOPE_FASHION_MNIST");
        }
        byte[] px = readIdx(images, 0x803, 3);
        byte[] lb = readIdx(labels, 0x801, 1);
        int n = lb.length;
        if (px.length != n * SIDE * SIDE) {
            throw new ConvscopeException(images + " holds " + px.length / (SIDE * SIDE) + " images but " + labels + " " + n + " labels");
        }
        return new Split(px, lb, n);
    }

    private static Path file(Path dir, String base) {
        for (String name : new String[] {base + ".gz", base}) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    /** Reads an IDX file (magic 0x00000803 for images, 0x00000801 for labels) and returns its payload. */
    static byte[] readIdx(Path file, int magic, int dims) {
        try (InputStream raw = Files.newInputStream(file);
             InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw;
             DataInputStream d = new DataInputStream(new java.io.BufferedInputStream(in, 1 << 16))) {
            int m = d.readInt();
            if (m != magic) {
                throw new ConvscopeException(file + " is not an IDX file of the expected kind (magic " + Integer.toHexString(m) + ")");
            }
            long size = 1;
            for (int i = 0; i < dims; i++) {
                size *= d.readInt();
            }
            byte[] out = new byte[Math.toIntExact(size)];
            d.readFully(out);
            return out;
        } catch (EOFException e) {
            throw new ConvscopeException(file + " is truncated");
        } catch (IOException e) {
            throw new ConvscopeException("cannot read " + file + ": " + e.getMessage());
        }
    }
}
