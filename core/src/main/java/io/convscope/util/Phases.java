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
}
