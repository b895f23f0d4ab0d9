package org.vitarena.engine;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

/** The cause of a failed file operation in a few plain words, for messages that already name the file. */
public final class IoErrors {
    private IoErrors() {}

    public static String describe(IOException e) {
        if (e instanceof AccessDeniedException) return "permission denied";
        if (e instanceof NoSuchFileException) return "no such file or folder";
        String m = e instanceof FileSystemException f && f.getReason() != null ? f.getReason() : e.getMessage();
        if (m != null && m.contains("No space left")) return "no space left on the device";
        if (m != null && m.contains("Read-only file system")) return "read-only file system";
        return m == null ? e.getClass().getSimpleName() : m;
    }
}
