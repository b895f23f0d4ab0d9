package org.vitarena.backend.tornado;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Layout kernels: permute, and gather / scatterAdd along the middle axis of [O, R, I] (outer,
 * rows, inner). Index vectors live in the arena as floats (exact below 2^24).
 */
public final class LayoutKernels {
    private LayoutKernels() {}

    /**
     * p: total, rank, xOff, outOff, -, -, -, -, outShape[D], srcStrides[D] (from index 8 and 16).
     * out is dense in the permuted shape; srcStrides are x's strides taken in the permuted order.
     */
    public static void permute(KernelContext ctx, FloatArray mem, IntArray p, FloatArray f) {
        int t = ctx.globalIdx;
        if (t < p.get(0)) {
            int rank = p.get(1);
            int rem = t;
            int src = p.get(2);
            for (int d = rank - 1; d >= 0; d--) {
                int size = p.get(ElementwiseKernels.SHAPE + d);
                int coord = rem % size;
                rem = rem / size;
                src += coord * p.get(ElementwiseKernels.STRIDES_A + d);
            }
            mem.set(p.get(3) + t, mem.get(src));
        }
    }

    /** p: outer, rowsIn, inner, rowsOut, xOff, indexOff, outOff. out[o, i, :] = x[o, index[i], :]. */
    public static void gather(KernelContext ctx, FloatArray mem, IntArray p, FloatArray f) {
        int t = ctx.globalIdx;
        int inner = p.get(2);
        int rowsOut = p.get(3);
        if (t < p.get(0) * rowsOut * inner) {
            int row = t / inner;
            int j = t - row * inner;
            int o = row / rowsOut;
            int i = row - o * rowsOut;
            int src = (int) mem.get(p.get(5) + i);
            mem.set(p.get(6) + t, mem.get(p.get(4) + (o * p.get(1) + src) * inner + j));
        }
    }

    /**
     * p: outer, rowsIn, inner, rowsOut, dyOff, indexOff, dxOff. dx[o, index[i], :] += dy[o, i, :].
     * One work-item per (o, column), looping over i, so repeated indices never race.
     */
    public static void scatterAdd(KernelContext ctx, FloatArray mem, IntArray p, FloatArray f) {
        int t = ctx.globalIdx;
        int inner = p.get(2);
        if (t < p.get(0) * inner) {
            int o = t / inner;
            int j = t - o * inner;
            int rowsIn = p.get(1);
            int rowsOut = p.get(3);
            for (int i = 0; i < rowsOut; i++) {
                int dst = (int) mem.get(p.get(5) + i);
                int to = p.get(6) + (o * rowsIn + dst) * inner + j;
                mem.set(to, mem.get(to) + mem.get(p.get(4) + (o * rowsOut + i) * inner + j));
            }
        }
    }
}
