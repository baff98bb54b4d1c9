package io.convscope.activations;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The names of the files an activations run writes, relative to its output folder, so that they
 * sort in network order and a person finds them:
 *
 * <pre>
 * index.html                       the page that shows everything
 * stats.csv, channel_stats.csv,
 * stats.json                       statistics per layer and per channel, for every image
 * IMAGE/input.png                  the image as the network saw it
 * IMAGE/01_block1_conv1.png        grid: every channel of the layer
 * IMAGE/01_block1_conv1_top12.png  the 12 strongest channels
 * IMAGE/01_block1_conv1/c07.png    one channel, upscaled (channels view)
 * IMAGE/01_block1_conv1_channels.gif  a GIF through the channels (--gif-channels)
 * IMAGE/layers.gif                 a GIF through the layers
 * compare/01_block1_conv1.png      the layer for every image, one row each (several images)
 * </pre>
 *
 * IMAGE is the image file's name without its extension (characters other than letters, digits,
 * {@code . _ -} replaced by {@code _}; a repeated name gets {@code -2}, {@code -3}, …; a name longer than
 * 120 characters is cut, with a hash of the whole name at its end). The layer
 * number has as many digits as the count of layers needs, at least two ({@code 001_…} from 100
 * layers on).
 */
public final class FilePlan {
    private final List<String> folders;
    private final int digits;
    private final int topK;

    /** The plan for these image names (paths as given), {@code layers} layers and a top-k of {@code topK}. */
    public FilePlan(List<String> imageNames, int layers, int topK) {
        this.folders = folders(imageNames);
        this.digits = Math.max(2, Integer.toString(layers).length());
        this.topK = topK;
    }

    /** The sub-folder of each image. */
    public List<String> folders() {
        return folders;
    }

    public String folder(int image) {
        return folders.get(image);
    }

    /** {@code 01_block1_conv1}: the layer's number and name. */
    public String stem(LayerActivations l) {
        return padded(l.position(), digits) + "_" + safe(l.name());
    }

    public String input(int image) {
        return folder(image) + "/input.png";
    }

    public String grid(int image, LayerActivations l) {
        return folder(image) + "/" + stem(l) + ".png";
    }

    public String top(int image, LayerActivations l) {
        return folder(image) + "/" + stem(l) + "_top" + topK + ".png";
    }

    public String channelsFolder(int image, LayerActivations l) {
        return folder(image) + "/" + stem(l);
    }

    public String channel(int image, LayerActivations l, int channel) {
        int w = Math.max(2, Integer.toString(l.channels() - 1).length());
        return channelsFolder(image, l) + "/c" + padded(channel, w) + ".png";
    }

    /** {@code n} (0 or more) with leading zeros to {@code digits} digits ({@code %0<digits>d}, without a formatter). */
    static String padded(int n, int digits) {
        String s = Integer.toString(n);
        return s.length() >= digits ? s : "0".repeat(digits - s.length()) + s;
    }

    public String channelsGif(int image, LayerActivations l) {
        return folder(image) + "/" + stem(l) + "_channels.gif";
    }

    public String layersGif(int image) {
        return folder(image) + "/layers.gif";
    }

    public String compare(LayerActivations l) {
        return "compare/" + stem(l) + ".png";
    }

    public static final String INDEX = "index.html";
    public static final String STATS_CSV = "stats.csv";
    public static final String CHANNEL_STATS_CSV = "channel_stats.csv";
    public static final String STATS_JSON = "stats.json";

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

    private static List<String> folders(List<String> names) {
        List<String> out = new ArrayList<>();
        Set<String> used = new HashSet<>();
        used.add("compare");
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
