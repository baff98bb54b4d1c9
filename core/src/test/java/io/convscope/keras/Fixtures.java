package io.convscope.keras;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the shared real-world fixtures are: system property convscope.shared, else ../shared (or ../../shared). */
public final class Fixtures {
    private Fixtures() {
    }

    public static Path shared() {
        String p = System.getProperty("convscope.shared");
        if (p != null && Files.isDirectory(Path.of(p))) {
            return Path.of(p);
        }
        // from the module directory (core/) the folder beside the checkout is one more level up
        for (Path candidate : new Path[] {Path.of("..", "shared"), Path.of("..", "..", "shared")}) {
            if (Files.isDirectory(candidate)) {
                return candidate.toAbsolutePath().normalize();
            }
        }
        return Path.of("..", "shared").toAbsolutePath().normalize();
    }

    public static Path fixture(String relative) {
        return shared().resolve("fixtures").resolve(relative);
    }
}
