package io.convscope.image;

import io.convscope.ConvscopeException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/** Image arguments of the command line: files, or folders standing for the images in them. */
public final class Inputs {
    /** File name extensions taken from folders (lower case). */
    public static final Set<String> EXTENSIONS = Set.of("png", "jpg", "jpeg", "jpe", "jfif", "bmp", "gif");

    private Inputs() {
    }

    /**
     * The image files the arguments stand for, in order: a file is itself (whatever its extension; the
     * loader looks at its content); a folder is its image files (by {@link #EXTENSIONS}, any case), not
     * recursing into subfolders, skipping hidden files, sorted by file name (code-point order).
     *
     * @throws ConvscopeException for no arguments, a path that does not exist, or a folder without
     *                            images
     */
    public static List<Path> expand(List<String> args) {
        if (args.isEmpty()) {
            throw new ConvscopeException("no images given");
        }
        List<Path> out = new ArrayList<>();
        for (String arg : args) {
            Path p = Path.of(arg);
            if (Files.isDirectory(p)) {
                List<Path> found = list(arg, p);
                if (found.isEmpty()) {
                    throw new ConvscopeException(arg + ": folder has no images (" + ImageLoader.FORMATS + " files)");
                }
                out.addAll(found);
            } else if (Files.exists(p)) {
                out.add(p);
            } else {
                String why = io.convscope.util.FileProblems.whyMissing(p);
                throw new ConvscopeException(arg + ": " + (why.equals("not found") ? "no such file or folder" : why));
            }
        }
        return out;
    }

    private static List<Path> list(String arg, Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Inputs::isImageFile)
                    .sorted(Comparator.comparing((Path f) -> f.getFileName().toString()))
                    .toList();
        } catch (IOException | SecurityException e) {
            throw new ConvscopeException(arg + ": cannot list the folder (" + e.getMessage() + ")", e);
        }
    }

    private static boolean isImageFile(Path f) {
        String name = f.getFileName().toString();
        if (name.startsWith(".") || !Files.isRegularFile(f)) {
            return false;
        }
        try {
            if (Files.isHidden(f)) {
                return false;
            }
        } catch (IOException e) {
            return false;
        }
        int dot = name.lastIndexOf('.');
        return dot > 0 && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }
}
