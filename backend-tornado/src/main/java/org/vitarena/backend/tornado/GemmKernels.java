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
 * <p>{@link #direct} is the variant for CPU devices (PoCL): one work-item per element of C, no
 * barriers, with operand strides computed on the host so the inner loop has no branch; a CPU
 * OpenCL compiler vectorises it across the work-items of a group, where the tiled kernel's
 * barriers cost more than they save.
 */
public final class GemmKernels {
    public static final int TILE = 16;

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
}
