package org.vitarena.data;

/** Seed derivation: independent 64-bit streams from tuples such as (seed, epoch, index). */
public final class Seeds {
    private Seeds() {}

    /** SplitMix64 finaliser. */
    public static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A well-mixed seed from any number of parts; order matters. */
    public static long mix(long... parts) {
        long h = 0x9E3779B97F4A7C15L;
        for (long p : parts) h = mix64(h ^ mix64(p + 0x9E3779B97F4A7C15L));
        return h;
    }
}
