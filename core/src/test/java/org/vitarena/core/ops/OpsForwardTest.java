package org.vitarena.core.ops;

import org.junit.jupiter.api.Test;
import org.vitarena.core.NoGrad;
import org.vitarena.core.Tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Forward values against hand-computed references and torch's documented semantics. */
class OpsForwardTest {
    @Test void geluIsExactErfGelu() {
        // torch.nn.functional.gelu(torch.tensor([-3., -1., 0., 0.5, 2.])) (approximate='none')
        float[] y = Arith.gelu(Tensor.of(new float[]{-3f, -1f, 0f, 0.5f, 2f}, 5)).toArray();
        assertArrayEquals(new float[]{-0.0040496941f, -0.15865525f, 0f, 0.34573123f, 1.9544997f}, y, 1e-6f);
    }

    @Test void softmaxIsStableForLargeLogits() {
        float[] y = Norms.softmax(Tensor.of(new float[]{1000f, 1001f, 1002f}, 1, 3)).toArray();
        assertArrayEquals(new float[]{0.09003057f, 0.24472847f, 0.66524096f}, y, 1e-6f);
    }

    @Test void labelSmoothedCrossEntropyMatchesTorch() {
        // torch.nn.functional.cross_entropy (values from the closed form in double)(torch.tensor([[2.,0.5,-1.],[0.,0.,3.]]), torch.tensor([0,1]), label_smoothing=0.1)
        Tensor logits = Tensor.of(new float[]{2f, 0.5f, -1f, 0f, 0f, 3f}, 2, 3);
        assertEquals(1.6931171f, Norms.crossEntropy(logits, new int[]{0, 1}, 0.1f).item(), 1e-5f);
        assertEquals(1.6681171f, Norms.crossEntropy(logits, new int[]{0, 1}, 0f).item(), 1e-5f);
    }

    @Test void layerNormNormalisesEachRow() {
        Tensor y = Norms.layerNorm(Tensor.of(new float[]{1f, 2f, 3f, 4f}, 1, 4), Tensor.full(1f, 4), Tensor.zeros(4), 1e-5f);
        assertArrayEquals(new float[]{-1.3416355f, -0.44721183f, 0.44721183f, 1.3416355f}, y.toArray(), 1e-5f);
    }

    @Test void rollMatchesTorchRoll() {
        // torch.roll(torch.arange(5.), shifts=-2) == [2, 3, 4, 0, 1]
        assertArrayEquals(new float[]{2, 3, 4, 0, 1}, Shapes.roll(Tensor.of(new float[]{0, 1, 2, 3, 4}, 5), 0, -2).toArray());
    }

    @Test void reorderMovesWholeRowsAndRejectsWhatIsNoPermutation() {
        float[] a = new float[2 * 3 * 2];
        for (int i = 0; i < a.length; i++) a[i] = i;
        // y[o, i, :] = x[o, order[i], :] with order = [2, 0, 1]
        assertArrayEquals(new float[]{4, 5, 0, 1, 2, 3, 10, 11, 6, 7, 8, 9},
                Shapes.reorder(Tensor.of(a, 2, 3, 2), 1, new int[]{2, 0, 1}).toArray());
        Tensor x = Tensor.of(a, 2, 3, 2);
        assertThrows(IllegalArgumentException.class, () -> Shapes.reorder(x, 1, new int[]{0, 0, 1}));
        assertThrows(IllegalArgumentException.class, () -> Shapes.reorder(x, 1, new int[]{0, 1}));
        assertThrows(IllegalArgumentException.class, () -> Shapes.reorder(x, 1, new int[]{0, 1, 3}));
    }

    @Test void permuteAndMatmulAgreeWithLoops() {
        float[] a = new float[2 * 3 * 4];
        for (int i = 0; i < a.length; i++) a[i] = i;
        Tensor t = Tensor.of(a, 2, 3, 4);
        float[] p = Shapes.permute(t, 2, 0, 1).toArray();
        for (int i = 0; i < 2; i++) for (int j = 0; j < 3; j++) for (int k = 0; k < 4; k++) {
            assertEquals(a[i * 12 + j * 4 + k], p[k * 6 + i * 3 + j]);
        }
        float[] c = Linalg.matmul(t, t, false, true).toArray(); // [2,3,3]
        for (int b = 0; b < 2; b++) for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) {
            float s = 0;
            for (int k = 0; k < 4; k++) s += a[b * 12 + i * 4 + k] * a[b * 12 + j * 4 + k];
            assertEquals(s, c[b * 9 + i * 3 + j], 1e-3f);
        }
    }

    @Test void noGradRecordsNothingAndFrozenParametersCostNothing() {
        Tensor w = Tensor.parameter(new float[]{1, 2, 3, 4}, 2, 2);
        Tensor x = Tensor.of(new float[]{1, 1}, 1, 2);
        try (var ignored = NoGrad.scope()) {
            assertFalse(Linalg.linear(x, w, null).needsGrad());
        }
        w.requiresGrad(false);
        assertFalse(Linalg.linear(x, w, null).needsGrad());
        w.requiresGrad(true);
        assertTrue(Linalg.linear(x, w, null).needsGrad());
    }

    @Test void gradientsAccumulateAcrossBackwardCalls() {
        Tensor w = Tensor.parameter(new float[]{2f}, 1);
        Tensor y = Arith.mul(w, w);
        y.backward();
        Arith.mul(w, w).backward();
        assertEquals(8f, w.grad().item(), 1e-6f); // 2·(2w) with w = 2
    }

    @Test void badShapesFailWithBothShapes() {
        var e = assertThrows(IllegalArgumentException.class, () -> Arith.add(Tensor.zeros(2, 3), Tensor.zeros(4)));
        assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("[4]"), e.getMessage());
    }
}
