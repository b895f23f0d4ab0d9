package org.vitarena.core.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where timm reference cases live (format: {@code reference/README.md}).
 * <ul>
 *   <li>{@link #repository()}: the repository's own cases, {@code reference/} at the root of the
 *       checkout, made by {@code verify/generator/make_reference.py}. Always there: every test
 *       that compares with timm runs on them.</li>
 *   <li>{@link #shared()}: an independent second set, {@code ../shared/golden} beside the
 *       checkout, when present. Tests use it as a second check and skip that part without it.</li>
 * </ul>
 * The parent POM passes both folders as the system properties {@code vitarena.reference} and
 * {@code vitarena.golden}; without them (a test run from an IDE) they are found by walking up from
 * the working directory. Tests read both in place and never copy them.
 */
public final class Golden {
    private Golden() {}

    /** The repository's own reference folder; fails if the checkout has none. */
    public static Path repository() {
        return find("vitarena.reference", "reference/README.md", "reference")
                .orElseThrow(() -> new IllegalStateException("the repository's reference data was not found: expected "
                        + "reference/ at the root of the checkout, or -Dvitarena.reference=DIR"));
    }

    /** The shared reference folder beside the checkout, if present. */
    public static Optional<Path> shared() {
        return find("vitarena.golden", "../shared/golden/README.md", "../shared/golden");
    }

    /** Why {@link #shared()} is empty, for a JUnit assumption's message. */
    public static String sharedMissing() {
        return "no shared reference data (../shared/golden beside the checkout, or -Dvitarena.golden=DIR): "
                + "the independent second check is skipped";
    }

    private static Optional<Path> find(String property, String marker, String relative) {
        String prop = System.getProperty(property);
        if (prop != null) return Files.isDirectory(Path.of(prop)) ? Optional.of(Path.of(prop)) : Optional.empty();
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.exists(p.resolve(marker))) return Optional.of(p.resolve(relative).normalize());
        }
        return Optional.empty();
    }
}
