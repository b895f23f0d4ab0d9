package org.vitarena.core.testing;

import org.vitarena.core.Tensor;

import java.util.SplittableRandom;

/** Seeded random image batches [B, 3, S, S] (standard normal, like normalised images) for model tests. */
public final class TestImages {
    private TestImages() {}

    public static Tensor random(int batch, int size, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] x = new float[batch * 3 * size * size];
        for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian();
        return Tensor.of(x, batch, 3, size, size);
    }
}
