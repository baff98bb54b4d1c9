package io.convscope.cli;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The environment that the launcher ({@code ./convscope}) gives the JVM: its speed and correctness
 * defaults are set when the user has not set them, and a value of the user's own wins. The launcher
 * runs from a copy beside an empty jar (so it does not build), with a {@code java} on the PATH that
 * writes the environment it was started with to a file instead of starting a JVM.
 */
class LauncherEnvironmentTest {
    @TempDir
    Path dir;
    /** What the last {@link #run} printed (stdout and stderr). */
    private String lastOutput = "";

    @Test
    void defaultsAreSetWhenTheUserSetNone() throws Exception {
        Map<String, String> env = launch(Map.of());
        assertEquals("AVX2", env.get("ONEDNN_MAX_CPU_ISA"));
        assertEquals("10000", env.get("GOMP_SPINCOUNT"), "OpenMP threads spin briefly, then sleep");
        assertFalse(env.containsKey("OMP_WAIT_POLICY"), "no wait policy of the launcher's own: " + env.get("OMP_WAIT_POLICY"));
        assertEquals("AVX2", env.get("MKL_CBWR"), "MKL's AVX2 path on every CPU");
        assertFalse(env.containsKey("THP_MEM_ALLOC_ENABLE"), "PyTorch's tensors stay on small pages: " + env.get("THP_MEM_ALLOC_ENABLE"));
        assertFalse(env.containsKey("GLIBC_TUNABLES"), "glibc's heaps stay on small pages: " + env.get("GLIBC_TUNABLES"));
    }

    @Test
    void aWaitPolicyOrSpinCountOfTheUsersOwnWins() throws Exception {
        Map<String, String> passive = launch(Map.of("OMP_WAIT_POLICY", "PASSIVE"));
        assertEquals("PASSIVE", passive.get("OMP_WAIT_POLICY"));
        // GOMP_SPINCOUNT would override the policy's spin count: the launcher must not add it
        assertFalse(passive.containsKey("GOMP_SPINCOUNT"), "GOMP_SPINCOUNT=" + passive.get("GOMP_SPINCOUNT"));

        Map<String, String> spin = launch(Map.of("GOMP_SPINCOUNT", "300000"));
        assertEquals("300000", spin.get("GOMP_SPINCOUNT"));

        Map<String, String> mkl = launch(Map.of("MKL_CBWR", "AUTO", "ONEDNN_MAX_CPU_ISA", "AVX512_CORE"));
        assertEquals("AUTO", mkl.get("MKL_CBWR"));
        assertEquals("AVX512_CORE", mkl.get("ONEDNN_MAX_CPU_ISA"));
    }

    @Test
    void optimisationLoopsSpinLongOnlyOnAQuietMachine() throws Exception {
        // a run queue of this launcher alone on 2 CPUs: quiet; one other task running: busy
        Path quiet = Files.createDirectories(dir.resolve("quiet"));
        Files.writeString(quiet.resolve("loadavg"), "0.40 0.90 1.10 1/143 2611\n");
        Path busy = Files.createDirectories(dir.resolve("busy"));
        Files.writeString(busy.resolve("loadavg"), "1.40 0.90 1.10 2/143 2611\n");
        for (String command : List.of("classviz", "filters", "reconstruct", "style", "explain")) {
            assertEquals("1000000", run(Map.of("CONVSCOPE_PROC", quiet.toString()), command, "x").env().get("GOMP_SPINCOUNT"), command);
            assertEquals("10000", run(Map.of("CONVSCOPE_PROC", busy.toString()), command, "x").env().get("GOMP_SPINCOUNT"), command);
        }
        for (String command : List.of("predict", "activations", "serve", "atlas")) {
            assertEquals("10000", run(Map.of("CONVSCOPE_PROC", quiet.toString()), command, "x").env().get("GOMP_SPINCOUNT"), command);
        }
        // no run queue to read (no /proc, as on macOS): the short spin, and not a word about it
        assertEquals("10000", run(Map.of("CONVSCOPE_PROC", dir.resolve("none").toString()), "classviz", "x").env().get("GOMP_SPINCOUNT"));
        assertEquals("", lastOutput.strip(), "the launcher printed: " + lastOutput);
        // the user's own settings still win
        assertEquals("5", run(Map.of("CONVSCOPE_PROC", quiet.toString(), "GOMP_SPINCOUNT", "5"), "classviz", "x").env().get("GOMP_SPINCOUNT"));
        assertFalse(run(Map.of("CONVSCOPE_PROC", quiet.toString(), "OMP_WAIT_POLICY", "PASSIVE"), "classviz", "x").env().containsKey("GOMP_SPINCOUNT"));
    }

    @Test
    void shortCommandsRunWithTheQuickCompilerAloneAndLongJobsWithBoth() throws Exception {
        String quick = "-XX:TieredStopAtLevel=1";
        for (String command : List.of("classviz", "predict", "activations", "style", "explain", "--version")) {
            assertTrue(run(Map.of(), command, "x").args().contains(quick), command + " runs with C1 alone");
        }
        for (String command : List.of("atlas", "serve", "train", "evaluate")) {
            assertFalse(run(Map.of(), command, "x").args().contains(quick), command + " keeps C2");
        }
        // the command is the first word that is not an option, not a later option's value
        assertFalse(run(Map.of(), "atlas", "--top", "9").args().contains(quick));
        assertFalse(run(Map.of("CONVSCOPE_JIT", "full"), "classviz").args().contains(quick));
        assertTrue(run(Map.of("CONVSCOPE_JIT", "quick"), "atlas").args().contains(quick));
        // the user's own Java options come after the launcher's, so a flag of theirs wins
        List<String> mine = run(Map.of("CONVSCOPE_JAVA_OPTS", "-Xmx2g -XX:TieredStopAtLevel=4"), "classviz").args();
        assertTrue(mine.indexOf("-XX:TieredStopAtLevel=4") > mine.indexOf(quick), mine::toString);
        assertFalse(mine.contains("-Xmx6g"), mine::toString);
    }

