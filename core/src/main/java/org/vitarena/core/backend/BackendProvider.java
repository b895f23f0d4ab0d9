package org.vitarena.core.backend;

/**
 * Discovered through {@link java.util.ServiceLoader}: one line naming the implementation in
 * {@code META-INF/services/org.vitarena.core.backend.BackendProvider}. Discovery only calls
 * {@link #name()}, {@link #rank()} and {@link #unavailableReason()}; {@link #create(BackendOptions)} runs
 * when the backend is chosen, so loading a provider has no side effects. Settings reach a backend only
 * through the {@link BackendOptions} given to {@code create}, never through system properties.
 */
public interface BackendProvider {
    /** The name used by {@code --device}: "cpu", "tornado", "cuda". */
    String name();

    /** Higher ranks win under {@code --device auto}; the CPU backend ranks 0. */
    int rank();

    /** Null when the backend can run here, else a one-line reason (no GPU, no driver, ...). */
    String unavailableReason();

    /**
     * Opens the backend with {@code options}; settings that do not apply to it are ignored.
     *
     * @throws IllegalStateException when the backend cannot run here
     */
    Backend create(BackendOptions options);
}
