package io.convscope.cli;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The launcher records its class-data archive from {@link ArchiveTraining}: when one of its commands
 * stops running (an option renamed, say), the launcher makes no archive and every start is slower,
 * without a word. So: every command runs, and the temporary folder is gone afterwards.
 */
@Tag("slow")
class ArchiveTrainingTest {
    @Test
    void everyCommandOfTheTrainingRunsAndLeavesNothingBehind() throws Exception {
        Path samples = Path.of("..", "samples");
        assumeTrue(Files.isDirectory(samples.resolve("fashion-mnist")), "skipped: no samples folder");
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        long before = countTemporaryFolders(tmp);
        assertEquals(0, ArchiveTraining.train(samples), "commands that failed");
        assertEquals(before, countTemporaryFolders(tmp), "the training's temporary folder is deleted");
    }

    private static long countTemporaryFolders(Path tmp) throws Exception {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.filter(p -> p.getFileName().toString().startsWith("convscope-archive-")).count();
        }
    }
}
