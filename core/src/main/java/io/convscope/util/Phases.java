package io.convscope.util;

import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * Where a run's time goes, phase by phase, for benchmarks: with {@code CONVSCOPE_PHASES=1} in the
 * environment, {@link #mark} prints {@code PHASE name t=… cpu=…} on stderr (seconds since the JVM
 * started, wall and the process's CPU time), as the Python peers in {@code ../shared/peer-bench} print
 * theirs, so the two sides' logs line up. Without it a mark costs one field read.
 */
public final class Phases {
    private static final boolean ON = "1".equals(System.getenv("CONVSCOPE_PHASES"));

    private Phases() {
    }

    /** Whether marks are printed. */
    public static boolean on() {
        return ON;
    }

    /** Prints one PHASE line when switched on. */
    public static void mark(String name) {
        if (!ON) {
            return;
        }
        long start = ManagementFactory.getRuntimeMXBean().getStartTime();
        double t = (System.currentTimeMillis() - start) / 1000.0;
        double cpu = Double.NaN;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            cpu = os.getProcessCpuTime() / 1e9;
        }
        System.err.println(String.format(Locale.ROOT, "PHASE %s t=%.3f cpu=%.3f", name, t, cpu));
    }

    /**
     * {@code name(first/median/p90/max)=…} of durations in nanoseconds, written in milliseconds (a loop's
     * steps: the first one's start-up cost, the typical step, its tail); "" when switched off or empty.
     */
    public static String spread(String name, long[] nanos) {
        if (!ON || nanos.length == 0) {
            return "";
        }
        long[] sorted = nanos.clone();
        java.util.Arrays.sort(sorted);
        return String.format(Locale.ROOT, "%s(first/median/p90/max)=%.1f/%.1f/%.1f/%.1f", name, nanos[0] / 1e6,
                sorted[sorted.length / 2] / 1e6, sorted[(int) (sorted.length * 0.9)] / 1e6, sorted[sorted.length - 1] / 1e6);
    }
}
