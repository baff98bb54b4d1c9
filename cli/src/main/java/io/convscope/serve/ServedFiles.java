package io.convscope.serve;

import io.convscope.ConvscopeException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** The one check that a name asked for over HTTP stays inside a served folder. */
final class ServedFiles {
    private ServedFiles() {
    }

    /**
     * The regular file {@code relative} below {@code root} (a real path). Refuses "..", absolute names,
     * backslashes, NULs and any link that leads out of {@code root}: the real path must lie inside it.
     */
    static Path inside(Path root, String relative, String what) {
        if (relative.contains("\0") || relative.contains("\\") || relative.startsWith("/")) {
            throw new ConvscopeException("no such " + what);
        }
        for (String part : relative.split("/", -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                throw new ConvscopeException("no such " + what);
            }
        }
        try {
            Path p = root.resolve(relative).normalize();
            if (!p.startsWith(root) || !Files.isRegularFile(p)) {
                throw new ConvscopeException("no such " + what);
            }
            Path real = p.toRealPath();
            if (!real.startsWith(root)) {
                throw new ConvscopeException("no such " + what);
            }
            return real;
        } catch (InvalidPathException | IOException e) {
            throw new ConvscopeException("no such " + what);
        }
    }

    /** Deletes a folder and what it holds, quietly (a temporary folder of the server's own). */
    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }
}
