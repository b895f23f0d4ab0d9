package org.vitarena.core.ops;

import org.junit.jupiter.api.Test;
import org.vitarena.core.MemoryPool;
import org.vitarena.core.Tensor;
import org.vitarena.core.backend.Backends;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.vitarena.core.testing.GradCheck.check;
import static org.vitarena.core.testing.GradCheck.param;
import static org.vitarena.core.testing.GradCheck.random;

/**
 * {@link Linalg#linearAdd} against {@code add(residual, reorder(linear(x)))} composed of the
 * recorded ops: the same output and gradients, bit for bit, with and without a reordering; against
 * finite differences; and its temporaries back in the pool before the backward.
 * Legend: B items, T rows per item, I input features, O output features.
 */
class LinearAddTest {
    private static final int B = 3, T = 5, I = 12, O = 8;
    private static final int[] ORDER = {3, 0, 4, 1, 2};

    /** {y, dx, dW, db, dResidual} of a weighted sum of the output. */
    private static float[][] run(boolean fused, int[] order) {
        SplittableRandom rng = new SplittableRandom(21);
        Tensor x = Tensor.parameter(random(rng, B * T * I, -1, 1), B, T, I);
        Tensor w = Tensor.parameter(random(rng, O * I, -0.5, 0.5), O, I);
        Tensor b = Tensor.parameter(random(rng, O, -0.5, 0.5), O);
        Tensor res = Tensor.parameter(random(rng, B * T * O, -1, 1), B, T, O);
        Tensor r = Tensor.of(random(rng, B * T * O, -1, 1), B, T, O);
        Tensor y;
        if (fused) {
            y = Linalg.linearAdd(x, w, b, res, order);
        } else {
            Tensor p = Linalg.linear(x, w, b);
            y = Arith.add(res, order == null ? p : Shapes.reorder(p, 1, order));
        }
        Shapes.sum(Shapes.reshape(Arith.mul(y, r), B * T * O), 0, false).backward();
        return new float[][]{y.toArray(), x.grad().toArray(), w.grad().toArray(), b.grad().toArray(), res.grad().toArray()};
    }

    @Test void sameBitsAsTheComposedOps() {
        String[] names = {"y", "dx", "dW", "db", "dResidual"};
        for (int[] order : new int[][]{ORDER, null}) {
            float[][] fused = run(true, order), composed = run(false, order);
            for (int i = 0; i < names.length; i++) assertArrayEquals(composed[i], fused[i], names[i] + (order == null ? "" : ", reordered"));
        }
    }

    @Test void gradientsMatchFiniteDifferences() {
        SplittableRandom rng = new SplittableRandom(8);
        check("linear_add", t -> Linalg.linearAdd(t[0], t[1], t[2], t[3], ORDER), 1e-2, 2e-2,
                param(rng, 2, 5, 4), param(rng, 3, 4), param(rng, 3), param(rng, 2, 5, 3));
    }

    @Test void refusesMismatchedShapes() {
        Tensor x = Tensor.zeros(2, 5, 4), w = Tensor.zeros(3, 4);
        assertThrows(IllegalArgumentException.class, () -> Linalg.linearAdd(x, w, null, Tensor.zeros(2, 5, 4), null));
        assertThrows(IllegalArgumentException.class, () -> Linalg.linearAdd(x, w, null, Tensor.zeros(2, 5, 3), new int[]{0, 1, 2}));
    }

    @Test void theProjectionAndItsReorderedCopyGoBackToThePoolInTheForward() {
        SplittableRandom rng = new SplittableRandom(4);
        Tensor w = Tensor.parameter(random(rng, O * I, -0.5, 0.5), O, I);
        MemoryPool pool = new MemoryPool(Backends.current());
        try (MemoryPool.Scope ignored = pool.open()) {
            Tensor x = Arith.scale(Tensor.parameter(random(rng, B * T * I, -1, 1), B, T, I), 1f);
            Tensor res = Arith.scale(Tensor.parameter(random(rng, B * T * O, -1, 1), B, T, O), 1f);
            long[] before = pool.stats();
            Linalg.linearAdd(x, w, null, res, ORDER);
            long[] after = pool.stats();
            // the projection goes back before y is drawn (y takes its buffer), the reordered copy after
            assertEquals(3, after[0] - before[0], "projection, reordered copy, y");
            assertEquals(1, after[1] - before[1], "y reuses the projection's buffer");
            assertEquals((long) B * T * O, pool.pooledFloats(), "the reordered copy is free again");
        }
    }
}
