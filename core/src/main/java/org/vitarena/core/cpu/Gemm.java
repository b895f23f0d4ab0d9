package org.vitarena.core.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-precision matrix product on the CPU: packed, cache-blocked, register-tiled with
 * {@code jdk.incubator.vector}, multi-threaded over {@link CpuThreads}.
 *
 * <p>Legend: m, n, k are the rows of C, the columns of C and the shared dimension; MR x NR is
 * the register tile (8 rows x two vectors of columns), KC the k-block, MC the row block.
 *
 * <p>Design (after Goto/BLIS): op(B) is packed once per batch item into NR-wide column
 * panels, each k-block contiguous, so the micro-kernel reads it with unit stride; op(A) is
 * packed per (row block, k-block) into MR-tall row panels. The micro-kernel keeps the
 * 8 x NR tile of C in 16 vector registers and does two FMAs per broadcast element of A.
 * The four transpose combinations only change the packing loops. Edges are packed with
 * zeros and stored with masks. Work is split over batch items when there are enough of
 * them (attention), otherwise over balanced row (and if needed column) blocks sharing one
 * packed B. Buffers are per thread and grow to the largest shape seen; no call allocates
 * large arrays.
 */
public final class Gemm {

  static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  static final int VL = S.length();
  /** MR floats: one row of a packed A panel. */
  private static final VectorSpecies<Float> S8 = FloatVector.SPECIES_256;
  /** Rows of the register tile. */
  static final int MR = 8;
  /** Columns of the register tile: two vectors. */
  static final int NR = 2 * VL;
  /** Largest k-block: a KC x NR panel of B stays in L1. */
  static final int KC_MAX = 256;
  /** Row panels per row block: an MC x KC block of A stays in L2. */
  static final int MC_PANELS = 32;
  /** Below this many multiply-adds in all, one thread does everything. */
  private static final long SERIAL_WORK = 1L << 15;
  /** Below this many multiply-adds per item, batch items are the unit of parallel work. */
  private static final long SMALL_ITEM = 1L << 21;

  private Gemm() {}

  /** Per-thread packing buffers, grown on demand and reused. */
  private static final class Work {
    final float[] packA = new float[MC_PANELS * MR * KC_MAX];
    final float[] tile = new float[MR * NR];
    float[] packB = new float[0];

    float[] packB(int size) {
      if (packB.length < size) {
        packB = new float[Math.max(size, packB.length + (packB.length >> 1))];
      }
      return packB;
    }
  }

  private static final ThreadLocal<Work> WORK = ThreadLocal.withInitial(Work::new);

  /** For each b in [0,batch): C_b = op(A_b) · op(B_b) (+ C_b if accumulate).
   *  op(A_b) is [m,k]: element (i,p) is a[aOff + b*strideA + (transA ? p*lda + i : i*lda + p)].
   *  op(B_b) is [k,n]: element (p,j) is b[bOff + b*strideB + (transB ? j*ldb + p : p*ldb + j)].
   *  C_b is [m,n]: element (i,j) is c[cOff + b*strideC + i*ldc + j]. */
  public static void sgemm(int batch, boolean transA, boolean transB, int m, int n, int k,
      float[] a, int aOff, int lda, int strideA,
      float[] b, int bOff, int ldb, int strideB,
      float[] c, int cOff, int ldc, int strideC, boolean accumulate) {
    if (batch < 0 || m < 0 || n < 0 || k < 0) {
      throw new IllegalArgumentException(
          "negative size: batch=" + batch + " m=" + m + " n=" + n + " k=" + k);
    }
    if (batch == 0 || m == 0 || n == 0) {
      return;
    }
    if (ldc < n) {
      throw new IllegalArgumentException("ldc=" + ldc + " < n=" + n);
    }
    if (k == 0) {
      if (!accumulate) {
        for (int bi = 0; bi < batch; bi++) {
          for (int i = 0; i < m; i++) {
            int row = cOff + bi * strideC + i * ldc;
            java.util.Arrays.fill(c, row, row + n, 0f);
          }
        }
      }
      return;
    }
    if (lda < (transA ? m : k) || ldb < (transB ? k : n)) {
      throw new IllegalArgumentException("lda=" + lda + " or ldb=" + ldb + " too small for "
          + (transA ? "A^T" : "A") + (transB ? " B^T" : " B") + " with m=" + m + " n=" + n
          + " k=" + k);
    }
    Call call = new Call(transA, transB, m, n, k, a, aOff, lda, strideA, b, bOff, ldb, strideB,
        c, cOff, ldc, strideC, accumulate);
    int nt = CpuThreads.threads();
    long perItem = (long) m * n * k;
    if (nt == 1 || perItem * batch <= SERIAL_WORK) {
      for (int bi = 0; bi < batch; bi++) {
        call.serialItem(bi);
      }
      return;
    }
    boolean byBatch = batch >= nt
        && (batch % nt == 0 || batch >= 4 * nt || perItem < SMALL_ITEM);
    if (byBatch) {
      CpuThreads.parallelChunks(batch, call::serialItem);
    } else {
      for (int bi = 0; bi < batch; bi++) {
        call.parallelItem(bi, nt);
      }
    }
  }

