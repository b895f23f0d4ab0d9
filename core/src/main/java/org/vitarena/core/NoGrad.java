package org.vitarena.core;

/**
 * A scope in which operations record no graph: evaluation, optimiser updates, weight loading.
 * <pre>{@code try (var ignored = NoGrad.scope()) { logits = model.forward(x); }}</pre>
 */
public final class NoGrad implements AutoCloseable {
    private static final ThreadLocal<int[]> DEPTH = ThreadLocal.withInitial(() -> new int[1]);

    private NoGrad() {
        DEPTH.get()[0]++;
    }

    public static NoGrad scope() {
        return new NoGrad();
    }

    /** True when operations record gradients on this thread. */
    public static boolean enabled() {
        return DEPTH.get()[0] == 0;
    }

    @Override
    public void close() {
        DEPTH.get()[0]--;
    }
}
