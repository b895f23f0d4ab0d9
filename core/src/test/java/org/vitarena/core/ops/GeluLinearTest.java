package org.vitarena.core.ops;

import org.junit.jupiter.api.Test;
import org.vitarena.core.MemoryPool;
import org.vitarena.core.Tensor;
import org.vitarena.core.backend.Backends;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.vitarena.core.testing.GradCheck.check;
import static org.vitarena.core.testing.GradCheck.param;
import static org.vitarena.core.testing.GradCheck.random;

/**
 * {@link Linalg#geluLinear} against {@code linear(gelu(u))} composed of the recorded ops: the same
 * output and the same gradients, bit for bit; against finite differences; and its GELU temporary
 * back in the pool before the backward. Legend: R rows, I input features, O output features.
 */
class GeluLinearTest {
    private static final int R = 7, I = 40, O = 24;
    /** Rows whose GELU(u) [R, I] is past what geluLinear keeps: it computes it again in the backward. */
    private static final int R_BIG = Linalg.KEEP_GELU_FLOATS / I + 1;

    /** {y, du, dW, db} of a weighted sum of the output, through the fused op or the composed ones. */
    private static float[][] run(boolean fused, int rows) {
        SplittableRandom rng = new SplittableRandom(11);
        Tensor u = Tensor.parameter(random(rng, rows * I, -3, 3), rows, I);
        Tensor w = Tensor.parameter(random(rng, O * I, -0.5, 0.5), O, I);
        Tensor b = Tensor.parameter(random(rng, O, -0.5, 0.5), O);
        Tensor r = Tensor.of(random(rng, rows * O, -1, 1), rows, O);
        Tensor y = fused ? Linalg.geluLinear(u, w, b) : Linalg.linear(Arith.gelu(u), w, b);
        Shapes.sum(Shapes.reshape(Arith.mul(y, r), rows * O), 0, false).backward();
        return new float[][]{y.toArray(), u.grad().toArray(), w.grad().toArray(), b.grad().toArray()};
    }

    @Test void sameBitsAsTheComposedOps() {
        // GELU(u) kept for the backward, and computed again there
        for (int rows : new int[]{R, R_BIG}) {
            float[][] fused = run(true, rows), composed = run(false, rows);
            String[] names = {"y", "du", "dW", "db"};
            for (int i = 0; i < names.length; i++) assertArrayEquals(composed[i], fused[i], names[i] + ", " + rows + " rows");
        }
    }

    @Test void gradientsMatchFiniteDifferences() {
        SplittableRandom rng = new SplittableRandom(5);
        check("gelu_linear", t -> Linalg.geluLinear(t[0], t[1], t[2]), 1e-2, 2e-2,
                param(rng, 3, 6), param(rng, 4, 6), param(rng, 4));
    }

    @Test void aLargeGeluTemporaryGoesBackToThePoolInTheForwardASmallOneIsKept() {
        SplittableRandom rng = new SplittableRandom(3);
        Tensor w = Tensor.parameter(random(rng, O * I, -0.5, 0.5), O, I);
        for (int rows : new int[]{R, R_BIG}) {
            MemoryPool pool = new MemoryPool(Backends.current());
            try (MemoryPool.Scope ignored = pool.open()) {
                Tensor u = Arith.scale(Tensor.parameter(random(rng, rows * I, -3, 3), rows, I), 1f); // drawn from the scope
                assertEquals(0, pool.pooledFloats());
                Tensor y = Linalg.geluLinear(u, w, null);
                if (rows == R_BIG) assertEquals((long) rows * I, pool.pooledFloats(), "GELU(u) [R, I] is free again; u and y are not");
                else assertEquals(0, pool.pooledFloats(), "GELU(u) [R, I] is kept for the backward");
                assertEquals(rows * O, y.size());
            }
        }
    }
}
