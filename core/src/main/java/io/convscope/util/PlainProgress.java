package io.convscope.util;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Progress for library users and logs (output that is no terminal: a file, nohup, CI): plain lines,
 * never redrawn in place. With an interval it writes a line at most once per interval while a task
 * runs (so a task shorter than that writes only its summary) ("classviz: 120/500 (24%), 0:40 left  loss -1.23e+01"); every
 * variant writes one line when a task finishes ("classviz: 500/500 in 2:41  loss -3.02e+01").
 * Thread-confined like every {@link Progress}.
 */
public final class PlainProgress implements Progress {
    /** The interval between lines the command line uses when its output is no terminal. */
    public static final double LOG_INTERVAL_SECONDS = 5;

    private final PrintStream out;
    private final long intervalNanos;
    private final LongSupplier clock;
    private String what = "";
    private String status = "";
    private long total;
    private long done;
    private Unit unit = Unit.STEPS;
    private long startNanos;
    private long lastLineNanos;
    private boolean running;

    /** Writes to {@code out} one line per finished task, nothing while it runs. */
    public PlainProgress(PrintStream out) {
        this(out, 0, System::nanoTime);
    }

    /**
     * Writes to {@code out} a line at most every {@code everySeconds} while a task runs (none when 0),
     * and one when it finishes.
     *
     * @param clock a monotonic clock in nanoseconds (tests pass a fake one)
     */
    public PlainProgress(PrintStream out, double everySeconds, LongSupplier clock) {
        if (!(everySeconds >= 0)) {
            throw new IllegalArgumentException("interval must be ≥ 0, got " + everySeconds);
        }
        this.out = out;
        this.intervalNanos = (long) (everySeconds * 1e9);
        this.clock = clock;
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
        this.startNanos = clock.getAsLong();
        this.lastLineNanos = startNanos;
        this.running = true;
    }

    @Override
    public void advance(long done) {
        this.done = done;
        if (!running || intervalNanos == 0 || (total > 0 && done >= total)) {
            return;
        }
        long now = clock.getAsLong();
        if (now - lastLineNanos >= intervalNanos) {
            lastLineNanos = now;
            out.println(line(now));
            out.flush();
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
        String amount = unit == Unit.BYTES ? Units.bytes(done) : total > 0 ? done + "/" + total : Long.toString(done);
        out.println(String.format(Locale.ROOT, "%s: %s in %s", what, amount,
                Units.duration((clock.getAsLong() - startNanos) / 1e9)) + (status.isEmpty() ? "" : "  " + status));
        out.flush();
    }

    /** A line while the task runs: amount, percentage, time left, the status. */
    private String line(long now) {
        StringBuilder sb = new StringBuilder(what).append(": ");
        sb.append(unit == Unit.BYTES ? Units.bytes(done) : Long.toString(done));
        if (total > 0) {
            sb.append('/').append(unit == Unit.BYTES ? Units.bytes(total) : Long.toString(total));
            sb.append(String.format(Locale.ROOT, " (%d%%)", (int) Math.floor(100.0 * Math.min(done, total) / total)));
            double seconds = (now - startNanos) / 1e9;
            if (done > 0 && seconds >= 1) {
                sb.append(", ").append(Units.duration(seconds * (total - done) / done)).append(" left");
            }
        }
        if (!status.isEmpty()) {
            sb.append("  ").append(status);
        }
        return sb.toString();
    }
}
