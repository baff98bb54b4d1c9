package io.convscope.render;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A deterministic palette of at most 256 colours for some pictures, and the index of each pixel in it.
 * When the pictures use 256 colours or fewer, the palette is exactly those colours (sorted), so nothing
 * changes. Otherwise the colours (exact ones while there are at most 65,536 distinct, else 15-bit
 * buckets) are reduced by weighted median cut and each pixel gets the nearest palette colour. No
 * dithering: maps keep flat areas flat.
 */
final class Palette {
    private static final int EXACT_LIMIT = 1 << 16;

    final int[] colors;
    private final IntMap exact;      // exact colour -> index (exact mode)
    private final byte[] buckets;    // 15-bit bucket -> index (bucket mode)

    private Palette(int[] colors, IntMap exact, byte[] buckets) {
        this.colors = colors;
        this.exact = exact;
        this.buckets = buckets;
    }

    /** The palette for all pixels of {@code frames} (0xRRGGBB). */
    static Palette of(List<int[]> frames) {
        IntMap counts = new IntMap(1024);
        boolean overflow = false;
        outer:
        for (int[] f : frames) {
            int last = -1;
            for (int p : f) {
                p &= 0xffffff;
                if (p == last) {
                    continue; // runs of one colour are common; their count does not matter much
                }
                last = p;
                counts.add(p, 1);
                if (counts.size > EXACT_LIMIT) {
                    overflow = true;
                    break outer;
                }
            }
        }
        if (!overflow) {
            int[] keys = counts.keys();
            Arrays.sort(keys);
            if (keys.length <= 256) {
                IntMap index = new IntMap(keys.length * 2 + 2);
                for (int i = 0; i < keys.length; i++) {
                    index.put(keys[i], i);
                }
                return new Palette(keys, index, null);
            }
            long[] weights = new long[keys.length];
            for (int i = 0; i < keys.length; i++) {
                weights[i] = counts.get(keys[i]);
            }
            int[] pal = medianCut(keys, weights);
            IntMap index = new IntMap(keys.length * 2 + 2);
            for (int k : keys) {
                index.put(k, nearest(pal, k));
            }
            return new Palette(pal, index, null);
        }
        // too many colours: 15-bit buckets, each represented by the mean of its pixels
        long[] n = new long[1 << 15];
        long[] sr = new long[1 << 15];
        long[] sg = new long[1 << 15];
        long[] sb = new long[1 << 15];
        for (int[] f : frames) {
            for (int p : f) {
                int b = bucket(p);
                n[b]++;
                sr[b] += (p >> 16) & 255;
                sg[b] += (p >> 8) & 255;
                sb[b] += p & 255;
            }
        }
        List<Integer> used = new ArrayList<>();
        for (int b = 0; b < n.length; b++) {
            if (n[b] > 0) {
                used.add(b);
            }
        }
        int[] cols = new int[used.size()];
        long[] weights = new long[used.size()];
        for (int i = 0; i < cols.length; i++) {
            int b = used.get(i);
            cols[i] = mean(sr[b], n[b]) << 16 | mean(sg[b], n[b]) << 8 | mean(sb[b], n[b]);
            weights[i] = n[b];
        }
        int[] pal = cols.length <= 256 ? cols.clone() : medianCut(cols, weights);
        byte[] table = new byte[1 << 15];
        for (int i = 0; i < cols.length; i++) {
            table[used.get(i)] = (byte) nearest(pal, cols[i]);
        }
        return new Palette(pal, null, table);
    }

    /** The palette index of colour {@code rgb} (one that was in the frames). */
    int index(int rgb) {
        rgb &= 0xffffff;
        if (buckets != null) {
            return buckets[bucket(rgb)] & 255;
        }
        return exact.get(rgb);
    }

    /** The indices of {@code pixels}. */
    byte[] indices(int[] pixels) {
        byte[] out = new byte[pixels.length];
        int last = -1;
        int lastIndex = 0;
        for (int i = 0; i < pixels.length; i++) {
            int p = pixels[i];
            if (p != last) {
                last = p;
                lastIndex = index(p);
            }
            out[i] = (byte) lastIndex;
        }
        return out;
    }

    private static int bucket(int p) {
        return ((p >> 19) & 31) << 10 | ((p >> 11) & 31) << 5 | ((p >> 3) & 31);
    }

    private static int mean(long sum, long n) {
        return (int) ((sum + n / 2) / n);
    }

    static int nearest(int[] pal, int c) {
        int r = (c >> 16) & 255;
        int g = (c >> 8) & 255;
        int b = c & 255;
        int best = 0;
        int bestD = Integer.MAX_VALUE;
        for (int i = 0; i < pal.length; i++) {
            int dr = ((pal[i] >> 16) & 255) - r;
            int dg = ((pal[i] >> 8) & 255) - g;
            int db = (pal[i] & 255) - b;
            int d = dr * dr + dg * dg + db * db;
            if (d < bestD) {
                bestD = d;
                best = i;
            }
        }
        return best;
    }

