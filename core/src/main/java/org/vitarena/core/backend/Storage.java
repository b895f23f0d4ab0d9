package org.vitarena.core.backend;

/**
 * A flat float32 buffer owned by a {@link Backend}: host memory for the CPU backend, device
 * memory for a GPU backend. Tensors never touch a storage's memory directly; they ask its backend.
 */
public interface Storage {
    /** Number of float elements. */
    int size();

    /** The backend that owns this memory and runs every kernel on it. */
    Backend backend();
}
