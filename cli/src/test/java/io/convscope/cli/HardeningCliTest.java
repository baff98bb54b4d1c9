package io.convscope.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 13: errors that must be one line and come before any work; writes that must stay inside --out. */
class HardeningCliTest {
    private static final Path SNEAKER = Path.of("../samples/fashion-mnist/7_sneaker.png");
    private static final Path BAG = Path.of("../samples/fashion-mnist/8_bag.png");

    @TempDir
    Path dir;

    /** Expects a failure with one line on stderr containing every fragment, and nothing on stdout (no work done). */
    private static CliErrorsTest.Run failsEarly(List<String> fragments, String... args) {
        CliErrorsTest.Run r = CliErrorsTest.run(args);
        assertNotEquals(0, r.code(), r.err());
        String[] lines = r.err().strip().split("\n");
        assertEquals(1, lines.length, "one line on stderr, got:\n" + r.err());
        assertTrue(lines[0].startsWith("convscope: error: "), lines[0]);
        for (String f : fragments) {
            assertTrue(lines[0].contains(f), "'" + f + "' in: " + lines[0]);
        }
        assertEquals("", r.out(), "failed before computing anything");
        return r;
    }

    private static List<Path> filesBelow(Path p) throws IOException {
        if (!Files.exists(p)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(p)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }

    @Test
    void hugeSizesAreOneLineNotAnOverflow() {
        failsEarly(List.of("--size '40000x40000'", "at most 32768"), "activations", "--size", "40000x40000",
                "--out", dir.resolve("o").toString(), SNEAKER.toString());
    }

    @Test
    void anOutputFolderThatCannotBeCreatedFailsBeforeComputing() throws IOException {
        Path file = Files.writeString(dir.resolve("plain-file"), "x");
        // tests run as root, which may write anywhere: a folder below a regular file cannot be made by anyone
        failsEarly(List.of("--out", "cannot write there", "not a folder"), "activations", "--out", file.resolve("sub").toString(),
                SNEAKER.toString());
        failsEarly(List.of("--out", "cannot write there"), "style", "--weights", "none", "--size", "32", "--steps", "1",
                "-o", file.resolve("sub/picture.png").toString(), SNEAKER.toString(), BAG.toString());
        failsEarly(List.of("--out", "cannot write there"), "classviz", "--class", "bag", "--steps", "1",
                "-o", file.resolve("sub").toString());
    }

    @Test
    void aSymbolicLinkLoopIsReportedAsOne() throws IOException {
        Path loop = dir.resolve("loop.png");
        Files.createSymbolicLink(loop, loop.getFileName());
        failsEarly(List.of("loop.png", "symbolic link loop"), "predict", loop.toString());
        Path loopDir = dir.resolve("loopdir");
        Files.createSymbolicLink(loopDir, loopDir.getFileName());
        failsEarly(List.of("loopdir", "symbolic link loop"), "activations", "--out", loopDir.resolve("x").toString(),
                SNEAKER.toString());
        failsEarly(List.of("loop.png", "symbolic link loop"), "summary", loop.toString());
    }

    @Test
    void aLinkPlantedInTheOutputFolderIsNotFollowed() throws IOException {
        Path out = Files.createDirectories(dir.resolve("out"));
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        Files.createSymbolicLink(out.resolve("7_sneaker"), elsewhere);
        // a folder that holds a link and nothing of convscope's is not an output of an earlier run: refused
        CliErrorsTest.Run r = CliErrorsTest.run("activations", "--out", out.toString(), SNEAKER.toString());
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains("holds files that are not a convscope output") && r.err().strip().split("\n").length == 1, r.err());
        assertEquals(List.of(), filesBelow(elsewhere), "nothing written through the link");
        assertTrue(Files.isSymbolicLink(out.resolve("7_sneaker")));
        // an earlier run's folder with a link planted in it: the run is written beside it and replaces it; the link is
        // removed, never followed
        Files.writeString(out.resolve(".convscope-run"), "an earlier run");
        r = CliErrorsTest.run("activations", "--out", out.toString(), SNEAKER.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of(), filesBelow(elsewhere), "nothing written through the link");
        assertTrue(Files.isDirectory(out.resolve("7_sneaker"), java.nio.file.LinkOption.NOFOLLOW_LINKS)
                && Files.isRegularFile(out.resolve("7_sneaker").resolve("input.png")));
    }

    @CommandLine.Command(name = "boom")
    static final class Boom implements Callable<Integer> {
        final Error error;

        Boom(Error error) {
            this.error = error;
        }

        @Override
        public Integer call() {
            throw error;
        }
    }

    @Test
    void anOutOfMemoryErrorIsOneLine() {
        for (Error e : List.of(new OutOfMemoryError("Java heap space"), new OutOfMemoryError("Required array size too large"))) {
            StringWriter err = new StringWriter();
            CommandLine cl = new CommandLine(new Boom(e));
            cl.setErr(new PrintWriter(err, true));
            int code = Main.execute(cl, new String[0]);
            assertEquals(1, code);
            assertEquals(Main.OUT_OF_MEMORY, err.toString().strip());
        }
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new Boom(new StackOverflowError()));
        cl.setErr(new PrintWriter(err, true));
        assertEquals(2, Main.execute(cl, new String[0]));
        assertEquals(1, err.toString().strip().split("\n").length, err.toString());
        assertFalse(err.toString().contains("\tat "));
    }
}
