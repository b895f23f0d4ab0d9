package org.vitarena.backend.cuda;

import org.vitarena.core.backend.SumToPlan;
import org.junit.jupiter.api.Test;
import org.vitarena.core.cpu.CpuBackend;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The sumTo plan, run by a host emulation of the two kernels, against the CPU backend's sumTo. */
class SumToPlanTest {

    /** What sum_to_thread / sum_to_block compute from the Reduction struct (and the column path). */
    static void emulate(SumToPlan p, float[] x, float[] out) {
        if (p.columnRows() > 0) {
            int cols = (int) p.kept();
            for (int c = 0; c < cols; c++) {
                float s = 0;
                for (int r = 0; r < p.columnRows(); r++) s += x[r * cols + c];
                out[c] += s;
            }
            return;
        }
        int[] st = p.struct(8);
        for (long i = 0; i < p.kept(); i++) {
            long rem = i, xo = 0, oo = 0;
            for (int k = st[0] - 1; k >= 0; k--) {
                long idx = rem % st[1 + k];
                rem /= st[1 + k];
                xo += idx * st[9 + k];
                oo += idx * st[17 + k];
            }
            int base = 25;
            float s = 0;
            for (long j = 0; j < p.reduced(); j++) {
                long rj = j, ro = 0;
                for (int k = st[base] - 1; k >= 0; k--) {
                    long idx = rj % st[base + 1 + k];
                    rj /= st[base + 1 + k];
                    ro += idx * st[base + 9 + k];
                }
                s += x[(int) (xo + ro)];
            }
            out[(int) oo] += s;
        }
    }

    @Test
    void matchesTheCpuForBiasRowsAndMiddleReductions() {
        int[][] shapes = {{4, 5, 6}, {4, 5, 6}, {4, 5, 6}, {4, 5, 6}, {3, 1, 7}, {2, 3, 4, 5}, {6}};
        int[][] outShapes = {{1, 1, 6}, {4, 1, 1}, {1, 5, 1}, {4, 5, 6}, {1, 1, 7}, {2, 1, 4, 1}, {1}};
        Random r = new Random(3);
        for (int t = 0; t < shapes.length; t++) {
            int[] xs = shapes[t], os = outShapes[t];
            int[] outStrides = new int[xs.length];
            int acc = 1;
            for (int d = xs.length - 1; d >= 0; d--) {
                outStrides[d] = os[d] == 1 ? 0 : acc;
                acc *= os[d];
            }
            float[] x = new float[Arrays.stream(xs).reduce(1, (a, b) -> a * b)];
            for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
            float[] want = new float[acc], got = new float[acc];
            for (int i = 0; i < acc; i++) want[i] = got[i] = i;
            CpuBackend.INSTANCE.sumTo(new CpuBackend.CpuStorage(x), xs, new CpuBackend.CpuStorage(want), outStrides);
            emulate(SumToPlan.of(xs, outStrides), x, got);
            assertArrayEquals(want, got, 1e-4f, Arrays.toString(xs) + " -> " + Arrays.toString(os));
        }
    }

    @Test
    void biasGradientIsAColumnSum() {
        SumToPlan p = SumToPlan.of(new int[]{8, 197, 768}, new int[]{0, 0, 1});
        assertEquals(8 * 197, p.columnRows());
        assertEquals(768, p.kept());
        assertEquals(0, SumToPlan.of(new int[]{8, 197, 768}, new int[]{1, 0, 0}).columnRows());
    }
}
