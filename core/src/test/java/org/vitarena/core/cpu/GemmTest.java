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
    checkEveryTranspose(new Random(42), SHAPES, 3);
  }

  /**
   * Each shape {batch, m, n, k} in all four transpose combinations, on one then two threads:
   * once unpadded, once with {@code pad} floats of padding and accumulation.
   */
  private static void checkEveryTranspose(Random r, int[][] shapes, int pad) {
    for (int threads : new int[] {1, 2}) {
      CpuThreads.setThreads(threads);
      for (int[] s : shapes) {
        for (int t = 0; t < 4; t++) {
          boolean tA = (t & 1) != 0;
          boolean tB = (t & 2) != 0;
          check(r, s[0], tA, tB, s[1], s[2], s[3], 0, false);
          check(r, s[0], tA, tB, s[1], s[2], s[3], pad, true);
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
  void packedRowBlocksAndKBlocksRaggedEverywhere() {
    // several row blocks (Gemm.MC_PANELS panels of Gemm.MR rows) times several k-blocks, m not a
    // multiple of MR (6 or 8) nor n of NR, last k-block shorter: packed A panels, edge tiles of
    // every height, accumulation over k-blocks, on one and two threads
    Random r = new Random(13);
    int mc = Gemm.MC_PANELS * Gemm.MR;
    int[][] shapes = {
        {1, mc + Gemm.MR + 1, 37, 2 * Gemm.KC_MAX + 5}, {1, 2 * mc + 5, 70, Gemm.KC_MAX + 3},
        {2, mc - 1, 33, 3 * Gemm.KC_MAX - 7}, {1, 6 * 7 + 2, 2 * Gemm.NR + 3, 300},
        {1, 8 * 5 + 4, 3 * Gemm.NR, 260},
    };
    checkEveryTranspose(r, shapes, 5);
  }

  @Test
  void untransposedARowsAMultipleOf512Apart() {
    // rows of A 512 or 1024 floats apart are copied into rows kc apart before the 8-row tile reads
    // them (in place they would share L1 sets); ragged m and n, several row and k-blocks, B
    // either way round, one and two threads
    Random r = new Random(17);
    for (int threads : new int[] {2, 1}) {
      CpuThreads.setThreads(threads);
      for (boolean tB : new boolean[] {false, true}) {
        check(r, 1, false, tB, 2 * Gemm.MC_PANELS * Gemm.MR + 5, 70, 512, 0, false);  // lda 512
        check(r, 1, false, tB, Gemm.MR * 9 + 3, 2 * Gemm.NR + 1, 1000, 24, true);    // lda 1024
        check(r, 2, false, tB, 37, 45, 512, 0, true);                               // batched
      }
    }
    CpuThreads.setThreads(2);
  }

  @Test
  void longKSplitOverThreadsAllTransposes() {
    // k >= Gemm.KSPLIT_K with a small C: k split in parts summed per thread; ragged m, n, k;
    // transposed A read in place, and packed when 512 divides lda
    Random r = new Random(11);
    for (int threads : new int[] {2, 3, 1}) {
      CpuThreads.setThreads(threads);
      for (int t = 0; t < 4; t++) {
        boolean tA = (t & 1) != 0;
        boolean tB = (t & 2) != 0;
        check(r, 1, tA, tB, 37, 45, Gemm.KSPLIT_K + 2 * Gemm.KC_MAX + 13, 1, t % 2 == 0);
      }
      check(r, 1, true, false, 24, 70, Gemm.KSPLIT_K + 100, 0, true);
      check(r, 1, true, false, 512, 9, Gemm.KSPLIT_K + 7, 0, false);   // lda = 512: packed A
      check(r, 1, true, true, 509, 3, Gemm.KSPLIT_K, 3, true);         // lda = 512 again
    }
  }

  /** Attention-like items read in place from a wider buffer: row stride ld, item stride. */
  private static void checkStrided(Random r, int batch, boolean tA, boolean tB, int m, int n,
      int k, int extra, boolean acc) {
    int aRows = tA ? k : m;
    int aCols = tA ? m : k;
    int bRows = tB ? n : k;
    int bCols = tB ? k : n;
    int lda = aCols + extra;
    int ldb = bCols + 2 * extra;
    int ldc = n + extra;
    int strideA = aRows * lda;
    int strideB = bRows * ldb + 1;
    int strideC = m * ldc + 3;
    float[] a = random(r, 5 + batch * strideA);
    float[] b = random(r, 7 + batch * strideB);
    float[] c0 = random(r, 2 + batch * strideC);
    float[] expect = c0.clone();
    float[] got = c0.clone();
    sgemmReference(batch, tA, tB, m, n, k, a, 5, lda, strideA, b, 7, ldb, strideB,
        expect, 2, ldc, strideC, acc);
    Gemm.sgemm(batch, tA, tB, m, n, k, a, 5, lda, strideA, b, 7, ldb, strideB,
        got, 2, ldc, strideC, acc);
    double max = 1;
    for (float v : expect) {
      max = Math.max(max, Math.abs(v));
    }
    double tol = 1e-5 * Math.sqrt(k) * max * 4;
    for (int i = 0; i < expect.length; i++) {
      assertTrue(Math.abs(expect[i] - got[i]) <= tol, "batch=" + batch + " tA=" + tA + " tB=" + tB
          + " m=" + m + " n=" + n + " k=" + k + " extra=" + extra + " acc=" + acc + " at " + i
          + ": " + expect[i] + " vs " + got[i]);
    }
  }

  @Test
  void smallBatchedItemsAllTransposes() {
    // the small path: m, n <= 64, k <= 128, no packing; whole-vector and ragged widths, one and
    // two vectors of columns, transposed B in 16 x 16 blocks plus a remainder
    int[][] shapes = {
        {64, 16, 16, 32}, {64, 16, 32, 16}, {40, 13, 45, 20}, {9, 64, 64, 128}, {33, 17, 17, 33},
        {7, 5, 3, 16}, {48, 8, 16, 48}, {3, 64, 33, 1}, {20, 1, 64, 64},
    };
    Random r = new Random(5);
    for (int threads : new int[] {2, 1}) {
      CpuThreads.setThreads(threads);
      for (int[] s : shapes) {
        for (int t = 0; t < 4; t++) {
          boolean tA = (t & 1) != 0;
          boolean tB = (t & 2) != 0;
          checkStrided(r, s[0], tA, tB, s[1], s[2], s[3], 0, false);
          checkStrided(r, s[0], tA, tB, s[1], s[2], s[3], 2 * s[3] + 3, true);
        }
      }
    }
  }

  @Test
  void swinWindowAttentionLayout() {
    // q·kᵀ, p·v, dLᵀ·q as AttentionOp calls them: 16 tokens, head dim 32, q, k, v in place in
    // a [windows, 16, 3C] buffer (row stride 3C), logits [windows, H, 16, 16]
    Random r = new Random(3);
    CpuThreads.setThreads(2);
    int w = 24;
    int n = 16;
    int d = 32;
    int c = 96;
    int h = c / d;
    int ld = 3 * c;
    float[] qkv = random(r, w * n * ld);
    float[] logits = random(r, w * h * n * n);
    for (int hi = 0; hi < h; hi++) {
      float[] got = logits.clone();
      float[] expect = logits.clone();
      Gemm.sgemm(w, false, true, n, n, d, qkv, hi * d, ld, n * ld, qkv, c + hi * d, ld, n * ld,
          got, hi * n * n, n, h * n * n, false);
      sgemmReference(w, false, true, n, n, d, qkv, hi * d, ld, n * ld, qkv, c + hi * d, ld,
          n * ld, expect, hi * n * n, n, h * n * n, false);
      assertClose(expect, got, d);
      float[] out = random(r, w * n * c);
      float[] outE = out.clone();
      Gemm.sgemm(w, false, false, n, d, n, logits, hi * n * n, n, h * n * n, qkv, 2 * c + hi * d,
          ld, n * ld, out, hi * d, c, n * c, false);
      sgemmReference(w, false, false, n, d, n, logits, hi * n * n, n, h * n * n, qkv,
          2 * c + hi * d, ld, n * ld, outE, hi * d, c, n * c, false);
      assertClose(outE, out, n);
      float[] dq = random(r, w * n * ld);
      float[] dqE = dq.clone();
      Gemm.sgemm(w, true, false, n, d, n, logits, hi * n * n, n, h * n * n, qkv, hi * d, ld,
          n * ld, dq, c + hi * d, ld, n * ld, true);
      sgemmReference(w, true, false, n, d, n, logits, hi * n * n, n, h * n * n, qkv, hi * d, ld,
          n * ld, dqE, c + hi * d, ld, n * ld, true);
      assertClose(dqE, dq, n);
    }
  }

  @Test
  void longKSplitIsBitwiseDeterministic() {
    // the split's partial sums are added in part order: identical bits whatever thread took which
    // part and whatever the thread count (training runs must not depend on scheduling)
    Random r = new Random(9);
    int m = 40;
    int n = 24;
    int k = 12_000;
    float[] a = random(r, k * m);
    float[] b = random(r, k * n);
    float[] first = null;
    try {
      for (int threads : new int[]{1, 2, 3, 2, 2}) {
        CpuThreads.setThreads(threads);
        for (int rep = 0; rep < 3; rep++) {
          float[] c = new float[m * n];
          Gemm.sgemm(1, true, false, m, n, k, a, 0, m, 0, b, 0, n, 0, c, 0, n, 0, false);
          if (first == null) {
            first = c;
          } else {
            org.junit.jupiter.api.Assertions.assertArrayEquals(first, c, 0f, threads + " threads, repetition " + rep);
          }
        }
      }
    } finally {
      CpuThreads.setThreads(2);
    }
  }

  private static void assertClose(float[] expect, float[] got, int k) {
    double max = 1;
    for (float v : expect) {
      max = Math.max(max, Math.abs(v));
    }
    double tol = 1e-5 * Math.sqrt(k) * max * 4;
    for (int i = 0; i < expect.length; i++) {
      assertTrue(Math.abs(expect[i] - got[i]) <= tol, "at " + i + ": " + expect[i] + " vs " + got[i]);
    }
  }

  @Test
  void smallOrPackedPathSameBits() {
    // with k <= Gemm.KC_MAX every element is one in-order sum on either path, so choosing the path
    // by shape (small, thin-head small, packed) never changes a bit: the first m rows of a product
    // with many more rows (packed) equal the m-row product (small), every transpose
    Random r = new Random(5);
    int[][] shapes = {{65, 65, 16}, {65, 16, 65}, {66, 66, 64}, {16, 16, 32}, {80, 20, 70}};
    for (int[] sh : shapes) {
      int m = sh[0], n = sh[1], k = sh[2], big = 8 * Gemm.MC_PANELS * Gemm.MR / 2 + 3;
      for (int t = 0; t < 4; t++) {
        boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
        float[] a = random(r, big * k), b = random(r, k * n);
        // A is [rows, k] (or stored k x rows); its first m rows are the same in both products
        float[] aSmall = new float[m * k];
        for (int i = 0; i < m; i++) {
          for (int p = 0; p < k; p++) {
            aSmall[ta ? p * m + i : i * k + p] = a[ta ? p * big + i : i * k + p];
          }
        }
        float[] cBig = new float[big * n], cSmall = new float[m * n];
        Gemm.sgemm(1, ta, tb, big, n, k, a, 0, ta ? big : k, 0, b, 0, tb ? k : n, 0, cBig, 0, n, 0, false);
        Gemm.sgemm(1, ta, tb, m, n, k, aSmall, 0, ta ? m : k, 0, b, 0, tb ? k : n, 0, cSmall, 0, n, 0, false);
        for (int i = 0; i < m * n; i++) {
          assertEquals(Float.floatToIntBits(cBig[i]), Float.floatToIntBits(cSmall[i]),
              "[" + m + "x" + n + "x" + k + "] " + (ta ? "T" : "N") + (tb ? "T" : "N") + " at " + i);
        }
      }
    }
  }

  @Test
  void packedPathsAreKBlockedFmaChainsBitForBit() {
    // Every packed path (one thread's rows; rows split over threads; columns split over threads
    // when C is one row block; A stored transposed read in place or packed) computes each element
    // as: per k-block of kcBlock = ceil(k / ceil(k / KC_MAX)), an FMA chain over p in order from
    // zero, the block sums added to C in block order. So this reference matches bit for bit, on
    // every path, for every thread count.
    Random r = new Random(11);
    // m, n, k: one row block with few column panels (A^T in place), one row block with many,
    // several row blocks, ragged tiles, several k-blocks, one k-block (A untransposed read in place)
    int[][] shapes = {{64, 64, 700}, {40, 200, 600}, {70, 40, 530}, {250, 150, 300}, {13, 300, 260},
        {193, 33, 517}, {200, 100, 192}, {70, 200, 129}};
    for (int[] sh : shapes) {
      int m = sh[0], n = sh[1], k = sh[2];
      int blocks = (k + Gemm.KC_MAX - 1) / Gemm.KC_MAX;
      int kcBlock = (k + blocks - 1) / blocks;
      for (int t = 0; t < 4; t++) {
        boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
        float[] a = random(r, m * k), b = random(r, k * n);
        float[] expect = new float[m * n];
        for (int i = 0; i < m; i++) {
          for (int j = 0; j < n; j++) {
            float acc = 0;
            for (int p0 = 0; p0 < k; p0 += kcBlock) {
              float s = 0;
              for (int p = p0; p < Math.min(k, p0 + kcBlock); p++) {
                s = Math.fma(a[ta ? p * m + i : i * k + p], b[tb ? j * k + p : p * n + j], s);
              }
              acc = p0 == 0 ? s : acc + s;
            }
            expect[i * n + j] = acc;
          }
        }
        for (int threads = 1; threads <= 3; threads++) {
          CpuThreads.setThreads(threads);
          float[] c = new float[m * n];
          Gemm.sgemm(1, ta, tb, m, n, k, a, 0, ta ? m : k, 0, b, 0, tb ? k : n, 0, c, 0, n, 0, false);
          for (int i = 0; i < m * n; i++) {
            assertEquals(Float.floatToIntBits(expect[i]), Float.floatToIntBits(c[i]),
                "[" + m + "x" + n + "x" + k + "] " + (ta ? "T" : "N") + (tb ? "T" : "N") + ", "
                    + threads + " threads, at " + i);
          }
        }
      }
    }
  }

  @Test
  void weightGradientsAccumulateIntoStridedCBitForBit() {
    // C (+)= A^T B with more rows than columns (computed as its transpose on 6-row hosts), into
    // a C with a row stride past n and an offset, accumulating: the same k-blocked FMA chains
    // added to C's old values, and nothing outside C touched; with k past KSPLIT_K the k split's
    // part sums are added in part order as well
    Random r = new Random(12);
    int[][] shapes = {{256, 64, 2080}, {193, 33, 517}, {75, 17, 300}, {128, 32, 8192}};
    for (int[] sh : shapes) {
      int m = sh[0], n = sh[1], k = sh[2];
      int blocks = (k + Gemm.KC_MAX - 1) / Gemm.KC_MAX;
      int kcBlock = (k + blocks - 1) / blocks;
      boolean split = Gemm.kSplit(m, n, k);
      int ldc = n + 5, cOff = 3;
      float[] a = random(r, k * m), b = random(r, k * n), c0 = random(r, cOff + m * ldc + 2);
      float[] expect = c0.clone();
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          // the k split: parts of 8 k-blocks, part 0 into C, the others from zero, added in order
          float acc = c0[cOff + i * ldc + j];
          float part = 0;
          for (int p0 = 0, kb = 0; p0 < k; p0 += kcBlock, kb++) {
            float s = 0;
            for (int p = p0; p < Math.min(k, p0 + kcBlock); p++) {
              s = Math.fma(a[p * m + i], b[p * n + j], s);
            }
            if (!split || kb < 8) {
              acc += s;
            } else {
              part = kb % 8 == 0 ? s : part + s;
              if (kb % 8 == 7 || p0 + kcBlock >= k) acc += part;
            }
          }
          expect[cOff + i * ldc + j] = acc;
        }
      }
      for (int threads = 1; threads <= 2; threads++) {
        CpuThreads.setThreads(threads);
        float[] c = c0.clone();
        Gemm.sgemm(1, true, false, m, n, k, a, 0, m, 0, b, 0, n, 0, c, cOff, ldc, 0, true);
        for (int i = 0; i < c.length; i++) {
          assertEquals(Float.floatToIntBits(expect[i]), Float.floatToIntBits(c[i]),
              "[" + m + "x" + n + "x" + k + "] TN accumulating, " + threads + " threads, at " + i);
        }
      }
    }
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
