package org.vitarena.core.cpu;

/** Row-major float32 matrix products (simple placeholder until the tuned kernel lands). */
public final class Gemm {
    private Gemm() {}

    public static void sgemm(int batch, boolean transA, boolean transB, int m, int n, int k,
                             float[] a, int aOff, int lda, int strideA,
                             float[] b, int bOff, int ldb, int strideB,
                             float[] c, int cOff, int ldc, int strideC, boolean accumulate) {
        CpuThreads.parallelRange(batch * m, 4, (lo, hi) -> {
            float[] row = new float[n];
            for (int bi_i = lo; bi_i < hi; bi_i++) {
                int bi = bi_i / m, i = bi_i % m;
                java.util.Arrays.fill(row, 0f);
                int ab = aOff + bi * strideA, bb = bOff + bi * strideB;
                for (int p = 0; p < k; p++) {
                    float av = transA ? a[ab + p * lda + i] : a[ab + i * lda + p];
                    if (av == 0f) continue;
                    if (transB) {
                        for (int j = 0; j < n; j++) row[j] += av * b[bb + j * ldb + p];
                    } else {
                        int o = bb + p * ldb;
                        for (int j = 0; j < n; j++) row[j] += av * b[o + j];
                    }
                }
                int co = cOff + bi * strideC + i * ldc;
                if (accumulate) for (int j = 0; j < n; j++) c[co + j] += row[j];
                else System.arraycopy(row, 0, c, co, n);
            }
        });
    }
}
