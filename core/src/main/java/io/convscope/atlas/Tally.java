package io.convscope.atlas;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What the atlas knows about every unit after some images: per channel of each layer the top {@code k}
 * images by their strongest position (one entry per image, ordered by value descending, then image
 * index ascending), and the statistics over the images seen — the sum of the per-image means, the
 * maximum, the count of zero values, the count of images where the channel was active (above 0) and the
 * per-class sum of the per-image means.
 *
 * <p>Memory does not grow with the number of images. Two tallies {@link #merge} into one: the top
 * lists merge exactly (a strict total order, so in any order); counts and maxima too; the double sums
 * are added, so callers merge in a fixed order (block by block, in dataset order) to get the same bits
 * on every machine. {@link #write} and {@link #read} move a tally between machines and into checkpoints.
 */
public final class Tally {
    private static final int MAGIC = 0x41544c31; // "ATL1"
    /** Unreadable images listed by name (the count is always exact). */
    public static final int MAX_LISTED_FAILURES = 1000;

    private final int k;
    private final int classes;
    private final String[] layers;
    private final int[] channels;
    private final int[] heights;
    private final int[] widths;
    private long images;
    private long failed;
    private final List<String> failures = new ArrayList<>();
    private final long[] classCount;
    private final Layer[] data;

    /** The numbers of one layer; arrays indexed by channel (top lists by channel × k + rank). */
    static final class Layer {
        final int[] topCount;
        final int[] topImage;
        final float[] topValue;
        final int[] topPos;
        final double[] sum;
        final float[] max;
        final long[] zeros;
        final long[] active;
        final double[] classSum;

        Layer(int c, int k, int classes) {
            topCount = new int[c];
            topImage = new int[c * k];
            topValue = new float[c * k];
            topPos = new int[c * k];
            sum = new double[c];
            max = new float[c];
            Arrays.fill(max, Float.NEGATIVE_INFINITY);
            zeros = new long[c];
            active = new long[c];
            classSum = new double[Math.max(classes, 0) * c];
        }
    }

    /**
     * An empty tally.
     *
     * @param layers   layer names
     * @param shapes   per layer {channels, height, width} of its feature maps
     * @param k        entries per top list (at least 1)
     * @param classes  number of classes (0 without labels)
     */
    public Tally(List<String> layers, List<int[]> shapes, int k, int classes) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be at least 1");
        }
        this.k = k;
        this.classes = classes;
        this.layers = layers.toArray(String[]::new);
        this.channels = new int[this.layers.length];
        this.heights = new int[this.layers.length];
        this.widths = new int[this.layers.length];
        this.data = new Layer[this.layers.length];
        for (int l = 0; l < this.layers.length; l++) {
            channels[l] = shapes.get(l)[0];
            heights[l] = shapes.get(l)[1];
            widths[l] = shapes.get(l)[2];
            data[l] = new Layer(channels[l], k, classes);
        }
        this.classCount = new long[classes];
    }

    /** An empty tally of the same layers, k and classes. */
    public Tally emptyCopy() {
        List<int[]> shapes = new ArrayList<>();
        for (int l = 0; l < layers.length; l++) {
            shapes.add(new int[] {channels[l], heights[l], widths[l]});
        }
        return new Tally(List.of(layers), shapes, k, classes);
    }

    // ---- reading ---------------------------------------------------------------------------

    public int k() {
        return k;
    }

    public int classes() {
        return classes;
    }

    public List<String> layers() {
        return List.of(layers);
    }

    public int channels(int layer) {
        return channels[layer];
    }

    public int height(int layer) {
        return heights[layer];
    }

    public int width(int layer) {
        return widths[layer];
    }

    /** Images counted. */
    public long images() {
        return images;
    }

    /** Images that could not be read. */
    public long failed() {
        return failed;
    }

    /** The first {@link #MAX_LISTED_FAILURES} unreadable images, as "name: reason". */
    public List<String> failures() {
        return List.copyOf(failures);
    }

    /** Images counted per class. */
    public long classCount(int cls) {
        return classCount[cls];
    }

    /** How many entries unit ({@code layer}, {@code channel}) has in its top list (≤ k). */
    public int topCount(int layer, int channel) {
        return data[layer].topCount[channel];
    }

    /** The image index of rank {@code r} (0 = strongest). */
    public int topImage(int layer, int channel, int r) {
        return data[layer].topImage[channel * k + r];
    }

    public float topValue(int layer, int channel, int r) {
        return data[layer].topValue[channel * k + r];
    }

    /** The position of the maximum: {@code y · width + x}. */
    public int topPosition(int layer, int channel, int r) {
        return data[layer].topPos[channel * k + r];
    }

    /** Mean activation over all images and positions. */
    public double mean(int layer, int channel) {
        return images == 0 ? 0 : data[layer].sum[channel] / images;
    }

    /** Largest activation seen (−∞ before any image). */
    public float max(int layer, int channel) {
        return data[layer].max[channel];
    }

    /** Fraction of values that were exactly zero. */
    public double zeroFraction(int layer, int channel) {
        long n = images * heights[layer] * widths[layer];
        return n == 0 ? 0 : (double) data[layer].zeros[channel] / n;
    }

    /** Fraction of images in which the unit was above zero somewhere. */
    public double activeFraction(int layer, int channel) {
        return images == 0 ? 0 : (double) data[layer].active[channel] / images;
    }

    /** Never above zero on any image. */
    public boolean dead(int layer, int channel) {
        return data[layer].active[channel] == 0;
    }

    /** Mean activation over the images of class {@code cls} (NaN when the class has none). */
    public double classMean(int layer, int channel, int cls) {
        return classCount[cls] == 0 ? Double.NaN : data[layer].classSum[cls * channels[layer] + channel] / classCount[cls];
    }

    // ---- adding ------------------------------------------------------------------------------

    /** Counts an image that could not be read. */
    public void fail(String name, String reason) {
        failed++;
        if (failures.size() < MAX_LISTED_FAILURES) {
            failures.add(name + ": " + reason);
        }
    }

    /** Counts an image: call {@link #add} for each of its layers, then this once. */
    public void countImage(int label) {
        images++;
        if (label >= 0 && label < classes) {
            classCount[label]++;
        }
    }

    /**
     * Adds one image's feature maps of layer {@code layer}: {@code maps[offset ..]} holds C × H × W values.
     */
    public void add(int layer, int image, int label, float[] maps, int offset) {
        Layer d = data[layer];
        int c = channels[layer];
        int plane = heights[layer] * widths[layer];
        boolean labelled = label >= 0 && label < classes;
        for (int ch = 0; ch < c; ch++) {
            int o = offset + ch * plane;
            float best = maps[o];
            int bestPos = 0;
            double s = 0;
            long z = 0;
            for (int p = 0; p < plane; p++) {
                float v = maps[o + p];
                s += v;
                if (v == 0f) {
                    z++;
                }
                if (v > best || (best != best && v == v)) { // first maximum; NaN never wins
                    best = v;
                    bestPos = p;
                }
            }
            double mean = s / plane;
            d.sum[ch] += mean;
            d.zeros[ch] += z;
            if (best > d.max[ch]) {
                d.max[ch] = best;
            }
            if (best > 0f) {
                d.active[ch]++;
            }
            if (labelled) {
                d.classSum[label * c + ch] += mean;
            }
            if (best == best) {
                offer(d, ch, image, best, bestPos);
            }
        }
    }

    private void offer(Layer d, int ch, int image, float value, int pos) {
        int base = ch * k;
        int n = d.topCount[ch];
        if (n == k && !before(value, image, d.topValue[base + k - 1], d.topImage[base + k - 1])) {
            return;
        }
        int i = n == k ? k - 1 : n;
        while (i > 0 && before(value, image, d.topValue[base + i - 1], d.topImage[base + i - 1])) {
            d.topValue[base + i] = d.topValue[base + i - 1];
            d.topImage[base + i] = d.topImage[base + i - 1];
            d.topPos[base + i] = d.topPos[base + i - 1];
            i--;
        }
        d.topValue[base + i] = value;
        d.topImage[base + i] = image;
        d.topPos[base + i] = pos;
        if (n < k) {
            d.topCount[ch] = n + 1;
        }
    }

    /** The top lists' order: larger value first, then smaller image index. */
    static boolean before(float v, int img, float w, int wimg) {
        return v > w || (v == w && img < wimg);
    }

    /**
     * Adds {@code other} (the images after this tally's, in the fixed order) into this one.
     *
     * @throws IllegalArgumentException when the two tallies are of different layers, shapes, k or classes
     */
    public void merge(Tally other) {
        if (!Arrays.equals(layers, other.layers) || !Arrays.equals(channels, other.channels)
                || !Arrays.equals(heights, other.heights) || !Arrays.equals(widths, other.widths)
                || k != other.k || classes != other.classes) {
            throw new IllegalArgumentException("tallies of different layers or settings do not merge");
        }
        images += other.images;
        failed += other.failed;
        for (String f : other.failures) {
            if (failures.size() < MAX_LISTED_FAILURES) {
                failures.add(f);
            }
        }
        for (int c = 0; c < classes; c++) {
            classCount[c] += other.classCount[c];
        }
        for (int l = 0; l < layers.length; l++) {
            Layer a = data[l];
            Layer b = other.data[l];
            for (int ch = 0; ch < channels[l]; ch++) {
                a.sum[ch] += b.sum[ch];
                a.zeros[ch] += b.zeros[ch];
                a.active[ch] += b.active[ch];
                if (b.max[ch] > a.max[ch]) {
                    a.max[ch] = b.max[ch];
                }
                for (int r = 0; r < b.topCount[ch]; r++) {
                    int j = ch * k + r;
                    offer(a, ch, b.topImage[j], b.topValue[j], b.topPos[j]);
                }
            }
            for (int i = 0; i < a.classSum.length; i++) {
                a.classSum[i] += b.classSum[i];
            }
        }
    }

    // ---- bytes -------------------------------------------------------------------------------

    /** Writes the tally; {@link #read} gives back an equal one. */
    public void write(DataOutputStream out) throws IOException {
        out.writeInt(MAGIC);
        out.writeInt(k);
        out.writeInt(classes);
        out.writeInt(layers.length);
        for (int l = 0; l < layers.length; l++) {
            out.writeUTF(layers[l]);
            out.writeInt(channels[l]);
            out.writeInt(heights[l]);
            out.writeInt(widths[l]);
        }
        out.writeLong(images);
        out.writeLong(failed);
        out.writeInt(failures.size());
        for (String f : failures) {
            out.writeUTF(f.length() > 2000 ? f.substring(0, 2000) : f);
        }
        for (long c : classCount) {
            out.writeLong(c);
        }
        for (Layer d : data) {
            for (int v : d.topCount) {
                out.writeInt(v);
            }
            for (int v : d.topImage) {
                out.writeInt(v);
            }
            for (float v : d.topValue) {
                out.writeFloat(v);
            }
            for (int v : d.topPos) {
                out.writeInt(v);
            }
            for (double v : d.sum) {
                out.writeDouble(v);
            }
            for (float v : d.max) {
                out.writeFloat(v);
            }
            for (long v : d.zeros) {
                out.writeLong(v);
            }
            for (long v : d.active) {
                out.writeLong(v);
            }
            for (double v : d.classSum) {
                out.writeDouble(v);
            }
        }
    }

    /** Reads a tally written by {@link #write}. */
    public static Tally read(DataInputStream in) throws IOException {
        if (in.readInt() != MAGIC) {
            throw new IOException("not an atlas tally");
        }
        int k = in.readInt();
        int classes = in.readInt();
        int n = in.readInt();
        List<String> names = new ArrayList<>();
        List<int[]> shapes = new ArrayList<>();
        for (int l = 0; l < n; l++) {
            names.add(in.readUTF());
            shapes.add(new int[] {in.readInt(), in.readInt(), in.readInt()});
        }
        Tally t = new Tally(names, shapes, k, classes);
        t.images = in.readLong();
        t.failed = in.readLong();
        int listed = in.readInt();
        for (int i = 0; i < listed; i++) {
            t.failures.add(in.readUTF());
        }
        for (int c = 0; c < classes; c++) {
            t.classCount[c] = in.readLong();
        }
        for (Layer d : t.data) {
            for (int i = 0; i < d.topCount.length; i++) {
                d.topCount[i] = in.readInt();
            }
            for (int i = 0; i < d.topImage.length; i++) {
                d.topImage[i] = in.readInt();
            }
            for (int i = 0; i < d.topValue.length; i++) {
                d.topValue[i] = in.readFloat();
            }
            for (int i = 0; i < d.topPos.length; i++) {
                d.topPos[i] = in.readInt();
            }
            for (int i = 0; i < d.sum.length; i++) {
                d.sum[i] = in.readDouble();
            }
            for (int i = 0; i < d.max.length; i++) {
                d.max[i] = in.readFloat();
            }
            for (int i = 0; i < d.zeros.length; i++) {
                d.zeros[i] = in.readLong();
            }
            for (int i = 0; i < d.active.length; i++) {
                d.active[i] = in.readLong();
            }
            for (int i = 0; i < d.classSum.length; i++) {
                d.classSum[i] = in.readDouble();
            }
        }
        return t;
    }

    /** The tally as bytes. */
    public byte[] toBytes() {
        var bytes = new java.io.ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            write(out);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return bytes.toByteArray();
    }

    /** A tally from {@link #toBytes}. */
    public static Tally fromBytes(byte[] b) {
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(b))) {
            return read(in);
        } catch (IOException e) {
            throw new IllegalArgumentException("not an atlas tally: " + e.getMessage(), e);
        }
    }
}
