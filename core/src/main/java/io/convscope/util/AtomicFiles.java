package io.convscope.util;

import io.convscope.ConvscopeException;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes files so that nothing half-written is ever seen under the final name: the content goes to a
 * temporary file in the same folder ({@code .NAME.PID-RANDOM.tmp}, PID being the writing process),
 * which is renamed onto the final name only once it is complete (atomically where the file system
 * can). If writing fails, the temporary file is removed and the final name is left as it was
 * (absent, or its previous content).
 *
 * <p>Output folders: a command declares its output folder with {@link #outputFolder} (or, for a
 * single file, {@link #outputFile}) before it computes anything. That checks that the folder can be
 * written, or made where it is missing (failing early, with the reason: "permission denied",
 * "symbolic link loop", …; an absent folder is made by the first write, so a run that fails before
 * writing leaves nothing), removes
 * temporary files that killed runs left there, and marks the folder so that {@link #write} never
 * follows a symbolic link below it: a link planted inside the output folder is refused, so no write
 * lands outside it. The folder named by the user may itself be a link.
 *
 * <p>Temporary files of writes in progress are known to {@link #deleteTemporaries}, which a process
 * stopped by a signal calls before it halts; those a killed process left behind are removed by the
 * next run that writes into the folder (a temporary file whose process is gone).
 */
public final class AtomicFiles {
    /** A temporary file without a process id (older versions) is stale once unmodified this long. */
    private static final long STALE_UNTAGGED_MILLIS = TimeUnit.MINUTES.toMillis(10);
    private static final Pattern TEMPORARY = Pattern.compile("\\..+\\.(?:(\\d+)-)?\\d+\\.tmp");
    private static final long PID = ProcessHandle.current().pid();

    private static final Set<Path> LIVE = ConcurrentHashMap.newKeySet();
    private static final Set<Path> CLEANED = ConcurrentHashMap.newKeySet();
    private static final Set<Path> ROOTS = ConcurrentHashMap.newKeySet();

    private AtomicFiles() {
    }

    /** Writes content to a stream; may throw {@link IOException}. */
    @FunctionalInterface
    public interface IOConsumer<T> {
        /** Writes to {@code t}. */
        void accept(T t) throws IOException;
    }

    /**
     * Prepares an output folder before any work: creates it, checks that files can be created in it,
     * removes stale temporary files, and marks it so that writes below it never follow a symbolic link.
     *
     * @return {@code dir}
     * @throws ConvscopeException "OUT DIR: REASON" (the output setting) when it is a file or cannot be created or written
     */
    public static Path outputFolder(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        try {
            BasicFileAttributes a = attributes(abs, true);
            if (a != null && !a.isDirectory()) {
                throw new ConvscopeException(io.convscope.Setting.OUT + " " + dir + " is a file, not a folder");
            }
            // an absent folder is made by the first write: a run that fails before writing leaves nothing
            probe(a != null ? abs : nearestExisting(abs));
        } catch (IOException e) {
            throw new ConvscopeException(io.convscope.Setting.OUT + " " + dir + ": cannot write there (" + reason(e) + ")", e);
        }
        ROOTS.add(abs);
        cleanStale(abs);
        return dir;
    }

    /**
     * As {@link #outputFolder} for a single output file: its folder must be writable, and the file
     * must not be a folder.
     *
     * @return {@code file}
     */
    public static Path outputFile(Path file, Object option) {
        Path abs = file.toAbsolutePath().normalize();
        Path dir = abs.getParent();
        try {
            BasicFileAttributes a = attributes(abs, true);
            if (a != null && a.isDirectory()) {
                throw new ConvscopeException(option + " " + file + " is a folder; give a file name");
            }
            BasicFileAttributes d = attributes(dir, true);
            if (d != null && !d.isDirectory()) {
                throw new ConvscopeException(option + " " + file + ": " + dir + " is a file, not a folder");
            }
            probe(d != null ? dir : nearestExisting(dir));
        } catch (IOException e) {
            throw new ConvscopeException(option + " " + file + ": cannot write there (" + reason(e) + ")", e);
        }
        ROOTS.add(dir);
        cleanStale(dir);
        return file;
    }

    /**
     * Writes {@code file} atomically: {@code content} writes into a buffered stream on a temporary file
     * beside {@code file} (folders are created as needed, never through a symbolic link inside an
     * {@linkplain #outputFolder output folder}); on success the temporary file is made readable by all
     * (rw-r--r--) and renamed onto {@code file}, replacing an older file (or a link of that name).
     *
     * @throws ConvscopeException when the file cannot be written ("cannot write FILE: reason"); the
     *     temporary file is removed
     * @throws RuntimeException   what {@code content} throws, unchanged; the temporary file is removed
     * @throws Interrupts.Stopped when a signal came: nothing is started
     */
    public static void write(Path file, IOConsumer<OutputStream> content) {
        Interrupts.check();
        writeAnyway(file, content);
    }

    /**
     * {@link #write} even after a signal or a cancellation: for the state that lets a stopped run go on
     * later (a checkpoint written on the way out), never for results.
     */
    public static void writeAnyway(Path file, IOConsumer<OutputStream> content) {
        Path target = file.toAbsolutePath().normalize();
        Path dir = target.getParent();
        Path tmp = null;
        try {
            prepareFolder(dir);
            cleanStale(dir);
            tmp = Files.createTempFile(dir, "." + target.getFileName() + "." + PID + "-", ".tmp");
            LIVE.add(tmp);
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
                content.accept(out);
            }
            readableByAll(tmp);
            moveIntoPlace(tmp, target);
            LIVE.remove(tmp);
            tmp = null;
        } catch (IOException e) {
            throw new ConvscopeException("cannot write " + file + ": " + reason(e), e);
        } finally {
            if (tmp != null) {
                deleteQuietly(tmp);
                LIVE.remove(tmp);
            }
        }
    }

    /** Deletes the temporary files of writes in progress (for a process about to halt). */
    public static void deleteTemporaries() {
        for (Path p : LIVE) {
            deleteQuietly(p);
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

    /** A short reason for a failed file operation; see {@link FileProblems#reason}. */
    public static String reason(IOException e) {
        return FileProblems.reason(e);
    }

    // ---- folders -------------------------------------------------------------------------------

    /** Creates {@code dir}; below an output folder, one level at a time and never through a link. */
    private static void prepareFolder(Path dir) throws IOException {
        Path root = rootOf(dir);
        if (root == null) {
            createFolders(dir);
            return;
        }
        if (attributes(root, true) == null) {
            createFolders(root);
        }
        Path p = root;
        for (Path part : root.relativize(dir)) {
            if (part.toString().isEmpty()) {
                continue;
            }
            p = p.resolve(part);
            BasicFileAttributes a = attributes(p, false);
            if (a == null) {
                try {
                    Files.createDirectory(p);
                } catch (FileAlreadyExistsException e) {
                    // made by a parallel writer: checked below
                }
                a = attributes(p, false);
            }
            if (a == null || a.isSymbolicLink()) {
                throw new ConvscopeException(p + " is a symbolic link inside the output folder " + root
                        + "; convscope does not write through links there: remove it, or choose another " + io.convscope.Setting.OUT);
            }
            if (!a.isDirectory()) {
                throw new ConvscopeException("cannot write into " + p + ": it is a file, not a folder");
            }
        }
    }

    private static Path rootOf(Path dir) {
        Path best = null;
        for (Path r : ROOTS) {
            if (dir.startsWith(r) && (best == null || r.getNameCount() > best.getNameCount())) {
                best = r;
            }
        }
        return best;
    }

    /** Files.createDirectories, reporting a symbolic link loop as one (not as "file exists"). */
    private static void createFolders(Path dir) throws IOException {
        try {
            Files.createDirectories(dir);
        } catch (FileAlreadyExistsException e) {
            for (Path p = dir; p != null; p = p.getParent()) {
                BasicFileAttributes a = attributes(p, false);
                if (a != null && a.isSymbolicLink() && attributes(p, true) == null) {
                    p.toRealPath(); // throws "Too many levels of symbolic links" for a loop
                }
            }
            throw e;
        }
    }

    /**
     * The nearest ancestor of an absent {@code dir} that exists, which must be a folder: the folder
     * the missing ones would be made in. Throws what creating {@code dir} would (a file in the way, a
     * symbolic link loop).
     */
    private static Path nearestExisting(Path dir) throws IOException {
        for (Path p = dir; p != null; p = p.getParent()) {
            BasicFileAttributes nofollow = attributes(p, false);
            if (nofollow == null) {
                continue;
            }
            if (nofollow.isSymbolicLink() && attributes(p, true) == null) {
                p.toRealPath(); // a loop or a broken link: throws with the reason
                throw new java.nio.file.NoSuchFileException(p.toString(), null, "a broken link");
            }
            if (!Files.isDirectory(p)) {
                throw new java.nio.file.FileSystemException(p.toString(), null, "Not a directory");
            }
            return p;
        }
        throw new java.nio.file.NoSuchFileException(dir.toString());
    }

    /** Creates and deletes a file in {@code dir}: the only test of writability that root cannot pass by fiat. */
    private static void probe(Path dir) throws IOException {
        Path p = Files.createTempFile(dir, ".convscope-probe." + PID + "-", ".tmp");
        Files.deleteIfExists(p);
    }

    /**
     * Removes, once per process and folder, the temporary files that killed runs left in {@code dir}:
     * those of a process that is gone, and untagged ones not modified for ten minutes.
     */
    private static void cleanStale(Path dir) {
        if (!CLEANED.add(dir)) {
            return;
        }
        long cutoff = System.currentTimeMillis() - STALE_UNTAGGED_MILLIS;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, ".*.tmp")) {
            for (Path p : ds) {
                Matcher m = TEMPORARY.matcher(p.getFileName().toString());
                if (!m.matches()) {
                    continue;
                }
                try {
                    BasicFileAttributes a = attributes(p, false);
                    if (a == null || !a.isRegularFile()) {
                        continue;
                    }
                    boolean stale;
                    if (m.group(1) != null) {
                        long pid = Long.parseLong(m.group(1));
                        stale = pid != PID && ProcessHandle.of(pid).isEmpty();
                    } else {
                        stale = a.lastModifiedTime().toMillis() < cutoff;
                    }
                    if (stale) {
                        Files.deleteIfExists(p);
                    }
                } catch (IOException | NumberFormatException ignored) {
                    // another process may be removing it too
                }
            }
        } catch (IOException ignored) {
            // nothing to clean, or the folder cannot be listed: writing will say why
        }
    }

    private static BasicFileAttributes attributes(Path p, boolean follow) {
        try {
            return follow ? Files.readAttributes(p, BasicFileAttributes.class)
                    : Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return null;
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
            // the temporary file stays behind; the next run removes it
        }
    }
}
