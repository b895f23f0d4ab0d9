package org.vitarena.core.nn;

import java.util.SplittableRandom;

/** Weight initialisers as timm uses them, drawn from a seeded RNG. */
public final class Init {
    private Init() {}

    /** timm's trunc_normal_(std): normal(0, std) resampled outside the absolute interval [-2, 2]. */
    public static float[] truncNormal(SplittableRandom rng, float std, int n) {
        float[] out = new float[n];
        if (countingOnly()) return out;
        for (int i = 0; i < n; i++) {
            double v;
            do {
                v = gaussian(rng) * std;
            } while (v < -2 || v > 2);
            out[i] = (float) v;
        }
        return out;
    }

    public static float[] normal(SplittableRandom rng, float std, int n) {
        float[] out = new float[n];
        if (countingOnly()) return out;
        for (int i = 0; i < n; i++) out[i] = (float) (gaussian(rng) * std);
        return out;
    }

    public static float[] constant(float value, int n) {
        float[] out = new float[n];
        java.util.Arrays.fill(out, value);
        return out;
    }

    /** On the data-free counting backend values are never read, so drawing them is skipped. */
    private static boolean countingOnly() {
        return org.vitarena.core.backend.Backends.current() instanceof org.vitarena.core.backend.CountingBackend;
    }

    /** Standard normal by Box–Muller (SplittableRandom has no nextGaussian of its own state before 17). */
    public static double gaussian(SplittableRandom rng) {
        double u1 = rng.nextDouble(), u2 = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }
}
