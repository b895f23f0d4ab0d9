package org.vitarena.core.nn;

import org.vitarena.core.Tensor;
import org.vitarena.core.ops.Stochastic;

import java.util.SplittableRandom;

/**
 * Stochastic depth per sample (timm's DropPath); identity in evaluation or with rate 0. Draws come
 * from {@link org.vitarena.core.ops.StepRandom}, so they depend only on the run's seed and step.
 */
public final class DropPath {
    private final float rate;

    public DropPath(float rate) {
        this.rate = rate;
    }

    /** Kept for callers that pass an RNG; draws come from StepRandom all the same. */
    public DropPath(float rate, SplittableRandom ignored) {
        this(rate);
    }

    public float rate() {
        return rate;
    }

    public Tensor apply(Tensor x, boolean training) {
        return training && rate > 0 ? Stochastic.dropPath(x, rate) : x;
    }
}