  /** One call's arguments and derived blocking. */
  private static final class Call {
    final boolean transA, transB, accumulate;
    final int m, n, k;
    final float[] a, b, c;
    final int aOff, lda, strideA, bOff, ldb, strideB, cOff, ldc, strideC;
    final int mPanels, nPanels, nPad, kcBlock;

    Call(boolean transA, boolean transB, int m, int n, int k,
        float[] a, int aOff, int lda, int strideA,
        float[] b, int bOff, int ldb, int strideB,
        float[] c, int cOff, int ldc, int strideC, boolean accumulate) {
      this.transA = transA;
      this.transB = transB;
      this.m = m;
      this.n = n;
      this.k = k;
      this.a = a;
      this.aOff = aOff;
      this.lda = lda;
      this.strideA = strideA;
      this.b = b;
      this.bOff = bOff;
      this.ldb = ldb;
      this.strideB = strideB;
      this.c = c;
      this.cOff = cOff;
      this.ldc = ldc;
      this.strideC = strideC;
      this.accumulate = accumulate;
      this.mPanels = (m + MR - 1) / MR;
      this.nPanels = (n + NR - 1) / NR;
      this.nPad = nPanels * NR;
      int kBlocks = (k + KC_MAX - 1) / KC_MAX;
      this.kcBlock = (k + kBlocks - 1) / kBlocks;
    }

    /** One batch item on the calling thread alone. */
    void serialItem(int bi) {
      Work w = WORK.get();
      float[] pb = w.packB(k * nPad);
      packB(bi, pb, 0, nPanels);
      computeTile(bi, 0, mPanels, 0, nPanels, pb, w);
    }

    /** One batch item over all threads: B packed once, shared; balanced tiles of C. */
    void parallelItem(int bi, int nt) {
      float[] pb = WORK.get().packB(k * nPad);
      int packGrain = Math.max(1, (1 << 14) / (k * NR));
      CpuThreads.parallelRange(nPanels, packGrain, (lo, hi) -> packB(bi, pb, lo, hi));
      // row chunks: a multiple of nt, each at most MC_PANELS panels
      int rowChunks = nt * ((mPanels + nt * MC_PANELS - 1) / (nt * MC_PANELS));
      rowChunks = Math.min(rowChunks, mPanels);
      int colChunks = 1;
      if (rowChunks < nt) {
        colChunks = Math.min(nPanels, (nt + rowChunks - 1) / rowChunks);
      }
      int rc = rowChunks;
      int cc = colChunks;
      CpuThreads.parallelChunks(rc * cc, t -> {
        int r = t / cc;
        int q = t % cc;
        computeTile(bi, r * mPanels / rc, (r + 1) * mPanels / rc,
            q * nPanels / cc, (q + 1) * nPanels / cc, pb, WORK.get());
      });
    }

    /** Packs column panels [jLo, jHi) of op(B_bi), every k-block, into pb. */
    void packB(int bi, float[] pb, int jLo, int jHi) {
      int base = bOff + bi * strideB;
      for (int p0 = 0; p0 < k; p0 += kcBlock) {
        int kc = Math.min(kcBlock, k - p0);
        for (int jp = jLo; jp < jHi; jp++) {
          int j0 = jp * NR;
          int nr = Math.min(NR, n - j0);
          int d = p0 * nPad + jp * kc * NR;
          if (!transB) {
            int src = base + p0 * ldb + j0;
            if (nr == NR) {
              for (int p = 0; p < kc; p++, src += ldb, d += NR) {
                FloatVector.fromArray(S, b, src).intoArray(pb, d);
                FloatVector.fromArray(S, b, src + VL).intoArray(pb, d + VL);
              }
            } else {
              for (int p = 0; p < kc; p++, src += ldb, d += NR) {
                System.arraycopy(b, src, pb, d, nr);
                java.util.Arrays.fill(pb, d + nr, d + NR, 0f);
              }
            }
          } else {
            for (int j = 0; j < nr; j++) {
              int src = base + (j0 + j) * ldb + p0;
              for (int p = 0; p < kc; p++) {
                pb[d + p * NR + j] = b[src + p];
              }
            }
            if (nr < NR) {
              for (int p = 0; p < kc; p++) {
                java.util.Arrays.fill(pb, d + p * NR + nr, d + p * NR + NR, 0f);
              }
            }
          }
        }
      }
    }

