package io.convscope.util;

import io.convscope.ConvscopeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AtomicFilesTest {

    @TempDir
    Path dir;

    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void writesTheFileAndNothingElse() throws IOException {
        Path file = dir.resolve("sub/01_block1_conv1.png");
        AtomicFiles.write(file, out -> out.write("hello".getBytes(StandardCharsets.UTF_8)));
        assertEquals("hello", Files.readString(file));
        try (Stream<Path> s = Files.list(file.getParent())) {
            assertEquals(1, s.count());
        }
        try {
            assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        } catch (UnsupportedOperationException e) {
            // not POSIX: nothing to check
        }
    }

    @Test
    void aWriterThatFailsLeavesNoFile() throws IOException {
        Path file = dir.resolve("out.png");
        ConvscopeException e = assertThrows(ConvscopeException.class, () -> AtomicFiles.write(file, out -> {
            out.write(new byte[100_000]);
            throw new IOException("disk full");
        }));
        assertTrue(e.getMessage().startsWith("cannot write " + file), e.getMessage());
        assertTrue(e.getMessage().contains("disk full"), e.getMessage());
        assertEquals(List.of(), names());
    }

    @Test
    void aRuntimeExceptionPassesThroughAndLeavesNoFile() throws IOException {
        Path file = dir.resolve("out.gif");
        IllegalStateException boom = new IllegalStateException("boom");
        IllegalStateException got = assertThrows(IllegalStateException.class,
                () -> AtomicFiles.write(file, out -> {
                    out.write(1);
                    throw boom;
                }));
        assertSame(boom, got);
        assertEquals(List.of(), names());
    }

    @Test
    void aFailedRewriteKeepsTheOldContent() throws IOException {
        Path file = dir.resolve("index.html");
        AtomicFiles.write(file, out -> out.write('A'));
        assertThrows(ConvscopeException.class, () -> AtomicFiles.write(file, out -> {
            out.write('B');
            throw new IOException("interrupted");
        }));
        assertEquals("A", Files.readString(file));
        assertEquals(List.of("index.html"), names());
        AtomicFiles.write(file, out -> out.write('C'));
        assertEquals("C", Files.readString(file));
    }

    @Test
    void anUnwritableFolderIsAOneLineError() throws IOException {
        Path blocker = dir.resolve("file");
        Files.writeString(blocker, "x");
        ConvscopeException e = assertThrows(ConvscopeException.class,
                () -> AtomicFiles.write(blocker.resolve("a.png"), out -> out.write(1)));
        assertFalse(e.getMessage().contains("\n"));
        assertTrue(e.getMessage().startsWith("cannot write "), e.getMessage());
    }
}
