package org.vitarena.core.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-precision matrix product on the CPU: packed, cache-blocked, register-tiled with
 * {@code jdk.incubator.vector}, multi-threaded over {@link CpuThreads}.
 *
 * <p>Legend: m, n, k are the rows of C, the columns of C and the shared dimension; MR x NR is
 * the register tile (MR rows x two vectors of columns: 8 rows with 512-bit vectors, 6 with 256-bit
 * ones), KC the k-block, MC the row block.
 *
 * <p>Design (after Goto/BLIS): op(B) is packed into NR-wide column panels, each k-block
 * contiguous, so the micro-kernel reads it with unit stride; op(A), per (row block, k-block):
 * with 8-row tiles read in place, stored either way, unless its stored rows are a multiple of 512
 * floats apart (they would then share L1 sets): then packed into MR-tall row panels when stored
 * transposed, copied into rows kc apart when not; with 6-row tiles always packed, each panel 6 rows of kc contiguous floats, because
 * the JIT compiles the 6 x 2-vector kernel into 16 registers only when its six broadcasts come
 * from row offsets it cannot fold (it hoists broadcasts off one base and spills an accumulator).
 * The micro-kernel keeps the MR x NR tile of C in 2*MR vector registers (16 of AVX-512's 32, 12
 * of AVX2's 16) and does two FMAs per broadcast element of A. The four transpose combinations
 * only change the packing loops (transposed B with 512-bit vectors: 16 x 16 blocks transposed in
 * registers; element by element otherwise). Edge tiles go to narrower kernels that
 * spill to a scratch tile; lanes of C past n or m are computed from padding and never stored. Buffers
 * are per thread and grow to the largest shape seen; no call allocates large arrays.
 *
 * <p>Paths, by shape:
 * <ul>
 *   <li>small items (attention products: m, n at most 64 and k at most 128, or up to 80 with at
 *       most 2^17 multiply-adds, as for 16-wide heads): nothing packed,
 *       op(A) and op(B) read in place (op(B) copied to a small buffer when transposed or not a
 *       whole number of vectors wide), parallel over chunks of batch items;
 *   <li>many items: parallel over batch items, one thread each;
 *   <li>one large item: op(B) packed once, shared, then balanced row (and if needed column)
 *       blocks of C over the threads (op(A) stored transposed read in place by the 8-row tile);
 *   <li>one item whose C is a single row block (at most MC_PANELS row panels): column panels split
 *       over the threads, each packing its B panels per k-block just before using them;
 *   <li>one item with a long k and a small C (weight gradients over many tokens): k split into
 *       parts handed to the threads as they come free, each part summed into its own copy of C
 *       (the first into C itself) and the copies added in part order at the end, so the result
 *       does not depend on scheduling or the thread count; op(B) packed one k-block at a time by
 *       each thread, op(A) stored transposed read in place (8-row tiles) or packed (6-row).
 * </ul>
 */
public final class Gemm {

  static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  static final int VL = S.length();
  /**
   * Rows of the register tile: 8 with 512-bit vectors (32 registers: 16 accumulators, two B
   * vectors and a broadcast), 6 with narrower ones (16 registers: 12 accumulators + 3, the BLIS
   * Haswell shape; 8 rows there need 19 live vectors and spill).
   */
  static final int MR = VL >= 16 ? 8 : 6;
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
  /** Small path: m and n at most this, k at most SMALL_K. */
  static final int SMALL_MN = 64;
  static final int SMALL_K = 128;
  /**
   * Small path also for m and n up to this when the item has at most SMALL_THIN_WORK multiply-adds:
   * attention with a narrow head (65 tokens, head dim 16: [65 x 65 x 16], [65 x 16 x 65]), where
   * packing an operand costs more than the product. ViT-Tiny's [65 x 65 x 64] stays packed (it
   * ran 10% slower unpacked).
   */
  static final int SMALL_THIN_MN = 80;
  static final long SMALL_THIN_WORK = 1L << 17;
  /** Small path: about this many multiply-adds per parallel chunk of batch items. */
  private static final long SMALL_CHUNK = 1L << 16;
  /** k split: k at least this, and m*n at most KSPLIT_MN (C stays in L2). */
  static final int KSPLIT_K = 4096;
  static final long KSPLIT_MN = 1L << 18;
  /** k split: k-blocks per part (parts are handed out to threads as they come free). */
  private static final int KSPLIT_PART_BLOCKS = 8;
  /**
   * Column split (one row block of C, see {@link Call#columnsItem}): column panels a thread packs
   * per k-block before using them: 8 x 16 x 256 floats, 128 KiB, stay in L2 beside the A block.
   */
  private static final int COLUMN_CHUNK_PANELS = 8;

  /** Packing walks this many stored rows of A or B at a time. */
  private static final int PACK_ROWS = 8;
  /** Packing transposed A for the 6-row tile walks this many stored rows at a time. */
  private static final int PACK_ROWS_T = 16;

  private Gemm() {}

  /** Per-thread packing buffers, grown on demand and reused. */
  private static final class Work {
    final float[] packA = new float[MC_PANELS * MR * KC_MAX];
    /** An edge tile spilled from registers: MR rows of NR. */
    final float[] edge = new float[MR * NR];
    float[] packB = new float[0];
    float[] small = new float[0];
    float[] partial = new float[0];
    float[] transposed = new float[0];

    float[] packB(int size) {
      return packB = grown(packB, size);
    }

    float[] small(int size) {
      return small = grown(small, size);
    }

    float[] transposed(int size) {
      return transposed = grown(transposed, size);
    }

    float[] partial(int size) {
      return partial = grown(partial, size);
    }

    /** buf, or a larger array (half as large again, at least size) when buf is under size. */
    private static float[] grown(float[] buf, int size) {
      return buf.length >= size ? buf : new float[Math.max(size, buf.length + (buf.length >> 1))];
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
    sgemm(batch, transA, transB, m, n, k, a, aOff, lda, strideA, b, bOff, ldb, strideB, c, cOff,
        ldc, strideC, accumulate, null, false);
  }

  /**
   * C = op(A)·op(B) + bias (a row vector of n, or null), then GELU when {@code gelu}: a linear
   * layer's forward with its epilogue applied to each row block of C while that block is still in
   * cache, instead of two more passes over C in memory. Single item, no accumulation.
   */
  public static void sgemmBiasGelu(boolean transA, boolean transB, int m, int n, int k,
      float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc,
      float[] bias, boolean gelu) {
    sgemm(1, transA, transB, m, n, k, a, aOff, lda, 0, b, bOff, ldb, 0, c, cOff, ldc, 0, false,
        bias, gelu);
  }

  private static void sgemm(int batch, boolean transA, boolean transB, int m, int n, int k,
      float[] a, int aOff, int lda, int strideA,
      float[] b, int bOff, int ldb, int strideB,
      float[] c, int cOff, int ldc, int strideC, boolean accumulate, float[] bias, boolean gelu) {
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
      epilogue(c, cOff, ldc, 0, m, 0, n, bias, gelu);
      return;
    }
    if (lda < (transA ? m : k) || ldb < (transB ? k : n)) {
      throw new IllegalArgumentException("lda=" + lda + " or ldb=" + ldb + " too small for "
          + (transA ? "A^T" : "A") + (transB ? " B^T" : " B") + " with m=" + m + " n=" + n
          + " k=" + k);
    }
    if (swapOperands(batch, transA, transB, m, n, k, bias, gelu)) {
      transposedProduct(m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
      return;
    }
    Call call = new Call(transA, transB, m, n, k, a, aOff, lda, strideA, b, bOff, ldb, strideB,
        c, cOff, ldc, strideC, accumulate);
    if (bias != null || gelu) {
      if (batch != 1 || accumulate) {
        throw new IllegalArgumentException("a bias/GELU epilogue needs one item without accumulation");
      }
      call.bias = bias;
      call.gelu = gelu;
    }
    int nt = CpuThreads.threads();
    long perItem = (long) m * n * k;
    boolean serial = nt == 1 || perItem * batch <= SERIAL_WORK;
    if (small(m, n, k)) {
      if (serial || batch == 1) {
        Work w = WORK.get();
        for (int bi = 0; bi < batch; bi++) {
          call.smallItem(bi, w);
        }
      } else {
        int grain = (int) Math.max(1, SMALL_CHUNK / perItem);
        CpuThreads.parallelRange(batch, grain, (lo, hi) -> {
          Work w = WORK.get();
          for (int bi = lo; bi < hi; bi++) {
            call.smallItem(bi, w);
          }
        });
      }
      epilogue(c, cOff, ldc, 0, m, 0, n, bias, gelu);
      return;
    }
    if (kSplit(m, n, k)) {
      // chosen by shape alone, whatever the thread count, so results never depend on it
      for (int bi = 0; bi < batch; bi++) {
        call.kSplitItem(bi, nt);
      }
      epilogue(c, cOff, ldc, 0, m, 0, n, bias, gelu);
      return;
    }
    if (serial) {
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
      boolean byColumns = call.mPanels <= MC_PANELS && call.nPanels >= 2 * nt;
      for (int bi = 0; bi < batch; bi++) {
        if (byColumns) {
          call.columnsItem(bi, nt);
        } else {
          call.parallelItem(bi, nt);
        }
      }
    }
  }

  /**
   * Whether an item of this shape runs on the small (unpacked) path. Either path sums each element
   * over p in order in one k-block when k is at most KC_MAX, so for these shapes the choice changes
   * speed only, never a bit.
   */
  private static boolean small(int m, int n, int k) {
    return k <= SMALL_K && (m <= SMALL_MN && n <= SMALL_MN
        || m <= SMALL_THIN_MN && n <= SMALL_THIN_MN && (long) m * n * k <= SMALL_THIN_WORK);
  }

  /**
   * Whether C = Aᵀ·B (A stored k x m, B stored k x n: a weight gradient) is computed as its
   * transpose Cᵀ = Bᵀ·A instead: when C has more rows than columns and the 6-row tile packs A
   * stored transposed by register transposes ({@link #transposeInto}), that packing then covers
   * the n columns of B instead of the m of A (dW of a 64 -> 256 linear: a quarter of the
   * transposes). Each element is the same sum in the same order (the kernels' FMAs do not depend
   * on which factor is broadcast), so the result is bit for bit the direct product's.
   */
  private static boolean swapOperands(int batch, boolean transA, boolean transB, int m, int n,
      int k, float[] bias, boolean gelu) {
    return MR == 6 && VL == 8 && batch == 1 && transA && !transB && bias == null && !gelu
        && n < m && !small(m, n, k) && (long) m * n * k > SERIAL_WORK;
  }

  /**
   * C (+)= Aᵀ·B for A stored k x m, B stored k x n, through Cᵀ = Bᵀ·A in a per-thread buffer:
   * Cᵀ taken from C first when accumulating, the product, then Cᵀ transposed into C.
   */
  private static void transposedProduct(int m, int n, int k, float[] a, int aOff, int lda,
      float[] b, int bOff, int ldb, float[] c, int cOff, int ldc, boolean accumulate) {
    float[] ct = WORK.get().transposed(m * n);
    if (accumulate) {
      transposeMatrix(c, cOff, ldc, m, n, ct, 0, m);
    }
    sgemm(1, true, false, n, m, k, b, bOff, ldb, 0, a, aOff, lda, 0, ct, 0, m, 0, accumulate,
        null, false);
    transposeMatrix(ct, 0, m, n, m, c, cOff, ldc);
  }

  /**
   * dst[d + j*ldd + i] = src[s + i*lds + j] for i &lt; rows, j &lt; cols: 8 x 8 blocks in
   * registers ({@link #transpose8}, VL must be 8), the edges element by element.
   */
  static void transposeMatrix(float[] src, int s, int lds, int rows, int cols,
      float[] dst, int d, int ldd) {
    int rV = rows & ~7;
    int cV = cols & ~7;
    int[] starts = rowStarts8(ldd);
    for (int i = 0; i < rV; i += 8) {
      for (int j = 0; j < cV; j += 8) {
        transpose8(src, s + i * lds + j, lds, 8, dst, starts, 0, d + j * ldd + i);
      }
    }
    for (int i = 0; i < rows; i++) {
      for (int j = i < rV ? cV : 0; j < cols; j++) {
        dst[d + j * ldd + i] = src[s + i * lds + j];
      }
    }
  }

  /**
   * The k-block of a product with this k (not split along k): k in equal blocks of at most
   * KC_MAX, the last possibly shorter. Each element of C is the sum over its first block, then
   * the next block's sum plus C, and so on; the small path's k is a single block.
   */
  static int kBlock(int k) {
    int kBlocks = (k + KC_MAX - 1) / KC_MAX;
    return (k + kBlocks - 1) / kBlocks;
  }

  /** Whether an item of this shape is split along k (its sum order then depends on the split). */
  static boolean kSplit(int m, int n, int k) {
    return k >= KSPLIT_K && (long) m * n <= KSPLIT_MN;
  }

  /**
   * One item, C = op(A)·op(B), on the calling thread alone (for kernels that run their own
   * parallel loop around many small products, such as {@link FusedAttention}). It takes the path
   * {@link #sgemm} takes for an item of this shape (small or packed), so every element is the
   * same sum in the same order and the result is bit for bit what {@code sgemm} gives.
   *
   * @throws IllegalArgumentException for an empty shape, or one {@code sgemm} would split along k
   *     ({@link #kSplit}): callers decline those shapes first
   */
  static void sgemmSerial(boolean transA, boolean transB, int m, int n, int k,
      float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
    if (m <= 0 || n <= 0 || k <= 0 || kSplit(m, n, k)) {
      throw new IllegalArgumentException("sgemmSerial: no serial path for m=" + m + " n=" + n + " k=" + k);
    }
    Call call = new Call(transA, transB, m, n, k, a, aOff, lda, 0, b, bOff, ldb, 0, c, cOff, ldc,
        0, false);
    if (small(m, n, k)) {
      call.smallItem(0, WORK.get());
    } else {
      call.serialItem(0);
    }
  }

  /** C[i, j] = gelu?(C[i, j] + bias[j]) for rows [i0, i1), columns [j0, j1) (nothing when neither is asked). */
  private static void epilogue(float[] c, int cBase, int ldc, int i0, int i1, int j0, int j1,
      float[] bias, boolean gelu) {
    if (bias == null && !gelu) {
      return;
    }
    for (int i = i0; i < i1; i++) {
      int row = cBase + i * ldc;
      Activations.biasGelu(c, bias, j0, c, row + j0, row + j1, gelu);
    }
  }

  /** One call's arguments and derived blocking. */
  private static final class Call {
    final boolean transA, transB, accumulate;
    final int m, n, k;
    final float[] a, b, c;
    final int aOff, lda, strideA, bOff, ldb, strideB, cOff, ldc, strideC;
    final int mPanels, nPanels, nPad, kcBlock;
    /**
     * Whether the 8-row tile reads A stored transposed in place: its first reading, from memory,
     * then overlaps the arithmetic (packed, the copy stalled on memory first: 105 -> 170 GFLOP/s in
     * a k-split training step; deit_tiny's weight gradients [768 x 192 x 2112] and
     * [576 x 192 x 2112] took 15% less of a training step, three interleaved pairs). Not when
     * 512 | lda: its rows would share too few cache sets. The 6-row tile always packs A (see
     * block).
     */
    final boolean aInPlace;
    /** Epilogue of {@link #sgemmBiasGelu}, applied per row block in {@link #rows}. */
    float[] bias;
    boolean gelu;

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
      this.kcBlock = kBlock(k);
      this.aInPlace = MR == 8 && transA && lda % 512 != 0;
    }

    /**
     * One batch item on the calling thread alone: B packed whole, then row blocks, each over all
     * k-blocks (its block of C stays in cache while k is walked).
     */
    void serialItem(int bi) {
      Work w = WORK.get();
      float[] pb = w.packB(k * nPad);
      for (int p0 = 0; p0 < k; p0 += kcBlock) {
        packB(bi, pb, p0 * nPad, 0, nPanels, p0, Math.min(kcBlock, k - p0));
      }
      rows(bi, 0, mPanels, 0, nPanels, pb, w);
    }

    /** Rows of panels [iLo, iHi) x columns of panels [jLo, jHi) of C_bi, B packed whole in pb. */
    void rows(int bi, int iLo, int iHi, int jLo, int jHi, float[] pb, Work w) {
      int cBase = cOff + bi * strideC;
      for (int i1 = iLo; i1 < iHi; i1 += MC_PANELS) {
        int i2 = Math.min(iHi, i1 + MC_PANELS);
        for (int p0 = 0; p0 < k; p0 += kcBlock) {
          block(bi, i1, i2, jLo, jHi, p0, Math.min(kcBlock, k - p0), pb, p0 * nPad, c, cBase, ldc,
              accumulate || p0 > 0, false, w);
        }
        epilogue(c, cBase, ldc, i1 * MR, Math.min(m, i2 * MR), jLo * NR, Math.min(n, jHi * NR),
            bias, gelu);
      }
    }

    /** One batch item over all threads: B packed once, shared; balanced tiles of C. */
    void parallelItem(int bi, int nt) {
      float[] pb = WORK.get().packB(k * nPad);
      int packGrain = Math.max(1, (1 << 14) / (k * NR));
      CpuThreads.parallelRange(nPanels, packGrain, (lo, hi) -> {
        for (int p0 = 0; p0 < k; p0 += kcBlock) {
          packB(bi, pb, p0 * nPad, lo, hi, p0, Math.min(kcBlock, k - p0));
        }
      });
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
        int iLo = r * mPanels / rc;
        int iHi = (r + 1) * mPanels / rc;
        int jLo = q * nPanels / cc;
        int jHi = (q + 1) * nPanels / cc;
        rows(bi, iLo, iHi, jLo, jHi, pb, WORK.get());
      });
    }

    /**
     * One batch item whose C is one row block (weight gradients with few output rows, such as
     * [64 x 256 x 2080]) over all threads: the column panels are split over the threads, and each
     * thread packs a chunk of B panels per k-block just before it multiplies them by the whole
     * A block (which each thread packs for itself, once per k-block: m x kc floats, small beside
     * its share of B), so B goes from memory to L2 once. {@link #parallelItem} would pack all of B
     * first and then have every thread read all of it again, three passes over a B of megabytes
     * for a product of a few milliseconds. Tiles, k-blocks and kernels are those of {@link #rows},
     * so every element of C is the same sum in the same order, bit for bit.
     */
    void columnsItem(int bi, int nt) {
      int chunks = Math.min(nPanels, nt);
      int cBase = cOff + bi * strideC;
      CpuThreads.parallelChunks(chunks, t -> {
        Work w = WORK.get();
        int jLo = t * nPanels / chunks;
        int jHi = (t + 1) * nPanels / chunks;
        float[] pb = w.packB(COLUMN_CHUNK_PANELS * kcBlock * NR);
        for (int p0 = 0; p0 < k; p0 += kcBlock) {
          int kc = Math.min(kcBlock, k - p0);
          // A's block is packed once per k-block (by the first chunk's call), B chunk by chunk
          for (int j1 = jLo; j1 < jHi; j1 += COLUMN_CHUNK_PANELS) {
            int j2 = Math.min(jHi, j1 + COLUMN_CHUNK_PANELS);
            // panel jp lands at pb[(jp - j1) * kc * NR]
            int base = -j1 * kc * NR;
            packB(bi, pb, base, j1, j2, p0, kc);
            block(bi, 0, mPanels, j1, j2, p0, kc, pb, base, c, cBase, ldc, accumulate || p0 > 0,
                j1 > jLo, w);
          }
        }
        epilogue(c, cBase, ldc, 0, m, jLo * NR, Math.min(n, jHi * NR), bias, gelu);
      });
    }

    /**
     * One batch item with a long k over all threads: k-blocks grouped in parts, each part
     * computed into its own copy of C (part 0: C itself), the copies added in part order.
     */
    void kSplitItem(int bi, int nt) {
      int kBlocks = (k + kcBlock - 1) / kcBlock;
      int parts = (kBlocks + KSPLIT_PART_BLOCKS - 1) / KSPLIT_PART_BLOCKS;
      int mn = m * n;
      // every part has its own slot (part 0: C itself) and the slots are added in part order, so
      // the result does not depend on which thread took which part, nor on the thread count
      float[] partial = WORK.get().partial((parts - 1) * mn);
      int cBase = cOff + bi * strideC;
      CpuThreads.parallelChunks(parts, part -> {
        Work w = WORK.get();
        float[] t = part == 0 ? c : partial;
        int tOff = part == 0 ? cBase : (part - 1) * mn;
        int ldt = part == 0 ? ldc : n;
        float[] pb = w.packB(kcBlock * nPad);
        int kb0 = part * KSPLIT_PART_BLOCKS;
        int kb1 = Math.min(kBlocks, kb0 + KSPLIT_PART_BLOCKS);
        for (int kb = kb0; kb < kb1; kb++) {
          int p0 = kb * kcBlock;
          int kc = Math.min(kcBlock, k - p0);
          packB(bi, pb, 0, 0, nPanels, p0, kc);
          boolean add = kb > kb0 || (part == 0 && accumulate);
          block(bi, 0, mPanels, 0, nPanels, p0, kc, pb, 0, t, tOff, ldt, add, false, w);
        }
      });
      for (int s = 1; s < parts; s++) {
        int off = (s - 1) * mn;
        for (int i = 0; i < m; i++) {
          addRow(partial, off + i * n, c, cBase + i * ldc, n);
        }
      }
    }

    /**
     * Packs column panels [jLo, jHi) of op(B_bi), k-block [p0, p0+kc), into pb: panel jp at
     * pb[base + jp*kc*NR], kc rows of NR.
     */
    void packB(int bi, float[] pb, int base, int jLo, int jHi, int p0, int kc) {
      int src0 = bOff + bi * strideB;
      int stride = kc * NR;
      if (!transB) {
        // panel by panel, kc row pieces each (measured in a training step: as fast as, or faster
        // than, walking whole stored rows, B being mostly warm)
        int full = Math.min(jHi, n / NR);
        for (int jp = jLo; jp < jHi; jp++) {
          int src = src0 + p0 * ldb + jp * NR;
          int d = base + jp * stride;
          if (jp < full) {
            for (int p = 0; p < kc; p++, src += ldb, d += NR) {
              FloatVector.fromArray(S, b, src).intoArray(pb, d);
              FloatVector.fromArray(S, b, src + VL).intoArray(pb, d + VL);
            }
          } else {
            int nr = n - jp * NR;
            for (int p = 0; p < kc; p++, src += ldb, d += NR) {
              System.arraycopy(b, src, pb, d, nr);
              java.util.Arrays.fill(pb, d + nr, d + NR, 0f);
            }
          }
        }
        return;
      }
      // B stored n x k: each stored row is a column of one panel. 16 x 16 (or 8 x 8) blocks are
      // transposed in registers, the rest element by element; pad columns past n are not cleared
      // (their lanes are computed, never stored)
      int kT = REGISTER_TRANSPOSE ? kc & -VL : 0;
      int[] rows8 = rowStarts8(NR);
      for (int jp = jLo; jp < jHi; jp++) {
        int j0 = jp * NR;
        int nr = Math.min(NR, n - j0);
        int d = base + jp * stride;
        for (int h = 0; h < nr; h += VL) {
          for (int q = 0; q < kT; q += VL) {
            transposeBlock(b, src0 + (j0 + h) * ldb + p0 + q, ldb, nr - h, pb, d + q * NR + h, NR,
                rows8);
          }
        }
        for (int j = 0; j < nr; j++) {
          int src = src0 + (j0 + j) * ldb + p0;
          for (int p = kT; p < kc; p++) {
            pb[d + p * NR + j] = b[src + p];
          }
        }
      }
    }

    /**
     * Packs row panels [iLo, iHi) of op(A_bi), k-block [p0, p0+kc), into pa in rows:
     * panel ip at pa[(ip-iLo)*kc*MR], its row r at + r*kc, kc contiguous floats (the layout the
     * row kernels read in place, with lda = kc). Rows past m are not written: edge tiles never
     * read them.
     */
    void packRows(int bi, float[] pa, int iLo, int iHi, int p0, int kc) {
      int base = aOff + bi * strideA;
      int iEnd = Math.min(m, iHi * MR);
      if (!transA) {
        for (int i = iLo * MR; i < iEnd; i++) {
          System.arraycopy(a, base + i * lda + p0, pa, (i - iLo * MR) * kc, kc);
        }
        return;
      }
      if (VL == 8) {
        transposeInto(a, base + p0 * lda, lda, iLo * MR, iEnd, kc, pa);
        return;
      }
      // stored rows of A walked PACK_ROWS_T at a time, as in packA
      for (int q0 = 0; q0 < kc; q0 += PACK_ROWS_T) {
        int q1 = Math.min(kc, q0 + PACK_ROWS_T);
        for (int ip = iLo; ip < iHi; ip++) {
          int mr = Math.min(MR, m - ip * MR);
          int d0 = (ip - iLo) * kc * MR;
          for (int p = q0; p < q1; p++) {
            int src = base + (p0 + p) * lda + ip * MR;
            for (int r = 0; r < mr; r++) {
              pa[d0 + r * kc + p] = a[src + r];
            }
          }
        }
      }
    }

    /** Packs row panels [iLo, iHi) of op(A_bi) stored transposed, k-block [p0, p0+kc), into pa. */
    void packA(int bi, float[] pa, int iLo, int iHi, int p0, int kc) {
      int base = aOff + bi * strideA;
      // stored rows of A are walked left to right, PACK_ROWS at a time, so reads stream from
      // memory and each panel gets whole cache lines of writes (a column strip walk, one panel
      // at a time, was up to twice as slow on a cold A in a training step; 2 rows at a time
      // 3-10% slower than 8 there)
      int full = Math.min(iHi, m / MR);
      int stride = kc * MR;
      for (int q0 = 0; q0 < kc; q0 += PACK_ROWS) {
        int q1 = Math.min(kc, q0 + PACK_ROWS);
        for (int ip = iLo; ip < iHi; ip++) {
          int src = base + (p0 + q0) * lda + ip * MR;
          int d = (ip - iLo) * stride + q0 * MR;
          if (ip < full) {
            // a copy, not an 8-float vector load and store: once in a 60-step deit_tiny training
            // run C2 compiled this loop with the vector boxed (21 GB of garbage, 500 MB a step)
            for (int p = q0; p < q1; p++, src += lda, d += MR) {
              System.arraycopy(a, src, pa, d, MR);
            }
          } else {
            int mr = m - ip * MR;
            for (int p = q0; p < q1; p++, src += lda, d += MR) {
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
    }

    /**
     * Target rows of panels [iLo, iHi) x columns of panels [jLo, jHi) (+)= op(A_bi) rows times
     * k-block [p0, p0+kc), whose packed B panel jp is at pb[pbBase + jp*kc*NR]. Target element
     * (i,j) is t[tOff + i*ldt + j]. With {@code aPacked} (rows [iLo, iHi) one row block) the
     * work buffer already holds A's packed block for this k-block, from the previous call.
     */
    void block(int bi, int iLo, int iHi, int jLo, int jHi, int p0, int kc, float[] pb,
        int pbBase, float[] t, int tOff, int ldt, boolean add, boolean aPacked, Work w) {
      // A packed in rows (row r of a panel kc contiguous floats): always with the 6-row tile, which
      // kernelRows6 reads (the JIT spills an accumulator in a 6-row kernel that reads A transposed,
      // with six broadcasts off one base); with the 8-row tile when A is read row by row and its
      // rows are 2 KiB apart or a multiple of that, where the eight rows share L1 sets with the B
      // panel and evict each other (1024^3: 300-406 -> 366-393 GFLOP/s on Zen 5)
      boolean rowsPacked = MR == 6 || !transA && lda % 512 == 0;
      // A packed in columns (MR-tall panels): the 8-row tile, A stored transposed, not read in place
      boolean packed = MR == 8 && transA && !aInPlace;
      float[] pa = w.packA;
      int aBase = aOff + bi * strideA;
      for (int i1 = iLo; i1 < iHi; i1 += MC_PANELS) {
        int i2 = Math.min(iHi, i1 + MC_PANELS);
        if (!aPacked && rowsPacked) {
          packRows(bi, pa, i1, i2, p0, kc);
        } else if (!aPacked && packed) {
          packA(bi, pa, i1, i2, p0, kc);
        }
        for (int jp = jLo; jp < jHi; jp++) {
          int j0 = jp * NR;
          int nr = Math.min(NR, n - j0);
          int bIdx = pbBase + jp * kc * NR;
          for (int ip = i1; ip < i2; ip++) {
            int i0 = ip * MR;
            int mr = Math.min(MR, m - i0);
            int ti = tOff + i0 * ldt + j0;
            // A(r,p) = av[ai + r*rsA + p*csA]: packed in rows, packed in columns (8-row tile,
            // A stored transposed), or in place either way round
            float[] av = packed || rowsPacked ? pa : a;
            int ai;
            int rsA;
            int csA;
            if (rowsPacked) {
              ai = (ip - i1) * kc * MR;
              rsA = kc;
              csA = 1;
            } else if (packed) {
              ai = (ip - i1) * kc * MR;
              rsA = 1;
              csA = MR;
            } else if (transA) {
              ai = aBase + p0 * lda + i0;
              rsA = 1;
              csA = lda;
            } else {
              ai = aBase + i0 * lda + p0;
              rsA = lda;
              csA = 1;
            }
            if (mr == MR && nr == NR) {
              if (MR == 6) {
                kernelRows6(kc, pa, ai, kc, pb, bIdx, t, ti, ldt, add);
              } else if (rsA == 1) {
                kernel(kc, av, ai, csA, pb, bIdx, t, ti, ldt, add);
              } else {
                kernelRows(kc, av, ai, rsA, pb, bIdx, t, ti, ldt, add);
              }
            } else if (MR == 8) {
              edgeKernel(kc, av, ai, rsA, csA, pb, bIdx, NR, t, ti, ldt, mr, nr, add);
            } else {
              packedEdge6(kc, pa, ai, kc, pb, bIdx, t, ti, ldt, mr, nr, add);
            }
          }
        }
      }
    }

    /**
     * One small batch item, nothing packed: op(A) read in place, op(B) in place when stored
     * untransposed with whole vectors per row, else copied to a k x n buffer with rows rounded up
     * to whole vectors.
     */
    void smallItem(int bi, Work w) {
      int aBase = aOff + bi * strideA;
      int rsA = transA ? 1 : lda;
      int csA = transA ? lda : 1;
      float[] bb;
      int bBase;
      int ldbk;
      if (!transB && n % VL == 0) {
        bb = b;
        bBase = bOff + bi * strideB;
        ldbk = ldb;
      } else {
        ldbk = (n + VL - 1) / VL * VL;
        bb = w.small(k * ldbk);
        bBase = 0;
        int src0 = bOff + bi * strideB;
        if (!transB) {
          for (int p = 0; p < k; p++) {
            System.arraycopy(b, src0 + p * ldb, bb, p * ldbk, n);
            java.util.Arrays.fill(bb, p * ldbk + n, (p + 1) * ldbk, 0f);
          }
        } else {
          // stored n x k: transposed 16 x 16 (or 8 x 8) blocks in registers, the rest element by
          // element (lanes past n are left as they are: computed, never stored)
          int kT = REGISTER_TRANSPOSE ? k & -VL : 0;
          int[] rows8 = rowStarts8(ldbk);
          for (int j0 = 0; j0 < n; j0 += VL) {
            for (int p0 = 0; p0 < kT; p0 += VL) {
              transposeBlock(b, src0 + j0 * ldb + p0, ldb, n - j0, bb, p0 * ldbk + j0, ldbk, rows8);
            }
          }
          for (int j = 0; j < n; j++) {
            int src = src0 + j * ldb;
            for (int p = kT; p < k; p++) {
              bb[p * ldbk + j] = b[src + p];
            }
          }
        }
      }
      int cBase = cOff + bi * strideC;
      for (int j0 = 0; j0 < n; j0 += NR) {
        int nr = Math.min(NR, n - j0);
        for (int i0 = 0; i0 < m; i0 += MR) {
          int mr = Math.min(MR, m - i0);
          if (MR == 8) {
            edgeKernel(k, a, aBase + i0 * rsA, rsA, csA, bb, bBase + j0, ldbk, c,
                cBase + i0 * ldc + j0, ldc, mr, nr, accumulate);
          } else if (nr <= VL) {
            smallKernel1x6(k, a, aBase + i0 * rsA, rsA, csA, bb, bBase + j0, ldbk, c,
                cBase + i0 * ldc + j0, ldc, mr, nr, accumulate);
          } else {
            smallKernel2x6(k, a, aBase + i0 * rsA, rsA, csA, bb, bBase + j0, ldbk, c,
                cBase + i0 * ldc + j0, ldc, mr, nr, accumulate);
          }
        }
      }
    }
  }

  /**
   * 8-lane transposition, stage b (b = 0, 1, 2) pairing rows i and i + 2^b: lane l takes lane
   * l - 2^b ({@code DOWN}) or l + 2^b ({@code UP}) of the other row where bit b of l is set
   * ({@code BIT}) or clear. Null unless vectors have 8 lanes.
   */
  private static final VectorShuffle<Float>[] DOWN = lanes8Shuffles(-1);
  private static final VectorShuffle<Float>[] UP = lanes8Shuffles(1);
  private static final VectorMask<Float>[] BIT = lanes8Bits();
  /** Whether VL x VL blocks can be transposed in registers (16 or 8 lanes). */
  private static final boolean REGISTER_TRANSPOSE = VL == 16 || VL == 8;

  /** {0, ld, ..., 7 ld}: the row starts {@link #transpose8} takes for rows ld apart; null unless VL is 8. */
  private static int[] rowStarts8(int ld) {
    if (VL != 8) return null;
    int[] starts = new int[8];
    for (int t = 0; t < 8; t++) starts[t] = t * ld;
    return starts;
  }

  /**
   * dst[d + p*ldd + j] = src[s + j*lds + p] for p, j &lt; VL ({@link #REGISTER_TRANSPOSE} must
   * hold); stored rows j at and past {@code rows} repeat row rows-1. {@code rows8} is
   * {@code rowStarts8(ldd)}.
   */
  private static void transposeBlock(float[] src, int s, int lds, int rows, float[] dst, int d,
      int ldd, int[] rows8) {
    if (VL == 16) {
      transpose16(src, s, lds, rows, dst, d, ldd);
    } else {
      transpose8(src, s, lds, Math.min(8, rows), dst, rows8, 0, d);
    }
  }

  @SuppressWarnings("unchecked")
  private static VectorShuffle<Float>[] lanes8Shuffles(int dir) {
    if (VL != 8) return null;
    VectorShuffle<Float>[] out = new VectorShuffle[3];
    for (int b = 0; b < 3; b++) {
      int[] idx = new int[8];
      for (int l = 0; l < 8; l++) idx[l] = (l + dir * (1 << b)) & 7;
      out[b] = VectorShuffle.fromArray(S, idx, 0);
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static VectorMask<Float>[] lanes8Bits() {
    if (VL != 8) return null;
    VectorMask<Float>[] out = new VectorMask[3];
    for (int b = 0; b < 3; b++) {
      boolean[] set = new boolean[8];
      for (int l = 0; l < 8; l++) set[l] = (l & (1 << b)) != 0;
      out[b] = VectorMask.fromArray(S, set, 0);
    }
    return out;
  }

  /**
   * The 6-row tile's packing of A stored transposed (VL must be 8): for the columns [c0, c1) of the
   * stored rows src0 + p*lda, p &lt; kc, column c goes to pa[((c-c0)/6)*kc*6 + ((c-c0)%6)*kc + p],
   * the row panels {@code packRows} writes. 8 x 8 blocks are transposed in registers
   * ({@link #transpose8}), the rest element by element: 0.42-0.53 against 0.90-1.22 ns an element
   * one at a time (Zen 3, blocks of 64-768 columns), which was a fifth of a [768 x 192 x 2080]
   * weight gradient.
   */
  private static void transposeInto(float[] a, int src0, int lda, int c0, int c1, int kc,
      float[] pa) {
    int cV = c0 + ((c1 - c0) & ~7);
    int pV = kc & ~7;
    // every 8 x 8 block's destinations, blocks of columns in order (stored rows are read left to
    // right, 8 at a time: walking down the columns first was 10% slower on [768 x 192 x 2080])
    int blocks = (cV - c0) / 8;
    int[] off = new int[8 * blocks];
    for (int c = c0; c < cV; c++) {
      off[c - c0] = panelRow(c, c0, kc);
    }
    for (int p = 0; p < pV; p += 8) {
      for (int c = c0; c < cV; c += 8) {
        transpose8(a, src0 + p * lda + c, lda, 8, pa, off, c - c0, p);
      }
    }
    // the rest: rows past pV of the blocked columns, every row of the columns past cV
    for (int c = c0; c < c1; c++) {
      int d = panelRow(c, c0, kc);
      for (int p = c < cV ? pV : 0; p < kc; p++) {
        pa[d + p] = a[src0 + p * lda + c];
      }
    }
  }

  /**
   * One 8 x 8 transposition in registers (VL must be 8): of the stored rows q &lt; 8 at
   * src[s + q*lds], 8 floats each (rows at and past {@code rows} repeat row rows-1), lane t of
   * every row goes to dst[off[o + t] + add + q]. Three stages of lane moves and blends.
   */
  private static void transpose8(float[] src, int s, int lds, int rows, float[] dst, int[] off,
      int o, int add) {
    int last = rows - 1;
    FloatVector r0 = FloatVector.fromArray(S, src, s);
    FloatVector r1 = FloatVector.fromArray(S, src, s + Math.min(1, last) * lds);
    FloatVector r2 = FloatVector.fromArray(S, src, s + Math.min(2, last) * lds);
    FloatVector r3 = FloatVector.fromArray(S, src, s + Math.min(3, last) * lds);
    FloatVector r4 = FloatVector.fromArray(S, src, s + Math.min(4, last) * lds);
    FloatVector r5 = FloatVector.fromArray(S, src, s + Math.min(5, last) * lds);
    FloatVector r6 = FloatVector.fromArray(S, src, s + Math.min(6, last) * lds);
    FloatVector r7 = FloatVector.fromArray(S, src, s + Math.min(7, last) * lds);
    VectorShuffle<Float> d0 = DOWN[0], d1 = DOWN[1], d2 = DOWN[2], u0 = UP[0], u1 = UP[1], u2 = UP[2];
    VectorMask<Float> b0 = BIT[0], b1 = BIT[1], b2 = BIT[2];
    FloatVector t0 = r0.blend(r4.rearrange(d2), b2), t4 = r0.rearrange(u2).blend(r4, b2);
    FloatVector t1 = r1.blend(r5.rearrange(d2), b2), t5 = r1.rearrange(u2).blend(r5, b2);
    FloatVector t2 = r2.blend(r6.rearrange(d2), b2), t6 = r2.rearrange(u2).blend(r6, b2);
    FloatVector t3 = r3.blend(r7.rearrange(d2), b2), t7 = r3.rearrange(u2).blend(r7, b2);
    r0 = t0.blend(t2.rearrange(d1), b1);
    r2 = t0.rearrange(u1).blend(t2, b1);
    r1 = t1.blend(t3.rearrange(d1), b1);
    r3 = t1.rearrange(u1).blend(t3, b1);
    r4 = t4.blend(t6.rearrange(d1), b1);
    r6 = t4.rearrange(u1).blend(t6, b1);
    r5 = t5.blend(t7.rearrange(d1), b1);
    r7 = t5.rearrange(u1).blend(t7, b1);
    // the last stage: its output t is lane t of the eight stored rows
    r0.blend(r1.rearrange(d0), b0).intoArray(dst, off[o + 0] + add);
    r0.rearrange(u0).blend(r1, b0).intoArray(dst, off[o + 1] + add);
    r2.blend(r3.rearrange(d0), b0).intoArray(dst, off[o + 2] + add);
    r2.rearrange(u0).blend(r3, b0).intoArray(dst, off[o + 3] + add);
    r4.blend(r5.rearrange(d0), b0).intoArray(dst, off[o + 4] + add);
    r4.rearrange(u0).blend(r5, b0).intoArray(dst, off[o + 5] + add);
    r6.blend(r7.rearrange(d0), b0).intoArray(dst, off[o + 6] + add);
    r6.rearrange(u0).blend(r7, b0).intoArray(dst, off[o + 7] + add);
  }

  /** Where packed row c (of the block starting at row c0) starts: its panel, then its row in it. */
  private static int panelRow(int c, int c0, int kc) {
    int rel = c - c0;
    return (rel / MR) * kc * MR + (rel % MR) * kc;
  }

  /** Two-source lane selections for {@link #transpose16}: stage b swaps bit b of the row and lane
   *  indices, rows i and i + 2^b giving (lo, hi). */
  private static final float[][] T16 = new float[8][16];

  static {
    for (int bit = 0; bit < 4; bit++) {
      int w = 1 << bit;
      for (int l = 0; l < 16; l++) {
        boolean set = (l & w) != 0;
        T16[2 * bit][l] = set ? l - w + 16 : l;
        T16[2 * bit + 1][l] = set ? l + 16 : l + w;
      }
    }
  }

  /**
   * dst[d + p*ldd + j] = src[s + j*lds + p] for p, j &lt; 16 (VL must be 16); stored rows j at
   * and past {@code rows} repeat row rows-1.
   */
  private static void transpose16(float[] src, int s, int lds, int rows, float[] dst, int d,
      int ldd) {
    int last = rows - 1;
    FloatVector r0 = FloatVector.fromArray(S, src, s);
    FloatVector r1 = FloatVector.fromArray(S, src, s + Math.min(1, last) * lds);
    FloatVector r2 = FloatVector.fromArray(S, src, s + Math.min(2, last) * lds);
    FloatVector r3 = FloatVector.fromArray(S, src, s + Math.min(3, last) * lds);
    FloatVector r4 = FloatVector.fromArray(S, src, s + Math.min(4, last) * lds);
    FloatVector r5 = FloatVector.fromArray(S, src, s + Math.min(5, last) * lds);
    FloatVector r6 = FloatVector.fromArray(S, src, s + Math.min(6, last) * lds);
    FloatVector r7 = FloatVector.fromArray(S, src, s + Math.min(7, last) * lds);
    FloatVector r8 = FloatVector.fromArray(S, src, s + Math.min(8, last) * lds);
    FloatVector r9 = FloatVector.fromArray(S, src, s + Math.min(9, last) * lds);
    FloatVector r10 = FloatVector.fromArray(S, src, s + Math.min(10, last) * lds);
    FloatVector r11 = FloatVector.fromArray(S, src, s + Math.min(11, last) * lds);
    FloatVector r12 = FloatVector.fromArray(S, src, s + Math.min(12, last) * lds);
    FloatVector r13 = FloatVector.fromArray(S, src, s + Math.min(13, last) * lds);
    FloatVector r14 = FloatVector.fromArray(S, src, s + Math.min(14, last) * lds);
    FloatVector r15 = FloatVector.fromArray(S, src, s + Math.min(15, last) * lds);
    FloatVector lo3 = FloatVector.fromArray(S, T16[6], 0);
    FloatVector hi3 = FloatVector.fromArray(S, T16[7], 0);
    FloatVector x3_0 = r0;
    r0 = lo3.selectFrom(x3_0, r8);
    r8 = hi3.selectFrom(x3_0, r8);
    FloatVector x3_1 = r1;
    r1 = lo3.selectFrom(x3_1, r9);
    r9 = hi3.selectFrom(x3_1, r9);
    FloatVector x3_2 = r2;
    r2 = lo3.selectFrom(x3_2, r10);
    r10 = hi3.selectFrom(x3_2, r10);
    FloatVector x3_3 = r3;
    r3 = lo3.selectFrom(x3_3, r11);
    r11 = hi3.selectFrom(x3_3, r11);
    FloatVector x3_4 = r4;
    r4 = lo3.selectFrom(x3_4, r12);
    r12 = hi3.selectFrom(x3_4, r12);
    FloatVector x3_5 = r5;
    r5 = lo3.selectFrom(x3_5, r13);
    r13 = hi3.selectFrom(x3_5, r13);
    FloatVector x3_6 = r6;
    r6 = lo3.selectFrom(x3_6, r14);
    r14 = hi3.selectFrom(x3_6, r14);
    FloatVector x3_7 = r7;
    r7 = lo3.selectFrom(x3_7, r15);
    r15 = hi3.selectFrom(x3_7, r15);
    FloatVector lo2 = FloatVector.fromArray(S, T16[4], 0);
    FloatVector hi2 = FloatVector.fromArray(S, T16[5], 0);
    FloatVector x2_0 = r0;
    r0 = lo2.selectFrom(x2_0, r4);
    r4 = hi2.selectFrom(x2_0, r4);
    FloatVector x2_1 = r1;
    r1 = lo2.selectFrom(x2_1, r5);
    r5 = hi2.selectFrom(x2_1, r5);
    FloatVector x2_2 = r2;
    r2 = lo2.selectFrom(x2_2, r6);
    r6 = hi2.selectFrom(x2_2, r6);
    FloatVector x2_3 = r3;
    r3 = lo2.selectFrom(x2_3, r7);
    r7 = hi2.selectFrom(x2_3, r7);
    FloatVector x2_8 = r8;
    r8 = lo2.selectFrom(x2_8, r12);
    r12 = hi2.selectFrom(x2_8, r12);
    FloatVector x2_9 = r9;
    r9 = lo2.selectFrom(x2_9, r13);
    r13 = hi2.selectFrom(x2_9, r13);
    FloatVector x2_10 = r10;
    r10 = lo2.selectFrom(x2_10, r14);
    r14 = hi2.selectFrom(x2_10, r14);
    FloatVector x2_11 = r11;
    r11 = lo2.selectFrom(x2_11, r15);
    r15 = hi2.selectFrom(x2_11, r15);
    FloatVector lo1 = FloatVector.fromArray(S, T16[2], 0);
    FloatVector hi1 = FloatVector.fromArray(S, T16[3], 0);
    FloatVector x1_0 = r0;
    r0 = lo1.selectFrom(x1_0, r2);
    r2 = hi1.selectFrom(x1_0, r2);
    FloatVector x1_1 = r1;
    r1 = lo1.selectFrom(x1_1, r3);
    r3 = hi1.selectFrom(x1_1, r3);
    FloatVector x1_4 = r4;
    r4 = lo1.selectFrom(x1_4, r6);
    r6 = hi1.selectFrom(x1_4, r6);
    FloatVector x1_5 = r5;
    r5 = lo1.selectFrom(x1_5, r7);
    r7 = hi1.selectFrom(x1_5, r7);
    FloatVector x1_8 = r8;
    r8 = lo1.selectFrom(x1_8, r10);
    r10 = hi1.selectFrom(x1_8, r10);
    FloatVector x1_9 = r9;
    r9 = lo1.selectFrom(x1_9, r11);
    r11 = hi1.selectFrom(x1_9, r11);
    FloatVector x1_12 = r12;
    r12 = lo1.selectFrom(x1_12, r14);
    r14 = hi1.selectFrom(x1_12, r14);
    FloatVector x1_13 = r13;
    r13 = lo1.selectFrom(x1_13, r15);
    r15 = hi1.selectFrom(x1_13, r15);
    FloatVector lo0 = FloatVector.fromArray(S, T16[0], 0);
    FloatVector hi0 = FloatVector.fromArray(S, T16[1], 0);
    FloatVector x0_0 = r0;
    r0 = lo0.selectFrom(x0_0, r1);
    r1 = hi0.selectFrom(x0_0, r1);
    FloatVector x0_2 = r2;
    r2 = lo0.selectFrom(x0_2, r3);
    r3 = hi0.selectFrom(x0_2, r3);
    FloatVector x0_4 = r4;
    r4 = lo0.selectFrom(x0_4, r5);
    r5 = hi0.selectFrom(x0_4, r5);
    FloatVector x0_6 = r6;
    r6 = lo0.selectFrom(x0_6, r7);
    r7 = hi0.selectFrom(x0_6, r7);
    FloatVector x0_8 = r8;
    r8 = lo0.selectFrom(x0_8, r9);
    r9 = hi0.selectFrom(x0_8, r9);
    FloatVector x0_10 = r10;
    r10 = lo0.selectFrom(x0_10, r11);
    r11 = hi0.selectFrom(x0_10, r11);
    FloatVector x0_12 = r12;
    r12 = lo0.selectFrom(x0_12, r13);
    r13 = hi0.selectFrom(x0_12, r13);
    FloatVector x0_14 = r14;
    r14 = lo0.selectFrom(x0_14, r15);
    r15 = hi0.selectFrom(x0_14, r15);
    r0.intoArray(dst, d);
    r1.intoArray(dst, d + 1 * ldd);
    r2.intoArray(dst, d + 2 * ldd);
    r3.intoArray(dst, d + 3 * ldd);
    r4.intoArray(dst, d + 4 * ldd);
    r5.intoArray(dst, d + 5 * ldd);
    r6.intoArray(dst, d + 6 * ldd);
    r7.intoArray(dst, d + 7 * ldd);
    r8.intoArray(dst, d + 8 * ldd);
    r9.intoArray(dst, d + 9 * ldd);
    r10.intoArray(dst, d + 10 * ldd);
    r11.intoArray(dst, d + 11 * ldd);
    r12.intoArray(dst, d + 12 * ldd);
    r13.intoArray(dst, d + 13 * ldd);
    r14.intoArray(dst, d + 14 * ldd);
    r15.intoArray(dst, d + 15 * ldd);
  }

  /** dst[d, d+len) += src[s, s+len). */
  private static void addRow(float[] src, int s, float[] dst, int d, int len) {
    int j = 0;
    for (; j <= len - VL; j += VL) {
      FloatVector.fromArray(S, dst, d + j).add(FloatVector.fromArray(S, src, s + j))
          .intoArray(dst, d + j);
    }
    for (; j < len; j++) {
      dst[d + j] += src[s + j];
    }
  }

  /**
   * C[0:mr, 0:nr] (+)= the first mr rows and nr columns of a register tile spilled to t (rows NR
   * apart), element by element. The edge kernels used to store with lane masks through a helper
   * that took the vector as an argument; C2 then left the vectors of those kernels boxed, even on
   * full tiles (5.8 GB of garbage in 23 steps of cait_xxs24 inference). Tiles of full width are
   * stored from registers in each kernel, row by row for the mr rows there are: spilling them
   * here too made cait's attention products 15-22% slower, and the last row panel of a product
   * whose m is not a multiple of 6 (every 65-token attention product, every linear over 2080
   * tokens) came here only for its missing rows. Only tiles narrower than the kernel are spilled.
   */
  private static void storeEdge(float[] t, float[] c, int ci, int ldc, int mr, int nr,
      boolean add) {
    for (int r = 0; r < mr; r++) {
      int row = ci + r * ldc;
      int tr = r * NR;
      if (add) {
        for (int j = 0; j < nr; j++) {
          c[row + j] += t[tr + j];
        }
      } else {
        System.arraycopy(t, tr, c, row, nr);
      }
    }
  }


  /** A tile of at most 8 rows and NR columns of the 8-row path, A either way round. */
  private static void edgeKernel(int kc, float[] a, int ai, int rsA, int csA, float[] b,
      int bi, int ldb, float[] c, int ci, int ldc, int mr, int nr, boolean add) {
    if (nr <= VL) { // one vector of columns
      smallKernel1(kc, a, ai, rsA, csA, b, bi, ldb, c, ci, ldc, mr, nr, add);
    } else {
      smallKernel2(kc, a, ai, rsA, csA, b, bi, ldb, c, ci, ldc, mr, nr, add);
    }
  }

  /**
   * An edge tile of the 6-row path, on packed operands: C[r, 0:nr] (+)= sum_p A(r,p) B(p, 0:nr)
   * for r &lt; mr &lt;= 6, nr &lt;= NR, A(r,p) = pa[ai + r*lda + p] (rows past mr repeat row 0,
   * computed and not stored), B(p, j) = pb[bi + p*NR + j].
   */
  private static void packedEdge6(int kc, float[] pa, int ai, int lda, float[] pb, int bi,
      float[] c, int ci, int ldc, int mr, int nr, boolean add) {
    if (nr <= VL) {
      packedEdge6x1(kc, pa, ai, lda, pb, bi, c, ci, ldc, mr, nr, add);
    } else {
      packedEdge6x2(kc, pa, ai, lda, pb, bi, c, ci, ldc, mr, nr, add);
    }
  }

  /**
   * Small product tile, up to 8 rows x one vector: C[r, 0:nr] (+)= sum_p A(r,p) B(p, 0:nr) for
   * r < mr, A(r,p) = a[ai + r*rsA + p*csA] (rows past mr repeat row 0, computed and not stored),
   * B(p, j) = b[bi + p*ldb + j], a whole vector readable per row.
   */
  private static void smallKernel1(int kc, float[] a, int ai, int rsA, int csA, float[] b,
      int bi, int ldb, float[] c, int ci, int ldc, int mr, int nr, boolean add) {
    FloatVector c0 = FloatVector.zero(S), c1 = FloatVector.zero(S), c2 = FloatVector.zero(S), c3 = FloatVector.zero(S);
    FloatVector c4 = FloatVector.zero(S), c5 = FloatVector.zero(S), c6 = FloatVector.zero(S), c7 = FloatVector.zero(S);
    int r1 = ai + (mr > 1 ? rsA : 0), r2 = ai + (mr > 2 ? 2 * rsA : 0), r3 = ai + (mr > 3 ? 3 * rsA : 0);
    int r4 = ai + (mr > 4 ? 4 * rsA : 0), r5 = ai + (mr > 5 ? 5 * rsA : 0), r6 = ai + (mr > 6 ? 6 * rsA : 0);
    int r7 = ai + (mr > 7 ? 7 * rsA : 0);
    for (int p = 0, ao = 0, bo = bi; p < kc; p++, ao += csA, bo += ldb) {
      FloatVector b0 = FloatVector.fromArray(S, b, bo);
      c0 = FloatVector.broadcast(S, a[ai + ao]).fma(b0, c0);
      c1 = FloatVector.broadcast(S, a[r1 + ao]).fma(b0, c1);
      c2 = FloatVector.broadcast(S, a[r2 + ao]).fma(b0, c2);
      c3 = FloatVector.broadcast(S, a[r3 + ao]).fma(b0, c3);
      c4 = FloatVector.broadcast(S, a[r4 + ao]).fma(b0, c4);
      c5 = FloatVector.broadcast(S, a[r5 + ao]).fma(b0, c5);
      c6 = FloatVector.broadcast(S, a[r6 + ao]).fma(b0, c6);
      c7 = FloatVector.broadcast(S, a[r7 + ao]).fma(b0, c7);
    }
    if (mr == 8 && nr == VL) {
      if (add) {
        c0.add(FloatVector.fromArray(S, c, ci + 0 * ldc)).intoArray(c, ci + 0 * ldc);
        c1.add(FloatVector.fromArray(S, c, ci + 1 * ldc)).intoArray(c, ci + 1 * ldc);
        c2.add(FloatVector.fromArray(S, c, ci + 2 * ldc)).intoArray(c, ci + 2 * ldc);
        c3.add(FloatVector.fromArray(S, c, ci + 3 * ldc)).intoArray(c, ci + 3 * ldc);
        c4.add(FloatVector.fromArray(S, c, ci + 4 * ldc)).intoArray(c, ci + 4 * ldc);
        c5.add(FloatVector.fromArray(S, c, ci + 5 * ldc)).intoArray(c, ci + 5 * ldc);
        c6.add(FloatVector.fromArray(S, c, ci + 6 * ldc)).intoArray(c, ci + 6 * ldc);
        c7.add(FloatVector.fromArray(S, c, ci + 7 * ldc)).intoArray(c, ci + 7 * ldc);
      } else {
        c0.intoArray(c, ci + 0 * ldc);
        c1.intoArray(c, ci + 1 * ldc);
        c2.intoArray(c, ci + 2 * ldc);
        c3.intoArray(c, ci + 3 * ldc);
        c4.intoArray(c, ci + 4 * ldc);
        c5.intoArray(c, ci + 5 * ldc);
        c6.intoArray(c, ci + 6 * ldc);
        c7.intoArray(c, ci + 7 * ldc);
      }
      return;
    }
    // edge tile: the whole register tile to a scratch tile, then its mr x nr corner to C (no
    // masked stores: see storeEdge)
    float[] t = WORK.get().edge;
    c0.intoArray(t, 0 * NR);
    c1.intoArray(t, 1 * NR);
    c2.intoArray(t, 2 * NR);
    c3.intoArray(t, 3 * NR);
    c4.intoArray(t, 4 * NR);
    c5.intoArray(t, 5 * NR);
    c6.intoArray(t, 6 * NR);
    c7.intoArray(t, 7 * NR);
    storeEdge(t, c, ci, ldc, mr, nr, add);
  }

  /** As {@link #smallKernel1}, two vectors wide: VL < nr <= NR. */
  private static void smallKernel2(int kc, float[] a, int ai, int rsA, int csA, float[] b,
      int bi, int ldb, float[] c, int ci, int ldc, int mr, int nr, boolean add) {
    FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c10 = FloatVector.zero(S), c11 = FloatVector.zero(S), c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
    FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S), c50 = FloatVector.zero(S), c51 = FloatVector.zero(S), c60 = FloatVector.zero(S), c61 = FloatVector.zero(S), c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
    int r1 = ai + (mr > 1 ? rsA : 0), r2 = ai + (mr > 2 ? 2 * rsA : 0), r3 = ai + (mr > 3 ? 3 * rsA : 0);
    int r4 = ai + (mr > 4 ? 4 * rsA : 0), r5 = ai + (mr > 5 ? 5 * rsA : 0), r6 = ai + (mr > 6 ? 6 * rsA : 0);
    int r7 = ai + (mr > 7 ? 7 * rsA : 0);
    for (int p = 0, ao = 0, bo = bi; p < kc; p++, ao += csA, bo += ldb) {
      FloatVector b0 = FloatVector.fromArray(S, b, bo);
      FloatVector b1 = FloatVector.fromArray(S, b, bo + VL);
      FloatVector a0 = FloatVector.broadcast(S, a[ai + ao]);
      c00 = a0.fma(b0, c00);
      c01 = a0.fma(b1, c01);
      FloatVector a1 = FloatVector.broadcast(S, a[r1 + ao]);
      c10 = a1.fma(b0, c10);
      c11 = a1.fma(b1, c11);
      FloatVector a2 = FloatVector.broadcast(S, a[r2 + ao]);
      c20 = a2.fma(b0, c20);
      c21 = a2.fma(b1, c21);
      FloatVector a3 = FloatVector.broadcast(S, a[r3 + ao]);
      c30 = a3.fma(b0, c30);
      c31 = a3.fma(b1, c31);
      FloatVector a4 = FloatVector.broadcast(S, a[r4 + ao]);
      c40 = a4.fma(b0, c40);
      c41 = a4.fma(b1, c41);
      FloatVector a5 = FloatVector.broadcast(S, a[r5 + ao]);
      c50 = a5.fma(b0, c50);
      c51 = a5.fma(b1, c51);
      FloatVector a6 = FloatVector.broadcast(S, a[r6 + ao]);
      c60 = a6.fma(b0, c60);
      c61 = a6.fma(b1, c61);
      FloatVector a7 = FloatVector.broadcast(S, a[r7 + ao]);
      c70 = a7.fma(b0, c70);
      c71 = a7.fma(b1, c71);
    }
    if (mr == 8 && nr == NR) {
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
      return;
    }
    // edge tile: the whole register tile to a scratch tile, then its mr x nr corner to C (no
    // masked stores: see storeEdge)
    float[] t = WORK.get().edge;
    c00.intoArray(t, 0 * NR);
    c01.intoArray(t, 0 * NR + VL);
    c10.intoArray(t, 1 * NR);
    c11.intoArray(t, 1 * NR + VL);
    c20.intoArray(t, 2 * NR);
    c21.intoArray(t, 2 * NR + VL);
    c30.intoArray(t, 3 * NR);
    c31.intoArray(t, 3 * NR + VL);
    c40.intoArray(t, 4 * NR);
    c41.intoArray(t, 4 * NR + VL);
    c50.intoArray(t, 5 * NR);
    c51.intoArray(t, 5 * NR + VL);
    c60.intoArray(t, 6 * NR);
    c61.intoArray(t, 6 * NR + VL);
    c70.intoArray(t, 7 * NR);
    c71.intoArray(t, 7 * NR + VL);
    storeEdge(t, c, ci, ldc, mr, nr, add);
  }

  /**
   * C[0:MR, 0:NR] (+)= A panel times packed B panel (kc x NR), a full tile; A(r,p) is
   * pa[ai + p*lda + r]: a packed panel (lda = MR) or A stored transposed, read in place.
   */
  private static void kernel(int kc, float[] pa, int ai, int lda, float[] pb, int bi,
      float[] c, int ci, int ldc, boolean add) {
    FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c10 = FloatVector.zero(S), c11 = FloatVector.zero(S), c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
    FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S), c50 = FloatVector.zero(S), c51 = FloatVector.zero(S), c60 = FloatVector.zero(S), c61 = FloatVector.zero(S), c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
    for (int p = 0; p < kc; p++) {
      int bo = bi + p * NR;
      int ao = ai + p * lda;
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
  }

  /** As {@link #kernel}, with A read in place: row r of the panel starts at a[ai + r*lda], so
   *  row-major A needs no packing. */
  private static void kernelRows(int kc, float[] a, int ai, int lda, float[] pb, int bi,
      float[] c, int ci, int ldc, boolean add) {
    FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c10 = FloatVector.zero(S), c11 = FloatVector.zero(S), c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
    FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S), c50 = FloatVector.zero(S), c51 = FloatVector.zero(S), c60 = FloatVector.zero(S), c61 = FloatVector.zero(S), c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
    int r1 = ai + lda, r2 = ai + 2 * lda, r3 = ai + 3 * lda, r4 = ai + 4 * lda, r5 = ai + 5 * lda;
    int r6 = ai + 6 * lda, r7 = ai + 7 * lda;
    for (int p = 0; p < kc; p++) {
      int bo = bi + p * NR;
      FloatVector b0 = FloatVector.fromArray(S, pb, bo);
      FloatVector b1 = FloatVector.fromArray(S, pb, bo + VL);
      FloatVector a0 = FloatVector.broadcast(S, a[ai + p]);
      c00 = a0.fma(b0, c00);
      c01 = a0.fma(b1, c01);
      FloatVector a1 = FloatVector.broadcast(S, a[r1 + p]);
      c10 = a1.fma(b0, c10);
      c11 = a1.fma(b1, c11);
      FloatVector a2 = FloatVector.broadcast(S, a[r2 + p]);
      c20 = a2.fma(b0, c20);
      c21 = a2.fma(b1, c21);
      FloatVector a3 = FloatVector.broadcast(S, a[r3 + p]);
      c30 = a3.fma(b0, c30);
      c31 = a3.fma(b1, c31);
      FloatVector a4 = FloatVector.broadcast(S, a[r4 + p]);
      c40 = a4.fma(b0, c40);
      c41 = a4.fma(b1, c41);
      FloatVector a5 = FloatVector.broadcast(S, a[r5 + p]);
      c50 = a5.fma(b0, c50);
      c51 = a5.fma(b1, c51);
      FloatVector a6 = FloatVector.broadcast(S, a[r6 + p]);
      c60 = a6.fma(b0, c60);
      c61 = a6.fma(b1, c61);
      FloatVector a7 = FloatVector.broadcast(S, a[r7 + p]);
      c70 = a7.fma(b0, c70);
      c71 = a7.fma(b1, c71);
    }
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
  }

  /** As {@link #smallKernel1}, at most 6 rows: the small path of the 6-row tile. */
  private static void smallKernel1x6(int kc, float[] a, int ai, int rsA, int csA, float[] b,
      int bi, int ldb, float[] c, int ci, int ldc, int mr, int nr, boolean add) {
    FloatVector c0 = FloatVector.zero(S), c1 = FloatVector.zero(S), c2 = FloatVector.zero(S);
    FloatVector c3 = FloatVector.zero(S), c4 = FloatVector.zero(S), c5 = FloatVector.zero(S);
    int r1 = ai + (mr > 1 ? rsA : 0), r2 = ai + (mr > 2 ? 2 * rsA : 0), r3 = ai + (mr > 3 ? 3 * rsA : 0);
    int r4 = ai + (mr > 4 ? 4 * rsA : 0), r5 = ai + (mr > 5 ? 5 * rsA : 0);
    for (int p = 0, ao = 0, bo = bi; p < kc; p++, ao += csA, bo += ldb) {
      FloatVector b0 = FloatVector.fromArray(S, b, bo);
      c0 = FloatVector.broadcast(S, a[ai + ao]).fma(b0, c0);
      c1 = FloatVector.broadcast(S, a[r1 + ao]).fma(b0, c1);
      c2 = FloatVector.broadcast(S, a[r2 + ao]).fma(b0, c2);
      c3 = FloatVector.broadcast(S, a[r3 + ao]).fma(b0, c3);
      c4 = FloatVector.broadcast(S, a[r4 + ao]).fma(b0, c4);
      c5 = FloatVector.broadcast(S, a[r5 + ao]).fma(b0, c5);
    }
    if (nr == VL) { // whole rows from registers; rows past mr (copies of row 0) are not stored
      if (add) {
        c0.add(FloatVector.fromArray(S, c, ci + 0 * ldc)).intoArray(c, ci + 0 * ldc);
        if (mr > 1) c1.add(FloatVector.fromArray(S, c, ci + 1 * ldc)).intoArray(c, ci + 1 * ldc);
        if (mr > 2) c2.add(FloatVector.fromArray(S, c, ci + 2 * ldc)).intoArray(c, ci + 2 * ldc);
        if (mr > 3) c3.add(FloatVector.fromArray(S, c, ci + 3 * ldc)).intoArray(c, ci + 3 * ldc);
        if (mr > 4) c4.add(FloatVector.fromArray(S, c, ci + 4 * ldc)).intoArray(c, ci + 4 * ldc);
        if (mr > 5) c5.add(FloatVector.fromArray(S, c, ci + 5 * ldc)).intoArray(c, ci + 5 * ldc);
      } else {
        c0.intoArray(c, ci + 0 * ldc);
        if (mr > 1) c1.intoArray(c, ci + 1 * ldc);
        if (mr > 2) c2.intoArray(c, ci + 2 * ldc);
        if (mr > 3) c3.intoArray(c, ci + 3 * ldc);
        if (mr > 4) c4.intoArray(c, ci + 4 * ldc);
        if (mr > 5) c5.intoArray(c, ci + 5 * ldc);
      }
      return;
    }
    // edge tile: the whole register tile to a scratch tile, then its mr x nr corner to C (no
    // masked stores: see storeEdge)
    float[] t = WORK.get().edge;
    c0.intoArray(t, 0 * NR);
    c1.intoArray(t, 1 * NR);
    c2.intoArray(t, 2 * NR);
    c3.intoArray(t, 3 * NR);
    c4.intoArray(t, 4 * NR);
    c5.intoArray(t, 5 * NR);
    storeEdge(t, c, ci, ldc, mr, nr, add);
  }

  /** As {@link #smallKernel2}, at most 6 rows: the small path of the 6-row tile. */
  private static void smallKernel2x6(int kc, float[] a, int ai, int rsA, int csA, float[] b,
      int bi, int ldb, float[] c, int ci, int ldc, int mr, int nr, boolean add) {
    FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c10 = FloatVector.zero(S), c11 = FloatVector.zero(S), c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
    FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S), c40 = FloatVector.zero(S), c41 = FloatVector.zero(S), c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
    int r1 = ai + (mr > 1 ? rsA : 0), r2 = ai + (mr > 2 ? 2 * rsA : 0), r3 = ai + (mr > 3 ? 3 * rsA : 0);
    int r4 = ai + (mr > 4 ? 4 * rsA : 0), r5 = ai + (mr > 5 ? 5 * rsA : 0);
    if (csA == 1) {
      // A's rows contiguous: indexed by the loop counter, so the JIT drops their bounds checks
      for (int p = 0, bo = bi; p < kc; p++, bo += ldb) {
        FloatVector b0 = FloatVector.fromArray(S, b, bo);
        FloatVector b1 = FloatVector.fromArray(S, b, bo + VL);
        FloatVector a0 = FloatVector.broadcast(S, a[ai + p]);
        c00 = a0.fma(b0, c00);
        c01 = a0.fma(b1, c01);
        FloatVector a1 = FloatVector.broadcast(S, a[r1 + p]);
        c10 = a1.fma(b0, c10);
        c11 = a1.fma(b1, c11);
        FloatVector a2 = FloatVector.broadcast(S, a[r2 + p]);
        c20 = a2.fma(b0, c20);
        c21 = a2.fma(b1, c21);
        FloatVector a3 = FloatVector.broadcast(S, a[r3 + p]);
        c30 = a3.fma(b0, c30);
        c31 = a3.fma(b1, c31);
        FloatVector a4 = FloatVector.broadcast(S, a[r4 + p]);
        c40 = a4.fma(b0, c40);
        c41 = a4.fma(b1, c41);
        FloatVector a5 = FloatVector.broadcast(S, a[r5 + p]);
        c50 = a5.fma(b0, c50);
        c51 = a5.fma(b1, c51);
      }
    } else {
      for (int p = 0, ao = 0, bo = bi; p < kc; p++, ao += csA, bo += ldb) {
        FloatVector b0 = FloatVector.fromArray(S, b, bo);
        FloatVector b1 = FloatVector.fromArray(S, b, bo + VL);
        FloatVector a0 = FloatVector.broadcast(S, a[ai + ao]);
        c00 = a0.fma(b0, c00);
        c01 = a0.fma(b1, c01);
        FloatVector a1 = FloatVector.broadcast(S, a[r1 + ao]);
        c10 = a1.fma(b0, c10);
        c11 = a1.fma(b1, c11);
        FloatVector a2 = FloatVector.broadcast(S, a[r2 + ao]);
        c20 = a2.fma(b0, c20);
        c21 = a2.fma(b1, c21);
        FloatVector a3 = FloatVector.broadcast(S, a[r3 + ao]);
        c30 = a3.fma(b0, c30);
        c31 = a3.fma(b1, c31);
        FloatVector a4 = FloatVector.broadcast(S, a[r4 + ao]);
        c40 = a4.fma(b0, c40);
        c41 = a4.fma(b1, c41);
        FloatVector a5 = FloatVector.broadcast(S, a[r5 + ao]);
        c50 = a5.fma(b0, c50);
        c51 = a5.fma(b1, c51);
      }
    }
    if (nr == NR) { // whole rows from registers; rows past mr (copies of row 0) are not stored
      if (add) {
        c00.add(FloatVector.fromArray(S, c, ci + 0 * ldc)).intoArray(c, ci + 0 * ldc);
        c01.add(FloatVector.fromArray(S, c, ci + 0 * ldc + VL)).intoArray(c, ci + 0 * ldc + VL);
        if (mr > 1) {
          c10.add(FloatVector.fromArray(S, c, ci + 1 * ldc)).intoArray(c, ci + 1 * ldc);
          c11.add(FloatVector.fromArray(S, c, ci + 1 * ldc + VL)).intoArray(c, ci + 1 * ldc + VL);
        }
        if (mr > 2) {
          c20.add(FloatVector.fromArray(S, c, ci + 2 * ldc)).intoArray(c, ci + 2 * ldc);
          c21.add(FloatVector.fromArray(S, c, ci + 2 * ldc + VL)).intoArray(c, ci + 2 * ldc + VL);
        }
        if (mr > 3) {
          c30.add(FloatVector.fromArray(S, c, ci + 3 * ldc)).intoArray(c, ci + 3 * ldc);
          c31.add(FloatVector.fromArray(S, c, ci + 3 * ldc + VL)).intoArray(c, ci + 3 * ldc + VL);
        }
        if (mr > 4) {
          c40.add(FloatVector.fromArray(S, c, ci + 4 * ldc)).intoArray(c, ci + 4 * ldc);
          c41.add(FloatVector.fromArray(S, c, ci + 4 * ldc + VL)).intoArray(c, ci + 4 * ldc + VL);
        }
        if (mr > 5) {
          c50.add(FloatVector.fromArray(S, c, ci + 5 * ldc)).intoArray(c, ci + 5 * ldc);
          c51.add(FloatVector.fromArray(S, c, ci + 5 * ldc + VL)).intoArray(c, ci + 5 * ldc + VL);
        }
      } else {
        c00.intoArray(c, ci + 0 * ldc);
        c01.intoArray(c, ci + 0 * ldc + VL);
        if (mr > 1) {
          c10.intoArray(c, ci + 1 * ldc);
          c11.intoArray(c, ci + 1 * ldc + VL);
        }
        if (mr > 2) {
          c20.intoArray(c, ci + 2 * ldc);
          c21.intoArray(c, ci + 2 * ldc + VL);
        }
        if (mr > 3) {
          c30.intoArray(c, ci + 3 * ldc);
          c31.intoArray(c, ci + 3 * ldc + VL);
        }
        if (mr > 4) {
          c40.intoArray(c, ci + 4 * ldc);
          c41.intoArray(c, ci + 4 * ldc + VL);
        }
        if (mr > 5) {
          c50.intoArray(c, ci + 5 * ldc);
          c51.intoArray(c, ci + 5 * ldc + VL);
        }
      }
      return;
    }
    // edge tile: the whole register tile to a scratch tile, then its mr x nr corner to C (no
    // masked stores: see storeEdge)
    float[] t = WORK.get().edge;
    c00.intoArray(t, 0 * NR);
    c01.intoArray(t, 0 * NR + VL);
    c10.intoArray(t, 1 * NR);
    c11.intoArray(t, 1 * NR + VL);
    c20.intoArray(t, 2 * NR);
    c21.intoArray(t, 2 * NR + VL);
    c30.intoArray(t, 3 * NR);
    c31.intoArray(t, 3 * NR + VL);
    c40.intoArray(t, 4 * NR);
    c41.intoArray(t, 4 * NR + VL);
    c50.intoArray(t, 5 * NR);
    c51.intoArray(t, 5 * NR + VL);
    storeEdge(t, c, ci, ldc, mr, nr, add);
  }

  /** One vector wide: nr <= VL; see {@link #packedEdge6}. */
  private static void packedEdge6x1(int kc, float[] pa, int ai, int lda, float[] pb, int bi,
      float[] c, int ci, int ldc, int mr, int nr, boolean add) {
    FloatVector c0 = FloatVector.zero(S), c1 = FloatVector.zero(S), c2 = FloatVector.zero(S);
    FloatVector c3 = FloatVector.zero(S), c4 = FloatVector.zero(S), c5 = FloatVector.zero(S);
    int r1 = ai + (mr > 1 ? lda : 0), r2 = ai + (mr > 2 ? 2 * lda : 0), r3 = ai + (mr > 3 ? 3 * lda : 0);
    int r4 = ai + (mr > 4 ? 4 * lda : 0), r5 = ai + (mr > 5 ? 5 * lda : 0);
    for (int p = 0; p < kc; p++) {
      int bo = bi + p * NR;
      FloatVector b0 = FloatVector.fromArray(S, pb, bo);
      c0 = FloatVector.broadcast(S, pa[ai + p]).fma(b0, c0);
      c1 = FloatVector.broadcast(S, pa[r1 + p]).fma(b0, c1);
      c2 = FloatVector.broadcast(S, pa[r2 + p]).fma(b0, c2);
      c3 = FloatVector.broadcast(S, pa[r3 + p]).fma(b0, c3);
      c4 = FloatVector.broadcast(S, pa[r4 + p]).fma(b0, c4);
      c5 = FloatVector.broadcast(S, pa[r5 + p]).fma(b0, c5);
    }
    if (nr == VL) { // whole rows from registers; rows past mr (copies of row 0) are not stored
      if (add) {
        c0.add(FloatVector.fromArray(S, c, ci + 0 * ldc)).intoArray(c, ci + 0 * ldc);
        if (mr > 1) c1.add(FloatVector.fromArray(S, c, ci + 1 * ldc)).intoArray(c, ci + 1 * ldc);
        if (mr > 2) c2.add(FloatVector.fromArray(S, c, ci + 2 * ldc)).intoArray(c, ci + 2 * ldc);
        if (mr > 3) c3.add(FloatVector.fromArray(S, c, ci + 3 * ldc)).intoArray(c, ci + 3 * ldc);
        if (mr > 4) c4.add(FloatVector.fromArray(S, c, ci + 4 * ldc)).intoArray(c, ci + 4 * ldc);
        if (mr > 5) c5.add(FloatVector.fromArray(S, c, ci + 5 * ldc)).intoArray(c, ci + 5 * ldc);
      } else {
        c0.intoArray(c, ci + 0 * ldc);
        if (mr > 1) c1.intoArray(c, ci + 1 * ldc);
        if (mr > 2) c2.intoArray(c, ci + 2 * ldc);
        if (mr > 3) c3.intoArray(c, ci + 3 * ldc);
        if (mr > 4) c4.intoArray(c, ci + 4 * ldc);
        if (mr > 5) c5.intoArray(c, ci + 5 * ldc);
      }
      return;
    }
    // edge tile: the whole register tile to a scratch tile, then its mr x nr corner to C (no
    // masked stores: see storeEdge)
    float[] t = WORK.get().edge;
    c0.intoArray(t, 0 * NR);
    c1.intoArray(t, 1 * NR);
    c2.intoArray(t, 2 * NR);
    c3.intoArray(t, 3 * NR);
    c4.intoArray(t, 4 * NR);
    c5.intoArray(t, 5 * NR);
    storeEdge(t, c, ci, ldc, mr, nr, add);
  }

  /** Two vectors wide: VL < nr <= NR; see {@link #packedEdge6}. */
  private static void packedEdge6x2(int kc, float[] pa, int ai, int lda, float[] pb, int bi,
      float[] c, int ci, int ldc, int mr, int nr, boolean add) {
    FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c10 = FloatVector.zero(S), c11 = FloatVector.zero(S), c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
    FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S), c40 = FloatVector.zero(S), c41 = FloatVector.zero(S), c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
    int r1 = ai + (mr > 1 ? lda : 0), r2 = ai + (mr > 2 ? 2 * lda : 0), r3 = ai + (mr > 3 ? 3 * lda : 0);
    int r4 = ai + (mr > 4 ? 4 * lda : 0), r5 = ai + (mr > 5 ? 5 * lda : 0);
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
    }
    if (nr == NR) { // whole rows from registers; rows past mr (copies of row 0) are not stored
      if (add) {
        c00.add(FloatVector.fromArray(S, c, ci + 0 * ldc)).intoArray(c, ci + 0 * ldc);
        c01.add(FloatVector.fromArray(S, c, ci + 0 * ldc + VL)).intoArray(c, ci + 0 * ldc + VL);
        if (mr > 1) {
          c10.add(FloatVector.fromArray(S, c, ci + 1 * ldc)).intoArray(c, ci + 1 * ldc);
          c11.add(FloatVector.fromArray(S, c, ci + 1 * ldc + VL)).intoArray(c, ci + 1 * ldc + VL);
        }
        if (mr > 2) {
          c20.add(FloatVector.fromArray(S, c, ci + 2 * ldc)).intoArray(c, ci + 2 * ldc);
          c21.add(FloatVector.fromArray(S, c, ci + 2 * ldc + VL)).intoArray(c, ci + 2 * ldc + VL);
        }
        if (mr > 3) {
          c30.add(FloatVector.fromArray(S, c, ci + 3 * ldc)).intoArray(c, ci + 3 * ldc);
          c31.add(FloatVector.fromArray(S, c, ci + 3 * ldc + VL)).intoArray(c, ci + 3 * ldc + VL);
        }
        if (mr > 4) {
          c40.add(FloatVector.fromArray(S, c, ci + 4 * ldc)).intoArray(c, ci + 4 * ldc);
          c41.add(FloatVector.fromArray(S, c, ci + 4 * ldc + VL)).intoArray(c, ci + 4 * ldc + VL);
        }
        if (mr > 5) {
          c50.add(FloatVector.fromArray(S, c, ci + 5 * ldc)).intoArray(c, ci + 5 * ldc);
          c51.add(FloatVector.fromArray(S, c, ci + 5 * ldc + VL)).intoArray(c, ci + 5 * ldc + VL);
        }
      } else {
        c00.intoArray(c, ci + 0 * ldc);
        c01.intoArray(c, ci + 0 * ldc + VL);
        if (mr > 1) {
          c10.intoArray(c, ci + 1 * ldc);
          c11.intoArray(c, ci + 1 * ldc + VL);
        }
        if (mr > 2) {
          c20.intoArray(c, ci + 2 * ldc);
          c21.intoArray(c, ci + 2 * ldc + VL);
        }
        if (mr > 3) {
          c30.intoArray(c, ci + 3 * ldc);
          c31.intoArray(c, ci + 3 * ldc + VL);
        }
        if (mr > 4) {
          c40.intoArray(c, ci + 4 * ldc);
          c41.intoArray(c, ci + 4 * ldc + VL);
        }
        if (mr > 5) {
          c50.intoArray(c, ci + 5 * ldc);
          c51.intoArray(c, ci + 5 * ldc + VL);
        }
      }
      return;
    }
    // edge tile: the whole register tile to a scratch tile, then its mr x nr corner to C (no
    // masked stores: see storeEdge)
    float[] t = WORK.get().edge;
    c00.intoArray(t, 0 * NR);
    c01.intoArray(t, 0 * NR + VL);
    c10.intoArray(t, 1 * NR);
    c11.intoArray(t, 1 * NR + VL);
    c20.intoArray(t, 2 * NR);
    c21.intoArray(t, 2 * NR + VL);
    c30.intoArray(t, 3 * NR);
    c31.intoArray(t, 3 * NR + VL);
    c40.intoArray(t, 4 * NR);
    c41.intoArray(t, 4 * NR + VL);
    c50.intoArray(t, 5 * NR);
    c51.intoArray(t, 5 * NR + VL);
    storeEdge(t, c, ci, ldc, mr, nr, add);
  }


  /** As {@link #kernelRows}, the 6-row tile of 256-bit hosts. */
  private static void kernelRows6(int kc, float[] a, int ai, int lda, float[] pb, int bi,
      float[] c, int ci, int ldc, boolean add) {
    FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c10 = FloatVector.zero(S), c11 = FloatVector.zero(S), c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
    FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S), c40 = FloatVector.zero(S), c41 = FloatVector.zero(S), c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
    int r1 = ai + lda, r2 = ai + 2 * lda, r3 = ai + 3 * lda, r4 = ai + 4 * lda, r5 = ai + 5 * lda;
    for (int p = 0; p < kc; p++) {
      int bo = bi + p * NR;
      FloatVector b0 = FloatVector.fromArray(S, pb, bo);
      FloatVector b1 = FloatVector.fromArray(S, pb, bo + VL);
      FloatVector a0 = FloatVector.broadcast(S, a[ai + p]);
      c00 = a0.fma(b0, c00);
      c01 = a0.fma(b1, c01);
      FloatVector a1 = FloatVector.broadcast(S, a[r1 + p]);
      c10 = a1.fma(b0, c10);
      c11 = a1.fma(b1, c11);
      FloatVector a2 = FloatVector.broadcast(S, a[r2 + p]);
      c20 = a2.fma(b0, c20);
      c21 = a2.fma(b1, c21);
      FloatVector a3 = FloatVector.broadcast(S, a[r3 + p]);
      c30 = a3.fma(b0, c30);
      c31 = a3.fma(b1, c31);
      FloatVector a4 = FloatVector.broadcast(S, a[r4 + p]);
      c40 = a4.fma(b0, c40);
      c41 = a4.fma(b1, c41);
      FloatVector a5 = FloatVector.broadcast(S, a[r5 + p]);
      c50 = a5.fma(b0, c50);
      c51 = a5.fma(b1, c51);
    }
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
    }
  }
}
