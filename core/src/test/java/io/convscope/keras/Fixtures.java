package io.convscope.keras;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the shared real-world fixtures are: system property convscope.shared, else ../shared. */
final class Fixtures {
    private Fixtures() {
    }

    static Path shared() {
        String p = System.getProperty("convscope.shared");
        if (p != null && Files.isDirectory(Path.of(p))) {
            return Path.of(p);
        }
        return Path.of("..", "shared").toAbsolutePath().normalize();
    }

    static Path fixture(String relative) {
        return shared().resolve("fixtures").resolve(relative);
    }
}
