package io.convscope.util;

import io.convscope.ConvscopeException;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writes files so that nothing half-written is ever seen under the final name: the content goes to a
 * temporary file in the same folder ({@code .NAME.RANDOM.tmp}), which is renamed onto the final name
 * only once it is complete (atomically where the file system can). If writing fails, the temporary
 * file is removed and the final name is left as it was (absent, or its previous content).
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /** Writes content to a stream; may throw {@link IOException}. */
    @FunctionalInterface
    public interface IOConsumer<T> {
        /** Writes to {@code t}. */
        void accept(T t) throws IOException;
    }

    /**
     * Writes {@code file} atomically: {@code content} writes into a buffered stream on a temporary file
     * beside {@code file} (folders are created as needed); on success the temporary file is made
     * readable by all (rw-r--r--) and renamed onto {@code file}, replacing an older file.
     *
     * @throws ConvscopeException when the file cannot be written ("cannot write FILE: reason"); the
     *     temporary file is removed
     * @throws RuntimeException   what {@code content} throws, unchanged; the temporary file is removed
     */
    public static void write(Path file, IOConsumer<OutputStream> content) {
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
                content.accept(out);
            }
            readableByAll(tmp);
            moveIntoPlace(tmp, target);
            tmp = null;
        } catch (IOException e) {
            throw new ConvscopeException("cannot write " + file + ": " + e, e);
        } finally {
            deleteQuietly(tmp);
        }
    }

    /** Renames {@code from} onto {@code to}, atomically where the file system can, replacing {@code to}. */
    public static void moveIntoPlace(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Temporary files are private (rw-------); a finished output is an ordinary file (rw-r--r--). */
    private static void readableByAll(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the default permissions are fine
        }
    }

    private static void deleteQuietly(Path tmp) {
        if (tmp == null) {
            return;
        }
        try {
            Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
            // the temporary file stays behind; nothing more to do
        }
    }
}
