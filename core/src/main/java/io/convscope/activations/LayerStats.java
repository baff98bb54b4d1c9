package io.convscope.activations;

import java.util.ArrayList;
import java.util.List;

/** Statistics of one layer's activations for one image: the whole layer and each channel. */
public record LayerStats(ChannelStats layer, List<ChannelStats> channels) {

    public LayerStats {
        channels = List.copyOf(channels);
    }

    /**
     * The statistics of a {@code c × plane} block of {@code data} from {@code offset}: one
     * {@link ChannelStats} per channel of {@code plane} values, and the layer as a whole.
     */
    public static LayerStats of(float[] data, int offset, int c, int plane) {
        List<ChannelStats> ch = new ArrayList<>(c);
        for (int i = 0; i < c; i++) {
            ch.add(ChannelStats.of(data, offset + i * plane, plane));
        }
        return new LayerStats(ChannelStats.combine(ch), ch);
    }

    /** How many channels are all zero. */
    public int deadChannels() {
        int n = 0;
        for (ChannelStats s : channels) {
            if (s.dead()) {
                n++;
            }
        }
        return n;
    }

    /** One channel's score under a ranking. */
    public double score(int channel, Rank rank) {
        ChannelStats s = channels.get(channel);
        return switch (rank) {
            case SUM -> s.sum();
            case MEAN -> s.mean();
            case MAX -> s.max();
        };
    }

    /**
     * The {@code k} channels with the highest score, best first; equal scores keep channel order.
     * Fewer when the layer has fewer channels.
     */
    public List<Ranked> top(int k, Rank rank) {
        int n = channels.size();
        int m = Math.max(0, Math.min(k, n));
        double[] score = new double[n];
        for (int i = 0; i < n; i++) {
            score[i] = score(i, rank);
        }
        // the m best kept sorted while going over the channels once (m is small: no boxing, no
        // sorting of every channel); the order is Double.compare of the negated scores, then the
        // channel, as a full sort by that comparator would give
        int[] best = new int[m];
        int size = 0;
        for (int i = 0; i < n; i++) {
            int at = size;
            while (at > 0 && before(score, i, best[at - 1])) {
                at--;
            }
            if (at >= m) {
                continue;
            }
            int end = Math.min(size, m - 1);
            System.arraycopy(best, at, best, at + 1, end - at);
            best[at] = i;
            size = Math.min(size + 1, m);
        }
        List<Ranked> out = new ArrayList<>(m);
        for (int j = 0; j < m; j++) {
            out.add(new Ranked(best[j], score[best[j]]));
        }
        return out;
    }

    /** Whether channel {@code a} ranks before {@code b}: a higher score, or the same and a lower index. */
    private static boolean before(double[] score, int a, int b) {
        int c = Double.compare(-score[a], -score[b]);
        return c != 0 ? c < 0 : a < b;
    }

    /** How channels are ranked for the top-k view. */
    public enum Rank {
        /** Sum of the channel's activations (the default: favours large, active maps). */
        SUM,
        /** Mean activation. */
        MEAN,
        /** Largest single activation. */
        MAX;

        /** The rank named (any case), or null. */
        /** The one parser of the names ("sum", "mean", "max"). */
        public static final io.convscope.util.Choices<Rank> CHOICES = io.convscope.util.Choices.of(Rank.class);

        public static Rank byName(String name) {
            for (Rank r : values()) {
                if (r.name().equalsIgnoreCase(name.strip())) {
                    return r;
                }
            }
            return null;
        }
    }

    /** A channel and its score. */
    public record Ranked(int channel, double score) { }
}
