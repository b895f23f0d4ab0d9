package org.vitarena.core.ops;

import java.util.SplittableRandom;

/**
 * The random stream dropout and drop-path draw from, per thread. A trainer resets it before every
 * forward pass from (run seed, step), so every draw is a function of where the run is, never of
 * mutable state that would have to be checkpointed: a resumed run draws exactly what an
 * uninterrupted one would have.
 */
public final class StepRandom {
    private static final ThreadLocal<SplittableRandom> CURRENT = ThreadLocal.withInitial(() -> new SplittableRandom(0));

    private StepRandom() {}

    /** Restarts the stream from a seed derived from {@code seed} and {@code step}. */
    public static void reset(long seed, long step) {
        CURRENT.set(new SplittableRandom(new SplittableRandom(seed).split().nextLong() ^ (step * 0x9E3779B97F4A7C15L)));
    }

    public static SplittableRandom get() {
        return CURRENT.get();
    }
}
