package org.vitarena.backend.tornado;

import org.vitarena.core.backend.Backend;
import org.vitarena.core.backend.Storage;

/**
 * A slice of the device arena: {@code size} floats from element {@code offset}. It holds no
 * host memory; its block returns to the arena when the storage is collected.
 */
final class DeviceStorage implements Storage {
    private final TornadoBackend backend;
    private final int offset;
    private final int size;

    DeviceStorage(TornadoBackend backend, int offset, int size) {
        this.backend = backend;
        this.offset = offset;
        this.size = size;
    }

    int offset() {
        return offset;
    }

    /** The block size reserved in the arena (size rounded up to the alignment). */
    int capacity() {
        return DeviceArena.blockSize(size);
    }

    @Override public int size() { return size; }

    @Override public Backend backend() { return backend; }

    @Override public String toString() { return "tornado[" + offset + "+" + size + "]"; }
}
