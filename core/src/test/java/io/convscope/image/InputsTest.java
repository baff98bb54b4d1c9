package io.convscope.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.convscope.ConvscopeException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InputsTest {
    @TempDir
    Path dir;

    private Path touch(Path p) throws Exception {
        Files.createDirectories(p.getParent());
        return Files.write(p, new byte[] {1});
    }

    @Test
    void folderGivesItsImagesSortedByNameSkippingHiddenAndOtherFiles() throws Exception {
        Path folder = dir.resolve("pics");
        touch(folder.resolve("b.png"));
        touch(folder.resolve("a10.jpg"));
        touch(folder.resolve("a2.JPEG"));
        touch(folder.resolve("C.gif"));
        touch(folder.resolve("d.bmp"));
        touch(folder.resolve(".hidden.png"));
        touch(folder.resolve("notes.txt"));
        touch(folder.resolve("sub/inner.png"));
        List<Path> out = Inputs.expand(List.of(folder.toString()));
        assertEquals(List.of("C.gif", "a10.jpg", "a2.JPEG", "b.png", "d.bmp"),
                out.stream().map(p -> p.getFileName().toString()).toList());
    }

    @Test
    void filesAndFoldersKeepArgumentOrder() throws Exception {
        Path single = touch(dir.resolve("z.weird"));
        Path folder = dir.resolve("f");
        touch(folder.resolve("y.png"));
        touch(folder.resolve("x.png"));
        List<Path> out = Inputs.expand(List.of(single.toString(), folder.toString()));
        assertEquals(List.of(single, folder.resolve("x.png"), folder.resolve("y.png")), out);
    }

    @Test
    void emptyFolderIsAnError() throws Exception {
        Path empty = Files.createDirectory(dir.resolve("empty"));
        ConvscopeException e = assertThrows(ConvscopeException.class, () -> Inputs.expand(List.of(empty.toString())));
        assertTrue(e.getMessage().startsWith(empty + ": folder has no images"), e.getMessage());
        touch(empty.resolve("readme.txt"));
        touch(empty.resolve(".x.png"));
        assertThrows(ConvscopeException.class, () -> Inputs.expand(List.of(empty.toString())));
    }

    @Test
    void missingPathAndNoArgumentsAreErrors() {
        ConvscopeException e = assertThrows(ConvscopeException.class,
                () -> Inputs.expand(List.of(dir.resolve("ghost.png").toString())));
        assertTrue(e.getMessage().endsWith("ghost.png: no such file or folder"), e.getMessage());
        assertThrows(ConvscopeException.class, () -> Inputs.expand(List.of()));
    }
}
