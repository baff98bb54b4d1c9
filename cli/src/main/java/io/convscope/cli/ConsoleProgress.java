package io.convscope.cli;

import io.convscope.util.Progress;
import io.convscope.util.Units;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A one-line progress bar on a terminal:
 * {@code downloading x.h5  [=========>          ]  45%  26.5/58.9 MB  4.8 MB/s  ETA 0:07}.
 *
 * <p>The bar is redrawn in place with {@code \r} at most ten times a second, and only when a terminal
 * is attached. Without one (output piped to a file or a log) nothing is written while the task runs
 * and a single summary line is written when it finishes, so logs stay readable.
 *
 * <p>Not thread-safe: one task at a time, called from one thread.
 */
public final class ConsoleProgress implements Progress {
    private static final long REDRAW_NANOS = 100_000_000L;
    private static final int BAR_WIDTH = 24;
    private static final int LINE_WIDTH = 100;

    private final PrintStream out;
    private final boolean interactive;
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

    /** Draws on standard error, as a bar when a console is attached ({@code System.console() != null}). */
    public ConsoleProgress() {
        this(System.err, System.console() != null, System::nanoTime);
    }

    /**
     * @param out         where to write
     * @param interactive draw a bar redrawn in place; otherwise only a final summary line
     * @param nanoClock   a monotonic clock in nanoseconds (tests pass a fake one)
     */
    public ConsoleProgress(PrintStream out, boolean interactive, LongSupplier nanoClock) {
        this.out = out;
        this.interactive = interactive;
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
        if (interactive) {
            draw(startNanos);
        }
    }

    @Override
    public void advance(long done) {
        if (!running) {
            return;
        }
        this.done = done;
        if (!interactive) {
            return;
        }
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
        if (interactive) {
            draw(now);
            out.print('\n');
        } else {
            out.println(summary(now));
        }
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

    /** The bar line without the leading carriage return. Package-private for tests. */
    String barLine(long now) {
        double seconds = (now - startNanos) / 1e9;
        double speed = seconds > 0 ? done / seconds : 0;
        StringBuilder rest = new StringBuilder();
        if (total > 0) {
            double fraction = Math.min(1.0, Math.max(0.0, (double) done / total));
            rest.append("  ").append(bar(fraction));
            rest.append(String.format(Locale.ROOT, "  %3d%%", (int) Math.floor(fraction * 100)));
            rest.append("  ").append(amountOf(done, total)).append('/').append(amount(total));
        } else {
            rest.append("  ").append(amount(done));
        }
        if (seconds >= 0.5 && done > 0) {
            rest.append("  ").append(speed(speed));
        }
        if (total > 0 && done < total && seconds >= 1.0 && speed > 0) {
            rest.append("  ETA ").append(duration((total - done) / speed));
        }
        if (!status.isEmpty()) {
            rest.append("  ").append(status);
        }
        int room = Math.max(10, LINE_WIDTH - rest.length());
        return ellipsize(what, room) + rest;
    }

    /** The one line written at the end when no terminal is attached. Package-private for tests. */
    String summary(long now) {
        double seconds = (now - startNanos) / 1e9;
        StringBuilder sb = new StringBuilder(what).append(": ");
        if (total > 0 && done < total) {
            sb.append(amountOf(done, total)).append(" of ").append(amount(total));
        } else {
            sb.append(amount(done));
        }
        sb.append(" in ").append(duration(seconds));
        if (seconds > 0 && done > 0) {
            sb.append(" (").append(speed(done / seconds)).append(')');
        }
        if (!status.isEmpty()) {
            sb.append("  ").append(status);
        }
        return sb.toString();
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

    private static String ellipsize(String s, int max) {
        return s.length() <= max ? s : s.substring(0, Math.max(0, max - 3)) + "...";
    }
}
