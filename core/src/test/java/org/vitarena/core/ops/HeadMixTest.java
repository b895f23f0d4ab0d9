package org.vitarena.core.ops;

import org.junit.jupiter.api.Test;
import org.vitarena.core.Tensor;
import org.vitarena.core.testing.GradCheck;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.vitarena.core.testing.GradCheck.check;
import static org.vitarena.core.testing.GradCheck.param;

/**
 * The head mix against a plain loop (forward), central finite differences (x, W, bias) and the
 * permute → Linear → permute path it replaces. The shapes reach every layout choice: P = 1, 2, 4
 * items per product (B odd or even, G = 2, 3, 4), S split in T = 1, 5, 6, 8 blocks for dW, G ≠ H.
 * Legend: B batch, H input heads, G output heads, S per-head elements.
 */
class HeadMixTest {
    private static final double H = 1e-2, TOL = 2e-2;
    private final SplittableRandom rng = new SplittableRandom(4242);

    /** Shapes of x, then G. */
    private static final int[][] X_SHAPES = {
            {2, 4, 3, 4}, {3, 4, 4, 4}, {4, 3, 5}, {2, 4, 11}, {2, 4, 2, 3}, {1, 4, 8, 8}, {2, 40, 2}};
    private static final int[] G = {4, 4, 2, 4, 3, 4, 3};

    /** out[b, g, s] = Σ_h W[g, h]·x[b, h, s] + bias[g], in double. */
    private static float[] reference(float[] x, float[] w, float[] bias, int b, int h, int g, int s) {
        float[] out = new float[b * g * s];
        for (int bi = 0; bi < b; bi++)
            for (int gi = 0; gi < g; gi++)
                for (int si = 0; si < s; si++) {
                    double acc = bias == null ? 0 : bias[gi];
                    for (int hi = 0; hi < h; hi++) acc += (double) w[gi * h + hi] * x[(bi * h + hi) * s + si];
                    out[(bi * g + gi) * s + si] = (float) acc;
                }
        return out;
    }

    /** The composition TalkingHeadAttn used before: heads last, nn.Linear, heads back. */
    private static Tensor permuteLinear(Tensor x, Tensor w, Tensor bias) {
        int b = x.dim(0), h = x.dim(1), s = x.size() / (b * h);
        Tensor headsLast = Shapes.permute(Shapes.reshape(x, b, h, s), 0, 2, 1); // [B, S, H]
        Tensor y = Shapes.permute(Linalg.linear(headsLast, w, bias), 0, 2, 1); // [B, G, S]
        int[] shape = x.shape();
        shape[1] = w.dim(0);
        return Shapes.reshape(y, shape);
    }

    @Test void forwardEqualsLoop() {
        for (int i = 0; i < X_SHAPES.length; i++) {
            for (boolean withBias : new boolean[]{true, false}) {
                int[] xs = X_SHAPES[i];
                int b = xs[0], h = xs[1], g = G[i], s = Tensor.numel(xs) / (b * h);
                float[] x = GradCheck.random(rng, b * h * s, -2, 2), w = GradCheck.random(rng, g * h, -1, 1);
                float[] bias = withBias ? GradCheck.random(rng, g, -1, 1) : null;
                Tensor y = HeadMix.apply(Tensor.of(x, xs), Tensor.of(w, g, h), withBias ? Tensor.of(bias, g) : null);
                int[] expectedShape = xs.clone();
                expectedShape[1] = g;
                assertArrayEquals(expectedShape, y.shape());
                assertArrayEquals(reference(x, w, bias, b, h, g, s), y.toArray(), 1e-5f, "x " + java.util.Arrays.toString(xs) + " bias " + withBias);
            }
        }
    }

    @Test void finiteDifferencesWithBias() {
        for (int i = 0; i < X_SHAPES.length; i++) {
            int[] xs = X_SHAPES[i];
            int g = G[i];
            check("headMix " + java.util.Arrays.toString(xs) + " G=" + g, t -> HeadMix.apply(t[0], t[1], t[2]), H, TOL,
                    param(rng, xs), param(rng, g, xs[1]), param(rng, g));
        }
    }

    @Test void finiteDifferencesWithoutBias() {
        for (int i = 0; i < X_SHAPES.length; i++) {
            int[] xs = X_SHAPES[i];
            int g = G[i];
            check("headMix-nobias " + java.util.Arrays.toString(xs) + " G=" + g, t -> HeadMix.apply(t[0], t[1], null), H, TOL,
                    param(rng, xs), param(rng, g, xs[1]));
        }
    }

    @Test void equalsPermuteLinearWithBias() {
        compare(new int[]{4, 4, 8, 8}, 4, true); // CaiT-like: P = 2, T = 8
        compare(new int[]{3, 4, 6, 6}, 4, true); // B odd: P = 1, T = 6
        compare(new int[]{4, 3, 7, 7}, 2, true); // G ≠ H: P = 4, T = 7
    }

    @Test void equalsPermuteLinearWithoutBias() {
        compare(new int[]{4, 4, 8, 8}, 4, false);
        compare(new int[]{3, 4, 6, 6}, 4, false);
        compare(new int[]{2, 4, 13}, 3, false); // T = 1, P = 1
    }

