package org.vitarena.core.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vectorised exact GELU, x·Φ(x) = x/2·(1 + erf(x/√2)), and its derivative Φ(x) + x·φ(x), side by side.
 * erf uses Abramowitz–Stegun 7.1.26 (|error| ≤ 1.5e-7, the polynomial PyTorch's own vectorised CPU
 * kernel uses), evaluated with SIMD lanes and the vector exp.
 */
final class Activations {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final float P = 0.3275911f, A1 = 0.254829592f, A2 = -0.284496736f, A3 = 1.421413741f, A4 = -1.453152027f,
            A5 = 1.061405429f, INV_SQRT2 = 0.70710678118654752f, INV_SQRT_2PI = 0.3989422804014327f;

    private Activations() {}

    /**
     * Φ(x) = (1 + erf(x/√2))/2 for a vector of x, given e = exp(−x²/2) (which is exp(−z²) for
     * z = x/√2, the factor of the erf approximation, and also √(2π)·φ(x) for the derivative).
     */
    private static FloatVector cdf(FloatVector x, FloatVector e) {
        FloatVector t = FloatVector.broadcast(S, 1f).div(x.abs().mul(INV_SQRT2).fma(P, 1f));
        FloatVector poly = t.fma(A5, A4).fma(t, FloatVector.broadcast(S, A3)).fma(t, FloatVector.broadcast(S, A2))
                .fma(t, FloatVector.broadcast(S, A1)).mul(t);
        FloatVector erfAbs = poly.mul(e).neg().add(1f);
        return erfAbs.lanewise(VectorOperators.NEG, x.lt(0f)).add(1f).mul(0.5f);
    }

    /** exp(−x²/2) per lane. */
    private static FloatVector gauss(FloatVector x) {
        return VecMath.exp(x.mul(x).mul(-0.5f));
    }

    private static float erf(float z) {
        float az = Math.abs(z);
        float t = 1f / (1f + P * az);
        float poly = ((((A5 * t + A4) * t + A3) * t + A2) * t + A1) * t;
        float r = 1f - poly * (float) Math.exp(-az * az);
        return z < 0 ? -r : r;
    }

    /** y[i] = gelu(x[i]) for i in [lo, hi). */
    static void gelu(float[] x, float[] y, int lo, int hi) {
        int i = lo;
        for (int upper = lo + S.loopBound(hi - lo); i < upper; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, i);
            v.mul(cdf(v, gauss(v))).intoArray(y, i);
        }
        for (; i < hi; i++) y[i] = x[i] * 0.5f * (1f + erf(x[i] * INV_SQRT2));
    }

    /**
     * y[i] = gelu(x[i] + bias[bOff + i - lo]) (bias may be null) for i in [lo, hi), every element
     * on the vector path (masked tail); y[i] = x[i] + bias[...] without {@code gelu}.
     */
    static void biasGelu(float[] x, float[] bias, int bOff, float[] y, int lo, int hi, boolean gelu) {
        // two loops, not one with a branch: compiled as one, the GELU's calls leave the vector of
        // the bias-only path boxed too, and a bias add cost 0.7 ns per element (Zen 5)
        if (gelu) {
            biasThenGelu(x, bias, bOff, y, lo, hi);
        } else if (bias != null) {
            addBias(x, bias, bOff, y, lo, hi);
        }
    }

    private static void addBias(float[] x, float[] bias, int bOff, float[] y, int lo, int hi) {
        int i = lo;
        for (int upper = lo + S.loopBound(hi - lo); i < upper; i += S.length()) {
            FloatVector.fromArray(S, x, i).add(FloatVector.fromArray(S, bias, bOff + i - lo)).intoArray(y, i);
        }
        if (i < hi) {
            var m = S.indexInRange(i - lo, hi - lo);
            FloatVector.fromArray(S, x, i, m).add(FloatVector.fromArray(S, bias, bOff + i - lo, m)).intoArray(y, i, m);
        }
    }

    private static void biasThenGelu(float[] x, float[] bias, int bOff, float[] y, int lo, int hi) {
        int i = lo;
        for (int upper = lo + S.loopBound(hi - lo); i < upper; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, i);
            if (bias != null) v = v.add(FloatVector.fromArray(S, bias, bOff + i - lo));
            v.mul(cdf(v, gauss(v))).intoArray(y, i);
        }
        if (i < hi) {
            var m = S.indexInRange(i - lo, hi - lo);
            FloatVector v = FloatVector.fromArray(S, x, i, m);
            if (bias != null) v = v.add(FloatVector.fromArray(S, bias, bOff + i - lo, m));
            v.mul(cdf(v, gauss(v))).intoArray(y, i, m);
        }
    }

    /** dx[i] (+)= dy[i]·(Φ(x) + x·φ(x)) for i in [lo, hi). */
    static void geluBackward(float[] x, float[] dy, float[] dx, boolean accumulate, int lo, int hi) {
        int i = lo;
        for (int upper = lo + S.loopBound(hi - lo); i < upper; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, i);
            FloatVector e = gauss(v);
            FloatVector cdf = cdf(v, e);
            FloatVector pdf = e.mul(INV_SQRT_2PI);
            FloatVector g = FloatVector.fromArray(S, dy, i).mul(v.fma(pdf, cdf));
            if (accumulate) g = g.add(FloatVector.fromArray(S, dx, i));
            g.intoArray(dx, i);
        }
        for (; i < hi; i++) {
            float cdf = 0.5f * (1f + erf(x[i] * INV_SQRT2));
            float pdf = (float) Math.exp(-0.5f * x[i] * x[i]) * INV_SQRT_2PI;
            float g = dy[i] * (cdf + x[i] * pdf);
            dx[i] = accumulate ? dx[i] + g : g;
        }
    }
}
