package org.vitarena.core.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where timm's reference data lives: the {@code vitarena.golden} system property (set by the parent
 * POM to {@code ../shared/golden} beside the checkout), else {@code ../shared/golden} searched upwards
 * from the working directory. Tests read it in place; it is never copied into the repository.
 */
public final class Golden {
    private Golden() {}

    public static Path dir() {
        String prop = System.getProperty("vitarena.golden");
        if (prop != null && Files.isDirectory(Path.of(prop))) return Path.of(prop);
        Path p = Path.of("").toAbsolutePath();
        while (p != null) {
            Path cand = p.resolve("../shared/golden").normalize();
            if (Files.isDirectory(cand)) return cand;
            p = p.getParent();
        }
        throw new IllegalStateException("timm reference data not found: expected ../shared/golden beside the checkout "
                + "or -Dvitarena.golden=DIR");
    }
}
