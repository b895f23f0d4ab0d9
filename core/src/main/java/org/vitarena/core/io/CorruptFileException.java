package org.vitarena.core.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A file that is not what it claims to be, or cannot be loaded here: a malformed or inconsistent
 * safetensors header, a truncated file, a checkpoint whose CRC does not match, or a file larger than
 * the memory there is. The message starts with the file's path and says what is wrong.
 */
public class CorruptFileException extends IOException {
    private final Path file;
    private final String problem;

    public CorruptFileException(Path file, String problem) {
        this(file, problem, null);
    }

    public CorruptFileException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
        this.problem = problem;
    }

    /** What is wrong, without the file's name. */
    public String problem() {
        return problem;
    }

    public Path file() {
        return file;
    }
}
