package org.vitarena.core.cpu;

import org.junit.jupiter.api.Test;
import org.vitarena.core.backend.Storage;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** CpuBackend.sumTo (the backward of broadcasting) against a double-precision loop, on its fast paths and the general one. */
class SumToTest {
    private static int[] strides(int[] xShape, int[] outShape) {
        int[] st = new int[xShape.length];
        for (int i = xShape.length - 1, s = 1; i >= 0; i--) {
            st[i] = outShape[i] == 1 && xShape[i] != 1 ? 0 : s;
            s *= outShape[i];
        }
        return st;
    }

    private static void check(int[] xShape, int[] outShape) {
        int n = 1, m = 1;
        for (int d : xShape) n *= d;
        for (int d : outShape) m *= d;
        SplittableRandom r = new SplittableRandom(n * 31L + m);
        float[] x = new float[n], init = new float[m];
        for (int i = 0; i < n; i++) x[i] = (float) (r.nextDouble() * 2 - 1);
        for (int i = 0; i < m; i++) init[i] = (float) r.nextDouble();
        int[] st = strides(xShape, outShape);
        double[] ref = new double[m];
        for (int i = 0; i < m; i++) ref[i] = init[i];
        int[] idx = new int[xShape.length];
        for (int i = 0; i < n; i++) {
            int o = 0;
            for (int d = 0; d < idx.length; d++) o += idx[d] * st[d];
            ref[o] += x[i];
            for (int d = idx.length - 1; d >= 0 && ++idx[d] == xShape[d]; d--) idx[d] = 0;
        }
        Storage out = CpuBackend.INSTANCE.upload(init);
        CpuBackend.INSTANCE.sumTo(CpuBackend.INSTANCE.upload(x), xShape, out, st);
        float[] got = CpuBackend.array(out);
        for (int i = 0; i < m; i++) assertEquals(ref[i], got[i], 1e-4 * (1 + Math.abs(ref[i])), "element " + i);
    }

    @Test
    void leadingDimensionsReduced() {
        check(new int[]{32, 65, 192}, new int[]{1, 1, 192}); // LayerScale gamma / bias
        check(new int[]{4, 5, 6}, new int[]{1, 5, 6});
        check(new int[]{7, 3, 16, 16}, new int[]{1, 3, 16, 16}); // attention bias shared over windows
    }

    @Test
    void trailingDimensionsReduced() {
        check(new int[]{8, 65, 192}, new int[]{8, 1, 1}); // per-sample scale
        check(new int[]{4, 5, 6}, new int[]{4, 5, 1});
    }

    @Test
    void generalCase() {
        check(new int[]{4, 5, 6}, new int[]{1, 5, 1});
        check(new int[]{2, 3, 4, 5}, new int[]{1, 3, 1, 5});
        check(new int[]{3, 1, 4}, new int[]{1, 1, 4});
    }
}
