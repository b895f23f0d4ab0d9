package org.vitarena.core.nn;

import org.vitarena.core.Tensor;
import org.vitarena.core.ops.Stochastic;

import java.util.SplittableRandom;

/** Stochastic depth per sample (timm's DropPath); identity in evaluation or with rate 0. */
public final class DropPath {
    private final float rate;
    private final SplittableRandom rng;

    public DropPath(float rate, SplittableRandom rng) {
        this.rate = rate;
        this.rng = rng.split();
    }

    public Tensor apply(Tensor x, boolean training) {
        return training && rate > 0 ? Stochastic.dropPath(x, rate, rng) : x;
    }
}
