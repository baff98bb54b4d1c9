package io.convscope.probe;

import io.convscope.ConvscopeException;
import io.convscope.Setting;
import io.convscope.util.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** What the probes share about their output: the folder, file-name-safe labels, numbering. */
public final class Outputs {
    private Outputs() {
    }

    /**
     * Checks the output folder before any work (see {@link AtomicFiles#outputFolder}): not a file, writable,
     * stale temporaries removed, never written through a symbolic link below it. An absent folder is made by
     * the first write, so a run that fails first leaves nothing.
     */
    public static void requireFolder(Path out) {
        AtomicFiles.outputFolder(out);
    }

    /** The output folder, checked as {@link #requireFolder} and created. */
    public static Path folder(Path out) {
        requireFolder(out);
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new ConvscopeException(Setting.OUT + " " + out + ": cannot write there (" + AtomicFiles.reason(e) + ")");
        }
        return out;
    }

    /** A file-name-safe form of a label: "Egyptian cat" → "egyptian_cat". */
    public static String slug(String s) {
        String t = s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_").replaceAll("^_+|_+$", "");
        return t.isEmpty() ? "x" : t.length() > 40 ? t.substring(0, 40) : t;
    }

    /** Two digits, or three from 100 items on, so files sort in order. */
    public static String number(int i, int count) {
        return String.format(Locale.ROOT, count >= 100 ? "%03d" : "%02d", i);
    }

    /** A file's name without its extension: "cat.jpg" → "cat". */
    public static String stem(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }
}
