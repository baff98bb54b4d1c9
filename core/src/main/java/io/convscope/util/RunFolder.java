package io.convscope.util;

import io.convscope.ConvscopeException;
import io.convscope.Setting;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An output folder that holds one run only: the run writes into a new folder beside it
 * ({@code .NAME.convscope-new-PID-RANDOM}), which replaces the output folder as a whole once the run
 * has succeeded, so that a one-image run after a ten-image run leaves none of the older run's files,
 * and a failed run leaves the folder as it was (and makes no empty one).
 *
 * <p>Only convscope's own output is ever replaced: a folder is replaced when it is absent, empty, or
 * holds the {@link #MARKER} file every finished run writes (or, for runs of earlier versions, all of
 * the files the caller names as its signature, such as {@code index.html} and {@code stats.json}).
 * Any other folder is refused before any work, with one line. A folder given as a symbolic link is
 * replaced where the link points, and the link is kept.
 *
 * <p>Folders of runs that were killed ({@code .NAME.convscope-new-…}, {@code .NAME.convscope-old-…}
 * of a process that is gone) are removed by the next run into the same folder; a run stopped by a
 * signal removes its own ({@link #deleteUnfinished}).
 */
public final class RunFolder {
    /** The file that marks a folder as a finished convscope run's output. */
    public static final String MARKER = ".convscope-run";

    private static final long PID = ProcessHandle.current().pid();
    private static final Pattern SIBLING = Pattern.compile("\\.(.+)\\.convscope-(?:new|old)-(\\d+)-\\d+");
    private static final Set<Path> LIVE = ConcurrentHashMap.newKeySet();

    private RunFolder() {
    }

    /**
     * Checks before any work that {@code dir} may be replaced by a run's output: absent, an empty
     * folder, or a convscope output (its {@link #MARKER}, or every one of {@code signature}).
     *
     * @throws ConvscopeException "OUT DIR holds files that are not a convscope output; …" otherwise
     */
    public static void requireReplaceable(Path dir, List<String> signature) {
        Path real = target(dir);
        if (!Files.isDirectory(real) || isOutput(real, signature)) {
            return;
        }
        throw new ConvscopeException(Setting.OUT + " " + dir + " holds files that are not a convscope output, and a run replaces "
                + "its folder as a whole; choose another (new or empty) " + Setting.OUT);
    }

    /** True when {@code dir} (a folder) is empty or a convscope run's output. */
    static boolean isOutput(Path dir, List<String> signature) {
        if (Files.isRegularFile(dir.resolve(MARKER), LinkOption.NOFOLLOW_LINKS)) {
            return true;
        }
        if (!signature.isEmpty() && signature.stream().allMatch(f -> Files.isRegularFile(dir.resolve(f), LinkOption.NOFOLLOW_LINKS))) {
            return true;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            return !ds.iterator().hasNext();
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Runs {@code run} on a new folder beside {@code dir}, writes the {@link #MARKER} there, and puts
     * that folder in {@code dir}'s place (the older output is removed); when {@code run} throws, its
     * folder is removed and {@code dir} is left as it was, with nothing made that was not there.
     *
     * @return what {@code run} returned
     * @throws ConvscopeException when {@code dir} is not a convscope output ({@link #requireReplaceable})
     *     or the folders cannot be made or renamed (with the reason)
     */
    public static <T> T replace(Path dir, List<String> signature, Function<Path, T> run) {
        requireReplaceable(dir, signature);
        Path real = target(dir);
        Path parent = real.getParent();
        String name = real.getFileName().toString();
        List<Path> made = new ArrayList<>();
        Path fresh = null;
        try {
            for (Path p = parent; p != null && !Files.exists(p); p = p.getParent()) {
                made.add(0, p);
            }
            Files.createDirectories(parent);
            cleanStale(parent, name);
            fresh = parent.resolve("." + name + ".convscope-new-" + PID + "-" + ThreadLocalRandom.current().nextInt(1 << 30));
            Files.createDirectory(fresh);
            LIVE.add(fresh);
            AtomicFiles.outputFolder(fresh);
            T result = run.apply(fresh);
            AtomicFiles.write(fresh.resolve(MARKER), o -> o.write("convscope output: this folder is replaced by the next run\n"
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            requireReplaceable(dir, signature); // nothing else came in meanwhile
            if (Files.exists(real, LinkOption.NOFOLLOW_LINKS)) {
                Path old = parent.resolve("." + name + ".convscope-old-" + PID + "-" + ThreadLocalRandom.current().nextInt(1 << 30));
                LIVE.add(old);
                Files.move(real, old, StandardCopyOption.ATOMIC_MOVE);
                Files.move(fresh, real, StandardCopyOption.ATOMIC_MOVE);
                LIVE.remove(fresh);
                deleteTree(old);
                LIVE.remove(old);
            } else {
                Files.move(fresh, real, StandardCopyOption.ATOMIC_MOVE);
                LIVE.remove(fresh);
            }
            fresh = null;
            made.clear();
            return result;
        } catch (IOException e) {
            throw new ConvscopeException(Setting.OUT + " " + dir + ": cannot write there (" + AtomicFiles.reason(e) + ")", e);
        } finally {
            if (fresh != null) {
                deleteQuietly(fresh);
                LIVE.remove(fresh);
            }
            for (int i = made.size() - 1; i >= 0; i--) {
                try {
                    Files.deleteIfExists(made.get(i)); // only when still empty
                } catch (IOException ignored) {
                    // something else was written there: keep it
                }
            }
        }
    }

    /** Removes the folders of runs in progress (for a process about to halt). */
    public static void deleteUnfinished() {
        for (Path p : LIVE) {
            if (p.getFileName().toString().contains(".convscope-new-")) {
                deleteQuietly(p);
            }
        }
    }

    /** Where {@code dir} is: the folder a link points to, else {@code dir} itself (absolute). */
    private static Path target(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        try {
            if (Files.isSymbolicLink(abs) && Files.isDirectory(abs)) {
                return abs.toRealPath();
            }
        } catch (IOException e) {
            // checked when written
        }
        return abs;
    }

    /** Removes the new and old folders that killed runs into {@code parent/name} left behind. */
    private static void cleanStale(Path parent, String name) {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(parent, "." + globSafe(name) + ".convscope-*")) {
            for (Path p : ds) {
                Matcher m = SIBLING.matcher(p.getFileName().toString());
                if (m.matches() && m.group(1).equals(name)) {
                    long pid = Long.parseLong(m.group(2));
                    if (pid != PID && ProcessHandle.of(pid).isEmpty()) {
                        deleteQuietly(p);
                    }
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // nothing to clean, or it cannot be listed: the run says why when it writes
        }
    }

    private static String globSafe(String s) {
        return s.replaceAll("([\\\\*?\\[\\]{}])", "\\\\$1");
    }

    /** Deletes a folder and everything below it, never following a link (a link is removed, not its target). */
    static void deleteTree(Path root) throws IOException {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.deleteIfExists(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static void deleteQuietly(Path p) {
        try {
            if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                deleteTree(p);
            }
        } catch (IOException ignored) {
            // left behind: the next run into the same folder removes it
        }
    }
}