    /** Packs row panels [iLo, iHi) of op(A_bi), k-block [p0, p0+kc), into pa. */
    void packA(int bi, float[] pa, int iLo, int iHi, int p0, int kc) {
      int base = aOff + bi * strideA;
      for (int ip = iLo; ip < iHi; ip++) {
        int i0 = ip * MR;
        int mr = Math.min(MR, m - i0);
        int d = (ip - iLo) * kc * MR;
        if (!transA) {
          for (int r = 0; r < mr; r++) {
            int src = base + (i0 + r) * lda + p0;
            for (int p = 0; p < kc; p++) {
              pa[d + p * MR + r] = a[src + p];
            }
          }
          for (int r = mr; r < MR; r++) {
            for (int p = 0; p < kc; p++) {
              pa[d + p * MR + r] = 0f;
            }
          }
        } else {
          int src = base + p0 * lda + i0;
          if (mr == MR) {
            for (int p = 0; p < kc; p++, src += lda, d += MR) {
              FloatVector.fromArray(S8, a, src).intoArray(pa, d);
            }
            continue;
          }
          for (int p = 0; p < kc; p++, src += lda, d += MR) {
            for (int r = 0; r < mr; r++) {
              pa[d + r] = a[src + r];
            }
            for (int r = mr; r < MR; r++) {
              pa[d + r] = 0f;
            }
          }
        }
      }
    }

    /** C_bi rows of panels [iLo, iHi), columns of panels [jLo, jHi), with packed B pb. */
    void computeTile(int bi, int iLo, int iHi, int jLo, int jHi, float[] pb, Work w) {
      float[] pa = w.packA;
      int cBase = cOff + bi * strideC;
      for (int i1 = iLo; i1 < iHi; i1 += MC_PANELS) {
        int i2 = Math.min(iHi, i1 + MC_PANELS);
        for (int p0 = 0; p0 < k; p0 += kcBlock) {
          int kc = Math.min(kcBlock, k - p0);
          boolean add = accumulate || p0 > 0;
          if (transA) {
            packA(bi, pa, i1, i2, p0, kc);
          }
          int aBase = aOff + bi * strideA + p0;
          for (int jp = jLo; jp < jHi; jp++) {
            int j0 = jp * NR;
            int nr = Math.min(NR, n - j0);
            int bIdx = p0 * nPad + jp * kc * NR;
            for (int ip = i1; ip < i2; ip++) {
              int i0 = ip * MR;
              int mr = Math.min(MR, m - i0);
              if (transA) {
                kernel(kc, pa, (ip - i1) * kc * MR, pb, bIdx, c, cBase + i0 * ldc + j0, ldc, mr, nr,
                    add, w.tile);
              } else {
                kernelRows(kc, a, aBase + i0 * lda, lda, pb, bIdx, c, cBase + i0 * ldc + j0, ldc, mr,
                    nr, add, w.tile);
              }
            }
          }
        }
      }
    }
  }

