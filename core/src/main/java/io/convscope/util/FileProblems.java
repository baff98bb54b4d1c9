package io.convscope.util;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Locale;

/** Short, lower-case reasons for file problems, for one-line messages ("permission denied", "symbolic link loop"). */
public final class FileProblems {
    private FileProblems() {
    }

    /**
     * A short reason for a failed file operation, without the path: "permission denied",
     * "symbolic link loop", "not found", "not a folder", "file name too long", "read-only file system", ….
     */
    public static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileSystemLoopException) {
            return "symbolic link loop";
        }
        if (e instanceof NoSuchFileException) {
            return "not found";
        }
        if (e instanceof NotDirectoryException) {
            return "not a folder";
        }
        if (e instanceof FileAlreadyExistsException) {
            return "a file of that name is in the way";
        }
        String r = e instanceof FileSystemException f && f.getReason() != null ? f.getReason() : e.getMessage();
        if (r == null || r.isBlank()) {
            return e.getClass().getSimpleName();
        }
        String lower = r.toLowerCase(Locale.ROOT).replace('\n', ' ').replace('\r', ' ');
        if (lower.contains("too many levels of symbolic links")) {
            return "symbolic link loop";
        }
        if (lower.contains("not a directory")) {
            return "a part of the path is a file, not a folder";
        }
        return lower;
    }

    /**
     * Why {@code p}, which {@link Files#exists} says is not there, cannot be reached: "not found",
     * "a broken link", "symbolic link loop", "permission denied", ….
     */
    public static String whyMissing(Path p) {
        try {
            p.toRealPath();
        } catch (NoSuchFileException e) {
            try {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                return a.isSymbolicLink() ? "a broken link" : "not found";
            } catch (IOException e2) {
                return "not found";
            }
        } catch (IOException e) {
            return reason(e);
        }
        return "not readable";
    }
}
