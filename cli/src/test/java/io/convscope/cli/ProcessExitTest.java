package io.convscope.cli;

import io.convscope.util.ProcessExit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How a run ends (util/ProcessExit): with the launcher's {@code -Dconvscope.fastExit=true}, C's
 * {@code _exit} once the work is done, skipping the JVM's own exit path (seen here by the heap summary
 * that {@code -Xlog:gc+heap+exit} prints there) and libtorch's destructors, with the exit status and every
 * line of output kept; standard error's filter is waited for, so that its last line is written before
 * the process is gone.
 */
@Tag("slow")
class ProcessExitTest {
    @TempDir
    Path dir;

    private record Ended(int status, String out, String err) {
    }

    /** Runs {@code java … Main args} (through {@code bash -c} when {@code shell} wraps it) and waits for it to end. */
    private Ended run(boolean fast, String shellPrefix, String... args) throws Exception {
        List<String> java = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-Dai.djl.offline=true", "-Xlog:gc+heap+exit", "-D" + ProcessExit.FAST_PROPERTY + "=" + fast));
        if (shellPrefix != null) {
            java.add("-D" + ProcessExit.FILTER_PROPERTY + "=$!");
        }
        java.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        java.addAll(List.of(args));
        List<String> cmd = java;
        if (shellPrefix != null) {
            StringBuilder line = new StringBuilder(shellPrefix).append(" exec");
            for (String a : java) {
                line.append(' ').append(a.contains("$!") ? a : "'" + a + "'");
            }
            cmd = List.of("bash", "-c", line.toString());
        }
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(Path.of("..").toAbsolutePath().normalize().toFile());
        pb.environment().put("ONEDNN_MAX_CPU_ISA", "AVX2");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the run ends");
        // read at once: whatever a filter writes later is what a shell's next command would not see
        return new Ended(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void aFastExitSkipsTheJvmsExitAndKeepsTheStatusAndTheOutput() throws Exception {
        Assumptions.assumeTrue(Files.isRegularFile(Path.of("../samples/fashion-mnist/7_sneaker.png")), "skipped: no samples folder");
        Ended ok = run(true, null, "predict", "samples/fashion-mnist/7_sneaker.png");
        assertEquals(0, ok.status(), ok.err());
        assertTrue(ok.out().contains("1. Sneaker"), "stdout complete: " + ok.out());
        assertFalse(ok.out().contains("gc,heap,exit") || ok.err().contains("gc,heap,exit"), "the JVM's exit path did not run: " + ok.out());

        Ended failed = run(true, null, "classviz", "--class", "nosuch");
        assertEquals(1, failed.status(), failed.err());
        assertTrue(failed.err().contains("convscope: error: no class named 'nosuch'"), failed.err());
        assertFalse(failed.out().contains("gc,heap,exit"), failed.out());

        // without the launcher's word, the JVM's own exit (its heap summary printed on the way)
        Ended ordinary = run(false, null, "classviz", "--class", "nosuch");
        assertEquals(1, ordinary.status(), ordinary.err());
        assertTrue(ordinary.out().contains("gc,heap,exit"), "the JVM's exit path ran: " + ordinary.out());
    }

    @Test
    void theLastLineGetsThroughAStderrFilterBeforeTheProcessIsGone() throws Exception {
        // a filter as the launcher's (a child of the JVM, given by $!) that starts late: without the wait,
        // the JVM would be gone before the filter wrote anything
        Ended e = run(true, "exec 2> >(sleep 1; exec cat >&2);", "classviz", "--class", "nosuch");
        assertEquals(1, e.status(), e.err());
        assertTrue(e.err().contains("convscope: error: no class named 'nosuch'"), "stderr when the process ended: [" + e.err() + "]");
    }
}
