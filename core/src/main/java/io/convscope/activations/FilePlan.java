package io.convscope.activations;

import io.convscope.network.Network;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The parts of the names of the files an activations run writes, relative to its output folder, so that
 * they sort in network order and a person finds them. The run's own files:
 *
 * <pre>
 * index.html                       the page that shows everything
 * stats.csv, channel_stats.csv,
 * stats.json                       statistics per layer and per channel, for every image
 * IMAGE/input.png                  the image as the network saw it
 * </pre>
 *
 * and each view's (its class says which; {@link ActivationViews#files} lists them all), built from an
 * image's folder and a layer's {@link #stem}: {@code IMAGE/01_block1_conv1.png} (grid),
 * {@code IMAGE/01_block1_conv1_top12.png} (top-k), {@code IMAGE/01_block1_conv1/c07.png} (channels),
 * {@code IMAGE/01_block1_conv1_channels.gif} (--gif-channels), {@code IMAGE/layers.gif} (gif),
 * {@code compare/01_block1_conv1.png} (compare).
 *
 * <p>IMAGE is the image file's name without its extension (characters other than letters, digits,
 * {@code . _ -} replaced by {@code _}; a repeated name, or the name of a view's own folder such as
 * {@code compare}, gets {@code -2}, {@code -3}, …; a name longer than
 * 120 characters is cut, with a hash of the whole name at its end). The layer number is the layer's place in
 * the network ({@link Numbering}: {@code 04_block2_conv1} in VGG16 whichever layers a run draws), with as many
 * digits as the network's count of layers needs, at least two ({@code 001_…} from 100 layers on).
 */
public final class FilePlan {
    public static final String INDEX = "index.html";
    public static final String STATS_CSV = "stats.csv";
    public static final String CHANNEL_STATS_CSV = "channel_stats.csv";
    public static final String STATS_JSON = "stats.json";
    /** The image as the network saw it, in each image's folder. */
    public static final String INPUT = "input.png";

    /**
     * The places of a network's layers, which number the files: a layer's index in the network's
     * topological order, the input being 0 (so VGG16's {@code block1_conv1} is 1 and
     * {@code block2_conv1} 4), and the count of layers that sets the number of digits. Taken from the
     * whole model, so that a run's selection, a cut or a smaller input size changes no number.
     *
     * @param places each layer's place
     * @param count  the largest place: how many layers follow the input
     */
    public record Numbering(java.util.Map<String, Integer> places, int count) {
        public Numbering {
            places = java.util.Map.copyOf(places);
        }

        /** The places of {@code net}'s layers. */
        public static Numbering of(Network net) {
            java.util.Map<String, Integer> m = new java.util.HashMap<>();
            int i = 0;
            for (io.convscope.network.Node n : net.nodes()) {
                m.put(n.name(), i++);
            }
            return new Numbering(m, Math.max(1, i - 1));
        }

        /** The place of the layer named {@code name}. */
        public int place(String name) {
            Integer p = places.get(name);
            if (p == null) {
                throw new IllegalArgumentException("no layer '" + name + "' in the numbering");
            }
            return p;
        }
    }

    /**
     * A layer as file names know it: its place in the network ({@link Numbering}), its
     * name and its channel count. {@link LayerActivations} is one; {@link #layers} makes them before
     * anything is computed.
     */
    public interface Layer {
        int position();

        String name();

        int channels();
    }

    /** A {@link Layer} known from the network alone. */
    public record Planned(int position, String name, int channels) implements Layer {
    }

    private final List<String> folders;
    private final int digits;

    /**
     * The plan for these image names (paths as given) and layers numbered up to {@code layerCount}
     * (the network's count of layers, {@link Numbering#count}), which sets the digits.
     */
    public FilePlan(List<String> imageNames, int layerCount) {
        this.folders = folders(imageNames, ActivationViews.View.folders());
        this.digits = Math.max(2, Integer.toString(layerCount).length());
    }

    /** {@code layers} (names in network order) of {@code net} as file names know them, numbered by their place in {@code net}. */
    public static List<Layer> layers(Network net, List<String> layers) {
        Numbering numbers = Numbering.of(net);
        List<Layer> out = new ArrayList<>();
        for (String name : layers) {
            out.add(new Planned(numbers.place(name), name, net.node(name).outputShape().channels()));
        }
        return out;
    }

    /** The sub-folder of each image. */
    public List<String> folders() {
        return folders;
    }

    /** How many images. */
    public int images() {
        return folders.size();
    }

    public String folder(int image) {
        return folders.get(image);
    }

    /** {@code 01_block1_conv1}: the layer's number and name. */
    public String stem(Layer l) {
        return padded(l.position(), digits) + "_" + safe(l.name());
    }

    /** {@code IMAGE/NAME}: a file of image {@code image} of its own, such as {@link #INPUT}. */
    public String inImage(int image, String name) {
        return folder(image) + "/" + name;
    }

    /** {@code IMAGE/01_block1_conv1SUFFIX}: a file of one layer for one image. */
    public String layerFile(int image, Layer l, String suffix) {
        return folder(image) + "/" + stem(l) + suffix;
    }

    public String input(int image) {
        return inImage(image, INPUT);
    }

    /** {@code n} (0 or more) with leading zeros to {@code digits} digits ({@code %0<digits>d}, without a formatter). */
    static String padded(int n, int digits) {
        String s = Integer.toString(n);
        return s.length() >= digits ? s : "0".repeat(digits - s.length()) + s;
    }

    /** A name made safe for a file: letters, digits, {@code . _ -}; anything else becomes {@code _}. */
    public static String safe(String name) {
        StringBuilder sb = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            sb.append(c < 128 && (Character.isLetterOrDigit(c) || c == '.' || c == '_' || c == '-') ? c : '_');
        }
        String s = sb.toString();
        s = s.isEmpty() || s.startsWith(".") ? "_" + s : s;
        if (s.length() > MAX_NAME) {
            // file names are limited (255 bytes on most file systems): keep the start, and a hash for uniqueness
            s = s.substring(0, MAX_NAME - 9) + "-" + String.format(Locale.ROOT, "%08x", name.hashCode());
        }
        return s;
    }

    /**
     * The longest name {@link #safe} returns: with a layer number, a suffix such as {@code _channels.gif}
     * and the temporary name's additions, a file name stays well under 255 bytes.
     */
    static final int MAX_NAME = 120;

    private static List<String> folders(List<String> names, List<String> reserved) {
        List<String> out = new ArrayList<>();
        Set<String> used = new HashSet<>();
        for (String r : reserved) {
            used.add(r.toLowerCase(Locale.ROOT));
        }
        for (String n : names) {
            String base = n.replace('\\', '/');
            base = base.substring(base.lastIndexOf('/') + 1);
            int dot = base.lastIndexOf('.');
            if (dot > 0) {
                base = base.substring(0, dot);
            }
            base = safe(base);
            String f = base;
            for (int k = 2; !used.add(f.toLowerCase(Locale.ROOT)); k++) {
                f = base + "-" + k;
            }
            out.add(f);
        }
        return out;
    }
}