  /** C[0:mr, 0:nr] (+)= packed A panel (kc x MR) times packed B panel (kc x NR). */
  private static void kernel(int kc, float[] pa, int ai, float[] pb, int bi,
      float[] c, int ci, int ldc, int mr, int nr, boolean add, float[] tile) {
    FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c10 = FloatVector.zero(S), c11 = FloatVector.zero(S), c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
    FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S), c50 = FloatVector.zero(S), c51 = FloatVector.zero(S), c60 = FloatVector.zero(S), c61 = FloatVector.zero(S), c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
    for (int p = 0; p < kc; p++) {
      int bo = bi + p * NR;
      int ao = ai + p * MR;
      FloatVector b0 = FloatVector.fromArray(S, pb, bo);
      FloatVector b1 = FloatVector.fromArray(S, pb, bo + VL);
      FloatVector a0 = FloatVector.broadcast(S, pa[ao + 0]);
      c00 = a0.fma(b0, c00);
      c01 = a0.fma(b1, c01);
      FloatVector a1 = FloatVector.broadcast(S, pa[ao + 1]);
      c10 = a1.fma(b0, c10);
      c11 = a1.fma(b1, c11);
      FloatVector a2 = FloatVector.broadcast(S, pa[ao + 2]);
      c20 = a2.fma(b0, c20);
      c21 = a2.fma(b1, c21);
      FloatVector a3 = FloatVector.broadcast(S, pa[ao + 3]);
      c30 = a3.fma(b0, c30);
      c31 = a3.fma(b1, c31);
      FloatVector a4 = FloatVector.broadcast(S, pa[ao + 4]);
      c40 = a4.fma(b0, c40);
      c41 = a4.fma(b1, c41);
      FloatVector a5 = FloatVector.broadcast(S, pa[ao + 5]);
      c50 = a5.fma(b0, c50);
      c51 = a5.fma(b1, c51);
      FloatVector a6 = FloatVector.broadcast(S, pa[ao + 6]);
      c60 = a6.fma(b0, c60);
      c61 = a6.fma(b1, c61);
      FloatVector a7 = FloatVector.broadcast(S, pa[ao + 7]);
      c70 = a7.fma(b0, c70);
      c71 = a7.fma(b1, c71);
    }
    if (mr == MR && nr == NR) {
      if (add) {
        c00.add(FloatVector.fromArray(S, c, ci + 0 * ldc)).intoArray(c, ci + 0 * ldc);
        c01.add(FloatVector.fromArray(S, c, ci + 0 * ldc + VL)).intoArray(c, ci + 0 * ldc + VL);
        c10.add(FloatVector.fromArray(S, c, ci + 1 * ldc)).intoArray(c, ci + 1 * ldc);
        c11.add(FloatVector.fromArray(S, c, ci + 1 * ldc + VL)).intoArray(c, ci + 1 * ldc + VL);
        c20.add(FloatVector.fromArray(S, c, ci + 2 * ldc)).intoArray(c, ci + 2 * ldc);
        c21.add(FloatVector.fromArray(S, c, ci + 2 * ldc + VL)).intoArray(c, ci + 2 * ldc + VL);
        c30.add(FloatVector.fromArray(S, c, ci + 3 * ldc)).intoArray(c, ci + 3 * ldc);
        c31.add(FloatVector.fromArray(S, c, ci + 3 * ldc + VL)).intoArray(c, ci + 3 * ldc + VL);
        c40.add(FloatVector.fromArray(S, c, ci + 4 * ldc)).intoArray(c, ci + 4 * ldc);
        c41.add(FloatVector.fromArray(S, c, ci + 4 * ldc + VL)).intoArray(c, ci + 4 * ldc + VL);
        c50.add(FloatVector.fromArray(S, c, ci + 5 * ldc)).intoArray(c, ci + 5 * ldc);
        c51.add(FloatVector.fromArray(S, c, ci + 5 * ldc + VL)).intoArray(c, ci + 5 * ldc + VL);
        c60.add(FloatVector.fromArray(S, c, ci + 6 * ldc)).intoArray(c, ci + 6 * ldc);
        c61.add(FloatVector.fromArray(S, c, ci + 6 * ldc + VL)).intoArray(c, ci + 6 * ldc + VL);
        c70.add(FloatVector.fromArray(S, c, ci + 7 * ldc)).intoArray(c, ci + 7 * ldc);
        c71.add(FloatVector.fromArray(S, c, ci + 7 * ldc + VL)).intoArray(c, ci + 7 * ldc + VL);
      } else {
        c00.intoArray(c, ci + 0 * ldc);
        c01.intoArray(c, ci + 0 * ldc + VL);
        c10.intoArray(c, ci + 1 * ldc);
        c11.intoArray(c, ci + 1 * ldc + VL);
        c20.intoArray(c, ci + 2 * ldc);
        c21.intoArray(c, ci + 2 * ldc + VL);
        c30.intoArray(c, ci + 3 * ldc);
        c31.intoArray(c, ci + 3 * ldc + VL);
        c40.intoArray(c, ci + 4 * ldc);
        c41.intoArray(c, ci + 4 * ldc + VL);
        c50.intoArray(c, ci + 5 * ldc);
        c51.intoArray(c, ci + 5 * ldc + VL);
        c60.intoArray(c, ci + 6 * ldc);
        c61.intoArray(c, ci + 6 * ldc + VL);
        c70.intoArray(c, ci + 7 * ldc);
        c71.intoArray(c, ci + 7 * ldc + VL);
      }
    } else {
      // edge tile: spill the whole tile, then add the valid part
      c00.intoArray(tile, 0 * NR);
      c01.intoArray(tile, 0 * NR + VL);
      c10.intoArray(tile, 1 * NR);
      c11.intoArray(tile, 1 * NR + VL);
      c20.intoArray(tile, 2 * NR);
      c21.intoArray(tile, 2 * NR + VL);
      c30.intoArray(tile, 3 * NR);
      c31.intoArray(tile, 3 * NR + VL);
      c40.intoArray(tile, 4 * NR);
      c41.intoArray(tile, 4 * NR + VL);
      c50.intoArray(tile, 5 * NR);
      c51.intoArray(tile, 5 * NR + VL);
      c60.intoArray(tile, 6 * NR);
      c61.intoArray(tile, 6 * NR + VL);
      c70.intoArray(tile, 7 * NR);
      c71.intoArray(tile, 7 * NR + VL);
      for (int i = 0; i < mr; i++) {
        int row = ci + i * ldc;
        for (int j = 0; j < nr; j++) {
          c[row + j] = add ? c[row + j] + tile[i * NR + j] : tile[i * NR + j];
        }
      }
    }
  }

  /** As {@link #kernel}, with A read in place: row r of the panel starts at a[ai + r*lda] (rows past mr
   *  repeat row 0, computed and not stored), so row-major A needs no packing. */
  private static void kernelRows(int kc, float[] pa, int ai, int lda, float[] pb, int bi,
      float[] c, int ci, int ldc, int mr, int nr, boolean add, float[] tile) {
    FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c10 = FloatVector.zero(S), c11 = FloatVector.zero(S), c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
    FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S), c50 = FloatVector.zero(S), c51 = FloatVector.zero(S), c60 = FloatVector.zero(S), c61 = FloatVector.zero(S), c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
    int r1 = ai + (mr > 1 ? lda : 0), r2 = ai + (mr > 2 ? 2 * lda : 0), r3 = ai + (mr > 3 ? 3 * lda : 0);
    int r4 = ai + (mr > 4 ? 4 * lda : 0), r5 = ai + (mr > 5 ? 5 * lda : 0), r6 = ai + (mr > 6 ? 6 * lda : 0);
    int r7 = ai + (mr > 7 ? 7 * lda : 0);
    for (int p = 0; p < kc; p++) {
      int bo = bi + p * NR;
      FloatVector b0 = FloatVector.fromArray(S, pb, bo);
      FloatVector b1 = FloatVector.fromArray(S, pb, bo + VL);
      FloatVector a0 = FloatVector.broadcast(S, pa[ai + p]);
      c00 = a0.fma(b0, c00);
      c01 = a0.fma(b1, c01);
      FloatVector a1 = FloatVector.broadcast(S, pa[r1 + p]);
      c10 = a1.fma(b0, c10);
      c11 = a1.fma(b1, c11);
      FloatVector a2 = FloatVector.broadcast(S, pa[r2 + p]);
      c20 = a2.fma(b0, c20);
      c21 = a2.fma(b1, c21);
      FloatVector a3 = FloatVector.broadcast(S, pa[r3 + p]);
      c30 = a3.fma(b0, c30);
      c31 = a3.fma(b1, c31);
      FloatVector a4 = FloatVector.broadcast(S, pa[r4 + p]);
      c40 = a4.fma(b0, c40);
      c41 = a4.fma(b1, c41);
      FloatVector a5 = FloatVector.broadcast(S, pa[r5 + p]);
      c50 = a5.fma(b0, c50);
      c51 = a5.fma(b1, c51);
      FloatVector a6 = FloatVector.broadcast(S, pa[r6 + p]);
      c60 = a6.fma(b0, c60);
      c61 = a6.fma(b1, c61);
      FloatVector a7 = FloatVector.broadcast(S, pa[r7 + p]);
      c70 = a7.fma(b0, c70);
      c71 = a7.fma(b1, c71);
    }
    if (mr == MR && nr == NR) {
      if (add) {
        c00.add(FloatVector.fromArray(S, c, ci + 0 * ldc)).intoArray(c, ci + 0 * ldc);
        c01.add(FloatVector.fromArray(S, c, ci + 0 * ldc + VL)).intoArray(c, ci + 0 * ldc + VL);
        c10.add(FloatVector.fromArray(S, c, ci + 1 * ldc)).intoArray(c, ci + 1 * ldc);
        c11.add(FloatVector.fromArray(S, c, ci + 1 * ldc + VL)).intoArray(c, ci + 1 * ldc + VL);
        c20.add(FloatVector.fromArray(S, c, ci + 2 * ldc)).intoArray(c, ci + 2 * ldc);
        c21.add(FloatVector.fromArray(S, c, ci + 2 * ldc + VL)).intoArray(c, ci + 2 * ldc + VL);
        c30.add(FloatVector.fromArray(S, c, ci + 3 * ldc)).intoArray(c, ci + 3 * ldc);
        c31.add(FloatVector.fromArray(S, c, ci + 3 * ldc + VL)).intoArray(c, ci + 3 * ldc + VL);
        c40.add(FloatVector.fromArray(S, c, ci + 4 * ldc)).intoArray(c, ci + 4 * ldc);
        c41.add(FloatVector.fromArray(S, c, ci + 4 * ldc + VL)).intoArray(c, ci + 4 * ldc + VL);
        c50.add(FloatVector.fromArray(S, c, ci + 5 * ldc)).intoArray(c, ci + 5 * ldc);
        c51.add(FloatVector.fromArray(S, c, ci + 5 * ldc + VL)).intoArray(c, ci + 5 * ldc + VL);
        c60.add(FloatVector.fromArray(S, c, ci + 6 * ldc)).intoArray(c, ci + 6 * ldc);
        c61.add(FloatVector.fromArray(S, c, ci + 6 * ldc + VL)).intoArray(c, ci + 6 * ldc + VL);
        c70.add(FloatVector.fromArray(S, c, ci + 7 * ldc)).intoArray(c, ci + 7 * ldc);
        c71.add(FloatVector.fromArray(S, c, ci + 7 * ldc + VL)).intoArray(c, ci + 7 * ldc + VL);
      } else {
        c00.intoArray(c, ci + 0 * ldc);
        c01.intoArray(c, ci + 0 * ldc + VL);
        c10.intoArray(c, ci + 1 * ldc);
        c11.intoArray(c, ci + 1 * ldc + VL);
        c20.intoArray(c, ci + 2 * ldc);
        c21.intoArray(c, ci + 2 * ldc + VL);
        c30.intoArray(c, ci + 3 * ldc);
        c31.intoArray(c, ci + 3 * ldc + VL);
        c40.intoArray(c, ci + 4 * ldc);
        c41.intoArray(c, ci + 4 * ldc + VL);
        c50.intoArray(c, ci + 5 * ldc);
        c51.intoArray(c, ci + 5 * ldc + VL);
        c60.intoArray(c, ci + 6 * ldc);
        c61.intoArray(c, ci + 6 * ldc + VL);
        c70.intoArray(c, ci + 7 * ldc);
        c71.intoArray(c, ci + 7 * ldc + VL);
      }
    } else {
      // edge tile: spill the whole tile, then add the valid part
      c00.intoArray(tile, 0 * NR);
      c01.intoArray(tile, 0 * NR + VL);
      c10.intoArray(tile, 1 * NR);
      c11.intoArray(tile, 1 * NR + VL);
      c20.intoArray(tile, 2 * NR);
      c21.intoArray(tile, 2 * NR + VL);
      c30.intoArray(tile, 3 * NR);
      c31.intoArray(tile, 3 * NR + VL);
      c40.intoArray(tile, 4 * NR);
      c41.intoArray(tile, 4 * NR + VL);
      c50.intoArray(tile, 5 * NR);
      c51.intoArray(tile, 5 * NR + VL);
      c60.intoArray(tile, 6 * NR);
      c61.intoArray(tile, 6 * NR + VL);
      c70.intoArray(tile, 7 * NR);
      c71.intoArray(tile, 7 * NR + VL);
      for (int i = 0; i < mr; i++) {
        int row = ci + i * ldc;
        for (int j = 0; j < nr; j++) {
          c[row + j] = add ? c[row + j] + tile[i * NR + j] : tile[i * NR + j];
        }
      }
    }
  }
}