    /**
     * The backend's direct kernel against the composed products, bit for bit: output and every
     * gradient. The CPU kernels take four input heads: the forward and the weight gradient for
     * H = 4, the input gradient for G = 4. Shapes reach P = 1, 2, 4, 8, the product's small path
     * (S ≤ 64) and its packed path, S past one work block and not a whole number of vectors, G ≠ H,
     * and one direction declined.
     */
    @Test void directKernelEqualsComposedProductsBitForBit() {
        int[][] cases = { // B, H, G, S
                {32, 4, 4, 4096}, {2, 4, 4, 64}, {3, 4, 4, 4225}, {4, 4, 2, 37}, {8, 4, 1, 100}, {4, 4, 3, 2049},
                {2, 4, 8, 4103}, {2, 2, 4, 40}, {2, 8, 4, 24}, {1, 4, 4, 130},
                // the weight gradient's kernel (H = 4, S = 8·L): L = 100 (the product's small path),
                // 300, 512 and 1000 (2, 2 and 4 k-blocks), 7 and 13 (transposes' ragged ends), 70
                // items (two float partials)
                {70, 4, 4, 800}, {5, 4, 2, 2400}, {3, 4, 3, 8000}, {1, 4, 4, 4096}, {2, 4, 4, 56}, {2, 4, 4, 104}};
        for (int[] c : cases) {
            for (boolean withBias : new boolean[]{true, false}) {
                int[] xs = {c[0], c[1], c[3]};
                int g = c[2];
                float[] x = GradCheck.random(rng, Tensor.numel(xs), -3, 3), w = GradCheck.random(rng, g * c[1], -1, 1);
                float[] bias = withBias ? GradCheck.random(rng, g, -1, 1) : null;
                float[] dOut = GradCheck.random(rng, c[0] * g * c[3], -1, 1);
                Tensor[] direct = run((xt, wt, bt) -> HeadMix.apply(xt, wt, bt, true), x, xs, w, g, bias, dOut);
                Tensor[] composed = run((xt, wt, bt) -> HeadMix.apply(xt, wt, bt, false), x, xs, w, g, bias, dOut);
                String[] names = {"out", "dx", "dW", "dbias"};
                for (int i = 0; i < direct.length; i++) {
                    String what = names[i] + " for " + java.util.Arrays.toString(c) + " bias " + withBias;
                    if (composed[i] == null) {
                        assertNull(direct[i], what);
                        continue;
                    }
                    float[] r = composed[i].toArray(), f = direct[i].toArray();
                    assertEquals(r.length, f.length, what);
                    for (int j = 0; j < r.length; j++) {
                        if (Float.floatToRawIntBits(r[j]) != Float.floatToRawIntBits(f[j])) {
                            throw new AssertionError(what + " differs at " + j + ": " + f[j] + " vs " + r[j]);
                        }
                    }
                }
            }
        }
    }

    @Test void inputsWithoutGradGetNone() {
        Tensor x = Tensor.of(GradCheck.random(rng, 2 * 4 * 9, -1, 1), 2, 4, 9);
        Tensor w = param(rng, 4, 4);
        Tensor bias = Tensor.of(GradCheck.random(rng, 4, -1, 1), 4);
        Tensor y = HeadMix.apply(x, w, bias);
        Shapes.sum(Shapes.reshape(y, -1), 0, false).backward();
        assertNull(x.grad());
        assertNull(bias.grad());
        assertEquals(16, w.grad().size());
    }

    @Test void rejectsMismatchedShapes() {
        assertThrows(IllegalArgumentException.class, () -> HeadMix.apply(Tensor.zeros(2, 4, 3), Tensor.zeros(4, 3), null));
        assertThrows(IllegalArgumentException.class, () -> HeadMix.apply(Tensor.zeros(2, 4, 3), Tensor.zeros(4, 4), Tensor.zeros(3)));
    }

    /** Output and every gradient of the head mix and of permute → Linear → permute, same inputs and dOut. */
    private void compare(int[] xs, int g, boolean withBias) {
        int h = xs[1];
        float[] x = GradCheck.random(rng, Tensor.numel(xs), -2, 2), w = GradCheck.random(rng, g * h, -1, 1);
        float[] bias = withBias ? GradCheck.random(rng, g, -1, 1) : null;
        int[] ys = xs.clone();
        ys[1] = g;
        float[] dOut = GradCheck.random(rng, Tensor.numel(ys), -1, 1);
        Tensor[] fused = run(HeadMix::apply, x, xs, w, g, bias, dOut);
        Tensor[] ref = run(HeadMixTest::permuteLinear, x, xs, w, g, bias, dOut);
        String[] names = {"out", "dx", "dW", "dbias"};
        for (int i = 0; i < fused.length; i++) {
            if (ref[i] == null) {
                assertNull(fused[i], names[i]);
                continue;
            }
            float[] r = ref[i].toArray(), f = fused[i].toArray();
            float scale = 0;
            for (float v : r) scale = Math.max(scale, Math.abs(v));
            assertArrayEquals(r, f, 1e-5f * Math.max(1, scale), names[i] + " for x " + java.util.Arrays.toString(xs));
        }
    }

    /** A head mix of x [B, H, ...] by weight [G, H] and bias [G] (or null). */
    private interface Mix {
        Tensor apply(Tensor x, Tensor weight, Tensor bias);
    }

    /** The output and the gradients of x, weight and bias (null where none) of {@code mix}, for dOut. */
    private static Tensor[] run(Mix mix, float[] x, int[] xs, float[] w, int g, float[] bias, float[] dOut) {
        Tensor xt = Tensor.parameter(x.clone(), xs), wt = Tensor.parameter(w.clone(), g, xs[1]);
        Tensor bt = bias == null ? null : Tensor.parameter(bias.clone(), g);
        Tensor y = mix.apply(xt, wt, bt);
        int[] ys = xs.clone();
        ys[1] = g;
        y.backward(Tensor.of(dOut.clone(), ys));
        return new Tensor[]{y, xt.grad(), wt.grad(), bt == null ? null : bt.grad()};
    }
}
