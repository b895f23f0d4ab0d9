package org.vitarena.core.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** {@link Gemm#sgemm} against an independent naive reference in double precision. */
class GemmTest {

  @AfterAll
  static void restoreThreads() {
    CpuThreads.setThreads(Runtime.getRuntime().availableProcessors());
  }

  /** The naive triple loop, same contract as {@link Gemm#sgemm}, accumulating in double. */
  static void sgemmReference(int batch, boolean transA, boolean transB, int m, int n, int k,
      float[] a, int aOff, int lda, int strideA,
      float[] b, int bOff, int ldb, int strideB,
      float[] c, int cOff, int ldc, int strideC, boolean accumulate) {
    for (int bi = 0; bi < batch; bi++) {
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          double s = 0;
          for (int p = 0; p < k; p++) {
            float x = a[aOff + bi * strideA + (transA ? p * lda + i : i * lda + p)];
            float y = b[bOff + bi * strideB + (transB ? j * ldb + p : p * ldb + j)];
            s += (double) x * y;
          }
          int ci = cOff + bi * strideC + i * ldc + j;
          c[ci] = (float) (accumulate ? c[ci] + s : s);
        }
      }
    }
  }

  private static float[] random(Random r, int size) {
    float[] x = new float[size];
    for (int i = 0; i < size; i++) {
      x[i] = (float) r.nextGaussian();
    }
    return x;
  }

  /** One case: random operands with padding (offset, ld, stride), both transposes given. */
  private static void check(Random r, int batch, boolean tA, boolean tB, int m, int n, int k,
      int pad, boolean acc) {
    int aRows = tA ? k : m;
    int aCols = tA ? m : k;
    int bRows = tB ? n : k;
    int bCols = tB ? k : n;
    int lda = aCols + pad;
    int ldb = bCols + pad;
    int ldc = n + pad;
    int strideA = aRows * lda + pad;
    int strideB = bRows * ldb + pad;
    int strideC = m * ldc + pad;
    int aOff = pad;
    int bOff = 2 * pad;
    int cOff = 3 * pad;
    float[] a = random(r, aOff + batch * strideA + 1);
    float[] b = random(r, bOff + batch * strideB + 1);
    float[] c0 = random(r, cOff + batch * strideC + 1);
    float[] expect = c0.clone();
    float[] got = c0.clone();
    sgemmReference(batch, tA, tB, m, n, k, a, aOff, lda, strideA, b, bOff, ldb, strideB,
        expect, cOff, ldc, strideC, acc);
    Gemm.sgemm(batch, tA, tB, m, n, k, a, aOff, lda, strideA, b, bOff, ldb, strideB,
        got, cOff, ldc, strideC, acc);
    double max = 1;
    for (float v : expect) {
      max = Math.max(max, Math.abs(v));
    }
    double tol = 1e-5 * Math.sqrt(Math.max(k, 1)) * max * 4;
    String what = "batch=" + batch + " tA=" + tA + " tB=" + tB + " m=" + m + " n=" + n + " k=" + k
        + " pad=" + pad + " acc=" + acc + " threads=" + CpuThreads.threads();
    double maxDiff = 0;
    for (int i = 0; i < expect.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(expect[i] - got[i]));
    }
    assertTrue(maxDiff <= tol, what + ": maxdiff " + maxDiff + " > tol " + tol);
  }

  private static final int[][] SHAPES = {
      {1, 1, 1, 1}, {1, 3, 17, 5}, {1, 17, 3, 5}, {1, 1, 40, 7}, {1, 9, 1, 33}, {1, 8, 32, 1},
      {1, 16, 48, 300}, {1, 130, 257, 129}, {3, 65, 65, 64}, {4, 65, 64, 65}, {2, 33, 31, 513},
      {5, 7, 9, 11},
  };

  @Test
  void allTransposesShapesAndThreads() {
    Random r = new Random(42);
    for (int threads : new int[] {1, 2}) {
      CpuThreads.setThreads(threads);
      for (int[] s : SHAPES) {
        for (int t = 0; t < 4; t++) {
          boolean tA = (t & 1) != 0;
          boolean tB = (t & 2) != 0;
          check(r, s[0], tA, tB, s[1], s[2], s[3], 0, false);
          check(r, s[0], tA, tB, s[1], s[2], s[3], 3, true);
        }
      }
    }
  }

  @Test
  void largeBatchedAttentionAndRowSplitPaths() {
    Random r = new Random(7);
    CpuThreads.setThreads(2);
    check(r, 12, false, true, 65, 65, 64, 1, false);   // batch-parallel path
    check(r, 1, false, false, 300, 200, 96, 2, true);   // row-parallel path, shared packed B
    check(r, 1, true, false, 24, 100, 700, 0, false);   // few rows: column split too
    check(r, 3, false, false, 160, 70, 300, 1, false);  // batch not a multiple of threads
  }

  @Test
  void zeroKClearsOrKeeps() {
    float[] c = {1, 2, 3, 4, 5, 6};
    Gemm.sgemm(1, false, false, 2, 3, 0, new float[0], 0, 1, 0, new float[0], 0, 3, 0,
        c, 0, 3, 0, true);
    assertEquals(1f, c[0]);
    assertEquals(6f, c[5]);
    Gemm.sgemm(1, false, false, 2, 3, 0, new float[0], 0, 1, 0, new float[0], 0, 3, 0,
        c, 0, 3, 0, false);
    for (float v : c) {
      assertEquals(0f, v);
    }
  }

  @Test
  void parallelRangeCoversEveryIndexOnce() {
    CpuThreads.setThreads(2);
    int[] hits = new int[1000];
    CpuThreads.parallelRange(hits.length, 7, (lo, hi) -> {
      for (int i = lo; i < hi; i++) {
        hits[i]++;
      }
    });
    for (int h : hits) {
      assertEquals(1, h);
    }
    java.util.concurrent.atomic.AtomicInteger sum = new java.util.concurrent.atomic.AtomicInteger();
    CpuThreads.parallelFor(100, i -> sum.addAndGet(i));
    assertEquals(4950, sum.get());
  }
}
