package dev.xdperf.registry;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/** A failed file operation in a few lowercase words, with the path: "/x/y: permission denied". */
public final class IoErrors {
    private IoErrors() {}

    public static String describe(IOException e) {
        if (e instanceof AccessDeniedException a) {
            return a.getFile() + ": permission denied";
        }
        if (e instanceof NoSuchFileException n) {
            return n.getFile() + ": no such file or directory";
        }
        if (e instanceof NotDirectoryException n) {
            return n.getFile() + ": not a directory";
        }
        if (e instanceof FileAlreadyExistsException f && f.getReason() == null) {
            return f.getFile() + ": exists and is not a directory";
        }
        if (e instanceof FileSystemException f) {
            return (f.getFile() == null ? "" : f.getFile() + ": ")
                    + (f.getReason() == null ? f.getClass().getSimpleName() : f.getReason().toLowerCase());
        }
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m.toLowerCase();
    }
}
