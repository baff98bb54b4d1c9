package io.convscope.keras;

import io.convscope.ConvscopeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 13, item 7: malformed JSON is one line; what a .keras zip inflates is bounded. */
class KerasHostileFilesTest {
    @TempDir
    Path dir;

    private static String message(Path f) {
        ConvscopeException e = assertThrows(ConvscopeException.class, () -> KerasImporter.load(f));
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        assertFalse(e.getMessage().contains("http"), "no troubleshooting URL: " + e.getMessage());
        return e.getMessage();
    }

    @Test
    void malformedJsonInAnH5ConfigIsOneLine() {
        Path f = dir.resolve("bad.h5");
        KerasFiles.legacyModel(f, "{\"class_name\": \"Sequential\", \"config\": {\"layers\": [}", "2.15.0",
                KerasHdf5Test.tf2SequentialWeights());
        String m = message(f);
        assertTrue(m.contains("model_config is not valid JSON"), m);
    }

    @Test
    void malformedJsonInAKerasArchiveIsOneLine() throws IOException {
        Path f = dir.resolve("bad.keras");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(f))) {
            z.putNextEntry(new ZipEntry("config.json"));
            z.write("{\"class_name\": 'Functional', \"config\": {\"layers\": [1 2]}}".getBytes());
            z.closeEntry();
        }
        String m = message(f);
        assertTrue(m.contains("config.json is not valid JSON"), m);
    }

    @Test
    void aConfigThatInflatesToGigabytesIsRefusedQuickly() throws IOException {
        // 200 MB of spaces deflate to about 200 KB; the importer must stop after its limit, not inflate it all
        Path f = dir.resolve("bomb.keras");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(f))) {
            z.setLevel(9);
            z.putNextEntry(new ZipEntry("config.json"));
            byte[] spaces = new byte[1 << 20];
            java.util.Arrays.fill(spaces, (byte) ' ');
            OutputStream o = z;
            o.write('{');
            for (int i = 0; i < 200; i++) {
                o.write(spaces);
            }
            o.write('}');
            z.closeEntry();
        }
        assertTrue(Files.size(f) < (2 << 20));
        long t0 = System.nanoTime();
        String m = message(f);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(m.contains("config.json inflates to more than 64 MB"), m);
        assertTrue(ms < 5000, ms + " ms");
    }
}
