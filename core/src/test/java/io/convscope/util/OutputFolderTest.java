package io.convscope.util;

import io.convscope.ConvscopeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Output folders: checked before work, never written through a planted link, cleaned of killed runs' temporaries. */
class OutputFolderTest {
    @TempDir
    Path dir;

    @AfterEach
    void noSignal() {
        Interrupts.reset();
    }

    private static List<Path> filesBelow(Path p) throws IOException {
        try (Stream<Path> s = Files.walk(p)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }

    private static void hello(Path file) {
        AtomicFiles.write(file, out -> out.write("hello".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aLinkPlantedInsideTheOutputFolderIsRefused() throws IOException {
        Path out = AtomicFiles.outputFolder(Files.createDirectories(dir.resolve("out")));
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        Files.createSymbolicLink(out.resolve("1_trouser"), elsewhere);
        ConvscopeException e = assertThrows(ConvscopeException.class, () -> hello(out.resolve("1_trouser/01_conv.png")));
        assertTrue(e.getMessage().contains("1_trouser is a symbolic link inside the output folder"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        assertEquals(List.of(), filesBelow(elsewhere));
        // deeper, and a link as the file name itself: the link is replaced, its target untouched
        Files.createDirectories(out.resolve("a"));
        Files.createSymbolicLink(out.resolve("a/b"), elsewhere);
        assertThrows(ConvscopeException.class, () -> hello(out.resolve("a/b/c/x.png")));
        Path victim = Files.writeString(elsewhere.resolve("victim.txt"), "keep");
        Files.createSymbolicLink(out.resolve("x.png"), victim);
        hello(out.resolve("x.png"));
        assertEquals("keep", Files.readString(victim));
        assertEquals("hello", Files.readString(out.resolve("x.png")));
        assertFalse(Files.isSymbolicLink(out.resolve("x.png")));
    }

    @Test
    void anAbsentOutputFolderIsMadeByTheFirstWriteNotByTheCheck() throws IOException {
        Path out = dir.resolve("later/out");
        AtomicFiles.outputFolder(out);
        assertFalse(Files.exists(dir.resolve("later")), "a run that fails before writing leaves nothing");
        hello(out.resolve("x.png"));
        assertEquals("hello", Files.readString(out.resolve("x.png")));
    }

    @Test
    void theOutputFolderItselfMayBeALink() throws IOException {
        Path real = Files.createDirectories(dir.resolve("real"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), real);
        AtomicFiles.outputFolder(link);
        hello(link.resolve("sub/x.png"));
        assertEquals("hello", Files.readString(real.resolve("sub/x.png")));
    }

    @Test
    void unwritableFoldersAndLoopsFailAtOnceWithTheReason() throws IOException {
        Path file = Files.writeString(dir.resolve("file"), "x");
        ConvscopeException e = assertThrows(ConvscopeException.class, () -> AtomicFiles.outputFolder(file));
        assertEquals("--out " + file + " is a file, not a folder", io.convscope.Flagged.flags(e));
        e = assertThrows(ConvscopeException.class, () -> AtomicFiles.outputFolder(file.resolve("sub")));
        assertTrue(e.getMessage().contains("cannot write there") && e.getMessage().contains("not a folder"), e.getMessage());
        Path loop = Files.createSymbolicLink(dir.resolve("loop"), Path.of("loop"));
        e = assertThrows(ConvscopeException.class, () -> AtomicFiles.outputFolder(loop));
        assertTrue(e.getMessage().contains("symbolic link loop"), e.getMessage());
        e = assertThrows(ConvscopeException.class, () -> AtomicFiles.outputFile(loop.resolve("x.png"), "--out"));
        assertTrue(e.getMessage().contains("symbolic link loop"), e.getMessage());
        assertEquals("permission denied", FileProblems.reason(new java.nio.file.AccessDeniedException("/x")));
        assertEquals("symbolic link loop", FileProblems.whyMissing(loop));
        assertEquals("not found", FileProblems.whyMissing(dir.resolve("nothing")));
    }

    @Test
    void temporaryFilesOfKilledRunsAreRemovedByTheNextRun() throws Exception {
        Path out = Files.createDirectories(dir.resolve("out2"));
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        long dead = p.pid();
        Path deadTmp = Files.write(out.resolve(".01_block1_conv1.png." + dead + "-123456.tmp"), new byte[0]);
        Path liveTmp = Files.write(out.resolve(".02_block1_conv2.png." + ProcessHandle.current().parent().orElseThrow().pid()
                + "-123456.tmp"), new byte[0]);
        Path oldUntagged = Files.write(out.resolve(".03_x.png.8812345.tmp"), new byte[0]);
        Files.setLastModifiedTime(oldUntagged, FileTime.fromMillis(System.currentTimeMillis() - TimeUnit.HOURS.toMillis(1)));
        Path freshUntagged = Files.write(out.resolve(".04_x.png.8812345.tmp"), new byte[0]);
        Path userFile = Files.write(out.resolve(".notes.tmp"), new byte[0]);

        AtomicFiles.outputFolder(out);

        assertFalse(Files.exists(deadTmp), "the process that wrote it is gone");
        assertFalse(Files.exists(oldUntagged));
        assertTrue(Files.exists(liveTmp), "a live process may still be writing it");
        assertTrue(Files.exists(freshUntagged));
        assertTrue(Files.exists(userFile), "not a temporary file of ours");

        // a folder below the output folder is cleaned when first written to
        Path sub = Files.createDirectories(out.resolve("7_sneaker"));
        Path deadSub = Files.write(sub.resolve(".input.png." + dead + "-99.tmp"), new byte[0]);
        hello(sub.resolve("input.png"));
        assertFalse(Files.exists(deadSub));
    }

    @Test
    void afterASignalNoWriteStarts() throws IOException {
        Path out = AtomicFiles.outputFolder(Files.createDirectories(dir.resolve("out3")));
        Interrupts.simulate(15);
        Interrupts.Stopped s = assertThrows(Interrupts.Stopped.class, () -> hello(out.resolve("x.png")));
        assertEquals(143, s.exitCode());
        assertEquals(List.of(), filesBelow(out));
    }
}
