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

    /** {y, du, dW, db} of a weighted sum of the output, through the fused op or the composed ones. */
    private static float[][] run(boolean fused) {
        SplittableRandom rng = new SplittableRandom(11);
        Tensor u = Tensor.parameter(random(rng, R * I, -3, 3), R, I);
        Tensor w = Tensor.parameter(random(rng, O * I, -0.5, 0.5), O, I);
        Tensor b = Tensor.parameter(random(rng, O, -0.5, 0.5), O);
        Tensor r = Tensor.of(random(rng, R * O, -1, 1), R, O);
        Tensor y = fused ? Linalg.geluLinear(u, w, b) : Linalg.linear(Arith.gelu(u), w, b);
        Shapes.sum(Shapes.reshape(Arith.mul(y, r), R * O), 0, false).backward();
        return new float[][]{y.toArray(), u.grad().toArray(), w.grad().toArray(), b.grad().toArray()};
    }

    @Test void sameBitsAsTheComposedOps() {
        float[][] fused = run(true), composed = run(false);
        String[] names = {"y", "du", "dW", "db"};
        for (int i = 0; i < names.length; i++) assertArrayEquals(composed[i], fused[i], names[i]);
    }

    @Test void gradientsMatchFiniteDifferences() {
        SplittableRandom rng = new SplittableRandom(5);
        check("gelu_linear", t -> Linalg.geluLinear(t[0], t[1], t[2]), 1e-2, 2e-2,
                param(rng, 3, 6), param(rng, 4, 6), param(rng, 4));
    }

    @Test void theGeluTemporaryGoesBackToThePoolInTheForward() {
        SplittableRandom rng = new SplittableRandom(3);
        Tensor w = Tensor.parameter(random(rng, O * I, -0.5, 0.5), O, I);
        MemoryPool pool = new MemoryPool(Backends.current());
        try (MemoryPool.Scope ignored = pool.open()) {
            Tensor u = Arith.scale(Tensor.parameter(random(rng, R * I, -3, 3), R, I), 1f); // drawn from the scope
            assertEquals(0, pool.pooledFloats());
            Tensor y = Linalg.geluLinear(u, w, null);
            assertEquals(R * I, pool.pooledFloats(), "GELU(u) [R, I] is free again; u and y are not");
            assertEquals(R * O, y.size());
        }
    }
}
