package org.vitarena.core.ops;

import org.junit.jupiter.api.Test;
import org.vitarena.core.Tensor;
import org.vitarena.core.testing.GradCheck;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.vitarena.core.testing.GradCheck.check;
import static org.vitarena.core.testing.GradCheck.param;

/** The fused attention op: finite differences, and equality with the unfused composition it replaces. */
class AttentionOpTest {
    private static final double H = 1e-2, TOL = 2e-2;
    private final SplittableRandom rng = new SplittableRandom(77);

    /** The composition Attention used before: reshape, permute, select, scale, matmul, softmax, matmul, transpose. */
    static Tensor unfused(Tensor qkv, int heads, float scale, Tensor bias) {
        int b = qkv.dim(0), n = qkv.dim(1), c = qkv.dim(2) / 3;
        Tensor t = Shapes.permute(Shapes.reshape(qkv, b, n, 3, heads, c / heads), 2, 0, 3, 1, 4);
        Tensor q = Shapes.select(t, 0, 0), k = Shapes.select(t, 0, 1), v = Shapes.select(t, 0, 2);
        Tensor logits = Linalg.matmul(Arith.scale(q, scale), k, false, true);
        if (bias != null) logits = Arith.add(logits, bias);
        Tensor y = Linalg.matmul(Norms.softmax(logits), v);
        return Shapes.reshape(Shapes.transpose(y, 1, 2), b, n, c);
    }

    @Test void finiteDifferences() {
        check("attention", t -> AttentionOp.fromQkv(t[0], 2, 0.7f, null), H, TOL, param(rng, 2, 3, 12));
        check("attention+bias", t -> AttentionOp.fromQkv(t[0], 2, 0.7f, t[1]), H, TOL, param(rng, 2, 3, 12), param(rng, 1, 2, 3, 3));
        check("attention+fullbias", t -> AttentionOp.fromQkv(t[0], 3, 0.5f, t[1]), H, TOL, param(rng, 2, 4, 18), param(rng, 2, 3, 4, 4));
        check("attention+rowbias", t -> AttentionOp.fromQkv(t[0], 2, 0.5f, t[1]), H, TOL, param(rng, 3, 4, 12), param(rng, 4));
    }

    /** scores → softmax → values, the split form talking-heads attention uses. */
    static Tensor split(Tensor qkv, int heads, float scale) {
        return AttentionOp.valuesFromQkv(Norms.softmax(AttentionOp.scoresFromQkv(qkv, heads, scale)), qkv, heads);
    }

    @Test void splitHalvesFiniteDifferences() {
        check("attention_scores", t -> AttentionOp.scoresFromQkv(t[0], 2, 0.7f), H, TOL, param(rng, 2, 3, 12));
        check("attention_values", t -> AttentionOp.valuesFromQkv(t[0], t[1], 2), H, TOL, param(rng, 2, 2, 3, 3), param(rng, 2, 3, 12));
        check("attention_split", t -> split(t[0], 3, 0.5f), H, TOL, param(rng, 2, 4, 18));
    }

    @Test void splitHalvesEqualUnfused() {
        int b = 3, n = 5, heads = 4, c = heads * 8;
        float scale = (float) Math.pow(8, -0.5);
        float[] qkvData = GradCheck.random(rng, b * n * 3 * c, -2, 2), gData = GradCheck.random(rng, b * n * c, -1, 1);
        Tensor q1 = Tensor.parameter(qkvData.clone(), b, n, 3 * c), q2 = Tensor.parameter(qkvData.clone(), b, n, 3 * c);
        Tensor y1 = split(q1, heads, scale), y2 = unfused(q2, heads, scale, null);
        assertArrayEquals(y2.toArray(), y1.toArray(), 1e-5f);
        y1.backward(Tensor.of(gData.clone(), b, n, c));
        y2.backward(Tensor.of(gData.clone(), b, n, c));
        assertArrayEquals(q2.grad().toArray(), q1.grad().toArray(), 1e-5f);
    }

    @Test void equalsUnfusedWithoutBias() {
        compare(3, 5, 4, null);
    }

    @Test void equalsUnfusedWithBias() {
        compare(3, 5, 4, new int[]{1, 4, 5, 5});
        compare(2, 6, 2, new int[]{2, 2, 6, 6});
        compare(4, 4, 3, new int[]{4, 1, 4, 4}); // Swin-style mask broadcast over heads
    }

    @Test void biasWithoutGradGetsNone() {
        Tensor qkv = param(rng, 2, 3, 12);
        Tensor bias = Tensor.of(GradCheck.random(rng, 18, -1, 1), 1, 2, 3, 3);
        Tensor y = AttentionOp.fromQkv(qkv, 2, 0.5f, bias);
        Shapes.sum(Shapes.reshape(y, -1), 0, false).backward();
        assertNull(bias.grad());
    }

    private void compare(int b, int n, int heads, int[] biasShape) {
        int c = heads * 8;
        float scale = (float) Math.pow(8, -0.5);
        float[] qkvData = GradCheck.random(rng, b * n * 3 * c, -2, 2);
        float[] biasData = biasShape == null ? null : GradCheck.random(rng, Tensor.numel(biasShape), -1, 1);
        float[] gData = GradCheck.random(rng, b * n * c, -1, 1);
        Tensor[] fused = run(true, qkvData, biasData, biasShape, gData, b, n, c, heads, scale);
        Tensor[] ref = run(false, qkvData, biasData, biasShape, gData, b, n, c, heads, scale);
        for (int i = 0; i < fused.length; i++) {
            if (ref[i] == null) continue;
            assertArrayEquals(ref[i].toArray(), fused[i].toArray(), 2e-5f, "output " + i);
        }
    }

    private static Tensor[] run(boolean fused, float[] qkvData, float[] biasData, int[] biasShape, float[] g,
                                int b, int n, int c, int heads, float scale) {
        Tensor qkv = Tensor.parameter(qkvData.clone(), b, n, 3 * c);
        Tensor bias = biasData == null ? null : Tensor.parameter(biasData.clone(), biasShape);
        Tensor y = fused ? AttentionOp.fromQkv(qkv, heads, scale, bias) : unfused(qkv, heads, scale, bias);
        y.backward(Tensor.of(g.clone(), b, n, c));
        return new Tensor[]{y, qkv.grad(), bias == null ? null : bias.grad()};
    }
}
