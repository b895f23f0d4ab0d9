package org.vitarena.core.cpu;

import org.junit.jupiter.api.Test;
import org.vitarena.core.NoGrad;
import org.vitarena.core.Tensor;
import org.vitarena.core.ops.Arith;
import org.vitarena.core.ops.Linalg;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The fused linear epilogue (bias, GELU) against a double-precision reference, on every GEMM path. */
class GemmEpilogueTest {
    private static float[] rand(SplittableRandom r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (r.nextDouble() * 2 - 1);
        return x;
    }

    private static double gelu(double v) {
        return 0.5 * v * (1 + org.vitarena.core.backend.Erf.erf(v / Math.sqrt(2)));
    }

    private static void check(int m, int n, int k, boolean withBias, boolean gelu) {
        SplittableRandom r = new SplittableRandom(m * 31L + n * 7L + k);
        float[] a = rand(r, m * k), w = rand(r, n * k), bias = withBias ? rand(r, n) : null;
        float[] c = new float[m * n];
        java.util.Arrays.fill(c, Float.NaN); // stale contents must not leak through
        Gemm.sgemmBiasGelu(false, true, m, n, k, a, 0, k, w, 0, k, c, 0, n, bias, gelu);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = withBias ? bias[j] : 0;
                for (int p = 0; p < k; p++) s += (double) a[i * k + p] * w[j * k + p];
                double want = gelu ? gelu(s) : s;
                assertEquals(want, c[i * n + j], 2e-5 * (1 + Math.abs(want)), m + "x" + n + "x" + k + " at " + i + "," + j);
            }
        }
    }

    @Test
    void everyPath() {
        check(300, 200, 64, true, true);   // row blocks over both threads
        check(520, 96, 40, true, false);   // bias only
        check(37, 33, 17, false, true);    // GELU only, ragged edges
        check(16, 16, 32, true, true);     // small path, epilogue over the whole C
        check(8, 12, 5000, true, true);    // long k split, epilogue after the reduction
        check(5, 7, 0, true, true);        // k = 0: gelu(bias)
        check(1, 3, 4, true, true);        // below the parallel threshold
    }

    @Test
    void linearGeluWithoutGradientsEqualsTheTwoOps() {
        SplittableRandom r = new SplittableRandom(11);
        Tensor x = Tensor.of(rand(r, 4 * 9 * 24), 4, 9, 24), w = Tensor.of(rand(r, 40 * 24), 40, 24), b = Tensor.of(rand(r, 40), 40);
        try (var ignored = NoGrad.scope()) {
            float[] fused = Linalg.linearGelu(x, w, b).toArray();
            float[] plain = Arith.gelu(Linalg.linear(x, w, b)).toArray();
            assertArrayEquals(plain, fused, 1e-6f);
        }
    }
}
