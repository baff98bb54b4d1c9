package io.convscope.cli;

import io.convscope.util.PlainProgress;
import io.convscope.util.Progress;
import io.convscope.util.Units;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A one-line progress bar on a terminal:
 * {@code downloading x.h5  [=========>          ]  45%  26.5/58.9 MB  4.8 MB/s  ETA 0:07}.
 *
 * <p>The bar is redrawn in place with {@code \r} at most ten times a second and fits the terminal's
 * width ({@code $COLUMNS}, else 80): when it does not, the speed goes first, then the bar, then the
 * status is cut, and last the label is shortened from its start, so that its end (the layer and
 * "(1/5)") stays. Output that is no terminal gets {@link PlainProgress} lines instead: {@link #create()}
 * chooses.
 *
 * <p>Not thread-safe: one task at a time, called from one thread.
 */
public final class ConsoleProgress implements Progress {
    private static final long REDRAW_NANOS = 100_000_000L;
    private static final int BAR_WIDTH = 24;
    /** The label is shortened to this before the status is cut. */
    private static final int LABEL_MIN = 32;

    private final PrintStream out;
    private final int width;
    private final LongSupplier nanoClock;

    private String what = "";
    private String status = "";
    private long total;
    private Unit unit = Unit.STEPS;
    private long done;
    private long startNanos;
    private long lastDrawNanos;
    private int lastLineLength;
    private boolean running;

    /**
     * The progress display for standard error: this bar when a terminal is attached
     * ({@code System.console() != null}: neither stdout nor stderr redirected), otherwise plain lines
     * every {@value PlainProgress#LOG_INTERVAL_SECONDS} s and a summary (nohup, CI, a log file).
     */
    public static Progress create() {
        if (System.console() != null) {
            return new ConsoleProgress(System.err, columns(System.getenv("COLUMNS")), System::nanoTime);
        }
        return new PlainProgress(System.err, PlainProgress.LOG_INTERVAL_SECONDS, System::nanoTime);
    }

    /** The terminal's width from {@code $COLUMNS}, or 80 when unset or not a number. Package-private for tests. */
    static int columns(String env) {
        try {
            int c = env == null ? 80 : Integer.parseInt(env.strip());
            return c >= 20 ? c : 80;
        } catch (NumberFormatException e) {
            return 80;
        }
    }

    /**
     * @param out       where to write
     * @param columns   the terminal's width: lines stay one column shorter, so that none wraps
     * @param nanoClock a monotonic clock in nanoseconds (tests pass a fake one)
     */
    public ConsoleProgress(PrintStream out, int columns, LongSupplier nanoClock) {
        this.out = out;
        this.width = Math.max(20, columns - 1);
        this.nanoClock = nanoClock;
    }

    @Override
    public void start(String what, long total, Unit unit) {
        if (running) {
            finish();
        }
        this.what = what == null ? "" : what;
        this.total = total;
        this.unit = unit == null ? Unit.STEPS : unit;
        this.done = 0;
        this.status = "";
        this.startNanos = nanoClock.getAsLong();
        this.lastDrawNanos = Long.MIN_VALUE;
        this.lastLineLength = 0;
        this.running = true;
        draw(startNanos);
    }

    @Override
    public void advance(long done) {
        if (!running) {
            return;
        }
        this.done = done;
        long now = nanoClock.getAsLong();
        boolean complete = total > 0 && done >= total;
        if (complete || lastDrawNanos == Long.MIN_VALUE || now - lastDrawNanos >= REDRAW_NANOS) {
            draw(now);
        }
    }

    @Override
    public void status(String text) {
        this.status = text == null ? "" : text;
    }

    @Override
    public void finish() {
        if (!running) {
            return;
        }
        running = false;
        long now = nanoClock.getAsLong();
        draw(now);
        out.print('\n');
        out.flush();
    }

    private void draw(long now) {
        lastDrawNanos = now;
        String line = barLine(now);
        StringBuilder sb = new StringBuilder(line.length() + 8).append('\r').append(line);
        for (int i = line.length(); i < lastLineLength; i++) {
            sb.append(' ');
        }
        lastLineLength = line.length();
        out.print(sb);
        out.flush();
    }

    /** The bar line without the leading carriage return, at most the terminal's width. Package-private for tests. */
    String barLine(long now) {
        double seconds = (now - startNanos) / 1e9;
        double rate = seconds > 0 ? done / seconds : 0;
        String barPart = "";
        String counts;
        if (total > 0) {
            double fraction = Math.min(1.0, Math.max(0.0, (double) done / total));
            barPart = "  " + bar(fraction);
            counts = String.format(Locale.ROOT, "  %3d%%", (int) Math.floor(fraction * 100)) + "  " + amountOf(done, total) + '/' + amount(total);
        } else {
            counts = "  " + amount(done);
        }
        String speedPart = seconds >= 0.5 && done > 0 ? "  " + speed(rate) : "";
        String eta = total > 0 && done < total && seconds >= 1.0 && rate > 0 ? "  ETA " + duration((total - done) / rate) : "";
        String note = status.isEmpty() ? "" : "  " + status;
        // what goes first when the line is too wide: the speed, the bar, the label's start down to
        // LABEL_MIN, then the status is cut, then the label's start again
        if (line(what, barPart, counts, speedPart, eta, note).length() > width) {
            speedPart = "";
        }
        if (line(what, barPart, counts, speedPart, eta, note).length() > width) {
            barPart = "";
        }
        String label = what;
        int over = line(label, barPart, counts, speedPart, eta, note).length() - width;
        if (over > 0 && label.length() > LABEL_MIN) {
            label = shorten(label, Math.max(LABEL_MIN, label.length() - over));
            over = line(label, barPart, counts, speedPart, eta, note).length() - width;
        }
        if (over > 0 && !note.isEmpty()) {
            int keep = note.length() - over;
            note = keep >= 12 ? note.substring(0, keep - 1) + "…" : "";
        }
        int room = width - line("", barPart, counts, speedPart, eta, note).length();
        return shorten(label, Math.max(8, room)) + barPart + counts + speedPart + eta + note;
    }

    private static String line(String... parts) {
        return String.join("", parts);
    }

    /** {@code s}, or its end after "…" when longer than {@code max}: the end names the layer and "(1/5)". */
    static String shorten(String s, int max) {
        return s.length() <= max ? s : "…" + s.substring(s.length() - (max - 1));
    }

    private static String bar(double fraction) {
        int full = (int) Math.floor(fraction * BAR_WIDTH);
        StringBuilder sb = new StringBuilder(BAR_WIDTH + 2).append('[');
        for (int i = 0; i < BAR_WIDTH; i++) {
            sb.append(i < full ? '=' : (i == full ? '>' : ' '));
        }
        return sb.append(']').toString();
    }

    private String amount(long n) {
        return unit == Unit.BYTES ? bytes(n) : Long.toString(n);
    }

    /** {@code done} written in the same scale as {@code total}, without the unit: "26.5" of "58.9 MB". */
    private String amountOf(long n, long scaleOf) {
        if (unit != Unit.BYTES) {
            return Long.toString(n);
        }
        double div = scale(scaleOf);
        return div == 1 ? Long.toString(n) : String.format(Locale.ROOT, "%.1f", n / div);
    }

    private String speed(double perSecond) {
        if (unit == Unit.BYTES) {
            return bytes((long) perSecond) + "/s";
        }
        return perSecond >= 10 ? String.format(Locale.ROOT, "%.0f/s", perSecond)
                : String.format(Locale.ROOT, "%.2f/s", perSecond);
    }

    private static double scale(long n) {
        return Units.scale(n);
    }

    /** "512 B", "1.5 kB", "58.9 MB", "1.2 GB" (binary multiples, as file managers show them): {@link Units#bytes}. */
    public static String bytes(long n) {
        return Units.bytes(n);
    }

    /** "0:07", "12:05", "1:02:03": {@link Units#duration}. */
    public static String duration(double seconds) {
        return Units.duration(seconds);
    }
}
