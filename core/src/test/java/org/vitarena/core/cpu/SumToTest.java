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
    void leadingAndTrailingDimensionsReducedAroundKeptOnes() {
        check(new int[]{8, 24, 16, 16}, new int[]{1, 24, 1, 1}); // per-channel scale of NCHW: R×K×T
        check(new int[]{4, 5, 6, 7}, new int[]{1, 5, 6, 1});      // two kept dimensions in the middle
        check(new int[]{3, 1, 5, 2}, new int[]{1, 1, 5, 1});      // size-1 dimensions are ignored
        check(new int[]{5, 6}, new int[]{5, 1});                  // R = 1
        assertEquals(256, org.vitarena.core.backend.SumToPlan.of(new int[]{8, 24, 16, 16}, strides(new int[]{8, 24, 16, 16}, new int[]{1, 24, 1, 1})).trailing());
        assertEquals(0, org.vitarena.core.backend.SumToPlan.of(new int[]{2, 3, 4, 5}, strides(new int[]{2, 3, 4, 5}, new int[]{1, 3, 1, 5})).trailing());
    }

    @Test
    void blockPathSumsInTheGeneralPathsOrder() {
        // the R×K×T path and the general path add the same terms in the same order: bitwise equal
        int[] shape = {6, 10, 50};
        float[] x = new float[3000];
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextGaussian() * 1e3);
        Storage fast = CpuBackend.INSTANCE.upload(new float[10]);
        CpuBackend.INSTANCE.sumTo(CpuBackend.INSTANCE.upload(x), shape, fast, new int[]{0, 1, 0});
        // the general path's sum written out: every term of x's order, in a double accumulator
        float[] want = new float[10];
        for (int c = 0; c < 10; c++) {
            double acc = 0;
            for (int b = 0; b < 6; b++) for (int j = 0; j < 50; j++) acc += x[(b * 10 + c) * 50 + j];
            want[c] = (float) acc;
        }
        org.junit.jupiter.api.Assertions.assertArrayEquals(want, CpuBackend.array(fast));
    }

    @Test
    void generalCase() {
        check(new int[]{4, 5, 6}, new int[]{1, 5, 1});
        check(new int[]{2, 3, 4, 5}, new int[]{1, 3, 1, 5});
        check(new int[]{3, 1, 4}, new int[]{1, 1, 4});
    }
}
