package org.vitarena.backend.tornado;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Batched matrix product C_b = op(A_b)·op(B_b) (+ C_b) on the device arena, tiled through local
 * memory: a 16×16 work-group loads one 16×16 tile of op(A) and of op(B) per step of K.
 *
 * <p>Legend: M N K the product sizes, B the batch. Grid: x over N, y over M (both rounded up to
 * {@link #TILE}), z over B.
 *
 * <p>{@link #direct} is a variant without local memory: one work-item per element of C, no
 * barriers, with operand strides computed on the host so the inner loop has no branch.
 *
 * <p>{@link #blocked} is the kernel for CPU devices (PoCL): one work-item per column of C and
 * {@link #ROWS} rows, B read row-major. A CPU OpenCL compiler vectorises the work-group across
 * x, so each step of K is one contiguous vector load of B, {@code ROWS} broadcasts of A (the same
 * for every work-item) and {@code ROWS} vector multiply-adds: an outer product held in registers.
 * A transposed B is first made row-major by {@link #transpose} into scratch memory (O(K·N) against
 * the product's O(M·N·K)).
 */
public final class GemmKernels {
    public static final int TILE = 16;
    /** Rows of C per work-item in {@link #blocked}. */
    public static final int ROWS = 8;

    private GemmKernels() {}

    /**
     * p: m, n, k, transA, transB, aOff, lda, strideA, bOff, ldb, strideB, cOff, ldc, strideC, accumulate.
     * op(A)(i,q) = a[aOff + b*strideA + (transA ? q*lda + i : i*lda + q)], op(B) likewise.
     */
    public static void tiled(KernelContext ctx, FloatArray mem, IntArray p, FloatArray f) {
        float[] tileA = ctx.allocateFloatLocalArray(256);
        float[] tileB = ctx.allocateFloatLocalArray(256);
        int tx = ctx.localIdx;
        int ty = ctx.localIdy;
        int col = ctx.groupIdx * 16 + tx;
        int row = ctx.groupIdy * 16 + ty;
        int batch = ctx.globalIdz;
        int m = p.get(0);
        int n = p.get(1);
        int k = p.get(2);
        int transA = p.get(3);
        int transB = p.get(4);
        int aBase = p.get(5) + batch * p.get(7);
        int lda = p.get(6);
        int bBase = p.get(8) + batch * p.get(10);
        int ldb = p.get(9);
        float acc = 0f;
        for (int t0 = 0; t0 < k; t0 += 16) {
            int qa = t0 + tx;
            float av = 0f;
            if (row < m && qa < k) {
                if (transA == 1) {
                    av = mem.get(aBase + qa * lda + row);
                } else {
                    av = mem.get(aBase + row * lda + qa);
                }
            }
            tileA[ty * 16 + tx] = av;
            int qb = t0 + ty;
            float bv = 0f;
            if (qb < k && col < n) {
                if (transB == 1) {
                    bv = mem.get(bBase + col * ldb + qb);
                } else {
                    bv = mem.get(bBase + qb * ldb + col);
                }
            }
            tileB[ty * 16 + tx] = bv;
            ctx.localBarrier();
            for (int q = 0; q < 16; q++) {
                acc += tileA[ty * 16 + q] * tileB[q * 16 + tx];
            }
            ctx.localBarrier();
        }
        if (row < m && col < n) {
            int ci = p.get(11) + batch * p.get(13) + row * p.get(12) + col;
            if (p.get(14) == 1) {
                acc += mem.get(ci);
            }
            mem.set(ci, acc);
        }
    }

    /**
     * p: m, n, k, aRowStride, aColStride, aOff, strideA, bRowStride, bColStride, bOff, strideB,
     * cOff, ldc, strideC, accumulate. op(A)(i,q) = a[aOff + b*strideA + i*aRowStride + q*aColStride].
     */
    public static void direct(KernelContext ctx, FloatArray mem, IntArray p, FloatArray f) {
        int col = ctx.globalIdx;
        int row = ctx.globalIdy;
        int batch = ctx.globalIdz;
        int m = p.get(0);
        int n = p.get(1);
        if (row < m && col < n) {
            int k = p.get(2);
            int aCol = p.get(4);
            int bRow = p.get(7);
            int a = p.get(5) + batch * p.get(6) + row * p.get(3);
            int b = p.get(9) + batch * p.get(10) + col * p.get(8);
            float acc = 0f;
            for (int q = 0; q < k; q++) {
                acc += mem.get(a + q * aCol) * mem.get(b + q * bRow);
            }
            int ci = p.get(11) + batch * p.get(13) + row * p.get(12) + col;
            if (p.get(14) == 1) {
                acc += mem.get(ci);
            }
            mem.set(ci, acc);
        }
    }

    /**
     * p: m, n, k, aRowStride, aColStride, aOff, strideA, bOff, ldb, strideB, cOff, ldc, strideC,
     * accumulate. op(A)(i,q) = a[aOff + b*strideA + i*aRowStride + q*aColStride]; B is row-major,
     * B(q,j) = b[bOff + b*strideB + q*ldb + j]. Grid: x over N, y over ceil(M / ROWS), z over B.
     */
    public static void blocked(KernelContext ctx, FloatArray mem, IntArray p, FloatArray f) {
        int col = ctx.globalIdx;
        int row0 = ctx.globalIdy * ROWS;
        int batch = ctx.globalIdz;
        int m = p.get(0);
        int n = p.get(1);
        if (col < n && row0 < m) {
            int k = p.get(2);
            int aRow = p.get(3);
            int aCol = p.get(4);
            int a = p.get(5) + batch * p.get(6);
            int ldb = p.get(8);
            int b = p.get(7) + batch * p.get(9) + col;
            int last = m - 1;
            // rows past the end of C read the last row (never stored): the loop has no branch
            int a0 = a + row0 * aRow;
            int a1 = a + (row0 + 1 < m ? row0 + 1 : last) * aRow;
            int a2 = a + (row0 + 2 < m ? row0 + 2 : last) * aRow;
            int a3 = a + (row0 + 3 < m ? row0 + 3 : last) * aRow;
            int a4 = a + (row0 + 4 < m ? row0 + 4 : last) * aRow;
            int a5 = a + (row0 + 5 < m ? row0 + 5 : last) * aRow;
            int a6 = a + (row0 + 6 < m ? row0 + 6 : last) * aRow;
            int a7 = a + (row0 + 7 < m ? row0 + 7 : last) * aRow;
            float c0 = 0f, c1 = 0f, c2 = 0f, c3 = 0f, c4 = 0f, c5 = 0f, c6 = 0f, c7 = 0f;
            for (int q = 0; q < k; q++) {
                float bv = mem.get(b + q * ldb);
                int o = q * aCol;
                c0 += mem.get(a0 + o) * bv;
                c1 += mem.get(a1 + o) * bv;
                c2 += mem.get(a2 + o) * bv;
                c3 += mem.get(a3 + o) * bv;
                c4 += mem.get(a4 + o) * bv;
                c5 += mem.get(a5 + o) * bv;
                c6 += mem.get(a6 + o) * bv;
                c7 += mem.get(a7 + o) * bv;
            }
            int ldc = p.get(11);
            int ci = p.get(10) + batch * p.get(12) + row0 * ldc + col;
            if (p.get(13) == 1) {
                c0 += mem.get(ci);
                if (row0 + 1 < m) c1 += mem.get(ci + ldc);
                if (row0 + 2 < m) c2 += mem.get(ci + 2 * ldc);
                if (row0 + 3 < m) c3 += mem.get(ci + 3 * ldc);
                if (row0 + 4 < m) c4 += mem.get(ci + 4 * ldc);
                if (row0 + 5 < m) c5 += mem.get(ci + 5 * ldc);
                if (row0 + 6 < m) c6 += mem.get(ci + 6 * ldc);
                if (row0 + 7 < m) c7 += mem.get(ci + 7 * ldc);
            }
            mem.set(ci, c0);
            if (row0 + 1 < m) mem.set(ci + ldc, c1);
            if (row0 + 2 < m) mem.set(ci + 2 * ldc, c2);
            if (row0 + 3 < m) mem.set(ci + 3 * ldc, c3);
            if (row0 + 4 < m) mem.set(ci + 4 * ldc, c4);
            if (row0 + 5 < m) mem.set(ci + 5 * ldc, c5);
            if (row0 + 6 < m) mem.set(ci + 6 * ldc, c6);
            if (row0 + 7 < m) mem.set(ci + 7 * ldc, c7);
        }
    }

    /**
     * p: rows, cols, src, srcRowStride, srcBatchStride, dst. dst[b][j][i] = src[src + b*srcBatchStride
     * + i*srcRowStride + j] for i < rows, j < cols (dst packed: [B, cols, rows]).
     * Grid: x over rows, y over cols, z over B.
     */
    public static void transpose(KernelContext ctx, FloatArray mem, IntArray p, FloatArray f) {
        int i = ctx.globalIdx;
        int j = ctx.globalIdy;
        int batch = ctx.globalIdz;
        int rows = p.get(0);
        int cols = p.get(1);
        if (i < rows && j < cols) {
            mem.set(p.get(5) + (batch * cols + j) * rows + i, mem.get(p.get(2) + batch * p.get(4) + i * p.get(3) + j));
        }
    }
}
