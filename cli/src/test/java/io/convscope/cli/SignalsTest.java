package io.convscope.cli;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGTERM during a gradient run (classviz on the embedded model) ends the process cleanly: exit 143,
 * the one line "convscope: stopped (SIGTERM)", no JVM crash log, no temporary or partial files. The
 * JVM's own handling freed native memory while the main thread was still in PyTorch's backward pass
 * (a SIGSEGV in 4 of 11 tries). The launcher must hand the signal to the JVM.
 */
class SignalsTest {
    @TempDir
    Path dir;

    /** A running process; its stderr goes to a file (a pipe read by a thread races with the JVM's drain at exit). */
    private static final class Watched {
        final Process process;
        final Path marker;
        final Path errFile;

        /** Starts the process; {@link #awaitWork} waits for {@code marker} to exist (the run made its output folder). */
        Watched(ProcessBuilder pb, Path marker, Path errFile) throws IOException {
            this.marker = marker;
            this.errFile = errFile;
            pb.redirectError(errFile.toFile());
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            process = pb.start();
        }

        String err() throws IOException {
            return Files.readString(errFile, StandardCharsets.UTF_8);
        }

        /**
         * Whether the run reached its optimisation: classviz makes its output folder after loading the
         * model (and after installing its signal handling), just before the steps; it prints nothing
         * before its summary when stderr is not a terminal.
         */
        boolean awaitWork() throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!Files.isDirectory(marker)) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    return false;
                }
                Thread.sleep(20);
            }
            return true;
        }
    }

    private static List<String> classviz(Path out) {
        return List.of("classviz", "--class", "sneaker,bag", "--steps", "100000", "-o", out.toString());
    }

    private ProcessBuilder javaMain(Path work, List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-Dai.djl.offline=true", "-Dconvscope.fastExit=true", // as the launcher runs it: the end by C's _exit
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile());
        pb.environment().put("ONEDNN_MAX_CPU_ISA", "AVX2");
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        return pb;
    }

    private static void assertCleanStop(Watched w, Path work, Path out) throws Exception {
        assertTrue(w.process.waitFor(60, TimeUnit.SECONDS), "the process ends after SIGTERM");
        String err = w.err();
        assertEquals(143, w.process.exitValue(), err);
        assertTrue(err.contains("convscope: stopped (SIGTERM)"), err);
        assertFalse(err.contains("A fatal error has been detected"), err);
        try (Stream<Path> s = Files.list(work)) {
            assertEquals(List.of(), s.filter(p -> p.getFileName().toString().startsWith("hs_err")).toList(), "no crash log");
        }
        if (Files.exists(out)) {
            try (Stream<Path> s = Files.walk(out)) {
                // the run writes its files only at the end: a stop mid-run leaves none, temporary ones included
                assertEquals(List.of(), s.filter(Files::isRegularFile).toList(), "no partial output");
            }
        }
    }

    @Test
    void sigtermAtRandomMomentsOfAGradientRunStopsCleanly() throws Exception {
        Random random = new Random(13);
        for (int i = 0; i < 3; i++) {
            Path work = Files.createDirectories(dir.resolve("run" + i));
            Path out = work.resolve("out");
            Watched w = new Watched(javaMain(work, classviz(out)), out, dir.resolve("err" + i + ".txt"));
            try {
                assertTrue(w.awaitWork(), "the run starts: " + w.err());
                Thread.sleep(random.nextInt(1500));
                w.process.destroy(); // SIGTERM
                assertCleanStop(w, work, out);
            } finally {
                w.process.destroyForcibly();
            }
        }
    }

    @Test
    void theLauncherPassesSigtermToTheJvm() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        Path launcher = root.resolve("convscope");
        Path jar = root.resolve("cli/target/convscope-cli-0.1.0-SNAPSHOT.jar");
        Assumptions.assumeTrue(Files.isExecutable(launcher) && Files.isRegularFile(jar) && Files.isDirectory(root.resolve("cli/target/lib"))
                && !newerThan(jar, root.resolve("pom.xml"), root.resolve("core/pom.xml"), root.resolve("cli/pom.xml"),
                root.resolve("core/src/main"), root.resolve("cli/src/main")),
                "the launcher's jar is missing or older than the sources (run mvn package): the launcher would build first");
        Path work = Files.createDirectories(dir.resolve("launcher"));
        Path out = work.resolve("out");
        List<String> cmd = new ArrayList<>(List.of(launcher.toString()));
        cmd.addAll(classviz(out));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile());
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Watched w = new Watched(pb, out, dir.resolve("launcher-err.txt"));
        List<ProcessHandle> family = new ArrayList<>();
        try {
            assertTrue(w.awaitWork(), "the run starts: " + w.err());
            family.add(w.process.toHandle());
            w.process.descendants().forEach(family::add);
            w.process.destroy(); // SIGTERM to the launcher's process only, not its group
            assertCleanStop(w, work, out);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            for (ProcessHandle h : family) {
                while (h.isAlive() && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertFalse(h.isAlive(), "process " + h.pid() + " " + h.info().command().orElse("?") + " still runs");
            }
        } finally {
            w.process.destroyForcibly();
            family.forEach(ProcessHandle::destroyForcibly);
        }
    }

    private static boolean newerThan(Path jar, Path... sources) throws IOException {
        FileTime built = Files.getLastModifiedTime(jar);
        for (Path s : sources) {
            try (Stream<Path> walk = Files.walk(s)) {
                if (walk.anyMatch(p -> {
                    try {
                        return Files.getLastModifiedTime(p).compareTo(built) > 0;
                    } catch (IOException e) {
                        return false;
                    }
                })) {
                    return true;
                }
            }
        }
        return false;
    }
}
