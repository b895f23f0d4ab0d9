package org.vitarena.runner;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Output files named on the command line: checked before any work starts, written with errors that name the file and the cause. */
final class OutputFiles {
    private OutputFiles() {}

    /**
     * Fails at once when {@code file} (given with {@code option}) cannot be written: its folder is missing
     * or not writable, or the path is a folder. A null file is not asked for and passes.
     */
    static void checkWritable(Path file, String option) {
        if (file == null) return;
        Path dir = file.toAbsolutePath().getParent();
        if (Files.isDirectory(file)) throw new IllegalArgumentException(option + " " + file + " is a folder; name a file");
        if (dir == null || !Files.isDirectory(dir)) {
            throw new IllegalArgumentException(option + " " + file + ": its folder " + dir + " does not exist; create it first");
        }
        if (!Files.isWritable(dir)) throw new IllegalArgumentException(option + " " + file + ": cannot write in " + dir + " (permission denied)");
    }

    /** Writes text, an error naming the file and the cause. */
    static void write(Path file, String text) throws IOException {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IOException("cannot write " + file + ": " + org.vitarena.engine.IoErrors.describe(e), e);
        }
    }
}
