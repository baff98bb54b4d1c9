package io.convscope.util;

import io.convscope.ConvscopeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A run's output folder holds that run only, and only convscope's own folders are replaced. */
class RunFolderTest {
    @TempDir
    Path tmp;

    static final List<String> SIGNATURE = List.of("index.html", "stats.json");

    static List<String> tree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString().replace('\\', '/')).sorted().toList();
        }
    }

    static void write(Path f, String s) {
        AtomicFiles.write(f, o -> o.write(s.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    @Test
    void aSecondRunLeavesNoneOfTheFirstRunsFiles() throws IOException {
        Path out = tmp.resolve("out");
        RunFolder.replace(out, SIGNATURE, d -> {
            for (int i = 0; i < 3; i++) {
                write(d.resolve("img" + i).resolve("a.png"), "x" + i);
            }
            write(d.resolve("compare").resolve("a.png"), "c");
            write(d.resolve("index.html"), "first");
            return null;
        });
        assertEquals(List.of(".convscope-run", "compare/a.png", "img0/a.png", "img1/a.png", "img2/a.png", "index.html"), tree(out));
        String r = RunFolder.replace(out, SIGNATURE, d -> {
            write(d.resolve("img0").resolve("a.png"), "new");
            write(d.resolve("index.html"), "second");
            return "done";
        });
        assertEquals("done", r);
        // was: the first run's compare/, img1/ and img2/ beside the new index.html
        assertEquals(List.of(".convscope-run", "img0/a.png", "index.html"), tree(out));
        assertEquals("second", Files.readString(out.resolve("index.html")));
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(List.of("out"), s.map(p -> p.getFileName().toString()).toList(), "no new or old folder left beside it");
        }
    }

    @Test
    void aFailedRunLeavesNothingNewAndTheOldOutputAsItWas() throws IOException {
        Path out = tmp.resolve("a").resolve("b").resolve("out");
        assertThrows(IllegalStateException.class, () -> RunFolder.replace(out, SIGNATURE, d -> {
            write(d.resolve("x.png"), "half");
            throw new IllegalStateException("failed");
        }));
        assertFalse(Files.exists(tmp.resolve("a")), "no empty folders made");
        Path kept = tmp.resolve("kept");
        RunFolder.replace(kept, SIGNATURE, d -> {
            write(d.resolve("index.html"), "good");
            return null;
        });
        assertThrows(ConvscopeException.class, () -> RunFolder.replace(kept, SIGNATURE, d -> {
            throw new ConvscopeException("no");
        }));
        assertEquals(List.of(".convscope-run", "index.html"), tree(kept));
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(List.of("kept"), s.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void aFolderThatIsNotAConvscopeOutputIsRefusedBeforeAnyWork() throws IOException {
        Path mine = tmp.resolve("mine");
        Files.createDirectories(mine);
        Files.writeString(mine.resolve("thesis.tex"), "precious");
        ConvscopeException e = assertThrows(ConvscopeException.class, () -> RunFolder.requireReplaceable(mine, SIGNATURE));
        assertTrue(e.getMessage().contains("not a convscope output") && !e.getMessage().contains("\n"), e.getMessage());
        boolean[] ran = {false};
        assertThrows(ConvscopeException.class, () -> RunFolder.replace(mine, SIGNATURE, d -> ran[0] = true));
        assertFalse(ran[0], "refused before the run");
        assertEquals(List.of("thesis.tex"), tree(mine));
        // an empty folder, and an earlier version's output (its index.html and stats.json), are replaced
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        RunFolder.requireReplaceable(empty, SIGNATURE);
        Path legacy = Files.createDirectories(tmp.resolve("legacy"));
        Files.writeString(legacy.resolve("index.html"), "old");
        Files.writeString(legacy.resolve("stats.json"), "{}");
        Files.writeString(legacy.resolve("stale.png"), "old");
        RunFolder.replace(legacy, SIGNATURE, d -> {
            write(d.resolve("index.html"), "new");
            return null;
        });
        assertEquals(List.of(".convscope-run", "index.html"), tree(legacy));
    }

    @Test
    void replacingNeverFollowsALinkInsideTheOldOutput() throws IOException {
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(outside.resolve("keep.txt"), "keep");
        Path out = tmp.resolve("out");
        RunFolder.replace(out, SIGNATURE, d -> {
            write(d.resolve("index.html"), "1");
            return null;
        });
        try {
            Files.createSymbolicLink(out.resolve("link"), outside);
        } catch (UnsupportedOperationException | IOException e) {
            org.junit.jupiter.api.Assumptions.assumeTrue(false, "no symbolic links here");
        }
        RunFolder.replace(out, SIGNATURE, d -> {
            write(d.resolve("index.html"), "2");
            return null;
        });
        assertEquals("keep", Files.readString(outside.resolve("keep.txt")), "the link's target survives");
        assertFalse(Files.exists(out.resolve("link")));
    }
}
