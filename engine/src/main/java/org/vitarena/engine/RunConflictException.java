package org.vitarena.engine;

import java.nio.file.Path;
import java.util.List;

/**
 * A run folder cannot be used as asked: it is held by another run ({@link Kind#BUSY}), it holds a run
 * and neither resume nor restart was asked ({@link Kind#EXISTS}), or the run it holds was made with
 * another recipe ({@link Kind#RECIPE_CHANGED}, with {@link #differences()} as "key: old -> new").
 * Nothing was trained or written when it is thrown. A front end adds how to resolve it in its own terms.
 */
public final class RunConflictException extends IllegalStateException {
    public enum Kind { BUSY, EXISTS, RECIPE_CHANGED }

    private final Kind kind;
    private final Path folder;
    private final List<String> differences;

    public RunConflictException(Kind kind, Path folder, String message, List<String> differences) {
        super(message);
        this.kind = kind;
        this.folder = folder;
        this.differences = List.copyOf(differences);
    }

    public Kind kind() {
        return kind;
    }

    public Path folder() {
        return folder;
    }

    public List<String> differences() {
        return differences;
    }
}
