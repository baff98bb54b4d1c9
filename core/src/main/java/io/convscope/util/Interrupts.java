package io.convscope.util;

import java.time.Duration;
import java.util.Map;

/**
 * Ends a run cleanly on SIGTERM, SIGINT or SIGHUP.
 *
 * <p>The JVM's own handling of these signals runs the shutdown hooks and then C's {@code exit},
 * which destroys libtorch's globals, while the main thread may still be inside libtorch (a backward
 * pass): a native crash and an {@code hs_err_pid*.log}. So {@link #install} replaces that handling: a signal only raises a flag;
 * the work stops at its next step boundary ({@link #check}, called by the engine between layers, by
 * the optimisation, style and training loops between steps, and before each file written), the
 * command line turns the {@link Stopped} exception into exit status 128 + the signal's number
 * (143 for SIGTERM, 130 for SIGINT), and only then does the JVM exit, with no thread in native code.
 *
 * <p>If the work does not reach a boundary within the grace period (a Java-only phase such as
 * reading a large model file has none), or a second signal comes, the process halts at once
 * (no shutdown hooks, no library destructors: {@link ProcessExit#halt}) after deleting the temporary
 * files of writes in progress.
 */
public final class Interrupts {
    /** How long a stopped run may take to reach a step boundary before the process halts. */
    public static final Duration DEFAULT_GRACE = Duration.ofSeconds(20);

    private static final Map<String, Integer> SIGNALS = Map.of("TERM", 15, "INT", 2, "HUP", 1);
    private static volatile int signal;
    private static volatile boolean installed;

    private Interrupts() {
    }

    /** Thrown by {@link #check} once a signal came: the run stops here. */
    public static final class Stopped extends RuntimeException {
        private final int signal;

        Stopped(int signal) {
            super("stopped by " + name(signal), null, false, false);
            this.signal = signal;
        }

        /** The signal's number (15 for SIGTERM). */
        public int signal() {
            return signal;
        }

        /** The exit status a shell expects of a process ended by this signal: 128 + its number. */
        public int exitCode() {
            return 128 + signal;
        }
    }

    /**
     * Handles SIGTERM, SIGINT and SIGHUP from now on (once per process; later calls do nothing).
     * A signal that was ignored when the JVM started (SIGINT of a background job) stays ignored.
     */
    public static synchronized void install(Duration grace) {
        if (installed) {
            return;
        }
        installed = true;
        for (Map.Entry<String, Integer> e : SIGNALS.entrySet()) {
            int number = e.getValue();
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(e.getKey()), s -> received(number, grace));
            } catch (IllegalArgumentException | UnsupportedOperationException ignored) {
                // not on this platform, or ignored since the start: the JVM's default stays
            }
        }
    }

    /** Throws {@link Stopped} when a signal came, {@link Cancelled} when this thread's task was cancelled; a step boundary. Cheap. */
    public static void check() {
        int s = signal;
        if (s != 0) {
            throw new Stopped(s);
        }
        java.util.function.BooleanSupplier c = CANCELLED.get();
        if (c != null && c.getAsBoolean()) {
            throw new Cancelled();
        }
    }

    private static final ThreadLocal<java.util.function.BooleanSupplier> CANCELLED = new ThreadLocal<>();

    /** Thrown by {@link #check} on a thread whose task was cancelled ({@link #cancelWhen}): a server's job stops here. */
    public static final class Cancelled extends RuntimeException {
        Cancelled() {
            super("cancelled", null, false, false);
        }
    }

    /**
     * From now on, {@link #check} on this thread throws {@link Cancelled} once {@code cancelled} is true
     * (null: never); a server runs each job so, on a thread of its own.
     */
    public static void cancelWhen(java.util.function.BooleanSupplier cancelled) {
        if (cancelled == null) {
            CANCELLED.remove();
        } else {
            CANCELLED.set(cancelled);
        }
    }

    /** The signal received (15 for SIGTERM), or 0. */
    public static int received() {
        return signal;
    }

    /** Records a signal as if it had been received, without a grace timer (for tests). */
    static void simulate(int number) {
        signal = number;
    }

    /** Forgets a simulated signal (for tests). */
    static void reset() {
        signal = 0;
    }

    private static void received(int number, Duration grace) {
        if (signal != 0) {
            halt(128 + number);
        }
        signal = number;
        Thread timer = new Thread(() -> {
            try {
                Thread.sleep(grace.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            System.err.println("convscope: stopped by " + name(number) + " (did not reach a step boundary within "
                    + grace.toSeconds() + " s)");
            halt(128 + number);
        }, "convscope-stop-timer");
        timer.setDaemon(true);
        timer.start();
    }

    private static void halt(int status) {
        AtomicFiles.deleteTemporaries();
        RunFolder.deleteUnfinished();
        ProcessExit.halt(status);
    }

    /** "SIGTERM" for 15, "SIGINT" for 2, "SIGHUP" for 1, else "signal N". */
    public static String name(int signal) {
        for (Map.Entry<String, Integer> e : SIGNALS.entrySet()) {
            if (e.getValue() == signal) {
                return "SIG" + e.getKey();
            }
        }
        return "signal " + signal;
    }
}
