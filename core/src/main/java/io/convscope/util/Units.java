package io.convscope.util;

import java.util.Locale;

/** Amounts in words for messages and progress lines: bytes as kB/MB/GB, seconds as m:ss. */
public final class Units {
    private Units() {
    }

    /** The divisor that writes {@code n} with at most four digits before the point: 1, 2¹⁰, 2²⁰ or 2³⁰. */
    public static double scale(long n) {
        if (n >= 1L << 30) {
            return 1L << 30;
        }
        if (n >= 1L << 20) {
            return 1L << 20;
        }
        if (n >= 1L << 10) {
            return 1L << 10;
        }
        return 1;
    }

    /** "512 B", "1.5 kB", "26.5 MB", "3.1 GB". */
    public static String bytes(long n) {
        double div = scale(n);
        if (div == 1) {
            return n + " B";
        }
        String suffix = div == (1L << 30) ? "GB" : div == (1L << 20) ? "MB" : "kB";
        return String.format(Locale.ROOT, "%.1f %s", n / div, suffix);
    }

    /** "0:07", "12:05", "1:02:03". */
    public static String duration(double seconds) {
        long s = (long) Math.ceil(Math.max(0, seconds));
        long h = s / 3600;
        long m = (s % 3600) / 60;
        long sec = s % 60;
        return h > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, sec)
                : String.format(Locale.ROOT, "%d:%02d", m, sec);
    }
}
