package org.vitarena.core.nn;

import org.junit.jupiter.api.Test;
import org.vitarena.core.backend.Backend;
import org.vitarena.core.backend.Backends;
import org.vitarena.core.backend.CountingBackend;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The initialisers' statistics against their closed forms, within a few standard errors of the sample. */
class InitTest {
    @Test
    void fansFollowTorch() {
        assertEquals(256, Init.fanIn(512, 256));
        assertEquals(512, Init.fanOut(512, 256));
        // a patch-embedding convolution [out 64, in 3, 4, 4]: the receptive field multiplies both
        assertEquals(3 * 16, Init.fanIn(64, 3, 4, 4));
        assertEquals(64 * 16, Init.fanOut(64, 3, 4, 4));
        var e = assertThrows(IllegalArgumentException.class, () -> Init.fanIn(10));
        assertTrue(e.getMessage().contains("at least 2 dimensions"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Init.lecunNormal(new SplittableRandom(0), 4, 0));
    }

    @Test
    void xavierUniformIsUniformOnPlusMinusA() {
        int out = 512, in = 256;
        float[] w = Init.xavierUniform(new SplittableRandom(1), 1f, out, in);
        assertEquals(out * in, w.length);
        double a = Math.sqrt(6.0 / (in + out));
        double[] s = stats(w);
        double std = a / Math.sqrt(3); // of U(-a, a)
        assertEquals(0, s[0], 5 * std / Math.sqrt(w.length), "mean");
        assertEquals(std, s[1], 0.01 * std, "std");
        assertTrue(s[2] >= -a && s[3] <= a, "outside [-a, a]: " + s[2] + " " + s[3]);
        assertTrue(s[2] < -0.999 * a && s[3] > 0.999 * a, "does not reach the bounds: " + s[2] + " " + s[3]);
        // the gain scales the bound; a convolution's fans include its receptive field
        float[] conv = Init.xavierUniform(new SplittableRandom(2), 2f, 64, 3, 4, 4);
        double aConv = 2 * Math.sqrt(6.0 / (48 + 1024));
        double[] c = stats(conv);
        assertTrue(c[2] >= -aConv && c[3] <= aConv && c[3] > 0.99 * aConv, Arrays.toString(c));
    }

    @Test
    void torchDefaultConvInitIsUniformOnPlusMinusOneOverSqrtFanIn() {
        // a patch-embedding convolution [64, 3, 8, 8]: fan_in 192, bound 1/sqrt(192) for weight and bias
        SplittableRandom rng = new SplittableRandom(4);
        float[] w = Init.torchDefaultWeight(rng, 64, 3, 8, 8), b = Init.torchDefaultBias(rng, 64, 3, 8, 8);
        assertEquals(64 * 3 * 64, w.length);
        assertEquals(64, b.length);
        double bound = 1 / Math.sqrt(192), std = bound / Math.sqrt(3);
        double[] s = stats(w);
        assertEquals(0, s[0], 5 * std / Math.sqrt(w.length), "mean");
        assertEquals(std, s[1], 0.02 * std, "std");
        assertTrue(s[2] >= -bound && s[3] <= bound && s[2] < -0.99 * bound && s[3] > 0.99 * bound, Arrays.toString(s));
        double[] sb = stats(b);
        assertTrue(sb[2] >= -bound && sb[3] <= bound && sb[1] > 0.5 * std, Arrays.toString(sb));
    }

    @Test
    void lecunNormalIsATruncatedNormalOfVarianceOneOverFanIn() {
        int out = 1024, in = 256;
        float[] w = Init.lecunNormal(new SplittableRandom(3), out, in);
        double target = Math.sqrt(1.0 / in);          // the std of the values
        double scale = target / 0.87962566103423978;  // the std of the normal before truncation
        double[] s = stats(w);
        assertEquals(0, s[0], 5 * target / Math.sqrt(w.length), "mean");
        assertEquals(target, s[1], 0.01 * target, "std");
        assertTrue(s[2] >= -2 * scale && s[3] <= 2 * scale, "outside 2 std units: " + s[2] + " " + s[3] + " vs " + 2 * scale);
        assertTrue(s[2] < -1.99 * scale && s[3] > 1.99 * scale, "does not reach 2 std units: " + s[2] + " " + s[3]);
        // the shape of a normal: P(|z| < 1 | |z| <= 2) = 0.6827 / 0.9545 = 0.7153 (a uniform would give 0.5)
        long inside = 0;
        for (float v : w) if (Math.abs(v) < scale) inside++;
        assertEquals(0.68269 / 0.95450, inside / (double) w.length, 0.005, "share within one std unit");
        // a convolution's fan_in includes its receptive field
        double[] c = stats(Init.lecunNormal(new SplittableRandom(4), 384, 16, 8, 8));
        assertEquals(Math.sqrt(1.0 / (16 * 64)), c[1], 0.02 * Math.sqrt(1.0 / (16 * 64)));
    }

    @Test
    void drawsAreDeterministicUnderASeed() {
        assertArrayEquals(Init.xavierUniform(new SplittableRandom(7), 1f, 30, 20), Init.xavierUniform(new SplittableRandom(7), 1f, 30, 20));
        assertArrayEquals(Init.lecunNormal(new SplittableRandom(7), 30, 20), Init.lecunNormal(new SplittableRandom(7), 30, 20));
        assertFalse(Arrays.equals(Init.lecunNormal(new SplittableRandom(7), 30, 20), Init.lecunNormal(new SplittableRandom(8), 30, 20)));
        assertFalse(Arrays.equals(Init.xavierUniform(new SplittableRandom(7), 1f, 30, 20), Init.xavierUniform(new SplittableRandom(8), 1f, 30, 20)));
    }

    /** On a backend that holds no values the initialisers return zeros and leave the RNG untouched. */
    @Test
    void aCountingBackendSkipsTheDraws() {
        Backend previous = Backends.current();
        SplittableRandom rng = new SplittableRandom(5);
        float[] x, l, t;
        Backends.use(new CountingBackend());
        try {
            x = Init.xavierUniform(rng, 1f, 8, 4);
            l = Init.lecunNormal(rng, 8, 4);
            t = Init.truncNormal(rng, 0.02f, 32);
        } finally {
            Backends.use(previous);
        }
        assertArrayEquals(new float[32], x);
        assertArrayEquals(new float[32], l);
        assertArrayEquals(new float[32], t);
        assertEquals(new SplittableRandom(5).nextLong(), rng.nextLong(), "the RNG was drawn from");
        assertTrue(previous.holdsValues());
    }

    /** {mean, std, min, max}. */
    private static double[] stats(float[] v) {
        double sum = 0, min = Double.MAX_VALUE, max = -Double.MAX_VALUE;
        for (float x : v) {
            sum += x;
            min = Math.min(min, x);
            max = Math.max(max, x);
        }
        double mean = sum / v.length, sq = 0;
        for (float x : v) sq += (x - mean) * (x - mean);
        return new double[]{mean, Math.sqrt(sq / (v.length - 1)), min, max};
    }
}
