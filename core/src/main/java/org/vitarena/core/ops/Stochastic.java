package org.vitarena.core.ops;

import org.vitarena.core.Tensor;

import java.util.SplittableRandom;

/**
 * Regularisers drawn from a seeded RNG so a run is reproducible. The mask is drawn on the host and
 * multiplied in, so its backward is the same multiplication.
 */
public final class Stochastic {
    private Stochastic() {}

    /** Dropout drawing from {@link StepRandom}. */
    public static Tensor dropout(Tensor x, float p) {
        return dropout(x, p, StepRandom.get());
    }

    /** Drop-path drawing from {@link StepRandom}. */
    public static Tensor dropPath(Tensor x, float p) {
        return dropPath(x, p, StepRandom.get());
    }

    /** Inverted dropout: each element kept with probability 1−p and scaled by 1/(1−p). */
    public static Tensor dropout(Tensor x, float p, SplittableRandom rng) {
        if (p <= 0f) return x;
        float keep = 1f - p, s = 1f / keep;
        float[] mask = new float[x.size()];
        for (int i = 0; i < mask.length; i++) mask[i] = rng.nextDouble() < keep ? s : 0f;
        return Arith.mul(x, Tensor.of(mask, x.shape()));
    }

    /**
     * Stochastic depth (timm's drop_path): each sample of x [B, ...] is zeroed with probability p,
     * the kept ones scaled by 1/(1−p).
     */
    public static Tensor dropPath(Tensor x, float p, SplittableRandom rng) {
        if (p <= 0f) return x;
        float keep = 1f - p, s = 1f / keep;
        int b = x.dim(0);
        float[] mask = new float[b];
        for (int i = 0; i < b; i++) mask[i] = rng.nextDouble() < keep ? s : 0f;
        int[] ms = new int[x.rank()];
        java.util.Arrays.fill(ms, 1);
        ms[0] = b;
        return Arith.mul(x, Tensor.of(mask, ms));
    }
}
