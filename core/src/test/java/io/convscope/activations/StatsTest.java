package io.convscope.activations;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Statistics and top-k ranking against values worked out by hand. */
class StatsTest {

    @Test
    void channelStatisticsByHand() {
        // values 0, 0, 1, 3: mean 1, deviations -1 -1 0 2 → variance (1+1+0+4)/4 = 1.5, half zeros
        ChannelStats s = ChannelStats.of(new float[] {9, 0, 0, 1, 3, 9}, 1, 4);
        assertEquals(4, s.count());
        assertEquals(4.0, s.sum(), 0);
        assertEquals(1.0, s.mean(), 0);
        assertEquals(Math.sqrt(1.5), s.std(), 1e-12);
        assertEquals(3f, s.max());
        assertEquals(0f, s.min());
        assertEquals(0.5, s.zeros(), 0);
        assertFalse(s.dead());
        assertTrue(ChannelStats.of(new float[] {0, -0f, 0}, 0, 3).dead());
    }

    @Test
    void layerStatisticsPoolTheChannels() {
        // 3 channels of 2 values: (0,0) dead, (2,4), (0,6); all six: mean 2, zeros 3/6,
        // deviations -2 -2 0 2 -2 4 → variance (4+4+0+4+4+16)/6 = 32/6
        float[] chw = {0, 0, 2, 4, 0, 6};
        LayerStats st = LayerStats.of(chw, 0, 3, 2);
        assertEquals(2.0, st.layer().mean(), 1e-12);
        assertEquals(Math.sqrt(32.0 / 6), st.layer().std(), 1e-12);
        assertEquals(0.5, st.layer().zeros(), 1e-12);
        assertEquals(6f, st.layer().max());
        assertEquals(1, st.deadChannels());
        assertEquals(1.0, st.channels().get(1).std(), 1e-12);
        assertEquals(0.5, st.channels().get(2).zeros(), 0);
    }

    @Test
    void topKOrdersByScoreAndKeepsChannelOrderOnTies() {
        // channel sums 5, 7, 7, 1; maxima 5, 4, 7, 1 (two values per channel)
        float[] chw = {0, 5, 3, 4, 0, 7, 0.5f, 0.5f};
        LayerStats st = LayerStats.of(chw, 0, 4, 2);
        assertEquals(List.of(new LayerStats.Ranked(1, 7), new LayerStats.Ranked(2, 7), new LayerStats.Ranked(0, 5)),
                st.top(3, LayerStats.Rank.SUM));
        assertEquals(List.of(2, 0, 1, 3), st.top(10, LayerStats.Rank.MAX).stream().map(LayerStats.Ranked::channel).toList());
        assertEquals(3.5, st.top(1, LayerStats.Rank.MEAN).get(0).score(), 0);
        assertEquals(LayerStats.Rank.MEAN, LayerStats.Rank.byName(" Mean "));
    }

    @Test
    void topKIsTheHeadOfAFullSortByScoreThenChannel() {
        // against sorting every channel (what top did before): ties, zeros of both signs, NaN, any k
        java.util.Random r = new java.util.Random(5);
        float[] special = {0f, -0f, Float.NaN, 1f, 1f, -1f};
        for (int t = 0; t < 300; t++) {
            int c = 1 + r.nextInt(40);
            int plane = 1 + r.nextInt(3);
            float[] v = new float[c * plane];
            for (int i = 0; i < v.length; i++) {
                v[i] = r.nextInt(4) == 0 ? special[r.nextInt(special.length)] : r.nextInt(5) - 2;
            }
            LayerStats st = LayerStats.of(v, 0, c, plane);
            for (LayerStats.Rank rank : LayerStats.Rank.values()) {
                Integer[] idx = new Integer[c];
                double[] score = new double[c];
                for (int i = 0; i < c; i++) {
                    idx[i] = i;
                    score[i] = st.score(i, rank);
                }
                java.util.Arrays.sort(idx, java.util.Comparator.comparingDouble((Integer i) -> -score[i]).thenComparingInt(i -> i));
                int k = r.nextInt(c + 3) - 1;
                List<LayerStats.Ranked> want = new java.util.ArrayList<>();
                for (int i = 0; i < Math.min(k, c); i++) {
                    want.add(new LayerStats.Ranked(idx[i], score[idx[i]]));
                }
                assertEquals(want, st.top(k, rank), "k " + k + " of " + c);
            }
        }
    }

    @Test
    void numbersAreShortAndLocaleFree() {
        assertEquals("0.5", StatsReport.num(0.5));
        assertEquals("1234", StatsReport.num(1234));
        assertEquals("1.5e+07", StatsReport.num(1.5e7));
        assertEquals("-0.333333", StatsReport.num(-1.0 / 3));
        assertEquals("0", StatsReport.num(0));
        assertEquals("18421", ActivationViews.shortNum(18420.6));
        assertEquals("0.0472", ActivationViews.shortNum(0.047234));
        assertEquals("14.6", ActivationViews.shortNum(14.6379));
    }

    @Test
    @Tag("slow")
    void numbersByHandAreWhatTheFormatterAndTrimmingGave() {
        // num and shortNum were String.format("%.6g" / "%.3g") with the fraction's trailing zeros cut
        // by regular expressions; by hand they must write the same for any double
        java.util.Random r = new java.util.Random(4);
        List<Double> values = new java.util.ArrayList<>(List.of(1.0, 100.0, 1e5, 123456.0, 999999.5, 1e6, 1e-4, 9.99995e-5,
                1e-5, 0.1, -1e-300, Double.MAX_VALUE, Double.MIN_VALUE, Double.NaN, Double.POSITIVE_INFINITY,
                Double.NEGATIVE_INFINITY, 2.5, 1e100, 0.0, -0.0, 9.9999995, 0.0009995, 999.5));
        for (int e = -310; e <= 308; e += 7) {
            for (double m : new double[] {1, 9.999995, 9.995, 1.000005, 1.234565, 5}) {
                double x = m * Math.pow(10, e);
                values.add(x);
                values.add(Math.nextUp(x));
                values.add(-Math.nextDown(x));
            }
        }
        for (int i = 0; i < 60000; i++) {
            values.add(switch (i % 3) {
                case 0 -> Double.longBitsToDouble(r.nextLong());
                case 1 -> (double) (float) (r.nextGaussian() * Math.pow(10, r.nextInt(20) - 10));
                default -> Math.round(r.nextDouble() * 1e7) / Math.pow(10, r.nextInt(12));
            });
        }
        for (double v : values) {
            for (int digits : new int[] {6, 3}) {
                String formatted = v == 0 ? "0" : String.format(java.util.Locale.ROOT, "%." + digits + "g", v)
                        .replaceAll("(\\.\\d*?)0+(e|$)", "$1$2").replace(".e", "e").replaceAll("\\.$", "");
                assertEquals(formatted, StatsReport.significant(v, digits), v + " to " + digits + " digits");
            }
        }
    }
}
