package org.vitarena.backend.cuda;

import org.junit.jupiter.api.Test;
import org.vitarena.core.cpu.CpuBackend;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The row-major → column-major mapping, checked without a GPU: a host implementation of cuBLAS's
 * documented column-major strided-batched sgemm, fed by {@link ColumnMajorGemm#fromRowMajor}, must
 * give what the CPU backend's row-major gemm gives, for every transpose, batch, offset and stride.
 */
class ColumnMajorGemmTest {

    /** cuBLAS semantics on one host array: C_b = op(A_b)·op(B_b) + beta·C_b, column-major, element addresses. */
    static void hostSgemm(ColumnMajorGemm g, float[] mem) {
        for (int bt = 0; bt < g.batch(); bt++) {
            long a = g.a() + bt * g.strideA(), b = g.b() + bt * g.strideB(), c = g.c() + bt * g.strideC();
            for (int j = 0; j < g.n(); j++) {
                for (int i = 0; i < g.m(); i++) {
                    double s = 0;
                    for (int p = 0; p < g.k(); p++) {
                        float av = mem[(int) (g.transA() ? a + i * (long) g.lda() + p : a + p * (long) g.lda() + i)];
                        float bv = mem[(int) (g.transB() ? b + p * (long) g.ldb() + j : b + j * (long) g.ldb() + p)];
                        s += (double) av * bv;
                    }
                    int ci = (int) (c + j * (long) g.ldc() + i);
                    mem[ci] = (float) (s + (g.beta() == 0f ? 0 : g.beta() * mem[ci]));
                }
            }
        }
    }

    @Test
    void everyTransposeBatchAndOffsetMatchesTheCpuGemm() {
        Random r = new Random(7);
        CpuBackend cpu = CpuBackend.INSTANCE;
        int cases = 0;
        for (boolean ta : new boolean[]{false, true})
            for (boolean tb : new boolean[]{false, true})
                for (boolean acc : new boolean[]{false, true})
                    for (int batch : new int[]{1, 3})
                        for (int trial = 0; trial < 4; trial++) {
                            int m = 1 + r.nextInt(9), n = 1 + r.nextInt(9), k = 1 + r.nextInt(9);
                            // stored shapes: A is m×k (or k×m transposed), B is k×n (or n×k)
                            int aRows = ta ? k : m, aCols = ta ? m : k, bRows = tb ? n : k, bCols = tb ? k : n;
                            int lda = aCols + r.nextInt(3), ldb = bCols + r.nextInt(3), ldc = n + r.nextInt(3);
                            int strideA = trial == 3 ? 0 : aRows * lda + r.nextInt(4); // stride 0 broadcasts A
                            int strideB = bRows * ldb + r.nextInt(4), strideC = m * ldc + r.nextInt(4);
                            int aOff = r.nextInt(5), bOff = r.nextInt(5), cOff = r.nextInt(5);
                            int aLen = aOff + (batch - 1) * strideA + aRows * lda;
                            int bLen = bOff + (batch - 1) * strideB + bRows * ldb;
                            int cLen = cOff + (batch - 1) * strideC + m * ldc;
                            float[] a = rand(r, aLen), b = rand(r, bLen), c = rand(r, cLen);

                            float[] want = c.clone();
                            var cs = new CpuBackend.CpuStorage(want);
                            cpu.gemm(batch, ta, tb, m, n, k, new CpuBackend.CpuStorage(a), aOff, lda, strideA,
                                    new CpuBackend.CpuStorage(b), bOff, ldb, strideB, cs, cOff, ldc, strideC, acc);

                            // one "device memory": A, then B, then C; addresses are element indices
                            float[] mem = new float[aLen + bLen + cLen];
                            System.arraycopy(a, 0, mem, 0, aLen);
                            System.arraycopy(b, 0, mem, aLen, bLen);
                            System.arraycopy(c, 0, mem, aLen + bLen, cLen);
                            ColumnMajorGemm g = ColumnMajorGemm.fromRowMajor(batch, ta, tb, m, n, k,
                                    aOff, lda, strideA, aLen + bOff, ldb, strideB, aLen + bLen + cOff, ldc, strideC, acc);
                            hostSgemm(g, mem);
                            for (int i = 0; i < cLen; i++)
                                assertEquals(want[i], mem[aLen + bLen + i], 1e-5f,
                                        "ta=" + ta + " tb=" + tb + " acc=" + acc + " batch=" + batch + " m,n,k=" + m + "," + n + "," + k + " at " + i);
                            cases++;
                        }
        assertEquals(64, cases);
    }

    @Test
    void mappingSwapsOperandsAndSizes() {
        ColumnMajorGemm g = ColumnMajorGemm.fromRowMajor(2, true, false, 3, 5, 7, 100, 3, 21, 200, 5, 35, 300, 5, 15, false);
        assertEquals(5, g.m());
        assertEquals(3, g.n());
        assertEquals(7, g.k());
        assertEquals(200, g.a()); // cuBLAS's A is the row-major B
        assertEquals(0, g.opA());
        assertEquals(1, g.opB());
        assertEquals(5, g.lda());
        assertEquals(3, g.ldb());
        assertEquals(35, g.strideA());
        assertEquals(0f, g.beta());
    }

    private static float[] rand(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) r.nextGaussian();
        return v;
    }
}
