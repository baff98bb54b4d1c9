package io.convscope.util;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** Suggestions for mistyped names: layers, zoo models, classes. */
public final class Names {
    private Names() {
    }

    /** Up to {@code max} candidates closest to {@code name} by edit distance (prefix matches first). */
    public static List<String> nearest(String name, Collection<String> candidates, int max) {
        String n = name.toLowerCase(Locale.ROOT);
        List<String> list = new ArrayList<>(candidates);
        list.sort(Comparator.comparingInt((String c) -> score(n, c.toLowerCase(Locale.ROOT))).thenComparing(c -> c));
        List<String> out = new ArrayList<>();
        for (String c : list) {
            if (out.size() >= max) {
                break;
            }
            int d = score(n, c.toLowerCase(Locale.ROOT));
            if (d <= Math.max(3, n.length() / 2)) {
                out.add(c);
            }
        }
        return out;
    }

    /** "; did you mean a, b or c?" or an empty string when nothing is close. */
    public static String didYouMean(String name, Collection<String> candidates) {
        List<String> near = nearest(name, candidates, 3);
        if (near.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder("; did you mean ");
        for (int i = 0; i < near.size(); i++) {
            if (i > 0) {
                sb.append(i == near.size() - 1 ? " or " : ", ");
            }
            sb.append(near.get(i));
        }
        return sb.append('?').toString();
    }

    private static int score(String a, String b) {
        if (b.startsWith(a) || a.startsWith(b)) {
            return Math.abs(a.length() - b.length()) / 4;
        }
        return levenshtein(a, b);
    }

    public static int levenshtein(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