    /** Weighted median cut of {@code colors} into at most 256 representative colours. */
    static int[] medianCut(int[] colors, long[] weights) {
        Integer[] order = new Integer[colors.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        List<int[]> boxes = new ArrayList<>(); // {from, to} ranges into order
        boxes.add(new int[] {0, colors.length});
        while (boxes.size() < 256) {
            int pick = -1;
            int pickRange = 0;
            int pickChannel = 0;
            for (int k = 0; k < boxes.size(); k++) {
                int[] box = boxes.get(k);
                if (box[1] - box[0] < 2) {
                    continue;
                }
                for (int ch = 0; ch < 3; ch++) {
                    int shift = 16 - 8 * ch;
                    int lo = 255;
                    int hi = 0;
                    for (int i = box[0]; i < box[1]; i++) {
                        int v = (colors[order[i]] >> shift) & 255;
                        lo = Math.min(lo, v);
                        hi = Math.max(hi, v);
                    }
                    if (hi - lo > pickRange) {
                        pickRange = hi - lo;
                        pick = k;
                        pickChannel = ch;
                    }
                }
            }
            if (pick < 0) {
                break;
            }
            int[] box = boxes.get(pick);
            int shift = 16 - 8 * pickChannel;
            Arrays.sort(order, box[0], box[1], (a, b) -> {
                int va = (colors[a] >> shift) & 255;
                int vb = (colors[b] >> shift) & 255;
                return va != vb ? Integer.compare(va, vb) : Integer.compare(colors[a], colors[b]);
            });
            long total = 0;
            for (int i = box[0]; i < box[1]; i++) {
                total += weights[order[i]];
            }
            long acc = 0;
            int cut = box[0] + 1;
            for (int i = box[0]; i < box[1] - 1; i++) {
                acc += weights[order[i]];
                cut = i + 1;
                if (2 * acc >= total) {
                    break;
                }
            }
            boxes.set(pick, new int[] {box[0], cut});
            boxes.add(pick + 1, new int[] {cut, box[1]});
        }
        int[] pal = new int[boxes.size()];
        for (int k = 0; k < boxes.size(); k++) {
            int[] box = boxes.get(k);
            long w = 0;
            long r = 0;
            long g = 0;
            long b = 0;
            for (int i = box[0]; i < box[1]; i++) {
                int c = colors[order[i]];
                long wi = Math.max(1, weights[order[i]]);
                w += wi;
                r += wi * ((c >> 16) & 255);
                g += wi * ((c >> 8) & 255);
                b += wi * (c & 255);
            }
            pal[k] = mean(r, w) << 16 | mean(g, w) << 8 | mean(b, w);
        }
        return pal;
    }

    /** A small open-addressing map from non-negative int keys to int values. */
    static final class IntMap {
        private int[] keys;
        private int[] vals;
        int size;

        IntMap(int capacity) {
            int c = Integer.highestOneBit(Math.max(4, capacity) * 2);
            keys = new int[c];
            vals = new int[c];
            Arrays.fill(keys, -1);
        }

        void add(int k, int v) {
            int i = slot(k);
            if (keys[i] == -1) {
                keys[i] = k;
                vals[i] = v;
                if (++size * 2 > keys.length) {
                    grow();
                }
            } else {
                vals[i] += v;
            }
        }

        void put(int k, int v) {
            int i = slot(k);
            if (keys[i] == -1) {
                keys[i] = k;
                size++;
                vals[i] = v;
                if (size * 2 > keys.length) {
                    grow();
                }
            } else {
                vals[i] = v;
            }
        }

        int get(int k) {
            int i = slot(k);
            if (keys[i] == -1) {
                throw new IllegalArgumentException(String.format("colour %06x not in the palette", k));
            }
            return vals[i];
        }

        int[] keys() {
            int[] out = new int[size];
            int n = 0;
            for (int k : keys) {
                if (k != -1) {
                    out[n++] = k;
                }
            }
            return out;
        }

        private int slot(int k) {
            int m = keys.length - 1;
            int i = (k * 0x9E3779B9 >>> 7) & m;
            while (keys[i] != -1 && keys[i] != k) {
                i = (i + 1) & m;
            }
            return i;
        }

        private void grow() {
            int[] ok = keys;
            int[] ov = vals;
            keys = new int[ok.length * 2];
            vals = new int[ok.length * 2];
            Arrays.fill(keys, -1);
            size = 0;
            for (int i = 0; i < ok.length; i++) {
                if (ok[i] != -1) {
                    put(ok[i], ov[i]);
                }
            }
        }
    }
}
