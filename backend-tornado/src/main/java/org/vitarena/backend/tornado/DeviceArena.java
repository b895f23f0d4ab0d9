package org.vitarena.backend.tornado;

import java.lang.ref.PhantomReference;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntConsumer;

/**
 * Sub-allocates the one device buffer every tensor lives in. TornadoVM binds a compiled task
 * graph to the buffers it was built with, so the backend keeps a single arena resident on the
 * device and passes element offsets; a storage is an (offset, size) slice of it.
 *
 * <p>Blocks are reused by exact size (a training step allocates the same sizes every step) from
 * a bump pointer. A storage that becomes unreachable returns its block through a phantom
 * reference, collected on the next allocation; when the arena is full, a GC is requested first.
 */
final class DeviceArena {
    /** Blocks start on 16-float (64-byte) boundaries. */
    private static final int ALIGN = 16;

    private final long capacity;
    private long top;
    private long inUse;
    private final Map<Integer, ArrayDeque<Integer>> free = new HashMap<>();
    private final ReferenceQueue<DeviceStorage> queue = new ReferenceQueue<>();
    private final Set<Block> live = ConcurrentHashMap.newKeySet();

    private static final class Block extends PhantomReference<DeviceStorage> {
        final int offset;
        final int size;

        Block(DeviceStorage s, ReferenceQueue<DeviceStorage> q) {
            super(s, q);
            this.offset = s.offset();
            this.size = s.capacity();
        }
    }

    DeviceArena(long capacityFloats) {
        this.capacity = capacityFloats;
    }

    /** Floats currently held by live storages. */
    synchronized long inUse() {
        return inUse;
    }

    /** The end of the part of the arena ever handed out, in floats. */
    synchronized long top() {
        return top;
    }

    synchronized long capacity() {
        return capacity;
    }

    /** Reserves a block for n floats and returns its offset; {@code register} must follow. */
    synchronized int reserve(int n) {
        int size = Math.max(ALIGN, (n + ALIGN - 1) / ALIGN * ALIGN);
        reclaim();
        Integer off = take(size);
        if (off == null && top + size > capacity) {
            for (int attempt = 0; attempt < 3 && off == null; attempt++) {
                System.gc();
                try {
                    Thread.sleep(20L * (attempt + 1));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                reclaim();
                off = take(size);
            }
        }
        if (off == null) {
            if (top + size > capacity) {
                throw new IllegalStateException("tornado: device arena full (" + (capacity >> 18) + " MiB, "
                        + (inUse >> 18) + " MiB live) allocating " + ((long) n * 4 >> 10)
                        + " KiB; give more device memory (--device-memory MiB, BackendOptions.withDeviceMemoryMiB)");
            }
            off = (int) top;
            top += size;
        }
        inUse += size;
        return off;
    }

    static int blockSize(int n) {
        return Math.max(ALIGN, (n + ALIGN - 1) / ALIGN * ALIGN);
    }

    synchronized void register(DeviceStorage s) {
        live.add(new Block(s, queue));
    }

    private Integer take(int size) {
        ArrayDeque<Integer> q = free.get(size);
        return q == null ? null : q.poll();
    }

    private void reclaim() {
        for (Reference<? extends DeviceStorage> r; (r = queue.poll()) != null; ) {
            Block b = (Block) r;
            live.remove(b);
            free.computeIfAbsent(b.size, k -> new ArrayDeque<>()).push(b.offset);
            inUse -= b.size;
        }
    }

    /** For tests: the offsets of blocks waiting for reuse, visited in no particular order. */
    synchronized void forEachFree(IntConsumer visitor) {
        free.values().forEach(q -> q.forEach(visitor::accept));
    }
}
