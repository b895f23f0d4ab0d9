package org.vitarena.core;

import org.vitarena.core.backend.Backend;
import org.vitarena.core.backend.Storage;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reuses tensor memory from one training or evaluation step to the next, so a step allocates
 * (and the garbage collector moves) almost nothing and the peak footprint is the live set of one
 * step, not the heap the collector grows for throughput.
 *
 * <pre>{@code
 * MemoryPool pool = new MemoryPool(backend);
 * for (...) {
 *     try (MemoryPool.Scope step = pool.open()) {
 *         Tensor loss = ...forward...;      // every tensor created here is drawn from the pool
 *         float lv = loss.item();           // read what you need inside the scope
 *         loss.backward();                  // gradients and activations go back as soon as dead
 *     }                                     // everything else drawn in the scope goes back here
 *     optimizer.step();                     // outside: optimiser state and leaf grads are never pooled
 * }
 * }</pre>
 *
 * <p>Rules: a tensor created inside a scope must not be used after the scope closes (copy it with
 * {@link #persistent} or read it to the host first); {@link Scope#keep} exempts a tensor from the
 * early release during {@link Tensor#backward()} (the root of the backward is always kept). Leaf
 * gradients and anything built inside {@link #persistent} use fresh memory. With the system property
 * {@code vitarena.pool.poison=true} (set by the test suite) every released buffer is filled with NaN,
 * so a use after release shows up as NaN in every golden and training test.
 *
 * <p>Buffers are matched by exact element count: a step repeats the same shapes, so after the
 * first step every request is served from the pool. Not thread-safe: a scope belongs to the thread
 * that opened it, and only that thread's allocations are drawn from it.
 */
public final class MemoryPool {
    private static final ThreadLocal<Scope> CURRENT = new ThreadLocal<>();
    private static final boolean POISON = Boolean.getBoolean("vitarena.pool.poison");

    private final Backend backend;
    private final Map<Integer, ArrayDeque<Storage>> free = new HashMap<>();
    private long freeFloats;
    private long drawn, reused;

    public MemoryPool(Backend backend) {
        this.backend = backend;
    }

    /** The backend whose memory this pool holds. */
    public Backend backend() {
        return backend;
    }

    /** Opens a step scope on this thread; allocations of this pool's backend come from the pool until it closes. */
    public Scope open() {
        Scope s = new Scope(CURRENT.get());
        CURRENT.set(s);
        return s;
    }

    /** Drops every pooled buffer (for example between training and evaluation, whose shapes differ). */
    public void clear() {
        free.clear();
        freeFloats = 0;
    }

    /** Floats held by the pool between scopes. */
    public long pooledFloats() {
        return freeFloats;
    }

    /** Buffers handed out since creation, and how many of them were reused rather than allocated. */
    public long[] stats() {
        return new long[]{drawn, reused};
    }

    /** Runs {@code body} with pooling suspended on this thread: what it creates outlives any scope. */
    public static <T> T persistent(java.util.function.Supplier<T> body) {
        Scope s = CURRENT.get();
        CURRENT.set(null);
        try {
            return body.get();
        } finally {
            CURRENT.set(s);
        }
    }

    /**
     * Hands {@code t}'s memory back to this thread's open scope now, when that scope drew it: for a
     * temporary an op made during the forward and keeps no reference to (its backward computes it
     * again). {@code t} must not be used afterwards. Nothing happens outside a scope, for memory
     * the scope did not draw, or for a {@link Scope#keep kept} tensor.
     */
    public static void discard(Tensor t) {
        Scope s = CURRENT.get();
        if (s != null && s.pool().backend == t.backend() && !s.isKept(t.storage())) s.release(t.storage());
    }

    /** The open scope of this thread, or null. */
    static Scope current() {
        return CURRENT.get();
    }

    /**
     * A buffer of {@code n} floats for {@code be}: from the open scope's pool when there is one for
     * this backend, else a fresh (zero-filled) allocation. {@code zero=false} allows stale contents
     * (the caller overwrites every element).
     */
    static Storage allocate(Backend be, int n, boolean zero) {
        Scope s = CURRENT.get();
        if (s == null || s.pool().backend != be || n == 0) return be.allocate(n);
        return s.take(n, zero);
    }

    /** One step's allocations; closing it returns them all to the pool. */
    public final class Scope implements AutoCloseable {
        private final Scope outer;
        /** Storages drawn in this scope and not yet returned. */
        private final Map<Storage, Boolean> owned = new IdentityHashMap<>();
        /** Order of drawing, for "what did this call allocate" (backward temporaries). */
        private final List<Storage> log = new ArrayList<>();
        private final Map<Storage, Boolean> kept = new IdentityHashMap<>();
        private boolean closed;

        private Scope(Scope outer) {
            this.outer = outer;
        }

        MemoryPool pool() {
            return MemoryPool.this;
        }

        /** Exempts {@code t}'s memory from early release during backward (it is still returned at close). */
        public Scope keep(Tensor t) {
            kept.put(t.storage(), Boolean.TRUE);
            return this;
        }

        boolean isKept(Storage s) {
            return kept.containsKey(s);
        }

        boolean owns(Storage s) {
            return owned.containsKey(s);
        }

        int mark() {
            return log.size();
        }

        /** Storages drawn since {@code mark} and still owned. */
        List<Storage> drawnSince(int mark) {
            List<Storage> out = new ArrayList<>();
            for (int i = mark; i < log.size(); i++) if (owned.containsKey(log.get(i))) out.add(log.get(i));
            return out;
        }

        private Storage take(int n, boolean zero) {
            if (closed) throw new IllegalStateException("memory scope already closed");
            ArrayDeque<Storage> q = free.get(n);
            Storage s = q == null ? null : q.pollLast();
            drawn++;
            if (s != null) {
                reused++;
                freeFloats -= n;
                if (zero) backend.fill(s, 0f);
            } else {
                s = backend.allocate(n);
            }
            owned.put(s, Boolean.TRUE);
            log.add(s);
            return s;
        }

        /** Returns {@code s} to the pool now, if this scope drew it and has not returned it yet. */
        void release(Storage s) {
            if (owned.remove(s) == null) return;
            if (POISON) backend.fill(s, Float.NaN);
            free.computeIfAbsent(s.size(), k -> new ArrayDeque<>()).addLast(s);
            freeFloats += s.size();
        }

        @Override
        public void close() {
            if (closed) return;
            closed = true;
            for (Storage s : log) release(s);
            log.clear();
            kept.clear();
            if (CURRENT.get() == this) CURRENT.set(outer);
        }
    }
}
