package io.convscope.activations;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
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
        Integer[] idx = new Integer[channels.size()];
        double[] score = new double[idx.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
            score[i] = score(i, rank);
        }
        Arrays.sort(idx, Comparator.comparingDouble((Integer i) -> -score[i]).thenComparingInt(i -> i));
        List<Ranked> out = new ArrayList<>();
        for (int i = 0; i < Math.min(k, idx.length); i++) {
            out.add(new Ranked(idx[i], score[idx[i]]));
        }
        return out;
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
