package io.convscope.util;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress for library users and logs: one line when a task finishes ("what: 128/128 in 0:07"),
 * nothing while it runs. Thread-confined like every {@link Progress}.
 */
public final class PlainProgress implements Progress {
    private final PrintStream out;
    private String what = "";
    private long total;
    private long done;
    private Unit unit = Unit.STEPS;
    private long startNanos;
    private boolean running;

    /** Writes to {@code out}. */
    public PlainProgress(PrintStream out) {
        this.out = out;
    }

    @Override
    public void start(String what, long total, Unit unit) {
        this.what = what;
        this.total = total;
        this.unit = unit;
        this.done = 0;
        this.startNanos = System.nanoTime();
        this.running = true;
    }

    @Override
    public void advance(long done) {
        this.done = done;
    }

    @Override
    public void finish() {
        if (!running) {
            return;
        }
        running = false;
        String amount = unit == Unit.BYTES ? Units.bytes(done) : total > 0 ? done + "/" + total : Long.toString(done);
        out.println(String.format(Locale.ROOT, "%s: %s in %s", what, amount, Units.duration((System.nanoTime() - startNanos) / 1e9)));
    }
}