    @Test
    void theJvmExitsFastUnlessSomethingMayNeedItsOwnShutdown() throws Exception {
        String fast = "-Dconvscope.fastExit=true";
        Launch plain = run(Map.of(), "classviz", "x");
        assertTrue(plain.args().contains(fast), plain.args()::toString);
        if (plain.filterParent() != null) { // perl and /proc are there: the filter is a child of the JVM, named to it
            assertEquals(plain.pid(), plain.filterParent(), "the stderr filter's parent is the JVM's process");
        }
        for (String v : List.of("CONVSCOPE_JAVA_OPTS", "JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS")) {
            Launch own = run(Map.of(v, "-Xmx2g"), "classviz", "x");
            assertFalse(own.args().contains(fast), v + ": " + own.args());
            assertFalse(own.args().stream().anyMatch(a -> a.startsWith("-Dconvscope.stderrFilter")), v + ": " + own.args());
        }
    }

    private record Launch(Map<String, String> env, List<String> args, String pid, String filterParent) {
    }

    /** Runs a copy of the launcher with {@code extra} in its environment; returns the environment "java" was given. */
    private Map<String, String> launch(Map<String, String> extra) throws IOException, InterruptedException {
        return run(extra, "--version").env();
    }

    /** Runs a copy of the launcher with {@code extra} in its environment and these arguments; returns what "java" was given. */
    private Launch run(Map<String, String> extra, String... arguments) throws IOException, InterruptedException {
        Path source = Path.of("..").toAbsolutePath().normalize().resolve("convscope");
        Assumptions.assumeTrue(Files.isRegularFile(source), "skipped: no launcher at " + source);
        Path home = Files.createTempDirectory(dir, "home");
        Path launcher = home.resolve("convscope");
        Files.copy(source, launcher, StandardCopyOption.COPY_ATTRIBUTES);
        assertTrue(launcher.toFile().setExecutable(true));
        // what the launcher checks before it would build: the jar and the dependency folder
        Files.createDirectories(home.resolve("cli/target/lib"));
        Files.write(home.resolve("cli/target/convscope-cli-0.1.0-SNAPSHOT.jar"), new byte[0]);
        Path bin = Files.createDirectories(home.resolve("bin"));
        Path seen = home.resolve("env.txt");
        Path given = home.resolve("args.txt");
        Path java = bin.resolve("java");
        // and its own process id, and the parent of the process that the launcher names as its stderr filter
        Files.writeString(java, "#!/bin/sh\nenv > '" + seen + "'\nprintf '%s\\n' \"$@\" > '" + given + "'\n"
                + "echo $$ > '" + home.resolve("pid.txt") + "'\n"
                + "for a in \"$@\"; do case \"$a\" in -Dconvscope.stderrFilter=*) f=/proc/${a#*=}/stat; [ -r $f ] && cut -d' ' -f4 $f > '"
                + home.resolve("filter-parent.txt") + "';; esac; done\n", StandardCharsets.UTF_8);
        assertTrue(java.toFile().setExecutable(true));
        Path nproc = bin.resolve("nproc"); // two CPUs, whatever this machine has
        Files.writeString(nproc, "#!/bin/sh\necho 2\n", StandardCharsets.UTF_8);
        assertTrue(nproc.toFile().setExecutable(true));

        List<String> command = new java.util.ArrayList<>(List.of(launcher.toString()));
        command.addAll(List.of(arguments));
        ProcessBuilder pb = new ProcessBuilder(command).directory(home.toFile());
        Map<String, String> e = pb.environment();
        for (String k : List.of("ONEDNN_MAX_CPU_ISA", "DNNL_MAX_CPU_ISA", "GOMP_SPINCOUNT", "OMP_WAIT_POLICY", "MKL_CBWR",
                "THP_MEM_ALLOC_ENABLE", "GLIBC_TUNABLES", "MALLOC_ARENA_MAX", "CONVSCOPE_JIT", "CONVSCOPE_JAVA_OPTS", "CONVSCOPE_PROC",
                "JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS")) {
            e.remove(k);
        }
        e.putAll(extra);
        e.put("PATH", bin + ":" + e.getOrDefault("PATH", "/usr/bin:/bin"));
        e.put("CONVSCOPE_CDS", "0");
        pb.redirectErrorStream(true);
        pb.redirectOutput(home.resolve("launcher-out.txt").toFile());
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the launcher did not finish");
        assertEquals(0, p.exitValue(), () -> "launcher: " + read(home.resolve("launcher-out.txt")));
        assertTrue(Files.isRegularFile(seen), () -> "the launcher did not run java: " + read(home.resolve("launcher-out.txt")));
        lastOutput = read(home.resolve("launcher-out.txt"));
        Map<String, String> env = new HashMap<>();
        for (String line : Files.readAllLines(seen, StandardCharsets.UTF_8)) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                env.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        Path parent = home.resolve("filter-parent.txt");
        return new Launch(env, Files.readAllLines(given, StandardCharsets.UTF_8), Files.readString(home.resolve("pid.txt")).strip(),
                Files.exists(parent) ? Files.readString(parent).strip() : null);
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException ex) {
            return "(no output)";
        }
    }
}
